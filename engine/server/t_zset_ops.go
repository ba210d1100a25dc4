package server

import (
	"bytes"
	"math"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/redisctl/redisctl/engine/config"
	"github.com/redisctl/redisctl/engine/keyspace"
	"github.com/redisctl/redisctl/engine/resp"
	"github.com/redisctl/redisctl/engine/types"
)

// Sorted set pops (blocking ones included), random members, set
// operations and ZSCAN (Redis's t_zset.c).

const (
	zsetMin = iota
	zsetMax
)

func zpopminCommand(c *Client) { c.zpopMinMax(zsetMin) }
func zpopmaxCommand(c *Client) { c.zpopMinMax(zsetMax) }

func (c *Client) zpopMinMax(where int) {
	if len(c.argv) > 3 {
		c.addError(errSyntax)
		return
	}
	count := int64(-1)
	if len(c.argv) == 3 {
		var ok bool
		if count, ok = c.argPositive(2, ""); !ok {
			return
		}
	}
	nested := c.proto == resp.RESP3 && count != -1
	c.zpopGeneric(c.argv[1:2], where, false, count, nested, false, false)
}

// zpopGeneric is Redis's genericZpopCommand: pop up to count elements
// (-1: one, flat) from the first existing key. emitKey prefixes the key
// (BZPOP*, ZMPOP), nested puts each pair in its own array, nilWhenEmpty
// replies a null array rather than an empty one. It reports whether it
// replied (false only when retrying a blocked command found nothing).
func (c *Client) zpopGeneric(keys [][]byte, where int, emitKey bool, count int64, nested, nilWhenEmpty, skipWrongType bool) bool {
	var key []byte
	var e keyspace.Entry
	for _, k := range keys {
		var ok bool
		if e, ok = c.writeEntryQuiet(k, keyspace.TypeZSet, skipWrongType); !ok {
			return true
		}
		if e.Exists() && e.Type() == keyspace.TypeZSet {
			key = k
			break
		}
	}
	if key == nil {
		if skipWrongType {
			return false
		}
		if nilWhenEmpty {
			c.addNullArray()
		} else {
			c.addArrayLen(0)
		}
		return true
	}
	if count == 0 {
		c.addArrayLen(0)
		return true
	}
	requested := count
	if count == -1 {
		count = 1
	}
	z := e.Object().(types.ZSet)
	llen := int64(z.Len())
	n := min(count, llen)
	switch {
	case !nested && !emitKey:
		c.addArrayLen(int(n * 2))
	case nested && !emitKey:
		c.addArrayLen(int(n))
	case !nested && emitKey:
		c.addArrayLen(int(n*2 + 1))
		c.addBulk(key)
	default:
		c.addArrayLen(2)
		c.addBulk(key)
		c.addArrayLen(int(n))
	}
	old := z
	for i := int64(0); i < n; i++ {
		var it types.ZIter
		if where == zsetMin {
			it = z.At(0)
		} else {
			it = z.At(z.Len() - 1)
		}
		var buf [20]byte
		m := append([]byte(nil), it.Member(buf[:0])...)
		s := it.Score()
		z, _ = z.Delete(m)
		if nested {
			c.addArrayLen(2)
		}
		c.addBulk(m)
		c.addDouble(s)
	}
	if where == zsetMin {
		c.notify(config.NotifyZSet, "zpopmin", key)
	} else {
		c.notify(config.NotifyZSet, "zpopmax", key)
	}
	c.storeObject(key, e, old, z, z.Len())
	c.modified(key)
	name := "ZPOPMIN"
	if where == zsetMax {
		name = "ZPOPMAX"
	}
	// As Redis: ZPOPMIN key for a single pop (BZPOPMIN included), else
	// the count asked for.
	c.propArgv = [][]byte{[]byte(name), key}
	if requested != -1 {
		c.propArgv = append(c.propArgv, []byte(itoa(requested)))
	}
	return true
}

func bzpopminCommand(c *Client) { c.bzpopMinMax(zsetMin) }
func bzpopmaxCommand(c *Client) { c.bzpopMinMax(zsetMax) }

func (c *Client) bzpopMinMax(where int) {
	timeout, ok := c.parseTimeout(c.argv[len(c.argv)-1], true)
	if !ok {
		return
	}
	c.blockingZpop(c.argv[1:len(c.argv)-1], where, -1, false, false, timeout)
}

func (c *Client) blockingZpop(keys [][]byte, where int, count int64, nested, nilWhenEmpty bool, timeout time.Duration) {
	for _, k := range keys {
		if c.notServing(k) {
			continue
		}
		e := c.db.Lookup(k, c.now, keyspace.NoStats|keyspace.NoTouch)
		if !e.Exists() {
			continue
		}
		if e.Type() != keyspace.TypeZSet {
			if c.retrying {
				continue
			}
			c.addError(errWrongType)
			return
		}
		c.zpopGeneric([][]byte{k}, where, true, count, nested, nilWhenEmpty, false)
		return
	}
	if !c.mayBlock() {
		c.addNullArray()
		return
	}
	c.blockOnKeys(keys, timeout, func(c *Client) { c.addNullArray() })
}

// parseMinMax parses MIN or MAX.
func (c *Client) parseMinMax(arg []byte) (int, bool) { return c.parseKeyword(arg, zsetEnds) }

var zsetEnds = []keyword{{"min", zsetMin}, {"max", zsetMax}}

func zmpopCommand(c *Client) {
	keys, where, count, ok := c.parseMpop(1, c.parseMinMax)
	if !ok {
		return
	}
	c.zpopGeneric(keys, where, true, count, true, true, false)
}

func bzmpopCommand(c *Client) {
	keys, where, count, ok := c.parseMpop(2, c.parseMinMax)
	if !ok {
		return
	}
	timeout, ok := c.parseTimeout(c.argv[1], true)
	if !ok {
		return
	}
	c.blockingZpop(keys, where, count, true, true, timeout)
}

func zrandmemberCommand(c *Client) {
	if len(c.argv) >= 3 {
		if l, withScores, ok := c.parseRandCount("withscores"); ok {
			c.zrandmemberWithCount(l, withScores)
		}
		return
	}
	obj, ok := c.readOrReply(c.argv[1], keyspace.TypeZSet, c.addNull)
	if !ok {
		return
	}
	z := obj.(types.ZSet)
	it := z.At(rand.IntN(z.Len()))
	var buf [20]byte
	c.addBulk(it.Member(buf[:0]))
}

func (c *Client) zrandmemberWithCount(l int64, withScores bool) {
	z, ok := c.zsetForRead(c.argv[1])
	if !ok {
		return
	}
	if z == nil || l == 0 {
		c.addArrayLen(0)
		return
	}
	pair := func(it *types.ZIter) {
		var buf [20]byte
		c.addScoredMember(it.Member(buf[:0]), it.Score(), withScores)
	}
	replyLen := func(n int) { c.addArrayLen(c.pairsLen(n, withScores)) }
	size := z.Len()
	if l < 0 || l == 1 {
		count := int(-l)
		if l == 1 {
			count = 1
		}
		replyLen(count)
		for i := 0; i < count; i++ {
			it := z.At(rand.IntN(size))
			pair(&it)
		}
		return
	}
	count := int(min(l, int64(size)))
	replyLen(count)
	if count >= size {
		// The whole set, walked from the end as Redis's zset iterator does.
		for it := z.At(size - 1); it.Valid(); it.Prev() {
			pair(&it)
		}
		return
	}
	ranks := rand.Perm(size)[:count]
	for _, r := range ranks {
		it := z.At(r)
		pair(&it)
	}
}

// zsetOp sources: sorted sets, or sets with every score 1.
type zsrc struct {
	z      types.ZSet
	s      types.Set
	key    []byte
	weight float64
}

func (s *zsrc) len() int {
	switch {
	case s.z != nil:
		return s.z.Len()
	case s.s != nil:
		return s.s.Len()
	}
	return 0
}

func (s *zsrc) each(fn func(m []byte, score float64)) {
	switch {
	case s.z != nil:
		var buf [20]byte
		for it := s.z.At(0); it.Valid(); it.Next() {
			fn(it.Member(buf[:0]), it.Score())
		}
	case s.s != nil:
		s.s.Each(func(m []byte) bool {
			fn(m, 1)
			return true
		})
	}
}

func (s *zsrc) score(m []byte) (float64, bool) {
	switch {
	case s.z != nil:
		return s.z.Score(m)
	case s.s != nil:
		return 1, s.s.Has(m)
	}
	return 0, false
}

// ZUNION's and ZINTER's AGGREGATE functions.
const (
	aggrSum = iota
	aggrMin
	aggrMax
)

var aggregateWords = []keyword{{"sum", aggrSum}, {"min", aggrMin}, {"max", aggrMax}}

func aggregate(target *float64, v float64, how int) {
	switch how {
	case aggrSum:
		*target += v
		if math.IsNaN(*target) {
			*target = 0
		}
	case aggrMin:
		if v < *target {
			*target = v
		}
	case aggrMax:
		if v > *target {
			*target = v
		}
	}
}

const (
	zopUnion = iota
	zopInter
	zopDiff
)

func zunionCommand(c *Client)      { c.zsetOpGeneric(nil, 1, zopUnion, false) }
func zinterCommand(c *Client)      { c.zsetOpGeneric(nil, 1, zopInter, false) }
func zdiffCommand(c *Client)       { c.zsetOpGeneric(nil, 1, zopDiff, false) }
func zunionstoreCommand(c *Client) { c.zsetOpGeneric(c.argv[1], 2, zopUnion, false) }
func zinterstoreCommand(c *Client) { c.zsetOpGeneric(c.argv[1], 2, zopInter, false) }
func zdiffstoreCommand(c *Client)  { c.zsetOpGeneric(c.argv[1], 2, zopDiff, false) }
func zintercardCommand(c *Client)  { c.zsetOpGeneric(nil, 1, zopInter, true) }

type zresult struct {
	m     []byte
	score float64
}

// sortZResults orders res as in a sorted set: by score, then member.
func sortZResults(res []zresult) {
	sort.Slice(res, func(a, b int) bool {
		if res[a].score != res[b].score {
			return res[a].score < res[b].score
		}
		return bytes.Compare(res[a].m, res[b].m) < 0
	})
}

// newZSetOf returns a sorted set of res in the encoding a STORE result of
// that size gets.
func (c *Client) newZSetOf(res []zresult) types.ZSet {
	maxLen := 0
	for _, r := range res {
		maxLen = max(maxLen, len(r.m))
	}
	lim := c.limits()
	z := types.NewZSetSized(len(res), maxLen, lim)
	for _, r := range res {
		z = z.Insert(r.m, r.score, lim)
	}
	return z
}

func (c *Client) zsetOpGeneric(dst []byte, numIdx, op int, cardOnly bool) {
	setnum, ok := c.argInt(numIdx)
	if !ok {
		return
	}
	if setnum < 1 {
		c.addError("ERR at least 1 input key is needed for '" + c.cmd.fullName + "' command")
		return
	}
	if setnum > int64(len(c.argv)-(numIdx+1)) {
		c.addError(errSyntax)
		return
	}
	srcs := make([]zsrc, setnum)
	j := numIdx + 1
	for i := range srcs {
		key := c.argv[j]
		flags := keyspace.LookupFlags(0)
		if dst != nil {
			flags = keyspace.NoStats
		}
		e := c.db.Lookup(key, c.now, flags)
		srcs[i] = zsrc{key: key, weight: 1}
		if e.Exists() {
			switch e.Type() {
			case keyspace.TypeZSet:
				srcs[i].z = e.Object().(types.ZSet)
			case keyspace.TypeSet:
				srcs[i].s = e.Object().(types.Set)
			default:
				c.addError(errWrongType)
				return
			}
		}
		j++
	}
	how, withScores, limit := aggrSum, false, int64(0)
	for j < len(c.argv) {
		remaining := len(c.argv) - j
		a := c.argv[j]
		switch {
		case op != zopDiff && !cardOnly && remaining >= int(setnum)+1 && argIs(a, "weights"):
			j++
			for i := range srcs {
				w, ok := parseStrtod(c.argv[j])
				if !ok {
					c.addError("ERR weight value is not a float")
					return
				}
				srcs[i].weight = w
				j++
			}
		case op != zopDiff && !cardOnly && remaining >= 2 && argIs(a, "aggregate"):
			if how, ok = c.parseKeyword(c.argv[j+1], aggregateWords); !ok {
				return
			}
			j += 2
		case dst == nil && !cardOnly && argIs(a, "withscores"):
			withScores = true
			j++
		case cardOnly && remaining >= 2 && argIs(a, "limit"):
			if limit, ok = c.argPositive(j+1, "LIMIT can't be negative"); !ok {
				return
			}
			j += 2
		default:
			c.addError(errSyntax)
			return
		}
	}
	if op != zopDiff {
		sort.SliceStable(srcs, func(a, b int) bool { return srcs[a].len() < srcs[b].len() })
	}
	var res []zresult
	card := int64(0)
	switch op {
	case zopInter:
		if srcs[0].len() == 0 {
			break
		}
		srcs[0].each(func(m []byte, s0 float64) {
			if cardOnly && limit > 0 && card >= limit {
				return
			}
			score := srcs[0].weight * s0
			if math.IsNaN(score) {
				score = 0
			}
			for k := 1; k < len(srcs); k++ {
				v, found := srcs[k].score(m)
				if !found {
					return
				}
				aggregate(&score, v*srcs[k].weight, how)
			}
			if cardOnly {
				card++
				return
			}
			res = append(res, zresult{append([]byte(nil), m...), score})
		})
	case zopUnion:
		acc := map[string]int{}
		for i := range srcs {
			w := srcs[i].weight
			srcs[i].each(func(m []byte, s float64) {
				score := w * s
				if math.IsNaN(score) {
					score = 0
				}
				if at, ok := acc[string(m)]; ok {
					aggregate(&res[at].score, score, how)
					return
				}
				acc[string(m)] = len(res)
				res = append(res, zresult{append([]byte(nil), m...), score})
			})
		}
	case zopDiff:
		if srcs[0].len() == 0 {
			break
		}
		srcs[0].each(func(m []byte, s float64) {
			for k := 1; k < len(srcs); k++ {
				if _, found := srcs[k].score(m); found {
					return
				}
			}
			res = append(res, zresult{append([]byte(nil), m...), s})
		})
	}
	if cardOnly {
		c.addInt(card)
		return
	}
	sortZResults(res)
	if dst != nil {
		c.storeZsetResult(dst, res, op)
		return
	}
	c.addArrayLen(c.pairsLen(len(res), withScores))
	for _, r := range res {
		c.addScoredMember(r.m, r.score, withScores)
	}
}

func (c *Client) storeZsetResult(dst []byte, res []zresult, op int) {
	if len(res) == 0 {
		c.addInt(0)
		c.clearDestination(dst)
		return
	}
	c.replaceValue(dst, c.newZSetOf(res))
	c.modified(dst)
	c.addInt(int64(len(res)))
	event := [...]string{"zunionstore", "zinterstore", "zdiffstore"}[op]
	c.notify(config.NotifyZSet, event, dst)
	c.keyReady(dst)
}

func zscanCommand(c *Client) {
	obj, a, ok := c.scanCollection(keyspace.TypeZSet)
	if !ok {
		return
	}
	z := obj.(types.ZSet)
	c.scanReply(a, func(cursor uint64, emit func(el ...[]byte)) uint64 {
		return z.Scan(cursor, func(m []byte, s float64) {
			var buf [32]byte
			emit(m, types.FormatScore(buf[:0], s))
		})
	})
}
