package rdb

import (
	"encoding/binary"
	"strings"
	"testing"
)

// Encodings older Redis versions wrote, which Redis 7.0 still loads:
// ziplists (lists, hashes, sorted sets, quicklist v1 nodes) and zipmaps.

// buildZiplist lays out a ziplist of strings and small integers the way
// Redis 6 does.
func buildZiplist(elems []any) []byte {
	zl := make([]byte, 10)
	prev, last := 0, 10
	for _, e := range elems {
		start := len(zl)
		if prev < 254 {
			zl = append(zl, byte(prev))
		} else {
			zl = append(zl, 254)
			zl = binary.LittleEndian.AppendUint32(zl, uint32(prev))
		}
		switch v := e.(type) {
		case string:
			if len(v) < 64 {
				zl = append(zl, byte(len(v)))
			} else {
				zl = append(zl, 0x40|byte(len(v)>>8), byte(len(v)))
			}
			zl = append(zl, v...)
		case int:
			switch {
			case v >= 0 && v <= 12:
				zl = append(zl, 0xF1+byte(v))
			case v >= -128 && v <= 127:
				zl = append(zl, 0xFE, byte(v))
			default:
				zl = append(zl, 0xD0)
				zl = binary.LittleEndian.AppendUint32(zl, uint32(int32(v)))
			}
		}
		prev, last = len(zl)-start, start
	}
	zl = append(zl, 0xFF)
	binary.LittleEndian.PutUint32(zl, uint32(len(zl)))
	binary.LittleEndian.PutUint32(zl[4:], uint32(last))
	binary.LittleEndian.PutUint16(zl[8:], uint16(len(elems)))
	return zl
}

func TestLegacyEncodings(t *testing.T) {
	long := strings.Repeat("x", 300)
	zl := buildZiplist([]any{"a", 7, -100, 100000, long, "b"})
	var got []string
	if err := ZiplistEach(zl, func(e []byte) error { got = append(got, string(e)); return nil }); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ",") != "a,7,-100,100000,"+long+",b" {
		t.Fatalf("ziplist: %q", got)
	}
	zl[len(zl)-2] = 'c'
	if err := ZiplistEach(zl[:len(zl)-3], func([]byte) error { return nil }); err == nil {
		t.Fatal("truncated ziplist accepted")
	}

	// A version 9 file with a ziplist hash, a quicklist (v1) list, a
	// ziplist sorted set and a zipmap hash.
	b := []byte("REDIS0009")
	b = AppendSelectDB(b, 0)
	b = AppendString(append(b, TypeHashZiplist, 1, 'h'), buildZiplist([]any{"f", "v", "n", 5}), nil)
	b = append(b, TypeListQuicklist, 1, 'l', 2)
	b = AppendString(b, buildZiplist([]any{"x", 1}), nil)
	b = AppendString(b, buildZiplist([]any{"y"}), nil)
	b = AppendString(append(b, TypeZSetZiplist, 1, 'z'), buildZiplist([]any{"m", "1.5", "n", 2}), nil)
	zm := []byte{2, 1, 'a', 1, 0, 'b', 1, 'c', 1, 1, 'd', 'e', 0xFF} // "d" then one free byte
	b = AppendString(append(b, TypeHashZipmap, 1, 'm'), zm, nil)
	b = append(b, OpEOF)
	b = binary.LittleEndian.AppendUint64(b, CRC64(0, b))
	c := newCollect()
	if _, err := LoadBytes(b, c, LoadOptions{}); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"0/h": `["f=v" "n=5"]`, "0/l": `["x" "1" "y"]`, "0/z": `["m 1.5" "n 2"]`, "0/m": `["a=b" "c=d"]`,
	}
	for k, v := range want {
		if c.data[k].Value != v {
			t.Errorf("%s = %s, want %s", k, c.data[k].Value, v)
		}
	}
}
