package server

import (
	"math/rand/v2"
	"strconv"
	"testing"
)

// TestStreamsRandomDifferential sends the same random stream of stream
// and consumer group commands to the engine and to redis-server and
// compares every reply (idle times masked). Small nodes make trimming
// and deletion cross node boundaries often; IDs are explicit and small so
// that many are rejected, ranges overlap and groups fall behind.
func TestStreamsRandomDifferential(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: thousands of commands against two servers")
	}
	masked := func(want, got []byte) bool { return maskDigits(want) == maskDigits(got) }
	randomDifferential(t, []string{"stream-node-max-entries", "4"}, 6, 7,
		func(r *rand.Rand) ([]string, func(want, got []byte) bool) {
			cmd, clock := randomStreamCommand(r)
			if clock {
				return cmd, masked
			}
			return cmd, nil
		},
		func(ref, eng *rawConn) {
			for _, k := range []string{"s0", "s1"} {
				t.Logf("XINFO STREAM %s\n  redis:  %q\n  engine: %q", k, ref.do("XINFO", "STREAM", k), eng.do("XINFO", "STREAM", k))
			}
		})
}

// randomStreamCommand returns a command and whether its reply carries
// clock readings (compared with digits masked).
func randomStreamCommand(r *rand.Rand) ([]string, bool) {
	key := "s" + strconv.Itoa(r.IntN(2))
	group := "g" + strconv.Itoa(r.IntN(2))
	consumer := "c" + strconv.Itoa(r.IntN(3))
	id := func() string {
		switch r.IntN(8) {
		case 0:
			return "-"
		case 1:
			return "+"
		case 2:
			return strconv.Itoa(r.IntN(60))
		case 3:
			return "(" + strconv.Itoa(r.IntN(60)) + "-" + strconv.Itoa(r.IntN(3))
		}
		return strconv.Itoa(r.IntN(60)) + "-" + strconv.Itoa(r.IntN(3))
	}
	exact := func() string { return strconv.Itoa(r.IntN(60)) + "-" + strconv.Itoa(r.IntN(3)) }
	count := func(cmd []string) []string {
		if r.IntN(2) == 0 {
			return append(cmd, "COUNT", strconv.Itoa(r.IntN(6)))
		}
		return cmd
	}
	trim := func(cmd []string) []string {
		strategy := []string{"MAXLEN", "MINID"}[r.IntN(2)]
		cmd = append(cmd, strategy)
		approx := r.IntN(3)
		if approx == 1 {
			cmd = append(cmd, "~")
		} else if approx == 2 {
			cmd = append(cmd, "=")
		}
		if strategy == "MAXLEN" {
			cmd = append(cmd, strconv.Itoa(r.IntN(12)))
		} else {
			cmd = append(cmd, exact())
		}
		if approx == 1 && r.IntN(3) == 0 {
			cmd = append(cmd, "LIMIT", strconv.Itoa(r.IntN(10)))
		}
		return cmd
	}
	switch n := r.IntN(100); {
	case n < 28:
		cmd := []string{"XADD", key}
		if r.IntN(6) == 0 {
			cmd = append(cmd, "NOMKSTREAM")
		}
		if r.IntN(5) == 0 {
			cmd = trim(cmd)
		}
		next := exact()
		if r.IntN(4) == 0 {
			next = strconv.Itoa(r.IntN(60)) + "-*"
		}
		return append(cmd, next, "f", strconv.Itoa(r.IntN(100))), false
	case n < 32:
		cmd := []string{"XDEL", key}
		for j := r.IntN(3); j >= 0; j-- {
			cmd = append(cmd, exact())
		}
		return cmd, false
	case n < 36:
		return trim([]string{"XTRIM", key}), false
	case n < 42:
		return count([]string{"XRANGE", key, id(), id()}), false
	case n < 45:
		return count([]string{"XREVRANGE", key, id(), id()}), false
	case n < 47:
		return []string{"XLEN", key}, false
	case n < 50:
		return append(count([]string{"XREAD"}), "STREAMS", key, id()), false
	case n < 53:
		cmd := []string{"XREAD"}
		cmd = count(cmd)
		return append(cmd, "STREAMS", "s0", "s1", exact(), exact()), false
	case n < 56:
		cmd := []string{"XGROUP", "CREATE", key, group, []string{"0", "$", exact()}[r.IntN(3)]}
		if r.IntN(3) == 0 {
			cmd = append(cmd, "MKSTREAM")
		}
		if r.IntN(4) == 0 {
			cmd = append(cmd, "ENTRIESREAD", strconv.Itoa(r.IntN(10)))
		}
		return cmd, false
	case n < 58:
		cmd := []string{"XGROUP", "SETID", key, group, []string{"0", "$", exact()}[r.IntN(3)]}
		if r.IntN(3) == 0 {
			cmd = append(cmd, "ENTRIESREAD", strconv.Itoa(r.IntN(10)))
		}
		return cmd, false
	case n < 59:
		return []string{"XGROUP", "DESTROY", key, group}, false
	case n < 60:
		return []string{"XGROUP", []string{"CREATECONSUMER", "DELCONSUMER"}[r.IntN(2)], key, group, consumer}, false
	case n < 70:
		cmd := []string{"XREADGROUP", "GROUP", group, consumer}
		cmd = count(cmd)
		if r.IntN(5) == 0 {
			cmd = append(cmd, "NOACK")
		}
		start := ">"
		if r.IntN(4) == 0 {
			start = []string{"0", exact()}[r.IntN(2)]
		}
		return append(cmd, "STREAMS", key, start), false
	case n < 76:
		cmd := []string{"XACK", key, group}
		for j := r.IntN(3); j >= 0; j-- {
			cmd = append(cmd, exact())
		}
		return cmd, false
	case n < 80:
		cmd := []string{"XCLAIM", key, group, consumer, "0"}
		for j := r.IntN(3); j >= 0; j-- {
			cmd = append(cmd, exact())
		}
		for _, opt := range []string{"FORCE", "JUSTID"} {
			if r.IntN(3) == 0 {
				cmd = append(cmd, opt)
			}
		}
		if r.IntN(4) == 0 {
			cmd = append(cmd, "RETRYCOUNT", strconv.Itoa(r.IntN(5)))
		}
		if r.IntN(4) == 0 {
			cmd = append(cmd, "LASTID", exact())
		}
		return cmd, false
	case n < 84:
		cmd := []string{"XAUTOCLAIM", key, group, consumer, "0", id()}
		if r.IntN(2) == 0 {
			cmd = append(cmd, "COUNT", strconv.Itoa(1+r.IntN(4)))
		}
		if r.IntN(3) == 0 {
			cmd = append(cmd, "JUSTID")
		}
		return cmd, false
	case n < 88:
		return []string{"XPENDING", key, group}, false
	case n < 91:
		cmd := []string{"XPENDING", key, group, id(), id(), strconv.Itoa(r.IntN(6))}
		if r.IntN(2) == 0 {
			cmd = append(cmd, consumer)
		}
		return cmd, true
	case n < 94:
		return []string{"XINFO", "STREAM", key}, false
	case n < 97:
		return []string{"XINFO", "GROUPS", key}, false
	case n < 98:
		return []string{"XINFO", "CONSUMERS", key, group}, true
	case n < 99:
		return []string{"XINFO", "STREAM", key, "FULL", "COUNT", strconv.Itoa(r.IntN(4))}, true
	}
	cmd := []string{"XSETID", key, exact()}
	if r.IntN(3) == 0 {
		cmd = append(cmd, "ENTRIESADDED", strconv.Itoa(r.IntN(30)), "MAXDELETEDID", exact())
	}
	return cmd, false
}
