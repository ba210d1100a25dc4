package server

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/redisctl/redisctl/engine/keyspace"
	"github.com/redisctl/redisctl/engine/rdb"
	"github.com/redisctl/redisctl/engine/stream"
	"github.com/redisctl/redisctl/engine/types"
)

// Conversions between the engine's collection values and RDB values. The
// engine keeps small values in Redis's own layouts (listpack, intset,
// quicklist nodes, stream node listpacks), which are written as they are;
// large values are written element by element in Redis's order, so DUMP
// payloads match Redis's byte for byte wherever the layout is unique.

// appendObjectRDB appends a non-string value's RDB type byte and value.
func appendObjectRDB(b []byte, obj keyspace.Object, z *rdb.Compressor) ([]byte, error) {
	switch v := obj.(type) {
	case rdbEncoder:
		return v.AppendRDB(b, z), nil
	case *stream.Stream:
		return rdb.AppendStream(append(b, rdb.TypeStreamListpacks2), streamToRDB(v), z), nil
	}
	return b, fmt.Errorf("cannot serialize a %s value (encoding %s)", obj.Type(), obj.Encoding())
}

// rdbEncoder is implemented by values that serialize themselves (the
// collection types, engine/types/rdb.go): type byte and value.
type rdbEncoder interface {
	AppendRDB(b []byte, z *rdb.Compressor) []byte
}

func streamToRDB(s *stream.Stream) *rdb.Stream {
	id := func(i stream.ID) rdb.StreamID { return rdb.StreamID{Ms: i.Ms, Seq: i.Seq} }
	out := &rdb.Stream{Length: s.Len(), LastID: id(s.LastID()), FirstID: id(s.FirstID()),
		MaxDeletedID: id(s.MaxDeletedID()), EntriesAdded: s.EntriesAdded()}
	s.Nodes(func(master stream.ID, lp []byte) bool {
		out.Nodes = append(out.Nodes, rdb.StreamNode{Master: id(master), Listpack: lp})
		return true
	})
	for _, g := range s.Groups() {
		rg := rdb.StreamGroup{Name: []byte(g.Name), LastID: id(g.LastID), EntriesRead: g.EntriesRead}
		g.AscendPending(stream.ID{}, func(n *stream.NACK) bool {
			rg.PEL = append(rg.PEL, rdb.StreamPending{ID: id(n.ID), DeliveryTime: n.DeliveryTime, DeliveryCount: n.DeliveryCount})
			return true
		})
		for _, c := range g.Consumers() {
			rc := rdb.StreamConsumer{Name: []byte(c.Name), SeenTime: c.SeenTime, ActiveTime: -1}
			c.AscendPending(stream.ID{}, func(n *stream.NACK) bool {
				rc.PEL = append(rc.PEL, id(n.ID))
				return true
			})
			rg.Consumers = append(rg.Consumers, rc)
		}
		out.Groups = append(out.Groups, rg)
	}
	return out
}

var errDuplicate = errors.New("duplicate elements detected")

// objectFromRDB builds a collection value from a decoded RDB value, in
// the encoding Redis would pick under the current limits. It returns nil
// for an empty collection (Redis skips those) and fails on duplicate
// members, which Redis reports as a corrupt file.
func (s *Server) objectFromRDB(v *rdb.Value) (keyspace.Object, error) {
	if v.Kind == rdb.KindStream {
		return streamFromRDB(v.Stream)
	}
	return collectionFromRDB(s, v)
}

func streamFromRDB(r *rdb.Stream) (keyspace.Object, error) {
	id := func(i rdb.StreamID) stream.ID { return stream.ID{Ms: i.Ms, Seq: i.Seq} }
	s := stream.New()
	for _, n := range r.Nodes {
		s.LoadNode(id(n.Master), n.Listpack)
	}
	s.SetLoaded(r.Length, id(r.LastID), r.EntriesAdded, id(r.MaxDeletedID))
	for _, g := range r.Groups {
		if s.Group(g.Name) != nil {
			return nil, fmt.Errorf("stream: duplicated consumer group name %s", g.Name)
		}
		grp := s.CreateGroup(g.Name, id(g.LastID), g.EntriesRead)
		consumers := make([]*stream.Consumer, len(g.Consumers))
		for i, c := range g.Consumers {
			cons, created := grp.CreateConsumer(c.Name, c.SeenTime)
			if !created {
				return nil, fmt.Errorf("stream: duplicated consumer %s", c.Name)
			}
			cons.SeenTime = c.SeenTime
			consumers[i] = cons
		}
		for _, p := range g.PEL {
			grp.LoadPending(&stream.NACK{ID: id(p.ID), DeliveryTime: p.DeliveryTime, DeliveryCount: p.DeliveryCount, Consumer: consumers[p.Consumer]})
		}
	}
	return s, nil
}

// appendObjectCommands appends the commands that rebuild a collection
// (AOF base without RDB preamble), in batches like Redis's rewrite.
func appendObjectCommands(b []byte, key string, obj keyspace.Object) ([]byte, error) {
	const batch = 64
	var args []string
	flush := func(cmd string) {
		if len(args) > 0 {
			b = appendCmd(b, append([]string{cmd, key}, args...)...)
			args = args[:0]
		}
	}
	add := func(cmd string, a ...string) {
		args = append(args, a...)
		if len(args) >= batch*len(a) {
			flush(cmd)
		}
	}
	switch v := obj.(type) {
	case types.Hash:
		v.Each(func(f, val []byte) bool { add("HSET", string(f), string(val)); return true })
		flush("HSET")
	case types.Set:
		v.Each(func(m []byte) bool { add("SADD", string(m)); return true })
		flush("SADD")
	case types.ZSet:
		var buf [32]byte
		for it := v.At(0); it.Valid(); it.Next() {
			add("ZADD", string(types.FormatScore(nil, it.Score())), string(it.Member(buf[:0])))
		}
		flush("ZADD")
	case *types.List:
		for it := v.Iter(0, true); it.Valid(); it.Next() {
			var buf [32]byte
			add("RPUSH", string(it.Value(buf[:0])))
		}
		flush("RPUSH")
	case *stream.Stream:
		return appendStreamCommands(b, key, v), nil
	default:
		return b, fmt.Errorf("cannot rewrite a %s value as commands", obj.Type())
	}
	return b, nil
}

// appendStreamCommands rebuilds a stream: its entries with XADD, its
// metadata with XSETID, groups with XGROUP CREATE, consumers and pending
// entries with XGROUP CREATECONSUMER and XCLAIM, as Redis's rewrite does.
func appendStreamCommands(b []byte, key string, s *stream.Stream) []byte {
	it := s.Range(stream.ID{}, stream.ID{Ms: ^uint64(0), Seq: ^uint64(0)}, false)
	n := 0
	for it.Next() {
		args := []string{"XADD", key, it.ID().String()}
		it.Fields(func(f, v []byte) { args = append(args, string(f), string(v)) })
		b = appendCmd(b, args...)
		n++
	}
	if n == 0 {
		// An empty stream still exists: create it with a throwaway entry.
		b = appendCmd(b, "XADD", key, "MAXLEN", "0", "0-1", "x", "y")
	}
	b = appendCmd(b, "XSETID", key, s.LastID().String(), "ENTRIESADDED", strconv.FormatUint(s.EntriesAdded(), 10),
		"MAXDELETEDID", s.MaxDeletedID().String())
	for _, g := range s.Groups() {
		args := []string{"XGROUP", "CREATE", key, g.Name, g.LastID.String()}
		if g.EntriesRead != stream.InvalidEntriesRead {
			args = append(args, "ENTRIESREAD", strconv.FormatInt(g.EntriesRead, 10))
		}
		b = appendCmd(b, args...)
		for _, c := range g.Consumers() {
			b = appendCmd(b, "XGROUP", "CREATECONSUMER", key, g.Name, c.Name)
		}
		g.AscendPending(stream.ID{}, func(nk *stream.NACK) bool {
			b = appendCmd(b, "XCLAIM", key, g.Name, nk.Consumer.Name, "0", nk.ID.String(),
				"TIME", strconv.FormatInt(nk.DeliveryTime, 10), "RETRYCOUNT", strconv.FormatUint(nk.DeliveryCount, 10),
				"JUSTID", "FORCE")
			return true
		})
	}
	return b
}
