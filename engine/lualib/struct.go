package lualib

import (
	"encoding/binary"
	"math"
	"strconv"

	lua "github.com/yuin/gopher-lua"
)

// OpenStruct returns the struct module (Roberto Ierusalimschy's struct
// library as Redis ships it): pack, unpack and size of binary records on
// a little-endian 64-bit platform.
func OpenStruct(L *lua.LState) *lua.LTable {
	return newModule(L, 3, []libFunc{
		{"pack", structPack},
		{"unpack", structUnpack},
		{"size", structSize},
	})
}

const (
	structMaxIntSize = 32
	structMaxAlign   = 8
)

type structHeader struct {
	little bool
	align  int
}

type structFmt struct {
	L   *lua.LState
	s   string
	pos int
}

func (f *structFmt) more() bool { return f.pos < len(f.s) }

func (f *structFmt) next() byte {
	c := f.s[f.pos]
	f.pos++
	return c
}

// getnum reads an optional decimal size, df when there is none.
func (f *structFmt) getnum(df int) int {
	if !f.more() || f.s[f.pos] < '0' || f.s[f.pos] > '9' {
		return df
	}
	a := 0
	for f.more() && f.s[f.pos] >= '0' && f.s[f.pos] <= '9' {
		d := int(f.s[f.pos] - '0')
		if a > math.MaxInt32/10 || a*10 > math.MaxInt32-d {
			f.L.RaiseError("integral size overflow")
		}
		a = a*10 + d
		f.pos++
	}
	return a
}

func (f *structFmt) optsize(opt byte) int {
	switch opt {
	case 'B', 'b':
		return 1
	case 'H', 'h':
		return 2
	case 'L', 'l', 'T':
		return 8
	case 'f':
		return 4
	case 'd':
		return 8
	case 'x':
		return 1
	case 'c':
		return f.getnum(1)
	case 'i', 'I':
		sz := f.getnum(4)
		if sz > structMaxIntSize {
			f.L.RaiseError("integral size %d is larger than limit of %d", sz, structMaxIntSize)
		}
		return sz
	}
	return 0
}

func structToAlign(n int, h *structHeader, opt byte, size int) int {
	if size == 0 || opt == 'c' {
		return 0
	}
	if size > h.align {
		size = h.align
	}
	return (size - (n & (size - 1))) & (size - 1)
}

func (f *structFmt) control(opt byte, h *structHeader) {
	switch opt {
	case ' ':
	case '>':
		h.little = false
	case '<':
		h.little = true
	case '!':
		a := f.getnum(structMaxAlign)
		if a&(a-1) != 0 || a == 0 {
			f.L.RaiseError("alignment %d is not a power of 2", a)
		}
		h.align = a
	default:
		argError(f.L, 1, "invalid format option '"+string(opt)+"'")
	}
}

func isStructInt(opt byte) bool {
	switch opt {
	case 'b', 'B', 'h', 'H', 'l', 'L', 'T', 'i', 'I':
		return true
	}
	return false
}

func structPack(L *lua.LState) int {
	f := &structFmt{L: L, s: L.CheckString(1)}
	h := structHeader{little: true, align: 1}
	arg := 2
	var out []byte
	for f.more() {
		opt := f.next()
		size := f.optsize(opt)
		for n := structToAlign(len(out), &h, opt, size); n > 0; n-- {
			out = append(out, 0)
		}
		switch {
		case isStructInt(opt):
			n := float64(L.CheckNumber(arg))
			arg++
			var v uint64
			if n < 0 {
				v = uint64(int64(n))
			} else {
				v = uint64(n)
			}
			b := make([]byte, size)
			for i := 0; i < size; i++ {
				idx := i
				if !h.little {
					idx = size - 1 - i
				}
				b[idx] = byte(v)
				v >>= 8
			}
			out = append(out, b...)
		case opt == 'x':
			out = append(out, 0)
		case opt == 'f':
			bits := math.Float32bits(float32(L.CheckNumber(arg)))
			arg++
			out = appendUint(out, uint64(bits), 4, h.little)
		case opt == 'd':
			bits := math.Float64bits(float64(L.CheckNumber(arg)))
			arg++
			out = appendUint(out, bits, 8, h.little)
		case opt == 'c' || opt == 's':
			s := L.CheckString(arg)
			arg++
			if size == 0 {
				size = len(s)
			}
			if len(s) < size {
				argError(L, arg, "string too short")
			}
			out = append(out, s[:size]...)
			if opt == 's' {
				out = append(out, 0)
			}
		default:
			f.control(opt, &h)
		}
	}
	L.Push(lua.LString(out))
	return 1
}

func appendUint(out []byte, v uint64, size int, little bool) []byte {
	var b [8]byte
	if little {
		binary.LittleEndian.PutUint64(b[:], v)
		return append(out, b[:size]...)
	}
	binary.BigEndian.PutUint64(b[:], v<<(8*(8-uint(size))))
	return append(out, b[:size]...)
}

func structGetInt(b []byte, little, signed bool) float64 {
	var l uint64
	size := len(b)
	for i := 0; i < size; i++ {
		idx := i
		if little {
			idx = size - 1 - i
		}
		l = l<<8 | uint64(b[idx])
	}
	if !signed {
		return float64(l)
	}
	if size*8 < 64 {
		mask := ^uint64(0) << (uint(size)*8 - 1)
		if l&mask != 0 {
			l |= mask
		}
	}
	return float64(int64(l))
}

func structUnpack(L *lua.LState) int {
	f := &structFmt{L: L, s: L.CheckString(1)}
	data := L.CheckString(2)
	ld := len(data)
	pos := L.OptInt(3, 1) - 1
	if pos < 0 {
		argError(L, 3, "offset must be 1 or greater")
	}
	h := structHeader{little: true, align: 1}
	n := 0
	for f.more() {
		opt := f.next()
		size := f.optsize(opt)
		pos += structToAlign(pos, &h, opt, size)
		if size > ld || pos > ld-size {
			argError(L, 2, "data string too short")
		}
		switch {
		case isStructInt(opt):
			signed := opt >= 'a' && opt <= 'z'
			L.Push(lua.LNumber(structGetInt([]byte(data[pos:pos+size]), h.little, signed)))
			n++
		case opt == 'x':
		case opt == 'f':
			v := readUint([]byte(data[pos:pos+4]), h.little)
			L.Push(lua.LNumber(float64(math.Float32frombits(uint32(v)))))
			n++
		case opt == 'd':
			v := readUint([]byte(data[pos:pos+8]), h.little)
			L.Push(lua.LNumber(math.Float64frombits(v)))
			n++
		case opt == 'c':
			if size == 0 {
				var prev lua.LValue = lua.LNil
				if n > 0 {
					prev = L.Get(-1)
				}
				num, ok := toNumber(prev)
				if n == 0 || !ok {
					L.RaiseError("format 'c0' needs a previous size")
				}
				size = int(num)
				L.Pop(1)
				n--
				if size > ld || pos > ld-size {
					argError(L, 2, "data string too short")
				}
			}
			L.Push(lua.LString(data[pos : pos+size]))
			n++
		case opt == 's':
			e := -1
			for i := pos; i < ld; i++ {
				if data[i] == 0 {
					e = i
					break
				}
			}
			if e < 0 {
				L.RaiseError("unfinished string in data")
			}
			size = e - pos + 1
			L.Push(lua.LString(data[pos : pos+size-1]))
			n++
		default:
			f.control(opt, &h)
		}
		pos += size
	}
	L.Push(lua.LNumber(pos + 1))
	return n + 1
}

func toNumber(v lua.LValue) (float64, bool) {
	switch x := v.(type) {
	case lua.LNumber:
		return float64(x), true
	case lua.LString:
		n, err := strconv.ParseFloat(string(x), 64)
		return n, err == nil
	}
	return 0, false
}

func readUint(b []byte, little bool) uint64 {
	var v uint64
	for i := range b {
		idx := i
		if little {
			idx = len(b) - 1 - i
		}
		v = v<<8 | uint64(b[idx])
	}
	return v
}

func structSize(L *lua.LState) int {
	f := &structFmt{L: L, s: L.CheckString(1)}
	h := structHeader{little: true, align: 1}
	pos := 0
	for f.more() {
		opt := f.next()
		size := f.optsize(opt)
		pos += structToAlign(pos, &h, opt, size)
		if opt == 's' {
			argError(L, 1, "option 's' has no fixed size")
		} else if opt == 'c' && size == 0 {
			argError(L, 1, "option 'c0' has no fixed size")
		}
		if !isAlnum(opt) {
			f.control(opt, &h)
		}
		pos += size
	}
	L.Push(lua.LNumber(pos))
	return 1
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
