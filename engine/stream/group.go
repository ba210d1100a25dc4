package stream

import (
	"sort"
	"unsafe"

	"github.com/google/btree"
)

// InvalidEntriesRead marks a group whose entries-read counter is unknown
// (Redis's SCG_INVALID_ENTRIES_READ).
const InvalidEntriesRead = -1

// Group is a consumer group.
type Group struct {
	s           *Stream
	Name        string
	LastID      ID    // last delivered ID
	EntriesRead int64 // logical read counter, or InvalidEntriesRead

	pel       *btree.BTreeG[*NACK]
	consumers map[string]*Consumer
}

// Consumer is a consumer of a group.
type Consumer struct {
	Name     string
	SeenTime int64 // unix ms of the last interaction
	pel      *btree.BTreeG[*NACK]
}

// NACK is an entry of a pending entries list: delivered, not yet
// acknowledged.
type NACK struct {
	ID            ID
	DeliveryTime  int64 // unix ms of the last delivery
	DeliveryCount uint64
	Consumer      *Consumer
}

var (
	groupOverhead    = int64(unsafe.Sizeof(Group{})) + 256 // struct, btree, map
	consumerOverhead = int64(unsafe.Sizeof(Consumer{})) + 96
	// A NACK sits in the group's and the consumer's B-trees.
	nackOverhead = int64(unsafe.Sizeof(NACK{})) + 2*16
)

func nackLess(a, b *NACK) bool { return a.ID.Less(b.ID) }

const btreeDegree = 16

func newPEL() *btree.BTreeG[*NACK] { return btree.NewG(btreeDegree, nackLess) }

// Groups returns the consumer groups ordered by name.
func (s *Stream) Groups() []*Group { return s.groups }

// Group returns the group called name, or nil.
func (s *Stream) Group(name []byte) *Group {
	i, ok := s.groupIndex(name)
	if !ok {
		return nil
	}
	return s.groups[i]
}

func (s *Stream) groupIndex(name []byte) (int, bool) {
	i := sort.Search(len(s.groups), func(i int) bool { return s.groups[i].Name >= string(name) })
	return i, i < len(s.groups) && s.groups[i].Name == string(name)
}

// CreateGroup adds a group; it returns nil when one with that name
// exists.
func (s *Stream) CreateGroup(name []byte, lastID ID, entriesRead int64) *Group {
	i, ok := s.groupIndex(name)
	if ok {
		return nil
	}
	g := &Group{s: s, Name: string(name), LastID: lastID, EntriesRead: entriesRead, pel: newPEL(), consumers: map[string]*Consumer{}}
	s.groups = append(s.groups, nil)
	copy(s.groups[i+1:], s.groups[i:])
	s.groups[i] = g
	s.account(groupOverhead + int64(len(name)))
	return g
}

// DestroyGroup removes a group and reports whether it existed.
func (s *Stream) DestroyGroup(name []byte) bool {
	i, ok := s.groupIndex(name)
	if !ok {
		return false
	}
	g := s.groups[i]
	for _, c := range g.consumers {
		g.DeleteConsumer([]byte(c.Name))
	}
	s.account(-groupOverhead - int64(len(g.Name)))
	s.groups = append(s.groups[:i], s.groups[i+1:]...)
	return true
}

func (s *Stream) copyGroup(g *Group) *Group {
	ng := &Group{s: s, Name: g.Name, LastID: g.LastID, EntriesRead: g.EntriesRead, pel: newPEL(), consumers: map[string]*Consumer{}}
	s.account(groupOverhead + int64(len(g.Name)))
	for _, c := range g.consumers {
		nc := &Consumer{Name: c.Name, SeenTime: c.SeenTime, pel: newPEL()}
		ng.consumers[c.Name] = nc
		s.account(consumerOverhead + int64(len(c.Name)))
	}
	g.pel.Ascend(func(n *NACK) bool {
		nn := &NACK{ID: n.ID, DeliveryTime: n.DeliveryTime, DeliveryCount: n.DeliveryCount, Consumer: ng.consumers[n.Consumer.Name]}
		ng.pel.ReplaceOrInsert(nn)
		nn.Consumer.pel.ReplaceOrInsert(nn)
		s.account(nackOverhead)
		return true
	})
	return ng
}

// PendingCount returns the size of the group's PEL.
func (g *Group) PendingCount() int { return g.pel.Len() }

// NumConsumers returns the number of consumers.
func (g *Group) NumConsumers() int { return len(g.consumers) }

// Consumer returns the consumer called name, or nil.
func (g *Group) Consumer(name []byte) *Consumer { return g.consumers[string(name)] }

// Consumers returns the consumers ordered by name.
func (g *Group) Consumers() []*Consumer {
	out := make([]*Consumer, 0, len(g.consumers))
	for _, c := range g.consumers {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// CreateConsumer adds a consumer seen at now; it returns the existing one
// and false when there is one already.
func (g *Group) CreateConsumer(name []byte, now int64) (*Consumer, bool) {
	if c := g.consumers[string(name)]; c != nil {
		return c, false
	}
	c := &Consumer{Name: string(name), SeenTime: now, pel: newPEL()}
	g.consumers[c.Name] = c
	g.s.account(consumerOverhead + int64(len(name)))
	return c, true
}

// DeleteConsumer removes a consumer, and its pending entries from the
// group's PEL, and returns how many it had; -1 when there is no such
// consumer.
func (g *Group) DeleteConsumer(name []byte) int {
	c := g.consumers[string(name)]
	if c == nil {
		return -1
	}
	n := c.pel.Len()
	c.pel.Ascend(func(nk *NACK) bool {
		g.pel.Delete(nk)
		return true
	})
	g.s.account(-int64(n) * nackOverhead)
	delete(g.consumers, c.Name)
	g.s.account(-consumerOverhead - int64(len(c.Name)))
	return n
}

// Pending returns the PEL entry for id, or nil.
func (g *Group) Pending(id ID) *NACK {
	n, _ := g.pel.Get(&NACK{ID: id})
	return n
}

// AddPending records id as delivered to c at now (a new PEL entry with a
// delivery count of 1). An existing entry for id is reassigned instead.
func (g *Group) AddPending(id ID, c *Consumer, now int64) *NACK {
	if n := g.Pending(id); n != nil {
		g.Assign(n, c)
		n.DeliveryTime = now
		n.DeliveryCount = 1
		return n
	}
	n := &NACK{ID: id, DeliveryTime: now, DeliveryCount: 1, Consumer: c}
	g.pel.ReplaceOrInsert(n)
	c.pel.ReplaceOrInsert(n)
	g.s.account(nackOverhead)
	return n
}

// LoadPending adds a PEL entry as it was saved (RDB loading).
func (g *Group) LoadPending(n *NACK) {
	g.pel.ReplaceOrInsert(n)
	if n.Consumer != nil {
		n.Consumer.pel.ReplaceOrInsert(n)
	}
	g.s.account(nackOverhead)
}

// Assign moves a PEL entry to consumer c.
func (g *Group) Assign(n *NACK, c *Consumer) {
	if n.Consumer == c {
		return
	}
	if n.Consumer != nil {
		n.Consumer.pel.Delete(n)
	}
	n.Consumer = c
	c.pel.ReplaceOrInsert(n)
}

// Ack removes id from the PEL and reports whether it was pending.
func (g *Group) Ack(id ID) bool {
	n, ok := g.pel.Delete(&NACK{ID: id})
	if !ok {
		return false
	}
	n.Consumer.pel.Delete(n)
	g.s.account(-nackOverhead)
	return true
}

// AscendPending calls fn for the PEL entries with IDs >= from, in order,
// until it returns false.
func (g *Group) AscendPending(from ID, fn func(n *NACK) bool) {
	g.pel.AscendGreaterOrEqual(&NACK{ID: from}, fn)
}

// PendingBounds returns the smallest and largest pending IDs.
func (g *Group) PendingBounds() (lo, hi ID, ok bool) {
	a, ok := g.pel.Min()
	if !ok {
		return ID{}, ID{}, false
	}
	b, _ := g.pel.Max()
	return a.ID, b.ID, true
}

// PendingCount returns the size of the consumer's PEL.
func (c *Consumer) PendingCount() int { return c.pel.Len() }

// AscendPending calls fn for the consumer's PEL entries with IDs >= from,
// in order, until it returns false.
func (c *Consumer) AscendPending(from ID, fn func(n *NACK) bool) {
	c.pel.AscendGreaterOrEqual(&NACK{ID: from}, fn)
}
