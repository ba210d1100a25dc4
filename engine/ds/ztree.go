package ds

import (
	"bytes"
	"unsafe"
)

// ZTree keeps sorted set blobs ordered by (score, member) — Redis's
// skiplist order — with subtree counts for O(log n) ranks. It is a B+tree:
// leaves hold up to leafCap blob pointers and are linked for iteration;
// inner nodes hold their children, each child's element count and a lower
// bound for each child but the first.
//
// A lower bound is a blob pointer that was the child's first element when
// it was set. It may outlive the element, so blobs in a tree must never
// change: a new score means a new blob.
//
// Leaves and inner nodes keep their elements' and bounds' scores in arrays
// beside the pointers, so a descent by (score, member) compares scores in
// the node and reads a blob only on equal scores: in a large set the blobs
// are scattered over the heap and each read is a cache miss (with scores
// only in the blobs, they were a quarter of ZADD's CPU on a 100k set).
type ZTree struct {
	root *ztNode
	n    int
	head *ztNode // first leaf
	tail *ztNode // last leaf
	mem  int     // bytes of nodes
}

const (
	leafCap  = 64
	innerCap = 64
)

type ztNode struct {
	leaf bool
	// leaves
	items      []unsafe.Pointer
	scores     []float64 // ZScore of each item
	prev, next *ztNode
	// inner nodes
	kids      []*ztNode
	lows      []unsafe.Pointer
	lowScores []float64 // ZScore of each lower bound
	counts    []int
}

var (
	leafBytes  = AllocSize(int(unsafe.Sizeof(ztNode{}))) + 2*AllocSize(leafCap*8)
	innerBytes = AllocSize(int(unsafe.Sizeof(ztNode{}))) + 4*AllocSize(innerCap*8)
)

// NewZTree returns an empty tree.
func NewZTree() *ZTree {
	l := newLeaf()
	return &ZTree{root: l, head: l, tail: l, mem: leafBytes}
}

func newLeaf() *ztNode {
	return &ztNode{leaf: true, items: make([]unsafe.Pointer, 0, leafCap), scores: make([]float64, 0, leafCap)}
}

func newInner() *ztNode {
	return &ztNode{
		kids:      make([]*ztNode, 0, innerCap),
		lows:      make([]unsafe.Pointer, 0, innerCap),
		lowScores: make([]float64, 0, innerCap),
		counts:    make([]int, 0, innerCap),
	}
}

// Len returns the number of elements.
func (t *ZTree) Len() int { return t.n }

// NodeBytes is the memory taken by the tree's nodes.
func (t *ZTree) NodeBytes() int64 { return int64(t.mem) }

// ZLess orders sorted set blobs: by score, then member bytes.
func ZLess(a, b unsafe.Pointer) bool {
	sa, sb := ZScore(a), ZScore(b)
	if sa != sb {
		return sa < sb
	}
	return bytes.Compare(ZMember(a), ZMember(b)) < 0
}

// ZCompare orders (score, member) against blob b.
func ZCompare(score float64, member []byte, b unsafe.Pointer) int {
	sb := ZScore(b)
	switch {
	case score < sb:
		return -1
	case score > sb:
		return 1
	}
	return bytes.Compare(member, ZMember(b))
}

// zkey is a position in the tree's order: (score, member), and the
// member's blob when it is known to be in the tree (then an element that
// is that blob compares equal without reading its member).
type zkey struct {
	score  float64
	member []byte
	blob   unsafe.Pointer
}

// after reports whether the element (s, p) orders before k.
func (k *zkey) after(s float64, p unsafe.Pointer) bool {
	if s != k.score {
		return s < k.score
	}
	return p != k.blob && bytes.Compare(ZMember(p), k.member) < 0
}

// is reports whether the element (s, p) is k.
func (k *zkey) is(s float64, p unsafe.Pointer) bool {
	if k.blob != nil {
		return p == k.blob
	}
	return s == k.score && bytes.Equal(ZMember(p), k.member)
}

// leafIndex returns the index of the first element of leaf n not before k.
func (n *ztNode) leafIndex(k *zkey) int {
	lo, hi := 0, len(n.items)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if k.after(n.scores[m], n.items[m]) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// childIndex returns the child of inner node n that holds the first
// element not before k: the last one whose lower bound is before it, or
// the first child.
func (n *ztNode) childIndex(k *zkey) int {
	lo, hi := 1, len(n.kids)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if k.after(n.lowScores[m], n.lows[m]) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo - 1
}

func (n *ztNode) size() int {
	if n.leaf {
		return len(n.items)
	}
	s := 0
	for _, c := range n.counts {
		s += c
	}
	return s
}

// childFor returns the child of inner node n that holds the first element
// satisfying the monotone predicate pred (false for a prefix of the order,
// true after).
func (n *ztNode) childFor(pred func(p unsafe.Pointer) bool) int {
	lo, hi := 1, len(n.kids)-1
	j := 0
	for lo <= hi {
		m := (lo + hi) / 2
		if pred(n.lows[m]) {
			hi = m - 1
		} else {
			j = m
			lo = m + 1
		}
	}
	return j
}

func leafSearch(items []unsafe.Pointer, pred func(p unsafe.Pointer) bool) int {
	lo, hi := 0, len(items)
	for lo < hi {
		m := (lo + hi) / 2
		if pred(items[m]) {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return lo
}

// Iter is a position in a tree: a leaf and an index in it. It is valid
// until the tree changes.
type Iter struct {
	leaf *ztNode
	i    int
}

// Valid reports whether the iterator is on an element.
func (it Iter) Valid() bool { return it.leaf != nil && it.i >= 0 && it.i < len(it.leaf.items) }

// Blob returns the element at the iterator.
func (it Iter) Blob() unsafe.Pointer { return it.leaf.items[it.i] }

// Next moves to the following element.
func (it *Iter) Next() {
	it.i++
	for it.leaf != nil && it.i >= len(it.leaf.items) {
		it.leaf = it.leaf.next
		it.i = 0
	}
}

// Prev moves to the preceding element.
func (it *Iter) Prev() {
	it.i--
	for it.leaf != nil && it.i < 0 {
		it.leaf = it.leaf.prev
		if it.leaf != nil {
			it.i = len(it.leaf.items) - 1
		}
	}
}

// Seek returns an iterator at the first element satisfying the monotone
// predicate pred, and its rank; the iterator is invalid (rank == Len) when
// no element does.
func (t *ZTree) Seek(pred func(p unsafe.Pointer) bool) (Iter, int) {
	n, rank := t.root, 0
	for !n.leaf {
		j := n.childFor(pred)
		for k := 0; k < j; k++ {
			rank += n.counts[k]
		}
		n = n.kids[j]
	}
	i := leafSearch(n.items, pred)
	it := Iter{leaf: n, i: i}
	if i >= len(n.items) {
		it.i--
		it.Next()
	}
	return it, rank + i
}

// SeekLast returns an iterator at the last element not satisfying pred
// (the one before Seek's), and its rank (-1 when there is none).
func (t *ZTree) SeekLast(pred func(p unsafe.Pointer) bool) (Iter, int) {
	it, rank := t.Seek(pred)
	if !it.Valid() {
		return t.Last(), t.n - 1
	}
	it.Prev()
	return it, rank - 1
}

// First returns an iterator at the smallest element.
func (t *ZTree) First() Iter {
	it := Iter{leaf: t.head, i: 0}
	if len(t.head.items) == 0 {
		it.i--
		it.Next()
	}
	return it
}

// Last returns an iterator at the largest element.
func (t *ZTree) Last() Iter {
	it := Iter{leaf: t.tail, i: len(t.tail.items) - 1}
	if it.i < 0 {
		it.Prev()
	}
	return it
}

// ByRank returns an iterator at the element of 0-based rank r.
func (t *ZTree) ByRank(r int) Iter {
	if r < 0 || r >= t.n {
		return Iter{}
	}
	n := t.root
	for !n.leaf {
		j := 0
		for r >= n.counts[j] {
			r -= n.counts[j]
			j++
		}
		n = n.kids[j]
	}
	return Iter{leaf: n, i: r}
}

// Rank returns the 0-based rank of the element (score, member), or -1.
func (t *ZTree) Rank(score float64, member []byte) int {
	k := zkey{score: score, member: member}
	n, rank := t.root, 0
	for !n.leaf {
		j := n.childIndex(&k)
		for k := 0; k < j; k++ {
			rank += n.counts[k]
		}
		n = n.kids[j]
	}
	it := Iter{leaf: n, i: n.leafIndex(&k)}
	rank += it.i
	if it.i >= len(n.items) {
		it.i--
		it.Next()
	}
	if !it.Valid() || ZCompare(score, member, it.Blob()) != 0 {
		return -1
	}
	return rank
}

// Insert adds blob p, which must not be in the tree.
func (t *ZTree) Insert(p unsafe.Pointer) {
	right, low := t.insert(t.root, p, &zkey{score: ZScore(p), member: ZMember(p)})
	t.n++
	if right != nil {
		root := newInner()
		t.mem += innerBytes
		root.kids = append(root.kids, t.root, right)
		root.lows = append(root.lows, nil, low)
		root.lowScores = append(root.lowScores, 0, ZScore(low))
		root.counts = append(root.counts, t.root.size(), right.size())
		t.root = root
	}
}

// insert adds p, the blob of k, under n; when n splits it returns the new
// right sibling and its lower bound.
func (t *ZTree) insert(n *ztNode, p unsafe.Pointer, k *zkey) (*ztNode, unsafe.Pointer) {
	if n.leaf {
		i := n.leafIndex(k)
		n.items = insertAt(n.items, i, p)
		n.scores = insertAt(n.scores, i, k.score)
		if len(n.items) < leafCap {
			return nil, nil
		}
		return t.splitLeaf(n)
	}
	j := n.childIndex(k)
	right, low := t.insert(n.kids[j], p, k)
	n.counts[j]++
	if right == nil {
		return nil, nil
	}
	left := n.kids[j]
	n.kids = insertAt(n.kids, j+1, right)
	n.lows = insertAt(n.lows, j+1, low)
	n.lowScores = insertAt(n.lowScores, j+1, ZScore(low))
	n.counts[j] = left.size()
	n.counts = insertAt(n.counts, j+1, right.size())
	if len(n.kids) < innerCap {
		return nil, nil
	}
	return t.splitInner(n)
}

func insertAt[T any](s []T, i int, v T) []T {
	s = append(s, v)
	copy(s[i+1:], s[i:])
	s[i] = v
	return s
}

func removeAt[T any](s []T, i int) []T {
	copy(s[i:], s[i+1:])
	var zero T
	s[len(s)-1] = zero
	return s[:len(s)-1]
}

func (t *ZTree) splitLeaf(n *ztNode) (*ztNode, unsafe.Pointer) {
	r := newLeaf()
	t.mem += leafBytes
	half := len(n.items) / 2
	r.items = append(r.items, n.items[half:]...)
	r.scores = append(r.scores, n.scores[half:]...)
	clear(n.items[half:])
	n.items, n.scores = n.items[:half], n.scores[:half]
	r.next, r.prev = n.next, n
	if n.next != nil {
		n.next.prev = r
	} else {
		t.tail = r
	}
	n.next = r
	return r, r.items[0]
}

func (t *ZTree) splitInner(n *ztNode) (*ztNode, unsafe.Pointer) {
	r := newInner()
	t.mem += innerBytes
	half := len(n.kids) / 2
	low := n.lows[half]
	r.kids = append(r.kids, n.kids[half:]...)
	r.lows = append(r.lows, n.lows[half:]...)
	r.lows[0] = nil
	r.lowScores = append(r.lowScores, n.lowScores[half:]...)
	r.lowScores[0] = 0
	r.counts = append(r.counts, n.counts[half:]...)
	clear(n.kids[half:])
	clear(n.lows[half:])
	n.kids, n.lows, n.counts = n.kids[:half], n.lows[:half], n.counts[:half]
	n.lowScores = n.lowScores[:half]
	return r, low
}

// Delete removes the element equal to (score, member) and returns its
// blob, or nil.
func (t *ZTree) Delete(score float64, member []byte) unsafe.Pointer {
	return t.remove(&zkey{score: score, member: member})
}

// Remove removes blob p, which is in the tree, faster than Delete: the
// descent recognizes p without reading its neighbours' members.
func (t *ZTree) Remove(p unsafe.Pointer) {
	if t.remove(&zkey{score: ZScore(p), member: ZMember(p), blob: p}) == nil {
		panic("ds: ZTree.Remove of a blob not in the tree")
	}
}

func (t *ZTree) remove(k *zkey) unsafe.Pointer {
	p := t.delete(t.root, k)
	if p == nil {
		return nil
	}
	t.n--
	for !t.root.leaf && len(t.root.kids) == 1 {
		t.root = t.root.kids[0]
		t.mem -= innerBytes
	}
	return p
}

func (t *ZTree) delete(n *ztNode, k *zkey) unsafe.Pointer {
	if n.leaf {
		i := n.leafIndex(k)
		if i >= len(n.items) || !k.is(n.scores[i], n.items[i]) {
			return nil
		}
		p := n.items[i]
		n.items = removeAt(n.items, i)
		n.scores = removeAt(n.scores, i)
		return p
	}
	j := n.childIndex(k)
	p := t.delete(n.kids[j], k)
	if p == nil && j+1 < len(n.kids) {
		// The element can sit first in the next child when the bound
		// before it is a stale copy of an equal element.
		j++
		p = t.delete(n.kids[j], k)
	}
	if p == nil {
		return nil
	}
	n.counts[j]--
	t.rebalance(n, j)
	return p
}

// rebalance removes child j of n when it is empty and merges it with a
// neighbour when both are small, so deletions never leave a sparse tree.
func (t *ZTree) rebalance(n *ztNode, j int) {
	if n.counts[j] == 0 && len(n.kids) > 1 {
		t.removeChild(n, j)
		return
	}
	if j+1 < len(n.kids) {
		t.tryMerge(n, j)
	} else if j > 0 {
		t.tryMerge(n, j-1)
	}
}

func (t *ZTree) removeChild(n *ztNode, j int) {
	c := n.kids[j]
	if c.leaf {
		if c.prev != nil {
			c.prev.next = c.next
		} else {
			t.head = c.next
		}
		if c.next != nil {
			c.next.prev = c.prev
		} else {
			t.tail = c.prev
		}
		t.mem -= leafBytes
	} else {
		t.mem -= innerBytes
	}
	n.kids = removeAt(n.kids, j)
	n.lows = removeAt(n.lows, j)
	n.lowScores = removeAt(n.lowScores, j)
	n.counts = removeAt(n.counts, j)
	if len(n.lows) > 0 {
		n.lows[0], n.lowScores[0] = nil, 0
	}
}

// tryMerge merges children j and j+1 of n when they fit in half a node.
func (t *ZTree) tryMerge(n *ztNode, j int) {
	a, b := n.kids[j], n.kids[j+1]
	if a.leaf {
		if len(a.items)+len(b.items) > leafCap/2 {
			return
		}
		a.items = append(a.items, b.items...)
		a.scores = append(a.scores, b.scores...)
		clear(b.items)
		b.items, b.scores = b.items[:0], b.scores[:0]
	} else {
		if len(a.kids)+len(b.kids) > innerCap/2 {
			return
		}
		a.kids = append(a.kids, b.kids...)
		lows, lowScores := b.lows, b.lowScores
		lows[0], lowScores[0] = n.lows[j+1], n.lowScores[j+1]
		a.lows = append(a.lows, lows...)
		a.lowScores = append(a.lowScores, lowScores...)
		a.counts = append(a.counts, b.counts...)
		b.kids, b.lows, b.counts = b.kids[:0], b.lows[:0], b.counts[:0]
		b.lowScores = b.lowScores[:0]
	}
	n.counts[j] += n.counts[j+1]
	n.counts[j+1] = 0
	t.removeChild(n, j+1)
}
