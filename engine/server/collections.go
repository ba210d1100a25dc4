package server

import (
	"math"
	"sync/atomic"

	"github.com/redisctl/redisctl/engine/config"
	"github.com/redisctl/redisctl/engine/glob"
	"github.com/redisctl/redisctl/engine/keyspace"
	"github.com/redisctl/redisctl/engine/resp"
	"github.com/redisctl/redisctl/engine/types"
)

// Shared plumbing of the collection commands (t_hash.go, t_list.go,
// t_set.go, t_zset.go, t_geo.go, sort.go): encoding limits mirrored from
// the config, typed lookups, and storing values that may change
// representation.

// collections is the Server's state for the collection types.
type collections struct {
	limits atomic.Pointer[types.Limits]
}

var limitParams = []string{
	"hash-max-listpack-entries", "hash-max-listpack-value", "set-max-intset-entries",
	"zset-max-listpack-entries", "zset-max-listpack-value", "list-max-listpack-size",
}

// initCollections loads the encoding limits and follows CONFIG SET.
func (s *Server) initCollections() {
	s.loadLimits()
	s.cfg.OnChange(func(name string) error {
		for _, p := range limitParams {
			if p == name {
				s.loadLimits()
			}
		}
		return nil
	})
}

func (s *Server) loadLimits() {
	cfg := s.cfg
	s.coll.limits.Store(&types.Limits{
		HashMaxEntries: cfg.Int("hash-max-listpack-entries"),
		HashMaxValue:   cfg.Int("hash-max-listpack-value"),
		SetMaxIntset:   cfg.Int("set-max-intset-entries"),
		ZsetMaxEntries: cfg.Int("zset-max-listpack-entries"),
		ZsetMaxValue:   cfg.Int("zset-max-listpack-value"),
		ListFill:       cfg.Int("list-max-listpack-size"),
	})
}

// addValue replies a collection element as a bulk string.
func (c *Client) addValue(v types.Value) {
	if v.IsInt {
		c.addBulkInt(v.N)
		return
	}
	c.addBulk(v.S)
}

// pairsLen is the array length of a reply of n elements that are pairs
// when with is set (ZRANGE WITHSCORES, HRANDFIELD WITHVALUES...): flat in
// RESP2, one two-element array per element (see addPairHeader) in RESP3.
func (c *Client) pairsLen(n int, with bool) int {
	if with && c.proto == resp.RESP2 {
		return 2 * n
	}
	return n
}

// addScoredMember replies a member, and its score when withScores, as one
// element of a reply of pairsLen elements.
func (c *Client) addScoredMember(m []byte, score float64, withScores bool) {
	c.addPairHeader(withScores)
	c.addBulk(m)
	if withScores {
		c.addDouble(score)
	}
}

// addPairHeader starts one element of a reply of pairsLen elements.
func (c *Client) addPairHeader(with bool) {
	if with && c.proto == resp.RESP3 {
		c.out = append(c.out, "*2\r\n"...)
	}
}

// parseRandCount parses the count and the WITHVALUES/WITHSCORES flag
// (named with) of HRANDFIELD and ZRANDMEMBER; ok is false after an error
// reply.
func (c *Client) parseRandCount(with string) (count int64, withFlag, ok bool) {
	if count, ok = c.argInt(2); !ok {
		return 0, false, false
	}
	if count == math.MinInt64 {
		c.addError("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
		return 0, false, false
	}
	if len(c.argv) > 4 || (len(c.argv) == 4 && !argIs(c.argv[3], with)) {
		c.addError(errSyntax)
		return 0, false, false
	}
	if len(c.argv) == 4 {
		if count < -math.MaxInt64/2 || count > math.MaxInt64/2 {
			c.addError("ERR value is out of range")
			return 0, false, false
		}
		return count, true, true
	}
	return count, false, true
}

func (c *Client) limits() *types.Limits { return c.srv.coll.limits.Load() }

// readObject looks key up for a read command. It returns nil for a missing
// key; ok is false when it replied WRONGTYPE.
func (c *Client) readObject(key []byte, t keyspace.Type) (keyspace.Object, bool) {
	e := c.db.Lookup(key, c.now, 0)
	if !e.Exists() {
		return nil, true
	}
	if e.Type() != t {
		c.addError(errWrongType)
		return nil, false
	}
	return e.Object(), true
}

// readOrReply is readObject for a command that replies missing() when key
// does not exist (Redis's lookupKeyReadOrReply); ok is false after any
// reply.
func (c *Client) readOrReply(key []byte, t keyspace.Type, missing func()) (keyspace.Object, bool) {
	obj, ok := c.readObject(key, t)
	if ok && obj == nil {
		missing()
		return nil, false
	}
	return obj, ok
}

// writeEntry looks key up for a write command; ok is false when it
// replied WRONGTYPE. When the key exists its value is about to change:
// the snapshot (if any) is given the old value first.
func (c *Client) writeEntry(key []byte, t keyspace.Type) (keyspace.Entry, bool) {
	e := c.db.Lookup(key, c.now, keyspace.NoStats)
	if !e.Exists() {
		return e, true
	}
	if e.Type() != t {
		c.addError(errWrongType)
		return e, false
	}
	c.db.Mutate(e)
	return e, true
}

// sized is a collection value.
type sized interface {
	keyspace.Object
	Len() int
}

// cardCommand replies the number of elements of the collection of type t
// at argv[1], 0 when it is missing (HLEN, LLEN, SCARD, ZCARD).
func (c *Client) cardCommand(t keyspace.Type) {
	obj, ok := c.readObject(c.argv[1], t)
	if !ok {
		return
	}
	n := 0
	if obj != nil {
		n = obj.(sized).Len()
	}
	c.addInt(int64(n))
}

// removeMembers is HDEL, SREM and ZREM: it removes the members argv[2:]
// from the collection of type t at argv[1] with del (which returns the
// value, possibly a new one, and whether the member was there), notifies
// event when any went, and replies how many did.
func removeMembers[T sized](c *Client, t keyspace.Type, class int, event string, del func(T, []byte) (T, bool)) {
	key := c.argv[1]
	e, ok := c.writeOrReply(key, t, c.addZero)
	if !ok {
		return
	}
	v := e.Object().(T)
	old := v
	removed := 0
	for _, m := range c.argv[2:] {
		var gone bool
		if v, gone = del(v, m); gone {
			removed++
			if v.Len() == 0 {
				break
			}
		}
	}
	if removed > 0 {
		c.modified(key)
		c.notify(class, event, key)
		c.storeObject(key, e, old, v, v.Len())
	}
	c.addInt(int64(removed))
}

// writeOrReply is writeEntry for a command that replies missing() when
// key does not exist; ok is false after any reply.
func (c *Client) writeOrReply(key []byte, t keyspace.Type, missing func()) (keyspace.Entry, bool) {
	e, ok := c.writeEntry(key, t)
	if ok && !e.Exists() {
		missing()
		return e, false
	}
	return e, ok
}

// storeObject records the value of key after a change: a new key, a new
// representation, or the same object changed in place. An empty
// collection deletes the key (and reports "del").
func (c *Client) storeObject(key []byte, e keyspace.Entry, old, nw keyspace.Object, size int) {
	switch {
	case size == 0:
		if e.Exists() {
			c.db.Delete(key, c.now)
			c.notifyDel(key)
		}
	case !e.Exists():
		c.db.SetObject(key, nw, false)
	case nw != old:
		c.db.ReplaceObject(e, nw)
	default:
		c.db.Changed(e)
	}
}

func (c *Client) notifyDel(key []byte) {
	c.notify(config.NotifyGeneric, "del", key)
}

// clearDestination deletes the destination key of a STORE command whose
// result is empty, as Redis does, reporting the change.
func (c *Client) clearDestination(key []byte) {
	if c.db.Delete(key, c.now) {
		c.modified(key)
		c.notifyDel(key)
	}
}

// replaceValue stores obj under key, replacing any value and its expire
// (the STORE variants).
func (c *Client) replaceValue(key []byte, obj keyspace.Object) {
	c.db.SetObject(key, obj, false)
}

// scanArgs are the cursor and options of HSCAN, SSCAN and ZSCAN.
type scanArgs struct {
	cursor uint64
	scanOpts
}

// parseCursor parses a SCAN cursor the way Redis does (strtoul): an
// optional sign (negative values wrap), decimal digits, no overflow.
func parseCursor(b []byte) (uint64, bool) {
	if len(b) > 0 && isSpaceByte(b[0]) {
		return 0, false
	}
	neg := false
	i := 0
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	if i == len(b) && i > 0 {
		return 0, false
	}
	var v uint64
	for ; i < len(b); i++ {
		d := b[i]
		if d < '0' || d > '9' {
			return 0, false
		}
		if v > (^uint64(0)-uint64(d-'0'))/10 {
			return 0, false
		}
		v = v*10 + uint64(d-'0')
	}
	if neg {
		v = -v
	}
	return v, true
}

// scanCollection implements HSCAN, SSCAN and ZSCAN up to the scan itself:
// cursor, key lookup (a missing key is an empty scan), type, options.
func (c *Client) scanCollection(t keyspace.Type) (keyspace.Object, scanArgs, bool) {
	cur, ok := parseCursor(c.argv[2])
	if !ok {
		c.addError("ERR invalid cursor")
		return nil, scanArgs{}, false
	}
	obj, ok := c.readObject(c.argv[1], t)
	if !ok {
		return nil, scanArgs{}, false
	}
	if obj == nil {
		c.addRawStr("*2\r\n$1\r\n0\r\n*0\r\n")
		return nil, scanArgs{}, false
	}
	o, ok := c.parseScanOpts(3, false)
	return obj, scanArgs{cur, o}, ok
}

// scanReply collects the elements of one SCAN step over a collection and
// replies [cursor, elements]: step is called with the cursor until it
// returns 0, count elements were found or 10×count steps were taken.
// Pairs (field/value, member/score) are emitted together and filtered on
// their first element; each element counts towards count, as in Redis.
func (c *Client) scanReply(a scanArgs, step func(cursor uint64, emit func(el ...[]byte)) uint64) {
	var out [][]byte
	emit := func(el ...[]byte) {
		if a.pattern != nil && !glob.Match(a.pattern, el[0], false) {
			return
		}
		for _, e := range el {
			out = append(out, append([]byte(nil), e...))
		}
	}
	cursor := a.cursor
	maxIter := a.count * 10
	seen := 0
	countingEmit := func(el ...[]byte) {
		seen += len(el)
		emit(el...)
	}
	for {
		cursor = step(cursor, countingEmit)
		if cursor == 0 || maxIter == 0 || seen >= a.count {
			break
		}
		maxIter--
	}
	c.addArrayLen(2)
	c.addBulkStr(uitoa(cursor))
	c.addArrayLen(len(out))
	for _, e := range out {
		c.addBulk(e)
	}
}

func uitoa(v uint64) string {
	var buf [20]byte
	i := len(buf)
	for {
		i--
		buf[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			break
		}
	}
	return string(buf[i:])
}
