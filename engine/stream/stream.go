package stream

import (
	"sort"
	"unsafe"

	"github.com/redisctl/redisctl/engine/keyspace"
	"github.com/redisctl/redisctl/engine/listpack"
)

// Entry flags, as Redis stores them in each entry's first element.
const (
	flagDeleted    = 1
	flagSameFields = 2
)

const (
	// maxListpackSize caps a node whatever stream-node-max-bytes says.
	maxListpackSize = 1 << 30
	// preallocate is how much room a new node starts with (Redis's
	// STREAM_LISTPACK_MAX_PRE_ALLOCATE).
	preallocate = 4096
)

// Limits are the node size settings (stream-node-max-bytes and
// stream-node-max-entries); zero means no limit.
type Limits struct {
	NodeMaxBytes   int64
	NodeMaxEntries int64
}

// node is one listpack of entries. Its key in Redis's radix tree, the
// master ID, is the ID of the first entry ever added to it.
//
// Listpack layout: the master entry
//
//	count | deleted | num-fields | field_1 ... field_N | 0
//
// then one run per entry:
//
//	flags | ms-delta | seq-delta | [num-fields | field_1 value_1 ... | values...] | lp-count
//
// where entries flagged "same fields" carry only the values.
type node struct {
	master ID
	lp     []byte
}

// Fixed memory costs, for MemUsage.
var (
	nodeOverhead   = int64(unsafe.Sizeof(node{}))
	streamOverhead = int64(unsafe.Sizeof(Stream{}))
)

// Stream is a stream value. It implements keyspace.Object.
type Stream struct {
	nodes        []*node // ascending by master ID
	length       uint64
	lastID       ID
	firstID      ID
	maxDeletedID ID
	entriesAdded uint64
	groups       []*Group // sorted by name
	mem          int64    // bytes accounted, excluding streamOverhead

	// hint remembers where the last forward read stopped, so that the
	// next read after it (XREADGROUP ">", XREAD) starts there instead of
	// scanning its node from the first entry.
	hint readHint
}

type readHint struct {
	n          *node
	firstEntry int // the node's first entry position when the hint was taken
	id         ID  // entries at pos and after have greater IDs
	pos        int
}

var _ keyspace.Object = (*Stream)(nil)

// New returns an empty stream.
func New() *Stream { return &Stream{} }

// Type implements keyspace.Object.
func (s *Stream) Type() keyspace.Type { return keyspace.TypeStream }

// Encoding implements keyspace.Object.
func (s *Stream) Encoding() string { return "stream" }

// MemUsage implements keyspace.Object: the listpacks' allocations, the
// index, groups, consumers and pending entries.
func (s *Stream) MemUsage() int64 { return streamOverhead + s.mem + int64(cap(s.nodes))*8 }

// Copy implements keyspace.Object.
func (s *Stream) Copy() keyspace.Object {
	c := *s
	c.nodes = make([]*node, len(s.nodes))
	for i, n := range s.nodes {
		c.nodes[i] = &node{master: n.master, lp: listpack.Clone(n.lp)}
	}
	c.mem = 0
	for _, n := range c.nodes {
		c.mem += nodeOverhead + int64(cap(n.lp))
	}
	c.groups = nil
	c.hint = readHint{}
	for _, g := range s.groups {
		ng := c.copyGroup(g)
		c.groups = append(c.groups, ng)
	}
	return &c
}

// Len returns the number of entries.
func (s *Stream) Len() uint64 { return s.length }

// LastID returns the last ID ever added (or set with XSETID).
func (s *Stream) LastID() ID { return s.lastID }

// FirstID returns the first entry's ID, 0-0 when empty.
func (s *Stream) FirstID() ID { return s.firstID }

// MaxDeletedID returns the largest ID ever deleted with XDEL.
func (s *Stream) MaxDeletedID() ID { return s.maxDeletedID }

// EntriesAdded returns how many entries were ever added.
func (s *Stream) EntriesAdded() uint64 { return s.entriesAdded }

// SetMeta sets the last ID, entries-added and max-deleted ID (XSETID, RDB
// loading).
func (s *Stream) SetMeta(last ID, entriesAdded uint64, maxDeleted ID) {
	s.lastID, s.entriesAdded, s.maxDeletedID = last, entriesAdded, maxDeleted
}

// NumNodes returns the number of nodes (XINFO's radix-tree-keys).
func (s *Stream) NumNodes() int { return len(s.nodes) }

// master entry accessors

type masterInfo struct {
	count, deleted int64
	numFields      int
	fieldsPos      int // first master field
	firstEntry     int // first entry's flags, or -1
}

func readMaster(lp []byte) masterInfo {
	var m masterInfo
	p := listpack.First(lp)
	m.count = listpack.GetInt(lp, p)
	p = listpack.Next(lp, p)
	m.deleted = listpack.GetInt(lp, p)
	p = listpack.Next(lp, p)
	m.numFields = int(listpack.GetInt(lp, p))
	p = listpack.Next(lp, p)
	m.fieldsPos = p
	for i := 0; i < m.numFields; i++ {
		p = listpack.Next(lp, p)
	}
	m.firstEntry = listpack.Next(lp, p) // skip the 0 terminator
	return m
}

// setCounts rewrites the master entry's count and deleted fields.
func (n *node) setCounts(count, deleted int64) {
	p := listpack.First(n.lp)
	n.lp = listpack.ReplaceInt(n.lp, p, count)
	p = listpack.Next(n.lp, p)
	n.lp = listpack.ReplaceInt(n.lp, p, deleted)
}

func (s *Stream) account(delta int64) { s.mem += delta }

// Append adds an entry with the given ID, which the caller has checked is
// greater than LastID, and fields (field, value, field, value...).
func (s *Stream) Append(id ID, fv [][]byte, lim Limits) {
	var totelelen int64
	for _, b := range fv {
		totelelen += int64(len(b))
	}
	numFields := len(fv) / 2
	var tail *node
	if len(s.nodes) > 0 {
		tail = s.nodes[len(s.nodes)-1]
		maxBytes := lim.NodeMaxBytes
		if maxBytes <= 0 || maxBytes > maxListpackSize {
			maxBytes = maxListpackSize
		}
		if int64(listpack.Bytes(tail.lp))+totelelen >= maxBytes {
			tail = nil
		} else if lim.NodeMaxEntries > 0 {
			m := readMaster(tail.lp)
			if m.count+m.deleted >= lim.NodeMaxEntries {
				tail = nil
			}
		}
		if tail == nil {
			// Shrink the full node's pre-allocated room.
			full := s.nodes[len(s.nodes)-1]
			before := cap(full.lp)
			full.lp = listpack.Clone(full.lp)
			s.account(int64(cap(full.lp) - before))
		}
	}
	flags := int64(0)
	var n *node
	if tail == nil {
		prealloc := preallocate
		if lim.NodeMaxBytes > 0 && lim.NodeMaxBytes < preallocate {
			prealloc = int(lim.NodeMaxBytes)
		}
		n = &node{master: id, lp: listpack.New(prealloc)}
		n.lp = listpack.AppendInt(n.lp, 1)
		n.lp = listpack.AppendInt(n.lp, 0)
		n.lp = listpack.AppendInt(n.lp, int64(numFields))
		for i := 0; i < numFields; i++ {
			n.lp = listpack.Append(n.lp, fv[2*i])
		}
		n.lp = listpack.AppendInt(n.lp, 0)
		flags = flagSameFields
		s.nodes = append(s.nodes, n)
		s.account(nodeOverhead + int64(cap(n.lp)))
	} else {
		n = tail
		m := readMaster(n.lp)
		before := cap(n.lp)
		oldLen := len(n.lp)
		n.setCounts(m.count+1, m.deleted)
		if len(n.lp) != oldLen {
			m = readMaster(n.lp) // the count grew a byte: positions moved
		}
		if m.numFields == numFields {
			p, i := m.fieldsPos, 0
			for ; i < numFields; i++ {
				if !listpack.Equal(n.lp, p, fv[2*i]) {
					break
				}
				p = listpack.Next(n.lp, p)
			}
			if i == numFields {
				flags = flagSameFields
			}
		}
		s.account(int64(cap(n.lp) - before))
	}
	before := cap(n.lp)
	lp := n.lp
	lp = listpack.AppendInt(lp, flags)
	lp = listpack.AppendInt(lp, int64(id.Ms-n.master.Ms))
	lp = listpack.AppendInt(lp, int64(id.Seq-n.master.Seq))
	if flags&flagSameFields == 0 {
		lp = listpack.AppendInt(lp, int64(numFields))
	}
	for i := 0; i < numFields; i++ {
		if flags&flagSameFields == 0 {
			lp = listpack.Append(lp, fv[2*i])
		}
		lp = listpack.Append(lp, fv[2*i+1])
	}
	lpCount := int64(numFields) + 3
	if flags&flagSameFields == 0 {
		lpCount += int64(numFields) + 1
	}
	lp = listpack.AppendInt(lp, lpCount)
	n.lp = lp
	s.account(int64(cap(n.lp) - before))
	if s.length == 0 {
		s.firstID = id
	}
	s.length++
	s.entriesAdded++
	s.lastID = id
}

// removeNode drops node i.
func (s *Stream) removeNode(i int) {
	n := s.nodes[i]
	s.account(-nodeOverhead - int64(cap(n.lp)))
	copy(s.nodes[i:], s.nodes[i+1:])
	s.nodes[len(s.nodes)-1] = nil
	s.nodes = s.nodes[:len(s.nodes)-1]
	if cap(s.nodes) > 64 && len(s.nodes) < cap(s.nodes)/4 {
		s.nodes = append([]*node(nil), s.nodes...)
	}
}

// findNode returns the index of the node that may hold id: the last node
// whose master ID is <= id, or 0.
func (s *Stream) findNode(id ID) int {
	i := sort.Search(len(s.nodes), func(i int) bool { return id.Less(s.nodes[i].master) })
	if i > 0 {
		i--
	}
	return i
}

// updateFirstID recomputes firstID after deletions.
func (s *Stream) updateFirstID() {
	if s.length == 0 {
		s.firstID = ID{}
		return
	}
	it := s.Range(ID{}, MaxID, false)
	if it.Next() {
		s.firstID = it.ID()
	}
}

// EdgeID returns the first (last == false) or last entry's ID; ok is false
// when the stream is empty.
func (s *Stream) EdgeID(last bool) (ID, bool) {
	it := s.Range(ID{}, MaxID, last)
	if it.Next() {
		return it.ID(), true
	}
	return ID{}, false
}

// Delete removes the entry id and reports whether it existed (XDEL).
func (s *Stream) Delete(id ID) bool {
	it := s.Range(id, id, false)
	if !it.Next() {
		return false
	}
	it.Remove()
	if s.maxDeletedID.Less(id) {
		s.maxDeletedID = id
	}
	if id == s.firstID {
		s.updateFirstID()
	}
	return true
}

// Nodes calls fn with each node's master ID and listpack, in order, until
// it returns false (RDB saving writes them as they are). lp must not be
// changed or kept.
func (s *Stream) Nodes(fn func(master ID, lp []byte) bool) {
	for _, n := range s.nodes {
		if !fn(n.master, n.lp) {
			return
		}
	}
}

// LoadNode appends a node read back from an RDB file; nodes must come in
// order. The listpack is kept, not copied. After the last node, call
// SetLoaded.
func (s *Stream) LoadNode(master ID, lp []byte) {
	s.nodes = append(s.nodes, &node{master: master, lp: lp})
	s.account(nodeOverhead + int64(cap(lp)))
}

// SetLoaded finishes loading: it sets the length and metadata saved with
// the stream and recomputes the first ID.
func (s *Stream) SetLoaded(length uint64, last ID, entriesAdded uint64, maxDeleted ID) {
	s.length = length
	s.SetMeta(last, entriesAdded, maxDeleted)
	s.updateFirstID()
}
