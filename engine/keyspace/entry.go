package keyspace

import (
	"encoding/binary"
	"strconv"
	"unsafe"

	"github.com/redisctl/redisctl/engine/resp"
)

// An entry is one key with its value and metadata. Strings, by far the most
// common values, are stored as a single pointer-free allocation (a "blob")
// so that a key costs one small object the garbage collector never scans:
//
//	[0]     flags: kind (bits 0-1), raw (bit 2), has-expire (bit 3), snapshot parity (bit 4),
//	        compact collection (bit 5, see compact.go)
//	[1:4]   LRU clock or LFU data, 24 bits
//	[4:8]   allocated size of the blob (for in-place rewrites)
//	[8:16]  expire time in unix ms   } only with has-expire
//	[16:20] index in the shard's volatile list }
//	uvarint key length, key bytes
//	kindStr: 4-byte value length, value bytes (fixed width so the value
//	         can grow in place: APPEND, SETRANGE, SETBIT)
//	kindInt: 8 bytes, little-endian int64
//
// Every other type is an objEntry, a Go struct whose first 20 bytes have the
// same layout, so header, expire and volatile-index accessors work on both.
// Entries are reached through unsafe.Pointer slots in the shard's table; the
// GC follows them using each allocation's own type information.

const (
	kindStr = 1
	kindInt = 2
	kindObj = 3

	flagKindMask = 0x03
	flagRaw      = 0x04
	flagExpire   = 0x08
	flagSnap     = 0x10

	hdrSize    = 8
	expireSize = 12
)

type objEntry struct {
	hdr    [8]byte
	expire int64
	vidx   uint32
	mem    int64 // what obj.MemUsage() reported when last accounted
	key    []byte
	obj    Object
}

// objEntrySize is what an objEntry costs on the heap, plus its key.
const objEntrySize = int64(unsafe.Sizeof(objEntry{}))

func flags(p unsafe.Pointer) byte       { return *(*byte)(p) }
func setFlags(p unsafe.Pointer, f byte) { *(*byte)(p) = f }
func kindOf(p unsafe.Pointer) byte      { return flags(p) & flagKindMask }
func hasExpire(p unsafe.Pointer) bool   { return flags(p)&flagExpire != 0 }

func blobBytes(p unsafe.Pointer, n int) []byte { return unsafe.Slice((*byte)(p), n) }

func blobCap(p unsafe.Pointer) int {
	return int(binary.LittleEndian.Uint32(blobBytes(p, hdrSize)[4:8]))
}

func lruOf(p unsafe.Pointer) uint32 {
	b := blobBytes(p, 4)
	return uint32(b[1]) | uint32(b[2])<<8 | uint32(b[3])<<16
}

func setLRU(p unsafe.Pointer, v uint32) {
	b := blobBytes(p, 4)
	b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16)
}

// expireOf returns the expire time in ms, or 0 when the key has none.
func expireOf(p unsafe.Pointer) int64 {
	if !hasExpire(p) {
		return 0
	}
	return *(*int64)(unsafe.Add(p, 8))
}

func setExpireField(p unsafe.Pointer, at int64) { *(*int64)(unsafe.Add(p, 8)) = at }
func vidxOf(p unsafe.Pointer) uint32            { return *(*uint32)(unsafe.Add(p, 16)) }
func setVidx(p unsafe.Pointer, i uint32)        { *(*uint32)(unsafe.Add(p, 16)) = i }

// payload returns the blob bytes after the header (and expire fields).
func payload(p unsafe.Pointer) []byte {
	off := hdrSize
	if hasExpire(p) {
		off += expireSize
	}
	return blobBytes(p, blobCap(p))[off:]
}

// keyOf returns the key of any entry. The bytes alias the entry.
func keyOf(p unsafe.Pointer) []byte {
	if kindOf(p) == kindObj {
		return (*objEntry)(p).key
	}
	b := payload(p)
	n, w := binary.Uvarint(b)
	return b[w : w+int(n) : w+int(n)]
}

// strValue returns a string entry's value: the stored bytes, or an integer
// formatted into buf.
func strValue(p unsafe.Pointer, buf []byte) []byte {
	b := payload(p)
	n, w := binary.Uvarint(b)
	b = b[w+int(n):]
	if kindOf(p) == kindInt {
		return strconv.AppendInt(buf[:0], int64(binary.LittleEndian.Uint64(b)), 10)
	}
	vn := int(binary.LittleEndian.Uint32(b))
	return b[4 : 4+vn : 4+vn]
}

func intValue(p unsafe.Pointer) int64 {
	b := payload(p)
	n, w := binary.Uvarint(b)
	return int64(binary.LittleEndian.Uint64(b[w+int(n):]))
}

func uvarintLen(n int) int {
	l := 1
	for n >= 0x80 {
		n >>= 7
		l++
	}
	return l
}

// blobSize is the bytes a string entry needs.
func blobSize(key []byte, val []byte, isInt, expire bool) int {
	n := hdrSize + uvarintLen(len(key)) + len(key)
	if expire {
		n += expireSize
	}
	if isInt {
		return n + 8
	}
	return n + 4 + len(val)
}

// allocBlob returns a zeroed allocation of at least n bytes and its real
// size (the allocator's size class), so later rewrites can use the slack.
func allocBlob(n int) (unsafe.Pointer, int) {
	b := append([]byte(nil), make([]byte, n)...)
	b = b[:cap(b)]
	return unsafe.Pointer(&b[0]), len(b)
}

// writeBlob lays out a string entry into p (of size capacity). intVal is
// used when isInt.
func writeBlob(p unsafe.Pointer, capacity int, key, val []byte, isInt bool, intVal int64, f byte, lru uint32, expire int64, vidx uint32) {
	b := blobBytes(p, capacity)
	b[0] = f
	binary.LittleEndian.PutUint32(b[4:8], uint32(capacity))
	setLRU(p, lru)
	off := hdrSize
	if f&flagExpire != 0 {
		binary.LittleEndian.PutUint64(b[8:16], uint64(expire))
		binary.LittleEndian.PutUint32(b[16:20], vidx)
		off += expireSize
	}
	off += binary.PutUvarint(b[off:], uint64(len(key)))
	off += copy(b[off:], key)
	if isInt {
		binary.LittleEndian.PutUint64(b[off:], uint64(intVal))
		return
	}
	binary.LittleEndian.PutUint32(b[off:], uint32(len(val)))
	copy(b[off+4:], val)
}

// Entry is a read view of a key's value. It is valid only while the shard
// holding the key stays locked, and only until the next write to that key.
type Entry struct {
	p unsafe.Pointer
	s *shard
}

// Exists reports whether the entry refers to a key.
func (e Entry) Exists() bool { return e.p != nil }

// Type returns the value's type.
func (e Entry) Type() Type {
	switch {
	case e.p == nil:
		return TypeNone
	case kindOf(e.p) == kindObj:
		return (*objEntry)(e.p).obj.Type()
	case isCompact(e.p):
		return e.s.compactObject(e.p).Type()
	default:
		return TypeString
	}
}

// Key returns the key; the bytes alias the entry.
func (e Entry) Key() []byte { return keyOf(e.p) }

// Bytes returns a string value. Integer-encoded values are formatted into
// buf (which may be nil); otherwise the result aliases the entry.
func (e Entry) Bytes(buf []byte) []byte { return strValue(e.p, buf) }

// Int returns a string value that is stored as an integer.
func (e Entry) Int() (int64, bool) {
	if kindOf(e.p) != kindInt {
		return 0, false
	}
	return intValue(e.p), true
}

// Len returns a string value's length in bytes.
func (e Entry) Len() int {
	if kindOf(e.p) == kindInt {
		var buf [20]byte
		return len(strconv.AppendInt(buf[:0], intValue(e.p), 10))
	}
	return len(strValue(e.p, nil))
}

// Object returns a non-string value, or nil for strings.
func (e Entry) Object() Object {
	if kindOf(e.p) != kindObj {
		if isCompact(e.p) {
			return e.s.compactObject(e.p)
		}
		return nil
	}
	return (*objEntry)(e.p).obj
}

// ExpireAt returns the expire time in unix ms, or 0 when the key is
// persistent.
func (e Entry) ExpireAt() int64 { return expireOf(e.p) }

// Encoding returns the name OBJECT ENCODING reports.
func (e Entry) Encoding() string {
	switch kindOf(e.p) {
	case kindInt:
		return "int"
	case kindObj:
		return (*objEntry)(e.p).obj.Encoding()
	}
	if isCompact(e.p) {
		return e.s.compactObject(e.p).Encoding()
	}
	if flags(e.p)&flagRaw != 0 || len(strValue(e.p, nil)) > embstrLimit {
		return "raw"
	}
	return "embstr"
}

// LRU returns the entry's 24-bit LRU clock (or LFU data under an LFU policy).
func (e Entry) LRU() uint32 { return lruOf(e.p) }

// embstrLimit is the longest string Redis stores as "embstr".
const embstrLimit = 44

// canBeInt reports whether Redis would store val with the "int" encoding.
func canBeInt(val []byte) (int64, bool) {
	if len(val) > 20 {
		return 0, false
	}
	return resp.ParseInt(val)
}

// valueOffset returns the offset in the blob of a kindStr value's length
// field.
func valueOffset(p unsafe.Pointer) int {
	off := hdrSize
	if hasExpire(p) {
		off += expireSize
	}
	n, w := binary.Uvarint(payload(p))
	return off + w + int(n)
}
