package resp

import (
	"bufio"
	"bytes"
	"math"
	"strconv"
	"testing"
)

func TestWriters(t *testing.T) {
	tests := []struct {
		got, want string
	}{
		{string(AppendSimple(nil, "OK")), "+OK\r\n"},
		{string(AppendError(nil, "ERR a\r\nb")), "-ERR a  b\r\n"},
		{string(AppendInt(nil, -42)), ":-42\r\n"},
		{string(AppendBulk(nil, []byte("hi"))), "$2\r\nhi\r\n"},
		{string(AppendBulkString(nil, "")), "$0\r\n\r\n"},
		{string(AppendBulkInt(nil, 123)), "$3\r\n123\r\n"},
		{string(AppendArrayLen(nil, 3)), "*3\r\n"},
		{string(AppendNullBulk(nil)), "$-1\r\n"},
		{string(AppendNullArray(nil)), "*-1\r\n"},
		{string(AppendNull(nil)), "_\r\n"},
		{string(AppendMapLen(nil, 2)), "%2\r\n"},
		{string(AppendSetLen(nil, 2)), "~2\r\n"},
		{string(AppendPushLen(nil, 3)), ">3\r\n"},
		{string(AppendBool(nil, true)), "#t\r\n"},
		{string(AppendDouble(nil, 1.5)), ",1.5\r\n"},
		{string(AppendDouble(nil, 0.1)), ",0.10000000000000001\r\n"},
		{string(AppendDouble(nil, math.Inf(-1))), ",-inf\r\n"},
		{string(AppendFloat(nil, 1e20)), "1e+20"},
		{string(AppendVerbatim(nil, "txt", []byte("abc"))), "=7\r\ntxt:abc\r\n"},
		{string(AppendCommandStrings(nil, "SET", "k", "v")), "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

func TestWritersDoNotAllocate(t *testing.T) {
	buf := make([]byte, 0, 1024)
	val := []byte("value")
	allocs := testing.AllocsPerRun(100, func() {
		b := AppendArrayLen(buf[:0], 3)
		b = AppendBulk(b, val)
		b = AppendInt(b, 12345)
		b = AppendBulkInt(b, -7)
		b = AppendDouble(b, 3.25)
		_ = AppendSimple(b, "OK")
	})
	if allocs != 0 {
		t.Fatalf("writers allocated %.1f times per run", allocs)
	}
}

func TestReadReply(t *testing.T) {
	in := "+OK\r\n*2\r\n$1\r\na\r\n%1\r\n:1\r\n_\r\n$-1\r\n=7\r\ntxt:abc\r\n|1\r\n+k\r\n+v\r\n:5\r\n"
	r := bufio.NewReader(bytes.NewBufferString(in))
	var got []string
	for {
		b, err := ReadReply(r, nil)
		if err != nil {
			break
		}
		got = append(got, string(b))
	}
	want := []string{"+OK\r\n", "*2\r\n$1\r\na\r\n%1\r\n:1\r\n_\r\n", "$-1\r\n", "=7\r\ntxt:abc\r\n", "|1\r\n+k\r\n+v\r\n:5\r\n"}
	if len(got) != len(want) {
		t.Fatalf("got %q", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("reply %d = %q, want %q", i, got[i], want[i])
		}
	}
	if _, err := ReadReply(bufio.NewReader(bytes.NewBufferString("?x\r\n")), nil); err == nil {
		t.Fatal("malformed reply accepted")
	}
}

func TestAppendFloatIntegralFastPath(t *testing.T) {
	for _, f := range []float64{0, 1, -1, 42, 1e16, 99999999999999984, -99999999999999984, 1e17, 123456789012345678, 0.5, -0.0, 4503599627370496.5} {
		want := strconv.AppendFloat(nil, f, 'g', 17, 64)
		if got := AppendFloat(nil, f); string(got) != string(want) {
			t.Errorf("AppendFloat(%v) = %q, want %q", f, got, want)
		}
	}
}
