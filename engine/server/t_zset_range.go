package server

import (
	"bytes"

	"github.com/redisctl/redisctl/engine/types"
)

// Score and lex ranges of the sorted set commands (zslParseRange,
// zslParseLexRange) and the walks Redis does over them.

// scoreRange is a parsed score interval (zrangespec).
type scoreRange struct {
	min, max     float64
	minex, maxex bool
}

func (r *scoreRange) gteMin(v float64) bool {
	if r.minex {
		return v > r.min
	}
	return v >= r.min
}

func (r *scoreRange) lteMax(v float64) bool {
	if r.maxex {
		return v < r.max
	}
	return v <= r.max
}

func (r *scoreRange) empty() bool {
	return r.min > r.max || (r.min == r.max && (r.minex || r.maxex))
}

func parseRangeItem(b []byte) (float64, bool, bool) {
	ex := false
	if len(b) > 0 && b[0] == '(' {
		ex = true
		b = b[1:]
	}
	f, ok := parseStrtodLax(b)
	return f, ex, ok
}

// parseScoreRange parses min and max (zslParseRange).
func parseScoreRange(min, max []byte) (scoreRange, bool) {
	var r scoreRange
	var ok1, ok2 bool
	r.min, r.minex, ok1 = parseRangeItem(min)
	r.max, r.maxex, ok2 = parseRangeItem(max)
	return r, ok1 && ok2
}

// lexBound is one end of a lex range: "-" (inf < 0), "+" (inf > 0) or a
// string, inclusive or not.
type lexBound struct {
	s   []byte
	inf int
	ex  bool
}

// lexRange is a parsed lex interval (zlexrangespec).
type lexRange struct{ min, max lexBound }

func parseLexItem(b []byte) (lexBound, bool) {
	if len(b) == 0 {
		return lexBound{}, false
	}
	switch b[0] {
	case '+':
		return lexBound{inf: 1, ex: true}, len(b) == 1
	case '-':
		return lexBound{inf: -1, ex: true}, len(b) == 1
	case '(':
		return lexBound{s: b[1:], ex: true}, true
	case '[':
		return lexBound{s: b[1:]}, true
	}
	return lexBound{}, false
}

func parseLexRange(min, max []byte) (lexRange, bool) {
	a, ok1 := parseLexItem(min)
	b, ok2 := parseLexItem(max)
	return lexRange{a, b}, ok1 && ok2
}

// cmpLex compares a member with a bound (sdscmplex).
func cmpLex(m []byte, b *lexBound) int {
	if b.inf != 0 {
		return -b.inf
	}
	return bytes.Compare(m, b.s)
}

func cmpBounds(a, b *lexBound) int {
	switch {
	case a.inf == b.inf && a.inf != 0:
		return 0
	case a.inf != 0:
		return a.inf
	case b.inf != 0:
		return -b.inf
	}
	return bytes.Compare(a.s, b.s)
}

func (r *lexRange) gteMin(m []byte) bool {
	if r.min.ex {
		return cmpLex(m, &r.min) > 0
	}
	return cmpLex(m, &r.min) >= 0
}

func (r *lexRange) lteMax(m []byte) bool {
	if r.max.ex {
		return cmpLex(m, &r.max) < 0
	}
	return cmpLex(m, &r.max) <= 0
}

func (r *lexRange) empty() bool {
	cmp := cmpBounds(&r.min, &r.max)
	return cmp > 0 || (cmp == 0 && (r.min.ex || r.max.ex))
}

// zRange is a score or lex range (zrangespec, zlexrangespec).
type zRange interface {
	gte(m []byte, s float64) bool // at or past the start
	lte(m []byte, s float64) bool // at or before the end
	isEmpty() bool
}

func (r *scoreRange) gte(_ []byte, s float64) bool { return r.gteMin(s) }
func (r *scoreRange) lte(_ []byte, s float64) bool { return r.lteMax(s) }
func (r *scoreRange) isEmpty() bool                { return r.empty() }
func (r *lexRange) gte(m []byte, _ float64) bool   { return r.gteMin(m) }
func (r *lexRange) lte(m []byte, _ float64) bool   { return r.lteMax(m) }
func (r *lexRange) isEmpty() bool                  { return r.empty() }

func zIterIn(it *types.ZIter, fn func([]byte, float64) bool) bool {
	var buf [20]byte
	return fn(it.Member(buf[:0]), it.Score())
}

// zInRange is Redis's zzlIsInRange / zslIsInRange: the range is not empty,
// the last element is past its start and the first before its end.
func zInRange(z types.ZSet, r zRange) bool {
	if r.isEmpty() {
		return false
	}
	last := z.At(z.Len() - 1)
	if !last.Valid() || !zIterIn(&last, r.gte) {
		return false
	}
	first := z.At(0)
	return zIterIn(&first, r.lte)
}

// zFirstInRange returns the first element in r and its rank.
func zFirstInRange(z types.ZSet, r zRange) (types.ZIter, int, bool) {
	if !zInRange(z, r) {
		return types.ZIter{}, 0, false
	}
	it, rank := z.Seek(r.gte)
	if !it.Valid() || !zIterIn(&it, r.lte) {
		return it, 0, false
	}
	return it, rank, true
}

// zLastInRange returns the last element in r and its rank.
func zLastInRange(z types.ZSet, r zRange) (types.ZIter, int, bool) {
	if !zInRange(z, r) {
		return types.ZIter{}, 0, false
	}
	it, rank := z.SeekLast(r.lte)
	if !it.Valid() || !zIterIn(&it, r.gte) {
		return it, 0, false
	}
	return it, rank, true
}

// zRangeCount counts the elements of r: by ranks in a skiplist, by a walk
// in a listpack (as Redis does; they differ only for lex ranges over mixed
// scores).
func zRangeCount(z types.ZSet, r zRange) (first, n int) {
	it, rank, ok := zFirstInRange(z, r)
	if !ok {
		return 0, 0
	}
	if !z.Compact() {
		_, last, _ := zLastInRange(z, r)
		return rank, last - rank + 1
	}
	for ; it.Valid() && zIterIn(&it, r.lte); it.Next() {
		n++
	}
	return rank, n
}
