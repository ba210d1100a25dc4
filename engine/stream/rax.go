package stream

import "encoding/binary"

// RaxNodes returns the number of nodes Redis's radix tree would have for
// this stream's node keys (XINFO STREAM's radix-tree-nodes). The engine
// indexes nodes with a sorted slice; Redis keys them in a rax by the
// 16-byte big-endian master ID, whose node count is that of a compressed
// trie: one node per chain of single-child bytes, one per branching
// point, one per leaf.
func (s *Stream) RaxNodes() int {
	if len(s.nodes) == 0 {
		return 1
	}
	keys := make([][16]byte, len(s.nodes))
	for i, n := range s.nodes {
		binary.BigEndian.PutUint64(keys[i][:8], n.master.Ms)
		binary.BigEndian.PutUint64(keys[i][8:], n.master.Seq)
	}
	return raxCount(keys, 0)
}

// raxCount counts the nodes of the subtree for keys (sorted, sharing
// their first depth bytes) rooted at depth.
func raxCount(keys [][16]byte, depth int) int {
	if depth == 16 {
		return 1
	}
	first, last := keys[0], keys[len(keys)-1]
	l := depth
	for l < 16 && first[l] == last[l] {
		l++
	}
	if l > depth {
		return 1 + raxCount(keys, l)
	}
	n := 1
	for i := 0; i < len(keys); {
		j := i + 1
		for j < len(keys) && keys[j][depth] == keys[i][depth] {
			j++
		}
		n += raxCount(keys[i:j], depth+1)
		i = j
	}
	return n
}
