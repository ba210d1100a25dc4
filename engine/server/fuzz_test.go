package server

import (
	"bufio"
	"bytes"
	"testing"

	"github.com/redisctl/redisctl/engine/resp"
)

// FuzzClientInput feeds arbitrary bytes, in two reads, to a connection's
// input path, as an authenticated client or as one that must still
// authenticate, and checks the server never panics or hangs, always answers
// with well-formed RESP, and that a protocol error is the last reply and
// closes the connection.
func FuzzClientInput(f *testing.F) {
	for _, s := range []string{
		"PING\r\n", "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n",
		"*1\r\nx\r\n", "set \"a\r\n", "MULTI\r\nINCR k\r\nEXEC\r\n", "HELLO 3\r\nCLIENT LIST\r\n",
		"SETRANGE k 10 x\r\nBITFIELD k INCRBY i5 100 1\r\n", "PFADD h a b c\r\nGET h\r\n",
		"*11\r\n", "*1\r\n$16385\r\n", "AUTH pw\r\n*11\r\n", "HELLO 3 AUTH default pw SETNAME x\r\n",
		"COMMAND GETKEYS sort k store d\r\nCOMMAND FOO\r\n",
	} {
		f.Add([]byte(s), uint8(2), false)
		f.Add([]byte(s), uint8(3), true)
	}
	open := newTestClient(f).srv
	locked := newTestClient(f).srv
	admins := map[*Server]*Client{}
	for _, s := range []*Server{open, locked} {
		s.cfg.LoadText("proto-max-bulk-len 1mb")
		s.configChanged("proto-max-bulk-len")
		admins[s] = s.newClient(nopConn{}, 0, nil, nil, s.newLoopStats())
	}
	// restore undoes what an input may have changed for the next ones:
	// the password, a pause, a memory limit.
	restore := func(tb testing.TB, s *Server, pass string) {
		a := admins[s]
		a.authed = true
		a.feed(resp.AppendCommandStrings(nil, "CONFIG", "SET", "requirepass", pass, "maxmemory", "0"))
		a.feed(resp.AppendCommandStrings(nil, "CLIENT", "UNPAUSE"))
		if string(a.out) != "+OK\r\n+OK\r\n" {
			tb.Fatalf("restoring the server: %q", a.out)
		}
		a.out = a.out[:0]
	}
	restore(f, locked, "pw")
	stats := open.newLoopStats()
	lockedStats := locked.newLoopStats()
	f.Fuzz(func(t *testing.T, data []byte, cut uint8, needAuth bool) {
		srv, st := open, stats
		if needAuth {
			srv, st = locked, lockedStats
		}
		c := srv.newClient(nopConn{}, 0, nil, nil, st)
		defer c.closed()
		k := int(cut) % (len(data) + 1)
		c.feed(data[:k])
		c.feed(data[k:])
		checkFuzzOutput(t, c)
		if needAuth {
			restore(t, locked, "pw")
		} else {
			restore(t, open, "")
		}
	})
}

// checkFuzzOutput checks c's output is a sequence of complete replies, and
// that a protocol error is the last one and closes the connection (which
// otherwise only QUIT's +OK or CLIENT KILL of itself may do).
func checkFuzzOutput(t *testing.T, c *Client) {
	r := bufio.NewReader(bytes.NewReader(c.out))
	var last []byte
	protoErr := false
	for {
		b, err := resp.ReadReply(r, nil)
		if err != nil {
			if r.Buffered() > 0 {
				t.Fatalf("malformed output %q", c.out)
			}
			break
		}
		if protoErr {
			t.Fatalf("a reply after a protocol error: %q", c.out)
		}
		protoErr = bytes.HasPrefix(b, []byte("-ERR Protocol error"))
		last = b
	}
	closing := c.flags&flagCloseAfterReply != 0 && c.flags&flagProtected == 0
	if protoErr && !closing {
		t.Fatalf("protocol error without closing: %q", c.out)
	}
	if closing && !protoErr && !bytes.HasPrefix(last, []byte("+OK")) && !bytes.HasPrefix(last, []byte(":")) {
		t.Fatalf("closing without a protocol error: %q", last)
	}
}
