package server

import (
	"encoding/binary"
	"math"

	"github.com/redisctl/redisctl/engine/config"
	"github.com/redisctl/redisctl/engine/keyspace"
)

// HyperLogLog (PFADD, PFCOUNT, PFMERGE) in Redis's exact string format, so
// that GET, DUMP/RESTORE and RDB files carry HLLs between the engine and
// Redis unchanged: a 16-byte header ("HYLL", encoding, cached
// cardinality) followed by either 16384 6-bit registers (dense) or a
// run-length "sparse" encoding of them. The sparse update procedure
// reproduces Redis's byte for byte, and counting uses the same estimator
// (Ertl's improved raw estimator), so cardinalities match exactly.

const (
	hllP          = 14
	hllQ          = 64 - hllP
	hllRegisters  = 1 << hllP
	hllPMask      = hllRegisters - 1
	hllBits       = 6
	hllRegMax     = 1<<hllBits - 1
	hllHdrSize    = 16
	hllDenseSize  = hllHdrSize + (hllRegisters*hllBits+7)/8
	hllDense      = 0
	hllSparse     = 1
	hllMaxEnc     = 1
	hllAlphaInf   = 0.721347520444481703680
	sparseValMax  = 32
	sparseValLen  = 4
	sparseZeroMax = 64
	sparseXZMax   = 16384

	errInvalidHLL = "INVALIDOBJ Corrupted HLL object detected"
	errNotHLL     = "WRONGTYPE Key is not a valid HyperLogLog string value."
)

func hllCommands() []*Command {
	return []*Command{
		{Name: "pfadd", Arity: -2, Flags: "write denyoom fast", ACL: "@write @hyperloglog @fast", Keys: one("RW insert", 1), Handler: pfaddCommand,
			Group: "hyperloglog", Since: "2.8.9", Summary: "Adds the specified elements to the specified HyperLogLog.", Complexity: "O(1) to add every element."},
		{Name: "pfcount", Arity: -2, Flags: "readonly may_replicate", ACL: "@read @hyperloglog @slow",
			Keys:    []KeySpec{{Notes: "RW because it may change the internal representation of the key, and propagate to replicas", Flags: "RW access", Index: 1, LastKey: -1, KeyStep: 1}},
			Handler: pfcountCommand, Group: "hyperloglog", Since: "2.8.9", Summary: "Return the approximated cardinality of the set(s) observed by the HyperLogLog at key(s).", Complexity: "O(1) with a very small average constant time when called with a single key. O(N) with N being the number of keys, and much bigger constant times, when called with multiple keys."},
		{Name: "pfmerge", Arity: -2, Flags: "write denyoom", ACL: "@write @hyperloglog @slow",
			Keys:    []KeySpec{keyRange("RW access insert", 1, 0, 1), keyRange("RO access", 2, -1, 1)},
			Handler: pfmergeCommand, Group: "hyperloglog", Since: "2.8.9", Summary: "Merge N different HyperLogLogs into a single one.", Complexity: "O(N) to merge N HyperLogLogs, but with high constant times."},
	}
}

// murmur64a is MurmurHash64A, the hash Redis's HLL uses.
func murmur64a(key []byte, seed uint64) uint64 {
	const m = 0xc6a4a7935bd1e995
	const r = 47
	h := seed ^ (uint64(len(key)) * m)
	for len(key) >= 8 {
		k := binary.LittleEndian.Uint64(key)
		k *= m
		k ^= k >> r
		k *= m
		h ^= k
		h *= m
		key = key[8:]
	}
	if len(key) > 0 {
		for i := len(key) - 1; i >= 0; i-- {
			h ^= uint64(key[i]) << (8 * uint(i))
		}
		h *= m
	}
	h ^= h >> r
	h *= m
	h ^= h >> r
	return h
}

// hllPatLen returns the register an element goes to and the length of
// its run of zeros plus one.
func hllPatLen(ele []byte) (int, uint8) {
	h := murmur64a(ele, 0xadc83b19)
	index := int(h & hllPMask)
	h >>= hllP
	h |= 1 << hllQ
	count := uint8(1)
	for bit := uint64(1); h&bit == 0; bit <<= 1 {
		count++
	}
	return index, count
}

func newHLL() []byte {
	b := make([]byte, hllHdrSize+2)
	copy(b, "HYLL")
	b[4] = hllSparse
	// One XZERO opcode covering all 16384 registers.
	b[hllHdrSize] = 0x40 | byte((hllRegisters-1)>>8)
	b[hllHdrSize+1] = byte((hllRegisters - 1) & 0xff)
	return b
}

func isHLL(v []byte) bool {
	if len(v) < hllHdrSize || string(v[:4]) != "HYLL" || v[4] > hllMaxEnc {
		return false
	}
	return v[4] != hllDense || len(v) == hllDenseSize
}

func hllInvalidateCache(v []byte) { v[15] |= 1 << 7 }
func hllCacheValid(v []byte) bool { return v[15]&(1<<7) == 0 }

func denseGet(regs []byte, i int) uint8 {
	b := i * hllBits / 8
	fb := uint(i * hllBits & 7)
	b0 := uint(regs[b])
	b1 := uint(0)
	if b+1 < len(regs) {
		b1 = uint(regs[b+1])
	}
	return uint8((b0>>fb | b1<<(8-fb)) & hllRegMax)
}

func denseSet(regs []byte, i int, val uint8) {
	b := i * hllBits / 8
	fb := uint(i * hllBits & 7)
	v := uint(val)
	regs[b] &^= byte(hllRegMax << fb)
	regs[b] |= byte(v << fb)
	if b+1 < len(regs) {
		regs[b+1] &^= byte(hllRegMax >> (8 - fb))
		regs[b+1] |= byte(v >> (8 - fb))
	}
}

// sparse opcodes
func isZero(op byte) bool  { return op&0xc0 == 0 }
func isXZero(op byte) bool { return op&0xc0 == 0x40 }
func isVal(op byte) bool   { return op&0x80 != 0 }
func zeroLen(op byte) int  { return int(op&0x3f) + 1 }
func xzeroLen(a, b byte) int {
	return (int(a&0x3f)<<8 | int(b)) + 1
}
func valValue(op byte) uint8 { return (op>>2)&0x1f + 1 }
func valLen(op byte) int     { return int(op&0x3) + 1 }
func valOp(v uint8, n int) byte {
	return 0x80 | (v-1)<<2 | byte(n-1)
}
func appendZeroRun(seq []byte, n int) []byte {
	if n > sparseZeroMax {
		return append(seq, 0x40|byte((n-1)>>8), byte((n-1)&0xff))
	}
	return append(seq, byte(n-1))
}

// sparseRegisters decodes a sparse HLL's registers into regs (one byte
// each) and reports whether the encoding is well formed.
func sparseRegisters(sp []byte, visit func(first, n int, v uint8)) bool {
	idx := 0
	for i := 0; i < len(sp); {
		op := sp[i]
		switch {
		case isZero(op):
			n := zeroLen(op)
			visit(idx, n, 0)
			idx += n
			i++
		case isXZero(op):
			if i+1 >= len(sp) {
				return false
			}
			n := xzeroLen(op, sp[i+1])
			visit(idx, n, 0)
			idx += n
			i += 2
		default:
			n := valLen(op)
			if idx+n > hllRegisters {
				return false
			}
			visit(idx, n, valValue(op))
			idx += n
			i++
		}
		if idx > hllRegisters {
			return false
		}
	}
	return idx == hllRegisters
}

// toDense converts a sparse HLL to the dense encoding.
func toDense(v []byte) ([]byte, bool) {
	d := make([]byte, hllDenseSize)
	copy(d, v[:hllHdrSize])
	d[4] = hllDense
	regs := d[hllHdrSize:]
	ok := sparseRegisters(v[hllHdrSize:], func(first, n int, val uint8) {
		if val == 0 {
			return
		}
		for k := 0; k < n; k++ {
			denseSet(regs, first+k, val)
		}
	})
	return d, ok
}

// hllSet sets register index to count if count is larger; it returns the
// (possibly reallocated) HLL, whether it changed, and false when the HLL
// is corrupt. maxSparse is hll-sparse-max-bytes.
func hllSet(v []byte, index int, count uint8, maxSparse int) ([]byte, bool, bool) {
	if v[4] == hllDense {
		regs := v[hllHdrSize:]
		if denseGet(regs, index) < count {
			denseSet(regs, index, count)
			return v, true, true
		}
		return v, false, true
	}
	if count > sparseValMax {
		return promoteAndSet(v, index, count)
	}
	sp := v[hllHdrSize:]
	// Find the opcode covering index.
	first, p, prev := 0, 0, -1
	span := 0
	for p < len(sp) {
		op := sp[p]
		oplen := 1
		switch {
		case isZero(op):
			span = zeroLen(op)
		case isXZero(op):
			if p+1 >= len(sp) {
				return v, false, false
			}
			span = xzeroLen(op, sp[p+1])
			oplen = 2
		default:
			span = valLen(op)
		}
		if index <= first+span-1 {
			break
		}
		prev = p
		p += oplen
		first += span
	}
	if p >= len(sp) {
		return v, false, false
	}
	op := sp[p]
	xz := isXZero(op)
	oldLen := 1
	if xz {
		oldLen = 2
	}
	if isVal(op) {
		if valValue(op) >= count {
			return v, false, true
		}
		if span == 1 {
			sp[p] = valOp(count, 1)
			return sparseMerge(v, prev), true, true
		}
	}
	if isZero(op) && span == 1 {
		sp[p] = valOp(count, 1)
		return sparseMerge(v, prev), true, true
	}
	last := first + span - 1
	seq := make([]byte, 0, 5)
	if isVal(op) {
		cur := valValue(op)
		if index != first {
			seq = append(seq, valOp(cur, index-first))
		}
		seq = append(seq, valOp(count, 1))
		if index != last {
			seq = append(seq, valOp(cur, last-index))
		}
	} else {
		if index != first {
			seq = appendZeroRun(seq, index-first)
		}
		seq = append(seq, valOp(count, 1))
		if index != last {
			seq = appendZeroRun(seq, last-index)
		}
	}
	delta := len(seq) - oldLen
	if delta > 0 && len(v)+delta > maxSparse {
		return promoteAndSet(v, index, count)
	}
	nv := make([]byte, 0, len(v)+delta)
	nv = append(nv, v[:hllHdrSize+p]...)
	nv = append(nv, seq...)
	nv = append(nv, v[hllHdrSize+p+oldLen:]...)
	return sparseMerge(nv, prev), true, true
}

func promoteAndSet(v []byte, index int, count uint8) ([]byte, bool, bool) {
	d, ok := toDense(v)
	if !ok {
		return v, false, false
	}
	regs := d[hllHdrSize:]
	changed := denseGet(regs, index) < count
	if changed {
		denseSet(regs, index, count)
	}
	// The representation changed even if the register did not: the
	// caller must store the result.
	return d, true, true
}

// sparseMerge merges adjacent VAL opcodes of equal value after an update,
// scanning up to five opcodes from prev, exactly as Redis does.
func sparseMerge(v []byte, prev int) []byte {
	p := hllHdrSize
	if prev >= 0 {
		p += prev
	}
	for scan := 5; p < len(v) && scan > 0; scan-- {
		op := v[p]
		switch {
		case isXZero(op):
			p += 2
			continue
		case isZero(op):
			p++
			continue
		}
		if p+1 < len(v) && isVal(v[p+1]) && valValue(op) == valValue(v[p+1]) {
			if n := valLen(op) + valLen(v[p+1]); n <= sparseValLen {
				v[p+1] = valOp(valValue(op), n)
				v = append(v[:p], v[p+1:]...)
				continue
			}
		}
		p++
	}
	return v
}

// hllHisto computes the register histogram of an HLL.
func hllHisto(v []byte) ([hllQ + 2]int, bool) {
	var h [hllQ + 2]int
	if v[4] == hllDense {
		regs := v[hllHdrSize:]
		for i := 0; i < hllRegisters; i++ {
			h[denseGet(regs, i)]++
		}
		return h, true
	}
	ok := sparseRegisters(v[hllHdrSize:], func(_, n int, val uint8) { h[val] += n })
	return h, ok
}

func hllSigma(x float64) float64 {
	if x == 1 {
		return math.Inf(1)
	}
	y, z := 1.0, x
	for {
		x *= x
		zp := z
		z += x * y
		y += y
		if zp == z {
			return z
		}
	}
}

func hllTau(x float64) float64 {
	if x == 0 || x == 1 {
		return 0
	}
	y, z := 1.0, 1-x
	for {
		x = math.Sqrt(x)
		zp := z
		y *= 0.5
		z -= (1 - x) * (1 - x) * y
		if zp == z {
			return z / 3
		}
	}
}

func hllEstimate(h [hllQ + 2]int) uint64 {
	m := float64(hllRegisters)
	z := m * hllTau((m-float64(h[hllQ+1]))/m)
	for j := hllQ; j >= 1; j-- {
		z += float64(h[j])
		z *= 0.5
	}
	z += m * hllSigma(float64(h[0])/m)
	return uint64(math.Round(hllAlphaInf * m * m / z))
}

// hllMergeInto raises max's registers to v's.
func hllMergeInto(max *[hllRegisters]uint8, v []byte) bool {
	if v[4] == hllDense {
		regs := v[hllHdrSize:]
		for i := 0; i < hllRegisters; i++ {
			if r := denseGet(regs, i); r > max[i] {
				max[i] = r
			}
		}
		return true
	}
	return sparseRegisters(v[hllHdrSize:], func(first, n int, val uint8) {
		for k := 0; k < n; k++ {
			if val > max[first+k] {
				max[first+k] = val
			}
		}
	})
}

// lookupHLL finds key and checks it holds an HLL, replying the error.
func (c *Client) lookupHLL(key []byte, flags keyspace.LookupFlags) (keyspace.Entry, bool) {
	e, ok := c.lookupString(key, flags)
	if !ok {
		return e, false
	}
	if e.Exists() && !isHLL(e.Bytes(nil)) {
		c.addError(errNotHLL)
		return e, false
	}
	return e, true
}

func pfaddCommand(c *Client) {
	key := c.argv[1]
	e, ok := c.lookupHLL(key, keyspace.NoStats)
	if !ok {
		return
	}
	updated := 0
	var v []byte
	if !e.Exists() {
		v = newHLL()
		updated++
	} else {
		v = append([]byte(nil), e.Bytes(nil)...)
	}
	maxSparse := int(c.srv.cfg.Int("hll-sparse-max-bytes"))
	for _, ele := range c.argv[2:] {
		idx, count := hllPatLen(ele)
		var changed bool
		if v, changed, ok = hllSet(v, idx, count, maxSparse); !ok {
			c.addError(errInvalidHLL)
			return
		}
		if changed {
			updated++
		}
	}
	if updated > 0 {
		hllInvalidateCache(v)
		c.db.SetString(key, v, keyspace.SetOpts{KeepTTL: true, Raw: true})
		c.modified(key)
		c.dirty += int64(updated) - 1
		c.notify(config.NotifyString, "pfadd", key)
		c.addInt(1)
		return
	}
	c.addInt(0)
}

// mergeHLLs merges the registers of the HyperLogLogs at keys into max,
// missing keys counting as empty, and reports whether any of them is
// dense. ok is false after an error reply.
func (c *Client) mergeHLLs(keys [][]byte, max *[hllRegisters]uint8) (dense, ok bool) {
	for _, k := range keys {
		e, ok := c.lookupHLL(k, 0)
		if !ok {
			return false, false
		}
		if !e.Exists() {
			continue
		}
		v := e.Bytes(nil)
		if v[4] == hllDense {
			dense = true
		}
		if !hllMergeInto(max, v) {
			c.addError(errInvalidHLL)
			return false, false
		}
	}
	return dense, true
}

func pfcountCommand(c *Client) {
	if len(c.argv) > 2 {
		var max [hllRegisters]uint8
		if _, ok := c.mergeHLLs(c.argv[1:], &max); !ok {
			return
		}
		var h [hllQ + 2]int
		for _, r := range max {
			h[r]++
		}
		c.addInt(int64(hllEstimate(h)))
		return
	}
	key := c.argv[1]
	e, ok := c.lookupHLL(key, 0)
	if !ok {
		return
	}
	if !e.Exists() {
		c.addInt(0)
		return
	}
	v := e.Bytes(nil)
	if hllCacheValid(v) {
		c.addInt(int64(binary.LittleEndian.Uint64(v[8:16])))
		return
	}
	h, valid := hllHisto(v)
	if !valid {
		c.addError(errInvalidHLL)
		return
	}
	card := hllEstimate(h)
	// Cache the result in the value, as Redis does (and propagates).
	mv := c.db.MutableString(key, 0)
	binary.LittleEndian.PutUint64(mv[8:16], card)
	c.modified(key)
	c.addInt(int64(card))
}

func pfmergeCommand(c *Client) {
	var max [hllRegisters]uint8
	useDense, ok := c.mergeHLLs(c.argv[1:], &max)
	if !ok {
		return
	}
	key := c.argv[1]
	e := c.db.Lookup(key, c.now, keyspace.NoStats)
	var v []byte
	if e.Exists() {
		v = append([]byte(nil), e.Bytes(nil)...)
	} else {
		v = newHLL()
	}
	if useDense && v[4] != hllDense {
		if v, ok = toDense(v); !ok {
			c.addError(errInvalidHLL)
			return
		}
	}
	maxSparse := int(c.srv.cfg.Int("hll-sparse-max-bytes"))
	for i, r := range max {
		if r == 0 {
			continue
		}
		if v, _, ok = hllSet(v, i, r, maxSparse); !ok {
			c.addError(errInvalidHLL)
			return
		}
	}
	hllInvalidateCache(v)
	c.db.SetString(key, v, keyspace.SetOpts{KeepTTL: true, Raw: true})
	c.modified(key)
	c.notify(config.NotifyString, "pfadd", key)
	c.addOK()
}
