package types

import (
	"unsafe"

	"github.com/redisctl/redisctl/engine/ds"
	"github.com/redisctl/redisctl/engine/keyspace"
	"github.com/redisctl/redisctl/engine/listpack"
)

// List is a list value: Redis 7.0's quicklist, a sequence of listpack
// nodes, each limited by list-max-listpack-size (a positive element count,
// or -1..-5 for 4..64 KiB) as it was when the list was created.
type List struct {
	nodes []qnode
	count int
	fill  int
	mem   int64 // bytes of node listpacks
}

type qnode struct {
	lp []byte
	n  int
}

// sizeSafetyLimit caps a node's bytes when the fill is an element count,
// as Redis's SIZE_SAFETY_LIMIT does.
const sizeSafetyLimit = 8192

var listHeader = int64(ds.AllocSize(int(unsafe.Sizeof(List{}))))

// NewList returns an empty list with the node fill from lim.
func NewList(lim *Limits) *List { return &List{fill: int(lim.ListFill)} }

// Type, Encoding, MemUsage and Copy implement keyspace.Object.
func (l *List) Type() keyspace.Type { return keyspace.TypeList }

// Encoding is always "quicklist" in Redis 7.0.
func (l *List) Encoding() string { return "quicklist" }

// MemUsage is the memory of the list's nodes and listpacks.
func (l *List) MemUsage() int64 {
	return listHeader + l.mem + int64(ds.AllocSize(cap(l.nodes)*int(unsafe.Sizeof(qnode{}))))
}

// Copy returns a deep copy.
func (l *List) Copy() keyspace.Object {
	n := &List{count: l.count, fill: l.fill, mem: l.mem, nodes: make([]qnode, len(l.nodes))}
	for i, nd := range l.nodes {
		n.nodes[i] = qnode{lp: copyBytes(nd.lp), n: nd.n}
	}
	return n
}

// Len returns the number of elements.
func (l *List) Len() int { return l.count }

// Nodes calls fn with every node's listpack, head to tail (persistence).
func (l *List) Nodes(fn func(lp []byte)) {
	for _, nd := range l.nodes {
		fn(nd.lp)
	}
}

// AppendNode adds a validated listpack as the last node (loading).
func (l *List) AppendNode(lp []byte) {
	lp = copyBytes(lp)
	n := listpack.Len(lp)
	if n == 0 {
		return
	}
	l.nodes = append(l.nodes, qnode{lp: lp, n: n})
	l.count += n
	l.mem += int64(ds.AllocSize(cap(lp)))
}

// allows reports whether a node may grow by an entry of sz bytes.
func (l *List) allows(nd *qnode, sz int) bool {
	newSize := len(nd.lp) + sz
	if l.fill >= 0 {
		return nd.n < max(l.fill, 1) && newSize <= sizeSafetyLimit
	}
	limit := 4096 << min(-l.fill-1, 4)
	return newSize <= limit
}

func (l *List) newNode(v []byte) qnode {
	lp := listpack.New(listpack.EncodedSize(v) + 7)
	lp = listpack.Append(lp, v)
	l.mem += int64(ds.AllocSize(cap(lp)))
	return qnode{lp: lp, n: 1}
}

// update stores a node's new listpack and accounts for its size.
func (l *List) update(i int, lp []byte, dn int) {
	nd := &l.nodes[i]
	if cap(lp) != cap(nd.lp) {
		l.mem += int64(ds.AllocSize(cap(lp)) - ds.AllocSize(cap(nd.lp)))
	}
	nd.lp = lp
	nd.n += dn
	l.count += dn
}

// PushHead inserts v at the head.
func (l *List) PushHead(v []byte) {
	if len(l.nodes) > 0 && l.allows(&l.nodes[0], listpack.EncodedSize(v)) {
		l.update(0, listpack.Prepend(l.nodes[0].lp, v), 1)
		return
	}
	l.nodes = append(l.nodes, qnode{})
	copy(l.nodes[1:], l.nodes)
	l.nodes[0] = l.newNode(v)
	l.count++
}

// PushTail appends v.
func (l *List) PushTail(v []byte) {
	last := len(l.nodes) - 1
	if last >= 0 && l.allows(&l.nodes[last], listpack.EncodedSize(v)) {
		l.update(last, listpack.Append(l.nodes[last].lp, v), 1)
		return
	}
	l.nodes = append(l.nodes, l.newNode(v))
	l.count++
}

// removeNode drops node i.
func (l *List) removeNode(i int) {
	l.mem -= int64(ds.AllocSize(cap(l.nodes[i].lp)))
	l.count -= l.nodes[i].n
	copy(l.nodes[i:], l.nodes[i+1:])
	l.nodes[len(l.nodes)-1] = qnode{}
	l.nodes = l.nodes[:len(l.nodes)-1]
	if cap(l.nodes) > 16 && len(l.nodes) < cap(l.nodes)/4 {
		l.nodes = append([]qnode(nil), l.nodes...)
	}
}

// deleteAt removes the entry at position p of node i and returns the
// position of the entry that followed it in the node (-1 if none).
func (l *List) deleteAt(i, p int) int {
	if l.nodes[i].n == 1 {
		l.removeNode(i)
		return -1
	}
	lp := listpack.Delete(l.nodes[i].lp, p)
	l.update(i, lp, -1)
	if lp[p] == 0xFF {
		return -1
	}
	return p
}

// PopHead removes the first element and appends it to buf.
func (l *List) PopHead(buf []byte) ([]byte, bool) {
	if l.count == 0 {
		return buf, false
	}
	lp := l.nodes[0].lp
	p := listpack.First(lp)
	var tmp [20]byte
	buf = append(buf, listpack.BytesAt(lp, p, tmp[:0])...)
	l.deleteAt(0, p)
	return buf, true
}

// PopTail removes the last element and appends it to buf.
func (l *List) PopTail(buf []byte) ([]byte, bool) {
	if l.count == 0 {
		return buf, false
	}
	i := len(l.nodes) - 1
	lp := l.nodes[i].lp
	p := listpack.Last(lp)
	var tmp [20]byte
	buf = append(buf, listpack.BytesAt(lp, p, tmp[:0])...)
	l.deleteAt(i, p)
	return buf, true
}

// locate finds element index (0-based from the head; must be in range):
// its node and position.
func (l *List) locate(index int) (int, int) {
	if index < l.count/2 {
		for i := range l.nodes {
			if index < l.nodes[i].n {
				return i, listpack.Seek(l.nodes[i].lp, index)
			}
			index -= l.nodes[i].n
		}
	}
	back := l.count - 1 - index
	for i := len(l.nodes) - 1; i >= 0; i-- {
		if back < l.nodes[i].n {
			return i, listpack.Seek(l.nodes[i].lp, -1-back)
		}
		back -= l.nodes[i].n
	}
	panic("list: index out of range")
}

// Index returns element index (negative from the tail) formatted into buf.
func (l *List) Index(index int, buf []byte) ([]byte, bool) {
	if index < 0 {
		index += l.count
	}
	if index < 0 || index >= l.count {
		return nil, false
	}
	i, p := l.locate(index)
	return listpack.BytesAt(l.nodes[i].lp, p, buf), true
}

// Set replaces element index (negative from the tail); false when out of
// range.
func (l *List) Set(index int, v []byte) bool {
	if index < 0 {
		index += l.count
	}
	if index < 0 || index >= l.count {
		return false
	}
	i, p := l.locate(index)
	l.update(i, listpack.Replace(l.nodes[i].lp, p, v), 0)
	return true
}

// Range calls fn for count elements from index start towards the tail
// (start must be in range). It is the fast path of LRANGE.
func (l *List) Range(start, count int, fn func(v Value)) {
	i, p := l.locate(start)
	for ; i < len(l.nodes) && count > 0; i++ {
		lp := l.nodes[i].lp
		if p < 0 {
			p = listpack.First(lp)
		}
		for p >= 0 && lp[p] != 0xFF && count > 0 {
			s, v, isInt, next := listpack.Entry(lp, p)
			fn(Value{S: s, N: v, IsInt: isInt})
			p = next
			count--
		}
		p = -1
	}
}

// ListIter walks a list in one direction.
type ListIter struct {
	l       *List
	node, p int
	forward bool
}

// Iter returns an iterator at element index (0-based from the head),
// moving towards the tail when forward.
func (l *List) Iter(index int, forward bool) ListIter {
	if index < 0 || index >= l.count {
		return ListIter{l: l, node: -1}
	}
	i, p := l.locate(index)
	return ListIter{l: l, node: i, p: p, forward: forward}
}

// Valid reports whether the iterator is on an element.
func (it *ListIter) Valid() bool { return it.node >= 0 && it.node < len(it.l.nodes) }

// Value returns the element; integers are formatted into buf.
func (it *ListIter) Value(buf []byte) []byte {
	return listpack.BytesAt(it.l.nodes[it.node].lp, it.p, buf)
}

// Equal reports whether the element equals v.
func (it *ListIter) Equal(v []byte) bool { return listpack.Equal(it.l.nodes[it.node].lp, it.p, v) }

// Next moves one element in the iterator's direction.
func (it *ListIter) Next() {
	lp := it.l.nodes[it.node].lp
	if it.forward {
		if it.p = listpack.Next(lp, it.p); it.p < 0 {
			it.node++
			if it.node < len(it.l.nodes) {
				it.p = listpack.First(it.l.nodes[it.node].lp)
			}
		}
		return
	}
	if it.p = listpack.Prev(lp, it.p); it.p < 0 {
		it.node--
		if it.node >= 0 {
			it.p = listpack.Last(it.l.nodes[it.node].lp)
		}
	}
}

// Delete removes the element at the iterator and moves to the next one.
func (it *ListIter) Delete() {
	l := it.l
	node := it.node
	single := l.nodes[node].n == 1
	p := l.deleteAt(node, it.p)
	switch {
	case it.forward && single:
		if it.node < len(l.nodes) {
			it.p = listpack.First(l.nodes[it.node].lp)
		}
	case it.forward:
		it.p = p
		if p < 0 {
			it.node++
			if it.node < len(l.nodes) {
				it.p = listpack.First(l.nodes[it.node].lp)
			}
		}
	case single:
		it.node--
		if it.node >= 0 {
			it.p = listpack.Last(l.nodes[it.node].lp)
		}
	default:
		lp := l.nodes[node].lp
		if p < 0 {
			it.p = listpack.Last(lp)
		} else {
			it.p = listpack.Prev(lp, p)
		}
		if it.p < 0 {
			it.node--
			if it.node >= 0 {
				it.p = listpack.Last(l.nodes[it.node].lp)
			}
		}
	}
}

// InsertAt inserts v next to the iterator's element: after it when after,
// else before it.
func (it *ListIter) InsertAt(v []byte, after bool) {
	l := it.l
	i := it.node
	nd := &l.nodes[i]
	sz := listpack.EncodedSize(v)
	q := it.p // insert before the entry at q (-1: at the end of the node)
	if after {
		q = listpack.Next(nd.lp, it.p)
	}
	if l.allows(nd, sz) {
		lp, _ := listpack.Insert(nd.lp, q, v)
		l.update(i, lp, 1)
		return
	}
	// The node is full. At its head or tail try the neighbour, else put v
	// in a node of its own; in the middle split the node there.
	switch {
	case q == listpack.First(nd.lp):
		if i > 0 && l.allows(&l.nodes[i-1], sz) {
			l.update(i-1, listpack.Append(l.nodes[i-1].lp, v), 1)
			return
		}
		l.insertNode(i, v)
	case q < 0:
		if i+1 < len(l.nodes) && l.allows(&l.nodes[i+1], sz) {
			l.update(i+1, listpack.Prepend(l.nodes[i+1].lp, v), 1)
			return
		}
		l.insertNode(i+1, v)
	default:
		l.splitNode(i, q)
		if l.allows(&l.nodes[i], sz) {
			l.update(i, listpack.Append(l.nodes[i].lp, v), 1)
		} else if l.allows(&l.nodes[i+1], sz) {
			l.update(i+1, listpack.Prepend(l.nodes[i+1].lp, v), 1)
		} else {
			l.insertNode(i+1, v)
		}
	}
}

// insertNode inserts a new node holding v at index i.
func (l *List) insertNode(i int, v []byte) {
	l.nodes = append(l.nodes, qnode{})
	copy(l.nodes[i+1:], l.nodes[i:])
	l.nodes[i] = l.newNode(v)
	l.count++
}

// splitNode moves the entries of node i from position p on (p is not the
// first entry) into a new node after it.
func (l *List) splitNode(i, p int) {
	if p < 0 {
		return
	}
	nd := &l.nodes[i]
	tail := nd.lp[p : len(nd.lp)-1]
	moved := 0
	for q := p; q >= 0; q = listpack.Next(nd.lp, q) {
		moved++
	}
	rlp := listpack.New(len(tail) + 7)
	rlp = rlp[:6+len(tail)+1]
	copy(rlp[6:], tail)
	rlp[len(rlp)-1] = 0xFF
	listpack.SetHeader(rlp, moved)
	l.mem += int64(ds.AllocSize(cap(rlp)))
	llp := listpack.DeleteRange(nd.lp, p, moved)
	l.update(i, llp, -moved)
	l.nodes = append(l.nodes, qnode{})
	copy(l.nodes[i+2:], l.nodes[i+1:])
	l.nodes[i+1] = qnode{lp: rlp, n: moved}
	l.count += moved
}

// DeleteRange removes count elements starting at index start.
func (l *List) DeleteRange(start, count int) {
	if count <= 0 {
		return
	}
	i := 0
	for start >= l.nodes[i].n {
		start -= l.nodes[i].n
		i++
	}
	for count > 0 && i < len(l.nodes) {
		nd := &l.nodes[i]
		if start == 0 && count >= nd.n {
			count -= nd.n
			l.removeNode(i)
			continue
		}
		k := min(count, nd.n-start)
		lp := listpack.DeleteRange(nd.lp, listpack.Seek(nd.lp, start), k)
		l.update(i, lp, -k)
		count -= k
		start = 0
		i++
	}
}
