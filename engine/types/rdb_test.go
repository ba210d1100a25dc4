package types

import (
	"testing"

	"github.com/redisctl/redisctl/engine/rdb"
)

// FromRDB converts at the running server's limits as redis-server's
// rdbLoadObject does: a listpack or ziplist hash or sorted set only by its
// count, any other encoding by count and element length.
func TestFromRDBLimits(t *testing.T) {
	long := []byte("0123456789") // longer than smallLimits' 8
	hash := func(n int) [][]byte {
		var e [][]byte
		for i := 0; i < n; i++ {
			e = append(e, []byte{'f', byte('a' + i)}, long)
		}
		return e
	}
	zset := func(n int) []rdb.ZEntry {
		var z []rdb.ZEntry
		for i := 0; i < n; i++ {
			z = append(z, rdb.ZEntry{Member: append([]byte{byte('a' + i)}, long...), Score: float64(i)})
		}
		return z
	}
	cases := []struct {
		v    rdb.Value
		want string
	}{
		{rdb.Value{Kind: rdb.KindHash, Enc: rdb.TypeHashListpack, Elems: hash(2)}, "listpack"},
		{rdb.Value{Kind: rdb.KindHash, Enc: rdb.TypeHashZiplist, Elems: hash(2)}, "listpack"},
		{rdb.Value{Kind: rdb.KindHash, Enc: rdb.TypeHashListpack, Elems: hash(17)}, "hashtable"},
		{rdb.Value{Kind: rdb.KindHash, Enc: rdb.TypeHash, Elems: hash(2)}, "hashtable"},
		{rdb.Value{Kind: rdb.KindHash, Enc: rdb.TypeHashZipmap, Elems: hash(2)}, "hashtable"},
		{rdb.Value{Kind: rdb.KindZSet, Enc: rdb.TypeZSetListpack, Z: zset(2)}, "listpack"},
		{rdb.Value{Kind: rdb.KindZSet, Enc: rdb.TypeZSetZiplist, Z: zset(2)}, "listpack"},
		{rdb.Value{Kind: rdb.KindZSet, Enc: rdb.TypeZSetZiplist, Z: zset(17)}, "skiplist"},
		{rdb.Value{Kind: rdb.KindZSet, Enc: rdb.TypeZSet2, Z: zset(2)}, "skiplist"},
	}
	for _, c := range cases {
		lim := smallLimits
		if got := FromRDB(&c.v, &lim).Encoding(); got != c.want {
			t.Errorf("%s of type %d with %d elements: %s, want %s", c.v.Kind, c.v.Enc, len(c.v.Elems)+len(c.v.Z), got, c.want)
		}
		if lim != smallLimits {
			t.Fatal("FromRDB changed the server's limits")
		}
	}
}
