package types

import (
	"strconv"
	"unsafe"

	"github.com/redisctl/redisctl/engine/ds"
	"github.com/redisctl/redisctl/engine/keyspace"
	"github.com/redisctl/redisctl/engine/resp"
)

// Set is a set value: an intset while every member is an integer and there
// are at most set-max-intset-entries of them, a Dict of member blobs
// otherwise.
type Set interface {
	keyspace.Object
	Len() int
	Has(m []byte) bool
	// Add adds m (converting the encoding when needed) and reports
	// whether it is new. The returned Set replaces the receiver.
	Add(m []byte, lim *Limits) (Set, bool)
	// Remove deletes m and reports whether it was a member.
	Remove(m []byte) (Set, bool)
	// Each calls fn for every member (intsets in ascending order) until it
	// returns false. fn must not keep m.
	Each(fn func(m []byte) bool)
	// EachValue is Each without formatting integers.
	EachValue(fn func(m Value) bool)
	Scan(cursor uint64, fn func(m []byte)) uint64
	// Random returns a random member, integers formatted into buf.
	Random(buf []byte) []byte
	// Intset reports whether the intset encoding is in use.
	Intset() bool
}

// NewSetFor returns an empty set in the encoding Redis creates for a set
// whose first member is first (setTypeCreate): intset for an integer.
func NewSetFor(first []byte) Set {
	if _, ok := resp.ParseInt(first); ok {
		return NewIntset()
	}
	return newSetDict(0)
}

// NewIntset returns an empty intset-encoded set.
func NewIntset() Set { return (*setIS)(ptrOf(ds.InitIntset(newCompact(tagIntset, 16)))) }

// NewSetDict returns an empty hashtable-encoded set sized for hint members.
func NewSetDict(hint int) Set { return newSetDict(hint) }

// setIS is an intset: the pointer is the intset's first byte.
type setIS byte

func (s *setIS) is() []byte            { return isAt(unsafe.Pointer(s)) }
func (s *setIS) Type() keyspace.Type   { return keyspace.TypeSet }
func (s *setIS) Encoding() string      { return "intset" }
func (s *setIS) MemUsage() int64       { return int64(ds.AllocSize(compactHdr + cap(s.is()))) }
func (s *setIS) Copy() keyspace.Object { return (*setIS)(ptrOf(compactCopy(tagIntset, s.is()))) }
func (s *setIS) CompactSize() int      { return compactSize(s.is()) }

func (s *setIS) CompactMove(dst []byte) keyspace.Object {
	return (*setIS)(compactMove(tagIntset, s.is(), dst))
}
func (s *setIS) Len() int     { return ds.ISLen(s.is()) }
func (s *setIS) Intset() bool { return true }

func (s *setIS) Has(m []byte) bool {
	v, ok := resp.ParseInt(m)
	return ok && ds.ISContains(s.is(), v)
}

func (s *setIS) Add(m []byte, lim *Limits) (Set, bool) {
	v, ok := resp.ParseInt(m)
	if !ok {
		d := s.toDict()
		return d.Add(m, lim)
	}
	is := s.is()
	is = growCompact(tagIntset, is, ds.ISGrowth(is))
	is, added := ds.ISAdd(is, v)
	ns := (*setIS)(ptrOf(is))
	if added && int64(ds.ISLen(is)) > lim.SetMaxIntset {
		return ns.toDict(), true
	}
	return ns, added
}

func (s *setIS) toDict() *setDict {
	d := newSetDict(s.Len())
	s.Each(func(m []byte) bool {
		d.add(m)
		return true
	})
	return d
}

func (s *setIS) Remove(m []byte) (Set, bool) {
	v, ok := resp.ParseInt(m)
	if !ok {
		return s, false
	}
	is, removed := ds.ISRemove(s.is(), v)
	return (*setIS)(ptrOf(is)), removed
}

func (s *setIS) Each(fn func(m []byte) bool) {
	is := s.is()
	var buf [20]byte
	for i, n := 0, ds.ISLen(is); i < n; i++ {
		if !fn(strconv.AppendInt(buf[:0], ds.ISGet(is, i), 10)) {
			return
		}
	}
}

func (s *setIS) EachValue(fn func(m Value) bool) {
	is := s.is()
	for i, n := 0, ds.ISLen(is); i < n; i++ {
		if !fn(Value{N: ds.ISGet(is, i), IsInt: true}) {
			return
		}
	}
}

func (s *setIS) Scan(_ uint64, fn func(m []byte)) uint64 {
	s.Each(func(m []byte) bool { fn(m); return true })
	return 0
}

func (s *setIS) Random(buf []byte) []byte {
	is := s.is()
	return strconv.AppendInt(buf[:0], ds.ISGet(is, randN(ds.ISLen(is))), 10)
}

// IntsetBytes returns the intset of an intset-encoded set (persistence),
// or nil.
func IntsetBytes(s Set) []byte {
	if is, ok := s.(*setIS); ok {
		return is.is()
	}
	return nil
}

// SetFromIntset wraps a validated intset.
func SetFromIntset(is []byte) Set { return (*setIS)(ptrOf(compactCopy(tagIntset, is))) }

// setDict is a hashtable-encoded set.
type setDict struct {
	d   *ds.Dict
	mem int64
}

func newSetDict(hint int) *setDict { return &setDict{d: ds.NewDict(0, hint)} }

func (s *setDict) Type() keyspace.Type { return keyspace.TypeSet }
func (s *setDict) Encoding() string    { return "hashtable" }
func (s *setDict) MemUsage() int64     { return dictHeader + s.mem + s.d.TableBytes() }
func (s *setDict) Len() int            { return s.d.Len() }
func (s *setDict) Intset() bool        { return false }
func (s *setDict) Has(m []byte) bool   { return s.d.Find(m) != nil }

func (s *setDict) Copy() keyspace.Object {
	n := newSetDict(s.Len())
	s.Each(func(m []byte) bool {
		n.add(m)
		return true
	})
	return n
}

func (s *setDict) add(m []byte) {
	p := ds.MemberBlob(m)
	s.d.Insert(p)
	s.mem += int64(ds.MemberBlobSize(p))
}

func (s *setDict) Add(m []byte, _ *Limits) (Set, bool) {
	if s.d.Find(m) != nil {
		return s, false
	}
	s.add(m)
	return s, true
}

func (s *setDict) Remove(m []byte) (Set, bool) {
	p := s.d.Delete(m)
	if p == nil {
		return s, false
	}
	s.mem -= int64(ds.MemberBlobSize(p))
	return s, true
}

func (s *setDict) Each(fn func(m []byte) bool) {
	s.d.Each(func(p unsafe.Pointer) bool { return fn(ds.BlobKey(p, 0)) })
}

func (s *setDict) EachValue(fn func(m Value) bool) {
	s.d.Each(func(p unsafe.Pointer) bool { return fn(Value{S: ds.BlobKey(p, 0)}) })
}

func (s *setDict) Scan(cursor uint64, fn func(m []byte)) uint64 {
	return s.d.Scan(cursor, func(p unsafe.Pointer) { fn(ds.BlobKey(p, 0)) })
}

func (s *setDict) Random(_ []byte) []byte { return ds.BlobKey(s.d.Random(), 0) }
