package server

import (
	"math"
	"math/bits"

	"github.com/redisctl/redisctl/engine/config"
	"github.com/redisctl/redisctl/engine/keyspace"
	"github.com/redisctl/redisctl/engine/resp"
)

// Bitmap commands (Redis's bitops.c): strings addressed bit by bit, most
// significant bit of each byte first.

func bitmapCommands() []*Command {
	bm := commandsOf("bitmap")
	return []*Command{
		bm("setbit", 4, "write denyoom", "@write @bitmap @slow", one("RW access update", 1), setbitCommand, "2.2.0", "Sets or clears the bit at offset in the string value stored at key", "O(1)"),
		bm("getbit", 3, "readonly fast", "@read @bitmap @fast", one("RO access", 1), getbitCommand, "2.2.0", "Returns the bit value at offset in the string value stored at key", "O(1)"),
		bm("bitcount", -2, "readonly", "@read @bitmap @slow", one("RO access", 1), bitcountCommand, "2.6.0", "Count set bits in a string", "O(N)"),
		bm("bitpos", -3, "readonly", "@read @bitmap @slow", one("RO access", 1), bitposCommand, "2.8.7", "Find first bit set or clear in a string", "O(N)"),
		bm("bitop", -4, "write denyoom", "@write @bitmap @slow",
			[]KeySpec{keyRange("OW update", 2, 0, 1), keyRange("RO access", 3, -1, 1)}, bitopCommand, "2.6.0", "Perform bitwise operations between strings", "O(N)"),
		bm("bitfield", -2, "write denyoom", "@write @bitmap @slow",
			[]KeySpec{{Notes: "This command allows both access and modification of the key", Flags: "RW access update variable_flags", Index: 1, KeyStep: 1}},
			func(c *Client) { c.bitfield(false) }, "3.2.0", "Perform arbitrary bitfield integer operations on strings", "O(1) for each subcommand specified"),
		bm("bitfield_ro", -2, "readonly fast", "@read @bitmap @fast", one("RO access", 1),
			func(c *Client) { c.bitfield(true) }, "6.0.0", "Perform arbitrary bitfield integer operations on strings. Read-only variant of BITFIELD", "O(1) for each subcommand specified"),
	}
}

const errBitValue = "ERR bit is not an integer or out of range"

// bitOffset parses a bit offset ("#N" means N*width when hash is allowed).
func (c *Client) bitOffset(arg []byte, hash bool, width int) (int64, bool) {
	useHash := hash && width > 0 && len(arg) > 0 && arg[0] == '#'
	if useHash {
		arg = arg[1:]
	}
	n, ok := resp.ParseInt(arg)
	if ok && useHash {
		n *= int64(width)
	}
	if !ok || n < 0 || n>>3 >= c.srv.protoMaxBulk.Load() {
		c.addError(errBitOffset)
		return 0, false
	}
	return n, true
}

// stringForBits returns key's value grown to hold bit maxBit, creating
// it, for the bit-writing commands. created reports a new or grown string.
func (c *Client) stringForBits(key []byte, maxBit int64) (v []byte, grown, ok bool) {
	e, ok := c.lookupString(key, keyspace.NoStats)
	if !ok {
		return nil, false, false
	}
	need := int(maxBit>>3) + 1
	if !e.Exists() {
		c.db.SetString(key, nil, keyspace.SetOpts{Raw: true})
		return c.db.MutableString(key, need), true, true
	}
	cur := e.Len()
	return c.db.MutableString(key, need), need > cur, true
}

func setbitCommand(c *Client) {
	off, ok := c.bitOffset(c.argv[2], false, 0)
	if !ok {
		return
	}
	on, ok := resp.ParseInt(c.argv[3])
	if !ok || on&^1 != 0 {
		c.addError(errBitValue)
		return
	}
	key := c.argv[1]
	v, grown, ok := c.stringForBits(key, off)
	if !ok {
		return
	}
	bytePos, bit := off>>3, 7-uint(off&7)
	old := (v[bytePos] >> bit) & 1
	if grown || int64(old) != on {
		v[bytePos] = v[bytePos]&^(1<<bit) | byte(on)<<bit
		c.modified(key)
		c.notify(config.NotifyString, "setbit", key)
	}
	c.addInt(int64(old))
}

func getbitCommand(c *Client) {
	off, ok := c.bitOffset(c.argv[2], false, 0)
	if !ok {
		return
	}
	e, ok := c.stringOrReply(c.argv[1], 0, c.addZero)
	if !ok {
		return
	}
	var buf [20]byte
	v := e.Bytes(buf[:0])
	if b := off >> 3; b < int64(len(v)) {
		c.addInt(int64(v[b]>>(7-uint(off&7))) & 1)
		return
	}
	c.addInt(0)
}

// bitRange normalizes GETRANGE's, BITCOUNT's and BITPOS's start and end
// over a string of n bytes (start > end when the range is empty); with
// isBit they are bit offsets and the edge masks say which bits of the
// first and last byte lie outside the range.
func bitRange(start, end, n int64, isBit bool) (s, e int64, firstMask, lastMask byte) {
	total := n
	if isBit {
		total <<= 3
	}
	if start < 0 {
		start += total
	}
	if end < 0 {
		end += total
	}
	start, end = max(start, 0), max(end, 0)
	if end >= total {
		end = total - 1
	}
	if isBit && start <= end {
		firstMask = ^byte((1<<(8-(start&7)))-1) & 0xff
		lastMask = byte((1 << (7 - (end & 7))) - 1)
		start >>= 3
		end >>= 3
	}
	return start, end, firstMask, lastMask
}

func popcount(b []byte) int64 {
	n := 0
	for len(b) >= 8 {
		n += bits.OnesCount64(uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
			uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56)
		b = b[8:]
	}
	for _, x := range b {
		n += bits.OnesCount8(x)
	}
	return int64(n)
}

func bitcountCommand(c *Client) {
	var start, end int64
	isBit := false
	switch len(c.argv) {
	case 4, 5:
		var ok bool
		if start, ok = c.argInt(2); !ok {
			return
		}
		if end, ok = c.argInt(3); !ok {
			return
		}
		if len(c.argv) == 5 {
			switch {
			case argIs(c.argv[4], "bit"):
				isBit = true
			case argIs(c.argv[4], "byte"):
			default:
				c.addError(errSyntax)
				return
			}
		}
	case 2:
	default:
		c.addError(errSyntax)
		return
	}
	e, ok := c.stringOrReply(c.argv[1], 0, c.addZero)
	if !ok {
		return
	}
	var buf [20]byte
	v := e.Bytes(buf[:0])
	var firstMask, lastMask byte
	if len(c.argv) == 2 {
		start, end = 0, int64(len(v))-1
	} else {
		if start < 0 && end < 0 && start > end {
			c.addInt(0)
			return
		}
		start, end, firstMask, lastMask = bitRange(start, end, int64(len(v)), isBit)
	}
	if start > end {
		c.addInt(0)
		return
	}
	n := popcount(v[start : end+1])
	if firstMask != 0 || lastMask != 0 {
		var edges [2]byte
		edges[0] = v[start] & firstMask
		edges[1] = v[end] & lastMask
		n -= popcount(edges[:])
	}
	c.addInt(n)
}

// bitpos returns the position of the first bit equal to bit in b; when
// looking for a clear bit and none is found it returns len(b)*8 (the
// string is considered padded with zeros), and -1 for a set bit.
func bitpos(b []byte, bit byte) int64 {
	skip := byte(0)
	if bit == 0 {
		skip = 0xff
	}
	for i, x := range b {
		if x != skip {
			for j := 0; j < 8; j++ {
				if (x>>(7-uint(j)))&1 == bit {
					return int64(i*8 + j)
				}
			}
		}
	}
	if bit == 1 {
		return -1
	}
	return int64(len(b)) * 8
}

func bitposCommand(c *Client) {
	bit, ok := resp.ParseInt(c.argv[2])
	if !ok {
		c.addError(errNotInteger)
		return
	}
	if bit != 0 && bit != 1 {
		c.addError("ERR The bit argument must be 1 or 0.")
		return
	}
	var start, end int64
	isBit, endGiven := false, false
	argc := len(c.argv)
	switch {
	case argc >= 4 && argc <= 6:
		if start, ok = c.argInt(3); !ok {
			return
		}
		if argc == 6 {
			switch {
			case argIs(c.argv[5], "bit"):
				isBit = true
			case argIs(c.argv[5], "byte"):
			default:
				c.addError(errSyntax)
				return
			}
		}
		if argc >= 5 {
			if end, ok = c.argInt(4); !ok {
				return
			}
			endGiven = true
		}
	case argc != 3:
		c.addError(errSyntax)
		return
	}
	e, ok := c.lookupString(c.argv[1], 0)
	if !ok {
		return
	}
	if !e.Exists() {
		if bit == 1 {
			c.addInt(-1)
		} else {
			c.addInt(0)
		}
		return
	}
	var buf [20]byte
	v := e.Bytes(buf[:0])
	var firstMask, lastMask byte
	if argc >= 4 {
		if argc < 5 {
			end = int64(len(v)) - 1
		}
		start, end, firstMask, lastMask = bitRange(start, end, int64(len(v)), isBit)
	} else {
		start, end = 0, int64(len(v))-1
	}
	if start > end {
		c.addInt(-1)
		return
	}
	b := byte(bit)
	nbytes := end - start + 1
	pos := int64(-1)
	done := false
	if firstMask != 0 {
		tmp := v[start] | firstMask
		if b == 1 {
			tmp = v[start] &^ firstMask
		}
		if lastMask != 0 && nbytes == 1 {
			if b == 1 {
				tmp &^= lastMask
			} else {
				tmp |= lastMask
			}
		}
		pos = bitpos([]byte{tmp}, b)
		if nbytes == 1 || (pos != -1 && pos != 8) {
			done = true
		} else {
			start++
			nbytes--
		}
	}
	if !done {
		cur := nbytes
		if lastMask != 0 {
			cur--
		}
		if cur > 0 {
			pos = bitpos(v[start:start+cur], b)
			if nbytes == cur || (pos != -1 && pos != cur<<3) {
				done = true
			} else {
				start += cur
				nbytes -= cur
			}
		}
		if !done {
			tmp := v[end] | lastMask
			if b == 1 {
				tmp = v[end] &^ lastMask
			}
			pos = bitpos([]byte{tmp}, b)
		}
	}
	if endGiven && b == 0 && pos == nbytes<<3 {
		c.addInt(-1)
		return
	}
	if pos != -1 {
		pos += start << 3
	}
	c.addInt(pos)
}

// BITOP's operations.
const (
	opAnd = iota
	opOr
	opXor
	opNot
)

var bitopWords = []keyword{{"and", opAnd}, {"or", opOr}, {"xor", opXor}, {"not", opNot}}

func bitopCommand(c *Client) {
	kind, ok := c.parseKeyword(c.argv[1], bitopWords)
	if !ok {
		return
	}
	if kind == opNot && len(c.argv) != 4 {
		c.addError("ERR BITOP NOT must be called with a single source key.")
		return
	}
	srcs := make([][]byte, 0, len(c.argv)-3)
	maxLen := 0
	for _, k := range c.argv[3:] {
		e := c.db.Lookup(k, c.now, 0)
		if !e.Exists() {
			srcs = append(srcs, nil)
			continue
		}
		if e.Type() != keyspace.TypeString {
			c.addError(errWrongType)
			return
		}
		v := append([]byte(nil), e.Bytes(nil)...)
		srcs = append(srcs, v)
		maxLen = max(maxLen, len(v))
	}
	dst := c.argv[2]
	if maxLen == 0 {
		c.clearDestination(dst)
		c.addInt(0)
		return
	}
	res := make([]byte, maxLen)
	at := func(s []byte, i int) byte {
		if i < len(s) {
			return s[i]
		}
		return 0
	}
	for i := range res {
		out := at(srcs[0], i)
		if kind == opNot {
			out = ^out
		}
		for _, s := range srcs[1:] {
			switch kind {
			case opAnd:
				out &= at(s, i)
			case opOr:
				out |= at(s, i)
			case opXor:
				out ^= at(s, i)
			}
		}
		res[i] = out
	}
	c.db.SetString(dst, res, keyspace.SetOpts{Raw: true})
	c.modified(dst)
	c.notify(config.NotifyString, "set", dst)
	c.addInt(int64(maxLen))
}

// BITFIELD.

const (
	bfGet = iota
	bfSet
	bfIncr
)

const (
	owWrap = iota
	owSat
	owFail
)

type bfOp struct {
	op, overflow int
	offset       int64
	width        int
	signed       bool
	arg          int64
}

func (c *Client) bitfield(readOnly bool) {
	var ops []bfOp
	overflow := owWrap
	writes := false
	var highest int64
	for j := 2; j < len(c.argv); j++ {
		rem := len(c.argv) - j - 1
		sub := c.argv[j]
		var op int
		switch {
		case argIs(sub, "get") && rem >= 2:
			op = bfGet
		case argIs(sub, "set") && rem >= 3:
			op = bfSet
		case argIs(sub, "incrby") && rem >= 3:
			op = bfIncr
		case argIs(sub, "overflow") && rem >= 1:
			j++
			switch {
			case argIs(c.argv[j], "wrap"):
				overflow = owWrap
			case argIs(c.argv[j], "sat"):
				overflow = owSat
			case argIs(c.argv[j], "fail"):
				overflow = owFail
			default:
				c.addError("ERR Invalid OVERFLOW type specified")
				return
			}
			continue
		default:
			c.addError(errSyntax)
			return
		}
		signed, width, ok := c.bitfieldType(c.argv[j+1])
		if !ok {
			return
		}
		off, ok := c.bitOffset(c.argv[j+2], true, width)
		if !ok {
			return
		}
		o := bfOp{op: op, overflow: overflow, offset: off, width: width, signed: signed}
		if op != bfGet {
			writes = true
			highest = max(highest, off+int64(width)-1)
			if o.arg, ok = c.argInt(j + 3); !ok {
				return
			}
		}
		ops = append(ops, o)
		j += 3
		if op == bfGet {
			j--
		}
	}
	key := c.argv[1]
	var v []byte
	grown := false
	if !writes {
		e, ok := c.lookupString(key, 0)
		if !ok {
			return
		}
		if e.Exists() {
			v = e.Bytes(nil)
		}
	} else {
		if readOnly {
			c.addError("ERR BITFIELD_RO only supports the GET subcommand")
			return
		}
		var ok bool
		if v, grown, ok = c.stringForBits(key, highest); !ok {
			return
		}
	}
	changes := 0
	c.addArrayLen(len(ops))
	for _, o := range ops {
		if o.op == bfGet {
			var buf [9]byte
			b := o.offset >> 3
			for i := int64(0); i < 9 && b+i < int64(len(v)); i++ {
				buf[i] = v[b+i]
			}
			raw := getBits(buf[:], o.offset-b*8, o.width)
			if o.signed {
				c.addInt(signExtend(raw, o.width))
			} else {
				c.addInt(int64(raw))
			}
			continue
		}
		oldRaw := getBits(v, o.offset, o.width)
		var newRaw uint64
		var ret int64
		var over bool
		if o.signed {
			old := signExtend(oldRaw, o.width)
			var nv int64
			if o.op == bfIncr {
				var wrapped int64
				over, wrapped = signedOverflow(old, o.arg, o.width, o.overflow)
				nv = old + o.arg
				if over {
					nv = wrapped
				}
				ret = nv
			} else {
				nv = o.arg
				var wrapped int64
				if over, wrapped = signedOverflow(nv, 0, o.width, o.overflow); over {
					nv = wrapped
				}
				ret = old
			}
			newRaw = uint64(nv)
		} else {
			var nv uint64
			if o.op == bfIncr {
				var wrapped uint64
				over, wrapped = unsignedOverflow(oldRaw, o.arg, o.width, o.overflow)
				nv = oldRaw + uint64(o.arg)
				if over {
					nv = wrapped
				}
				ret = int64(nv)
			} else {
				nv = uint64(o.arg)
				var wrapped uint64
				if over, wrapped = unsignedOverflow(nv, 0, o.width, o.overflow); over {
					nv = wrapped
				}
				ret = int64(oldRaw)
			}
			newRaw = nv
		}
		if over && o.overflow == owFail {
			c.addNull()
			continue
		}
		c.addInt(ret)
		setBits(v, o.offset, o.width, newRaw)
		if grown || getBitsMasked(oldRaw, o.width) != getBitsMasked(newRaw, o.width) {
			changes++
		}
	}
	if changes > 0 {
		c.modified(key)
		c.dirty += int64(changes) - 1
		c.notify(config.NotifyString, "setbit", key)
	}
}

func getBitsMasked(v uint64, width int) uint64 {
	if width == 64 {
		return v
	}
	return v & (1<<uint(width) - 1)
}

// bitfieldType parses i1..i64 or u1..u63.
func (c *Client) bitfieldType(arg []byte) (signed bool, width int, ok bool) {
	const msg = "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is."
	if len(arg) == 0 || (arg[0]|0x20 != 'i' && arg[0]|0x20 != 'u') {
		c.addError(msg)
		return false, 0, false
	}
	signed = arg[0]|0x20 == 'i'
	n, ok := resp.ParseInt(arg[1:])
	if !ok || n < 1 || (signed && n > 64) || (!signed && n > 63) {
		c.addError(msg)
		return false, 0, false
	}
	return signed, int(n), true
}

// getBits reads width bits at bit offset off, most significant first;
// bits beyond b read as zero.
func getBits(b []byte, off int64, width int) uint64 {
	var v uint64
	for j := 0; j < width; j++ {
		pos := off + int64(j)
		bit := uint64(0)
		if i := pos >> 3; i < int64(len(b)) {
			bit = uint64(b[i]>>(7-uint(pos&7))) & 1
		}
		v = v<<1 | bit
	}
	return v
}

func setBits(b []byte, off int64, width int, v uint64) {
	for j := 0; j < width; j++ {
		bit := byte(v>>uint(width-1-j)) & 1
		pos := off + int64(j)
		i, sh := pos>>3, 7-uint(pos&7)
		b[i] = b[i]&^(1<<sh) | bit<<sh
	}
}

func signExtend(v uint64, width int) int64 {
	if width < 64 && v&(1<<uint(width-1)) != 0 {
		v |= math.MaxUint64 << uint(width)
	}
	return int64(v)
}

// unsignedOverflow reports whether value+incr leaves a width-bit unsigned
// field and returns the value the overflow policy gives instead.
func unsignedOverflow(value uint64, incr int64, width, policy int) (bool, uint64) {
	maxv := uint64(math.MaxUint64)
	if width < 64 {
		maxv = 1<<uint(width) - 1
	}
	maxIncr := int64(maxv - value)
	minIncr := -int64(value)
	wrap := func() uint64 {
		r := value + uint64(incr)
		if width < 64 {
			r &= 1<<uint(width) - 1
		}
		return r
	}
	switch {
	case value > maxv || (incr > 0 && incr > maxIncr):
		if policy == owWrap {
			return true, wrap()
		}
		return true, maxv
	case incr < 0 && incr < minIncr:
		if policy == owWrap {
			return true, wrap()
		}
		return true, 0
	}
	return false, 0
}

// signedOverflow is unsignedOverflow for a width-bit signed field.
func signedOverflow(value, incr int64, width, policy int) (bool, int64) {
	maxv := int64(math.MaxInt64)
	if width < 64 {
		maxv = 1<<uint(width-1) - 1
	}
	minv := -maxv - 1
	maxIncr := int64(uint64(maxv) - uint64(value))
	minIncr := minv - value
	wrap := func() int64 {
		r := uint64(value) + uint64(incr)
		if width < 64 {
			mask := uint64(math.MaxUint64) << uint(width)
			if r&(1<<uint(width-1)) != 0 {
				r |= mask
			} else {
				r &^= mask
			}
		}
		return int64(r)
	}
	switch {
	case value > maxv || (width != 64 && incr > maxIncr) || (value >= 0 && incr > 0 && incr > maxIncr):
		if policy == owWrap {
			return true, wrap()
		}
		return true, maxv
	case value < minv || (width != 64 && incr < minIncr) || (value < 0 && incr < 0 && incr < minIncr):
		if policy == owWrap {
			return true, wrap()
		}
		return true, minv
	}
	return false, 0
}
