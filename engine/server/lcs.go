package server

import "github.com/redisctl/redisctl/engine/keyspace"

// LCS: the longest common subsequence of two strings, by dynamic
// programming, with the matched ranges reported the way Redis walks the
// table back (from the ends of both strings, preferring to drop a byte of
// the first string when that keeps the longer subsequence).

func lcsCommand(c *Client) {
	ea := c.db.Lookup(c.argv[1], c.now, 0)
	eb := c.db.Lookup(c.argv[2], c.now, 0)
	if (ea.Exists() && ea.Type() != keyspace.TypeString) || (eb.Exists() && eb.Type() != keyspace.TypeString) {
		c.addError("ERR The specified keys must contain string values")
		return
	}
	var a, b []byte
	if ea.Exists() {
		a = append([]byte(nil), ea.Bytes(nil)...)
	}
	if eb.Exists() {
		b = append([]byte(nil), eb.Bytes(nil)...)
	}
	getLen, getIdx, withLen := false, false, false
	minLen := int64(0)
	for j := 3; j < len(c.argv); j++ {
		opt := c.argv[j]
		switch {
		case argIs(opt, "idx"):
			getIdx = true
		case argIs(opt, "len"):
			getLen = true
		case argIs(opt, "withmatchlen"):
			withLen = true
		case argIs(opt, "minmatchlen") && j+1 < len(c.argv):
			n, ok := c.argInt(j + 1)
			if !ok {
				return
			}
			minLen = max(n, 0)
			j++
		default:
			c.addError(errSyntax)
			return
		}
	}
	if getIdx && getLen {
		c.addError("ERR If you want both the length and indexes, please just use IDX.")
		return
	}
	cells := int64(len(a)+1) * int64(len(b)+1) * 4
	if cells > c.srv.protoMaxBulk.Load() {
		c.addError("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len")
		return
	}
	w := len(b) + 1
	table := make([]uint32, (len(a)+1)*w)
	at := func(i, j int) uint32 { return table[i*w+j] }
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			if a[i-1] == b[j-1] {
				table[i*w+j] = at(i-1, j-1) + 1
			} else {
				table[i*w+j] = max(at(i-1, j), at(i, j-1))
			}
		}
	}
	total := int(at(len(a), len(b)))
	if getLen {
		c.addInt(int64(total))
		return
	}
	result := make([]byte, total)
	var matches [][5]int64 // aStart, aEnd, bStart, bEnd, length
	idx := total
	const unset = -1
	aStart, aEnd, bStart, bEnd := unset, 0, 0, 0
	for i, j := len(a), len(b); i > 0 && j > 0; {
		emit := false
		if a[i-1] == b[j-1] {
			result[idx-1] = a[i-1]
			if aStart == unset {
				aStart, aEnd, bStart, bEnd = i-1, i-1, j-1, j-1
			} else if aStart == i && bStart == j {
				aStart--
				bStart--
			} else {
				emit = true
			}
			if aStart == 0 || bStart == 0 {
				emit = true
			}
			idx--
			i--
			j--
		} else {
			if at(i-1, j) > at(i, j-1) {
				i--
			} else {
				j--
			}
			if aStart != unset {
				emit = true
			}
		}
		if emit {
			n := int64(aEnd - aStart + 1)
			if minLen == 0 || n >= minLen {
				matches = append(matches, [5]int64{int64(aStart), int64(aEnd), int64(bStart), int64(bEnd), n})
			}
			aStart = unset
		}
	}
	if !getIdx {
		c.addBulk(result)
		return
	}
	c.addMapLen(2)
	c.addBulkStr("matches")
	c.addArrayLen(len(matches))
	for _, m := range matches {
		if withLen {
			c.addArrayLen(3)
		} else {
			c.addArrayLen(2)
		}
		c.addArrayLen(2)
		c.addInt(m[0])
		c.addInt(m[1])
		c.addArrayLen(2)
		c.addInt(m[2])
		c.addInt(m[3])
		if withLen {
			c.addInt(m[4])
		}
	}
	c.addBulkStr("len")
	c.addInt(int64(total))
}
