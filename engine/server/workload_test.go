package server

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// TestStreamQueueWorkload runs a job queue on a stream with go-redis:
// two producers XADD jobs, a consumer group of three consumers
// XREADGROUP and XACK them, one consumer crashes holding unacknowledged
// jobs, and a survivor takes them over with XAUTOCLAIM. Every job must be
// processed exactly once.
func TestStreamQueueWorkload(t *testing.T) {
	srv := startServer(t)
	ctx := context.Background()
	newClient := func() *redis.Client {
		c := redis.NewClient(&redis.Options{Addr: srv.addr()})
		t.Cleanup(func() { c.Close() })
		return c
	}
	const producers, perProducer = 2, 1500
	const total = producers * perProducer
	admin := newClient()
	if err := admin.XGroupCreateMkStream(ctx, "jobs", "workers", "$").Err(); err != nil {
		t.Fatal(err)
	}

	var mu sync.Mutex
	processed := map[string]int{} // job -> times processed
	var delivered atomic.Int64    // entries handed out by XREADGROUP ">"
	var crashed []string          // jobs the crashed consumer held

	var wg sync.WaitGroup
	errc := make(chan error, 8)
	for p := 0; p < producers; p++ {
		wg.Add(1)
		go func(p int) {
			defer wg.Done()
			c := newClient()
			for i := 0; i < perProducer; i++ {
				job := fmt.Sprintf("p%d-%d", p, i)
				if err := c.XAdd(ctx, &redis.XAddArgs{Stream: "jobs", Values: []any{"job", job}}).Err(); err != nil {
					errc <- err
					return
				}
			}
		}(p)
	}
	consume := func(name string, crashAfter int) {
		defer wg.Done()
		c := newClient()
		batches := 0
		for delivered.Load() < total {
			res, err := c.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "workers", Consumer: name,
				Streams: []string{"jobs", ">"}, Count: 25, Block: 20 * time.Millisecond}).Result()
			if errors.Is(err, redis.Nil) {
				continue
			}
			if err != nil {
				errc <- err
				return
			}
			msgs := res[0].Messages
			delivered.Add(int64(len(msgs)))
			batches++
			if batches == crashAfter {
				// Crash: the batch is never processed nor acknowledged.
				mu.Lock()
				for _, m := range msgs {
					crashed = append(crashed, m.Values["job"].(string))
				}
				mu.Unlock()
				return
			}
			ids := make([]string, len(msgs))
			mu.Lock()
			for i, m := range msgs {
				processed[m.Values["job"].(string)]++
				ids[i] = m.ID
			}
			mu.Unlock()
			if err := c.XAck(ctx, "jobs", "workers", ids...).Err(); err != nil {
				errc <- err
				return
			}
		}
	}
	wg.Add(3)
	go consume("alice", 0)
	go consume("bob", 0)
	go consume("carol", 3)
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	if len(crashed) == 0 {
		t.Fatal("the crashing consumer never got a batch")
	}

	// What is still pending belongs to carol; alice takes it over.
	summary, err := admin.XPending(ctx, "jobs", "workers").Result()
	if err != nil || summary.Count != int64(len(crashed)) || summary.Consumers["carol"] != int64(len(crashed)) {
		t.Fatalf("pending before takeover: %+v, %v (carol held %d)", summary, err, len(crashed))
	}
	alice := newClient()
	start := "0-0"
	for {
		msgs, next, err := alice.XAutoClaim(ctx, &redis.XAutoClaimArgs{Stream: "jobs", Group: "workers",
			Consumer: "alice", MinIdle: 0, Start: start, Count: 10}).Result()
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, m := range msgs {
			processed[m.Values["job"].(string)]++
			ids = append(ids, m.ID)
		}
		if len(ids) > 0 {
			if err := alice.XAck(ctx, "jobs", "workers", ids...).Err(); err != nil {
				t.Fatal(err)
			}
		}
		if next == "0-0" {
			break
		}
		start = next
	}

	if len(processed) != total {
		t.Fatalf("%d distinct jobs processed, want %d", len(processed), total)
	}
	for job, n := range processed {
		if n != 1 {
			t.Fatalf("job %s processed %d times", job, n)
		}
	}
	if summary, err := admin.XPending(ctx, "jobs", "workers").Result(); err != nil || summary.Count != 0 {
		t.Fatalf("pending after takeover: %+v, %v", summary, err)
	}
	if n, err := admin.XLen(ctx, "jobs").Result(); err != nil || n != total {
		t.Fatalf("XLEN = %d, %v", n, err)
	}
	groups, err := admin.XInfoGroups(ctx, "jobs").Result()
	if err != nil || len(groups) != 1 || groups[0].Lag != 0 || groups[0].EntriesRead != total || groups[0].Consumers != 3 {
		t.Fatalf("XINFO GROUPS = %+v, %v", groups, err)
	}
}
