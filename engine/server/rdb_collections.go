package server

import (
	"fmt"

	"github.com/redisctl/redisctl/engine/keyspace"
	"github.com/redisctl/redisctl/engine/rdb"
	"github.com/redisctl/redisctl/engine/types"
)

// Loading collections from RDB: the collection types serialize themselves
// (types' AppendRDB methods); types.FromRDB turns decoded values back into
// them with the encodings the current limits give.

// collectionFromRDB builds a hash, set, sorted set or list. Members that
// appear twice (which FromRDB merges) make the value corrupt, as in Redis.
func collectionFromRDB(s *Server, v *rdb.Value) (keyspace.Object, error) {
	obj := types.FromRDB(v, s.coll.limits.Load())
	if obj == nil {
		if len(v.Elems) == 0 && len(v.Z) == 0 {
			return nil, nil
		}
		return nil, fmt.Errorf("unexpected %s value", v.Kind)
	}
	want := len(v.Elems)
	switch v.Kind {
	case rdb.KindHash:
		want /= 2
	case rdb.KindZSet:
		want = len(v.Z)
	}
	if l, ok := obj.(interface{ Len() int }); ok && l.Len() != want {
		return nil, fmt.Errorf("%s: %w", v.Kind, errDuplicate)
	}
	return obj, nil
}
