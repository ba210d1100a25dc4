package server

import (
	"github.com/redisctl/redisctl/engine/keyspace"
	"github.com/redisctl/redisctl/engine/rdb"
	"github.com/redisctl/redisctl/engine/types"
)

// Loading collections from RDB: the collection types serialize themselves
// (types' AppendRDB methods); these builders turn decoded values back into
// them with the encodings the current limits give.

func init() {
	for _, k := range []rdb.Kind{rdb.KindHash, rdb.KindSet, rdb.KindZSet, rdb.KindList} {
		rdbBuilders[k] = buildCollectionFromRDB
	}
}

func buildCollectionFromRDB(s *Server, v *rdb.Value) (keyspace.Object, error) {
	return types.FromRDB(v, s.coll.limits.Load()), nil
}
