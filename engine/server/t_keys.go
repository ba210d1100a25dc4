package server

import (
	"math"

	"github.com/redisctl/redisctl/engine/config"
	"github.com/redisctl/redisctl/engine/keyspace"
)

// Generic key commands (Redis's db.c and expire.c).

var allKeysTips = []string{"request_policy:multi_shard", "response_policy:agg_sum"}

func keyCommands() []*Command {
	return []*Command{
		{Name: "del", Arity: -2, Flags: "write", ACL: "@keyspace @write @slow", Tips: allKeysTips,
			Keys: []KeySpec{keyRange("RM delete", 1, -1, 1)}, Handler: delCommand,
			Group: "generic", Since: "1.0.0", Summary: "Delete a key", Complexity: "O(N) where N is the number of keys that will be removed. When a key to remove holds a value other than a string, the individual complexity for this key is O(M) where M is the number of elements in the list, set, sorted set or hash. Removing a single key that holds a string value is O(1)."},
		{Name: "unlink", Arity: -2, Flags: "write fast", ACL: "@keyspace @write @fast", Tips: allKeysTips,
			Keys: []KeySpec{keyRange("RM delete", 1, -1, 1)}, Handler: delCommand,
			Group: "generic", Since: "4.0.0", Summary: "Delete a key asynchronously in another thread. Otherwise it is just as DEL, but non blocking.", Complexity: "O(1) for each key removed regardless of its size. Then the command does O(N) work in a different thread in order to reclaim memory, where N is the number of allocations the deleted objects where composed of."},
		{Name: "exists", Arity: -2, Flags: "readonly fast", ACL: "@keyspace @read @fast", Tips: allKeysTips,
			Keys: []KeySpec{keyRange("RO", 1, -1, 1)}, Handler: existsCommand,
			Group: "generic", Since: "1.0.0", Summary: "Determine if a key exists", Complexity: "O(N) where N is the number of keys to check."},
		{Name: "expire", Arity: -3, Flags: "write fast", ACL: "@keyspace @write @fast", Keys: one("RW update", 1),
			Handler: func(c *Client) { c.expireGeneric(c.now, 1000) },
			Group:   "generic", Since: "1.0.0", Summary: "Set a key's time to live in seconds", Complexity: "O(1)"},
		{Name: "pexpire", Arity: -3, Flags: "write fast", ACL: "@keyspace @write @fast", Keys: one("RW update", 1),
			Handler: func(c *Client) { c.expireGeneric(c.now, 1) },
			Group:   "generic", Since: "2.6.0", Summary: "Set a key's time to live in milliseconds", Complexity: "O(1)"},
		{Name: "expireat", Arity: -3, Flags: "write fast", ACL: "@keyspace @write @fast", Keys: one("RW update", 1),
			Handler: func(c *Client) { c.expireGeneric(0, 1000) },
			Group:   "generic", Since: "1.2.0", Summary: "Set the expiration for a key as a UNIX timestamp", Complexity: "O(1)"},
		{Name: "pexpireat", Arity: -3, Flags: "write fast", ACL: "@keyspace @write @fast", Keys: one("RW update", 1),
			Handler: func(c *Client) { c.expireGeneric(0, 1) },
			Group:   "generic", Since: "2.6.0", Summary: "Set the expiration for a key as a UNIX timestamp specified in milliseconds", Complexity: "O(1)"},
		{Name: "ttl", Arity: 2, Flags: "readonly fast", ACL: "@keyspace @read @fast", Tips: []string{"nondeterministic_output"},
			Keys: one("RO access", 1), Handler: func(c *Client) { c.ttlGeneric(false, false) },
			Group: "generic", Since: "1.0.0", Summary: "Get the time to live for a key in seconds", Complexity: "O(1)"},
		{Name: "pttl", Arity: 2, Flags: "readonly fast", ACL: "@keyspace @read @fast", Tips: []string{"nondeterministic_output"},
			Keys: one("RO access", 1), Handler: func(c *Client) { c.ttlGeneric(true, false) },
			Group: "generic", Since: "2.6.0", Summary: "Get the time to live for a key in milliseconds", Complexity: "O(1)"},
		{Name: "expiretime", Arity: 2, Flags: "readonly fast", ACL: "@keyspace @read @fast",
			Keys: one("RO access", 1), Handler: func(c *Client) { c.ttlGeneric(false, true) },
			Group: "generic", Since: "7.0.0", Summary: "Get the expiration Unix timestamp for a key", Complexity: "O(1)"},
		{Name: "pexpiretime", Arity: 2, Flags: "readonly fast", ACL: "@keyspace @read @fast",
			Keys: one("RO access", 1), Handler: func(c *Client) { c.ttlGeneric(true, true) },
			Group: "generic", Since: "7.0.0", Summary: "Get the expiration Unix timestamp for a key in milliseconds", Complexity: "O(1)"},
		{Name: "persist", Arity: 2, Flags: "write fast", ACL: "@keyspace @write @fast", Keys: one("RW update", 1), Handler: persistCommand,
			Group: "generic", Since: "2.2.0", Summary: "Remove the expiration from a key", Complexity: "O(1)"},
		{Name: "type", Arity: 2, Flags: "readonly fast", ACL: "@keyspace @read @fast", Keys: one("RO", 1), Handler: typeCommand,
			Group: "generic", Since: "1.0.0", Summary: "Determine the type stored at key", Complexity: "O(1)"},
		{Name: "touch", Arity: -2, Flags: "readonly fast", ACL: "@keyspace @read @fast", Tips: allKeysTips,
			Keys: []KeySpec{keyRange("RO", 1, -1, 1)}, Handler: touchCommand,
			Group: "generic", Since: "3.2.1", Summary: "Alters the last access time of a key(s). Returns the number of existing keys specified.", Complexity: "O(N) where N is the number of keys that will be touched."},
		{Name: "rename", Arity: 3, Flags: "write", ACL: "@keyspace @write @slow",
			Keys: []KeySpec{keyRange("RW access delete", 1, 0, 1), keyRange("OW update", 2, 0, 1)}, Handler: func(c *Client) { c.renameGeneric(false) },
			Group: "generic", Since: "1.0.0", Summary: "Rename a key", Complexity: "O(1)"},
		{Name: "renamenx", Arity: 3, Flags: "write fast", ACL: "@keyspace @write @fast",
			Keys: []KeySpec{keyRange("RW access delete", 1, 0, 1), keyRange("OW insert", 2, 0, 1)}, Handler: func(c *Client) { c.renameGeneric(true) },
			Group: "generic", Since: "1.0.0", Summary: "Rename a key, only if the new key does not exist", Complexity: "O(1)"},
		{Name: "copy", Arity: -3, Flags: "write denyoom", ACL: "@keyspace @write @slow",
			Keys: []KeySpec{keyRange("RO access", 1, 0, 1), keyRange("OW update", 2, 0, 1)}, Handler: copyCommand, Exclusive: copyNeedsExclusive,
			Group: "generic", Since: "6.2.0", Summary: "Copy a key", Complexity: "O(N) worst case for collections, where N is the number of nested items. O(1) for string values."},
		{Name: "move", Arity: 3, Flags: "write fast exclusive", ACL: "@keyspace @write @fast", Keys: one("RW access update", 1), Handler: moveCommand,
			Group: "generic", Since: "1.0.0", Summary: "Move a key to another database", Complexity: "O(1)"},
		{Name: "swapdb", Arity: 3, Flags: "write fast exclusive", ACL: "@keyspace @write @fast @dangerous", Handler: swapdbCommand,
			Group: "server", Since: "4.0.0", Summary: "Swaps two Redis databases", Complexity: "O(N) where N is the count of clients watching or blocking on keys from both databases."},
		{Name: "keys", Arity: 2, Flags: "readonly exclusive", ACL: "@keyspace @read @slow @dangerous", Tips: []string{"request_policy:all_shards", "nondeterministic_output_order"},
			Handler: keysCommand, Group: "generic", Since: "1.0.0", Summary: "Find all keys matching the given pattern", Complexity: "O(N) with N being the number of keys in the database, under the assumption that the key names in the database and the given pattern have limited length."},
		{Name: "scan", Arity: -2, Flags: "readonly", ACL: "@keyspace @read @slow", Tips: []string{"nondeterministic_output", "request_policy:special"},
			Handler: scanCommand, Group: "generic", Since: "2.8.0", Summary: "Incrementally iterate the keys space", Complexity: "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection."},
		{Name: "randomkey", Arity: 1, Flags: "readonly", ACL: "@keyspace @read @slow", Tips: []string{"request_policy:all_shards", "nondeterministic_output"},
			Handler: randomkeyCommand, Group: "generic", Since: "1.0.0", Summary: "Return a random key from the keyspace", Complexity: "O(1)"},
		objectCommand(),
	}
}

func delCommand(c *Client) {
	n := int64(0)
	for _, k := range c.argv[1:] {
		if c.db.Delete(k, c.now) {
			c.modified(k)
			c.notify(config.NotifyGeneric, "del", k)
			n++
		}
	}
	c.addInt(n)
}

func existsCommand(c *Client) { c.addInt(c.countExisting(keyspace.NoTouch)) }

// countExisting counts the keys in argv[1:] that exist, a key named twice
// counting twice (EXISTS, TOUCH); flags say what the lookups update.
func (c *Client) countExisting(flags keyspace.LookupFlags) int64 {
	n := int64(0)
	for _, k := range c.argv[1:] {
		if c.db.Lookup(k, c.now, flags).Exists() {
			n++
		}
	}
	return n
}

// Flags of EXPIRE's NX/XX/GT/LT option.
const (
	expireNX = 1 << iota
	expireXX
	expireGT
	expireLT
)

var expireWords = []keyword{{"nx", expireNX}, {"xx", expireXX}, {"gt", expireGT}, {"lt", expireLT}}

// expireGeneric implements EXPIRE, PEXPIRE, EXPIREAT and PEXPIREAT: the
// argument times unit (ms) plus base (now for the relative forms).
func (c *Client) expireGeneric(base, unit int64) {
	flags := 0
	for _, a := range c.argv[3:] {
		f := wordFlag(a, expireWords)
		if f == 0 {
			c.addError("ERR Unsupported option " + string(a))
			return
		}
		flags |= f
	}
	if flags&expireNX != 0 && flags&(expireXX|expireGT|expireLT) != 0 {
		c.addError("ERR NX and XX, GT or LT options at the same time are not compatible")
		return
	}
	if flags&expireGT != 0 && flags&expireLT != 0 {
		c.addError("ERR GT and LT options at the same time are not compatible")
		return
	}
	when, ok := c.argInt(2)
	if !ok {
		return
	}
	if unit == 1000 {
		if when > math.MaxInt64/1000 || when < math.MinInt64/1000 {
			c.addError("ERR invalid expire time in '" + c.cmd.fullName + "' command")
			return
		}
		when *= 1000
	}
	if when > math.MaxInt64-base {
		c.addError("ERR invalid expire time in '" + c.cmd.fullName + "' command")
		return
	}
	when += base
	key := c.argv[1]
	e := c.db.Lookup(key, c.now, keyspace.NoStats)
	if !e.Exists() {
		c.addInt(0)
		return
	}
	cur := e.ExpireAt()
	if (flags&expireNX != 0 && cur != 0) || (flags&expireXX != 0 && cur == 0) ||
		(flags&expireGT != 0 && (cur == 0 || when <= cur)) || (flags&expireLT != 0 && cur != 0 && when >= cur) {
		c.addInt(0)
		return
	}
	if when <= c.now && !c.srv.keepsExpiredKeys() {
		c.db.Delete(key, c.now)
		c.modified(key)
		c.notify(config.NotifyGeneric, "del", key)
		c.propArgv = [][]byte{[]byte("DEL"), key}
		c.addInt(1)
		return
	}
	c.db.SetExpire(key, when)
	c.modified(key)
	c.notify(config.NotifyGeneric, "expire", key)
	c.propArgv = [][]byte{[]byte("PEXPIREAT"), key, []byte(itoa(when))}
	c.addInt(1)
}

// ttlGeneric implements TTL, PTTL, EXPIRETIME and PEXPIRETIME.
func (c *Client) ttlGeneric(ms, absolute bool) {
	e := c.db.Lookup(c.argv[1], c.now, keyspace.NoTouch)
	if !e.Exists() {
		c.addInt(-2)
		return
	}
	exp := e.ExpireAt()
	if exp == 0 {
		c.addInt(-1)
		return
	}
	v := exp
	if !absolute {
		v = max(exp-c.now, 0)
	}
	if !ms {
		v = (v + 500) / 1000
	}
	c.addInt(v)
}

func persistCommand(c *Client) {
	key := c.argv[1]
	if !c.db.Lookup(key, c.now, keyspace.NoStats).Exists() || !c.db.Persist(key) {
		c.addInt(0)
		return
	}
	c.modified(key)
	c.notify(config.NotifyGeneric, "persist", key)
	c.addInt(1)
}

func typeCommand(c *Client) {
	e := c.db.Lookup(c.argv[1], c.now, keyspace.NoTouch)
	c.addSimple(e.Type().String())
}
