package server

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"
)

// TestAtomicityUnderConcurrency hammers the engine from many connections
// (spread over its event loops) and checks invariants that only hold if
// every command, and every MULTI/EXEC, is atomic: concurrent INCRs lose
// nothing, and transfers between keys in transactions preserve the total.
func TestAtomicityUnderConcurrency(t *testing.T) {
	rdb := concurrencyClient(t)
	ctx := context.Background()
	const accounts, workers, ops = 8, 16, 300
	for i := 0; i < accounts; i++ {
		rdb.Set(ctx, "acct:"+strconv.Itoa(i), 1000, 0)
	}
	runWorkers(t, workers, ops, func(w, i int) error {
		if err := rdb.Incr(ctx, "counter").Err(); err != nil {
			return err
		}
		from := "acct:" + strconv.Itoa((w+i)%accounts)
		to := "acct:" + strconv.Itoa((w*7+i*3+1)%accounts)
		_, err := rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.DecrBy(ctx, from, 5)
			p.IncrBy(ctx, to, 5)
			return nil
		})
		if err != nil || i%50 != 0 {
			return err
		}
		// Read the whole ledger atomically now and then.
		var keys []string
		for a := 0; a < accounts; a++ {
			keys = append(keys, "acct:"+strconv.Itoa(a))
		}
		vals, err := rdb.MGet(ctx, keys...).Result()
		if err != nil {
			return err
		}
		sum := 0
		for _, v := range vals {
			n, _ := strconv.Atoi(v.(string))
			sum += n
		}
		if sum != accounts*1000 {
			t.Errorf("MGET saw a total of %d mid-transfer", sum)
		}
		return nil
	})
	if n, _ := rdb.Get(ctx, "counter").Int(); n != workers*ops {
		t.Fatalf("counter = %d, want %d: increments were lost", n, workers*ops)
	}
	sum := 0
	for i := 0; i < accounts; i++ {
		n, _ := rdb.Get(ctx, "acct:"+strconv.Itoa(i)).Int()
		sum += n
	}
	if sum != accounts*1000 {
		t.Fatalf("ledger total = %d, want %d", sum, accounts*1000)
	}
}

// TestScriptAtomicityUnderConcurrency runs scripts that move amounts
// between keys, with reads between the two writes, against each other and
// against plain MGETs from many connections: if a script were not atomic
// across its keys, some reader would see the ledger's total off, and
// concurrent script increments would be lost.
func TestScriptAtomicityUnderConcurrency(t *testing.T) {
	rdb := concurrencyClient(t)
	ctx := context.Background()
	const accounts, workers, ops, total = 8, 16, 200, 8 * 1000
	keys := make([]string, accounts)
	for i := range keys {
		keys[i] = "acct:" + strconv.Itoa(i)
		rdb.Set(ctx, keys[i], 1000, 0)
	}
	transfer := redis.NewScript(`
local from = tonumber(redis.call('get', KEYS[1]))
redis.call('set', KEYS[1], from - ARGV[1])
local sum = 0
for _, v in ipairs(redis.call('mget', unpack(KEYS, 3))) do sum = sum + tonumber(v) end
redis.call('incrby', KEYS[2], ARGV[1])
redis.call('incr', 'script:counter')
return sum`)
	sum := redis.NewScript(`
local s = 0
for _, v in ipairs(redis.call('mget', unpack(KEYS))) do s = s + tonumber(v) end
return s`)
	runWorkers(t, workers, ops, func(w, i int) error {
		from, to := keys[(w+i)%accounts], keys[(w*7+i*3+1)%accounts]
		// Mid-transfer, the script's own MGET sees the total short by
		// exactly the amount in flight.
		mid, err := transfer.Run(ctx, rdb, append([]string{from, to}, keys...), 5).Int()
		if err != nil {
			return err
		}
		if want := total - 5; mid != want {
			return fmt.Errorf("transfer %s->%s saw %d mid-script, want %d", from, to, mid, want)
		}
		var n int
		if i%2 == 0 {
			n, err = sum.Run(ctx, rdb, keys).Int()
		} else {
			var vals []any
			vals, err = rdb.MGet(ctx, keys...).Result()
			for _, v := range vals {
				k, _ := strconv.Atoi(fmt.Sprint(v))
				n += k
			}
		}
		if err != nil {
			return err
		}
		if n != total {
			return fmt.Errorf("a reader saw a total of %d between scripts, want %d", n, total)
		}
		return nil
	})
	if n, _ := rdb.Get(ctx, "script:counter").Int(); n != workers*ops {
		t.Fatalf("script:counter = %d, want %d: script increments were lost", n, workers*ops)
	}
}

// runWorkers runs op(w, i) for i below ops in each of workers goroutines,
// w being the goroutine's number, and fails t with the errors op returns
// (a goroutine stops at its first).
func runWorkers(t *testing.T, workers, ops int, op func(w, i int) error) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < ops; i++ {
				if err := op(w, i); err != nil {
					errs <- err
					return
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// concurrencyClient starts an engine for a concurrency test, which is slow
// and so skipped under -short, and returns a client whose pool spreads the
// workers over many connections.
func concurrencyClient(t *testing.T) *redis.Client {
	if testing.Short() {
		t.Skip("slow: thousands of concurrent commands")
	}
	rdb := redis.NewClient(&redis.Options{Addr: startServer(t).addr(), PoolSize: 32})
	t.Cleanup(func() { rdb.Close() })
	return rdb
}
