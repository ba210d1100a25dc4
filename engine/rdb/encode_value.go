package rdb

import (
	"bytes"
	"cmp"
	"math"
	"slices"
	"strconv"

	"github.com/redisctl/redisctl/engine/listpack"
)

// Limits are the conversion thresholds that decide a value's encoding,
// as Redis's *-max-listpack-* and set-max-intset-entries settings.
type Limits struct {
	ListMaxListpackSize    int // list-max-listpack-size: < 0 is a byte limit (-1 4 KB ... -5 64 KB)
	HashMaxListpackEntries int
	HashMaxListpackValue   int
	SetMaxIntsetEntries    int
	ZSetMaxListpackEntries int
	ZSetMaxListpackValue   int
}

// DefaultLimits are Redis 7.0's defaults.
var DefaultLimits = Limits{
	ListMaxListpackSize:    -2,
	HashMaxListpackEntries: 512,
	HashMaxListpackValue:   64,
	SetMaxIntsetEntries:    512,
	ZSetMaxListpackEntries: 128,
	ZSetMaxListpackValue:   64,
}

// AppendValue appends v's type byte and serialization, choosing the
// encoding Redis 7.0 would use for such a value under lim. It is the
// generic path (DUMP of decoded values, tests); the engine writes its own
// structures directly where they already have Redis's layout.
func AppendValue(b []byte, v *Value, z *Compressor, lim Limits) []byte {
	switch v.Kind {
	case KindString:
		b = append(b, TypeString)
		if v.IsInt {
			return AppendInt(b, v.Int)
		}
		return AppendString(b, v.Str, z)
	case KindList:
		return AppendList(b, v.Elems, z, lim)
	case KindSet:
		return appendSet(b, v.Elems, z, lim)
	case KindHash:
		return appendHash(b, v.Elems, z, lim)
	case KindZSet:
		return appendZSet(b, v.Z, z, lim)
	case KindStream:
		b = append(b, TypeStreamListpacks2)
		return AppendStream(b, v.Stream, z)
	}
	panic("rdb: AppendValue of a zero Value")
}

// AppendList appends a list as QUICKLIST_2 with listpack nodes split
// like Redis's quicklist under lim.
func AppendList(b []byte, elems [][]byte, z *Compressor, lim Limits) []byte {
	b = append(b, TypeListQuicklist2)
	var nodes [][]byte
	lp := listpack.New(0)
	for _, e := range elems {
		if listpack.Len(lp) > 0 && !quicklistFits(lp, e, lim.ListMaxListpackSize) {
			nodes = append(nodes, lp)
			lp = listpack.New(0)
		}
		lp = listpack.Append(lp, e)
	}
	if listpack.Len(lp) > 0 {
		nodes = append(nodes, lp)
	}
	b = AppendLen(b, uint64(len(nodes)))
	for _, n := range nodes {
		b = AppendLen(b, quickPacked)
		b = AppendString(b, n, z)
	}
	return b
}

var quicklistSizeLimits = [...]int{4096, 8192, 16384, 32768, 65536}

// quicklistFits reports whether e can join the node lp.
func quicklistFits(lp, e []byte, fill int) bool {
	if fill >= 0 {
		return listpack.Len(lp) < max(fill, 1)
	}
	limit := quicklistSizeLimits[min(-fill, len(quicklistSizeLimits))-1]
	return len(lp)+len(e)+11 <= limit
}

func isInt(s []byte) (int64, bool) {
	if len(s) == 20 && s[0] == '-' || len(s) == 19 {
		// canonicalInt takes up to 19 digits; near the int64 limits use
		// the exact parser.
		v, err := strconv.ParseInt(string(s), 10, 64)
		return v, err == nil && strconv.FormatInt(v, 10) == string(s)
	}
	return canonicalInt(s)
}

func appendSet(b []byte, members [][]byte, z *Compressor, lim Limits) []byte {
	if len(members) <= lim.SetMaxIntsetEntries {
		ints := make([]int64, 0, len(members))
		for _, m := range members {
			v, ok := isInt(m)
			if !ok {
				ints = nil
				break
			}
			ints = append(ints, v)
		}
		if ints != nil || len(members) == 0 {
			slices.Sort(ints)
			b = append(b, TypeSetIntset)
			return AppendString(b, AppendIntset(nil, ints), z)
		}
	}
	b = append(b, TypeSet)
	b = AppendLen(b, uint64(len(members)))
	for _, m := range members {
		b = AppendString(b, m, z)
	}
	return b
}

func appendHash(b []byte, pairs [][]byte, z *Compressor, lim Limits) []byte {
	small := len(pairs)/2 <= lim.HashMaxListpackEntries
	for _, s := range pairs {
		if len(s) > lim.HashMaxListpackValue {
			small = false
		}
	}
	if small {
		lp := listpack.New(0)
		for _, s := range pairs {
			lp = listpack.Append(lp, s)
		}
		b = append(b, TypeHashListpack)
		return AppendString(b, lp, z)
	}
	b = append(b, TypeHash)
	b = AppendLen(b, uint64(len(pairs)/2))
	for _, s := range pairs {
		b = AppendString(b, s, z)
	}
	return b
}

// ZCompare orders sorted set members as Redis does: by score, then by
// member bytes.
func ZCompare(a, b ZEntry) int {
	if c := cmp.Compare(a.Score, b.Score); c != 0 {
		return c
	}
	return bytes.Compare(a.Member, b.Member)
}

func appendZSet(b []byte, entries []ZEntry, z *Compressor, lim Limits) []byte {
	zs := slices.Clone(entries)
	slices.SortFunc(zs, ZCompare)
	small := len(zs) <= lim.ZSetMaxListpackEntries
	for _, e := range zs {
		if len(e.Member) > lim.ZSetMaxListpackValue {
			small = false
		}
	}
	if small {
		lp := listpack.New(0)
		for _, e := range zs {
			lp = listpack.Append(lp, e.Member)
			lp = listpack.Append(lp, FormatScore(e.Score))
		}
		b = append(b, TypeZSetListpack)
		return AppendString(b, lp, z)
	}
	// Redis writes skiplists from the highest score down, so loading
	// inserts at the head of the list.
	b = append(b, TypeZSet2)
	b = AppendLen(b, uint64(len(zs)))
	for i := len(zs) - 1; i >= 0; i-- {
		b = AppendString(b, zs[i].Member, z)
		b = AppendBinaryDouble(b, zs[i].Score)
	}
	return b
}

// FormatScore formats a score as Redis's d2string does, which is how a
// listpack-encoded sorted set stores it: integers in (-2^52, 2^52) as
// integers, "-0", "inf", "-inf", other values with %.17g.
func FormatScore(f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return []byte("inf")
	case math.IsInf(f, -1):
		return []byte("-inf")
	case f == 0 && math.Signbit(f):
		return []byte("-0")
	case f > -4503599627370495 && f < 4503599627370496 && f == math.Trunc(f):
		return strconv.AppendInt(nil, int64(f), 10)
	}
	return strconv.AppendFloat(nil, f, 'g', 17, 64)
}
