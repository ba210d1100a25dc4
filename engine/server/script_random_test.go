package server

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/redisctl/redisctl/engine/resp"
)

// TestLuaTablesRandomDifferential runs random Lua table workloads
// (assignments and removals with string, integer, float and boolean
// keys, constructors, the table library) on the engine and on
// redis-server and compares what the scripts see: traversal order, the
// length operator, sort results and cjson/cmsgpack encodings.
func TestLuaTablesRandomDifferential(t *testing.T) {
	if testing.Short() {
		t.Skip("slow: hundreds of scripts against two servers")
	}
	ref, eng := dial(t, startRedis(t)), dial(t, startServer(t).addr())
	r := rand.New(rand.NewPCG(5, 11))
	for i := 0; i < 600; i++ {
		script := randomTableScript(r)
		ref.send(resp.AppendCommandStrings(nil, "EVAL", script, "0"))
		eng.send(resp.AppendCommandStrings(nil, "EVAL", script, "0"))
		want := readOrFail(t, ref, script, "redis")
		got := readOrFail(t, eng, script, "engine")
		if string(want) != string(got) {
			t.Fatalf("script %d:\n%s\n  redis:  %q\n  engine: %q", i, script, want, got)
		}
	}
}

func randomTableScript(r *rand.Rand) string {
	key := func() string {
		switch r.IntN(9) {
		case 0, 1, 2:
			return strconv.Quote("k" + strconv.Itoa(r.IntN(30)))
		case 3:
			return strconv.Quote(strings.Repeat("long", 1+r.IntN(12)) + strconv.Itoa(r.IntN(5)))
		case 4, 5:
			return strconv.Itoa(1 + r.IntN(40))
		case 6:
			return strconv.Itoa(r.IntN(2000) - 1000)
		case 7:
			return []string{fmt.Sprintf("%d.5", r.IntN(20)), "0.1", "-0", "2^31", "2^53", "-2^40", "1e300", strconv.Quote(strconv.Itoa(r.IntN(9)))}[r.IntN(8)]
		}
		return []string{"true", "false"}[r.IntN(2)]
	}
	var b strings.Builder
	switch r.IntN(5) {
	case 0:
		b.WriteString("local t = {}\n")
	case 3:
		fmt.Fprintf(&b, "local t = {%s}\n", strings.TrimSuffix(strings.Repeat("7,", 40+r.IntN(40)), ","))
	case 4:
		fmt.Fprintf(&b, "local function f() return %s end\nlocal t = {x = 1, f()}\n", strings.TrimSuffix(strings.Repeat("1,", 1+r.IntN(20)), ","))
	case 1:
		fmt.Fprintf(&b, "local t = {%s}\n", strings.Repeat("0,", r.IntN(6)))
	default:
		var fields []string
		for j := r.IntN(8); j > 0; j-- {
			if r.IntN(2) == 0 {
				fields = append(fields, strconv.Itoa(r.IntN(9)))
			} else {
				fields = append(fields, "["+key()+"]="+strconv.Itoa(r.IntN(9)))
			}
		}
		fmt.Fprintf(&b, "local t = {%s}\n", strings.Join(fields, ", "))
	}
	for j := 5 + r.IntN(60); j > 0; j-- {
		switch r.IntN(10) {
		case 0, 1:
			fmt.Fprintf(&b, "t[%s] = nil\n", key())
		case 2:
			fmt.Fprintf(&b, "t[#t + 1] = %d\n", r.IntN(9))
		case 3:
			if r.IntN(2) == 0 {
				fmt.Fprintf(&b, "table.insert(t, %d)\n", r.IntN(9))
			} else {
				fmt.Fprintf(&b, "table.remove(t%s)\n", []string{"", ", 1", ", 2"}[r.IntN(3)])
			}
		case 4:
			if r.IntN(2) == 0 {
				fmt.Fprintf(&b, "for i = 1, %d do t['loop' .. i] = i end\n", r.IntN(20))
			} else {
				fmt.Fprintf(&b, "table.insert(t, %d, %d)\n", 1+r.IntN(6), r.IntN(9))
			}
		default:
			fmt.Fprintf(&b, "t[%s] = %d\n", key(), r.IntN(100))
		}
	}
	switch r.IntN(4) {
	case 0:
		b.WriteString("local o = {#t}\nfor k, v in pairs(t) do o[#o + 1] = tostring(k) .. '=' .. tostring(v) end\nreturn o")
	case 1:
		b.WriteString("local s = {}\nfor k, v in pairs(t) do if type(k) == 'string' then s[k] = v end end\nreturn cjson.encode(s)")
	case 2:
		b.WriteString("local a = {}\nfor k, v in pairs(t) do a[#a + 1] = {k = tostring(k), v = v % 3} end\n" +
			"table.sort(a, function(x, y) return x.v < y.v end)\nlocal o = {}\nfor i = 1, #a do o[i] = a[i].k end\nreturn o")
	default:
		b.WriteString("local s = {}\nfor k, v in pairs(t) do if type(k) == 'string' then s[k] = v end end\nreturn cmsgpack.pack(s)")
	}
	return b.String()
}
