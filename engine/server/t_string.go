package server

import (
	"math"

	"github.com/redisctl/redisctl/engine/config"
	"github.com/redisctl/redisctl/engine/keyspace"
	"github.com/redisctl/redisctl/engine/resp"
)

// String commands (Redis's t_string.c).

func stringCommands() []*Command {
	str := commandsOf("string")
	rw := "write denyoom"
	wfast := "write denyoom fast"
	return []*Command{
		str("get", 2, "readonly fast", "@read @string @fast", one("RO access", 1), getCommand, "1.0.0", "Get the value of a key", "O(1)"),
		str("set", -3, rw, "@write @string @slow",
			[]KeySpec{{Notes: "RW and ACCESS due to the optional `GET` argument", Flags: "RW access update variable_flags", Index: 1, KeyStep: 1}},
			setCommand, "1.0.0", "Set the string value of a key", "O(1)"),
		str("setnx", 3, wfast, "@write @string @fast", one("OW insert", 1), setnxCommand, "1.0.0", "Set the value of a key, only if the key does not exist", "O(1)"),
		str("setex", 4, rw, "@write @string @slow", one("OW update", 1), func(c *Client) { c.setWithExpire(setEX) }, "2.0.0", "Set the value and expiration of a key", "O(1)"),
		str("psetex", 4, rw, "@write @string @slow", one("OW update", 1), func(c *Client) { c.setWithExpire(setPX) }, "2.6.0", "Set the value and expiration in milliseconds of a key", "O(1)"),
		str("getset", 3, wfast, "@write @string @fast", one("RW access update", 1), getsetCommand, "1.0.0", "Set the string value of a key and return its old value", "O(1)"),
		str("getdel", 2, "write fast", "@write @string @fast", one("RW access delete", 1), getdelCommand, "6.2.0", "Get the value of a key and delete the key", "O(1)"),
		str("getex", -2, "write fast", "@write @string @fast",
			[]KeySpec{{Notes: "RW and UPDATE because it changes the TTL", Flags: "RW access update", Index: 1, KeyStep: 1}},
			getexCommand, "6.2.0", "Get the value of a key and optionally set its expiration", "O(1)"),
		{Name: "mget", Arity: -2, Flags: "readonly fast", ACL: "@read @string @fast", Tips: []string{"request_policy:multi_shard"},
			Keys: []KeySpec{keyRange("RO access", 1, -1, 1)}, Handler: mgetCommand,
			Group: "string", Since: "1.0.0", Summary: "Get the values of all the given keys", Complexity: "O(N) where N is the number of keys to retrieve."},
		{Name: "mset", Arity: -3, Flags: rw, ACL: "@write @string @slow", Tips: []string{"request_policy:multi_shard", "response_policy:all_succeeded"},
			Keys: []KeySpec{keyRange("OW update", 1, -1, 2)}, Handler: func(c *Client) { c.msetGeneric(false) },
			Group: "string", Since: "1.0.1", Summary: "Set multiple keys to multiple values", Complexity: "O(N) where N is the number of keys to set."},
		{Name: "msetnx", Arity: -3, Flags: rw, ACL: "@write @string @slow", Tips: []string{"request_policy:multi_shard", "response_policy:agg_min"},
			Keys: []KeySpec{keyRange("OW insert", 1, -1, 2)}, Handler: func(c *Client) { c.msetGeneric(true) },
			Group: "string", Since: "1.0.1", Summary: "Set multiple keys to multiple values, only if none of the keys exist", Complexity: "O(N) where N is the number of keys to set."},
		str("append", 3, rw+" fast", "@write @string @fast", one("RW insert", 1), appendCommand, "2.0.0", "Append a value to a key", "O(1). The amortized time complexity is O(1) assuming the appended value is small and the already present value is of any size, since the dynamic string library used by Redis will double the free space available on every reallocation."),
		str("strlen", 2, "readonly fast", "@read @string @fast", one("RO", 1), strlenCommand, "2.2.0", "Get the length of the value stored in a key", "O(1)"),
		str("getrange", 4, "readonly", "@read @string @slow", one("RO access", 1), getrangeCommand, "2.4.0", "Get a substring of the string stored at a key", "O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings."),
		str("substr", 4, "readonly", "@read @string @slow", one("RO access", 1), getrangeCommand, "1.0.0", "Get a substring of the string stored at a key", "O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings."),
		str("setrange", 4, rw, "@write @string @slow", one("RW update", 1), setrangeCommand, "2.2.0", "Overwrite part of a string at key starting at the specified offset", "O(1), not counting the time taken to copy the new string in place. Usually, this string is very small so the amortized complexity is O(1). Otherwise, complexity is O(M) with M being the length of the value argument."),
		str("incr", 2, wfast, "@write @string @fast", one("RW access update", 1), func(c *Client) { c.incrDecr(1) }, "1.0.0", "Increment the integer value of a key by one", "O(1)"),
		str("decr", 2, wfast, "@write @string @fast", one("RW access update", 1), func(c *Client) { c.incrDecr(-1) }, "1.0.0", "Decrement the integer value of a key by one", "O(1)"),
		str("incrby", 3, wfast, "@write @string @fast", one("RW access update", 1), incrbyCommand, "1.0.0", "Increment the integer value of a key by the given amount", "O(1)"),
		str("decrby", 3, wfast, "@write @string @fast", one("RW access update", 1), decrbyCommand, "1.0.0", "Decrement the integer value of a key by the given number", "O(1)"),
		str("incrbyfloat", 3, wfast, "@write @string @fast", one("RW access update", 1), incrbyfloatCommand, "2.6.0", "Increment the float value of a key by the given amount", "O(1)"),
		str("lcs", -3, "readonly", "@read @string @slow", []KeySpec{keyRange("RO access", 1, 1, 1)}, lcsCommand, "7.0.0", "Find longest common substring", "O(N*M) where N and M are the lengths of s1 and s2, respectively"),
	}
}

// lookupString finds key for reading. ok is false when the reply is
// already written: a WRONGTYPE error. A missing key returns a zero Entry.
func (c *Client) lookupString(key []byte, flags keyspace.LookupFlags) (keyspace.Entry, bool) {
	e := c.db.Lookup(key, c.now, flags)
	if e.Exists() && e.Type() != keyspace.TypeString {
		c.addError(errWrongType)
		return e, false
	}
	return e, true
}

// stringOrReply is lookupString for a command that replies missing() when
// key does not exist (Redis's lookupKeyReadOrReply); ok is false after any
// reply.
func (c *Client) stringOrReply(key []byte, flags keyspace.LookupFlags, missing func()) (keyspace.Entry, bool) {
	e, ok := c.lookupString(key, flags)
	if ok && !e.Exists() {
		missing()
		return e, false
	}
	return e, ok
}

// replyString replies e's string value.
func (c *Client) replyString(e keyspace.Entry) {
	var buf [20]byte
	c.addBulk(e.Bytes(buf[:0]))
}

// replyOldString replies key's value before a write replaces it (SET GET,
// GETSET): the string, or null when missing. It returns false after a
// WRONGTYPE reply: the write must not happen.
func (c *Client) replyOldString(key []byte) bool {
	e, ok := c.lookupString(key, 0)
	if !ok {
		return false
	}
	if e.Exists() {
		c.replyString(e)
	} else {
		c.addNull()
	}
	return true
}

func getCommand(c *Client) {
	e, ok := c.stringOrReply(c.argv[1], 0, c.addNull)
	if !ok {
		return
	}
	c.replyString(e)
}

// Flags of the extended SET/GETEX arguments.
const (
	setNX = 1 << iota
	setXX
	setGet
	setKeepTTL
	setPersist
	setEX
	setPX
	setEXAT
	setPXAT
	setExpireMask = setEX | setPX | setEXAT | setPXAT
)

var setExpireWords = []keyword{{"ex", setEX}, {"px", setPX}, {"exat", setEXAT}, {"pxat", setPXAT}}

// parseSetArgs parses SET's (getex false) or GETEX's options from
// argv[start:], with Redis's rules about which options exclude which. It
// returns the flags and the expire argument.
func (c *Client) parseSetArgs(start int, getex bool) (flags int, expire []byte, ok bool) {
	for j := start; j < len(c.argv); j++ {
		opt := c.argv[j]
		hasNext := j < len(c.argv)-1
		switch {
		case !getex && argIs(opt, "nx") && flags&setXX == 0:
			flags |= setNX
		case !getex && argIs(opt, "xx") && flags&setNX == 0:
			flags |= setXX
		case !getex && argIs(opt, "get"):
			flags |= setGet
		case !getex && argIs(opt, "keepttl") && flags&(setPersist|setExpireMask) == 0:
			flags |= setKeepTTL
		case getex && argIs(opt, "persist") && flags&(setExpireMask|setKeepTTL) == 0:
			flags |= setPersist
		default:
			// EX, PX, EXAT or PXAT: each excludes the others, KEEPTTL and
			// PERSIST (but not itself given again).
			f := wordFlag(opt, setExpireWords)
			if f == 0 || !hasNext || flags&(setKeepTTL|setPersist|setExpireMask&^f) != 0 {
				c.addError(errSyntax)
				return 0, nil, false
			}
			flags |= f
			expire = c.argv[j+1]
			j++
		}
	}
	return flags, expire, true
}

// expireMillis turns an expire argument into an absolute unix time in ms,
// replying Redis's errors for bad or overflowing values.
func (c *Client) expireMillis(arg []byte, flags int) (int64, bool) {
	ms, ok := resp.ParseInt(arg)
	if !ok {
		c.addError(errNotInteger)
		return 0, false
	}
	seconds := flags&(setEX|setEXAT) != 0
	if ms <= 0 || (seconds && ms > math.MaxInt64/1000) {
		c.addError("ERR invalid expire time in '" + c.cmd.fullName + "' command")
		return 0, false
	}
	if seconds {
		ms *= 1000
	}
	if flags&(setEX|setPX) != 0 {
		ms += c.now
	}
	if ms <= 0 {
		c.addError("ERR invalid expire time in '" + c.cmd.fullName + "' command")
		return 0, false
	}
	return ms, true
}

func setCommand(c *Client) {
	flags, expArg, ok := c.parseSetArgs(3, false)
	if !ok {
		return
	}
	c.setGeneric(flags, c.argv[1], c.argv[2], expArg)
}

// setGeneric implements SET and its older relatives.
func (c *Client) setGeneric(flags int, key, val, expArg []byte) {
	var when int64
	if expArg != nil {
		var ok bool
		if when, ok = c.expireMillis(expArg, flags); !ok {
			return
		}
	}
	if flags&setGet != 0 && !c.replyOldString(key) {
		return
	}
	found := c.db.Exists(key, c.now)
	if (flags&setNX != 0 && found) || (flags&setXX != 0 && !found) {
		if flags&setGet == 0 {
			c.addNull()
		}
		return
	}
	c.db.SetString(key, val, keyspace.SetOpts{ExpireAt: when, KeepTTL: flags&setKeepTTL != 0})
	c.modified(key)
	c.notify(config.NotifyString, "set", key)
	if when != 0 {
		c.notify(config.NotifyGeneric, "expire", key)
		// Replicas and the AOF get an absolute expire time.
		c.propArgv = [][]byte{[]byte("SET"), key, val, []byte("PXAT"), []byte(itoa(when))}
	} else if flags&setGet != 0 {
		c.propArgv = withoutArg(c.argv, "get")
	}
	if flags&setGet == 0 {
		c.addOK()
	}
}

// withoutArg returns a copy of argv without the options equal to word.
func withoutArg(argv [][]byte, word string) [][]byte {
	out := make([][]byte, 0, len(argv))
	for i, a := range argv {
		if i > 0 && argIs(a, word) {
			continue
		}
		out = append(out, a)
	}
	return out
}

func setnxCommand(c *Client) {
	key := c.argv[1]
	if c.db.Exists(key, c.now) {
		c.addInt(0)
		return
	}
	c.db.SetString(key, c.argv[2], keyspace.SetOpts{})
	c.modified(key)
	c.notify(config.NotifyString, "set", key)
	c.addInt(1)
}

// setWithExpire implements SETEX and PSETEX.
func (c *Client) setWithExpire(unit int) {
	c.setGeneric(unit, c.argv[1], c.argv[3], c.argv[2])
}

func getsetCommand(c *Client) {
	key := c.argv[1]
	if !c.replyOldString(key) {
		return
	}
	c.db.SetString(key, c.argv[2], keyspace.SetOpts{})
	c.modified(key)
	c.notify(config.NotifyString, "set", key)
	c.propArgv = [][]byte{[]byte("SET"), key, c.argv[2]}
}

func getdelCommand(c *Client) {
	key := c.argv[1]
	e, ok := c.stringOrReply(key, 0, c.addNull)
	if !ok {
		return
	}
	c.replyString(e)
	c.db.Delete(key, c.now)
	c.modified(key)
	c.notify(config.NotifyGeneric, "del", key)
	c.propArgv = [][]byte{[]byte("DEL"), key}
}

func getexCommand(c *Client) {
	flags, expArg, ok := c.parseSetArgs(2, true)
	if !ok {
		return
	}
	key := c.argv[1]
	e, ok := c.stringOrReply(key, 0, c.addNull)
	if !ok {
		return
	}
	var when int64
	if expArg != nil {
		if when, ok = c.expireMillis(expArg, flags); !ok {
			return
		}
	}
	c.replyString(e)
	switch {
	case flags&(setEXAT|setPXAT) != 0 && when <= c.now && !c.srv.keepsExpiredKeys():
		c.db.Delete(key, c.now)
		c.modified(key)
		c.notify(config.NotifyGeneric, "del", key)
		c.propArgv = [][]byte{[]byte("DEL"), key}
	case expArg != nil:
		c.db.SetExpire(key, when)
		c.modified(key)
		c.notify(config.NotifyGeneric, "expire", key)
		c.propArgv = [][]byte{[]byte("PEXPIREAT"), key, []byte(itoa(when))}
	case flags&setPersist != 0:
		if c.db.Persist(key) {
			c.modified(key)
			c.notify(config.NotifyGeneric, "persist", key)
			c.propArgv = [][]byte{[]byte("PERSIST"), key}
		}
	}
}

func mgetCommand(c *Client) {
	c.addArrayLen(len(c.argv) - 1)
	for _, k := range c.argv[1:] {
		e := c.db.Lookup(k, c.now, 0)
		if !e.Exists() || e.Type() != keyspace.TypeString {
			c.addNull()
			continue
		}
		c.replyString(e)
	}
}

func (c *Client) msetGeneric(nx bool) {
	if len(c.argv)%2 == 0 {
		c.addErrorArity()
		return
	}
	if nx {
		for i := 1; i < len(c.argv); i += 2 {
			if c.db.Exists(c.argv[i], c.now) {
				c.addInt(0)
				return
			}
		}
	}
	for i := 1; i < len(c.argv); i += 2 {
		c.db.SetString(c.argv[i], c.argv[i+1], keyspace.SetOpts{})
		c.modified(c.argv[i])
		c.notify(config.NotifyString, "set", c.argv[i])
	}
	if nx {
		c.addInt(1)
	} else {
		c.addOK()
	}
}

// checkStringLength replies Redis's error when a string would exceed
// proto-max-bulk-len.
func (c *Client) checkStringLength(total int64) bool {
	if total > c.srv.protoMaxBulk.Load() {
		c.addError(errStringLimit)
		return false
	}
	return true
}

func appendCommand(c *Client) {
	key, suffix := c.argv[1], c.argv[2]
	e, ok := c.lookupString(key, keyspace.NoStats)
	if !ok {
		return
	}
	var total int
	if !e.Exists() {
		c.db.SetString(key, suffix, keyspace.SetOpts{})
		total = len(suffix)
	} else {
		cur := e.Len()
		if !c.checkStringLength(int64(cur + len(suffix))) {
			return
		}
		v := c.db.MutableString(key, cur+len(suffix))
		copy(v[cur:], suffix)
		total = len(v)
	}
	c.modified(key)
	c.notify(config.NotifyString, "append", key)
	c.addInt(int64(total))
}

func strlenCommand(c *Client) {
	e, ok := c.stringOrReply(c.argv[1], 0, c.addZero)
	if !ok {
		return
	}
	c.addInt(int64(e.Len()))
}

func getrangeCommand(c *Client) {
	start, end, ok := c.argIntPair(2)
	if !ok {
		return
	}
	e, ok := c.stringOrReply(c.argv[1], 0, func() { c.addBulkStr("") })
	if !ok {
		return
	}
	var buf [20]byte
	s := e.Bytes(buf[:0])
	if start < 0 && end < 0 && start > end {
		c.addBulkStr("")
		return
	}
	// An empty string ends with start > end.
	start, end, _, _ = bitRange(start, end, int64(len(s)), false)
	if start > end {
		c.addBulkStr("")
		return
	}
	c.addBulk(s[start : end+1])
}

func setrangeCommand(c *Client) {
	key, val := c.argv[1], c.argv[3]
	off, ok := c.argInt(2)
	if !ok {
		return
	}
	if off < 0 {
		c.addError("ERR offset is out of range")
		return
	}
	e, ok := c.lookupString(key, keyspace.NoStats)
	if !ok {
		return
	}
	if !e.Exists() {
		if len(val) == 0 {
			c.addInt(0)
			return
		}
		if !c.checkStringLength(off + int64(len(val))) {
			return
		}
		c.db.SetString(key, nil, keyspace.SetOpts{Raw: true})
	} else {
		if len(val) == 0 {
			c.addInt(int64(e.Len()))
			return
		}
		if !c.checkStringLength(off + int64(len(val))) {
			return
		}
	}
	v := c.db.MutableString(key, int(off)+len(val))
	copy(v[off:], val)
	c.modified(key)
	c.notify(config.NotifyString, "setrange", key)
	c.addInt(int64(len(v)))
}

func incrbyCommand(c *Client) {
	n, ok := c.argInt(2)
	if ok {
		c.incrDecr(n)
	}
}

func decrbyCommand(c *Client) {
	n, ok := c.argInt(2)
	if !ok {
		return
	}
	if n == math.MinInt64 {
		c.addError("ERR decrement would overflow")
		return
	}
	c.incrDecr(-n)
}

// incrDecr adds incr to the integer stored at the key, keeping its TTL.
func (c *Client) incrDecr(incr int64) {
	key := c.argv[1]
	e, ok := c.lookupString(key, keyspace.NoStats)
	if !ok {
		return
	}
	var cur int64
	if e.Exists() {
		if v, isInt := e.Int(); isInt {
			cur = v
		} else if v, ok := resp.ParseInt(e.Bytes(nil)); ok {
			cur = v
		} else {
			c.addError(errNotInteger)
			return
		}
	}
	if (incr < 0 && cur < 0 && incr < math.MinInt64-cur) || (incr > 0 && cur > 0 && incr > math.MaxInt64-cur) {
		c.addError(errOverflow)
		return
	}
	cur += incr
	c.db.SetInt(key, cur)
	c.modified(key)
	c.notify(config.NotifyString, "incrby", key)
	c.addInt(cur)
}

func incrbyfloatCommand(c *Client) {
	key := c.argv[1]
	e, ok := c.lookupString(key, keyspace.NoStats)
	if !ok {
		return
	}
	cur := []byte("0")
	if e.Exists() {
		cur = e.Bytes(nil)
	}
	a, ok1 := parseLongDouble(cur)
	if !ok1 {
		c.addError(errNotFloat)
		return
	}
	b, ok2 := parseLongDouble(c.argv[2])
	if !ok2 {
		c.addError(errNotFloat)
		return
	}
	sum, ok := addLongDouble(a, b)
	if !ok {
		c.addError("ERR increment would produce NaN or Infinity")
		return
	}
	text := []byte(formatLongDouble(sum))
	c.db.SetString(key, text, keyspace.SetOpts{KeepTTL: true})
	c.modified(key)
	c.notify(config.NotifyString, "incrbyfloat", key)
	c.addBulk(text)
	// Replicate the result, not the increment, so float formatting can
	// never make replicas diverge.
	c.propArgv = [][]byte{[]byte("SET"), key, text, []byte("KEEPTTL")}
}

// modified records a change to key: dirty counter for propagation and
// persistence, and WATCH invalidation.
func (c *Client) modified(key []byte) {
	c.dirty++
	c.srv.watches.touch(c.db.ID(), key)
	if c.srv.blocking.onKeys.Load() != 0 {
		c.streamMaybeGone(key)
	}
}

// notify publishes a keyspace notification for key in the client's db.
func (c *Client) notify(class int, event string, key []byte) {
	if c.srv.notifyFlags.Load()&int32(class) == 0 {
		return
	}
	c.srv.notifyFrom(c, class, event, key, c.db.ID())
}
