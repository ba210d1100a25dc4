package stream

import "github.com/redisctl/redisctl/engine/listpack"

// Iter walks the entries of a stream whose IDs are in [start, end], in
// ascending order or, when rev, descending. Deleted entries are skipped.
// The stream must not change during the walk except through Remove.
type Iter struct {
	s          *Stream
	start, end ID
	rev        bool

	ni int // current node
	lp []byte
	m  masterInfo
	p  int // forward: next entry's flags; reverse: previous entry's lp-count; -1 at the node's edge

	cur      ID
	curFlags int64
	curPos   int // current entry's flags
	started  bool
	done     bool

	fbuf, vbuf [24]byte
}

// Range returns an iterator over [start, end].
func (s *Stream) Range(start, end ID, rev bool) *Iter {
	it := &Iter{}
	it.Reset(s, start, end, rev)
	return it
}

// Reset makes it iterate over s's [start, end] from the beginning.
func (it *Iter) Reset(s *Stream, start, end ID, rev bool) {
	*it = Iter{s: s, start: start, end: end, rev: rev}
	if len(s.nodes) == 0 || end.Less(start) {
		it.done = true
		return
	}
	if rev {
		it.ni = s.findNode(end)
	} else {
		it.ni = s.findNode(start)
	}
	it.lp = nil
}

func (it *Iter) load() bool {
	if it.ni < 0 || it.ni >= len(it.s.nodes) {
		return false
	}
	n := it.s.nodes[it.ni]
	it.lp = n.lp
	it.m = readMaster(n.lp)
	if it.rev {
		it.p = listpack.Last(n.lp)
		if it.m.firstEntry < 0 {
			it.p = -1
		}
	} else {
		it.p = it.m.firstEntry
		// Start where the last forward read stopped when that is before
		// start and the node's entries have not moved since.
		if h := &it.s.hint; h.n == n && h.firstEntry == it.m.firstEntry && h.pos > 0 && h.id.Less(it.start) {
			it.p = h.pos
		}
	}
	return true
}

// Next advances to the next entry and reports whether there is one.
func (it *Iter) Next() bool {
	for !it.done {
		if it.lp == nil {
			if !it.load() {
				it.done = true
				return false
			}
		}
		if it.p < 0 {
			if it.rev {
				it.ni--
			} else {
				it.ni++
			}
			it.lp = nil
			continue
		}
		lp := it.lp
		var flagsPos int
		if it.rev {
			lpCount := listpack.GetInt(lp, it.p)
			flagsPos = it.p
			for i := int64(0); i < lpCount; i++ {
				flagsPos = listpack.Prev(lp, flagsPos)
			}
			if flagsPos == it.m.firstEntry {
				it.p = -1
			} else {
				it.p = listpack.Prev(lp, flagsPos)
			}
		} else {
			flagsPos = it.p
			it.p = it.skipEntry(flagsPos)
		}
		flags := listpack.GetInt(lp, flagsPos)
		if flags&flagDeleted != 0 {
			continue
		}
		q := listpack.Next(lp, flagsPos)
		ms := uint64(listpack.GetInt(lp, q))
		q = listpack.Next(lp, q)
		seq := uint64(listpack.GetInt(lp, q))
		n := it.s.nodes[it.ni]
		id := ID{n.master.Ms + ms, n.master.Seq + seq}
		if it.rev {
			if it.end.Less(id) {
				continue
			}
			if id.Less(it.start) {
				it.done = true
				return false
			}
		} else {
			if id.Less(it.start) {
				continue
			}
			if it.end.Less(id) {
				it.done = true
				return false
			}
		}
		it.cur, it.curFlags, it.curPos, it.started = id, flags, flagsPos, true
		if !it.rev && it.p > 0 {
			it.s.hint = readHint{n: n, firstEntry: it.m.firstEntry, id: id, pos: it.p}
		}
		return true
	}
	return false
}

// skipEntry returns the position of the entry after the one whose flags
// are at p, or -1.
func (it *Iter) skipEntry(p int) int {
	lp := it.lp
	flags, ok := listpack.SmallInt(lp, p)
	if !ok {
		flags = listpack.GetInt(lp, p)
	}
	p = listpack.Skip(lp, p, 3) // flags, ms, seq
	if flags&flagSameFields != 0 {
		p = listpack.Skip(lp, p, it.m.numFields)
	} else {
		p = listpack.Skip(lp, p, 2*int(listpack.GetInt(lp, p))+1)
	}
	// p is the lp-count
	return listpack.Skip(lp, p, 1)
}

// ID returns the current entry's ID.
func (it *Iter) ID() ID { return it.cur }

// NumFields returns the current entry's number of field-value pairs.
func (it *Iter) NumFields() int {
	if it.curFlags&flagSameFields != 0 {
		return it.m.numFields
	}
	p := listpack.Next(it.lp, it.curPos)
	p = listpack.Next(it.lp, p)
	p = listpack.Next(it.lp, p)
	return int(listpack.GetInt(it.lp, p))
}

// Fields calls fn with each field and value of the current entry. The
// slices are valid only during the call.
func (it *Iter) Fields(fn func(field, value []byte)) {
	lp := it.lp
	p := listpack.Next(lp, it.curPos)
	p = listpack.Next(lp, p)
	p = listpack.Next(lp, p)
	if it.curFlags&flagSameFields != 0 {
		mp := it.m.fieldsPos
		for i := 0; i < it.m.numFields; i++ {
			f := listpack.AppendValue(it.fbuf[:0], lp, mp)
			v := listpack.AppendValue(it.vbuf[:0], lp, p)
			fn(f, v)
			mp = listpack.Next(lp, mp)
			p = listpack.Next(lp, p)
		}
		return
	}
	n := int(listpack.GetInt(lp, p))
	p = listpack.Next(lp, p)
	for i := 0; i < n; i++ {
		f := listpack.AppendValue(it.fbuf[:0], lp, p)
		p = listpack.Next(lp, p)
		v := listpack.AppendValue(it.vbuf[:0], lp, p)
		p = listpack.Next(lp, p)
		fn(f, v)
	}
}

// Remove deletes the current entry: it is flagged deleted in its node, or
// the node is dropped when it was the node's last live entry. Iteration
// continues with the entry after it.
func (it *Iter) Remove() {
	s := it.s
	n := s.nodes[it.ni]
	m := it.m
	if m.count == 1 {
		s.removeNode(it.ni)
	} else {
		before := cap(n.lp)
		n.lp = listpack.ReplaceInt(n.lp, it.curPos, it.curFlags|flagDeleted)
		n.setCounts(m.count-1, m.deleted+1)
		s.account(int64(cap(n.lp) - before))
	}
	s.length--
	cur := it.cur
	if it.rev {
		it.Reset(s, it.start, cur, true)
	} else {
		it.Reset(s, cur, it.end, false)
	}
}
