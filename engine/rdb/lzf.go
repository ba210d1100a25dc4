package rdb

import "errors"

// LZF is the compression Redis applies to long strings in RDB files
// (liblzf 3.6 as Redis 7.0 ships and configures it: a 16-bit hash table, "very fast"
// mode). Compress reproduces that compressor's output exactly, so DUMP
// payloads of compressible values are byte-identical to Redis's.
//
// Compressed format, a sequence of:
//
//	000LLLLL + L+1 literal bytes
//	LLLooooo oooooooo            back reference of L+2 bytes (L < 7), offset o+1
//	111ooooo LLLLLLLL oooooooo   back reference of L+9 bytes

const (
	lzfHashLog = 16
	lzfMaxLit  = 1 << 5
	lzfMaxOff  = 1 << 13
	lzfMaxRef  = (1 << 8) + (1 << 3)
)

func lzfIndex(h uint32) uint32 {
	return ((h >> (3*8 - lzfHashLog)) - h*5) & (1<<lzfHashLog - 1)
}

// lzfState is the compressor's hash table of input positions. Entries
// are stored offset by base, which moves past every input compressed, so
// entries left by earlier inputs read as negative positions and never
// match: the table need not be cleared (256 KB) for every string.
type lzfState struct {
	tab  [1 << lzfHashLog]uint32
	base uint32
}

// Compress compresses in into out[:0] when the result fits in maxOut
// bytes, returning nil when it does not (Redis stores such values
// uncompressed). st is scratch space; pass nil to allocate one.
func Compress(in []byte, maxOut int, out []byte, st *lzfState) []byte {
	n := len(in)
	if n == 0 || maxOut <= 0 {
		return nil
	}
	if st == nil {
		st = new(lzfState)
	}
	if uint64(st.base)+uint64(n)+2 >= 1<<32 {
		clear(st.tab[:])
		st.base = 0
	}
	base := int(st.base) + 1 // stored value = position + base
	st.base += uint32(n) + 1
	// A few bytes of slack let the bookkeeping writes below run past
	// maxOut exactly where liblzf's would before it gives up.
	if cap(out) < maxOut+8 {
		out = make([]byte, maxOut+8)
	}
	o := out[:maxOut+8]
	op, ip, lit := 1, 0, 0 // op starts after the first literal run's header
	hval := uint32(in[0])<<8 | uint32(in[1%n])
	for ip < n-2 {
		hval = hval<<8 | uint32(in[ip+2])
		slot := &st.tab[lzfIndex(hval)]
		ref := int(*slot) - base
		*slot = uint32(ip + base)
		off := ip - ref - 1
		if ref > 0 && ref < ip && off < lzfMaxOff &&
			in[ref] == in[ip] && in[ref+1] == in[ip+1] && in[ref+2] == in[ip+2] {
			length := 2
			maxlen := n - ip - length
			if maxlen > lzfMaxRef {
				maxlen = lzfMaxRef
			}
			noLit := 0
			if lit == 0 {
				noLit = 1
			}
			if op+3+1 >= maxOut && op-noLit+3+1 >= maxOut {
				return nil
			}
			o[op-lit-1] = byte(lit - 1) // stop run
			op -= noLit
			// liblzf compares 16 bytes without the length bound first when
			// more than 16 remain, then byte by byte up to maxlen; near the
			// end of the input that can make a match longer than maxlen,
			// which is reproduced here.
			mismatch := false
			if maxlen > 16 {
				for k := 0; k < 16; k++ {
					length++
					if in[ref+length] != in[ip+length] {
						mismatch = true
						break
					}
				}
			}
			for !mismatch {
				length++
				if length >= maxlen || in[ref+length] != in[ip+length] {
					break
				}
			}
			length -= 2 // now the number of bytes - 1
			ip++
			if length < 7 {
				o[op] = byte(off>>8 + length<<5)
				op++
			} else {
				o[op] = byte(off>>8 + 7<<5)
				o[op+1] = byte(length - 7)
				op += 2
			}
			o[op] = byte(off)
			op++
			lit = 0
			op++ // start run
			ip += length + 1
			if ip >= n-2 {
				break
			}
			ip -= 2
			hval = uint32(in[ip])<<8 | uint32(in[ip+1])
			hval = hval<<8 | uint32(in[ip+2])
			st.tab[lzfIndex(hval)] = uint32(ip + base)
			ip++
			hval = hval<<8 | uint32(in[ip+2])
			st.tab[lzfIndex(hval)] = uint32(ip + base)
			ip++
			continue
		}
		if op >= maxOut {
			return nil
		}
		op, lit = lzfLiteral(o, op, lit, in[ip])
		ip++
	}
	if op+3 > maxOut {
		return nil
	}
	for ; ip < n; ip++ {
		op, lit = lzfLiteral(o, op, lit, in[ip])
	}
	o[op-lit-1] = byte(lit - 1)
	if lit == 0 {
		op--
	}
	return o[:op]
}

// lzfLiteral appends c to the literal run whose header is at o[op-lit-1],
// closing the run when it is full, and returns the new op and lit.
func lzfLiteral(o []byte, op, lit int, c byte) (int, int) {
	lit++
	o[op] = c
	op++
	if lit == lzfMaxLit {
		o[op-lit-1] = byte(lit - 1)
		lit = 0
		op++
	}
	return op, lit
}

var errLZF = errors.New("invalid LZF data")

// Decompress expands in, which must decompress to exactly n bytes, into
// out (reused when large enough).
func Decompress(in []byte, n int, out []byte) ([]byte, error) {
	if cap(out) < n {
		out = make([]byte, n)
	}
	out = out[:n]
	ip, op := 0, 0
	for ip < len(in) {
		ctrl := int(in[ip])
		ip++
		if ctrl < 1<<5 {
			ctrl++
			if op+ctrl > n || ip+ctrl > len(in) {
				return nil, errLZF
			}
			copy(out[op:], in[ip:ip+ctrl])
			op += ctrl
			ip += ctrl
			continue
		}
		length := ctrl >> 5
		ref := op - (ctrl&0x1f)<<8 - 1
		if length == 7 {
			if ip >= len(in) {
				return nil, errLZF
			}
			length += int(in[ip])
			ip++
		}
		if ip >= len(in) {
			return nil, errLZF
		}
		ref -= int(in[ip])
		ip++
		length += 2
		if op+length > n || ref < 0 {
			return nil, errLZF
		}
		for i := 0; i < length; i++ { // overlapping copies repeat bytes
			out[op+i] = out[ref+i]
		}
		op += length
	}
	if op != n {
		return nil, errLZF
	}
	return out, nil
}
