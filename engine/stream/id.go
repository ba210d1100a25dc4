// Package stream is the engine's stream value (XADD and friends): entries
// kept in nodes that are Redis listpacks with Redis's own entry layout (a
// master entry, delta-encoded IDs, field compression, deletion flags),
// indexed by their first ID, plus consumer groups with their pending
// entries lists. Node sizes and splits follow stream-node-max-bytes and
// stream-node-max-entries exactly as Redis does, so trimming with ~ and
// XINFO report what Redis reports, and the RDB code can write the nodes'
// bytes as they are.
//
// A Stream is not safe for concurrent use; the keyspace's shard lock
// guards it.
package stream

import (
	"math"
	"strconv"

	"github.com/redisctl/redisctl/engine/resp"
)

// ID is a stream entry ID, ms-seq.
type ID struct{ Ms, Seq uint64 }

// MaxID is the largest ID (XRANGE's "+").
var MaxID = ID{math.MaxUint64, math.MaxUint64}

// Compare returns -1, 0 or 1 as id is less than, equal to or greater
// than o.
func (id ID) Compare(o ID) int {
	switch {
	case id.Ms < o.Ms:
		return -1
	case id.Ms > o.Ms:
		return 1
	case id.Seq < o.Seq:
		return -1
	case id.Seq > o.Seq:
		return 1
	}
	return 0
}

// Less reports whether id < o.
func (id ID) Less(o ID) bool { return id.Compare(o) < 0 }

// IsZero reports whether id is 0-0.
func (id ID) IsZero() bool { return id.Ms == 0 && id.Seq == 0 }

// Incr returns the next ID; ok is false when id is MaxID.
func (id ID) Incr() (ID, bool) {
	switch {
	case id.Seq < math.MaxUint64:
		return ID{id.Ms, id.Seq + 1}, true
	case id.Ms < math.MaxUint64:
		return ID{id.Ms + 1, 0}, true
	}
	return id, false
}

// Decr returns the previous ID; ok is false when id is 0-0.
func (id ID) Decr() (ID, bool) {
	switch {
	case id.Seq > 0:
		return ID{id.Ms, id.Seq - 1}, true
	case id.Ms > 0:
		return ID{id.Ms - 1, math.MaxUint64}, true
	}
	return id, false
}

// Append appends "ms-seq" to dst.
func (id ID) Append(dst []byte) []byte {
	dst = strconv.AppendUint(dst, id.Ms, 10)
	dst = append(dst, '-')
	return strconv.AppendUint(dst, id.Seq, 10)
}

func (id ID) String() string { return string(id.Append(nil)) }

// ParseID parses "ms-seq" or "ms" (seq then defaults to missingSeq). It
// reports whether the sequence part was given as "*" (allowed only when
// autoSeq is true). Numbers are parsed the way Redis's string2ull does.
func ParseID(b []byte, missingSeq uint64, autoSeq bool) (id ID, seqAuto bool, ok bool) {
	if len(b) > 127 {
		return ID{}, false, false
	}
	dash := -1
	for i, c := range b {
		if c == '-' {
			dash = i
			break
		}
	}
	if dash < 0 {
		ms, ok := parseUint(b)
		return ID{ms, missingSeq}, false, ok
	}
	ms, ok := parseUint(b[:dash])
	if !ok {
		return ID{}, false, false
	}
	rest := b[dash+1:]
	if autoSeq && len(rest) == 1 && rest[0] == '*' {
		return ID{ms, 0}, true, true
	}
	seq, ok := parseUint(rest)
	return ID{ms, seq}, false, ok
}

// parseUint is Redis's string2ull: a strict decimal (negative values
// refused), or else whatever strtoull takes: leading spaces, a sign (a
// negative number wraps around), leading zeros; no trailing bytes, no
// overflow.
func parseUint(b []byte) (uint64, bool) {
	if n, ok := resp.ParseInt(b); ok {
		return uint64(n), n >= 0
	}
	i := 0
	for i < len(b) && (b[i] == ' ' || (b[i] >= '\t' && b[i] <= '\r')) {
		i++
	}
	neg := false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	if i == len(b) {
		return 0, false
	}
	var v uint64
	for ; i < len(b); i++ {
		c := b[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if v > (math.MaxUint64-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	if neg {
		v = -v
	}
	return v, true
}
