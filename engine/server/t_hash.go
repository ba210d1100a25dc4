package server

import (
	"math"
	"math/big"
	"math/rand/v2"
	"strconv"

	"github.com/redisctl/redisctl/engine/config"
	"github.com/redisctl/redisctl/engine/keyspace"
	"github.com/redisctl/redisctl/engine/resp"
	"github.com/redisctl/redisctl/engine/types"
)

// Hash commands (Redis's t_hash.c).

func hashCommands() []*Command {
	return withArgs([]*Command{
		{Name: "hset", Arity: -4, Flags: "write denyoom fast", ACL: "@write @hash @fast",
			Keys: []KeySpec{{Flags: "RW update", Index: 1, KeyStep: 1}}, Handler: hsetCommand,
			Group: "hash", Since: "2.0.0", Summary: "Set the string value of a hash field", Complexity: "O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is called with multiple field/value pairs."},
		{Name: "hsetnx", Arity: 4, Flags: "write denyoom fast", ACL: "@write @hash @fast",
			Keys: []KeySpec{{Flags: "RW insert", Index: 1, KeyStep: 1}}, Handler: hsetnxCommand,
			Group: "hash", Since: "2.0.0", Summary: "Set the value of a hash field, only if the field does not exist", Complexity: "O(1)"},
		{Name: "hget", Arity: 3, Flags: "readonly fast", ACL: "@read @hash @fast",
			Keys: []KeySpec{{Flags: "RO access", Index: 1, KeyStep: 1}}, Handler: hgetCommand,
			Group: "hash", Since: "2.0.0", Summary: "Get the value of a hash field", Complexity: "O(1)"},
		{Name: "hmget", Arity: -3, Flags: "readonly fast", ACL: "@read @hash @fast",
			Keys: []KeySpec{{Flags: "RO access", Index: 1, KeyStep: 1}}, Handler: hmgetCommand,
			Group: "hash", Since: "2.0.0", Summary: "Get the values of all the given hash fields", Complexity: "O(N) where N is the number of fields being requested."},
		{Name: "hmset", Arity: -4, Flags: "write denyoom fast", ACL: "@write @hash @fast",
			Keys: []KeySpec{{Flags: "RW update", Index: 1, KeyStep: 1}}, Handler: hmsetCommand,
			Group: "hash", Since: "2.0.0", Summary: "Set multiple hash fields to multiple values", Complexity: "O(N) where N is the number of fields being set."},
		{Name: "hdel", Arity: -3, Flags: "write fast", ACL: "@write @hash @fast",
			Keys: []KeySpec{{Flags: "RW delete", Index: 1, KeyStep: 1}}, Handler: hdelCommand,
			Group: "hash", Since: "2.0.0", Summary: "Delete one or more hash fields", Complexity: "O(N) where N is the number of fields to be removed."},
		{Name: "hexists", Arity: 3, Flags: "readonly fast", ACL: "@read @hash @fast",
			Keys: []KeySpec{{Flags: "RO", Index: 1, KeyStep: 1}}, Handler: hexistsCommand,
			Group: "hash", Since: "2.0.0", Summary: "Determine if a hash field exists", Complexity: "O(1)"},
		{Name: "hlen", Arity: 2, Flags: "readonly fast", ACL: "@read @hash @fast",
			Keys: []KeySpec{{Flags: "RO", Index: 1, KeyStep: 1}}, Handler: hlenCommand,
			Group: "hash", Since: "2.0.0", Summary: "Get the number of fields in a hash", Complexity: "O(1)"},
		{Name: "hstrlen", Arity: 3, Flags: "readonly fast", ACL: "@read @hash @fast",
			Keys: []KeySpec{{Flags: "RO", Index: 1, KeyStep: 1}}, Handler: hstrlenCommand,
			Group: "hash", Since: "3.2.0", Summary: "Get the length of the value of a hash field", Complexity: "O(1)"},
		{Name: "hkeys", Arity: 2, Flags: "readonly", ACL: "@read @hash @slow", Tips: []string{"nondeterministic_output_order"},
			Keys: []KeySpec{{Flags: "RO access", Index: 1, KeyStep: 1}}, Handler: hkeysCommand,
			Group: "hash", Since: "2.0.0", Summary: "Get all the fields in a hash", Complexity: "O(N) where N is the size of the hash."},
		{Name: "hvals", Arity: 2, Flags: "readonly", ACL: "@read @hash @slow", Tips: []string{"nondeterministic_output_order"},
			Keys: []KeySpec{{Flags: "RO access", Index: 1, KeyStep: 1}}, Handler: hvalsCommand,
			Group: "hash", Since: "2.0.0", Summary: "Get all the values in a hash", Complexity: "O(N) where N is the size of the hash."},
		{Name: "hgetall", Arity: 2, Flags: "readonly", ACL: "@read @hash @slow", Tips: []string{"nondeterministic_output_order"},
			Keys: []KeySpec{{Flags: "RO access", Index: 1, KeyStep: 1}}, Handler: hgetallCommand,
			Group: "hash", Since: "2.0.0", Summary: "Get all the fields and values in a hash", Complexity: "O(N) where N is the size of the hash."},
		{Name: "hincrby", Arity: 4, Flags: "write denyoom fast", ACL: "@write @hash @fast",
			Keys: []KeySpec{{Flags: "RW access update", Index: 1, KeyStep: 1}}, Handler: hincrbyCommand,
			Group: "hash", Since: "2.0.0", Summary: "Increment the integer value of a hash field by the given number", Complexity: "O(1)"},
		{Name: "hincrbyfloat", Arity: 4, Flags: "write denyoom fast", ACL: "@write @hash @fast",
			Keys: []KeySpec{{Flags: "RW access update", Index: 1, KeyStep: 1}}, Handler: hincrbyfloatCommand,
			Group: "hash", Since: "2.6.0", Summary: "Increment the float value of a hash field by the given amount", Complexity: "O(1)"},
		{Name: "hrandfield", Arity: -2, Flags: "readonly", ACL: "@read @hash @slow", Tips: []string{"nondeterministic_output"},
			Keys: []KeySpec{{Flags: "RO access", Index: 1, KeyStep: 1}}, Handler: hrandfieldCommand,
			Group: "hash", Since: "6.2.0", Summary: "Get one or multiple random fields from a hash", Complexity: "O(N) where N is the number of fields returned"},
		{Name: "hscan", Arity: -3, Flags: "readonly", ACL: "@read @hash @slow", Tips: []string{"nondeterministic_output"},
			Keys: []KeySpec{{Flags: "RO access", Index: 1, KeyStep: 1}}, Handler: hscanCommand,
			Group: "hash", Since: "2.8.0", Summary: "Incrementally iterate hash fields and associated values", Complexity: "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.."},
	})
}

// hashForWrite returns key's hash for a change, or a new empty one.
func (c *Client) hashForWrite(key []byte) (keyspace.Entry, types.Hash, bool) {
	e, ok := c.writeEntry(key, keyspace.TypeHash)
	if !ok {
		return e, nil, false
	}
	if e.Exists() {
		return e, e.Object().(types.Hash), true
	}
	return e, types.NewHash(), true
}

// hashForRead returns key's hash, nil when missing; ok is false after a
// WRONGTYPE reply.
func (c *Client) hashForRead(key []byte) (types.Hash, bool) {
	obj, ok := c.readObject(key, keyspace.TypeHash)
	if obj == nil {
		return nil, ok
	}
	return obj.(types.Hash), true
}

func hsetCommand(c *Client) { c.hsetGeneric(false) }

func hmsetCommand(c *Client) { c.hsetGeneric(true) }

func (c *Client) hsetGeneric(hmset bool) {
	if len(c.argv)%2 == 1 {
		c.addErrorArity()
		return
	}
	key := c.argv[1]
	e, h, ok := c.hashForWrite(key)
	if !ok {
		return
	}
	if !e.Exists() && len(c.argv) > 4 {
		h = types.NewHashFor(c.argv[2:])
	}
	old, lim := h, c.limits()
	if h.Compact() {
		for _, a := range c.argv[2:] {
			if !types.HashFits(len(a), lim) {
				h = types.ConvertHash(h)
				break
			}
		}
	}
	created := 0
	for i := 2; i < len(c.argv); i += 2 {
		var isNew bool
		h, isNew = h.Set(c.argv[i], c.argv[i+1], lim)
		if isNew {
			created++
		}
	}
	c.storeObject(key, e, old, h, h.Len())
	c.modified(key)
	c.notify(config.NotifyHash, "hset", key)
	if hmset {
		c.addOK()
	} else {
		c.addInt(int64(created))
	}
}

func hsetnxCommand(c *Client) {
	key := c.argv[1]
	e, h, ok := c.hashForWrite(key)
	if !ok {
		return
	}
	if _, exists := h.Get(c.argv[2]); exists {
		c.addInt(0)
		return
	}
	old := h
	h, _ = h.Set(c.argv[2], c.argv[3], c.limits())
	c.storeObject(key, e, old, h, h.Len())
	c.modified(key)
	c.notify(config.NotifyHash, "hset", key)
	c.addInt(1)
}

func hgetCommand(c *Client) {
	obj, ok := c.readOrReply(c.argv[1], keyspace.TypeHash, c.addNull)
	if !ok {
		return
	}
	h := obj.(types.Hash)
	if v, found := h.Get(c.argv[2]); found {
		c.addValue(v)
		return
	}
	c.addNull()
}

func hmgetCommand(c *Client) {
	h, ok := c.hashForRead(c.argv[1])
	if !ok {
		return
	}
	c.addArrayLen(len(c.argv) - 2)
	for _, f := range c.argv[2:] {
		if h != nil {
			if v, found := h.Get(f); found {
				c.addValue(v)
				continue
			}
		}
		c.addNull()
	}
}

func hdelCommand(c *Client) {
	removeMembers(c, keyspace.TypeHash, config.NotifyHash, "hdel", types.Hash.Delete)
}

func hlenCommand(c *Client) { c.cardCommand(keyspace.TypeHash) }

func hstrlenCommand(c *Client) {
	h, ok := c.hashForRead(c.argv[1])
	if !ok {
		return
	}
	var buf [20]byte
	if h != nil {
		if v, found := h.Get(c.argv[2]); found {
			c.addInt(int64(len(v.Bytes(buf[:0]))))
			return
		}
	}
	c.addInt(0)
}

func hexistsCommand(c *Client) {
	h, ok := c.hashForRead(c.argv[1])
	if !ok {
		return
	}
	if h != nil {
		if _, found := h.Get(c.argv[2]); found {
			c.addInt(1)
			return
		}
	}
	c.addInt(0)
}

const (
	hashKeys = 1 << iota
	hashVals
)

func hkeysCommand(c *Client)   { c.hgetallGeneric(hashKeys) }
func hvalsCommand(c *Client)   { c.hgetallGeneric(hashVals) }
func hgetallCommand(c *Client) { c.hgetallGeneric(hashKeys | hashVals) }

func (c *Client) hgetallGeneric(what int) {
	h, ok := c.hashForRead(c.argv[1])
	if !ok {
		return
	}
	n := 0
	if h != nil {
		n = h.Len()
	}
	if what == hashKeys|hashVals {
		c.addMapLen(n)
	} else {
		c.addArrayLen(n)
	}
	if h == nil {
		return
	}
	h.EachValue(func(f, v types.Value) bool {
		if what&hashKeys != 0 {
			c.addValue(f)
		}
		if what&hashVals != 0 {
			c.addValue(v)
		}
		return true
	})
}

func hincrbyCommand(c *Client) {
	incr, ok := c.argInt(3)
	if !ok {
		return
	}
	key := c.argv[1]
	e, h, ok := c.hashForWrite(key)
	if !ok {
		return
	}
	var value int64
	var buf [20]byte
	if v, found := h.Get(c.argv[2]); found {
		if value, ok = resp.ParseInt(v.Bytes(buf[:0])); !ok {
			c.addError("ERR hash value is not an integer")
			return
		}
	}
	if (incr < 0 && value < 0 && incr < math.MinInt64-value) || (incr > 0 && value > 0 && incr > math.MaxInt64-value) {
		c.addError(errOverflow)
		return
	}
	value += incr
	old := h
	h, _ = h.Set(c.argv[2], formatIntBuf(buf[:0], value), c.limits())
	c.storeObject(key, e, old, h, h.Len())
	c.modified(key)
	c.notify(config.NotifyHash, "hincrby", key)
	c.addInt(value)
}

func hincrbyfloatCommand(c *Client) {
	incr, ok := parseLongDouble(c.argv[3])
	if !ok {
		c.addError(errNotFloat)
		return
	}
	if incr.IsInf() {
		c.addError("ERR value is NaN or Infinity")
		return
	}
	key := c.argv[1]
	e, h, ok := c.hashForWrite(key)
	if !ok {
		return
	}
	value := new(big.Float)
	var buf [20]byte
	if v, found := h.Get(c.argv[2]); found {
		if value, ok = parseLongDouble(v.Bytes(buf[:0])); !ok {
			c.addError("ERR hash value is not a float")
			return
		}
	}
	sum, ok := addLongDouble(value, incr)
	if !ok {
		c.addError("ERR increment would produce NaN or Infinity")
		return
	}
	out := []byte(formatLongDouble(sum))
	old := h
	h, _ = h.Set(c.argv[2], out, c.limits())
	c.storeObject(key, e, old, h, h.Len())
	c.modified(key)
	c.notify(config.NotifyHash, "hincrbyfloat", key)
	c.addBulk(out)
	// Replicas and the AOF get the result, not the increment.
	c.propArgv = [][]byte{[]byte("HSET"), key, c.argv[2], out}
}

func hscanCommand(c *Client) {
	obj, a, ok := c.scanCollection(keyspace.TypeHash)
	if !ok {
		return
	}
	h := obj.(types.Hash)
	c.scanReply(a, func(cursor uint64, emit func(el ...[]byte)) uint64 {
		return h.Scan(cursor, func(f, v []byte) { emit(f, v) })
	})
}

func formatIntBuf(buf []byte, v int64) []byte { return strconv.AppendInt(buf[:0], v, 10) }

func hrandfieldCommand(c *Client) {
	if len(c.argv) >= 3 {
		if l, withValues, ok := c.parseRandCount("withvalues"); ok {
			c.hrandfieldWithCount(l, withValues)
		}
		return
	}
	obj, ok := c.readOrReply(c.argv[1], keyspace.TypeHash, c.addNull)
	if !ok {
		return
	}
	h := obj.(types.Hash)
	var fb, vb [20]byte
	f, _ := h.Random(fb[:0], vb[:0])
	c.addBulk(f)
}

func (c *Client) hrandfieldWithCount(l int64, withValues bool) {
	h, ok := c.hashForRead(c.argv[1])
	if !ok {
		return
	}
	if h == nil || l == 0 {
		c.addArrayLen(0)
		return
	}
	pair := func(f, v []byte) {
		c.addPairHeader(withValues)
		c.addBulk(f)
		if withValues {
			c.addBulk(v)
		}
	}
	replyLen := func(n int) { c.addArrayLen(c.pairsLen(n, withValues)) }
	size := h.Len()
	if l < 0 || l == 1 {
		count := int(-l)
		if l == 1 {
			count = 1
		}
		replyLen(count)
		var fb, vb [20]byte
		for i := 0; i < count; i++ {
			f, v := h.Random(fb[:0], vb[:0])
			pair(f, v)
		}
		return
	}
	count := int(min(l, int64(size)))
	replyLen(count)
	if count >= size {
		h.Each(func(f, v []byte) bool {
			pair(f, v)
			return true
		})
		return
	}
	type fv struct{ f, v []byte }
	all := make([]fv, 0, size)
	h.Each(func(f, v []byte) bool {
		all = append(all, fv{append([]byte(nil), f...), append([]byte(nil), v...)})
		return true
	})
	for i := 0; i < count; i++ {
		j := i + rand.IntN(len(all)-i)
		all[i], all[j] = all[j], all[i]
		pair(all[i].f, all[i].v)
	}
}
