// Package apply walks a plan's changes in dependency order, running
// independent changes in parallel.
package apply

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"

	"github.com/redisctl/redisctl/providers"
)

// StepFunc performs one change.
type StepFunc func(ctx context.Context, c providers.Change) error

// Walk runs step for every change once all the changes it depends on have
// succeeded, at most parallelism at a time. After a failure no new change
// starts; running ones finish, and every error is returned joined. Changes
// that never ran because of a failure are reported by address.
func Walk(ctx context.Context, changes []providers.Change, parallelism int, step StepFunc) error {
	if parallelism < 1 {
		parallelism = 1
	}
	g, err := newGraph(changes)
	if err != nil {
		return err
	}
	var (
		mu      sync.Mutex
		errs    []error
		failed  bool
		running int
		wg      sync.WaitGroup
	)
	cond := sync.NewCond(&mu)
	sem := make(chan struct{}, parallelism)

	mu.Lock()
	for {
		if failed || ctx.Err() != nil {
			break
		}
		ready := g.ready()
		if len(ready) == 0 {
			if running == 0 {
				break
			}
			cond.Wait()
			continue
		}
		for _, i := range ready {
			g.started[i] = true
			running++
			wg.Add(1)
			mu.Unlock()
			sem <- struct{}{}
			go func(i int) {
				defer wg.Done()
				err := step(ctx, changes[i])
				<-sem
				mu.Lock()
				running--
				if err != nil {
					errs = append(errs, fmt.Errorf("%s: %w", changes[i].Address, err))
					failed = true
				} else {
					g.done[i] = true
				}
				cond.Broadcast()
				mu.Unlock()
			}(i)
			mu.Lock()
		}
	}
	mu.Unlock()
	wg.Wait()
	if ctx.Err() != nil && len(errs) == 0 {
		errs = append(errs, ctx.Err())
	}
	if len(errs) > 0 {
		if skipped := g.notStarted(changes); len(skipped) > 0 {
			errs = append(errs, fmt.Errorf("not started: %v", skipped))
		}
	}
	return errors.Join(errs...)
}

type graph struct {
	deps    [][]int
	started []bool
	done    []bool
}

func newGraph(changes []providers.Change) (*graph, error) {
	index := make(map[string]int, len(changes))
	for i, c := range changes {
		if _, dup := index[c.Address]; dup {
			return nil, fmt.Errorf("plan has two changes to %s", c.Address)
		}
		index[c.Address] = i
	}
	g := &graph{deps: make([][]int, len(changes)), started: make([]bool, len(changes)), done: make([]bool, len(changes))}
	for i, c := range changes {
		for _, d := range c.DependsOn {
			if j, ok := index[d]; ok && j != i {
				g.deps[i] = append(g.deps[i], j)
			}
		}
	}
	if cyc := g.cycle(changes); cyc != "" {
		return nil, fmt.Errorf("plan has a dependency cycle through %s", cyc)
	}
	return g, nil
}

// ready lists changes not started whose dependencies are all done.
func (g *graph) ready() []int {
	var out []int
	for i := range g.deps {
		if g.started[i] {
			continue
		}
		ok := true
		for _, d := range g.deps[i] {
			if !g.done[d] {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, i)
		}
	}
	return out
}

func (g *graph) cycle(changes []providers.Change) string {
	const (
		white = iota
		grey
		black
	)
	color := make([]int, len(g.deps))
	var visit func(i int) string
	visit = func(i int) string {
		color[i] = grey
		for _, d := range g.deps[i] {
			if color[d] == grey {
				return changes[d].Address
			}
			if color[d] == white {
				if c := visit(d); c != "" {
					return c
				}
			}
		}
		color[i] = black
		return ""
	}
	for i := range g.deps {
		if color[i] == white {
			if c := visit(i); c != "" {
				return c
			}
		}
	}
	return ""
}

func (g *graph) notStarted(changes []providers.Change) []string {
	var out []string
	for i, s := range g.started {
		if !s {
			out = append(out, changes[i].Address)
		}
	}
	sort.Strings(out)
	return out
}
