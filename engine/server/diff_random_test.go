package server

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/redisctl/redisctl/engine/resp"
)

// TestCollectionsRandomDifferential sends the same random stream of
// collection commands to the engine and to redis-server and compares every
// reply (ignoring element order only where Redis's order follows its hash
// function). Small limits make values cross the encoding thresholds often.
func TestCollectionsRandomDifferential(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: thousands of commands against two servers")
	}
	unordered := func(want, got []byte) bool { return sortedReply(want) == sortedReply(got) }
	randomDifferential(t, []string{"hash-max-listpack-entries", "8", "hash-max-listpack-value", "6",
		"set-max-intset-entries", "8", "zset-max-listpack-entries", "8", "zset-max-listpack-value", "6",
		"list-max-listpack-size", "4"}, 4, 99,
		func(r *rand.Rand) ([]string, func(want, got []byte) bool) {
			return randomCollectionCommand(r), unordered
		},
		nil)
}

// randomDifferential sends the commands next makes, 2500 for each seed
// 1..seeds of the PCG stream, to a fresh redis-server and a fresh engine,
// both given config (CONFIG SET name value pairs), and fails at the first
// pair of replies that differ unless next's same (nil: none) accepts them.
// dump, when set, logs state that helps read a failure.
func randomDifferential(t *testing.T, config []string, seeds, stream uint64,
	next func(r *rand.Rand) (cmd []string, same func(want, got []byte) bool), dump func(ref, eng *rawConn)) {
	t.Helper()
	ref, eng := dial(t, startRedis(t)), dial(t, startServer(t).addr())
	for _, c := range []*rawConn{ref, eng} {
		c.mustDo("+OK\r\n", append([]string{"CONFIG", "SET"}, config...)...)
	}
	for seed := uint64(1); seed <= seeds; seed++ {
		r := rand.New(rand.NewPCG(seed, stream))
		var history []string
		for i := 0; i < 2500; i++ {
			cmd, same := next(r)
			history = append(history, strings.Join(cmd, " "))
			ref.send(resp.AppendCommandStrings(nil, cmd...))
			eng.send(resp.AppendCommandStrings(nil, cmd...))
			want := readOrFail(t, ref, history[i], "redis")
			got := readOrFail(t, eng, history[i], "engine")
			if string(want) == string(got) || same != nil && same(want, got) {
				continue
			}
			if dump != nil {
				dump(ref, eng)
			}
			t.Fatalf("seed %d, command %d: %s\n  redis:  %q\n  engine: %q\nlast commands:\n  %s",
				seed, i, history[i], want, got, strings.Join(history[max(0, i-19):], "\n  "))
		}
	}
}

func randomCollectionCommand(r *rand.Rand) []string {
	key := func(prefix string) string { return prefix + strconv.Itoa(r.IntN(4)) }
	member := func() string {
		switch r.IntN(5) {
		case 0:
			return strconv.Itoa(r.IntN(20) - 5)
		case 1:
			return strconv.Itoa(r.IntN(1 << 20))
		case 2:
			return "longmember" + strconv.Itoa(r.IntN(5))
		}
		return string(rune('a' + r.IntN(12)))
	}
	score := func() string {
		switch r.IntN(6) {
		case 0:
			return "inf"
		case 1:
			return "-inf"
		case 2:
			return fmt.Sprintf("%.2f", r.Float64()*10-5)
		}
		return strconv.Itoa(r.IntN(10))
	}
	idx := func() string { return strconv.Itoa(r.IntN(16) - 8) }
	bound := func() string {
		switch r.IntN(5) {
		case 0:
			return "-inf"
		case 1:
			return "+inf"
		case 2:
			return "(" + strconv.Itoa(r.IntN(10))
		}
		return strconv.Itoa(r.IntN(10))
	}
	lex := func() string {
		switch r.IntN(5) {
		case 0:
			return "-"
		case 1:
			return "+"
		case 2:
			return "(" + member()
		}
		return "[" + member()
	}
	switch r.IntN(40) {
	case 0:
		return []string{"HSET", key("h"), member(), member(), member(), member()}
	case 1:
		return []string{"HDEL", key("h"), member(), member()}
	case 2:
		return []string{"HGETALL", key("h")}
	case 3:
		return []string{"HINCRBY", key("h"), member(), idx()}
	case 4:
		return []string{"HMGET", key("h"), member(), member()}
	case 5:
		return []string{"HSETNX", key("h"), member(), member()}
	case 6:
		return []string{"SADD", key("s"), member(), member(), member()}
	case 7:
		return []string{"SREM", key("s"), member(), member()}
	case 8:
		return []string{"SMEMBERS", key("s")}
	case 9:
		return []string{"SINTER", key("s"), key("s")}
	case 10:
		return []string{"SUNIONSTORE", key("s"), key("s"), key("s")}
	case 11:
		return []string{"SDIFF", key("s"), key("s")}
	case 12:
		return []string{"SMOVE", key("s"), key("s"), member()}
	case 13:
		return []string{"ZADD", key("z"), score(), member(), score(), member()}
	case 14:
		return []string{"ZINCRBY", key("z"), score(), member()}
	case 15:
		return []string{"ZREM", key("z"), member()}
	case 16:
		return []string{"ZRANGE", key("z"), idx(), idx(), "WITHSCORES"}
	case 17:
		return []string{"ZRANGEBYSCORE", key("z"), bound(), bound(), "WITHSCORES"}
	case 18:
		return []string{"ZREVRANGEBYSCORE", key("z"), bound(), bound(), "LIMIT", "1", "3"}
	case 19:
		// Lex ranges only mean something when every score is equal
		// (Redis's answer otherwise depends on its skiplist's levels).
		if r.IntN(2) == 0 {
			return []string{"ZADD", key("lx"), "0", member(), "0", member()}
		}
		return []string{"ZRANGEBYLEX", key("lx"), lex(), lex()}
	case 20:
		return []string{"ZCOUNT", key("z"), bound(), bound()}
	case 21:
		return []string{"ZRANK", key("z"), member()}
	case 22:
		return []string{"ZREMRANGEBYRANK", key("z"), idx(), idx()}
	case 23:
		return []string{"ZREMRANGEBYSCORE", key("z"), bound(), bound()}
	case 24:
		return []string{"ZUNIONSTORE", key("z"), "2", key("z"), key("s"), "WEIGHTS", "2", "1"}
	case 25:
		return []string{"ZINTER", "2", key("z"), key("z"), "WITHSCORES", "AGGREGATE", "MAX"}
	case 26:
		return []string{"ZPOPMIN", key("z"), strconv.Itoa(r.IntN(3))}
	case 27:
		return []string{"LPUSH", key("l"), member(), member()}
	case 28:
		return []string{"RPUSH", key("l"), member(), member(), member()}
	case 29:
		return []string{"LRANGE", key("l"), idx(), idx()}
	case 30:
		return []string{"LINSERT", key("l"), []string{"BEFORE", "AFTER"}[r.IntN(2)], member(), member()}
	case 31:
		return []string{"LREM", key("l"), idx(), member()}
	case 32:
		return []string{"LTRIM", key("l"), idx(), idx()}
	case 33:
		return []string{"LSET", key("l"), idx(), member()}
	case 34:
		return []string{"LPOS", key("l"), member(), "RANK", []string{"1", "-1", "2"}[r.IntN(3)], "COUNT", "0"}
	case 35:
		return []string{"LMOVE", key("l"), key("l"), []string{"LEFT", "RIGHT"}[r.IntN(2)], []string{"LEFT", "RIGHT"}[r.IntN(2)]}
	case 36:
		return []string{"RPOP", key("l"), strconv.Itoa(r.IntN(3))}
	case 37:
		return []string{"OBJECT", "ENCODING", []string{key("h"), key("s"), key("z"), key("l")}[r.IntN(4)]}
	case 38:
		return []string{"SORT", key("l"), "ALPHA", "LIMIT", "0", "5"}
	}
	switch r.IntN(3) {
	case 0:
		return []string{"ZREMRANGEBYLEX", key("lx"), lex(), lex()}
	case 1:
		return []string{"ZREVRANGEBYLEX", key("lx"), lex(), lex(), "LIMIT", "0", "4"}
	}
	return []string{"ZLEXCOUNT", key("lx"), lex(), lex()}
}
