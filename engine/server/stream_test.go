package server

import (
	"bytes"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

// parseTree turns one raw reply into nested []any / string values, with
// errors as "ERR:..." and nulls as nil, so tests can mask fields.
func parseTree(b []byte) (any, []byte) {
	i := bytes.Index(b, []byte("\r\n"))
	line, rest := string(b[1:i]), b[i+2:]
	switch b[0] {
	case '+', ':', ',', '#', '(':
		return line, rest
	case '-':
		return "ERR:" + line, rest
	case '_':
		return nil, rest
	case '$', '=', '!':
		n, _ := strconv.Atoi(line)
		if n < 0 {
			return nil, rest
		}
		return string(rest[:n]), rest[n+2:]
	case '*', '~', '>', '%', '|':
		n, _ := strconv.Atoi(line)
		if n < 0 {
			return nil, rest
		}
		if b[0] == '%' || b[0] == '|' {
			n *= 2
		}
		out := []any{}
		for j := 0; j < n; j++ {
			var v any
			v, rest = parseTree(rest)
			out = append(out, v)
		}
		return out, rest
	}
	panic(fmt.Sprintf("bad reply %q", b))
}

func (c *rawConn) tree(args ...string) any {
	c.t.Helper()
	v, _ := parseTree([]byte(c.do(args...)))
	return v
}

// maskAfter replaces, anywhere in v, the value following each of the
// given field names (map keys in flat arrays) with "*".
func maskAfter(v any, names ...string) any {
	l, ok := v.([]any)
	if !ok {
		return v
	}
	out := make([]any, len(l))
	for i, e := range l {
		out[i] = maskAfter(e, names...)
		if i > 0 {
			if s, ok := l[i-1].(string); ok {
				for _, n := range names {
					if s == n {
						out[i] = "*"
					}
				}
			}
		}
	}
	return out
}

// maskIndex replaces element i of every array of length n with "*".
func maskIndex(v any, n, i int) any {
	l, ok := v.([]any)
	if !ok {
		return v
	}
	out := make([]any, len(l))
	for j, e := range l {
		out[j] = maskIndex(e, n, i)
	}
	if len(l) == n {
		out[i] = "*"
	}
	return out
}

// TestStreamTimesDifferential compares the stream replies that carry
// clock readings (idle times, delivery and seen times) with those fields
// masked, and checks that they are sane.
func TestStreamTimesDifferential(t *testing.T) {
	redisAddr := startRedis(t)
	srv := startServer(t)
	ref, eng := dial(t, redisAddr), dial(t, srv.addr())
	script := []string{
		"XADD s 1-1 a 1", "XADD s 1-2 b 2", "XADD s 1-3 c 3",
		"XGROUP CREATE s g 0", "XREADGROUP GROUP g alice COUNT 2 STREAMS s >",
		"XREADGROUP GROUP g bob STREAMS s >", "XCLAIM s g carol 0 1-1 FORCE",
		"XCLAIM s g dave 0 1-2 FORCE JUSTID", "XCLAIM s g dave 0 1-3 RETRYCOUNT 9 JUSTID",
		"XREADGROUP GROUP g alice STREAMS s 0", "XDEL s 1-2",
	}
	for _, conn := range []*rawConn{ref, eng} {
		conn.do("FLUSHALL")
		for _, l := range script {
			conn.do(strings.Fields(l)...)
		}
	}
	checks := []struct {
		cmd  string
		mask func(any) any
	}{
		{"XPENDING s g - + 10", func(v any) any { return maskIndex(v, 4, 2) }},
		{"XPENDING s g - + 10 dave", func(v any) any { return maskIndex(v, 4, 2) }},
		{"XINFO CONSUMERS s g", func(v any) any { return maskAfter(v, "idle") }},
		{"XINFO STREAM s FULL", func(v any) any {
			return maskIndex(maskIndex(maskAfter(v, "seen-time"), 4, 2), 3, 1)
		}},
		{"XAUTOCLAIM s g erin 0 - COUNT 10", func(v any) any { return v }},
		{"XPENDING s g - + 10 erin", func(v any) any { return maskIndex(v, 4, 2) }},
	}
	for _, ch := range checks {
		args := strings.Fields(ch.cmd)
		want, got := ch.mask(ref.tree(args...)), ch.mask(eng.tree(args...))
		if !reflect.DeepEqual(want, got) {
			t.Errorf("%s:\n redis:  %v\n engine: %v", ch.cmd, want, got)
		}
	}
	// The masked idle times are small and the delivery times recent.
	for _, row := range eng.tree("XPENDING", "s", "g", "-", "+", "10").([]any) {
		idle, _ := strconv.Atoi(row.([]any)[2].(string))
		if idle < 0 || idle > 60000 {
			t.Errorf("idle time %d out of range", idle)
		}
	}
}

// TestStreamSeenTimeDifferential checks which commands refresh a
// consumer's seen time (XINFO CONSUMERS idle) and the delivery times
// XCLAIM's IDLE and TIME set, on the engine and on redis-server: after a
// pause, each command either resets the idle time or leaves it past the
// pause, and both servers must agree.
func TestStreamSeenTimeDifferential(t *testing.T) {
	if testing.Short() {
		t.Skip("pauses between commands")
	}
	redisAddr := startRedis(t)
	srv := startServer(t)
	ref, eng := dial(t, redisAddr), dial(t, srv.addr())
	for _, conn := range []*rawConn{ref, eng} {
		conn.do("FLUSHALL")
		for _, l := range []string{"XADD s 1-1 a 1", "XADD s 1-2 b 2", "XGROUP CREATE s g 0",
			"XREADGROUP GROUP g alice COUNT 1 STREAMS s >", "XGROUP CREATECONSUMER s g bob"} {
			conn.do(strings.Fields(l)...)
		}
	}
	const pause = 100 // ms
	probes := []string{
		"XREADGROUP GROUP g alice STREAMS s 0",
		"XREADGROUP GROUP g alice STREAMS s >",
		"XREADGROUP GROUP g alice STREAMS s >",
		"XPENDING s g - + 10 alice",
		"XGROUP CREATECONSUMER s g alice",
		"XCLAIM s g alice 999999 1-1",
		"XCLAIM s g alice 0 9-9",
		"XAUTOCLAIM s g alice 999999 0",
		"XAUTOCLAIM s g alice 0 0",
		"XACK s g 1-2",
		"XREADGROUP GROUP g alice NOACK STREAMS s 0",
	}
	// idle reports, per consumer, whether its idle time passed the pause.
	idle := func(c *rawConn) string {
		var out []string
		for _, cons := range c.tree("XINFO", "CONSUMERS", "s", "g").([]any) {
			f := cons.([]any)
			ms, _ := strconv.Atoi(f[5].(string))
			out = append(out, fmt.Sprintf("%s:%v", f[1], ms >= pause))
		}
		return strings.Join(out, " ")
	}
	for _, p := range probes {
		time.Sleep(pause * time.Millisecond)
		for _, conn := range []*rawConn{ref, eng} {
			conn.do(strings.Fields(p)...)
		}
		if want, got := idle(ref), idle(eng); want != got {
			t.Errorf("after %s: idle past %d ms:\n redis:  %s\n engine: %s", p, pause, want, got)
		}
	}
	// XCLAIM IDLE and TIME set the delivery time: XPENDING's idle.
	for _, conn := range []*rawConn{ref, eng} {
		conn.do("XADD", "s", "2-1", "c", "3")
		conn.do("XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", ">")
		conn.do("XCLAIM", "s", "g", "bob", "0", "1-1", "IDLE", "5000", "JUSTID")
		conn.do("XCLAIM", "s", "g", "bob", "0", "2-1", "TIME", "1000", "JUSTID")
	}
	pending := func(c *rawConn) string {
		var out []string
		for _, row := range c.tree("XPENDING", "s", "g", "-", "+", "10").([]any) {
			f := row.([]any)
			ms, _ := strconv.ParseInt(f[2].(string), 10, 64)
			out = append(out, fmt.Sprintf("%s:%d", f[0], min(ms/5000, 2)))
		}
		return strings.Join(out, " ")
	}
	if want, got := pending(ref), pending(eng); want != got {
		t.Errorf("XCLAIM IDLE/TIME: idle in units of 5 s, capped at 2:\n redis:  %s\n engine: %s", want, got)
	}
}
