package server

import (
	"bytes"
	"math"

	"github.com/redisctl/redisctl/engine/config"
	"github.com/redisctl/redisctl/engine/keyspace"
	"github.com/redisctl/redisctl/engine/types"
)

// Sorted set commands (Redis's t_zset.c): adding, scores, ranks and
// ranges. Pops, random members, set operations and ZSCAN are in
// t_zset_ops.go.

func zsetCommands() []*Command {
	return withArgs([]*Command{
		{Name: "zadd", Arity: -4, Flags: "write denyoom fast", ACL: "@write @sortedset @fast",
			Keys: []KeySpec{{Flags: "RW update", Index: 1, KeyStep: 1}}, Handler: zaddCommand,
			Group: "sorted-set", Since: "1.2.0", Summary: "Add one or more members to a sorted set, or update its score if it already exists", Complexity: "O(log(N)) for each item added, where N is the number of elements in the sorted set."},
		{Name: "zincrby", Arity: 4, Flags: "write denyoom fast", ACL: "@write @sortedset @fast",
			Keys: []KeySpec{{Flags: "RW access update", Index: 1, KeyStep: 1}}, Handler: zincrbyCommand,
			Group: "sorted-set", Since: "1.2.0", Summary: "Increment the score of a member in a sorted set", Complexity: "O(log(N)) where N is the number of elements in the sorted set."},
		{Name: "zrem", Arity: -3, Flags: "write fast", ACL: "@write @sortedset @fast",
			Keys: []KeySpec{{Flags: "RW delete", Index: 1, KeyStep: 1}}, Handler: zremCommand,
			Group: "sorted-set", Since: "1.2.0", Summary: "Remove one or more members from a sorted set", Complexity: "O(M*log(N)) with N being the number of elements in the sorted set and M the number of elements to be removed."},
		{Name: "zcard", Arity: 2, Flags: "readonly fast", ACL: "@read @sortedset @fast",
			Keys: []KeySpec{{Flags: "RO", Index: 1, KeyStep: 1}}, Handler: zcardCommand,
			Group: "sorted-set", Since: "1.2.0", Summary: "Get the number of members in a sorted set", Complexity: "O(1)"},
		{Name: "zcount", Arity: 4, Flags: "readonly fast", ACL: "@read @sortedset @fast",
			Keys: []KeySpec{{Flags: "RO access", Index: 1, KeyStep: 1}}, Handler: zcountCommand,
			Group: "sorted-set", Since: "2.0.0", Summary: "Count the members in a sorted set with scores within the given values", Complexity: "O(log(N)) with N being the number of elements in the sorted set."},
		{Name: "zlexcount", Arity: 4, Flags: "readonly fast", ACL: "@read @sortedset @fast",
			Keys: []KeySpec{{Flags: "RO access", Index: 1, KeyStep: 1}}, Handler: zlexcountCommand,
			Group: "sorted-set", Since: "2.8.9", Summary: "Count the number of members in a sorted set between a given lexicographical range", Complexity: "O(log(N)) with N being the number of elements in the sorted set."},
		{Name: "zscore", Arity: 3, Flags: "readonly fast", ACL: "@read @sortedset @fast",
			Keys: []KeySpec{{Flags: "RO access", Index: 1, KeyStep: 1}}, Handler: zscoreCommand,
			Group: "sorted-set", Since: "1.2.0", Summary: "Get the score associated with the given member in a sorted set", Complexity: "O(1)"},
		{Name: "zmscore", Arity: -3, Flags: "readonly fast", ACL: "@read @sortedset @fast",
			Keys: []KeySpec{{Flags: "RO access", Index: 1, KeyStep: 1}}, Handler: zmscoreCommand,
			Group: "sorted-set", Since: "6.2.0", Summary: "Get the score associated with the given members in a sorted set", Complexity: "O(N) where N is the number of members being requested."},
		{Name: "zrank", Arity: 3, Flags: "readonly fast", ACL: "@read @sortedset @fast",
			Keys: []KeySpec{{Flags: "RO access", Index: 1, KeyStep: 1}}, Handler: zrankCommand,
			Group: "sorted-set", Since: "2.0.0", Summary: "Determine the index of a member in a sorted set", Complexity: "O(log(N))"},
		{Name: "zrevrank", Arity: 3, Flags: "readonly fast", ACL: "@read @sortedset @fast",
			Keys: []KeySpec{{Flags: "RO access", Index: 1, KeyStep: 1}}, Handler: zrevrankCommand,
			Group: "sorted-set", Since: "2.0.0", Summary: "Determine the index of a member in a sorted set, with scores ordered from high to low", Complexity: "O(log(N))"},
		{Name: "zrange", Arity: -4, Flags: "readonly", ACL: "@read @sortedset @slow",
			Keys: []KeySpec{{Flags: "RO access", Index: 1, KeyStep: 1}}, Handler: zrangeCommand,
			Group: "sorted-set", Since: "1.2.0", Summary: "Return a range of members in a sorted set", Complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned."},
		{Name: "zrangestore", Arity: -5, Flags: "write denyoom", ACL: "@write @sortedset @slow",
			Keys: []KeySpec{{Flags: "OW update", Index: 1, KeyStep: 1}, {Flags: "RO access", Index: 2, KeyStep: 1}}, Handler: zrangestoreCommand,
			Group: "sorted-set", Since: "6.2.0", Summary: "Store a range of members from sorted set into another key", Complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements stored into the destination key."},
		{Name: "zrangebyscore", Arity: -4, Flags: "readonly", ACL: "@read @sortedset @slow",
			Keys: []KeySpec{{Flags: "RO access", Index: 1, KeyStep: 1}}, Handler: zrangebyscoreCommand,
			Group: "sorted-set", Since: "1.0.5", Summary: "Return a range of members in a sorted set, by score", Complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N))."},
		{Name: "zrevrangebyscore", Arity: -4, Flags: "readonly", ACL: "@read @sortedset @slow",
			Keys: []KeySpec{{Flags: "RO access", Index: 1, KeyStep: 1}}, Handler: zrevrangebyscoreCommand,
			Group: "sorted-set", Since: "2.2.0", Summary: "Return a range of members in a sorted set, by score, with scores ordered from high to low", Complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N))."},
		{Name: "zrangebylex", Arity: -4, Flags: "readonly", ACL: "@read @sortedset @slow",
			Keys: []KeySpec{{Flags: "RO access", Index: 1, KeyStep: 1}}, Handler: zrangebylexCommand,
			Group: "sorted-set", Since: "2.8.9", Summary: "Return a range of members in a sorted set, by lexicographical range", Complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N))."},
		{Name: "zrevrangebylex", Arity: -4, Flags: "readonly", ACL: "@read @sortedset @slow",
			Keys: []KeySpec{{Flags: "RO access", Index: 1, KeyStep: 1}}, Handler: zrevrangebylexCommand,
			Group: "sorted-set", Since: "2.8.9", Summary: "Return a range of members in a sorted set, by lexicographical range, ordered from higher to lower strings.", Complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N))."},
		{Name: "zrevrange", Arity: -4, Flags: "readonly", ACL: "@read @sortedset @slow",
			Keys: []KeySpec{{Flags: "RO access", Index: 1, KeyStep: 1}}, Handler: zrevrangeCommand,
			Group: "sorted-set", Since: "1.2.0", Summary: "Return a range of members in a sorted set, by index, with scores ordered from high to low", Complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned."},
		{Name: "zremrangebyrank", Arity: 4, Flags: "write", ACL: "@write @sortedset @slow",
			Keys: []KeySpec{{Flags: "RW delete", Index: 1, KeyStep: 1}}, Handler: zremrangebyrankCommand,
			Group: "sorted-set", Since: "2.0.0", Summary: "Remove all members in a sorted set within the given indexes", Complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation."},
		{Name: "zremrangebyscore", Arity: 4, Flags: "write", ACL: "@write @sortedset @slow",
			Keys: []KeySpec{{Flags: "RW delete", Index: 1, KeyStep: 1}}, Handler: zremrangebyscoreCommand,
			Group: "sorted-set", Since: "1.2.0", Summary: "Remove all members in a sorted set within the given scores", Complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation."},
		{Name: "zremrangebylex", Arity: 4, Flags: "write", ACL: "@write @sortedset @slow",
			Keys: []KeySpec{{Flags: "RW delete", Index: 1, KeyStep: 1}}, Handler: zremrangebylexCommand,
			Group: "sorted-set", Since: "2.8.9", Summary: "Remove all members in a sorted set between the given lexicographical range", Complexity: "O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation."},
		{Name: "zpopmin", Arity: -2, Flags: "write fast", ACL: "@write @sortedset @fast",
			Keys: []KeySpec{{Flags: "RW access delete", Index: 1, KeyStep: 1}}, Handler: zpopminCommand,
			Group: "sorted-set", Since: "5.0.0", Summary: "Remove and return members with the lowest scores in a sorted set", Complexity: "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped."},
		{Name: "zpopmax", Arity: -2, Flags: "write fast", ACL: "@write @sortedset @fast",
			Keys: []KeySpec{{Flags: "RW access delete", Index: 1, KeyStep: 1}}, Handler: zpopmaxCommand,
			Group: "sorted-set", Since: "5.0.0", Summary: "Remove and return members with the highest scores in a sorted set", Complexity: "O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped."},
		{Name: "bzpopmin", Arity: -3, Flags: "write noscript blocking fast", ACL: "@write @sortedset @fast @blocking",
			Keys: []KeySpec{{Flags: "RW access delete", Index: 1, LastKey: -2, KeyStep: 1}}, Handler: bzpopminCommand,
			Group: "sorted-set", Since: "5.0.0", Summary: "Remove and return the member with the lowest score from one or more sorted sets, or block until one is available", Complexity: "O(log(N)) with N being the number of elements in the sorted set."},
		{Name: "bzpopmax", Arity: -3, Flags: "write noscript blocking fast", ACL: "@write @sortedset @fast @blocking",
			Keys: []KeySpec{{Flags: "RW access delete", Index: 1, LastKey: -2, KeyStep: 1}}, Handler: bzpopmaxCommand,
			Group: "sorted-set", Since: "5.0.0", Summary: "Remove and return the member with the highest score from one or more sorted sets, or block until one is available", Complexity: "O(log(N)) with N being the number of elements in the sorted set."},
		{Name: "zmpop", Arity: -4, Flags: "write movablekeys", ACL: "@write @sortedset @slow",
			Keys: []KeySpec{{Flags: "RW access delete", Index: 1, KeyNum: true, KeyNumIdx: 0, FirstKey: 1, KeyStep: 1}}, Handler: zmpopCommand,
			Group: "sorted-set", Since: "7.0.0", Summary: "Remove and return members with scores in a sorted set", Complexity: "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped."},
		{Name: "bzmpop", Arity: -5, Flags: "write blocking movablekeys", ACL: "@write @sortedset @slow @blocking",
			Keys: []KeySpec{{Flags: "RW access delete", Index: 2, KeyNum: true, KeyNumIdx: 0, FirstKey: 1, KeyStep: 1}}, Handler: bzmpopCommand,
			Group: "sorted-set", Since: "7.0.0", Summary: "Remove and return members with scores in a sorted set or block until one is available", Complexity: "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped."},
		{Name: "zrandmember", Arity: -2, Flags: "readonly", ACL: "@read @sortedset @slow", Tips: []string{"nondeterministic_output"},
			Keys: []KeySpec{{Flags: "RO access", Index: 1, KeyStep: 1}}, Handler: zrandmemberCommand,
			Group: "sorted-set", Since: "6.2.0", Summary: "Get one or multiple random elements from a sorted set", Complexity: "O(N) where N is the number of elements returned"},
		{Name: "zunion", Arity: -3, Flags: "readonly movablekeys", ACL: "@read @sortedset @slow",
			Keys: []KeySpec{{Flags: "RO access", Index: 1, KeyNum: true, KeyNumIdx: 0, FirstKey: 1, KeyStep: 1}}, Handler: zunionCommand,
			Group: "sorted-set", Since: "6.2.0", Summary: "Add multiple sorted sets", Complexity: "O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set."},
		{Name: "zinter", Arity: -3, Flags: "readonly movablekeys", ACL: "@read @sortedset @slow",
			Keys: []KeySpec{{Flags: "RO access", Index: 1, KeyNum: true, KeyNumIdx: 0, FirstKey: 1, KeyStep: 1}}, Handler: zinterCommand,
			Group: "sorted-set", Since: "6.2.0", Summary: "Intersect multiple sorted sets", Complexity: "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set."},
		{Name: "zdiff", Arity: -3, Flags: "readonly movablekeys", ACL: "@read @sortedset @slow",
			Keys: []KeySpec{{Flags: "RO access", Index: 1, KeyNum: true, KeyNumIdx: 0, FirstKey: 1, KeyStep: 1}}, Handler: zdiffCommand,
			Group: "sorted-set", Since: "6.2.0", Summary: "Subtract multiple sorted sets", Complexity: "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set."},
		{Name: "zunionstore", Arity: -4, Flags: "write denyoom movablekeys", ACL: "@write @sortedset @slow",
			Keys: []KeySpec{{Flags: "OW update", Index: 1, KeyStep: 1}, {Flags: "RO access", Index: 2, KeyNum: true, KeyNumIdx: 0, FirstKey: 1, KeyStep: 1}}, Handler: zunionstoreCommand,
			Group: "sorted-set", Since: "2.0.0", Summary: "Add multiple sorted sets and store the resulting sorted set in a new key", Complexity: "O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set."},
		{Name: "zinterstore", Arity: -4, Flags: "write denyoom movablekeys", ACL: "@write @sortedset @slow",
			Keys: []KeySpec{{Flags: "OW update", Index: 1, KeyStep: 1}, {Flags: "RO access", Index: 2, KeyNum: true, KeyNumIdx: 0, FirstKey: 1, KeyStep: 1}}, Handler: zinterstoreCommand,
			Group: "sorted-set", Since: "2.0.0", Summary: "Intersect multiple sorted sets and store the resulting sorted set in a new key", Complexity: "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set."},
		{Name: "zdiffstore", Arity: -4, Flags: "write denyoom movablekeys", ACL: "@write @sortedset @slow",
			Keys: []KeySpec{{Flags: "OW update", Index: 1, KeyStep: 1}, {Flags: "RO access", Index: 2, KeyNum: true, KeyNumIdx: 0, FirstKey: 1, KeyStep: 1}}, Handler: zdiffstoreCommand,
			Group: "sorted-set", Since: "6.2.0", Summary: "Subtract multiple sorted sets and store the resulting sorted set in a new key", Complexity: "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set."},
		{Name: "zintercard", Arity: -3, Flags: "readonly movablekeys", ACL: "@read @sortedset @slow",
			Keys: []KeySpec{{Flags: "RO access", Index: 1, KeyNum: true, KeyNumIdx: 0, FirstKey: 1, KeyStep: 1}}, Handler: zintercardCommand,
			Group: "sorted-set", Since: "7.0.0", Summary: "Intersect multiple sorted sets and return the cardinality of the result", Complexity: "O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets."},
		{Name: "zscan", Arity: -3, Flags: "readonly", ACL: "@read @sortedset @slow", Tips: []string{"nondeterministic_output"},
			Keys: []KeySpec{{Flags: "RO access", Index: 1, KeyStep: 1}}, Handler: zscanCommand,
			Group: "sorted-set", Since: "2.8.0", Summary: "Incrementally iterate sorted sets elements and associated scores", Complexity: "O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.."},
	})
}

// zsetForRead returns key's sorted set, nil when missing; ok is false
// after a WRONGTYPE reply.
func (c *Client) zsetForRead(key []byte) (types.ZSet, bool) {
	obj, ok := c.readObject(key, keyspace.TypeZSet)
	if obj == nil {
		return nil, ok
	}
	return obj.(types.ZSet), true
}

// ZADD flags.
const (
	zaddNX = 1 << iota
	zaddXX
	zaddGT
	zaddLT
	zaddIncr
	zaddCH
)

// zaddResult tells what zsetAdd did to one element.
const (
	zaddNop = iota
	zaddAdded
	zaddUpdated
	zaddSame // present, score unchanged
	zaddNaN
)

func zaddCommand(c *Client)    { c.zaddGeneric(0) }
func zincrbyCommand(c *Client) { c.zaddGeneric(zaddIncr) }

func (c *Client) zaddGeneric(flags int) {
	// A switch rather than a keyword table (see wordFlag): this runs for
	// every ZADD, and the constant keywords let the comparisons fold.
	idx := 2
options:
	for ; idx < len(c.argv); idx++ {
		switch a := c.argv[idx]; {
		case argIs(a, "nx"):
			flags |= zaddNX
		case argIs(a, "xx"):
			flags |= zaddXX
		case argIs(a, "ch"):
			flags |= zaddCH
		case argIs(a, "incr"):
			flags |= zaddIncr
		case argIs(a, "gt"):
			flags |= zaddGT
		case argIs(a, "lt"):
			flags |= zaddLT
		default:
			break options
		}
	}
	elements := len(c.argv) - idx
	if elements%2 != 0 || elements == 0 {
		c.addError(errSyntax)
		return
	}
	elements /= 2
	nx, xx, gt, lt := flags&zaddNX != 0, flags&zaddXX != 0, flags&zaddGT != 0, flags&zaddLT != 0
	incr := flags&zaddIncr != 0
	if nx && xx {
		c.addError("ERR XX and NX options at the same time are not compatible")
		return
	}
	if (gt && nx) || (lt && nx) || (gt && lt) {
		c.addError("ERR GT, LT, and/or NX options at the same time are not compatible")
		return
	}
	if incr && elements > 1 {
		c.addError("ERR INCR option supports a single increment-element pair")
		return
	}
	scores := make([]float64, elements)
	for j := range scores {
		f, ok := parseStrtod(c.argv[idx+2*j])
		if !ok {
			c.addError(errNotFloat)
			return
		}
		scores[j] = f
	}
	key := c.argv[1]
	e, ok := c.writeEntry(key, keyspace.TypeZSet)
	if !ok {
		return
	}
	var z types.ZSet
	if e.Exists() {
		z = e.Object().(types.ZSet)
	} else if !xx {
		z = types.NewZSet(len(c.argv[idx+1]), c.limits())
	}
	added, updated, processed := 0, 0, 0
	var score float64
	if z != nil {
		old := z
		lim := c.limits()
		for j := 0; j < elements; j++ {
			var res int
			z, res, score = zsetAdd(z, c.argv[idx+1+2*j], scores[j], flags, lim)
			switch res {
			case zaddNaN:
				c.storeObject(key, e, old, z, z.Len())
				c.zaddNotify(key, added+updated, incr)
				c.addError("ERR resulting score is not a number (NaN)")
				return
			case zaddAdded:
				added++
			case zaddUpdated:
				updated++
			}
			if res != zaddNop {
				processed++
			}
		}
		c.storeObject(key, e, old, z, z.Len())
	}
	if incr {
		if processed > 0 {
			c.addDouble(score)
		} else {
			c.addNull()
		}
	} else if flags&zaddCH != 0 {
		c.addInt(int64(added + updated))
	} else {
		c.addInt(int64(added))
	}
	c.zaddNotify(key, added+updated, incr)
}

func (c *Client) zaddNotify(key []byte, changed int, incr bool) {
	if changed == 0 {
		return
	}
	c.modified(key)
	if incr {
		c.notify(config.NotifyZSet, "zincr", key)
	} else {
		c.notify(config.NotifyZSet, "zadd", key)
	}
	c.keyReady(key)
}

// zsetAdd is Redis's zsetAdd: it returns the (possibly new) set, what was
// done, and the element's score afterwards.
func zsetAdd(z types.ZSet, m []byte, score float64, flags int, lim *types.Limits) (types.ZSet, int, float64) {
	if math.IsNaN(score) {
		return z, zaddNaN, 0
	}
	cur, exists := z.Score(m)
	if exists {
		if flags&zaddNX != 0 {
			return z, zaddNop, 0
		}
		if flags&zaddIncr != 0 {
			score += cur
			if math.IsNaN(score) {
				return z, zaddNaN, 0
			}
		}
		if (flags&zaddLT != 0 && score >= cur) || (flags&zaddGT != 0 && score <= cur) {
			return z, zaddNop, 0
		}
		if score != cur {
			return z.Update(m, cur, score), zaddUpdated, score
		}
		return z, zaddSame, score
	}
	if flags&zaddXX != 0 {
		return z, zaddNop, 0
	}
	return z.Insert(m, score, lim), zaddAdded, score
}

func zremCommand(c *Client) {
	removeMembers(c, keyspace.TypeZSet, config.NotifyZSet, "zrem", types.ZSet.Delete)
}

func zcardCommand(c *Client) { c.cardCommand(keyspace.TypeZSet) }

func zscoreCommand(c *Client) {
	z, ok := c.zsetForRead(c.argv[1])
	if !ok {
		return
	}
	if z != nil {
		if s, found := z.Score(c.argv[2]); found {
			c.addDouble(s)
			return
		}
	}
	c.addNull()
}

func zmscoreCommand(c *Client) {
	z, ok := c.zsetForRead(c.argv[1])
	if !ok {
		return
	}
	c.addArrayLen(len(c.argv) - 2)
	for _, m := range c.argv[2:] {
		if z != nil {
			if s, found := z.Score(m); found {
				c.addDouble(s)
				continue
			}
		}
		c.addNull()
	}
}

func zrankCommand(c *Client)    { c.zrankGeneric(false) }
func zrevrankCommand(c *Client) { c.zrankGeneric(true) }

func (c *Client) zrankGeneric(rev bool) {
	obj, ok := c.readOrReply(c.argv[1], keyspace.TypeZSet, c.addNull)
	if !ok {
		return
	}
	z := obj.(types.ZSet)
	m := c.argv[2]
	s, found := z.Score(m)
	if !found {
		c.addNull()
		return
	}
	_, rank := z.Seek(func(em []byte, es float64) bool { return es > s || (es == s && bytes.Compare(em, m) >= 0) })
	if rev {
		rank = z.Len() - 1 - rank
	}
	c.addInt(int64(rank))
}

func zcountCommand(c *Client)    { c.zcountGeneric(zrScore) }
func zlexcountCommand(c *Client) { c.zcountGeneric(zrLex) }

func (c *Client) zcountGeneric(kind int) {
	r, ok := c.parseZRange(kind, c.argv[2], c.argv[3])
	if !ok {
		return
	}
	obj, ok := c.readOrReply(c.argv[1], keyspace.TypeZSet, c.addZero)
	if !ok {
		return
	}
	z := obj.(types.ZSet)
	_, n := zRangeCount(z, r)
	c.addInt(int64(n))
}

// Range kinds and directions of the ZRANGE family.
const (
	zrAuto = iota
	zrRank
	zrScore
	zrLex
)

func zrangeCommand(c *Client)           { c.zrangeGeneric(1, false, zrAuto, false) }
func zrangestoreCommand(c *Client)      { c.zrangeGeneric(2, true, zrAuto, false) }
func zrevrangeCommand(c *Client)        { c.zrangeGeneric(1, false, zrRank, true) }
func zrangebyscoreCommand(c *Client)    { c.zrangeGeneric(1, false, zrScore, false) }
func zrevrangebyscoreCommand(c *Client) { c.zrangeGeneric(1, false, zrScore, true) }
func zrangebylexCommand(c *Client)      { c.zrangeGeneric(1, false, zrLex, false) }
func zrevrangebylexCommand(c *Client)   { c.zrangeGeneric(1, false, zrLex, true) }

// zrangeOut collects a range result: replied to the client or stored.
type zrangeOut struct {
	c          *Client
	withScores bool
	store      bool
	pos        int // deferred reply header
	deferred   bool
	dst        types.ZSet
	n          int
}

func (o *zrangeOut) begin(length int) {
	if o.store {
		o.dst = types.NewZSetEncoded(int64(length) <= o.c.limits().ZsetMaxEntries)
		return
	}
	if length > 0 {
		o.c.addArrayLen(o.c.pairsLen(length, o.withScores))
		return
	}
	o.deferred = true
	o.pos = o.c.deferLen()
}

func (o *zrangeOut) emit(m []byte, score float64) {
	o.n++
	if o.store {
		o.dst, _, _ = zsetAdd(o.dst, m, score, 0, o.c.limits())
		return
	}
	// addScoredMember's steps, spelled out: this runs per element of
	// every ZRANGE.
	c := o.c
	c.addPairHeader(o.withScores)
	c.addBulk(m)
	if o.withScores {
		c.addDouble(score)
	}
}

func (o *zrangeOut) finish(dstKey []byte) {
	c := o.c
	if o.store {
		if o.n > 0 {
			c.replaceValue(dstKey, o.dst)
			c.modified(dstKey)
			c.addInt(int64(o.n))
			c.notify(config.NotifyZSet, "zrangestore", dstKey)
			c.keyReady(dstKey)
			return
		}
		c.addInt(0)
		c.clearDestination(dstKey)
		return
	}
	if o.deferred {
		c.setDeferredArrayLen(o.pos, c.pairsLen(o.n, o.withScores))
	}
}

func (c *Client) zrangeGeneric(argStart int, store bool, kind int, rev bool) {
	key := c.argv[argStart]
	minIdx, maxIdx := argStart+1, argStart+2
	withScores := false
	offset, limit := int64(0), int64(-1)
	autoDir := !rev && kind == zrAuto
	for j := argStart + 3; j < len(c.argv); j++ {
		left := len(c.argv) - j - 1
		a := c.argv[j]
		switch {
		case !store && argIs(a, "withscores"):
			withScores = true
		case argIs(a, "limit") && left >= 2:
			var ok bool
			if offset, ok = c.argInt(j + 1); !ok {
				return
			}
			if limit, ok = c.argInt(j + 2); !ok {
				return
			}
			j += 2
		case autoDir && !rev && argIs(a, "rev"):
			rev = true
		case kind == zrAuto && argIs(a, "bylex"):
			kind = zrLex
		case kind == zrAuto && argIs(a, "byscore"):
			kind = zrScore
		default:
			c.addError(errSyntax)
			return
		}
	}
	if kind == zrAuto {
		kind = zrRank
	}
	if limit != -1 && kind == zrRank {
		c.addError("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX")
		return
	}
	if withScores && kind == zrLex {
		c.addError("ERR syntax error, WITHSCORES not supported in combination with BYLEX")
		return
	}
	if rev && (kind == zrScore || kind == zrLex) {
		minIdx, maxIdx = maxIdx, minIdx
	}
	start, end, r, ok := c.parseZRangeArgs(kind, minIdx, maxIdx)
	if !ok {
		return
	}
	out := &zrangeOut{c: c, withScores: withScores || store, store: store}
	if !store {
		out.withScores = withScores
	}
	var z types.ZSet
	if store {
		e, ok := c.writeEntryNoMutate(key, keyspace.TypeZSet)
		if !ok {
			return
		}
		if e.Exists() {
			z = e.Object().(types.ZSet)
		}
	} else if z, ok = c.zsetForRead(key); !ok {
		return
	}
	if z == nil {
		if store {
			out.begin(-1)
			out.finish(c.argv[1])
		} else {
			c.addArrayLen(0)
		}
		return
	}
	if kind == zrRank {
		c.zrangeByRank(out, z, start, end, rev)
	} else {
		c.zrangeByRange(out, z, offset, limit, rev, r)
	}
	out.finish(c.argv[1])
}

// zRangeWalk counts the elements of r from the first one on, as Redis's
// range deletions walk them.
func zRangeWalk(z types.ZSet, r zRange) (first, n int) {
	it, rank, ok := zFirstInRange(z, r)
	if !ok {
		return 0, 0
	}
	for ; it.Valid() && zIterIn(&it, r.lte); it.Next() {
		n++
	}
	return rank, n
}

// writeEntryNoMutate looks a key up like a write command that only reads
// it (ZRANGESTORE's source).
func (c *Client) writeEntryNoMutate(key []byte, t keyspace.Type) (keyspace.Entry, bool) {
	e := c.db.Lookup(key, c.now, keyspace.NoStats)
	if e.Exists() && e.Type() != t {
		c.addError(errWrongType)
		return e, false
	}
	return e, true
}

func (c *Client) zrangeByRank(out *zrangeOut, z types.ZSet, start, end int64, rev bool) {
	first, n := rankRange(start, end, z.Len())
	out.begin(n)
	if n == 0 {
		return
	}
	// The iterator is declared outside the loops: a ZIter is large, and a
	// loop variable is copied every iteration. Two loops keep Next and
	// Prev inlined.
	var buf [20]byte
	if rev {
		it := z.At(z.Len() - 1 - first)
		for ; n > 0 && it.Valid(); n-- {
			out.emit(it.Member(buf[:0]), it.Score())
			it.Prev()
		}
		return
	}
	it := z.At(first)
	for ; n > 0 && it.Valid(); n-- {
		out.emit(it.Member(buf[:0]), it.Score())
		it.Next()
	}
}

// zrangeByRange emits the elements of a score or lex range, skipping
// offset and emitting at most limit (negative: all), from the end of the
// range when rev.
func (c *Client) zrangeByRange(out *zrangeOut, z types.ZSet, offset, limit int64, rev bool, r zRange) {
	if offset > 0 && offset >= int64(z.Len()) {
		out.begin(0)
		return
	}
	out.begin(-1)
	var it types.ZIter
	var ok bool
	if rev {
		it, _, ok = zLastInRange(z, r)
	} else {
		it, _, ok = zFirstInRange(z, r)
	}
	if !ok || offset < 0 {
		return
	}
	in := r.lte
	if rev {
		in = r.gte
	}
	for ; it.Valid() && offset > 0; offset-- {
		if rev {
			it.Prev()
		} else {
			it.Next()
		}
	}
	var buf [20]byte
	for ; it.Valid() && limit != 0; limit-- {
		m, s := it.Member(buf[:0]), it.Score()
		if !in(m, s) {
			break
		}
		out.emit(m, s)
		if rev {
			it.Prev()
		} else {
			it.Next()
		}
	}
}

func zremrangebyrankCommand(c *Client)  { c.zremrangeGeneric(zrRank) }
func zremrangebyscoreCommand(c *Client) { c.zremrangeGeneric(zrScore) }
func zremrangebylexCommand(c *Client)   { c.zremrangeGeneric(zrLex) }

func (c *Client) zremrangeGeneric(kind int) {
	start, end, r, ok := c.parseZRangeArgs(kind, 2, 3)
	if !ok {
		return
	}
	key := c.argv[1]
	e, ok := c.writeOrReply(key, keyspace.TypeZSet, c.addZero)
	if !ok {
		return
	}
	z := e.Object().(types.ZSet)
	var first, n int
	if kind == zrRank {
		first, n = rankRange(start, end, z.Len())
	} else {
		first, n = zRangeWalk(z, r)
	}
	if n == 0 {
		c.addInt(0)
		return
	}
	members := make([][]byte, 0, n)
	it := z.At(first)
	for i := 0; i < n && it.Valid(); i++ {
		members = append(members, append([]byte(nil), it.Member(nil)...))
		it.Next()
	}
	old := z
	for _, m := range members {
		z, _ = z.Delete(m)
	}
	c.modified(key)
	c.notify(config.NotifyZSet, zremrangeEvents[kind], key)
	c.storeObject(key, e, old, z, z.Len())
	c.addInt(int64(len(members)))
}

var zremrangeEvents = [...]string{zrRank: "zremrangebyrank", zrScore: "zremrangebyscore", zrLex: "zremrangebylex"}

// parseZRangeArgs parses the bounds at argv[minIdx] and argv[maxIdx]
// (maxIdx is minIdx+1 for ranks): a rank range (start, end) or a score or
// lex range (r). ok is false after an error reply.
func (c *Client) parseZRangeArgs(kind, minIdx, maxIdx int) (start, end int64, r zRange, ok bool) {
	if kind != zrRank {
		r, ok = c.parseZRange(kind, c.argv[minIdx], c.argv[maxIdx])
		return 0, 0, r, ok
	}
	start, end, ok = c.argIntPair(minIdx)
	return start, end, nil, ok
}

// parseZRange parses a score (zrScore) or lex (zrLex) range, replying
// Redis's error when min or max is not valid.
func (c *Client) parseZRange(kind int, min, max []byte) (zRange, bool) {
	if kind == zrLex {
		r, ok := parseLexRange(min, max)
		if !ok {
			c.addError("ERR min or max not valid string range item")
			return nil, false
		}
		return &r, true
	}
	r, ok := parseScoreRange(min, max)
	if !ok {
		c.addError("ERR min or max is not a float")
		return nil, false
	}
	return &r, true
}
