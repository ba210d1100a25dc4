package lua

// redisctl patch: tables are laid out as Lua 5.1's ltable.c lays them out
// (an array part sized by the same rehash rule, and a hash part of chained
// nodes with Lua's main positions, free-slot pointer and reinsertion
// order), so that next/pairs, and everything built on them (cjson and
// cmsgpack of maps, script map and set replies), visit keys in the order
// Lua 5.1 does, deterministically. Upstream gopher-lua used Go maps, whose
// order is random. Keys hash as Redis's Lua does (strings with
// luaS_newlstr's hash over every byte, numbers with hashnum); tables,
// functions and userdata hash by address, as Lua does, so their order is
// as arbitrary as there.

import (
	"math"
	"reflect"
	"unsafe"
)

// maxBits is Lua 5.1's MAXBITS: the array part holds at most 2^maxBits
// slots.
const maxBits = 30

type lnode struct {
	key  LValue // nil: never used
	val  LValue // nil: empty (a nil value)
	next int32  // the next node in this chain, -1 for none
}

func newLTable(acap int, hcap int) *LTable {
	tb := &LTable{Metatable: LNil}
	if acap > 0 {
		tb.array = make([]LValue, acap)
	}
	tb.setNodeVector(max(hcap, 0))
	return tb
}

// lv turns a stored nil into LNil.
func lv(v LValue) LValue {
	if v == nil {
		return LNil
	}
	return v
}

// setNodeVector gives the table a fresh hash part for size keys (rounded
// up to a power of two; none for 0).
func (tb *LTable) setNodeVector(size int) {
	if size == 0 {
		tb.node, tb.lastfree = nil, 0
		return
	}
	size = 1 << ceilLog2(size)
	tb.node = make([]lnode, size)
	for i := range tb.node {
		tb.node[i].next = -1
	}
	tb.lastfree = size
}

// ceilLog2 is ceil(log2(x)) for x >= 1.
func ceilLog2(x int) int {
	n := 0
	for (1 << n) < x {
		n++
	}
	return n
}

// luaStrHash is the hash Redis's Lua 5.1 gives a string (luaS_newlstr,
// as Redis patched it to hash every byte: stock Lua samples long strings).
func luaStrHash(s string) uint32 {
	h := uint32(len(s))
	for i := len(s) - 1; i >= 0; i-- {
		h ^= (h << 5) + (h >> 2) + uint32(s[i])
	}
	return h
}

func (tb *LTable) mainPosition(key LValue) int {
	size := uint32(len(tb.node))
	switch k := key.(type) {
	case LString:
		return int(luaStrHash(string(k)) & (size - 1))
	case LNumber:
		if k == 0 {
			return 0
		}
		b := math.Float64bits(float64(k))
		return int((uint32(b) + uint32(b>>32)) % ((size - 1) | 1))
	case LBool:
		if k {
			return int(1 & (size - 1))
		}
		return 0
	}
	return int(uint32(addressOf(key)) % ((size - 1) | 1))
}

// addressOf is the address of a reference value (Lua's hashpointer).
func addressOf(v LValue) uintptr {
	switch x := v.(type) {
	case *LTable:
		return uintptr(unsafe.Pointer(x))
	case *LFunction:
		return uintptr(unsafe.Pointer(x))
	case *LUserData:
		return uintptr(unsafe.Pointer(x))
	case *LState:
		return uintptr(unsafe.Pointer(x))
	case LChannel:
		return reflect.ValueOf(x).Pointer()
	}
	return 0
}

// arrayIndex is the array index key stands for, 0 if none.
func arrayIndex(key LValue) int {
	if n, ok := key.(LNumber); ok {
		k := int(n)
		if LNumber(k) == n && k > 0 && k <= 1<<maxBits {
			return k
		}
	}
	return 0
}

// findNode returns the node holding key, -1 if none.
func (tb *LTable) findNode(key LValue) int {
	if tb.node == nil {
		return -1
	}
	for i := tb.mainPosition(key); i >= 0; i = int(tb.node[i].next) {
		if tb.node[i].key == key {
			return i
		}
	}
	return -1
}

func (tb *LTable) findStr(key string) int {
	if tb.node == nil {
		return -1
	}
	for i := int(luaStrHash(key) & uint32(len(tb.node)-1)); i >= 0; i = int(tb.node[i].next) {
		if s, ok := tb.node[i].key.(LString); ok && string(s) == key {
			return i
		}
	}
	return -1
}

// slot returns where key's value is stored (luaH_get), nil if key is in
// neither part.
func (tb *LTable) slot(key LValue) *LValue {
	if k := arrayIndex(key); k > 0 && k <= len(tb.array) {
		return &tb.array[k-1]
	}
	if i := tb.findNode(key); i >= 0 {
		return &tb.node[i].val
	}
	return nil
}

// set returns where to store key's value, adding the key if needed
// (luaH_set).
func (tb *LTable) set(key LValue) *LValue {
	if p := tb.slot(key); p != nil {
		return p
	}
	return tb.newKey(key)
}

func (tb *LTable) getFreePos() int {
	for tb.lastfree > 0 {
		tb.lastfree--
		if tb.node[tb.lastfree].key == nil {
			return tb.lastfree
		}
	}
	return -1
}

// newKey inserts a key known to be absent (ltable.c's newkey): into its
// main position if free, else moving whichever of the two keys is not in
// its own main position to a free node; a full hash part is rehashed.
func (tb *LTable) newKey(key LValue) *LValue {
	if tb.node == nil {
		tb.rehash(key)
		return tb.set(key)
	}
	mp := tb.mainPosition(key)
	if tb.node[mp].val != nil {
		n := tb.getFreePos()
		if n < 0 {
			tb.rehash(key)
			return tb.set(key)
		}
		othern := tb.mainPosition(tb.node[mp].key)
		if othern != mp {
			for int(tb.node[othern].next) != mp {
				othern = int(tb.node[othern].next)
			}
			tb.node[othern].next = int32(n)
			tb.node[n] = tb.node[mp]
			tb.node[mp].next = -1
			tb.node[mp].val = nil
		} else {
			tb.node[n].next = tb.node[mp].next
			tb.node[mp].next = int32(n)
			mp = n
		}
	}
	tb.node[mp].key = key
	return &tb.node[mp].val
}

// countInt counts key in nums if it is an array index.
func countInt(key LValue, nums *[maxBits + 1]int) int {
	if k := arrayIndex(key); k > 0 {
		nums[ceilLog2(k)]++
		return 1
	}
	return 0
}

func (tb *LTable) numUseArray(nums *[maxBits + 1]int) int {
	ause, i := 0, 1
	for lg, ttlg := 0, 1; lg <= maxBits; lg, ttlg = lg+1, ttlg*2 {
		lc, lim := 0, ttlg
		if lim > len(tb.array) {
			lim = len(tb.array)
			if i > lim {
				break
			}
		}
		for ; i <= lim; i++ {
			if tb.array[i-1] != nil {
				lc++
			}
		}
		nums[lg] += lc
		ause += lc
	}
	return ause
}

// computeSizes picks the array size: the largest power of two n such
// that more than half of 1..n are in use.
func computeSizes(nums *[maxBits + 1]int, narray *int) int {
	a, na, n := 0, 0, 0
	for i, twotoi := 0, 1; twotoi/2 < *narray; i, twotoi = i+1, twotoi*2 {
		if nums[i] > 0 {
			a += nums[i]
			if a > twotoi/2 {
				n, na = twotoi, a
			}
		}
		if a == *narray {
			break
		}
	}
	*narray = n
	return na
}

func (tb *LTable) rehash(extra LValue) {
	var nums [maxBits + 1]int
	nasize := tb.numUseArray(&nums)
	total := nasize
	for i := len(tb.node) - 1; i >= 0; i-- {
		if n := &tb.node[i]; n.val != nil {
			nasize += countInt(n.key, &nums)
			total++
		}
	}
	nasize += countInt(extra, &nums)
	total++
	na := computeSizes(&nums, &nasize)
	tb.resize(nasize, total-na)
}

// resize gives the table parts of the given sizes and reinserts what
// moves, in Lua's order (the hash part from its last node down).
func (tb *LTable) resize(nasize, nhsize int) {
	oldArray, oldNode := tb.array, tb.node
	if nasize > len(oldArray) {
		a := make([]LValue, nasize)
		copy(a, oldArray)
		tb.array = a
	}
	tb.setNodeVector(nhsize)
	if nasize < len(oldArray) {
		tb.array = oldArray[:nasize:nasize]
		for i := nasize; i < len(oldArray); i++ {
			if oldArray[i] != nil {
				*tb.set(LNumber(i + 1)) = oldArray[i]
			}
		}
		if nasize == 0 {
			tb.array = nil
		}
	}
	for i := len(oldNode) - 1; i >= 0; i-- {
		if n := &oldNode[i]; n.val != nil {
			*tb.set(n.key) = n.val
		}
	}
}

// resizeArray makes the array part n slots (luaH_resizearray).
func (tb *LTable) resizeArray(n int) {
	tb.resize(n, len(tb.node))
}

// getInt is luaH_getnum.
func (tb *LTable) getInt(k int) LValue {
	if k >= 1 && k <= len(tb.array) {
		return tb.array[k-1]
	}
	if i := tb.findNode(LNumber(k)); i >= 0 {
		return tb.node[i].val
	}
	return nil
}

// Len is the length operator (luaH_getn): a border, found by binary
// search in the array part or by unbound search past it.
func (tb *LTable) Len() int {
	j := len(tb.array)
	if j > 0 && tb.array[j-1] == nil {
		i := 0
		for j-i > 1 {
			m := (i + j) / 2
			if tb.array[m-1] == nil {
				j = m
			} else {
				i = m
			}
		}
		return i
	}
	if tb.node == nil {
		return j
	}
	i := j
	j++
	for tb.getInt(j) != nil {
		i = j
		j *= 2
		if j > math.MaxInt32 {
			i = 1
			for tb.getInt(i) != nil {
				i++
			}
			return i - 1
		}
	}
	for j-i > 1 {
		m := (i + j) / 2
		if tb.getInt(m) == nil {
			j = m
		} else {
			i = m
		}
	}
	return i
}

// Append sets t[#t+1] = value (table.insert(t, value)).
func (tb *LTable) Append(value LValue) {
	tb.RawSetInt(tb.Len()+1, value)
}

// Insert shifts t[i..#t] up and sets t[i] = value (table.insert(t, i,
// value)).
func (tb *LTable) Insert(i int, value LValue) {
	e := tb.Len() + 1
	if i > e {
		e = i
	}
	for k := e; k > i; k-- {
		tb.RawSetInt(k, tb.RawGetInt(k-1))
	}
	tb.RawSetInt(i, value)
}

// MaxN is table.maxn: the largest positive numeric key, 0 if none.
func (tb *LTable) MaxN() LNumber {
	var m LNumber
	tb.ForEach(func(k, _ LValue) {
		if n, ok := k.(LNumber); ok && n > m {
			m = n
		}
	})
	return m
}

// Remove removes t[pos], shifting the elements above it down
// (table.remove); it returns LNil when pos is not in 1..#t.
func (tb *LTable) Remove(pos int) LValue {
	e := tb.Len()
	if pos < 1 || pos > e {
		return LNil
	}
	v := tb.RawGetInt(pos)
	for ; pos < e; pos++ {
		tb.RawSetInt(pos, tb.RawGetInt(pos+1))
	}
	tb.RawSetInt(e, LNil)
	return v
}

// RawSet sets a given LValue to a given index without the __newindex
// metamethod. As in Lua, storing nil under a new key still adds the key.
func (tb *LTable) RawSet(key LValue, value LValue) {
	if key == LNil || key == nil {
		return
	}
	if n, ok := key.(LNumber); ok && n != n {
		return
	}
	if value == LNil {
		value = nil
	}
	*tb.set(key) = value
}

// RawSetInt sets a given LValue at a position `key` without the __newindex metamethod.
func (tb *LTable) RawSetInt(key int, value LValue) {
	if value == LNil {
		value = nil
	}
	if key >= 1 && key <= len(tb.array) {
		tb.array[key-1] = value
		return
	}
	*tb.set(LNumber(key)) = value
}

// RawSetString sets a given LValue to a given string index without the __newindex metamethod.
func (tb *LTable) RawSetString(key string, value LValue) {
	if value == LNil {
		value = nil
	}
	if i := tb.findStr(key); i >= 0 {
		tb.node[i].val = value
		return
	}
	*tb.newKey(LString(key)) = value
}

// RawSetH sets a given LValue to a given index without the __newindex metamethod.
func (tb *LTable) RawSetH(key LValue, value LValue) {
	tb.RawSet(key, value)
}

// RawGet returns an LValue associated with a given key without __index metamethod.
func (tb *LTable) RawGet(key LValue) LValue {
	switch k := key.(type) {
	case LString:
		return tb.RawGetString(string(k))
	case LNumber:
		if i := int(k); LNumber(i) == k {
			return lv(tb.getInt(i))
		}
	}
	if p := tb.slot(key); p != nil {
		return lv(*p)
	}
	return LNil
}

// RawGetInt returns an LValue at position `key` without __index metamethod.
func (tb *LTable) RawGetInt(key int) LValue {
	return lv(tb.getInt(key))
}

// RawGetH returns an LValue associated with a given key without __index metamethod.
func (tb *LTable) RawGetH(key LValue) LValue {
	return tb.RawGet(key)
}

// RawGetString returns an LValue associated with a given key without __index metamethod.
func (tb *LTable) RawGetString(key string) LValue {
	if i := tb.findStr(key); i >= 0 {
		return lv(tb.node[i].val)
	}
	return LNil
}

// ForEach calls cb for every key with a non-nil value, in next's order.
func (tb *LTable) ForEach(cb func(LValue, LValue)) {
	for i, v := range tb.array {
		if v != nil {
			cb(LNumber(i+1), v)
		}
	}
	for i := range tb.node {
		if n := &tb.node[i]; n.val != nil {
			cb(n.key, n.val)
		}
	}
}

// findIndex is the position of key in traversal order (-1 before the
// first); ok is false for a key the table does not hold.
func (tb *LTable) findIndex(key LValue) (int, bool) {
	if key == LNil || key == nil {
		return -1, true
	}
	if k := arrayIndex(key); k > 0 && k <= len(tb.array) {
		return k - 1, true
	}
	if i := tb.findNode(key); i >= 0 {
		return len(tb.array) + i, true
	}
	return 0, false
}

// Next is lua_next: the key and value after key (LNil, LNil at the end or
// for a key the table does not hold).
func (tb *LTable) Next(key LValue) (LValue, LValue) {
	k, v, _ := tb.next(key)
	return k, v
}

func (tb *LTable) next(key LValue) (LValue, LValue, bool) {
	i, ok := tb.findIndex(key)
	if !ok {
		return LNil, LNil, false
	}
	for i++; i < len(tb.array); i++ {
		if v := tb.array[i]; v != nil {
			return LNumber(i + 1), v, true
		}
	}
	for i -= len(tb.array); i < len(tb.node); i++ {
		if n := &tb.node[i]; n.val != nil {
			return n.key, n.val, true
		}
	}
	return LNil, LNil, true
}
