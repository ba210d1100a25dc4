package server

import (
	"time"

	"github.com/redisctl/redisctl/engine/config"
	"github.com/redisctl/redisctl/engine/keyspace"
	"github.com/redisctl/redisctl/engine/resp"
	"github.com/redisctl/redisctl/engine/types"
)

// List commands (Redis's t_list.c), blocking variants included.

func listCommands() []*Command {
	return withArgs([]*Command{
		{Name: "lpush", Arity: -3, Flags: "write denyoom fast", ACL: "@write @list @fast",
			Keys: []KeySpec{{Flags: "RW insert", Index: 1, KeyStep: 1}}, Handler: lpushCommand,
			Group: "list", Since: "1.0.0", Summary: "Prepend one or multiple elements to a list", Complexity: "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments."},
		{Name: "rpush", Arity: -3, Flags: "write denyoom fast", ACL: "@write @list @fast",
			Keys: []KeySpec{{Flags: "RW insert", Index: 1, KeyStep: 1}}, Handler: rpushCommand,
			Group: "list", Since: "1.0.0", Summary: "Append one or multiple elements to a list", Complexity: "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments."},
		{Name: "lpushx", Arity: -3, Flags: "write denyoom fast", ACL: "@write @list @fast",
			Keys: []KeySpec{{Flags: "RW insert", Index: 1, KeyStep: 1}}, Handler: lpushxCommand,
			Group: "list", Since: "2.2.0", Summary: "Prepend an element to a list, only if the list exists", Complexity: "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments."},
		{Name: "rpushx", Arity: -3, Flags: "write denyoom fast", ACL: "@write @list @fast",
			Keys: []KeySpec{{Flags: "RW insert", Index: 1, KeyStep: 1}}, Handler: rpushxCommand,
			Group: "list", Since: "2.2.0", Summary: "Append an element to a list, only if the list exists", Complexity: "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments."},
		{Name: "lpop", Arity: -2, Flags: "write fast", ACL: "@write @list @fast",
			Keys: []KeySpec{{Flags: "RW access delete", Index: 1, KeyStep: 1}}, Handler: lpopCommand,
			Group: "list", Since: "1.0.0", Summary: "Remove and get the first elements in a list", Complexity: "O(N) where N is the number of elements returned"},
		{Name: "rpop", Arity: -2, Flags: "write fast", ACL: "@write @list @fast",
			Keys: []KeySpec{{Flags: "RW access delete", Index: 1, KeyStep: 1}}, Handler: rpopCommand,
			Group: "list", Since: "1.0.0", Summary: "Remove and get the last elements in a list", Complexity: "O(N) where N is the number of elements returned"},
		{Name: "llen", Arity: 2, Flags: "readonly fast", ACL: "@read @list @fast",
			Keys: []KeySpec{{Flags: "RO", Index: 1, KeyStep: 1}}, Handler: llenCommand,
			Group: "list", Since: "1.0.0", Summary: "Get the length of a list", Complexity: "O(1)"},
		{Name: "lindex", Arity: 3, Flags: "readonly", ACL: "@read @list @slow",
			Keys: []KeySpec{{Flags: "RO access", Index: 1, KeyStep: 1}}, Handler: lindexCommand,
			Group: "list", Since: "1.0.0", Summary: "Get an element from a list by its index", Complexity: "O(N) where N is the number of elements to traverse to get to the element at index. This makes asking for the first or the last element of the list O(1)."},
		{Name: "lset", Arity: 4, Flags: "write denyoom", ACL: "@write @list @slow",
			Keys: []KeySpec{{Flags: "RW update", Index: 1, KeyStep: 1}}, Handler: lsetCommand,
			Group: "list", Since: "1.0.0", Summary: "Set the value of an element in a list by its index", Complexity: "O(N) where N is the length of the list. Setting either the first or the last element of the list is O(1)."},
		{Name: "lrange", Arity: 4, Flags: "readonly", ACL: "@read @list @slow",
			Keys: []KeySpec{{Flags: "RO access", Index: 1, KeyStep: 1}}, Handler: lrangeCommand,
			Group: "list", Since: "1.0.0", Summary: "Get a range of elements from a list", Complexity: "O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the specified range."},
		{Name: "ltrim", Arity: 4, Flags: "write", ACL: "@write @list @slow",
			Keys: []KeySpec{{Flags: "RW delete", Index: 1, KeyStep: 1}}, Handler: ltrimCommand,
			Group: "list", Since: "1.0.0", Summary: "Trim a list to the specified range", Complexity: "O(N) where N is the number of elements to be removed by the operation."},
		{Name: "linsert", Arity: 5, Flags: "write denyoom", ACL: "@write @list @slow",
			Keys: []KeySpec{{Flags: "RW insert", Index: 1, KeyStep: 1}}, Handler: linsertCommand,
			Group: "list", Since: "2.2.0", Summary: "Insert an element before or after another element in a list", Complexity: "O(N) where N is the number of elements to traverse before seeing the value pivot. This means that inserting somewhere on the left end on the list (head) can be considered O(1) and inserting somewhere on the right end (tail) is O(N)."},
		{Name: "lrem", Arity: 4, Flags: "write", ACL: "@write @list @slow",
			Keys: []KeySpec{{Flags: "RW delete", Index: 1, KeyStep: 1}}, Handler: lremCommand,
			Group: "list", Since: "1.0.0", Summary: "Remove elements from a list", Complexity: "O(N+M) where N is the length of the list and M is the number of elements removed."},
		{Name: "lpos", Arity: -3, Flags: "readonly", ACL: "@read @list @slow",
			Keys: []KeySpec{{Flags: "RO access", Index: 1, KeyStep: 1}}, Handler: lposCommand,
			Group: "list", Since: "6.0.6", Summary: "Return the index of matching elements on a list", Complexity: "O(N) where N is the number of elements in the list, for the average case. When searching for elements near the head or the tail of the list, or when the MAXLEN option is provided, the command may run in constant time."},
		{Name: "lmove", Arity: 5, Flags: "write denyoom", ACL: "@write @list @slow",
			Keys: []KeySpec{{Flags: "RW access delete", Index: 1, KeyStep: 1}, {Flags: "RW insert", Index: 2, KeyStep: 1}}, Handler: lmoveCommand,
			Group: "list", Since: "6.2.0", Summary: "Pop an element from a list, push it to another list and return it", Complexity: "O(1)"},
		{Name: "rpoplpush", Arity: 3, Flags: "write denyoom", ACL: "@write @list @slow",
			Keys: []KeySpec{{Flags: "RW access delete", Index: 1, KeyStep: 1}, {Flags: "RW insert", Index: 2, KeyStep: 1}}, Handler: rpoplpushCommand,
			Group: "list", Since: "1.2.0", Summary: "Remove the last element in a list, prepend it to another list and return it", Complexity: "O(1)"},
		{Name: "lmpop", Arity: -4, Flags: "write movablekeys", ACL: "@write @list @slow",
			Keys: []KeySpec{{Flags: "RW access delete", Index: 1, KeyNum: true, KeyNumIdx: 0, FirstKey: 1, KeyStep: 1}}, Handler: lmpopCommand,
			Group: "list", Since: "7.0.0", Summary: "Pop elements from a list", Complexity: "O(N+M) where N is the number of provided keys and M is the number of elements returned."},
		{Name: "blpop", Arity: -3, Flags: "write noscript blocking", ACL: "@write @list @slow @blocking",
			Keys: []KeySpec{{Flags: "RW access delete", Index: 1, LastKey: -2, KeyStep: 1}}, Handler: blpopCommand,
			Group: "list", Since: "2.0.0", Summary: "Remove and get the first element in a list, or block until one is available", Complexity: "O(N) where N is the number of provided keys."},
		{Name: "brpop", Arity: -3, Flags: "write noscript blocking", ACL: "@write @list @slow @blocking",
			Keys: []KeySpec{{Flags: "RW access delete", Index: 1, LastKey: -2, KeyStep: 1}}, Handler: brpopCommand,
			Group: "list", Since: "2.0.0", Summary: "Remove and get the last element in a list, or block until one is available", Complexity: "O(N) where N is the number of provided keys."},
		{Name: "blmove", Arity: 6, Flags: "write denyoom noscript blocking", ACL: "@write @list @slow @blocking",
			Keys: []KeySpec{{Flags: "RW access delete", Index: 1, KeyStep: 1}, {Flags: "RW insert", Index: 2, KeyStep: 1}}, Handler: blmoveCommand,
			Group: "list", Since: "6.2.0", Summary: "Pop an element from a list, push it to another list and return it; or block until one is available", Complexity: "O(1)"},
		{Name: "brpoplpush", Arity: 4, Flags: "write denyoom noscript blocking", ACL: "@write @list @slow @blocking",
			Keys: []KeySpec{{Flags: "RW access delete", Index: 1, KeyStep: 1}, {Flags: "RW insert", Index: 2, KeyStep: 1}}, Handler: brpoplpushCommand,
			Group: "list", Since: "2.2.0", Summary: "Pop an element from a list, push it to another list and return it; or block until one is available", Complexity: "O(1)"},
		{Name: "blmpop", Arity: -5, Flags: "write blocking movablekeys", ACL: "@write @list @slow @blocking",
			Keys: []KeySpec{{Flags: "RW access delete", Index: 2, KeyNum: true, KeyNumIdx: 0, FirstKey: 1, KeyStep: 1}}, Handler: blmpopCommand,
			Group: "list", Since: "7.0.0", Summary: "Pop elements from a list, or block until one is available", Complexity: "O(N+M) where N is the number of provided keys and M is the number of elements returned."},
	})
}

const (
	listHead = iota // LEFT
	listTail        // RIGHT
)

// listForRead returns key's list, nil when missing; ok is false after a
// WRONGTYPE reply.
func (c *Client) listForRead(key []byte) (*types.List, bool) {
	obj, ok := c.readObject(key, keyspace.TypeList)
	if obj == nil {
		return nil, ok
	}
	return obj.(*types.List), true
}

// listForWrite returns key's list (nil when missing) for a change.
func (c *Client) listForWrite(key []byte) (keyspace.Entry, *types.List, bool) {
	e, ok := c.writeEntry(key, keyspace.TypeList)
	if !ok || !e.Exists() {
		return e, nil, ok
	}
	return e, e.Object().(*types.List), true
}

func lpushCommand(c *Client)  { c.pushGeneric(listHead, false) }
func rpushCommand(c *Client)  { c.pushGeneric(listTail, false) }
func lpushxCommand(c *Client) { c.pushGeneric(listHead, true) }
func rpushxCommand(c *Client) { c.pushGeneric(listTail, true) }

func (c *Client) pushGeneric(where int, xx bool) {
	key := c.argv[1]
	e, l, ok := c.listForWrite(key)
	if !ok {
		return
	}
	if l == nil {
		if xx {
			c.addInt(0)
			return
		}
		l = types.NewList(c.limits())
	}
	for _, v := range c.argv[2:] {
		if where == listHead {
			l.PushHead(v)
		} else {
			l.PushTail(v)
		}
	}
	c.storeObject(key, e, l, l, l.Len())
	c.addInt(int64(l.Len()))
	c.modified(key)
	if where == listHead {
		c.notify(config.NotifyList, "lpush", key)
	} else {
		c.notify(config.NotifyList, "rpush", key)
	}
	c.keyReady(key)
}

func linsertCommand(c *Client) {
	var after bool
	switch {
	case argIs(c.argv[2], "after"):
		after = true
	case argIs(c.argv[2], "before"):
	default:
		c.addError(errSyntax)
		return
	}
	key := c.argv[1]
	e, ok := c.writeOrReply(key, keyspace.TypeList, c.addZero)
	if !ok {
		return
	}
	l := e.Object().(*types.List)
	for it := l.Iter(0, true); it.Valid(); it.Next() {
		if it.Equal(c.argv[3]) {
			it.InsertAt(c.argv[4], after)
			c.storeObject(key, e, l, l, l.Len())
			c.modified(key)
			c.notify(config.NotifyList, "linsert", key)
			c.addInt(int64(l.Len()))
			return
		}
	}
	c.addInt(-1)
}

func llenCommand(c *Client) { c.cardCommand(keyspace.TypeList) }

func lindexCommand(c *Client) {
	obj, ok := c.readOrReply(c.argv[1], keyspace.TypeList, c.addNull)
	if !ok {
		return
	}
	l := obj.(*types.List)
	index, ok := c.argInt(2)
	if !ok {
		return
	}
	var buf [20]byte
	if v, found := l.Index(int(index), buf[:0]); found {
		c.addBulk(v)
		return
	}
	c.addNull()
}

func lsetCommand(c *Client) {
	key := c.argv[1]
	e, ok := c.writeOrReply(key, keyspace.TypeList, func() { c.addError(errNoSuchKey) })
	if !ok {
		return
	}
	l := e.Object().(*types.List)
	index, ok := c.argInt(2)
	if !ok {
		return
	}
	if !l.Set(int(index), c.argv[3]) {
		c.addError(errOutOfRange)
		return
	}
	c.storeObject(key, e, l, l, l.Len())
	c.modified(key)
	c.notify(config.NotifyList, "lset", key)
	c.addOK()
}

// rankRange normalizes the start/end indexes of LRANGE, ZRANGE and
// ZREMRANGEBYRANK over llen elements (negative ones count from the end)
// as Redis's addListRangeReply does, and returns the first index and the
// count (0: empty).
func rankRange(start, end int64, llen int) (int, int) {
	n := int64(llen)
	if start < 0 {
		start += n
	}
	if end < 0 {
		end += n
	}
	if start < 0 {
		start = 0
	}
	if start > end || start >= n {
		return 0, 0
	}
	if end >= n {
		end = n - 1
	}
	return int(start), int(end - start + 1)
}

// addListRange replies count elements from index start, towards the tail
// or (reverse) from start towards the head.
func (c *Client) addListRange(l *types.List, start, count int, reverse bool) {
	c.addArrayLen(count)
	if !reverse && count > 0 {
		l.Range(start, count, c.addValue)
		return
	}
	var buf [20]byte
	for it := l.Iter(start, !reverse); it.Valid() && count > 0; it.Next() {
		c.addBulk(it.Value(buf[:0]))
		count--
	}
}

func lrangeCommand(c *Client) {
	start, end, ok := c.argIntPair(2)
	if !ok {
		return
	}
	obj, ok := c.readOrReply(c.argv[1], keyspace.TypeList, func() { c.addArrayLen(0) })
	if !ok {
		return
	}
	l := obj.(*types.List)
	first, n := rankRange(start, end, l.Len())
	c.addListRange(l, first, n, false)
}

func ltrimCommand(c *Client) {
	start, end, ok := c.argIntPair(2)
	if !ok {
		return
	}
	key := c.argv[1]
	e, ok := c.writeOrReply(key, keyspace.TypeList, c.addOK)
	if !ok {
		return
	}
	l := e.Object().(*types.List)
	llen := l.Len()
	first, n := rankRange(start, end, llen)
	ltrim, rtrim := first, llen-first-n
	if n == 0 {
		ltrim, rtrim = llen, 0
	}
	l.DeleteRange(0, ltrim)
	l.DeleteRange(l.Len()-rtrim, rtrim)
	c.notify(config.NotifyList, "ltrim", key)
	c.storeObject(key, e, l, l, l.Len())
	c.modified(key)
	c.addOK()
}

func lremCommand(c *Client) {
	toRemove, ok := c.argInt(2)
	if !ok {
		return
	}
	key := c.argv[1]
	e, ok := c.writeOrReply(key, keyspace.TypeList, c.addZero)
	if !ok {
		return
	}
	l := e.Object().(*types.List)
	forward := true
	start := 0
	if toRemove < 0 {
		toRemove = -toRemove
		forward = false
		start = l.Len() - 1
	}
	removed := int64(0)
	for it := l.Iter(start, forward); it.Valid(); {
		if !it.Equal(c.argv[3]) {
			it.Next()
			continue
		}
		it.Delete()
		removed++
		if toRemove != 0 && removed == toRemove {
			break
		}
	}
	if removed > 0 {
		c.modified(key)
		c.notify(config.NotifyList, "lrem", key)
		c.storeObject(key, e, l, l, l.Len())
	}
	c.addInt(removed)
}

func lposCommand(c *Client) {
	rank, count, maxlen := int64(1), int64(-1), int64(0)
	for j := 3; j < len(c.argv); j++ {
		more := j < len(c.argv)-1
		var ok bool
		switch {
		case argIs(c.argv[j], "rank") && more:
			j++
			if rank, ok = c.argInt(j); !ok {
				return
			}
			if rank == 0 {
				c.addError("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list")
				return
			}
		case argIs(c.argv[j], "count") && more:
			j++
			if count, ok = c.argPositive(j, "COUNT can't be negative"); !ok {
				return
			}
		case argIs(c.argv[j], "maxlen") && more:
			j++
			if maxlen, ok = c.argPositive(j, "MAXLEN can't be negative"); !ok {
				return
			}
		default:
			c.addError(errSyntax)
			return
		}
	}
	forward := true
	if rank < 0 {
		rank = -rank
		forward = false
	}
	l, ok := c.listForRead(c.argv[1])
	if !ok {
		return
	}
	if l == nil {
		if count != -1 {
			c.addArrayLen(0)
		} else {
			c.addNull()
		}
		return
	}
	var pos int
	if count != -1 {
		pos = c.deferLen()
	}
	start := 0
	if !forward {
		start = l.Len() - 1
	}
	llen := int64(l.Len())
	var index, matches, arraylen int64
	match := int64(-1)
	for it := l.Iter(start, forward); it.Valid() && (maxlen == 0 || index < maxlen); it.Next() {
		if it.Equal(c.argv[2]) {
			matches++
			match = index
			if !forward {
				match = llen - index - 1
			}
			if matches >= rank {
				if count == -1 {
					break
				}
				arraylen++
				c.addInt(match)
				if count != 0 && matches-rank+1 >= count {
					break
				}
			}
		}
		index++
		match = -1
	}
	switch {
	case count != -1:
		c.setDeferredArrayLen(pos, int(arraylen))
	case match != -1:
		c.addInt(match)
	default:
		c.addNull()
	}
}

func lpopCommand(c *Client) { c.popGeneric(listHead) }
func rpopCommand(c *Client) { c.popGeneric(listTail) }

func (c *Client) popGeneric(where int) {
	hasCount := len(c.argv) == 3
	var count int64
	if len(c.argv) > 3 {
		c.addErrorArity()
		return
	} else if hasCount {
		var ok bool
		if count, ok = c.argPositive(2, ""); !ok {
			return
		}
	}
	key := c.argv[1]
	e, l, ok := c.listForWrite(key)
	if !ok {
		return
	}
	if l == nil {
		if hasCount {
			c.addNullArray()
		} else {
			c.addNull()
		}
		return
	}
	if hasCount && count == 0 {
		c.addArrayLen(0)
		return
	}
	if !hasCount {
		var buf [64]byte
		v, _ := c.popOne(l, where, buf[:0])
		c.addBulk(v)
		c.listElementsRemoved(key, e, l, where)
		return
	}
	c.popRangeReply(l, where, int(min(count, int64(l.Len()))))
	c.listElementsRemoved(key, e, l, where)
}

func (c *Client) popOne(l *types.List, where int, buf []byte) ([]byte, bool) {
	if where == listHead {
		return l.PopHead(buf)
	}
	return l.PopTail(buf)
}

// popRangeReply replies and removes n elements from one end (from the tail
// they come out last first, as RPOP with a count gives them).
func (c *Client) popRangeReply(l *types.List, where, n int) {
	if where == listHead {
		c.addListRange(l, 0, n, false)
		l.DeleteRange(0, n)
		return
	}
	c.addListRange(l, l.Len()-1, n, true)
	l.DeleteRange(l.Len()-n, n)
}

// listElementsRemoved notifies a pop and deletes the key of an emptied
// list.
func (c *Client) listElementsRemoved(key []byte, e keyspace.Entry, l *types.List, where int) {
	if where == listHead {
		c.notify(config.NotifyList, "lpop", key)
	} else {
		c.notify(config.NotifyList, "rpop", key)
	}
	c.storeObject(key, e, l, l, l.Len())
	c.modified(key)
}

// parseListPosition parses LEFT or RIGHT.
func (c *Client) parseListPosition(arg []byte) (int, bool) { return c.parseKeyword(arg, listEnds) }

var listEnds = []keyword{{"left", listHead}, {"right", listTail}}

func lmoveCommand(c *Client) {
	from, ok := c.parseListPosition(c.argv[3])
	if !ok {
		return
	}
	to, ok := c.parseListPosition(c.argv[4])
	if !ok {
		return
	}
	c.lmoveGeneric(from, to)
}

func rpoplpushCommand(c *Client) { c.lmoveGeneric(listTail, listHead) }

// lmoveGeneric pops from argv[1] and pushes onto argv[2]; it reports
// whether the source had an element (false: nothing was replied yet when
// the source is missing and blocking is possible).
func (c *Client) lmoveGeneric(from, to int) {
	src, dst := c.argv[1], c.argv[2]
	se, sl, ok := c.listForWrite(src)
	if !ok {
		return
	}
	if sl == nil {
		c.addNull()
		return
	}
	c.lmovePop(src, dst, se, sl, from, to)
}

// lmovePop does the move once the source list is known to have elements.
func (c *Client) lmovePop(src, dst []byte, se keyspace.Entry, sl *types.List, from, to int) bool {
	same := string(src) == string(dst)
	de, dl := se, sl
	if !same {
		var ok bool
		if de, dl, ok = c.listForWrite(dst); !ok {
			return false
		}
	}
	var buf [64]byte
	v, _ := c.popOne(sl, from, buf[:0])
	if dl == nil {
		dl = types.NewList(c.limits())
	}
	if to == listHead {
		dl.PushHead(v)
	} else {
		dl.PushTail(v)
	}
	if !same {
		c.storeObject(dst, de, dl, dl, dl.Len())
	}
	c.modified(dst)
	if to == listHead {
		c.notify(config.NotifyList, "lpush", dst)
	} else {
		c.notify(config.NotifyList, "rpush", dst)
	}
	c.addBulk(v)
	c.keyReady(dst)
	c.listElementsRemoved(src, se, sl, from)
	return true
}

// parseMpop parses the arguments of LMPOP, BLMPOP, ZMPOP and BZMPOP from
// argv[i] on: "numkeys key [key ...] LEFT|RIGHT [COUNT count]" (MIN|MAX for
// sorted sets, through pos). count is 1 without COUNT.
func (c *Client) parseMpop(i int, pos func([]byte) (int, bool)) (keys [][]byte, where int, count int64, ok bool) {
	n, ok := resp.ParseInt(c.argv[i])
	if !ok || n < 1 {
		c.addError("ERR numkeys should be greater than 0")
		return nil, 0, 0, false
	}
	keysAt := i + 1
	whereIdx := keysAt + int(min(n, int64(len(c.argv))))
	if whereIdx >= len(c.argv) {
		c.addError(errSyntax)
		return nil, 0, 0, false
	}
	if where, ok = pos(c.argv[whereIdx]); !ok {
		return nil, 0, 0, false
	}
	count = -1
	for j := whereIdx + 1; j < len(c.argv); j++ {
		if count == -1 && argIs(c.argv[j], "count") && j < len(c.argv)-1 {
			j++
			n, ok := resp.ParseInt(c.argv[j])
			if !ok || n < 1 {
				c.addError("ERR count should be greater than 0")
				return nil, 0, 0, false
			}
			count = n
			continue
		}
		c.addError(errSyntax)
		return nil, 0, 0, false
	}
	if count == -1 {
		count = 1
	}
	return c.argv[keysAt:whereIdx], where, count, true
}

func lmpopCommand(c *Client) {
	keys, where, count, ok := c.parseMpop(1, c.parseListPosition)
	if !ok {
		return
	}
	if !c.mpopList(keys, where, count, false) {
		c.addNullArray()
	}
}

// mpopList pops from the first non-empty list of keys (LMPOP, BLPOP...):
// count < 0 replies [key, element], else [key, [elements...]]. It returns
// false when every list is empty (nothing replied), and also after a
// WRONGTYPE reply... reported through replied.
func (c *Client) mpopList(keys [][]byte, where int, count int64, blockingRetry bool) bool {
	for _, key := range keys {
		if c.notServing(key) {
			continue
		}
		e, ok := c.writeEntryQuiet(key, keyspace.TypeList, blockingRetry)
		if !ok {
			return true // WRONGTYPE replied
		}
		if !e.Exists() || e.Type() != keyspace.TypeList {
			continue
		}
		l := e.Object().(*types.List)
		c.addArrayLen(2)
		c.addBulk(key)
		if count < 0 {
			var buf [64]byte
			v, _ := c.popOne(l, where, buf[:0])
			c.addBulk(v)
			c.propagatePop(key, where, -1)
		} else {
			n := int(min(count, int64(l.Len())))
			c.popRangeReply(l, where, n)
			c.propagatePop(key, where, int64(n))
		}
		c.listElementsRemoved(key, e, l, where)
		return true
	}
	return false
}

// writeEntryQuiet is writeEntry, except that when skipWrongType is set a
// key of another type reads as missing instead of replying WRONGTYPE (a
// blocked command re-run on a key that changed type keeps waiting, as in
// Redis 7.0).
func (c *Client) writeEntryQuiet(key []byte, t keyspace.Type, skipWrongType bool) (keyspace.Entry, bool) {
	if skipWrongType {
		e := c.db.Lookup(key, c.now, keyspace.NoStats)
		if e.Exists() && e.Type() == t {
			c.db.Mutate(e)
		}
		return e, true
	}
	return c.writeEntry(key, t)
}

// propagatePop makes replicas and the AOF see a pop as [LR]POP.
func (c *Client) propagatePop(key []byte, where int, count int64) {
	name := "LPOP"
	if where == listTail {
		name = "RPOP"
	}
	c.propArgv = [][]byte{[]byte(name), key}
	if count >= 0 {
		c.propArgv = append(c.propArgv, []byte(itoa(count)))
	}
}

func blpopCommand(c *Client) { c.blockingPop(listHead) }
func brpopCommand(c *Client) { c.blockingPop(listTail) }

func (c *Client) blockingPop(where int) {
	timeout, ok := c.parseTimeout(c.argv[len(c.argv)-1], true)
	if !ok {
		return
	}
	keys := c.argv[1 : len(c.argv)-1]
	c.blockingPopKeys(keys, where, -1, timeout)
}

func (c *Client) blockingPopKeys(keys [][]byte, where int, count int64, timeout time.Duration) {
	if c.mpopList(keys, where, count, c.retrying) {
		return
	}
	if !c.mayBlock() {
		c.addNullArray()
		return
	}
	c.blockOnKeys(keys, timeout, func(c *Client) { c.addNullArray() })
}

func blmpopCommand(c *Client) {
	keys, where, count, ok := c.parseMpop(2, c.parseListPosition)
	if !ok {
		return
	}
	timeout, ok := c.parseTimeout(c.argv[1], true)
	if !ok {
		return
	}
	c.blockingPopKeys(keys, where, count, timeout)
}

func blmoveCommand(c *Client) {
	from, ok := c.parseListPosition(c.argv[3])
	if !ok {
		return
	}
	to, ok := c.parseListPosition(c.argv[4])
	if !ok {
		return
	}
	timeout, ok := c.parseTimeout(c.argv[5], true)
	if !ok {
		return
	}
	c.blmoveGeneric(from, to, timeout)
}

func brpoplpushCommand(c *Client) {
	timeout, ok := c.parseTimeout(c.argv[3], true)
	if !ok {
		return
	}
	c.blmoveGeneric(listTail, listHead, timeout)
}

func listEndName(where int) []byte {
	if where == listHead {
		return []byte("left")
	}
	return []byte("right")
}

func (c *Client) blmoveGeneric(from, to int, timeout time.Duration) {
	src := c.argv[1]
	se, ok := c.writeEntryQuiet(src, keyspace.TypeList, c.retrying)
	if !ok {
		return
	}
	if se.Exists() && se.Type() == keyspace.TypeList {
		if c.lmovePop(src, c.argv[2], se, se.Object().(*types.List), from, to) {
			if c.cmd.Name == "brpoplpush" {
				c.propArgv = [][]byte{[]byte("RPOPLPUSH"), src, c.argv[2]}
			} else {
				c.propArgv = [][]byte{[]byte("LMOVE"), src, c.argv[2], c.argv[3], c.argv[4]}
				if c.retrying {
					// Redis writes the served command's ends in lower case.
					c.propArgv[3], c.propArgv[4] = listEndName(from), listEndName(to)
				}
			}
		}
		return
	}
	if !c.mayBlock() {
		c.addNull()
		return
	}
	c.blockOnKeys(c.argv[1:2], timeout, func(c *Client) { c.addNullArray() })
}
