package types

import (
	"math"
	"unsafe"

	"github.com/redisctl/redisctl/engine/ds"
	"github.com/redisctl/redisctl/engine/keyspace"
	"github.com/redisctl/redisctl/engine/rdb"
)

// RDB serialization in Redis 7.0's encodings: compact values are written
// as their listpack or intset bytes unchanged, large ones element by
// element, lists as QUICKLIST_2 of their listpack nodes. The server's
// snapshot code finds these through AppendRDB.

// AppendRDB appends the type byte and serialization of a listpack hash.
func (h *hashLP) AppendRDB(b []byte, z *rdb.Compressor) []byte {
	b = append(b, rdb.TypeHashListpack)
	return rdb.AppendString(b, h.lp(), z)
}

// AppendRDB appends a hashtable-encoded hash (RDB_TYPE_HASH).
func (h *hashDict) AppendRDB(b []byte, z *rdb.Compressor) []byte {
	b = append(b, rdb.TypeHash)
	b = rdb.AppendLen(b, uint64(h.d.Len()))
	h.d.Each(func(p unsafe.Pointer) bool {
		b = rdb.AppendString(b, ds.BlobKey(p, 0), z)
		b = rdb.AppendString(b, ds.FieldValue(p), z)
		return true
	})
	return b
}

// AppendRDB appends an intset (RDB_TYPE_SET_INTSET).
func (s *setIS) AppendRDB(b []byte, z *rdb.Compressor) []byte {
	b = append(b, rdb.TypeSetIntset)
	return rdb.AppendString(b, s.is(), z)
}

// AppendRDB appends a hashtable-encoded set (RDB_TYPE_SET).
func (s *setDict) AppendRDB(b []byte, z *rdb.Compressor) []byte {
	b = append(b, rdb.TypeSet)
	b = rdb.AppendLen(b, uint64(s.d.Len()))
	s.d.Each(func(p unsafe.Pointer) bool {
		b = rdb.AppendString(b, ds.BlobKey(p, 0), z)
		return true
	})
	return b
}

// AppendRDB appends a listpack sorted set (RDB_TYPE_ZSET_LISTPACK).
func (z *zsetLP) AppendRDB(b []byte, c *rdb.Compressor) []byte {
	b = append(b, rdb.TypeZSetListpack)
	return rdb.AppendString(b, z.lp(), c)
}

// AppendRDB appends a skiplist sorted set (RDB_TYPE_ZSET_2), from the
// greatest element to the smallest as Redis writes it.
func (z *zsetTree) AppendRDB(b []byte, c *rdb.Compressor) []byte {
	b = append(b, rdb.TypeZSet2)
	b = rdb.AppendLen(b, uint64(z.Len()))
	for it := z.t.Last(); it.Valid(); it.Prev() {
		p := it.Blob()
		b = rdb.AppendString(b, ds.ZMember(p), c)
		b = rdb.AppendBinaryDouble(b, ds.ZScore(p))
	}
	return b
}

// quicklistPacked is RDB's container tag for a listpack node.
const quicklistPacked = 2

// AppendRDB appends a list as RDB_TYPE_LIST_QUICKLIST_2.
func (l *List) AppendRDB(b []byte, z *rdb.Compressor) []byte {
	b = append(b, rdb.TypeListQuicklist2)
	b = rdb.AppendLen(b, uint64(len(l.nodes)))
	for _, nd := range l.nodes {
		b = rdb.AppendLen(b, quicklistPacked)
		b = rdb.AppendString(b, nd.lp, z)
	}
	return b
}

// FromRDB builds a collection from a decoded RDB value, choosing the
// encoding Redis would under lim, the running server's limits (a small
// hashtable-encoded hash loads as a listpack, a listpack that exceeds the
// limits as a hashtable...). It returns nil for an empty collection, which
// Redis skips.
func FromRDB(v *rdb.Value, lim *Limits) keyspace.Object {
	lim = loadLimits(v.Enc, lim)
	switch v.Kind {
	case rdb.KindHash:
		if len(v.Elems) == 0 {
			return nil
		}
		h := NewHash()
		for i := 0; i+1 < len(v.Elems); i += 2 {
			h, _ = h.Set(v.Elems[i], v.Elems[i+1], lim)
		}
		return h
	case rdb.KindSet:
		if len(v.Elems) == 0 {
			return nil
		}
		s := NewSetFor(v.Elems[0])
		if int64(len(v.Elems)) > lim.SetMaxIntset {
			s = NewSetDict(len(v.Elems))
		}
		for _, m := range v.Elems {
			s, _ = s.Add(m, lim)
		}
		return s
	case rdb.KindZSet:
		if len(v.Z) == 0 {
			return nil
		}
		maxLen := 0
		for _, e := range v.Z {
			maxLen = max(maxLen, len(e.Member))
		}
		z := NewZSetSized(len(v.Z), maxLen, lim)
		for _, e := range v.Z {
			if old, ok := z.Score(e.Member); ok {
				z = z.Update(e.Member, old, e.Score)
				continue
			}
			z = z.Insert(e.Member, e.Score, lim)
		}
		return z
	case rdb.KindList:
		if len(v.Elems) == 0 {
			return nil
		}
		l := NewList(lim)
		for _, e := range v.Elems {
			l.PushTail(e)
		}
		return l
	}
	return nil
}

// loadLimits returns the limits a value stored with RDB type enc loads
// under. Redis keeps a listpack or ziplist hash or sorted set compact
// while its element count fits, whatever the lengths of its elements
// (rdbLoadObject checks only the count), so the length limits do not apply
// to those; commands that change the value later check them again.
func loadLimits(enc byte, lim *Limits) *Limits {
	switch enc {
	case rdb.TypeHashListpack, rdb.TypeHashZiplist, rdb.TypeZSetListpack, rdb.TypeZSetZiplist:
		l := *lim
		l.HashMaxValue, l.ZsetMaxValue = math.MaxInt64, math.MaxInt64
		return &l
	}
	return lim
}
