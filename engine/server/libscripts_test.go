package server

import (
	"context"
	"fmt"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Lock and rate-limit scripts exactly as client libraries send them
// (byte for byte: leading newlines and indentation included, since the
// text is what EVALSHA hashes). Each library's license allows this use;
// the sources are named with each script.

// node-redlock v5 (MIT, github.com/mike-marcacci/node-redlock,
// src/index.ts): ACQUIRE_SCRIPT, EXTEND_SCRIPT and RELEASE_SCRIPT.
const (
	redlockAcquire = `
  -- Return 0 if an entry already exists.
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
	redlockExtend = `
  -- Return 0 if an entry exists with a *different* lock value.
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
	redlockRelease = `
  local count = 0
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
)

// The release script of the Redlock algorithm as redis.io's distributed
// locks page gives it, which most single-instance lock libraries send.
const redisioUnlock = `if redis.call("get",KEYS[1]) == ARGV[1] then
    return redis.call("del",KEYS[1])
else
    return 0
end`

// redsync v4 (BSD-3-Clause, github.com/go-redsync/redsync): the current
// scripts.go, and mutex.go's deleteScript as earlier v4 releases sent it.
const (
	redsyncDelete = `
	local val = redis.call("GET", KEYS[1])
	if val == ARGV[1] then
		return redis.call("DEL", KEYS[1])
	elseif val == false then
		return -1
	else
		return 0
	end
`
	redsyncTouchWithSetNX = `
	if redis.call("GET", KEYS[1]) == ARGV[1] then
		return redis.call("PEXPIRE", KEYS[1], ARGV[2])
	elseif redis.call("SET", KEYS[1], ARGV[1], "PX", ARGV[2], "NX") then
		return 1
	else
		return 0
	end
`
	redsyncTouch = `
	if redis.call("GET", KEYS[1]) == ARGV[1] then
		return redis.call("PEXPIRE", KEYS[1], ARGV[2])
	else
		return 0
	end
`
	redsyncDeleteV4Early = `
	if redis.call("GET", KEYS[1]) == ARGV[1] then
		return redis.call("DEL", KEYS[1])
	else
		return 0
	end
`
)

// The Python "limits" library (MIT, github.com/alisaifee/limits, the
// backend of Flask-Limiter and SlowAPI): its moving window for Redis,
// limits/resources/redis/lua_scripts/acquire_moving_window.lua and
// moving_window.lua.
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

for i=1,#entries,5000 do
    redis.call('lpush', KEYS[1], unpack(entries, i, math.min(i+4999, #entries)))
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
)

// Redisson's RRateLimiter (Apache-2.0, github.com/redisson/redisson,
// RedissonRateLimiter.java): trySetRate and tryAcquire, the Java string
// concatenations as sent. It is a sliding window kept in a sorted set of
// permits scored by their time, packed with struct.pack.
const (
	redissonTrySetRate = "redis.call('hsetnx', KEYS[1], 'rate', ARGV[1]);" +
		"redis.call('hsetnx', KEYS[1], 'interval', ARGV[2]);" +
		"redis.call('hsetnx', KEYS[1], 'keepAliveTime', ARGV[4]);" +
		"local res = redis.call('hsetnx', KEYS[1], 'type', ARGV[3]);" +
		"if res == 1 and tonumber(ARGV[4]) > 0 then " +
		"redis.call('pexpire', KEYS[1], ARGV[4]); " +
		"end; " +
		"return res;"
	redissonTryAcquire = "local rate = redis.call('hget', KEYS[1], 'rate');" +
		"local interval = redis.call('hget', KEYS[1], 'interval');" +
		"local type = redis.call('hget', KEYS[1], 'type');" +
		"assert(rate ~= false and interval ~= false and type ~= false, 'RateLimiter is not initialized')" +
		"local valueName = KEYS[2];" +
		"local permitsName = KEYS[4];" +
		"if type == '1' then " +
		"valueName = KEYS[3];" +
		"permitsName = KEYS[5];" +
		"end;" +
		"assert(tonumber(rate) >= tonumber(ARGV[1]), 'Requested permits amount cannot exceed defined rate'); " +
		"local currentValue = redis.call('get', valueName); " +
		"local res;" +
		"if currentValue ~= false then " +
		"local expiredValues = redis.call('zrangebyscore', permitsName, 0, tonumber(ARGV[2]) - interval); " +
		"local released = 0; " +
		"for i, v in ipairs(expiredValues) do " +
		"local random, permits = struct.unpack('Bc0I', v);" +
		"released = released + permits;" +
		"end; " +
		"if released > 0 then " +
		"redis.call('zremrangebyscore', permitsName, 0, tonumber(ARGV[2]) - interval); " +
		"if tonumber(currentValue) + released > tonumber(rate) then " +
		"local values = redis.call('zrange', permitsName, 0, -1); " +
		"local used = 0; " +
		"for i, v in ipairs(values) do " +
		"local random, permits = struct.unpack('Bc0I', v);" +
		"used = used + permits;" +
		"end; " +
		"currentValue = tonumber(rate) - used; " +
		"else " +
		"currentValue = tonumber(currentValue) + released; " +
		"end; " +
		"redis.call('set', valueName, currentValue);" +
		"end;" +
		"if tonumber(currentValue) < tonumber(ARGV[1]) then " +
		"local firstValue = redis.call('zrange', permitsName, 0, 0, 'withscores'); " +
		"res = 3 + interval - (tonumber(ARGV[2]) - tonumber(firstValue[2]));" +
		"else " +
		"redis.call('zadd', permitsName, ARGV[2], struct.pack('Bc0I', string.len(ARGV[3]), ARGV[3], ARGV[1])); " +
		"redis.call('decrby', valueName, ARGV[1]); " +
		"res = nil; " +
		"end; " +
		"else " +
		"redis.call('set', valueName, rate); " +
		"redis.call('zadd', permitsName, ARGV[2], struct.pack('Bc0I', string.len(ARGV[3]), ARGV[3], ARGV[1])); " +
		"redis.call('decrby', valueName, ARGV[1]); " +
		"res = nil; " +
		"end;" +
		"local keepAliveTime = redis.call('hget', KEYS[1], 'keepAliveTime'); " +
		"if (keepAliveTime ~= false and tonumber(keepAliveTime) > 0) then " +
		"redis.call('pexpire', KEYS[1], keepAliveTime); " +
		"redis.call('pexpire', valueName, keepAliveTime); " +
		"redis.call('pexpire', permitsName, keepAliveTime); " +
		"else " +
		"local ttl = redis.call('pttl', KEYS[1]); " +
		"if ttl > 0 then " +
		"redis.call('pexpire', valueName, ttl); " +
		"redis.call('pexpire', permitsName, ttl); " +
		"end; " +
		"end; " +
		"return res;"
)

// go-redis/redis_rate v10 (BSD-2-Clause, github.com/go-redis/redis_rate,
// script_allow_n.lua): GCRA, after rwz/redis-gcra.
const (
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
// redis-server, and compares every reply and the data they leave.
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
	sameData := func(name string, read func(c *redis.Client) any) {
		t.Helper()
		if want, got := read(ref), read(eng); !reflect.DeepEqual(want, got) {
			t.Fatalf("%s:\n redis:  %#v\n engine: %#v", name, want, got)
		}
	}

	// The scripts are the libraries' own: their SHA1s are the ones
	// redsync publishes with them.
	for text, sha := range map[string]string{redsyncDelete: "e950836ed1e694540c503ef9972b8de518044d3b",
		redsyncTouchWithSetNX: "b6b55c439e02c6f52ffb8be7ec8c0d0ac816ea79", redsyncTouch: "d75bb8b5bd13532ddedd17762e772346e39b321e"} {
		if got, err := eng.ScriptLoad(ctx, text).Result(); err != nil || got != sha {
			t.Fatalf("SCRIPT LOAD = %q, %v; redsync publishes %s", got, err, sha)
		}
	}

	t.Run("redlock", func(t *testing.T) {
		acquire, extend, release := redis.NewScript(redlockAcquire), redis.NewScript(redlockExtend), redis.NewScript(redlockRelease)
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
		for _, c := range []*redis.Client{eng, ref} {
			if ttl, err := c.PTTL(ctx, "lock:b").Result(); err != nil || ttl <= 0 || ttl > 30*time.Second {
				t.Fatalf("lock:b PTTL = %v, %v", ttl, err)
			}
		}
	})

	t.Run("redis.io unlock", func(t *testing.T) {
		unlock := redis.NewScript(redisioUnlock)
		for _, c := range []*redis.Client{eng, ref} {
			c.Set(ctx, "resource", "token-1", 10*time.Second)
		}
		if n := both("unlock other", unlock, []string{"resource"}, "token-2"); n != int64(0) {
			t.Fatalf("another token unlocked: %v", n)
		}
		if n := both("unlock", unlock, []string{"resource"}, "token-1"); n != int64(1) {
			t.Fatalf("unlock = %v", n)
		}
		both("unlock again", unlock, []string{"resource"}, "token-1")
	})

	t.Run("redsync", func(t *testing.T) {
		del, touchNX, touch, delOld := redis.NewScript(redsyncDelete), redis.NewScript(redsyncTouchWithSetNX),
			redis.NewScript(redsyncTouch), redis.NewScript(redsyncDeleteV4Early)
		k := []string{"mutex"}
		if n := both("delete missing", del, k, "v1"); n != int64(-1) {
			t.Fatalf("delete of a missing lock = %v, want -1", n)
		}
		both("touch with setnx (takes it)", touchNX, k, "v1", 8000)
		both("touch with setnx (other)", touchNX, k, "v2", 8000)
		both("touch", touch, k, "v1", 9000)
		both("touch other", touch, k, "v2", 9000)
		both("delete other", del, k, "v2")
		both("delete (early v4)", delOld, k, "v2")
		both("delete", del, k, "v1")
		sameData("mutex after delete", func(c *redis.Client) any { return c.Exists(ctx, "mutex").Val() })
	})

	t.Run("limits moving window", func(t *testing.T) {
		// 3 hits per 10 s window, at fixed timestamps.
		hit, window := redis.NewScript(limitsAcquireMovingWindow), redis.NewScript(limitsMovingWindow)
		for i, ts := range []int{100, 101, 102, 103, 109, 110, 111, 112, 125} {
			both("acquire_moving_window #"+strconv.Itoa(i), hit, []string{"LIMITER/api"}, ts, 3, 10, 1)
			both("moving_window #"+strconv.Itoa(i), window, []string{"LIMITER/api"}, ts-10, 3)
		}
		both("acquire too many", hit, []string{"LIMITER/api"}, 200, 3, 10, 5)
		both("acquire a batch", hit, []string{"LIMITER/bulk"}, 200, 10, 10, 4)
		both("window after batch", window, []string{"LIMITER/bulk"}, 190, 10)
		sameData("window list", func(c *redis.Client) any { return c.LRange(ctx, "LIMITER/api", 0, -1).Val() })
	})

	t.Run("redisson sliding window", func(t *testing.T) {
		setRate, acquire := redis.NewScript(redissonTrySetRate), redis.NewScript(redissonTryAcquire)
		keys := []string{"limiter", "{limiter}:value", "{limiter}:value:client", "{limiter}:permits", "{limiter}:permits:client"}
		both("acquire before trySetRate", acquire, keys, 1, 1000, "id-0")
		// OVERALL, 3 permits per 10 s.
		if n := both("trySetRate", setRate, keys[:1], 3, 10000, 0, 0); n != int64(1) {
			t.Fatalf("trySetRate = %v", n)
		}
		both("trySetRate again", setRate, keys[:1], 5, 1000, 0, 0)
		both("too many permits", acquire, keys, 4, 1000, "id-1")
		for i, at := range []int{1000, 1001, 1002, 1003, 5000, 11000, 11001, 11002, 11003, 30000} {
			// A nil result is a permit; a number is how long to wait.
			both("tryAcquire #"+strconv.Itoa(i), acquire, keys, 1, at, fmt.Sprintf("random-%02d", i))
		}
		both("two permits", acquire, keys, 2, 30001, "random-2p")
		both("two more", acquire, keys, 2, 30002, "random-2q")
		sameData("config", func(c *redis.Client) any { return c.HGetAll(ctx, "limiter").Val() })
		sameData("value", func(c *redis.Client) any { return c.Get(ctx, "{limiter}:value").Val() })
		sameData("permits", func(c *redis.Client) any {
			return c.ZRangeWithScores(ctx, "{limiter}:permits", 0, -1).Val()
		})
		// PER_CLIENT with a keep-alive: its own value and permits keys,
		// expiring.
		both("trySetRate per client", setRate, []string{"pc"}, 2, 1000, 1, 60000)
		pc := []string{"pc", "{pc}:value", "{pc}:value:c1", "{pc}:permits", "{pc}:permits:c1"}
		for i, at := range []int{100, 200, 300, 1200} {
			both("per client #"+strconv.Itoa(i), acquire, pc, 1, at, fmt.Sprintf("pc-%d", i))
		}
		for _, k := range []string{"pc", "{pc}:value:c1", "{pc}:permits:c1"} {
			for _, c := range []*redis.Client{eng, ref} {
				if ttl := c.PTTL(ctx, k).Val(); ttl <= 0 || ttl > time.Minute {
					t.Fatalf("%s PTTL = %v", k, ttl)
				}
			}
		}
		sameData("per client permits", func(c *redis.Client) any {
			return c.ZRangeWithScores(ctx, "{pc}:permits:c1", 0, -1).Val()
		})
	})

	t.Run("redis_rate GCRA", func(t *testing.T) {
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
	})
}
