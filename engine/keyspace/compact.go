package keyspace

import (
	"encoding/binary"
	"unsafe"
)

// Compact collections live inside their key's entry. A small hash, set or
// sorted set (Redis's listpack and intset encodings) is a few dozen bytes;
// giving it an objEntry and an allocation of its own would cost more than
// the data. Instead the value is stored like a string value — one
// pointer-free blob holding header, key and value — flagged as compact,
// and the collection package reads and changes it in place through an
// Object that points into the blob.
//
// The value area of a compact blob runs to the end of the allocation, so
// a collection can grow in place until the size class is full; beyond
// that it moves to a new blob (ReplaceObject).

// flagCompact marks a kindStr blob whose value is a compact collection.
const flagCompact = 0x20

// CompactObject is a collection small enough to be stored in its entry.
type CompactObject interface {
	Object
	// CompactSize is the number of bytes the object needs in an entry.
	CompactSize() int
	// CompactMove copies the object into dst (at least CompactSize bytes;
	// any more is room to grow in place) and returns the object as it now
	// lives in dst. dst is the entry's value area: the four bytes before it
	// hold len(dst) as a little-endian uint32, which the object may read
	// to know its room. The object must not be used after the move.
	CompactMove(dst []byte) Object
}

// compactValue returns the value area of a compact blob.
func compactValue(p unsafe.Pointer) []byte { return strValue(p, nil) }

func isCompact(p unsafe.Pointer) bool {
	return kindOf(p) == kindStr && flags(p)&flagCompact != 0
}

// compactObject decodes a compact entry with the keyspace's decoder.
func (s *shard) compactObject(p unsafe.Pointer) Object {
	return s.ks.hooks.Compact(compactValue(p))
}

// newCompactBlob lays out key and obj in a new blob with flags f (kind,
// expire and parity bits), LRU lru and expire time exp.
func newCompactBlob(key []byte, obj CompactObject, f byte, lru uint32, exp int64) unsafe.Pointer {
	need := obj.CompactSize()
	size := blobSize(key, nil, false, f&flagExpire != 0) + need
	p, c := allocBlob(size)
	// Let the value area take the whole allocation: room to grow in place.
	vlen := need + c - size
	b := blobBytes(p, c)
	b[0] = f | kindStr | flagCompact
	binary.LittleEndian.PutUint32(b[4:8], uint32(c))
	setLRU(p, lru)
	off := hdrSize
	if f&flagExpire != 0 {
		binary.LittleEndian.PutUint64(b[8:16], uint64(exp))
		off += expireSize
	}
	off += binary.PutUvarint(b[off:], uint64(len(key)))
	off += copy(b[off:], key)
	binary.LittleEndian.PutUint32(b[off:], uint32(vlen))
	off += 4
	obj.CompactMove(b[off : off+vlen : off+vlen])
	return p
}

// setCompact stores a compact object under key (SetObject).
func (db *DB) setCompact(key []byte, obj CompactObject, keepTTL bool) {
	s, h := db.locate(key)
	i := s.t.find(key, h)
	parity := db.ks.parityBit()
	if i < 0 {
		db.insert(s, newCompactBlob(key, obj, parity, db.ks.newLRU(), 0), h)
		return
	}
	old := s.t.Slots[i]
	db.preserve(s, old)
	var f byte
	var exp int64
	if keepTTL && hasExpire(old) {
		f, exp = flagExpire, expireOf(old)
	}
	db.replace(s, i, old, newCompactBlob(key, obj, parity|f, db.ks.newLRU(), exp))
}

// ReplaceObject installs obj as e's value in place of its current object,
// keeping the key, its expire and its LRU data, and updates memory
// accounting. Collections use it when a change gives them a new
// representation (an encoding conversion, a compact value that outgrew
// its room). Call Mutate(e) before changing the old object. The returned
// Entry replaces e, which may no longer be valid.
func (db *DB) ReplaceObject(e Entry, obj Object) Entry {
	if kindOf(e.p) == kindObj {
		if _, compact := obj.(CompactObject); !compact {
			(*objEntry)(e.p).obj = obj
			db.Changed(e)
			return e
		}
	}
	old := e.p
	key := keyOf(old)
	s, h := db.locate(key)
	i := s.t.find(key, h)
	f := flags(old) & (flagExpire | flagSnap)
	var np unsafe.Pointer
	if co, ok := obj.(CompactObject); ok {
		np = newCompactBlob(key, co, f, lruOf(old), expireOf(old))
	} else {
		oe := &objEntry{key: append([]byte(nil), key...), obj: obj, mem: obj.MemUsage()}
		oe.hdr[0] = kindObj | f
		oe.expire = expireOf(old)
		np = entryPtr(oe)
		setLRU(np, lruOf(old))
	}
	db.replace(s, i, old, np)
	return Entry{p: np, s: s}
}
