package resp

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzParser checks that any input either parses or yields a
// *ProtocolError, never a panic or a stall, and that feeding the input in
// two pieces gives exactly the same commands as feeding it whole, with and
// without the limits for unauthenticated clients.
func FuzzParser(f *testing.F) {
	for _, s := range []string{
		"*1\r\n$4\r\nPING\r\n", "*3\r\n$3\r\nset\r\n$1\r\na\r\n$1\r\nb\r\n", "ping\r\n",
		`set "a\x41" 'b\''` + "\n", "*0\r\n", "*-1\r\n", "*1\r\nx\r\n", "*2\r\n$1\r\n", "$5\r\n", "*11\r\n", "*1\r\n$16385\r\n",
	} {
		f.Add([]byte(s), uint16(3), false)
		f.Add([]byte(s), uint16(3), true)
	}
	f.Fuzz(func(t *testing.T, data []byte, cut uint16, unauth bool) {
		whole, werr := feed(t, [][]byte{data}, unauth)
		c := int(cut) % (len(data) + 1)
		split, serr := feed(t, [][]byte{data[:c], data[c:]}, unauth)
		if (werr == nil) != (serr == nil) || (werr != nil && werr.Error() != serr.Error()) {
			t.Fatalf("whole err %v, split err %v", werr, serr)
		}
		if !bytes.Equal(whole, split) {
			t.Fatalf("whole %q != split %q", whole, split)
		}
	})
}

// feed runs the parser over chunks appended to one buffer the way a
// connection does and returns the parsed commands flattened, and the
// protocol error if any.
func feed(t *testing.T, chunks [][]byte, unauth bool) ([]byte, error) {
	var p Parser
	p.MaxBulkLen = 1 << 20
	p.Unauthenticated = unauth
	var buf, out []byte
	var argv [][]byte
	for _, ch := range chunks {
		buf = append(buf, ch...)
		for len(buf) > 0 {
			args, n, err := p.Next(buf, argv)
			if err != nil {
				var pe *ProtocolError
				if !errors.As(err, &pe) {
					t.Fatalf("non-protocol error %T %v", err, err)
				}
				return out, err
			}
			if n == 0 {
				break
			}
			if n > len(buf) {
				t.Fatalf("consumed %d of %d bytes", n, len(buf))
			}
			out = AppendCommand(out, args...)
			buf = buf[n:]
		}
	}
	return out, nil
}
