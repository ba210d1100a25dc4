package server

import (
	"strings"
	"testing"

	"github.com/redisctl/redisctl/engine/resp"
)

// TestInfoValuesMatchRedis runs the same commands on the engine and on
// redis-server from a CONFIG RESETSTAT, and compares the INFO fields whose
// values follow from the commands alone (hits, misses, expiries, errors,
// subscriptions, watched keys, key counts).
func TestInfoValuesMatchRedis(t *testing.T) {
	refAddr, srv := startRedis(t), startServer(t)
	run := func(addr string) map[string]string {
		c, sub := dial(t, addr), dial(t, addr)
		c.do("FLUSHALL")
		c.do("CONFIG", "RESETSTAT")
		sub.send(resp.AppendCommandStrings(nil, "SUBSCRIBE", "a", "b"))
		sub.read()
		sub.read()
		sub.send(resp.AppendCommandStrings(nil, "PSUBSCRIBE", "p*"))
		sub.read()
		for _, cmd := range [][]string{
			{"SET", "k", "v"}, {"GET", "k"}, {"GET", "nokey"}, {"MGET", "k", "x", "y"},
			{"EXISTS", "k", "nokey"}, {"TYPE", "nokey"}, {"INCR", "k"}, {"NOSUCH"}, {"GET"},
			{"SET", "t", "v", "PX", "1"}, {"SET", "t2", "v", "EX", "100"}, {"WATCH", "k", "t2"},
			{"SELECT", "2"}, {"SET", "other", "v"}, {"SELECT", "0"}, {"DEBUG", "SLEEP", "0.01"},
			{"GET", "t"}, {"LPUSH", "k", "x"}, {"PUBLISH", "a", "m"}, {"CLIENT", "FOO"},
			{"MULTI"}, {"SET", "m", "1"}, {"GET"}, {"EXEC"}, {"MULTI"}, {"INCR", "m"}, {"EXEC"},
		} {
			c.do(cmd...)
		}
		info := c.do("INFO", "everything")
		m := map[string]string{}
		for _, line := range strings.Split(info, "\r\n") {
			if k, v, ok := strings.Cut(line, ":"); ok {
				m[k] = v
			}
		}
		return m
	}
	want, got := run(refAddr), run(srv.addr())
	// Per-command counts: calls, rejected_calls and failed_calls (not times).
	counts := func(stat string) string {
		var out []string
		for _, f := range strings.Split(stat, ",") {
			if !strings.HasPrefix(f, "usec") {
				out = append(out, f)
			}
		}
		return strings.Join(out, ",")
	}
	for k := range mergeKeys(want, got) {
		if strings.HasPrefix(k, "cmdstat_") && counts(want[k]) != counts(got[k]) {
			t.Errorf("INFO %s: redis %q, engine %q", k, want[k], got[k])
		}
	}
	for _, k := range []string{
		"keyspace_hits", "keyspace_misses", "expired_keys", "evicted_keys", "total_error_replies",
		"unexpected_error_replies", "errorstat_ERR", "errorstat_WRONGTYPE", "pubsub_channels",
		"pubsub_patterns", "pubsub_shardchannels", "connected_clients", "blocked_clients",
		"watching_clients", "total_watched_keys", "total_commands_processed", "db2",
	} {
		if want[k] != got[k] {
			t.Errorf("INFO %s: redis %q, engine %q", k, want[k], got[k])
		}
	}
}

func mergeKeys(a, b map[string]string) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}
