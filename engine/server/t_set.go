package server

import (
	"math"
	"math/rand/v2"
	"sort"

	"github.com/redisctl/redisctl/engine/config"
	"github.com/redisctl/redisctl/engine/keyspace"
	"github.com/redisctl/redisctl/engine/resp"
	"github.com/redisctl/redisctl/engine/types"
)

// Set commands (Redis's t_set.c).

func setCommands() []*Command {
	return withArgs([]*Command{
		{Name: "sadd", Arity: -3, Flags: "write denyoom fast", ACL: "@write @set @fast",
			Keys: []KeySpec{{Flags: "RW insert", Index: 1, KeyStep: 1}}, Handler: saddCommand,
			Group: "set", Since: "1.0.0", Summary: "Add one or more members to a set", Complexity: "O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments."},
		{Name: "srem", Arity: -3, Flags: "write fast", ACL: "@write @set @fast",
			Keys: []KeySpec{{Flags: "RW delete", Index: 1, KeyStep: 1}}, Handler: sremCommand,
			Group: "set", Since: "1.0.0", Summary: "Remove one or more members from a set", Complexity: "O(N) where N is the number of members to be removed."},
		{Name: "smembers", Arity: 2, Flags: "readonly", ACL: "@read @set @slow", Tips: []string{"nondeterministic_output_order"},
			Keys: []KeySpec{{Flags: "RO access", Index: 1, KeyStep: 1}}, Handler: smembersCommand,
			Group: "set", Since: "1.0.0", Summary: "Get all the members in a set", Complexity: "O(N) where N is the set cardinality."},
		{Name: "sismember", Arity: 3, Flags: "readonly fast", ACL: "@read @set @fast",
			Keys: []KeySpec{{Flags: "RO", Index: 1, KeyStep: 1}}, Handler: sismemberCommand,
			Group: "set", Since: "1.0.0", Summary: "Determine if a given value is a member of a set", Complexity: "O(1)"},
		{Name: "smismember", Arity: -3, Flags: "readonly fast", ACL: "@read @set @fast",
			Keys: []KeySpec{{Flags: "RO access", Index: 1, KeyStep: 1}}, Handler: smismemberCommand,
			Group: "set", Since: "6.2.0", Summary: "Returns the membership associated with the given elements for a set", Complexity: "O(N) where N is the number of elements being checked for membership"},
		{Name: "scard", Arity: 2, Flags: "readonly fast", ACL: "@read @set @fast",
			Keys: []KeySpec{{Flags: "RO", Index: 1, KeyStep: 1}}, Handler: scardCommand,
			Group: "set", Since: "1.0.0", Summary: "Get the number of members in a set", Complexity: "O(1)"},
		{Name: "spop", Arity: -2, Flags: "write fast", ACL: "@write @set @fast", Tips: []string{"nondeterministic_output"},
			Keys: []KeySpec{{Flags: "RW access delete", Index: 1, KeyStep: 1}}, Handler: spopCommand,
			Group: "set", Since: "1.0.0", Summary: "Remove and return one or multiple random members from a set", Complexity: "Without the count argument O(1), otherwise O(N) where N is the value of the passed count."},
		{Name: "srandmember", Arity: -2, Flags: "readonly", ACL: "@read @set @slow", Tips: []string{"nondeterministic_output"},
			Keys: []KeySpec{{Flags: "RO access", Index: 1, KeyStep: 1}}, Handler: srandmemberCommand,
			Group: "set", Since: "1.0.0", Summary: "Get one or multiple random members from a set", Complexity: "Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count."},
		{Name: "smove", Arity: 4, Flags: "write fast", ACL: "@write @set @fast",
			Keys: []KeySpec{{Flags: "RW access delete", Index: 1, KeyStep: 1}, {Flags: "RW insert", Index: 2, KeyStep: 1}}, Handler: smoveCommand,
			Group: "set", Since: "1.0.0", Summary: "Move a member from one set to another", Complexity: "O(1)"},
		{Name: "sinter", Arity: -2, Flags: "readonly", ACL: "@read @set @slow", Tips: []string{"nondeterministic_output_order"},
			Keys: []KeySpec{{Flags: "RO access", Index: 1, LastKey: -1, KeyStep: 1}}, Handler: sinterCommand,
			Group: "set", Since: "1.0.0", Summary: "Intersect multiple sets", Complexity: "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets."},
		{Name: "sintercard", Arity: -3, Flags: "readonly movablekeys", ACL: "@read @set @slow",
			Keys: []KeySpec{{Flags: "RO access", Index: 1, KeyNum: true, KeyNumIdx: 0, FirstKey: 1, KeyStep: 1}}, Handler: sintercardCommand,
			Group: "set", Since: "7.0.0", Summary: "Intersect multiple sets and return the cardinality of the result", Complexity: "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets."},
		{Name: "sinterstore", Arity: -3, Flags: "write denyoom", ACL: "@write @set @slow",
			Keys: []KeySpec{{Flags: "RW update", Index: 1, KeyStep: 1}, {Flags: "RO access", Index: 2, LastKey: -1, KeyStep: 1}}, Handler: sinterstoreCommand,
			Group: "set", Since: "1.0.0", Summary: "Intersect multiple sets and store the resulting set in a key", Complexity: "O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets."},
		{Name: "sunion", Arity: -2, Flags: "readonly", ACL: "@read @set @slow", Tips: []string{"nondeterministic_output_order"},
			Keys: []KeySpec{{Flags: "RO access", Index: 1, LastKey: -1, KeyStep: 1}}, Handler: sunionCommand,
			Group: "set", Since: "1.0.0", Summary: "Add multiple sets", Complexity: "O(N) where N is the total number of elements in all given sets."},
		{Name: "sunionstore", Arity: -3, Flags: "write denyoom", ACL: "@write @set @slow",
			Keys: []KeySpec{{Flags: "OW update", Index: 1, KeyStep: 1}, {Flags: "RO access", Index: 2, LastKey: -1, KeyStep: 1}}, Handler: sunionstoreCommand,
			Group: "set", Since: "1.0.0", Summary: "Add multiple sets and store the resulting set in a key", Complexity: "O(N) where N is the total number of elements in all given sets."},
		{Name: "sdiff", Arity: -2, Flags: "readonly", ACL: "@read @set @slow", Tips: []string{"nondeterministic_output_order"},
			Keys: []KeySpec{{Flags: "RO access", Index: 1, LastKey: -1, KeyStep: 1}}, Handler: sdiffCommand,
			Group: "set", Since: "1.0.0", Summary: "Subtract multiple sets", Complexity: "O(N) where N is the total number of elements in all given sets."},
		{Name: "sdiffstore", Arity: -3, Flags: "write denyoom", ACL: "@write @set @slow",
			Keys: []KeySpec{{Flags: "OW update", Index: 1, KeyStep: 1}, {Flags: "RO access", Index: 2, LastKey: -1, KeyStep: 1}}, Handler: sdiffstoreCommand,
			Group: "set", Since: "1.0.0", Summary: "Subtract multiple sets and store the resulting set in a key", Complexity: "O(N) where N is the total number of elements in all given sets."},
		{Name: "sscan", Arity: -3, Flags: "readonly", ACL: "@read @set @slow", Tips: []string{"nondeterministic_output"},
			Keys: []KeySpec{{Flags: "RO access", Index: 1, KeyStep: 1}}, Handler: sscanCommand,
			Group: "set", Since: "2.8.0", Summary: "Incrementally iterate Set elements", Complexity: "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.."},
	})
}

// setForRead returns key's set, nil when missing; ok is false after a
// WRONGTYPE reply.
func (c *Client) setForRead(key []byte) (types.Set, bool) {
	obj, ok := c.readObject(key, keyspace.TypeSet)
	if obj == nil {
		return nil, ok
	}
	return obj.(types.Set), true
}

func saddCommand(c *Client) {
	key := c.argv[1]
	e, ok := c.writeEntry(key, keyspace.TypeSet)
	if !ok {
		return
	}
	var s types.Set
	if e.Exists() {
		s = e.Object().(types.Set)
	} else {
		s = types.NewSetFor(c.argv[2])
	}
	old, lim := s, c.limits()
	added := 0
	for _, m := range c.argv[2:] {
		var isNew bool
		if s, isNew = s.Add(m, lim); isNew {
			added++
		}
	}
	c.storeObject(key, e, old, s, s.Len())
	if added > 0 {
		c.modified(key)
		c.notify(config.NotifySet, "sadd", key)
	}
	c.addInt(int64(added))
}

func sremCommand(c *Client) {
	removeMembers(c, keyspace.TypeSet, config.NotifySet, "srem", types.Set.Remove)
}

func smoveCommand(c *Client) {
	src, dst, m := c.argv[1], c.argv[2], c.argv[3]
	se, ok := c.writeOrReply(src, keyspace.TypeSet, c.addZero)
	if !ok {
		return
	}
	same := string(src) == string(dst)
	de := se
	if !same {
		if de, ok = c.writeEntry(dst, keyspace.TypeSet); !ok {
			return
		}
	}
	ss := se.Object().(types.Set)
	if same {
		c.addInt(oneIf(ss.Has(m)))
		return
	}
	old := ss
	ss, removed := ss.Remove(m)
	if !removed {
		c.addInt(0)
		return
	}
	c.notify(config.NotifySet, "srem", src)
	c.storeObject(src, se, old, ss, ss.Len())
	c.modified(src)
	var ds types.Set
	if de.Exists() {
		ds = de.Object().(types.Set)
	} else {
		ds = types.NewSetFor(m)
	}
	dold := ds
	ds, added := ds.Add(m, c.limits())
	c.storeObject(dst, de, dold, ds, ds.Len())
	if added {
		c.modified(dst)
		c.notify(config.NotifySet, "sadd", dst)
	}
	c.addInt(1)
}

func oneIf(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func sismemberCommand(c *Client) {
	s, ok := c.setForRead(c.argv[1])
	if !ok {
		return
	}
	c.addInt(oneIf(s != nil && s.Has(c.argv[2])))
}

func smismemberCommand(c *Client) {
	s, ok := c.setForRead(c.argv[1])
	if !ok {
		return
	}
	c.addArrayLen(len(c.argv) - 2)
	for _, m := range c.argv[2:] {
		c.addInt(oneIf(s != nil && s.Has(m)))
	}
}

func scardCommand(c *Client) { c.cardCommand(keyspace.TypeSet) }

func (c *Client) addEmptySet() { c.addSetLen(0) }

// addSetMembers replies a whole set as a RESP3 set (array in RESP2).
func (c *Client) addSetMembers(s types.Set) {
	c.addSetLen(s.Len())
	s.EachValue(func(m types.Value) bool {
		c.addValue(m)
		return true
	})
}

func spopCommand(c *Client) {
	if len(c.argv) == 3 {
		c.spopWithCount()
		return
	}
	if len(c.argv) > 3 {
		c.addError(errSyntax)
		return
	}
	key := c.argv[1]
	e, ok := c.writeOrReply(key, keyspace.TypeSet, c.addNull)
	if !ok {
		return
	}
	s := e.Object().(types.Set)
	old := s
	var buf [20]byte
	m := append([]byte(nil), s.Random(buf[:0])...)
	s, _ = s.Remove(m)
	c.notify(config.NotifySet, "spop", key)
	c.propArgv = [][]byte{[]byte("SREM"), key, m}
	c.addBulk(m)
	c.storeObject(key, e, old, s, s.Len())
	c.modified(key)
}

func (c *Client) spopWithCount() {
	l, ok := c.argPositive(2, "")
	if !ok {
		return
	}
	key := c.argv[1]
	e, ok := c.writeEntry(key, keyspace.TypeSet)
	if !ok {
		return
	}
	if !e.Exists() || l == 0 {
		c.addEmptySet()
		return
	}
	s := e.Object().(types.Set)
	size := s.Len()
	c.notify(config.NotifySet, "spop", key)
	if l >= int64(size) {
		c.replySetUnion([]types.Set{s})
		c.db.Delete(key, c.now)
		c.notifyDel(key)
		c.propArgv = [][]byte{[]byte("DEL"), key}
		c.modified(key)
		return
	}
	count := int(l)
	old := s
	popped := make([][]byte, 0, count)
	var buf [20]byte
	for len(popped) < count {
		m := append([]byte(nil), s.Random(buf[:0])...)
		s, _ = s.Remove(m)
		popped = append(popped, m)
	}
	c.addSetLen(count)
	for _, m := range popped {
		c.addBulk(m)
	}
	c.propArgv = append([][]byte{[]byte("SREM"), key}, popped...)
	c.storeObject(key, e, old, s, s.Len())
	c.modified(key)
}

// argPositive parses argv[i] as a non-negative integer with Redis's
// getPositiveLongFromObjectOrReply error (msg replaces the default one).
func (c *Client) argPositive(i int, msg string) (int64, bool) {
	if msg == "" {
		msg = "value is out of range, must be positive"
	}
	n, ok := resp.ParseInt(c.argv[i])
	if !ok || n < 0 {
		c.addError("ERR " + msg)
		return 0, false
	}
	return n, true
}

func srandmemberCommand(c *Client) {
	if len(c.argv) == 3 {
		c.srandmemberWithCount()
		return
	}
	if len(c.argv) > 3 {
		c.addError(errSyntax)
		return
	}
	obj, ok := c.readOrReply(c.argv[1], keyspace.TypeSet, c.addNull)
	if !ok {
		return
	}
	s := obj.(types.Set)
	var buf [20]byte
	c.addBulk(s.Random(buf[:0]))
}

func (c *Client) srandmemberWithCount() {
	l, ok := c.argInt(2)
	if !ok {
		return
	}
	if l == math.MinInt64 {
		c.addError("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
		return
	}
	s, ok := c.setForRead(c.argv[1])
	if !ok {
		return
	}
	if s == nil || l == 0 {
		c.addArrayLen(0)
		return
	}
	var buf [20]byte
	if l < 0 || l == 1 {
		count := int(-l)
		if l == 1 {
			count = 1
		}
		c.addArrayLen(count)
		for i := 0; i < count; i++ {
			c.addBulk(s.Random(buf[:0]))
		}
		return
	}
	if l >= int64(s.Len()) {
		c.addArrayLen(s.Len())
		s.Each(func(m []byte) bool {
			c.addBulk(m)
			return true
		})
		return
	}
	all := make([][]byte, 0, s.Len())
	s.Each(func(m []byte) bool {
		all = append(all, append([]byte(nil), m...))
		return true
	})
	count := int(l)
	c.addArrayLen(count)
	for i := 0; i < count; i++ {
		j := i + rand.IntN(len(all)-i)
		all[i], all[j] = all[j], all[i]
		c.addBulk(all[i])
	}
}

// readSets looks up the set keys in argv[from:to]; missing keys are nil.
// ok is false after a WRONGTYPE reply.
func (c *Client) readSets(keys [][]byte) ([]types.Set, bool) {
	sets := make([]types.Set, len(keys))
	for i, k := range keys {
		s, ok := c.setForRead(k)
		if !ok {
			return nil, false
		}
		sets[i] = s
	}
	return sets, true
}

func smembersCommand(c *Client) {
	obj, ok := c.readOrReply(c.argv[1], keyspace.TypeSet, c.addEmptySet)
	if !ok {
		return
	}
	s := obj.(types.Set)
	c.addSetMembers(s)
}

func sinterCommand(c *Client)      { c.sinterGeneric(c.argv[1:], nil, false, 0) }
func sinterstoreCommand(c *Client) { c.sinterGeneric(c.argv[2:], c.argv[1], false, 0) }

func sintercardCommand(c *Client) {
	numkeys, ok := resp.ParseInt(c.argv[1])
	if !ok || numkeys < 1 {
		c.addError("ERR numkeys should be greater than 0")
		return
	}
	if numkeys > int64(len(c.argv)-2) {
		c.addError("ERR Number of keys can't be greater than number of args")
		return
	}
	var limit int64
	for j := 2 + int(numkeys); j < len(c.argv); j++ {
		if argIs(c.argv[j], "limit") && j < len(c.argv)-1 {
			j++
			if limit, ok = c.argPositive(j, "LIMIT can't be negative"); !ok {
				return
			}
			continue
		}
		c.addError(errSyntax)
		return
	}
	c.sinterGeneric(c.argv[2:2+numkeys], nil, true, int(limit))
}

// storeSetResult stores a STORE command's result set under dst (deleting
// dst when empty) and replies its size.
func (c *Client) storeSetResult(dst []byte, s types.Set, event string) {
	if s.Len() > 0 {
		c.replaceValue(dst, s)
		c.modified(dst)
		c.addInt(int64(s.Len()))
		c.notify(config.NotifySet, event, dst)
		return
	}
	c.addInt(0)
	c.clearDestination(dst)
}

func (c *Client) sinterGeneric(keys [][]byte, dst []byte, cardOnly bool, limit int) {
	sets, ok := c.readSets(keys)
	if !ok {
		return
	}
	for _, s := range sets {
		if s != nil {
			continue
		}
		switch {
		case dst != nil:
			c.addInt(0)
			c.clearDestination(dst)
		case cardOnly:
			c.addInt(0)
		default:
			c.addEmptySet()
		}
		return
	}
	order := make([]int, len(sets))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return sets[order[a]].Len() < sets[order[b]].Len() })
	first := sets[order[0]]
	firstKey := string(keys[order[0]])
	var out types.Set
	var pos int
	if dst != nil {
		out = types.NewIntset()
	} else if !cardOnly {
		pos = c.deferLen()
	}
	card := 0
	lim := c.limits()
	first.Each(func(m []byte) bool {
		for _, j := range order[1:] {
			if string(keys[j]) == firstKey {
				continue
			}
			if !sets[j].Has(m) {
				return true
			}
		}
		switch {
		case cardOnly:
			card++
			if limit > 0 && card >= limit {
				return false
			}
		case dst == nil:
			c.addBulk(m)
			card++
		default:
			out, _ = out.Add(m, lim)
		}
		return true
	})
	switch {
	case cardOnly:
		c.addInt(int64(card))
	case dst != nil:
		c.storeSetResult(dst, out, "sinterstore")
	default:
		c.setDeferredSetLen(pos, card)
	}
}

const (
	setOpUnion = iota
	setOpDiff
)

func sunionCommand(c *Client)      { c.sunionDiffGeneric(c.argv[1:], nil, setOpUnion) }
func sunionstoreCommand(c *Client) { c.sunionDiffGeneric(c.argv[2:], c.argv[1], setOpUnion) }
func sdiffCommand(c *Client)       { c.sunionDiffGeneric(c.argv[1:], nil, setOpDiff) }
func sdiffstoreCommand(c *Client)  { c.sunionDiffGeneric(c.argv[2:], c.argv[1], setOpDiff) }

// replySetUnion replies the union of sets, built the way Redis builds it
// (so an all-integer result comes out in intset order).
func (c *Client) replySetUnion(sets []types.Set) {
	out := types.NewIntset()
	lim := c.limits()
	for _, s := range sets {
		s.Each(func(m []byte) bool {
			out, _ = out.Add(m, lim)
			return true
		})
	}
	c.addSetMembers(out)
}

func (c *Client) sunionDiffGeneric(keys [][]byte, dst []byte, op int) {
	sets, ok := c.readSets(keys)
	if !ok {
		return
	}
	sameSet := false
	for j := 1; j < len(keys); j++ {
		if sets[0] != nil && string(keys[j]) == string(keys[0]) {
			sameSet = true
		}
	}
	lim := c.limits()
	out := types.NewIntset()
	switch {
	case op == setOpUnion:
		for _, s := range sets {
			if s == nil {
				continue
			}
			s.Each(func(m []byte) bool {
				out, _ = out.Add(m, lim)
				return true
			})
		}
	case sameSet || sets[0] == nil:
	default:
		out = c.sdiff(keys, sets, lim)
	}
	if dst == nil {
		c.addSetMembers(out)
		return
	}
	event := "sunionstore"
	if op == setOpDiff {
		event = "sdiffstore"
	}
	c.storeSetResult(dst, out, event)
}

// sdiff computes the first set minus the others with the algorithm Redis
// would pick for these sizes (it decides the result's iteration order).
func (c *Client) sdiff(keys [][]byte, sets []types.Set, lim *types.Limits) types.Set {
	algoOne, algoTwo := 0, 0
	for _, s := range sets {
		if s == nil {
			continue
		}
		algoOne += sets[0].Len()
		algoTwo += s.Len()
	}
	algoOne /= 2
	out := types.NewIntset()
	if algoOne <= algoTwo {
		rest := make([]int, 0, len(sets)-1)
		for j := 1; j < len(sets); j++ {
			rest = append(rest, j)
		}
		sort.SliceStable(rest, func(a, b int) bool { return setLen(sets[rest[a]]) > setLen(sets[rest[b]]) })
		sets[0].Each(func(m []byte) bool {
			for _, j := range rest {
				if sets[j] != nil && sets[j].Has(m) {
					return true
				}
			}
			out, _ = out.Add(m, lim)
			return true
		})
		return out
	}
	for j, s := range sets {
		if s == nil {
			continue
		}
		s.Each(func(m []byte) bool {
			if j == 0 {
				out, _ = out.Add(m, lim)
			} else {
				out, _ = out.Remove(m)
			}
			return true
		})
		if out.Len() == 0 {
			break
		}
	}
	return out
}

func setLen(s types.Set) int {
	if s == nil {
		return 0
	}
	return s.Len()
}

func sscanCommand(c *Client) {
	obj, a, ok := c.scanCollection(keyspace.TypeSet)
	if !ok {
		return
	}
	s := obj.(types.Set)
	c.scanReply(a, func(cursor uint64, emit func(el ...[]byte)) uint64 {
		return s.Scan(cursor, func(m []byte) { emit(m) })
	})
}
