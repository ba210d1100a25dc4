package server

import (
	"fmt"
	"strings"
	"time"

	"github.com/redisctl/redisctl/engine/keyspace"
	"github.com/redisctl/redisctl/engine/resp"
)

// DEBUG.

// debugAllowed applies enable-debug-command; the dispatcher rejects DEBUG
// when it says no, before authentication, as Redis does.
func (c *Client) debugAllowed() bool {
	switch c.srv.cfg.Get("enable-debug-command") {
	case "yes":
		return true
	case "local":
		return strings.HasPrefix(c.addr, "127.") || strings.HasPrefix(c.addr, "[::1]")
	}
	return false
}

func debugCommand(c *Client) {
	sub := c.argv[1]
	switch {
	case argIs(sub, "help"):
		c.addHelp(
			"OBJECT <key>",
			"    Show low level info about the ziplist encoding of <key>.",
			"PROTOCOL <type>",
			"    Reply with a test value of the specified type. <type> can be: string,",
			"    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
			"    true, false.",
			"SET-ACTIVE-EXPIRE <0|1>",
			"    Setting it to 0 disables expiring keys in background when they are not",
			"    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
			"    default.",
			"SLEEP <seconds>",
			"    Stop the server for <seconds>. Decimals allowed.",
		)
	case argIs(sub, "sleep") && len(c.argv) == 3:
		if v := strtodPrefix(c.argv[2]); v > 0 {
			time.Sleep(time.Duration(v * float64(time.Second)))
		}
		c.addOK()
	case argIs(sub, "protocol") && len(c.argv) == 3:
		debugProtocol(c, c.argv[2])
	case argIs(sub, "set-disable-deny-scripts") && len(c.argv) == 3:
		c.srv.scripting.denyOff.Store(atoiPrefix(c.argv[2]) != 0) // Redis uses atoi
		c.addOK()
	case argIs(sub, "set-active-expire") && len(c.argv) == 3:
		c.srv.activeExpire.Store(atoiPrefix(c.argv[2]) != 0) // Redis uses atoi
		c.addOK()
	case argIs(sub, "object") && len(c.argv) == 3:
		e := c.db.Lookup(c.argv[2], c.now, keyspace.NoTouch|keyspace.NoStats)
		if !e.Exists() {
			c.addError(errNoSuchKey)
			return
		}
		c.addSimple(fmt.Sprintf("Value at:0x0 refcount:1 encoding:%s serializedlength:%d lru:%d lru_seconds_idle:%d",
			e.Encoding(), c.db.MemoryUsage(e), e.LRU(), c.db.IdleMs(e)/1000))
	default:
		c.addError("ERR unknown subcommand or wrong number of arguments for '" + sanitize(trunc(sub, 128)) + "'. Try DEBUG HELP.")
	}
}

// debugProtocol replies a sample of one reply type, for testing clients
// and the conversions of replies to Lua values.
func debugProtocol(c *Client, typ []byte) {
	switch strings.ToLower(string(typ)) {
	case "string":
		c.addBulkStr("Hello World")
	case "integer":
		c.addInt(12345)
	case "double":
		c.addDouble(3.141)
	case "bignum":
		c.addBigNumber("1234567999999999999999999999999999999")
	case "null":
		c.addNull()
	case "array", "set":
		if argIs(typ, "set") {
			c.addSetLen(3)
		} else {
			c.addArrayLen(3)
		}
		for j := int64(0); j < 3; j++ {
			c.addInt(j)
		}
	case "map":
		c.addMapLen(3)
		for j := int64(0); j < 3; j++ {
			c.addInt(j)
			c.addBool(j == 1)
		}
	case "attrib":
		// An attribute is not a reply: a real one follows it.
		if c.proto == resp.RESP3 {
			c.out = resp.AppendAttributeLen(c.out, 1)
			c.addBulkStr("key-popularity")
			c.addArrayLen(2)
			c.addBulkStr("key:123")
			c.addInt(90)
		}
		c.addBulkStr("Some real reply following the attribute")
	case "push":
		if c.proto != resp.RESP3 {
			c.addError("ERR RESP2 is not supported by this command")
			return
		}
		// A push is not a reply either.
		c.addPushLen(2)
		c.addBulkStr("server-cpu-usage")
		c.addInt(42)
		c.addBulkStr("Some real reply following the push reply")
	case "true":
		c.addBool(true)
	case "false":
		c.addBool(false)
	case "verbatim":
		c.addVerbatim([]byte("This is a verbatim\nstring"))
	default:
		c.addError("ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false")
	}
}

const errDebugDisabled = "ERR DEBUG command not allowed. If the enable-debug-command option is set to \"local\", you can run it from a local connection, otherwise you need to set this option in the configuration file, and then restart the server."

// strtodPrefix reads a number the way C's strtod does when its end pointer
// is ignored (DEBUG SLEEP): the longest prefix that parses, else 0.
func strtodPrefix(b []byte) float64 {
	n := 0
	for n < len(b) && strings.IndexByte(" \t+-0123456789.eE", b[n]) >= 0 {
		n++
	}
	for ; n > 0; n-- {
		if f, ok := parseStrtodLax(b[:n]); ok {
			return f
		}
	}
	return 0
}

// atoiPrefix is C's atoi: leading spaces, a sign, then digits up to the
// first other byte; 0 when there are none.
func atoiPrefix(b []byte) int64 {
	i := 0
	for i < len(b) && isSpaceByte(b[i]) {
		i++
	}
	neg := false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	var n int64
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		n = n*10 + int64(b[i]-'0')
	}
	if neg {
		return -n
	}
	return n
}
