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
	"unsafe"

	"github.com/redisctl/redisctl/engine/ds"
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

// lpAt returns the listpack that starts at p: length from its header,
// capacity the most the allocation is known to hold.
func lpAt(p unsafe.Pointer) []byte {
	total := int(binary.LittleEndian.Uint32(unsafe.Slice((*byte)(p), 4)))
	return unsafe.Slice((*byte)(p), ds.LowerCap(total))[:total]
}

// isAt returns the intset that starts at p.
func isAt(p unsafe.Pointer) []byte {
	b := unsafe.Slice((*byte)(p), 8)
	n := 8 + int(binary.LittleEndian.Uint32(b))*int(binary.LittleEndian.Uint32(b[4:]))
	return unsafe.Slice((*byte)(p), ds.LowerCap(n))[:n]
}

func ptrOf(b []byte) unsafe.Pointer { return unsafe.Pointer(&b[0]) }

// copyBytes returns a fresh copy of b in an allocation of its own.
func copyBytes(b []byte) []byte {
	nb := ds.Alloc(len(b))
	copy(nb, b)
	return nb
}

// dictHeader is what a large value's own struct and Dict header cost.
var dictHeader = int64(ds.AllocSize(int(unsafe.Sizeof(ds.Dict{}))) + 16)

func randN(n int) int { return rand.IntN(n) }
