package server

import (
	"math"
	"strconv"
	"strings"

	"github.com/redisctl/redisctl/engine/resp"
)

// Reply helpers. Handlers write replies through these, which pick the RESP2
// or RESP3 form for the client's protocol and never allocate.

// Common replies, as Redis spells them.
const (
	errWrongType   = "WRONGTYPE Operation against a key holding the wrong kind of value"
	errSyntax      = "ERR syntax error"
	errNotInteger  = "ERR value is not an integer or out of range"
	errNotFloat    = "ERR value is not a valid float"
	errNoSuchKey   = "ERR no such key"
	errOutOfRange  = "ERR index out of range"
	errDBIndex     = "ERR DB index is out of range"
	errOverflow    = "ERR increment or decrement would overflow"
	errNoAuth      = "NOAUTH Authentication required."
	errWrongPass   = "WRONGPASS invalid username-password pair or user is disabled."
	errOOM         = "OOM command not allowed when used memory > 'maxmemory'."
	errInvalidExp  = "ERR invalid expire time in '%s' command"
	errBitOffset   = "ERR bit offset is not an integer or out of range"
	errStringLimit = "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
)

func (c *Client) addRaw(b []byte)     { c.out = append(c.out, b...) }
func (c *Client) addRawStr(s string)  { c.out = append(c.out, s...) }
func (c *Client) addOK()              { c.out = append(c.out, "+OK\r\n"...) }
func (c *Client) addSimple(s string)  { c.out = resp.AppendSimple(c.out, s) }
func (c *Client) addInt(n int64)      { c.out = resp.AppendInt(c.out, n) }
func (c *Client) addZero()            { c.out = append(c.out, ":0\r\n"...) }
func (c *Client) addBulk(b []byte)    { c.out = resp.AppendBulk(c.out, b) }
func (c *Client) addBulkStr(s string) { c.out = resp.AppendBulkString(c.out, s) }
func (c *Client) addBulkInt(n int64)  { c.out = resp.AppendBulkInt(c.out, n) }
func (c *Client) addArrayLen(n int)   { c.out = resp.AppendArrayLen(c.out, n) }

// addError replies an error. msg starts with its code ("ERR ...",
// "WRONGTYPE ..."); the code feeds INFO errorstats.
func (c *Client) addError(msg string) {
	c.out = resp.AppendError(c.out, msg)
	c.flags |= flagErrored
	c.srv.countError(msg)
}

// addSubcommandSyntaxError is Redis's reply to a subcommand given the
// wrong arguments in a way its table arity cannot catch.
func (c *Client) addSubcommandSyntaxError() {
	parent := c.cmd.Name
	if c.cmd.parent != nil {
		parent = c.cmd.parent.Name
	}
	c.addError("ERR unknown subcommand or wrong number of arguments for '" + sanitize(trunc(c.argv[1], 128)) +
		"'. Try " + strings.ToUpper(parent) + " HELP.")
}

// addErrorArity is Redis's wrong-number-of-arguments error.
func (c *Client) addErrorArity() {
	c.addError("ERR wrong number of arguments for '" + c.cmdName() + "' command")
}

func (c *Client) cmdName() string {
	if c.cmd == nil {
		return ""
	}
	return c.cmd.fullName
}

// addNull replies RESP2's null bulk string or RESP3's null.
func (c *Client) addNull() {
	if c.proto == resp.RESP3 {
		c.out = resp.AppendNull(c.out)
	} else {
		c.out = resp.AppendNullBulk(c.out)
	}
}

// addNullArray replies RESP2's null array or RESP3's null.
func (c *Client) addNullArray() {
	if c.proto == resp.RESP3 {
		c.out = resp.AppendNull(c.out)
	} else {
		c.out = resp.AppendNullArray(c.out)
	}
}

// addMapLen starts a map of n pairs (a flat array of 2n in RESP2).
func (c *Client) addMapLen(n int) {
	if c.proto == resp.RESP3 {
		c.out = resp.AppendMapLen(c.out, n)
	} else {
		c.out = resp.AppendArrayLen(c.out, 2*n)
	}
}

// addSetLen starts a set (an array in RESP2).
func (c *Client) addSetLen(n int) {
	if c.proto == resp.RESP3 {
		c.out = resp.AppendSetLen(c.out, n)
	} else {
		c.out = resp.AppendArrayLen(c.out, n)
	}
}

// addSimpleSet replies words as a set of simple strings (COMMAND's flags).
func (c *Client) addSimpleSet(words []string) {
	c.addSetLen(len(words))
	for _, w := range words {
		c.addSimple(w)
	}
}

// addPushLen starts an out-of-band push (an array in RESP2).
func (c *Client) addPushLen(n int) {
	if c.proto == resp.RESP3 {
		c.out = resp.AppendPushLen(c.out, n)
	} else {
		c.out = resp.AppendArrayLen(c.out, n)
	}
}

// addDouble replies a double (a bulk string in RESP2).
func (c *Client) addDouble(f float64) {
	if c.proto == resp.RESP3 {
		c.out = resp.AppendDouble(c.out, f)
		return
	}
	var buf [32]byte
	c.out = resp.AppendBulk(c.out, resp.AppendFloat(buf[:0], f))
}

// addBool replies a boolean (:1 or :0 in RESP2).
func (c *Client) addBool(b bool) {
	if c.proto == resp.RESP3 {
		c.out = resp.AppendBool(c.out, b)
	} else if b {
		c.out = append(c.out, ":1\r\n"...)
	} else {
		c.out = append(c.out, ":0\r\n"...)
	}
}

// addVerbatim replies text as a RESP3 verbatim string of format "txt"
// (a bulk string in RESP2).
func (c *Client) addVerbatim(text []byte) {
	if c.proto == resp.RESP3 {
		c.out = resp.AppendVerbatim(c.out, "txt", text)
	} else {
		c.out = resp.AppendBulk(c.out, text)
	}
}

// deferLen reserves room for an aggregate header whose length is not known
// yet; setDeferred fills it in.
func (c *Client) deferLen() int { return len(c.out) }

// setDeferredArrayLen inserts an array header of n at pos.
func (c *Client) setDeferredArrayLen(pos, n int) { c.insertHeader(pos, resp.AppendArrayLen(nil, n)) }

// setDeferredMapLen inserts a map header of n pairs at pos.
func (c *Client) setDeferredMapLen(pos, n int) {
	if c.proto == resp.RESP3 {
		c.insertHeader(pos, resp.AppendMapLen(nil, n))
	} else {
		c.insertHeader(pos, resp.AppendArrayLen(nil, 2*n))
	}
}

// setDeferredSetLen inserts a set header of n at pos.
func (c *Client) setDeferredSetLen(pos, n int) {
	if c.proto == resp.RESP3 {
		c.insertHeader(pos, resp.AppendSetLen(nil, n))
	} else {
		c.insertHeader(pos, resp.AppendArrayLen(nil, n))
	}
}

func (c *Client) insertHeader(pos int, h []byte) {
	c.out = append(c.out, h...)
	copy(c.out[pos+len(h):], c.out[pos:len(c.out)-len(h)])
	copy(c.out[pos:], h)
}

// addHelp replies a HELP subcommand's text, as Redis formats it.
func (c *Client) addHelp(lines ...string) {
	name := strings.ToUpper(c.cmd.Name)
	if c.cmd.parent != nil {
		name = strings.ToUpper(c.cmd.parent.Name)
	}
	c.addArrayLen(len(lines) + 3)
	c.addSimple(name + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")
	for _, l := range lines {
		c.addSimple(l)
	}
	c.addSimple("HELP")
	c.addSimple("    Prints this help.")
}

// Argument parsing helpers with Redis's error replies.

// argInt parses argv[i] as an integer, replying an error when it is not.
func (c *Client) argInt(i int) (int64, bool) {
	n, ok := resp.ParseInt(c.argv[i])
	if !ok {
		c.addError(errNotInteger)
	}
	return n, ok
}

// argIntRange parses argv[i] as an integer within [lo, hi] or replies msg.
func (c *Client) argIntRange(i int, lo, hi int64, msg string) (int64, bool) {
	n, ok := resp.ParseInt(c.argv[i])
	if !ok || n < lo || n > hi {
		c.addError(msg)
		return 0, false
	}
	return n, true
}

// argInt32 parses argv[i] as a 32-bit integer with Redis's two errors
// (getIntFromObjectOrReply).
func (c *Client) argInt32(i int) (int64, bool) {
	n, ok := resp.ParseInt(c.argv[i])
	if !ok {
		c.addError(errNotInteger)
		return 0, false
	}
	if n < math.MinInt32 || n > math.MaxInt32 {
		c.addError("ERR value is out of range, value must between -2147483648 and 2147483647")
		return 0, false
	}
	return n, true
}

func argIs(arg []byte, word string) bool {
	if len(arg) != len(word) {
		return false
	}
	for i := 0; i < len(arg); i++ {
		ch := arg[i]
		if ch >= 'A' && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		if ch != word[i] {
			return false
		}
	}
	return true
}

// argIntPair parses argv[i] and argv[i+1] as integers (a start and an
// end), replying the error of the first that is not one.
func (c *Client) argIntPair(i int) (int64, int64, bool) {
	a, ok := c.argInt(i)
	if !ok {
		return 0, 0, false
	}
	b, ok := c.argInt(i + 1)
	return a, b, ok
}

// keyword is an option keyword and what it stands for: a flag bit, an
// end of a list...
type keyword struct {
	word  string
	value int
}

// wordFlag returns the value of the keyword arg among words, all nonzero
// flags, or 0 when arg is none of them. Walking a table costs more than a
// switch over constant words, so a path every call of a hot command takes
// (ZADD's options) keeps its switch.
func wordFlag(arg []byte, words []keyword) int {
	for _, w := range words {
		if argIs(arg, w.word) {
			return w.value
		}
	}
	return 0
}

// parseKeyword returns the value of the keyword arg among words, replying
// a syntax error when arg is none of them.
func (c *Client) parseKeyword(arg []byte, words []keyword) (int, bool) {
	for _, w := range words {
		if argIs(arg, w.word) {
			return w.value, true
		}
	}
	c.addError(errSyntax)
	return 0, false
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
