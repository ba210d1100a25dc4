package server

import (
	"time"

	"github.com/redisctl/redisctl/engine/resp"
)

// parseBlockTimeout parses XREAD's BLOCK milliseconds, with Redis's
// errors; 0 means no timeout.
func (c *Client) parseBlockTimeout(arg []byte) (time.Duration, bool) {
	n, ok := resp.ParseInt(arg)
	if !ok {
		c.addError("ERR timeout is not an integer or out of range")
		return 0, false
	}
	if n < 0 {
		c.addError("ERR timeout is negative")
		return 0, false
	}
	if n > int64(time.Duration(1<<62)/time.Millisecond) {
		// Redis 7.0 overflows into a deadline it never reaches.
		return 0, true
	}
	return time.Duration(n) * time.Millisecond, true
}

// inScript reports whether c runs commands for a script.
func (c *Client) inScript() bool { return c.srv.scripting != nil && c == c.srv.scripting.client }
