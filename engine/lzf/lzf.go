// Package lzf is the LZF compression Redis uses for RDB strings: Compress
// produces what Redis's liblzf (VERY_FAST, 16-bit hash) produces, and
// Decompress reads any LZF stream.
package lzf

import "errors"

const (
	hlog   = 16
	hsize  = 1 << hlog
	maxLit = 1 << 5
	maxOff = 1 << 13
	maxRef = (1 << 8) + (1 << 3)
)

func idx(h uint32) uint32 { return ((h >> (3*8 - hlog)) - h*5) & (hsize - 1) }

// Compress compresses in into at most maxOut bytes and returns the
// result, or nil when it does not fit (as lzf_compress returns 0).
func Compress(in []byte, maxOut int) []byte {
	n := len(in)
	if n == 0 || maxOut == 0 {
		return nil
	}
	htab := make([]int32, hsize) // offsets + 1; 0 is "none"
	out := make([]byte, 0, maxOut+16)
	lit := 0
	out = append(out, 0) // start run
	ip := 0
	hval := uint32(in[0])<<8 | uint32(in[1%n])
	if n < 2 {
		hval = uint32(in[0]) << 8
	}
	for ip < n-2 {
		hval = hval<<8 | uint32(in[ip+2])
		slot := idx(hval)
		ref := int(htab[slot]) - 1
		htab[slot] = int32(ip + 1)
		off := ip - ref - 1
		if ref > 0 && off < maxOff && off >= 0 && in[ref+2] == in[ip+2] && in[ref] == in[ip] && in[ref+1] == in[ip+1] {
			length := 2
			maxlen := n - ip - length
			if maxlen > maxRef {
				maxlen = maxRef
			}
			if len(out)+3+1 >= maxOut {
				extra := 0
				if lit == 0 {
					extra = 1
				}
				if len(out)-extra+3+1 >= maxOut {
					return nil
				}
			}
			out[len(out)-lit-1] = byte(lit - 1)
			if lit == 0 {
				out = out[:len(out)-1]
			}
			for {
				length++
				if length >= maxlen || in[ref+length] != in[ip+length] {
					break
				}
			}
			length -= 2
			ip++
			if length < 7 {
				out = append(out, byte(off>>8)+byte(length<<5))
			} else {
				out = append(out, byte(off>>8)+(7<<5), byte(length-7))
			}
			out = append(out, byte(off))
			lit = 0
			out = append(out, 0)
			ip += length + 1
			if ip >= n-2 {
				break
			}
			ip -= 2
			hval = uint32(in[ip])<<8 | uint32(in[ip+1])
			hval = hval<<8 | uint32(in[ip+2])
			htab[idx(hval)] = int32(ip + 1)
			ip++
			hval = hval<<8 | uint32(in[ip+2])
			htab[idx(hval)] = int32(ip + 1)
			ip++
			continue
		}
		if len(out) >= maxOut {
			return nil
		}
		lit++
		out = append(out, in[ip])
		ip++
		if lit == maxLit {
			out[len(out)-lit-1] = byte(lit - 1)
			lit = 0
			out = append(out, 0)
		}
	}
	if len(out)+3 > maxOut {
		return nil
	}
	for ip < n {
		lit++
		out = append(out, in[ip])
		ip++
		if lit == maxLit {
			out[len(out)-lit-1] = byte(lit - 1)
			lit = 0
			out = append(out, 0)
		}
	}
	out[len(out)-lit-1] = byte(lit - 1)
	if lit == 0 {
		out = out[:len(out)-1]
	}
	if len(out) > maxOut {
		return nil
	}
	return out
}

// ErrCorrupt is returned for a stream that is not valid LZF or does not
// decompress to the expected length.
var ErrCorrupt = errors.New("lzf: corrupt input")

// Decompress expands in, which must decompress to exactly outLen bytes.
func Decompress(in []byte, outLen int) ([]byte, error) {
	out := make([]byte, 0, outLen)
	ip := 0
	for ip < len(in) {
		ctrl := int(in[ip])
		ip++
		if ctrl < 1<<5 {
			ctrl++
			if ip+ctrl > len(in) || len(out)+ctrl > outLen {
				return nil, ErrCorrupt
			}
			out = append(out, in[ip:ip+ctrl]...)
			ip += ctrl
			continue
		}
		length := ctrl >> 5
		ref := len(out) - ((ctrl & 0x1f) << 8) - 1
		if length == 7 {
			if ip >= len(in) {
				return nil, ErrCorrupt
			}
			length += int(in[ip])
			ip++
		}
		if ip >= len(in) {
			return nil, ErrCorrupt
		}
		ref -= int(in[ip])
		ip++
		length += 2
		if ref < 0 || len(out)+length > outLen {
			return nil, ErrCorrupt
		}
		for i := 0; i < length; i++ {
			out = append(out, out[ref+i])
		}
	}
	if len(out) != outLen {
		return nil, ErrCorrupt
	}
	return out, nil
}
