package server

import (
	"bytes"
	"math"
	"sort"

	"github.com/redisctl/redisctl/engine/config"
	"github.com/redisctl/redisctl/engine/keyspace"
	"github.com/redisctl/redisctl/engine/types"
)

// SORT and SORT_RO (Redis's sort.c). BY and GET read keys named by the
// data and STORE can appear anywhere, so the commands run exclusive.

func sortCommands() []*Command {
	return withArgs([]*Command{
		{Name: "sort", Arity: -2, Flags: "write denyoom movablekeys exclusive", ACL: "@write @set @sortedset @list @slow @dangerous",
			Keys: []KeySpec{{Flags: "RO access", Index: 1, KeyStep: 1}, {Flags: "RO access", Notes: "For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort", Unknown: true}, {Flags: "OW update", Notes: "For the optional STORE keyword. It is marked 'unknown' because the keyword can appear anywhere in the argument array", Unknown: true}}, Handler: sortCommand,
			Group: "generic", Since: "1.0.0", Summary: "Sort the elements in a list, set or sorted set", Complexity: "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N)."},
		{Name: "sort_ro", Arity: -2, Flags: "readonly movablekeys exclusive", ACL: "@read @set @sortedset @list @slow @dangerous",
			Keys: []KeySpec{{Flags: "RO access", Index: 1, KeyStep: 1}, {Flags: "RO access", Notes: "For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort", Unknown: true}}, Handler: sortroCommand,
			Group: "generic", Since: "7.0.0", Summary: "Sort the elements in a list, set or sorted set. Read-only variant of SORT.", Complexity: "O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N)."},
	})
}

func sortCommand(c *Client)   { c.sortGeneric(false) }
func sortroCommand(c *Client) { c.sortGeneric(true) }

type sortItem struct {
	obj   []byte
	score float64
	cmp   []byte // BY value for ALPHA sorting (nil: missing)
	hasBy bool
}

// sortLookup is lookupKeyByPattern: "#" is the element itself; otherwise
// the first '*' is replaced by the element and "->field" reads a hash
// field. It returns nil when there is nothing there.
func (c *Client) sortLookup(pattern, subst []byte) ([]byte, bool) {
	if len(pattern) == 1 && pattern[0] == '#' {
		return subst, true
	}
	p := bytes.IndexByte(pattern, '*')
	if p < 0 {
		return nil, false
	}
	keyEnd := len(pattern)
	var field []byte
	if f := bytes.Index(pattern[p+1:], []byte("->")); f >= 0 && p+1+f+2 < len(pattern) {
		keyEnd = p + 1 + f
		field = pattern[keyEnd+2:]
	}
	key := make([]byte, 0, keyEnd-1+len(subst))
	key = append(key, pattern[:p]...)
	key = append(key, subst...)
	key = append(key, pattern[p+1:keyEnd]...)
	e := c.db.Lookup(key, c.now, 0)
	if !e.Exists() {
		return nil, false
	}
	if field != nil {
		if e.Type() != keyspace.TypeHash {
			return nil, false
		}
		v, ok := e.Object().(types.Hash).Get(field)
		if !ok {
			return nil, false
		}
		return append([]byte(nil), v.Bytes(nil)...), true
	}
	if e.Type() != keyspace.TypeString {
		return nil, false
	}
	return append([]byte(nil), e.Bytes(nil)...), true
}

// parseSortScore parses a sort weight like Redis's strtod check: leading
// spaces and "" allowed, no trailing garbage, no range errors, no NaN.
func parseSortScore(b []byte) (float64, bool) {
	f, ok := parseStrtodLax(b)
	if !ok || math.IsInf(f, 0) && !bytes.Contains(bytes.ToLower(b), []byte("inf")) {
		return 0, false
	}
	if f == 0 && hasNonZeroMantissa(string(bytes.TrimSpace(b))) {
		return 0, false
	}
	return f, true
}

func (c *Client) sortGeneric(readonly bool) {
	desc, alpha, dontSort := false, false, false
	limitStart, limitCount := int64(0), int64(-1)
	var sortBy, storeKey []byte
	var gets [][]byte
	for j := 2; j < len(c.argv); j++ {
		left := len(c.argv) - j - 1
		a := c.argv[j]
		switch {
		case argIs(a, "asc"):
			desc = false
		case argIs(a, "desc"):
			desc = true
		case argIs(a, "alpha"):
			alpha = true
		case argIs(a, "limit") && left >= 2:
			var ok bool
			if limitStart, ok = c.argInt(j + 1); !ok {
				return
			}
			if limitCount, ok = c.argInt(j + 2); !ok {
				return
			}
			j += 2
		case !readonly && argIs(a, "store") && left >= 1:
			storeKey = c.argv[j+1]
			j++
		case argIs(a, "by") && left >= 1:
			sortBy = c.argv[j+1]
			if bytes.IndexByte(sortBy, '*') < 0 {
				dontSort = true
			}
			j++
		case argIs(a, "get") && left >= 1:
			gets = append(gets, c.argv[j+1])
			j++
		default:
			c.addError(errSyntax)
			return
		}
	}
	e := c.db.Lookup(c.argv[1], c.now, 0)
	var typ keyspace.Type
	if e.Exists() {
		typ = e.Type()
		if typ != keyspace.TypeSet && typ != keyspace.TypeList && typ != keyspace.TypeZSet {
			c.addError(errWrongType)
			return
		}
	}
	if dontSort && typ == keyspace.TypeSet && storeKey != nil {
		// A set's order is arbitrary: make what is stored deterministic.
		dontSort, alpha, sortBy = false, true, nil
	}
	var z types.ZSet
	if typ == keyspace.TypeZSet {
		// Redis converts a sorted set to the skiplist encoding for SORT.
		z = e.Object().(types.ZSet)
		if z.Compact() {
			c.db.Mutate(e)
			z = types.ConvertZSet(z, false)
			c.db.ReplaceObject(e, z)
		}
	}
	vectorLen := 0
	switch typ {
	case keyspace.TypeList:
		vectorLen = e.Object().(*types.List).Len()
	case keyspace.TypeSet:
		vectorLen = e.Object().(types.Set).Len()
	case keyspace.TypeZSet:
		vectorLen = z.Len()
	}
	start := max(limitStart, 0)
	end := int64(vectorLen) - 1
	if limitCount >= 0 {
		end = start + limitCount - 1
	}
	if start >= int64(vectorLen) {
		start, end = int64(vectorLen)-1, int64(vectorLen)-2
	}
	if end >= int64(vectorLen) {
		end = int64(vectorLen) - 1
	}
	var items []sortItem
	var buf [20]byte
	switch {
	case typ == keyspace.TypeList && dontSort:
		if end >= start {
			l := e.Object().(*types.List)
			idx, n := int(start), int(end-start+1)
			if desc {
				idx = l.Len() - int(start) - 1
			}
			for it := l.Iter(idx, !desc); it.Valid() && len(items) < n; it.Next() {
				items = append(items, sortItem{obj: append([]byte(nil), it.Value(buf[:0])...)})
			}
			end -= start
			start = 0
		}
	case typ == keyspace.TypeList:
		l := e.Object().(*types.List)
		for it := l.Iter(0, true); it.Valid(); it.Next() {
			items = append(items, sortItem{obj: append([]byte(nil), it.Value(buf[:0])...)})
		}
	case typ == keyspace.TypeSet:
		e.Object().(types.Set).Each(func(m []byte) bool {
			items = append(items, sortItem{obj: append([]byte(nil), m...)})
			return true
		})
	case typ == keyspace.TypeZSet && dontSort:
		if end >= start {
			n := int(end - start + 1)
			var it types.ZIter
			if desc {
				it = z.At(z.Len() - 1 - int(start))
			} else {
				it = z.At(int(start))
			}
			for it.Valid() && len(items) < n {
				items = append(items, sortItem{obj: append([]byte(nil), it.Member(buf[:0])...)})
				if desc {
					it.Prev()
				} else {
					it.Next()
				}
			}
		}
		end -= start
		start = 0
	case typ == keyspace.TypeZSet:
		for it := z.At(0); it.Valid(); it.Next() {
			items = append(items, sortItem{obj: append([]byte(nil), it.Member(buf[:0])...)})
		}
	}
	convErr := false
	if !dontSort {
		for i := range items {
			byVal := items[i].obj
			if sortBy != nil {
				v, ok := c.sortLookup(sortBy, items[i].obj)
				if !ok {
					continue
				}
				byVal = v
			}
			if alpha {
				if sortBy != nil {
					items[i].cmp, items[i].hasBy = byVal, true
				}
				continue
			}
			f, ok := parseSortScore(byVal)
			if !ok {
				convErr = true
			}
			items[i].score = f
		}
		byPattern := sortBy != nil
		sort.SliceStable(items, func(a, b int) bool {
			cmp := sortCompare(&items[a], &items[b], alpha, byPattern)
			if desc {
				cmp = -cmp
			}
			return cmp < 0
		})
	}
	outLen := 0
	if end >= start {
		outLen = int(end - start + 1)
	}
	if len(gets) > 0 {
		outLen *= len(gets)
	}
	switch {
	case convErr:
		c.addError("ERR One or more scores can't be converted into double")
	case storeKey == nil:
		c.addArrayLen(outLen)
		for j := start; j <= end; j++ {
			if len(gets) == 0 {
				c.addBulk(items[j].obj)
			}
			for _, g := range gets {
				if v, ok := c.sortLookup(g, items[j].obj); ok {
					c.addBulk(v)
				} else {
					c.addNull()
				}
			}
		}
	default:
		l := types.NewList(c.limits())
		for j := start; j <= end; j++ {
			if len(gets) == 0 {
				l.PushTail(items[j].obj)
			}
			for _, g := range gets {
				v, _ := c.sortLookup(g, items[j].obj)
				l.PushTail(v)
			}
		}
		if outLen > 0 {
			c.replaceValue(storeKey, l)
			c.modified(storeKey)
			c.notify(config.NotifyList, "sortstore", storeKey)
			c.keyReady(storeKey)
		} else {
			c.clearDestination(storeKey)
		}
		c.addInt(int64(outLen))
	}
}

// sortCompare is Redis's sortCompare (before DESC is applied).
func sortCompare(a, b *sortItem, alpha, byPattern bool) int {
	if !alpha {
		switch {
		case a.score > b.score:
			return 1
		case a.score < b.score:
			return -1
		}
		return bytes.Compare(a.obj, b.obj)
	}
	if byPattern {
		switch {
		case !a.hasBy && !b.hasBy:
			return 0
		case !a.hasBy:
			return -1
		case !b.hasBy:
			return 1
		}
		return bytes.Compare(a.cmp, b.cmp)
	}
	return bytes.Compare(a.obj, b.obj)
}
