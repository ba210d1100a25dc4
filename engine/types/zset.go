package types

import (
	"bytes"
	"math"
	"strconv"
	"unsafe"

	"github.com/redisctl/redisctl/engine/ds"
	"github.com/redisctl/redisctl/engine/keyspace"
	"github.com/redisctl/redisctl/engine/listpack"
)

// ZSet is a sorted set: a listpack of member, score pairs ordered by
// (score, member) while small, a Dict plus a ZTree once large (Redis's
// "skiplist" encoding).
type ZSet interface {
	keyspace.Object
	Len() int
	Score(m []byte) (float64, bool)
	// Insert adds m, which must be absent, converting the encoding when
	// lim says so. The returned ZSet replaces the receiver.
	Insert(m []byte, score float64, lim *Limits) ZSet
	// Update changes the score of member m (present, with score old).
	Update(m []byte, old, score float64) ZSet
	// Delete removes m and reports whether it was a member.
	Delete(m []byte) (ZSet, bool)
	// Seek returns an iterator at the first element (in ascending order)
	// for which the monotone predicate pred holds, and its rank; the
	// iterator is invalid and the rank Len() when none does. Compact sets
	// scan from the start, so a predicate that is not monotone (a lex
	// range over mixed scores) finds what Redis's listpack walk finds.
	Seek(pred func(m []byte, score float64) bool) (ZIter, int)
	// SeekLast returns an iterator at the last element for which pred (a
	// monotone "still before the end" predicate) holds, and its rank (-1
	// and invalid when none does). Compact sets scan from the end.
	SeekLast(pred func(m []byte, score float64) bool) (ZIter, int)
	// At returns an iterator at rank r (ascending, 0-based).
	At(r int) ZIter
	Scan(cursor uint64, fn func(m []byte, score float64)) uint64
	Compact() bool
}

// ZIter walks a sorted set in either direction. It is invalidated by any
// change to the set.
type ZIter struct {
	lp   []byte // listpack encoding: position of the member entry
	p    int
	it   ds.Iter
	tree bool
}

// Valid reports whether the iterator is on an element.
func (z *ZIter) Valid() bool {
	if z.tree {
		return z.it.Valid()
	}
	return z.p >= 0
}

// Member returns the element's member; integers are formatted into buf.
func (z *ZIter) Member(buf []byte) []byte {
	if z.tree {
		return ds.ZMember(z.it.Blob())
	}
	return listpack.BytesAt(z.lp, z.p, buf)
}

// Score returns the element's score.
func (z *ZIter) Score() float64 {
	if z.tree {
		return ds.ZScore(z.it.Blob())
	}
	return lpScore(z.lp, listpack.Next(z.lp, z.p))
}

// Next moves to the next element in ascending order.
func (z *ZIter) Next() {
	if z.tree {
		z.it.Next()
		return
	}
	z.p = listpack.Next(z.lp, z.p)
	if z.p >= 0 {
		z.p = listpack.Next(z.lp, z.p)
	}
}

// Prev moves to the previous element.
func (z *ZIter) Prev() {
	if z.tree {
		z.it.Prev()
		return
	}
	z.p = listpack.Prev(z.lp, z.p)
	if z.p >= 0 {
		z.p = listpack.Prev(z.lp, z.p)
	}
}

// lpScore reads the score entry at p.
func lpScore(lp []byte, p int) float64 {
	s, v, isInt := listpack.Get(lp, p)
	if isInt {
		return float64(v)
	}
	f, _ := strconv.ParseFloat(string(s), 64)
	return f
}

// FormatScore writes a score the way Redis 7.0 stores it in a listpack
// (d2string): integers within ±2^52 without a fraction (-0 as "0"), else
// "%.17g".
func FormatScore(buf []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(buf, "inf"...)
	case math.IsInf(f, -1):
		return append(buf, "-inf"...)
	case f > -4503599627370495 && f < 4503599627370496 && f == math.Trunc(f):
		return strconv.AppendInt(buf, int64(f), 10)
	}
	return strconv.AppendFloat(buf, f, 'g', 17, 64)
}

// NewZSet returns an empty sorted set in the encoding Redis picks for a
// set whose first member has length firstLen.
func NewZSet(firstLen int, lim *Limits) ZSet {
	if lim.ZsetMaxEntries == 0 || int64(firstLen) > lim.ZsetMaxValue {
		return newZTree()
	}
	return newZLP(listpack.Init(newCompact(tagZsetLP, 32)))
}

// ZSetFits reports whether a sorted set of n elements whose longest member
// has length maxLen is stored compactly (zsetConvertToListpackIfNeeded).
func ZSetFits(n, maxLen int, lim *Limits) bool {
	return int64(n) <= lim.ZsetMaxEntries && int64(maxLen) <= lim.ZsetMaxValue
}

// NewZSetSized returns an empty sorted set that will hold n elements whose
// longest member has length maxLen, in the encoding the result of a STORE
// command gets.
func NewZSetSized(n, maxLen int, lim *Limits) ZSet {
	if n > 0 && ZSetFits(n, maxLen, lim) {
		return newZLP(listpack.Init(newCompact(tagZsetLP, 32)))
	}
	return newZTree()
}

// NewZSetEncoded returns an empty sorted set, compact or not.
func NewZSetEncoded(compact bool) ZSet {
	if compact {
		return newZLP(listpack.Init(newCompact(tagZsetLP, 32)))
	}
	return newZTree()
}

// zsetLP is a listpack sorted set: the pointer is the listpack.
type zsetLP byte

func newZLP(lp []byte) *zsetLP                  { return (*zsetLP)(ptrOf(lp)) }
func (z *zsetLP) lp() []byte                    { return lpAt(unsafe.Pointer(z)) }
func (z *zsetLP) Type() keyspace.Type           { return keyspace.TypeZSet }
func (z *zsetLP) Encoding() string              { return "listpack" }
func (z *zsetLP) MemUsage() int64               { return int64(ds.AllocSize(compactHdr + cap(z.lp()))) }
func (z *zsetLP) Copy() keyspace.Object         { return newZLP(compactCopy(tagZsetLP, z.lp())) }
func (z *zsetLP) CompactSize() int              { return compactSize(z.lp()) }
func (z *zsetLP) Len() int                      { return listpack.Len(z.lp()) / 2 }
func (z *zsetLP) Compact() bool                 { return true }
func (z *zsetLP) find(m []byte) int             { return listpack.Find(z.lp(), listpack.First(z.lp()), m, 1) }
func (z *zsetLP) iterAt(p int) ZIter            { return ZIter{lp: z.lp(), p: p} }
func (z *zsetLP) At(r int) ZIter                { return z.iterAt(listpack.Seek(z.lp(), 2*r)) }
func (z *zsetLP) member(p int, b []byte) []byte { return listpack.BytesAt(z.lp(), p, b) }

func (z *zsetLP) CompactMove(dst []byte) keyspace.Object {
	return (*zsetLP)(compactMove(tagZsetLP, z.lp(), dst))
}

func (z *zsetLP) Score(m []byte) (float64, bool) {
	p := z.find(m)
	if p < 0 {
		return 0, false
	}
	lp := z.lp()
	return lpScore(lp, listpack.Next(lp, p)), true
}

func (z *zsetLP) Insert(m []byte, score float64, lim *Limits) ZSet {
	if int64(z.Len()+1) > lim.ZsetMaxEntries || int64(len(m)) > lim.ZsetMaxValue {
		t := z.toTree()
		return t.Insert(m, score, lim)
	}
	return z.insert(m, score)
}

// insert places (m, score) in order.
func (z *zsetLP) insert(m []byte, score float64) *zsetLP {
	lp := z.lp()
	var buf [32]byte
	p := listpack.First(lp)
	for p >= 0 {
		q := listpack.Next(lp, p)
		s := lpScore(lp, q)
		if s > score || (s == score && bytes.Compare(listpack.BytesAt(lp, p, buf[:0]), m) > 0) {
			break
		}
		p = listpack.Next(lp, q)
	}
	sb := FormatScore(buf[:0], score)
	lp = growCompact(tagZsetLP, lp, listpack.EncodedSize(m)+listpack.EncodedSize(sb))
	lp, p = listpack.Insert(lp, p, m)
	lp, _ = listpack.Insert(lp, listpack.Next(lp, p), sb)
	return newZLP(lp)
}

func (z *zsetLP) Update(m []byte, _, score float64) ZSet {
	nz, _ := z.Delete(m)
	return nz.(*zsetLP).insert(m, score)
}

func (z *zsetLP) Delete(m []byte) (ZSet, bool) {
	p := z.find(m)
	if p < 0 {
		return z, false
	}
	return newZLP(listpack.DeleteRange(z.lp(), p, 2)), true
}

func (z *zsetLP) Seek(pred func(m []byte, score float64) bool) (ZIter, int) {
	lp := z.lp()
	var buf [20]byte
	rank := 0
	for p := listpack.First(lp); p >= 0; rank++ {
		q := listpack.Next(lp, p)
		if pred(listpack.BytesAt(lp, p, buf[:0]), lpScore(lp, q)) {
			return ZIter{lp: lp, p: p}, rank
		}
		p = listpack.Next(lp, q)
	}
	return ZIter{lp: lp, p: -1}, rank
}

func (z *zsetLP) SeekLast(pred func(m []byte, score float64) bool) (ZIter, int) {
	lp := z.lp()
	var buf [20]byte
	rank := z.Len() - 1
	for p := listpack.Last(lp); p >= 0; rank-- {
		q := listpack.Prev(lp, p)
		if pred(listpack.BytesAt(lp, q, buf[:0]), lpScore(lp, p)) {
			return ZIter{lp: lp, p: q}, rank
		}
		p = listpack.Prev(lp, q)
	}
	return ZIter{lp: lp, p: -1}, -1
}

func (z *zsetLP) Scan(_ uint64, fn func(m []byte, score float64)) uint64 {
	for it := z.At(0); it.Valid(); it.Next() {
		var buf [20]byte
		fn(it.Member(buf[:0]), it.Score())
	}
	return 0
}

func (z *zsetLP) toTree() *zsetTree {
	t := newZTree()
	for it := z.At(0); it.Valid(); it.Next() {
		var buf [20]byte
		t.add(it.Member(buf[:0]), it.Score())
	}
	return t
}

// zsetTree is the large encoding: a member → blob Dict and a ZTree of the
// same blobs.
type zsetTree struct {
	d   *ds.Dict
	t   *ds.ZTree
	mem int64 // blob bytes
}

func newZTree() *zsetTree { return &zsetTree{d: ds.NewDict(8, 0), t: ds.NewZTree()} }

func (z *zsetTree) Type() keyspace.Type { return keyspace.TypeZSet }
func (z *zsetTree) Encoding() string    { return "skiplist" }
func (z *zsetTree) Len() int            { return z.d.Len() }
func (z *zsetTree) Compact() bool       { return false }

func (z *zsetTree) MemUsage() int64 {
	return dictHeader + 48 + z.mem + z.d.TableBytes() + z.t.NodeBytes()
}

func (z *zsetTree) Copy() keyspace.Object {
	n := newZTree()
	for it := z.t.First(); it.Valid(); it.Next() {
		p := it.Blob()
		n.add(ds.ZMember(p), ds.ZScore(p))
	}
	return n
}

func (z *zsetTree) add(m []byte, score float64) {
	p := ds.ZBlob(score, m)
	z.d.Insert(p)
	z.t.Insert(p)
	z.mem += int64(ds.ZBlobSize(p))
}

func (z *zsetTree) Score(m []byte) (float64, bool) {
	p := z.d.Find(m)
	if p == nil {
		return 0, false
	}
	return ds.ZScore(p), true
}

func (z *zsetTree) Insert(m []byte, score float64, _ *Limits) ZSet {
	z.add(m, score)
	return z
}

func (z *zsetTree) Update(m []byte, _, score float64) ZSet {
	p := ds.ZBlob(score, m)
	z.t.Remove(z.d.Replace(p))
	z.t.Insert(p)
	return z
}

func (z *zsetTree) Delete(m []byte) (ZSet, bool) {
	p := z.d.Delete(m)
	if p == nil {
		return z, false
	}
	z.t.Remove(p)
	z.mem -= int64(ds.ZBlobSize(p))
	return z, true
}

func (z *zsetTree) Seek(pred func(m []byte, score float64) bool) (ZIter, int) {
	it, rank := z.t.Seek(func(p unsafe.Pointer) bool { return pred(ds.ZMember(p), ds.ZScore(p)) })
	return ZIter{it: it, tree: true}, rank
}

func (z *zsetTree) SeekLast(pred func(m []byte, score float64) bool) (ZIter, int) {
	it, rank := z.Seek(func(m []byte, s float64) bool { return !pred(m, s) })
	if !it.Valid() {
		return z.At(z.Len() - 1), z.Len() - 1
	}
	it.Prev()
	return it, rank - 1
}

func (z *zsetTree) At(r int) ZIter { return ZIter{it: z.t.ByRank(r), tree: true} }

func (z *zsetTree) Scan(cursor uint64, fn func(m []byte, score float64)) uint64 {
	return z.d.Scan(cursor, func(p unsafe.Pointer) { fn(ds.ZMember(p), ds.ZScore(p)) })
}

// ConvertZSet returns z in the compact encoding when it fits lim, or in
// the skiplist encoding when toCompact is false.
func ConvertZSet(z ZSet, toCompact bool) ZSet {
	if toCompact == z.Compact() {
		return z
	}
	if zl, ok := z.(*zsetLP); ok {
		return zl.toTree()
	}
	lp := listpack.Init(newCompact(tagZsetLP, 64))
	var buf [32]byte
	for it := z.At(0); it.Valid(); it.Next() {
		m, sb := it.Member(nil), FormatScore(buf[:0], it.Score())
		lp = growCompact(tagZsetLP, lp, listpack.EncodedSize(m)+listpack.EncodedSize(sb))
		lp = listpack.Append(lp, m)
		lp = listpack.Append(lp, sb)
	}
	return newZLP(lp)
}

// ZSetListpack returns a compact sorted set's listpack (persistence), or
// nil.
func ZSetListpack(z ZSet) []byte {
	if zl, ok := z.(*zsetLP); ok {
		return zl.lp()
	}
	return nil
}

// ZSetFromListpack wraps a validated listpack of member, score pairs.
func ZSetFromListpack(lp []byte) ZSet { return newZLP(compactCopy(tagZsetLP, lp)) }
