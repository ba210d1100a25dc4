package resp

import (
	"strings"
	"testing"
)

func parseAll(t *testing.T, in string) (cmds [][]string, perr string) {
	t.Helper()
	var p Parser
	buf := []byte(in)
	var argv [][]byte
	for len(buf) > 0 {
		args, n, err := p.Next(buf, argv)
		if err != nil {
			return cmds, err.Error()
		}
		if n == 0 {
			return cmds, "incomplete"
		}
		var c []string
		for _, a := range args {
			c = append(c, string(a))
		}
		if len(c) > 0 {
			cmds = append(cmds, c)
		}
		buf = buf[n:]
	}
	return cmds, ""
}

func TestParserRequests(t *testing.T) {
	tests := []struct {
		in   string
		want string // commands joined by ";" and arguments by ","
		err  string
	}{
		{in: "*1\r\n$4\r\nPING\r\n", want: "PING"},
		{in: "*3\r\n$3\r\nset\r\n$1\r\na\r\n$0\r\n\r\n", want: "set,a,"},
		{in: "*2\r\n$4\r\necho\r\n$0\r\n\r\n*1\r\n$4\r\nping\r\n", want: "echo,;ping"},
		{in: "*0\r\n*-1\r\n*1\r\n$4\r\nping\r\n", want: "ping"},
		{in: "*1\r\n$4\r\nPINGxxPING\r\n", want: "PING;PING"},
		{in: "ping\r\n\r\n\nPING\n", want: "ping;PING"},
		{in: `set "a b" 'c\'d' "\x41\n"` + "\r\n", want: "set,a b,c'd,A\n"},
		{in: `echo a"b c" d` + "\n", want: "echo,ab c,d"},
		{in: "echo a\x00b\r\n", want: "echo,a"},
		{in: "*abc\r\n", err: "Protocol error: invalid multibulk length"},
		{in: "*99999999999\r\n", err: "Protocol error: invalid multibulk length"},
		{in: "*1\r\n$-1\r\n", err: "Protocol error: invalid bulk length"},
		{in: "*1\r\n$abc\r\n", err: "Protocol error: invalid bulk length"},
		{in: "*1\r\nx\r\n", err: "Protocol error: expected '$', got 'x'"},
		{in: `set "a b` + "\r\n", err: "Protocol error: unbalanced quotes in request"},
		{in: `echo "a"b` + "\r\n", err: "Protocol error: unbalanced quotes in request"},
		{in: "*1\r\n$3\r\nabc", err: "incomplete"},
		{in: "*1\r\nx", err: "incomplete"},
		{in: "*1\r", err: "incomplete"},
		{in: "ping", err: "incomplete"},
		{in: strings.Repeat("a", InlineMax+1), err: "Protocol error: too big inline request"},
		{in: "*" + strings.Repeat("1", InlineMax+1), err: "Protocol error: too big mbulk count string"},
		{in: "*1\r\n$" + strings.Repeat("1", InlineMax+1), err: "Protocol error: too big bulk count string"},
	}
	for _, tt := range tests {
		cmds, err := parseAll(t, tt.in)
		var got []string
		for _, c := range cmds {
			got = append(got, strings.Join(c, ","))
		}
		if err != tt.err || strings.Join(got, ";") != tt.want {
			t.Errorf("parse %q = %q, %q; want %q, %q", tt.in, strings.Join(got, ";"), err, tt.want, tt.err)
		}
	}
}

func TestParserMaxBulkLen(t *testing.T) {
	p := Parser{MaxBulkLen: 10}
	_, _, err := p.Next([]byte("*1\r\n$11\r\n"), nil)
	if err == nil || err.Error() != "Protocol error: invalid bulk length" {
		t.Fatalf("err = %v", err)
	}
	_, n, err := p.Next([]byte("*1\r\n$10\r\n0123456789\r\n"), nil)
	if err != nil || n != 21 {
		t.Fatalf("n, err = %d, %v", n, err)
	}
}

// TestParserUnauthenticated checks the limits for a client that must
// still authenticate, including when the count arrives a byte at a time
// (the general path) and at the boundaries.
func TestParserUnauthenticated(t *testing.T) {
	tests := []struct{ in, err string }{
		{"*11\r\n", "Protocol error: unauthenticated multibulk length"},
		{"*10\r\n" + strings.Repeat("$1\r\na\r\n", 10), ""},
		{"*1\r\n$16385\r\n", "Protocol error: unauthenticated bulk length"},
		{"*1\r\n$16384\r\n" + strings.Repeat("x", 16384) + "\r\n", ""},
		{"*1\r\n$abc\r\n", "Protocol error: invalid bulk length"},
	}
	for _, tt := range tests {
		for _, step := range []int{len(tt.in), 1} {
			p := Parser{Unauthenticated: true}
			var err error
			var buf []byte
			for i := 0; i < len(tt.in) && err == nil; i += step {
				buf = append(buf, tt.in[i:min(i+step, len(tt.in))]...)
				_, _, err = p.Next(buf, nil)
			}
			if got := errString(err); got != tt.err {
				t.Errorf("%q (step %d): err %q, want %q", tt.in, step, got, tt.err)
			}
		}
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// TestParserResumes feeds a request one byte at a time and checks the
// result is the same as parsing it whole, and that BulkRemaining predicts
// the missing bytes of a big argument.
func TestParserResumes(t *testing.T) {
	in := "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$20\r\n01234567890123456789\r\n"
	var p Parser
	for i := 1; i < len(in); i++ {
		args, n, err := p.Next([]byte(in[:i]), nil)
		if err != nil || n != 0 || args != nil {
			t.Fatalf("prefix %d: args=%q n=%d err=%v", i, args, n, err)
		}
		if i == len(in)-10 {
			if r := p.BulkRemaining(i); r != 10 {
				t.Fatalf("BulkRemaining = %d, want 10", r)
			}
		}
	}
	args, n, err := p.Next([]byte(in), nil)
	if err != nil || n != len(in) || len(args) != 3 || string(args[2]) != "01234567890123456789" {
		t.Fatalf("args=%q n=%d err=%v", args, n, err)
	}
	if p.Pending() {
		t.Fatal("parser still pending after a complete request")
	}
}

func TestParseInt(t *testing.T) {
	good := map[string]int64{"0": 0, "1": 1, "-1": -1, "9223372036854775807": 1<<63 - 1, "-9223372036854775808": -1 << 63}
	for s, want := range good {
		if v, ok := ParseInt([]byte(s)); !ok || v != want {
			t.Errorf("ParseInt(%q) = %d, %v", s, v, ok)
		}
	}
	for _, s := range []string{"", "-", "+1", "01", "-0", " 1", "1 ", "9223372036854775808", "-9223372036854775809", "18446744073709551616", "99999999999999999999", "1a"} {
		if v, ok := ParseInt([]byte(s)); ok {
			t.Errorf("ParseInt(%q) = %d, accepted", s, v)
		}
	}
}
