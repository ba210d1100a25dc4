package server

import (
	"sort"
	"strings"
	"testing"

	"github.com/redisctl/redisctl/engine/resp"
)

// volatileClientFields are CLIENT LIST fields whose values differ between
// two servers running the same clients (ids, ports, times, buffer sizes).
var volatileClientFields = map[string]bool{"id": true, "addr": true, "laddr": true, "fd": true, "age": true,
	"idle": true, "qbuf": true, "qbuf-free": true, "argv-mem": true, "multi-mem": true, "rbs": true, "rbp": true,
	"obl": true, "oll": true, "omem": true, "tot-mem": true}

// TestClientListMatchesRedis puts clients in different states (named, in
// another database, in MULTI with queued commands, subscribed to channels,
// patterns and shard channels, on RESP3, blocked) on the engine and on
// redis-server, and compares CLIENT LIST and CLIENT INFO field by field,
// except the fields that cannot match.
func TestClientListMatchesRedis(t *testing.T) {
	run := func(addr string) (list, info string) {
		c := func(cmds ...[]string) *rawConn {
			rc := dial(t, addr)
			for _, cmd := range cmds {
				rc.send(resp.AppendCommandStrings(nil, cmd...))
				if cmd[0] != "BLPOP" {
					rc.read()
				}
			}
			return rc
		}
		admin := c([]string{"CLIENT", "SETNAME", "admin"})
		c([]string{"SELECT", "3"}, []string{"CLIENT", "SETNAME", "one"}, []string{"MULTI"}, []string{"SET", "a", "b"}, []string{"GET", "a"})
		c([]string{"SUBSCRIBE", "a", "b"}, []string{"PSUBSCRIBE", "x*"})
		c([]string{"HELLO", "3"}, []string{"SSUBSCRIBE", "s"})
		c([]string{"WATCH", "k"}, []string{"CLIENT", "NO-EVICT", "on"})
		c([]string{"WATCH", "k"}, []string{"SET", "k", "v"})
		c([]string{"MONITOR"})
		c([]string{"BLPOP", "nolist", "0"})
		for i := 0; i < 100 && !strings.Contains(admin.do("CLIENT", "LIST"), "cmd=blpop"); i++ {
			admin.do("PING") // until the blocked client's command has run
		}
		return admin.do("CLIENT", "LIST"), admin.do("CLIENT", "INFO")
	}
	shape := func(s string) string {
		_, body, _ := strings.Cut(s, "\r\n")
		var lines []string
		for _, line := range strings.Split(strings.TrimSpace(body), "\n") {
			var kept []string
			for _, f := range strings.Fields(line) {
				if k, _, _ := strings.Cut(f, "="); !volatileClientFields[k] {
					kept = append(kept, f)
				}
			}
			lines = append(lines, strings.Join(kept, " "))
		}
		sort.Strings(lines) // Redis rotates its client list
		return strings.Join(lines, "\n")
	}
	wantList, wantInfo := run(startRedis(t))
	gotList, gotInfo := run(startServer(t).addr())
	if w, g := shape(wantList), shape(gotList); w != g {
		t.Errorf("CLIENT LIST:\nredis:\n%s\nengine:\n%s", w, g)
	}
	if w, g := shape(wantInfo), shape(gotInfo); w != g {
		t.Errorf("CLIENT INFO:\nredis:  %s\nengine: %s", w, g)
	}
}
