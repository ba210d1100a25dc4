package stream

import "github.com/redisctl/redisctl/engine/listpack"

// TrimStrategy says how Trim chooses what to remove.
type TrimStrategy int

// Trim strategies.
const (
	TrimNone   TrimStrategy = iota
	TrimMaxLen              // keep at most MaxLen entries
	TrimMinID               // drop entries below MinID
)

// TrimArgs are XADD's and XTRIM's trimming options.
type TrimArgs struct {
	Strategy TrimStrategy
	MaxLen   int64
	MinID    ID
	Approx   bool  // "~": only remove whole nodes
	Limit    int64 // at most this many entries (0: no limit)
}

// Trim removes entries from the head of the stream as args say and
// returns how many it removed. Like Redis, it removes whole nodes while it
// can; when the next node must be cut and trimming is exact, entries in
// that node are flagged deleted.
func (s *Stream) Trim(args TrimArgs) int64 {
	if args.Strategy == TrimNone {
		return 0
	}
	var deleted int64
	for len(s.nodes) > 0 {
		if args.Strategy == TrimMaxLen && int64(s.length) <= args.MaxLen {
			break
		}
		n := s.nodes[0]
		m := readMaster(n.lp)
		entries := m.count
		if args.Limit > 0 && deleted+entries > args.Limit {
			break
		}
		var removeNode bool
		if args.Strategy == TrimMaxLen {
			removeNode = int64(s.length)-entries >= args.MaxLen
		} else {
			last := nodeLastID(n, m)
			removeNode = last.Less(args.MinID)
		}
		if removeNode {
			s.removeNode(0)
			s.length -= uint64(entries)
			deleted += entries
			continue
		}
		if args.Approx {
			break
		}
		deleted += s.trimInNode(n, m, args)
		break
	}
	s.updateFirstID()
	return deleted
}

// nodeLastID is the ID of the last entry in n (deleted or not).
func nodeLastID(n *node, m masterInfo) ID {
	lp := n.lp
	p := listpack.Last(lp)
	lpCount := listpack.GetInt(lp, p)
	for i := int64(0); i < lpCount; i++ {
		p = listpack.Prev(lp, p)
	}
	p = listpack.Next(lp, p)
	ms := uint64(listpack.GetInt(lp, p))
	p = listpack.Next(lp, p)
	seq := uint64(listpack.GetInt(lp, p))
	return ID{n.master.Ms + ms, n.master.Seq + seq}
}

// trimInNode flags entries of the first node deleted until the stream is
// short enough or the next entry is at or past MinID.
func (s *Stream) trimInNode(n *node, m masterInfo, args TrimArgs) int64 {
	before := cap(n.lp)
	var removed int64
	p := m.firstEntry
	for p >= 0 {
		lp := n.lp
		flags := listpack.GetInt(lp, p)
		q := listpack.Next(lp, p)
		ms := uint64(listpack.GetInt(lp, q))
		q = listpack.Next(lp, q)
		seq := uint64(listpack.GetInt(lp, q))
		var stop bool
		if args.Strategy == TrimMaxLen {
			stop = int64(s.length) <= args.MaxLen
		} else {
			stop = !(ID{n.master.Ms + ms, n.master.Seq + seq}).Less(args.MinID)
		}
		if stop {
			break
		}
		it := Iter{lp: lp, m: m}
		next := it.skipEntry(p)
		if flags&flagDeleted == 0 {
			// Flags 0/2 become 1/3: same size, positions stay valid.
			n.lp = listpack.ReplaceInt(n.lp, p, flags|flagDeleted)
			removed++
			s.length--
		}
		p = next
	}
	n.setCounts(m.count-removed, m.deleted+removed)
	s.account(int64(cap(n.lp) - before))
	return removed
}
