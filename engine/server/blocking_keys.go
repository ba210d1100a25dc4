package server

import (
	"math"

	"github.com/redisctl/redisctl/engine/resp"
)

// Blocking on keys (XREAD/XREADGROUP BLOCK). Placeholder until the shared
// blocking mechanism lands: a command that would block replies as if its
// timeout had passed.

// blockForKeys blocks c until one of keys is signalled ready or timeout
// (unix ms, 0 for never) passes; argv is the command to run again then,
// and onTimeout writes the reply for a timeout.
func (c *Client) blockForKeys(keys [][]byte, timeout int64, argv [][]byte, onTimeout func(*Client)) {
	onTimeout(c)
}

// signalKeyReady records that key (in c's database) may now serve clients
// blocked on it.
func (c *Client) signalKeyReady(key []byte) {}

// denyBlocking reports whether the current command may not block: inside
// a transaction or a script it behaves as if its timeout passed.
func (c *Client) denyBlocking() bool { return c.flags&flagMulti != 0 || c.inScript() }

// inScript reports whether c runs commands for a script.
func (c *Client) inScript() bool { return false }

// copyArgv returns a deep copy of the current command's arguments (the
// parser reuses their memory).
func (c *Client) copyArgv() [][]byte {
	out := make([][]byte, len(c.argv))
	for i, a := range c.argv {
		out[i] = append([]byte(nil), a...)
	}
	return out
}

// parseTimeoutMillis parses a BLOCK timeout in milliseconds into an
// absolute unix time in ms (0 stays 0: no timeout), with Redis's errors.
func (c *Client) parseTimeoutMillis(arg []byte) (int64, bool) {
	n, ok := resp.ParseInt(arg)
	if !ok {
		c.addError("ERR timeout is not an integer or out of range")
		return 0, false
	}
	if n < 0 {
		c.addError("ERR timeout is negative")
		return 0, false
	}
	if n > 0 {
		if n > math.MaxInt64-c.now {
			n = 0 // Redis 7.0 overflows into a deadline it never reaches
		} else {
			n += c.now
		}
	}
	return n, true
}
