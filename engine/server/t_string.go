package server

import (
	"math"

	"github.com/redisctl/redisctl/engine/config"
	"github.com/redisctl/redisctl/engine/keyspace"
	"github.com/redisctl/redisctl/engine/resp"
)

// String commands (Redis's t_string.c).

func stringCommands() []*Command {
	return []*Command{
		{Name: "get", Arity: 2, Flags: "readonly fast", ACL: "@read @string @fast", Keys: one("RO access", 1), Handler: getCommand,
			Group: "string", Since: "1.0.0", Summary: "Returns the string value of a key.", Complexity: "O(1)"},
		{Name: "set", Arity: -3, Flags: "write denyoom", ACL: "@write @string @slow", Keys: []KeySpec{{Notes: "RW and ACCESS due to the optional `GET` argument", Flags: "RW access update variable_flags", Index: 1, KeyStep: 1}}, Handler: setCommand,
			Group: "string", Since: "1.0.0", Summary: "Sets the string value of a key, ignoring its type. The key is created if it doesn't exist.", Complexity: "O(1)"},
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

func getCommand(c *Client) {
	e, ok := c.lookupString(c.argv[1], 0)
	if !ok {
		return
	}
	if !e.Exists() {
		c.addNull()
		return
	}
	var buf [20]byte
	c.addBulk(e.Bytes(buf[:0]))
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

// parseSetArgs parses SET's (get == false) or GETEX's (get == true)
// options from argv[start:], with Redis's exact rules about which options
// exclude which. It returns the flags and the expire argument.
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
		case argIs(opt, "ex") && flags&(setKeepTTL|setPersist|setEXAT|setPX|setPXAT) == 0 && hasNext:
			flags |= setEX
			expire = c.argv[j+1]
			j++
		case argIs(opt, "px") && flags&(setKeepTTL|setPersist|setEX|setEXAT|setPXAT) == 0 && hasNext:
			flags |= setPX
			expire = c.argv[j+1]
			j++
		case argIs(opt, "exat") && flags&(setKeepTTL|setPersist|setEX|setPX|setPXAT) == 0 && hasNext:
			flags |= setEXAT
			expire = c.argv[j+1]
			j++
		case argIs(opt, "pxat") && flags&(setKeepTTL|setPersist|setEX|setEXAT|setPX) == 0 && hasNext:
			flags |= setPXAT
			expire = c.argv[j+1]
			j++
		default:
			c.addError(errSyntax)
			return 0, nil, false
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
	var when int64
	if expArg != nil {
		if when, ok = c.expireMillis(expArg, flags); !ok {
			return
		}
	}
	key, val := c.argv[1], c.argv[2]
	if flags&setGet != 0 {
		e, ok := c.lookupString(key, 0)
		if !ok {
			return
		}
		if e.Exists() {
			var buf [20]byte
			c.addBulk(e.Bytes(buf[:0]))
		} else {
			c.addNull()
		}
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

// modified records a change to key: dirty counter for propagation and
// persistence, and WATCH invalidation.
func (c *Client) modified(key []byte) {
	c.dirty++
	c.srv.watches.touch(c.db.ID(), key)
}

// notify publishes a keyspace notification for key in the client's db.
func (c *Client) notify(class int, event string, key []byte) {
	if c.srv.notifyFlags.Load()&int32(class) == 0 {
		return
	}
	c.srv.notifyKeyspaceEvent(class, event, key, c.db.ID())
}
