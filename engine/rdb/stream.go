package rdb

import (
	"encoding/binary"
	"strconv"
)

// Stream entry flags inside a node's listpack.
const (
	StreamFlagDeleted    = 1
	StreamFlagSameFields = 2
)

// StreamEntry is one entry of a stream node.
type StreamEntry struct {
	ID      StreamID
	Deleted bool
	Fields  [][]byte // field, value, field, value...
}

// StreamNodeEach validates a stream node's listpack and calls fn with each
// entry, deleted ones included. Field slices are fresh copies.
//
// Layout: count of live entries, count of deleted entries, number of
// master fields, the master fields, a 0; then per entry: flags, ms and
// seq relative to the master ID, then either the values of the master
// fields (flag SAMEFIELDS) or a field count and field/value pairs, and
// finally the number of listpack elements the entry used.
func StreamNodeEach(n StreamNode, fn func(e *StreamEntry) error) error {
	var elems [][]byte
	if err := ListpackEach(n.Listpack, func(e []byte) error {
		elems = append(elems, clone(e))
		return nil
	}); err != nil {
		return err
	}
	bad := func(what string) error { return errBlob("stream listpack", "%s", what) }
	p := 0
	num := func() (int64, bool) {
		if p >= len(elems) {
			return 0, false
		}
		v, err := strconv.ParseInt(string(elems[p]), 10, 64)
		p++
		return v, err == nil
	}
	live, ok1 := num()
	deleted, ok2 := num()
	nmaster, ok3 := num()
	if !ok1 || !ok2 || !ok3 || live < 0 || deleted < 0 || nmaster < 0 || nmaster > int64(len(elems)) {
		return bad("bad master entry")
	}
	master := elems[p:min(p+int(nmaster), len(elems))]
	p += int(nmaster)
	if z, ok := num(); !ok || z != 0 {
		return bad("missing master terminator")
	}
	var seenLive, seenDeleted int64
	var e StreamEntry
	for p < len(elems) {
		start := p
		flags, ok := num()
		msd, ok2 := num()
		seqd, ok3 := num()
		if !ok || !ok2 || !ok3 {
			return bad("bad entry header")
		}
		e = StreamEntry{ID: StreamID{Ms: n.Master.Ms + uint64(msd), Seq: n.Master.Seq + uint64(seqd)}, Deleted: flags&StreamFlagDeleted != 0}
		if flags&StreamFlagSameFields != 0 {
			if p+len(master) > len(elems) {
				return bad("entry overflows")
			}
			for i, f := range master {
				e.Fields = append(e.Fields, f, elems[p+i])
			}
			p += len(master)
		} else {
			nf, ok := num()
			if !ok || nf < 0 || nf > int64(len(elems)) || p+2*int(nf) > len(elems) {
				return bad("bad field count")
			}
			e.Fields = append(e.Fields, elems[p:p+2*int(nf)]...)
			p += 2 * int(nf)
		}
		lpCount, ok := num()
		if !ok || lpCount != int64(p-start-1) {
			return bad("bad entry element count")
		}
		if e.Deleted {
			seenDeleted++
		} else {
			seenLive++
		}
		if err := fn(&e); err != nil {
			return err
		}
	}
	if seenLive != live || seenDeleted != deleted {
		return bad("entry counts do not match the master entry")
	}
	if live+deleted == 0 {
		return bad("empty node")
	}
	return nil
}

func readStreamID(r *reader) (StreamID, error) {
	ms, err := r.ulen()
	if err != nil {
		return StreamID{}, err
	}
	seq, err := r.ulen()
	return StreamID{ms, seq}, err
}

func readRawID(r *reader) (StreamID, error) {
	b, err := r.next(16)
	if err != nil {
		return StreamID{}, err
	}
	return StreamID{binary.BigEndian.Uint64(b), binary.BigEndian.Uint64(b[8:])}, nil
}

func readStream(r *reader, typ byte) (*Stream, error) {
	s := &Stream{}
	n, err := r.count("stream node", 1+16+1) // key, listpack
	if err != nil {
		return nil, err
	}
	var first *StreamID
	for i := 0; i < n; i++ {
		k, err := r.str()
		if err != nil {
			return nil, err
		}
		if len(k) != 16 {
			return nil, r.corrupt("stream node key is %d bytes", len(k))
		}
		node := StreamNode{Master: StreamID{binary.BigEndian.Uint64(k), binary.BigEndian.Uint64(k[8:])}}
		if node.Listpack, err = r.strCopy(); err != nil {
			return nil, err
		}
		if err := StreamNodeEach(node, func(e *StreamEntry) error {
			if first == nil && !e.Deleted {
				id := e.ID
				first = &id
			}
			return nil
		}); err != nil {
			return nil, err
		}
		s.Nodes = append(s.Nodes, node)
	}
	if s.Length, err = r.ulen(); err != nil {
		return nil, err
	}
	if s.LastID, err = readStreamID(r); err != nil {
		return nil, err
	}
	if typ >= TypeStreamListpacks2 {
		if s.FirstID, err = readStreamID(r); err != nil {
			return nil, err
		}
		if s.MaxDeletedID, err = readStreamID(r); err != nil {
			return nil, err
		}
		if s.EntriesAdded, err = r.ulen(); err != nil {
			return nil, err
		}
	} else {
		if first != nil {
			s.FirstID = *first
		}
		s.EntriesAdded = s.Length
	}
	ng, err := r.count("stream group", 1+2+2) // name, last ID, PEL and consumer counts
	if err != nil {
		return nil, err
	}
	for i := 0; i < ng; i++ {
		var g StreamGroup
		if g.Name, err = r.strCopy(); err != nil {
			return nil, err
		}
		if g.LastID, err = readStreamID(r); err != nil {
			return nil, err
		}
		g.EntriesRead = -1
		if typ >= TypeStreamListpacks2 {
			n, err := r.ulen()
			if err != nil {
				return nil, err
			}
			g.EntriesRead = int64(n)
		}
		np, err := r.count("group PEL entry", 16+8+1) // ID, delivery time and count
		if err != nil {
			return nil, err
		}
		index := make(map[StreamID]int, np)
		for j := 0; j < np; j++ {
			var pe StreamPending
			if pe.ID, err = readRawID(r); err != nil {
				return nil, err
			}
			if pe.DeliveryTime, err = r.millis(); err != nil {
				return nil, err
			}
			if pe.DeliveryCount, err = r.ulen(); err != nil {
				return nil, err
			}
			pe.Consumer = -1
			if _, dup := index[pe.ID]; dup {
				return nil, r.corrupt("duplicated global PEL entry")
			}
			index[pe.ID] = len(g.PEL)
			g.PEL = append(g.PEL, pe)
		}
		nc, err := r.count("consumer", 1+8+1) // name, seen time, PEL count
		if err != nil {
			return nil, err
		}
		for j := 0; j < nc; j++ {
			c := StreamConsumer{ActiveTime: -1}
			if c.Name, err = r.strCopy(); err != nil {
				return nil, err
			}
			if c.SeenTime, err = r.millis(); err != nil {
				return nil, err
			}
			if typ >= TypeStreamListpacks3 {
				if c.ActiveTime, err = r.millis(); err != nil {
					return nil, err
				}
			}
			np, err := r.count("consumer PEL entry", 16)
			if err != nil {
				return nil, err
			}
			for k := 0; k < np; k++ {
				id, err := readRawID(r)
				if err != nil {
					return nil, err
				}
				idx, ok := index[id]
				if !ok || g.PEL[idx].Consumer != -1 {
					return nil, r.corrupt("consumer PEL entry not in the group PEL, or owned twice")
				}
				g.PEL[idx].Consumer = len(g.Consumers)
				c.PEL = append(c.PEL, id)
			}
			g.Consumers = append(g.Consumers, c)
		}
		for _, pe := range g.PEL {
			if pe.Consumer < 0 {
				return nil, r.corrupt("group PEL entry without consumer")
			}
		}
		s.Groups = append(s.Groups, g)
	}
	return s, nil
}

// AppendStream appends a stream value (type STREAM_LISTPACKS_2, without
// the type byte) as Redis 7.0 writes it.
func AppendStream(b []byte, s *Stream, z *Compressor) []byte {
	b = AppendLen(b, uint64(len(s.Nodes)))
	var key [16]byte
	for _, n := range s.Nodes {
		binary.BigEndian.PutUint64(key[:], n.Master.Ms)
		binary.BigEndian.PutUint64(key[8:], n.Master.Seq)
		b = AppendString(b, key[:], z)
		b = AppendString(b, n.Listpack, z)
	}
	b = AppendLen(b, s.Length)
	b = appendID(b, s.LastID)
	b = appendID(b, s.FirstID)
	b = appendID(b, s.MaxDeletedID)
	b = AppendLen(b, s.EntriesAdded)
	b = AppendLen(b, uint64(len(s.Groups)))
	for _, g := range s.Groups {
		b = AppendString(b, g.Name, z)
		b = appendID(b, g.LastID)
		b = AppendLen(b, uint64(g.EntriesRead))
		b = AppendLen(b, uint64(len(g.PEL)))
		for _, pe := range g.PEL {
			b = appendRawID(b, pe.ID)
			b = AppendMillis(b, pe.DeliveryTime)
			b = AppendLen(b, pe.DeliveryCount)
		}
		b = AppendLen(b, uint64(len(g.Consumers)))
		for _, c := range g.Consumers {
			b = AppendString(b, c.Name, z)
			b = AppendMillis(b, c.SeenTime)
			b = AppendLen(b, uint64(len(c.PEL)))
			for _, id := range c.PEL {
				b = appendRawID(b, id)
			}
		}
	}
	return b
}

func appendID(b []byte, id StreamID) []byte {
	return AppendLen(AppendLen(b, id.Ms), id.Seq)
}

func appendRawID(b []byte, id StreamID) []byte {
	b = binary.BigEndian.AppendUint64(b, id.Ms)
	return binary.BigEndian.AppendUint64(b, id.Seq)
}
