package server

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strconv"
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

// Lock scripts as node-redlock (v5) and redsync ship them.
const (
	redlockAcquire = `-- Return 0 if an entry already exists.
for i, key in ipairs(KEYS) do
  if redis.call("exists", key) == 1 then
    return 0
  end
end

-- Create an entry for each provided key.
for i, key in ipairs(KEYS) do
  redis.call("set", key, ARGV[1], "PX", ARGV[2])
end

-- Return the number of entries added.
return #KEYS
`
	redlockExtend = `-- Return 0 if an entry exists with a *different* lock value.
for i, key in ipairs(KEYS) do
  if redis.call("get", key) ~= ARGV[1] then
    return 0
  end
end

-- Update the entry for each provided key.
for i, key in ipairs(KEYS) do
  redis.call("set", key, ARGV[1], "PX", ARGV[2])
end

-- Return the number of entries updated.
return #KEYS
`
	redlockRelease = `local count = 0
for i, key in ipairs(KEYS) do
  -- Only remove entries for *this* lock value.
  if redis.call("get", key) == ARGV[1] then
    redis.pcall("del", key)
    count = count + 1
  end
end

-- Return the number of entries removed.
return count
`
	redsyncDelete = `if redis.call("GET", KEYS[1]) == ARGV[1] then
	return redis.call("DEL", KEYS[1])
else
	return 0
end
`
	redsyncTouch = `if redis.call("GET", KEYS[1]) == ARGV[1] then
	return redis.call("PEXPIRE", KEYS[1], ARGV[2])
else
	return 0
end
`
)

// Sliding-window (moving window) rate limiting as the Python "limits"
// library (Flask-Limiter's backend) ships it, and GCRA as go-redis's
// redis_rate ships it.
const (
	limitsAcquireMovingWindow = `local timestamp = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local expiry = tonumber(ARGV[3])
local amount = tonumber(ARGV[4])

if amount > limit then
  return false
end

local entry = redis.call('lindex', KEYS[1], limit - amount)

if entry and tonumber(entry) >= timestamp - expiry then
  return false
end
local entries = {}
for i = 1, amount do
  entries[i] = timestamp
end

for i=1,#entries,7000 do
  redis.call('lpush', KEYS[1], unpack(entries, i, math.min(i+6999, #entries)))
end
redis.call('ltrim', KEYS[1], 0, limit - 1)
redis.call('expire', KEYS[1], expiry)

return true
`
	limitsMovingWindow = `local items = redis.call('lrange', KEYS[1], 0, tonumber(ARGV[2]))
local expiry = tonumber(ARGV[1])
local a = 0
local oldest = nil

for idx=1,#items do
    if tonumber(items[idx]) >= expiry then
        a = a + 1

        local value = tonumber(items[idx])
        if oldest == nil or value < oldest then
            oldest = value
        end
    else
        break
    end
end

return {oldest, a}
`
	redisRateAllowN = `-- this script has side-effects, so it requires replicate commands mode
redis.replicate_commands()

local rate_limit_key = KEYS[1]
local burst = ARGV[1]
local rate = ARGV[2]
local period = ARGV[3]
local cost = tonumber(ARGV[4])

local emission_interval = period / rate
local increment = emission_interval * cost
local burst_offset = emission_interval * burst

-- redis returns time as an array containing two integers: seconds of the epoch
-- time (10 digits) and microseconds (6 digits). for convenience we need to
-- convert them to a floating point number. the resulting number is 16 digits,
-- bordering on the limits of a 64-bit double-precision floating point number.
-- adjust the epoch to be relative to Jan 1, 2017 00:00:00 GMT to avoid floating
-- point problems. this approach is good until "now" is 2,483,228,799 (Wed, 09
-- Sep 2048 01:46:39 GMT), when the adjusted value is 16 digits.
local jan_1_2017 = 1483228800
local now = redis.call("TIME")
now = (now[1] - jan_1_2017) + (now[2] / 1000000)

local tat = redis.call("GET", rate_limit_key)

if not tat then
  tat = now
else
  tat = tonumber(tat)
end

tat = math.max(tat, now)

local new_tat = tat + increment
local allow_at = new_tat - burst_offset

local diff = now - allow_at
local remaining = diff / emission_interval

if remaining < 0 then
  local reset_after = tat - now
  local retry_after = diff * -1
  return {
    0, -- allowed
    0, -- remaining
    tostring(retry_after),
    tostring(reset_after),
  }
end

local reset_after = new_tat - now
if reset_after > 0 then
  redis.call("SET", rate_limit_key, new_tat, "EX", math.ceil(reset_after))
end
local retry_after = -1
return {cost, remaining, tostring(retry_after), tostring(reset_after)}
`
)

// TestClientLibraryScripts runs the lock and rate-limit scripts above,
// unmodified, through go-redis against the engine and a real
// redis-server, and compares every reply.
func TestClientLibraryScripts(t *testing.T) {
	ctx := context.Background()
	eng := redis.NewClient(&redis.Options{Addr: startServer(t).addr()})
	ref := redis.NewClient(&redis.Options{Addr: startRedis(t)})
	t.Cleanup(func() { eng.Close(); ref.Close() })
	both := func(name string, script *redis.Script, keys []string, args ...any) any {
		t.Helper()
		want, werr := script.Run(ctx, ref, keys, args...).Result()
		got, gerr := script.Run(ctx, eng, keys, args...).Result()
		if fmt.Sprint(werr) != fmt.Sprint(gerr) || !reflect.DeepEqual(want, got) {
			t.Fatalf("%s %v %v:\n redis:  %#v, %v\n engine: %#v, %v", name, keys, args, want, werr, got, gerr)
		}
		return got
	}
	acquire, extend, release := redis.NewScript(redlockAcquire), redis.NewScript(redlockExtend), redis.NewScript(redlockRelease)
	del, touch := redis.NewScript(redsyncDelete), redis.NewScript(redsyncTouch)
	locks := []string{"lock:a", "lock:b"}
	if n := both("acquire", acquire, locks, "owner-1", 30000); n != int64(2) {
		t.Fatalf("acquire = %v", n)
	}
	if n := both("acquire again", acquire, locks, "owner-2", 30000); n != int64(0) {
		t.Fatalf("second owner acquired: %v", n)
	}
	both("extend other", extend, locks, "owner-2", 60000)
	both("extend", extend, locks, "owner-1", 60000)
	both("release other", release, locks, "owner-2")
	both("release", release, locks, "owner-1")
	both("acquire after release", acquire, locks, "owner-2", 30000)
	both("redsync touch", touch, []string{"lock:a"}, "owner-2", 5000)
	both("redsync touch other", touch, []string{"lock:a"}, "owner-1", 5000)
	both("redsync delete other", del, []string{"lock:a"}, "owner-1")
	both("redsync delete", del, []string{"lock:a"}, "owner-2")
	for _, c := range []*redis.Client{eng, ref} {
		if ttl, err := c.PTTL(ctx, "lock:b").Result(); err != nil || ttl <= 0 || ttl > 30*time.Second {
			t.Fatalf("lock:b PTTL = %v, %v", ttl, err)
		}
	}

	// The moving window: 3 hits per 10 s window, at fixed timestamps.
	hit, window := redis.NewScript(limitsAcquireMovingWindow), redis.NewScript(limitsMovingWindow)
	for i, ts := range []int{100, 101, 102, 103, 109, 110, 111, 112, 125} {
		both("acquire_moving_window #"+strconv.Itoa(i), hit, []string{"LIMITER/api"}, ts, 3, 10, 1)
		both("moving_window #"+strconv.Itoa(i), window, []string{"LIMITER/api"}, ts-10, 3)
	}
	both("acquire too many", hit, []string{"LIMITER/api"}, 200, 3, 10, 5)
	both("acquire a batch", hit, []string{"LIMITER/bulk"}, 200, 10, 10, 4)
	both("window after batch", window, []string{"LIMITER/bulk"}, 190, 10)

	// GCRA reads the clock: compare what does not depend on it.
	allow := redis.NewScript(redisRateAllowN)
	for _, c := range []*redis.Client{eng, ref} {
		allowed := 0
		for i := 0; i < 8; i++ {
			res, err := allow.Run(ctx, c, []string{"rate:user"}, 5, 1, 60, 1).Slice()
			if err != nil {
				t.Fatal(err)
			}
			allowed += int(res[0].(int64))
			if _, err := strconv.ParseFloat(res[2].(string), 64); err != nil {
				t.Fatalf("retry_after %q", res[2])
			}
		}
		if allowed != 5 {
			t.Fatalf("GCRA allowed %d of 8 with a burst of 5", allowed)
		}
	}
}
