package apply

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/redisctl/redisctl/providers"
)

func ch(addr string, deps ...string) providers.Change {
	return providers.Change{Address: addr, Action: providers.ActionCreate, DependsOn: deps}
}

func TestWalkRespectsDependencies(t *testing.T) {
	changes := []providers.Change{
		ch("sentinel.s0", "node.node-0", "node.node-1"),
		ch("node.node-1", "node.node-0"),
		ch("node.node-0"),
		ch("node.node-2", "node.node-0", "node.gone"), // a dependency outside the plan is already satisfied
	}
	var mu sync.Mutex
	var order []string
	err := Walk(context.Background(), changes, 4, func(_ context.Context, c providers.Change) error {
		mu.Lock()
		order = append(order, c.Address)
		mu.Unlock()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	pos := map[string]int{}
	for i, a := range order {
		pos[a] = i
	}
	if len(order) != 4 {
		t.Fatalf("ran %v, want all 4 changes", order)
	}
	for _, c := range changes {
		for _, d := range c.DependsOn {
			if p, ok := pos[d]; ok && p > pos[c.Address] {
				t.Errorf("%s ran before its dependency %s: %v", c.Address, d, order)
			}
		}
	}
}

func TestWalkRunsIndependentStepsInParallel(t *testing.T) {
	changes := []providers.Change{ch("a"), ch("b"), ch("c")}
	var inFlight, peak int32
	barrier := make(chan struct{})
	var once sync.Once
	err := Walk(context.Background(), changes, 3, func(context.Context, providers.Change) error {
		n := atomic.AddInt32(&inFlight, 1)
		for {
			p := atomic.LoadInt32(&peak)
			if n <= p || atomic.CompareAndSwapInt32(&peak, p, n) {
				break
			}
		}
		if n == 3 {
			once.Do(func() { close(barrier) })
		}
		<-barrier // deadlocks (test timeout) unless all three run at once
		atomic.AddInt32(&inFlight, -1)
		return nil
	})
	if err != nil || peak != 3 {
		t.Fatalf("err=%v peak=%d, want 3 concurrent steps", err, peak)
	}
}

func TestWalkStopsAfterFailure(t *testing.T) {
	changes := []providers.Change{ch("a"), ch("b", "a"), ch("c", "b")}
	var ran []string
	err := Walk(context.Background(), changes, 1, func(_ context.Context, c providers.Change) error {
		ran = append(ran, c.Address)
		if c.Address == "b" {
			return errors.New("boom")
		}
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "b: boom") || !strings.Contains(err.Error(), "not started: [c]") {
		t.Fatalf("err = %v", err)
	}
	if strings.Join(ran, ",") != "a,b" {
		t.Errorf("ran %v, want a,b", ran)
	}
}

func TestWalkRejectsCycles(t *testing.T) {
	err := Walk(context.Background(), []providers.Change{ch("a", "b"), ch("b", "a")}, 2, func(context.Context, providers.Change) error {
		t.Error("a step ran despite the cycle")
		return nil
	})
	if err == nil || !strings.Contains(err.Error(), "cycle") {
		t.Fatalf("err = %v, want a cycle error", err)
	}
}

func TestWalkStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var ran int
	err := Walk(ctx, []providers.Change{ch("a"), ch("b", "a")}, 1, func(context.Context, providers.Change) error {
		ran++
		cancel()
		return nil
	})
	if !errors.Is(err, context.Canceled) || ran != 1 {
		t.Fatalf("err=%v ran=%d, want cancellation after one step", err, ran)
	}
}
