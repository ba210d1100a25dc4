package server

import (
	"bufio"
	"bytes"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/redisctl/redisctl/engine/resp"
)

// flatStrings parses an array or map reply of bulk strings.
func flatStrings(t *testing.T, b []byte) []string {
	t.Helper()
	r := bufio.NewReader(bytes.NewReader(b))
	head, _ := r.ReadString('\n')
	if head == "" || (head[0] != '*' && head[0] != '%') {
		t.Fatalf("not an aggregate: %q", b)
	}
	var out []string
	for {
		e, err := resp.ReadReply(r, nil)
		if err != nil {
			return out
		}
		s := string(e)
		if strings.HasPrefix(s, "$") {
			_, s, _ = strings.Cut(s, "\r\n")
			s = strings.TrimSuffix(s, "\r\n")
		}
		out = append(out, s)
	}
}

// TestConfigMatchesRedis compares CONFIG GET * of the engine and of a
// default redis-server: the same parameters with the same defaults, except
// those a test start sets differently.
func TestConfigMatchesRedis(t *testing.T) {
	ref, eng := dial(t, startRedis(t)), dial(t, startServer(t).addr())
	get := func(c *rawConn) map[string]string {
		c.send(resp.AppendCommandStrings(nil, "CONFIG", "GET", "*"))
		b, err := c.read()
		if err != nil {
			t.Fatal(err)
		}
		f := flatStrings(t, b)
		m := map[string]string{}
		for i := 0; i+1 < len(f); i += 2 {
			m[f[i]] = f[i+1]
		}
		return m
	}
	want, got := get(ref), get(eng)
	skip := map[string]bool{"port": true, "dir": true, "logfile": true, "bind": true, "save": true, "appendonly": true, "daemonize": true}
	var diffs []string
	for k, v := range want {
		if skip[k] {
			continue
		}
		if g, ok := got[k]; !ok {
			diffs = append(diffs, k+": missing")
		} else if g != v {
			diffs = append(diffs, k+": engine "+g+", redis "+v)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			diffs = append(diffs, k+": not in redis")
		}
	}
	sort.Strings(diffs)
	if len(diffs) > 0 {
		t.Errorf("CONFIG GET * differs:\n%s", strings.Join(diffs, "\n"))
	}
}

// engineOnlyInfoFields are INFO fields the engine adds about its Go
// runtime; parsers of INFO ignore fields they do not know.
var engineOnlyInfoFields = map[string]bool{"engine": true, "go_version": true, "gc_cycles": true, "gc_heap_goal": true}

// TestInfoFieldsMatchRedis runs INFO with every section argument on the
// engine and on redis-server after the same commands, and compares the
// sections in order and, in each, the field names in order (the per-command,
// per-error and per-database fields, which Redis lists in hash order, as
// sets). Values differ (times, sizes, pids) and are not compared.
func TestInfoFieldsMatchRedis(t *testing.T) {
	ref, eng := dial(t, startRedis(t)), dial(t, startServer(t).addr())
	for _, c := range []*rawConn{ref, eng} {
		c.do("SET", "k", "v")
		c.do("SET", "t", "v", "EX", "100")
		c.do("INCR", "k")
		c.do("SELECT", "3")
		c.do("SET", "k", "v")
		c.do("SELECT", "0")
	}
	for _, args := range [][]string{
		{}, {"default"}, {"all"}, {"everything"}, {"server"}, {"clients"}, {"memory"},
		{"persistence"}, {"stats"}, {"replication"}, {"cpu"}, {"modules"}, {"keyspace"},
		{"errorstats"}, {"commandstats"}, {"latencystats"}, {"server", "clients"},
		{"SERVER", "Keyspace"}, {"nosuch"}, {"keyspace", "keyspace"}, {"everything", "server"},
		{"all", "modules"}, {"default", "commandstats"},
	} {
		info := func(c *rawConn) string {
			c.send(resp.AppendCommandStrings(nil, append([]string{"INFO"}, args...)...))
			b, err := c.read()
			if err != nil {
				t.Fatal(err)
			}
			return infoShape(string(b))
		}
		if want, got := info(ref), info(eng); want != got {
			t.Errorf("INFO %v:\n  redis:  %s\n  engine: %s", args, want, got)
		}
	}
}

// infoShape renders an INFO reply as its section headers and field names.
func infoShape(reply string) string {
	_, body, _ := strings.Cut(reply, "\r\n")
	var out []string
	var dynamic []string // fields listed in hash order, sorted per section
	flush := func() {
		sort.Strings(dynamic)
		out = append(out, dynamic...)
		dynamic = nil
	}
	for _, line := range strings.Split(body, "\r\n") {
		if strings.HasPrefix(line, "# ") {
			flush()
			out = append(out, "["+line[2:]+"]")
			continue
		}
		k, _, ok := strings.Cut(line, ":")
		switch {
		case !ok || engineOnlyInfoFields[k]:
		case strings.HasPrefix(k, "cmdstat_") || strings.HasPrefix(k, "errorstat_") ||
			strings.HasPrefix(k, "latency_percentiles_usec_"):
			dynamic = append(dynamic, k)
		default:
			out = append(out, k)
		}
	}
	flush()
	return strings.Join(out, " ")
}

// TestScanMatchesRedis runs complete SCAN iterations with MATCH, COUNT and
// TYPE on the engine and on redis-server over the same keys and compares
// the sets of keys returned (cursors differ by design).
func TestScanMatchesRedis(t *testing.T) {
	ref, eng := dial(t, startRedis(t)), dial(t, startServer(t).addr())
	for _, c := range []*rawConn{ref, eng} {
		var b []byte
		for i := 0; i < 3000; i++ {
			b = resp.AppendCommandStrings(b, "SET", "user:"+itoa(int64(i)), "v")
		}
		for i := 0; i < 200; i++ {
			b = resp.AppendCommandStrings(b, "PFADD", "hll:"+itoa(int64(i)), "x")
			b = resp.AppendCommandStrings(b, "SET", "tmp:"+itoa(int64(i)), "v", "PX", "1")
		}
		c.send(b)
		for i := 0; i < 3400; i++ {
			if _, err := c.read(); err != nil {
				t.Fatal(err)
			}
		}
	}
	time.Sleep(20 * time.Millisecond) // tmp:* expire
	scanAll := func(c *rawConn, opts ...string) []string {
		seen := map[string]bool{}
		cursor := "0"
		for {
			c.send(resp.AppendCommandStrings(nil, append([]string{"SCAN", cursor}, opts...)...))
			b, err := c.read()
			if err != nil {
				t.Fatal(err)
			}
			r := bufio.NewReader(bytes.NewReader(b))
			r.ReadString('\n')
			cur, _ := resp.ReadReply(r, nil)
			_, next, _ := strings.Cut(string(cur), "\r\n")
			cursor = strings.TrimSuffix(next, "\r\n")
			keys, _ := resp.ReadReply(r, nil)
			for _, k := range flatStrings(t, keys) {
				seen[k] = true
			}
			if cursor == "0" {
				break
			}
		}
		out := make([]string, 0, len(seen))
		for k := range seen {
			out = append(out, k)
		}
		sort.Strings(out)
		return out
	}
	for _, opts := range [][]string{
		nil,
		{"COUNT", "1000"},
		{"MATCH", "user:1*"},
		{"MATCH", "user:[12]?", "COUNT", "7"},
		{"TYPE", "string"},
		{"TYPE", "STRING", "MATCH", "hll:*"},
		{"MATCH", "tmp:*"},
		{"TYPE", "nosuchtype"},
	} {
		want, got := scanAll(ref, opts...), scanAll(eng, opts...)
		if strings.Join(want, ",") != strings.Join(got, ",") {
			t.Errorf("SCAN %v: redis %d keys, engine %d keys", opts, len(want), len(got))
		}
	}
}

// TestArityErrorsMatchRedis sends every command (and subcommand) the
// engine has with one argument too few, and fixed-arity ones with one too
// many, to the engine and to redis-server, and compares the errors.
func TestArityErrorsMatchRedis(t *testing.T) {
	srv := startServer(t)
	ref, eng := dial(t, startRedis(t)), dial(t, srv.addr())
	checked := 0
	for _, cmd := range srv.cmds.all {
		name := []string{cmd.Name}
		if cmd.parent != nil {
			name = []string{cmd.parent.Name, cmd.Name}
		}
		arity := cmd.Arity
		if arity == -1 {
			continue // any argument count is valid
		}
		var cases [][]string
		need := arity
		if need < 0 {
			need = -need
		}
		if need-1 >= len(name) {
			cases = append(cases, append(append([]string(nil), name...), repeatArg(need-1-len(name))...))
		}
		if arity > 0 {
			cases = append(cases, append(append([]string(nil), name...), repeatArg(arity+1-len(name))...))
		}
		for _, args := range cases {
			ref.send(resp.AppendCommandStrings(nil, args...))
			eng.send(resp.AppendCommandStrings(nil, args...))
			want, err1 := ref.read()
			got, err2 := eng.read()
			if err1 != nil || err2 != nil {
				t.Fatalf("%q: %v %v", args, err1, err2)
			}
			checked++
			if os.Getenv("ARITY_DEBUG") != "" {
				t.Logf("%q -> %q", args, want)
			}
			if string(want) != string(got) {
				t.Errorf("%q\n  redis:  %q\n  engine: %q", args, want, got)
			}
		}
	}
	if checked < 100 {
		t.Fatalf("only %d cases checked", checked)
	}
}

func repeatArg(n int) []string {
	out := make([]string, max(n, 0))
	for i := range out {
		out[i] = "x"
	}
	return out
}
