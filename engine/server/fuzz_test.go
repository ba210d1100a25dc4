package server

import (
	"bufio"
	"bytes"
	"testing"

	"github.com/redisctl/redisctl/engine/resp"
)

// FuzzClientInput feeds arbitrary bytes, in two reads, to a connection's
// input path and checks the server never panics, always answers with
// well-formed RESP, and closes the connection after a protocol error.
func FuzzClientInput(f *testing.F) {
	for _, s := range []string{
		"PING\r\n", "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n",
		"*1\r\nx\r\n", "set \"a\r\n", "MULTI\r\nINCR k\r\nEXEC\r\n", "HELLO 3\r\nCLIENT LIST\r\n",
		"SETRANGE k 10 x\r\nBITFIELD k INCRBY i5 100 1\r\n", "PFADD h a b c\r\nGET h\r\n",
	} {
		f.Add([]byte(s), uint8(2))
	}
	srv := newTestClient(f).srv
	srv.cfg.LoadText("proto-max-bulk-len 1mb")
	srv.configChanged("proto-max-bulk-len")
	stats := srv.newLoopStats()
	f.Fuzz(func(t *testing.T, data []byte, cut uint8) {
		c := srv.newClient(nopConn{}, 0, nil, nil, stats)
		defer c.closed()
		k := int(cut) % (len(data) + 1)
		c.feed(data[:k])
		c.feed(data[k:])
		r := bufio.NewReader(bytes.NewReader(c.out))
		var last []byte
		for {
			b, err := resp.ReadReply(r, nil)
			if err != nil {
				if r.Buffered() > 0 {
					t.Fatalf("malformed output %q", c.out)
				}
				break
			}
			last = b
		}
		if c.flags&flagCloseAfterReply != 0 && c.flags&flagProtected == 0 {
			if !bytes.HasPrefix(last, []byte("-ERR Protocol error")) && !bytes.HasPrefix(last, []byte("+OK")) {
				// QUIT also closes after its +OK.
				t.Fatalf("closing without a protocol error: %q", last)
			}
		}
	})
}
