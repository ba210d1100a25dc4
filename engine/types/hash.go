package types

import (
	"unsafe"

	"github.com/redisctl/redisctl/engine/ds"
	"github.com/redisctl/redisctl/engine/keyspace"
	"github.com/redisctl/redisctl/engine/listpack"
)

// Hash is a hash value: a listpack of field, value pairs while small, a
// Dict of field blobs once large.
type Hash interface {
	keyspace.Object
	Len() int
	// Get returns field's value.
	Get(field []byte) (Value, bool)
	// Set sets field, converting the encoding when lim says so, and
	// reports whether the field is new. The returned Hash replaces the
	// receiver.
	Set(field, value []byte, lim *Limits) (Hash, bool)
	// Delete removes field and reports whether it existed.
	Delete(field []byte) (Hash, bool)
	// Each calls fn for every pair in order until it returns false.
	Each(fn func(field, value []byte) bool)
	// EachValue is Each without formatting integers.
	EachValue(fn func(field, value Value) bool)
	// Scan continues an HSCAN: see ds.Dict.Scan; compact hashes return
	// everything and cursor 0.
	Scan(cursor uint64, fn func(field, value []byte)) uint64
	// Random returns a random pair.
	Random(fbuf, vbuf []byte) (field, value []byte)
	// Compact reports whether the listpack encoding is in use.
	Compact() bool
}

// NewHash returns an empty hash (listpack encoded).
func NewHash() Hash {
	return newHashLP(listpack.Init(newCompact(tagHashLP, 16)))
}

// NewHashFor returns an empty listpack hash with room for the given
// field, value pairs (flat), so that adding them does not reallocate.
func NewHashFor(pairs [][]byte) Hash {
	n := 7
	for _, p := range pairs {
		n += listpack.EncodedSize(p)
	}
	return newHashLP(listpack.Init(newCompact(tagHashLP, n)))
}

// HashFits reports whether strings of length n can stay in a listpack
// hash under lim.
func HashFits(n int, lim *Limits) bool { return int64(n) <= lim.HashMaxValue }

// ConvertHash returns h in the hashtable encoding.
func ConvertHash(h Hash) Hash {
	if !h.Compact() {
		return h
	}
	d := &hashDict{d: ds.NewDict(0, h.Len())}
	h.Each(func(f, v []byte) bool {
		d.add(f, v)
		return true
	})
	return d
}

// hashLP is a listpack hash: the pointer is the listpack's first byte.
type hashLP byte

func (h *hashLP) lp() []byte            { return lpAt(unsafe.Pointer(h)) }
func (h *hashLP) Type() keyspace.Type   { return keyspace.TypeHash }
func (h *hashLP) Encoding() string      { return "listpack" }
func (h *hashLP) MemUsage() int64       { return int64(ds.AllocSize(compactHdr + cap(h.lp()))) }
func (h *hashLP) Copy() keyspace.Object { return newHashLP(compactCopy(tagHashLP, h.lp())) }
func (h *hashLP) CompactSize() int      { return compactSize(h.lp()) }
func (h *hashLP) Len() int              { return listpack.Len(h.lp()) / 2 }
func (h *hashLP) Compact() bool         { return true }
func newHashLP(lp []byte) *hashLP       { return (*hashLP)(ptrOf(lp)) }
func (h *hashLP) find(field []byte) int {
	return listpack.Find(h.lp(), listpack.First(h.lp()), field, 1)
}
func (h *hashLP) CompactMove(dst []byte) keyspace.Object {
	return (*hashLP)(compactMove(tagHashLP, h.lp(), dst))
}

func (h *hashLP) Scan(_ uint64, fn func(f, v []byte)) uint64 {
	h.Each(func(f, v []byte) bool { fn(f, v); return true })
	return 0
}

func (h *hashLP) Get(field []byte) (Value, bool) {
	p := h.find(field)
	if p < 0 {
		return Value{}, false
	}
	lp := h.lp()
	return lpValue(lp, listpack.Next(lp, p)), true
}

func (h *hashLP) EachValue(fn func(f, v Value) bool) {
	lp := h.lp()
	for p := listpack.First(lp); p >= 0; {
		q := listpack.Next(lp, p)
		if !fn(lpValue(lp, p), lpValue(lp, q)) {
			return
		}
		p = listpack.Next(lp, q)
	}
}

func (h *hashLP) Set(field, value []byte, lim *Limits) (Hash, bool) {
	if !HashFits(len(field), lim) || !HashFits(len(value), lim) {
		return ConvertHash(h).Set(field, value, lim)
	}
	lp := h.lp()
	if p := h.find(field); p >= 0 {
		q := listpack.Next(lp, p)
		ev := listpack.Encode(value)
		lp = growCompact(tagHashLP, lp, max(0, ev.Size()-listpack.ElementSize(lp, q)))
		lp = listpack.ReplaceEnc(lp, q, &ev)
		return newHashLP(lp), false
	}
	ef, ev := listpack.Encode(field), listpack.Encode(value)
	lp = growCompact(tagHashLP, lp, ef.Size()+ev.Size())
	lp = listpack.AppendEnc(lp, &ef)
	lp = listpack.AppendEnc(lp, &ev)
	nh := newHashLP(lp)
	if int64(nh.Len()) > lim.HashMaxEntries {
		return ConvertHash(nh), true
	}
	return nh, true
}

func (h *hashLP) Delete(field []byte) (Hash, bool) {
	p := h.find(field)
	if p < 0 {
		return h, false
	}
	lp := listpack.DeleteRange(h.lp(), p, 2)
	return newHashLP(lp), true
}

func (h *hashLP) Each(fn func(f, v []byte) bool) {
	lp := h.lp()
	var fb, vb [20]byte
	for p := listpack.First(lp); p >= 0; {
		q := listpack.Next(lp, p)
		if !fn(listpack.BytesAt(lp, p, fb[:0]), listpack.BytesAt(lp, q, vb[:0])) {
			return
		}
		p = listpack.Next(lp, q)
	}
}

func (h *hashLP) Random(fbuf, vbuf []byte) ([]byte, []byte) {
	lp := h.lp()
	p := listpack.Seek(lp, 2*randN(h.Len()))
	return listpack.BytesAt(lp, p, fbuf), listpack.BytesAt(lp, listpack.Next(lp, p), vbuf)
}

// hashDict is a hashtable-encoded hash.
type hashDict struct {
	d   *ds.Dict
	mem int64 // bytes of field blobs
}

func (h *hashDict) Type() keyspace.Type { return keyspace.TypeHash }
func (h *hashDict) Encoding() string    { return "hashtable" }
func (h *hashDict) MemUsage() int64     { return dictHeader + h.mem + h.d.TableBytes() }
func (h *hashDict) Len() int            { return h.d.Len() }
func (h *hashDict) Compact() bool       { return false }

func (h *hashDict) Copy() keyspace.Object {
	n := &hashDict{d: ds.NewDict(0, h.d.Len())}
	h.Each(func(f, v []byte) bool {
		n.add(f, v)
		return true
	})
	return n
}

func (h *hashDict) add(f, v []byte) {
	p := ds.FieldBlob(f, v)
	h.d.Insert(p)
	h.mem += int64(ds.FieldBlobSize(p))
}

func (h *hashDict) Get(field []byte) (Value, bool) {
	p := h.d.Find(field)
	if p == nil {
		return Value{}, false
	}
	return Value{S: ds.FieldValue(p)}, true
}

func (h *hashDict) EachValue(fn func(f, v Value) bool) {
	h.d.Each(func(p unsafe.Pointer) bool { return fn(Value{S: ds.BlobKey(p, 0)}, Value{S: ds.FieldValue(p)}) })
}

func (h *hashDict) Set(field, value []byte, _ *Limits) (Hash, bool) {
	if old := h.d.Find(field); old != nil {
		if v := ds.FieldValue(old); len(v) == len(value) {
			copy(v, value) // same size: rewrite the blob in place
			return h, false
		}
	}
	p := ds.FieldBlob(field, value)
	old := h.d.Replace(p)
	if old == nil {
		h.d.Insert(p)
		h.mem += int64(ds.FieldBlobSize(p))
		return h, true
	}
	h.mem += int64(ds.FieldBlobSize(p) - ds.FieldBlobSize(old))
	return h, false
}

func (h *hashDict) Delete(field []byte) (Hash, bool) {
	p := h.d.Delete(field)
	if p == nil {
		return h, false
	}
	h.mem -= int64(ds.FieldBlobSize(p))
	return h, true
}

func (h *hashDict) Each(fn func(f, v []byte) bool) {
	h.d.Each(func(p unsafe.Pointer) bool { return fn(ds.BlobKey(p, 0), ds.FieldValue(p)) })
}

func (h *hashDict) Scan(cursor uint64, fn func(f, v []byte)) uint64 {
	return h.d.Scan(cursor, func(p unsafe.Pointer) { fn(ds.BlobKey(p, 0), ds.FieldValue(p)) })
}

func (h *hashDict) Random(_, _ []byte) ([]byte, []byte) {
	p := h.d.Random()
	return ds.BlobKey(p, 0), ds.FieldValue(p)
}

// HashListpack returns the listpack of a compact hash (persistence), or
// nil.
func HashListpack(h Hash) []byte {
	if lp, ok := h.(*hashLP); ok {
		return lp.lp()
	}
	return nil
}

// HashFromListpack wraps a listpack of field, value pairs (persistence
// loads it as is after validation).
func HashFromListpack(lp []byte) Hash { return newHashLP(compactCopy(tagHashLP, lp)) }
