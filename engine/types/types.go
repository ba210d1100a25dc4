// Package types implements the engine's collection values — hashes, sets,
// sorted sets and lists — as keyspace.Objects with Redis 7.0's encodings:
// a compact form for small values (listpack, intset) converted once to a
// large form (hashtable, skiplist) at the same thresholds Redis uses, and
// lists as quicklists of listpacks.
//
// Small values are a pointer to the listpack or intset bytes themselves
// (no header struct), so a mutation may return a different Object; the
// caller installs it in the keyspace. Values are not safe for concurrent
// use: the keyspace's shard lock guards them.
package types

import (
	"encoding/binary"
	"math/rand/v2"
	"strconv"
	"unsafe"

	"github.com/redisctl/redisctl/engine/ds"
	"github.com/redisctl/redisctl/engine/keyspace"
	"github.com/redisctl/redisctl/engine/listpack"
)

// Limits are the encoding thresholds (Redis's *-max-listpack-* and
// set-max-intset-entries parameters).
type Limits struct {
	HashMaxEntries int64 // hash-max-listpack-entries
	HashMaxValue   int64 // hash-max-listpack-value
	SetMaxIntset   int64 // set-max-intset-entries
	ZsetMaxEntries int64 // zset-max-listpack-entries
	ZsetMaxValue   int64 // zset-max-listpack-value
	ListFill       int64 // list-max-listpack-size
}

// DefaultLimits are Redis's defaults.
var DefaultLimits = Limits{
	HashMaxEntries: 128 * 4, HashMaxValue: 64,
	SetMaxIntset:   512,
	ZsetMaxEntries: 128, ZsetMaxValue: 64,
	ListFill: -2,
}

// Compact values (listpack hashes and sorted sets, intsets) are laid out
// as [size uint32 LE][tag][payload...], size counting the tag and the room
// for the payload. The Object is a pointer to the payload; the size five
// bytes before it says how far the payload may grow in place. Inside a
// keyspace entry the size is the entry's own value length field, so the
// layout costs one byte there (see keyspace.CompactObject); a value being
// built lives in a standalone allocation with the same layout.
const compactHdr = 5

// Compact value tags.
const (
	tagHashLP = 1 + iota
	tagZsetLP
	tagIntset
)

// newCompact allocates a standalone compact value of the given tag with
// room for at least n payload bytes and returns the empty payload.
func newCompact(tag byte, n int) []byte {
	b := ds.Alloc(compactHdr + n)
	b = b[:cap(b)]
	binary.LittleEndian.PutUint32(b, uint32(len(b)-4))
	b[4] = tag
	return b[compactHdr:compactHdr:len(b)]
}

// payloadCap returns the room of the compact payload at p.
func payloadCap(p unsafe.Pointer) int {
	return int(binary.LittleEndian.Uint32(unsafe.Slice((*byte)(unsafe.Add(p, -compactHdr)), 4))) - 1
}

// growCompact makes sure b can grow by extra bytes in place, moving it to
// a new standalone allocation with the same tag when it cannot.
func growCompact(tag byte, b []byte, extra int) []byte {
	if len(b)+extra <= cap(b) {
		return b
	}
	nb := newCompact(tag, len(b)+extra)[:len(b)]
	copy(nb, b)
	return nb
}

// compactSize is what a payload needs in an entry's value area.
func compactSize(payload []byte) int { return 1 + len(payload) }

// compactMove writes payload into an entry's value area dst (whose length
// field the keyspace has set to len(dst)) and returns a pointer to the
// moved payload.
func compactMove(tag byte, payload, dst []byte) unsafe.Pointer {
	dst[0] = tag
	copy(dst[1:], payload)
	return unsafe.Pointer(&dst[1])
}

// compactCopy returns a standalone copy of payload.
func compactCopy(tag byte, payload []byte) []byte {
	nb := newCompact(tag, len(payload))[:len(payload)]
	copy(nb, payload)
	return nb
}

// DecodeCompact returns the Object an entry's compact value area stands
// for; the server gives it to the keyspace (keyspace.Hooks.Compact).
func DecodeCompact(value []byte) keyspace.Object {
	p := unsafe.Pointer(&value[1])
	switch value[0] {
	case tagHashLP:
		return (*hashLP)(p)
	case tagZsetLP:
		return (*zsetLP)(p)
	case tagIntset:
		return (*setIS)(p)
	}
	panic("types: unknown compact value tag")
}

// lpAt returns the listpack at compact payload p.
func lpAt(p unsafe.Pointer) []byte {
	total := int(binary.LittleEndian.Uint32(unsafe.Slice((*byte)(p), 4)))
	return unsafe.Slice((*byte)(p), payloadCap(p))[:total]
}

// isAt returns the intset at compact payload p.
func isAt(p unsafe.Pointer) []byte {
	b := unsafe.Slice((*byte)(p), 8)
	n := 8 + int(binary.LittleEndian.Uint32(b))*int(binary.LittleEndian.Uint32(b[4:]))
	return unsafe.Slice((*byte)(p), payloadCap(p))[:n]
}

// copyBytes returns a fresh copy of b in an allocation of its own.
func copyBytes(b []byte) []byte {
	nb := ds.Alloc(len(b))
	copy(nb, b)
	return nb
}

// dictHeader is what a large value's own struct and Dict header cost.
var dictHeader = int64(ds.AllocSize(int(unsafe.Sizeof(ds.Dict{}))) + 16)

func randN(n int) int { return rand.IntN(n) }

// Value is an element as stored: bytes, or an integer a listpack or
// intset keeps in binary. Returning it by value lets callers format
// integers on their own stack.
type Value struct {
	S     []byte
	N     int64
	IsInt bool
}

// Bytes returns the value's bytes, formatting an integer into buf.
func (v Value) Bytes(buf []byte) []byte {
	if v.IsInt {
		return strconv.AppendInt(buf[:0], v.N, 10)
	}
	return v.S
}

func lpValue(lp []byte, p int) Value {
	s, n, isInt := listpack.Get(lp, p)
	return Value{S: s, N: n, IsInt: isInt}
}

func ptrOf(b []byte) unsafe.Pointer { return unsafe.Pointer(unsafe.SliceData(b)) }

var (
	_ keyspace.CompactObject = (*hashLP)(nil)
	_ keyspace.CompactObject = (*zsetLP)(nil)
	_ keyspace.CompactObject = (*setIS)(nil)
)
