package rdb

import (
	"bytes"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/redisctl/redisctl/engine/listpack"
)

func TestCRC64(t *testing.T) {
	// The check value of CRC-64/Jones as Redis's crc64 test uses it.
	if got := CRC64(0, []byte("123456789")); got != 0xe9c6d914c4b8d9ca {
		t.Fatalf("crc64 = %x", got)
	}
	a, b := []byte("hello "), []byte("world")
	if CRC64(CRC64(0, a), b) != CRC64(0, []byte("hello world")) {
		t.Fatal("crc64 is not incremental")
	}
}

func TestLZFRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	inputs := [][]byte{
		bytes.Repeat([]byte("a"), 100),
		[]byte(strings.Repeat("hello world ", 50)),
		bytes.Repeat([]byte("abcdefgh"), 10000),
	}
	for i := 0; i < 200; i++ {
		n := r.IntN(3000) + 1
		b := make([]byte, n)
		alpha := r.IntN(255) + 1
		for j := range b {
			b[j] = byte(r.IntN(alpha))
		}
		inputs = append(inputs, b)
	}
	for _, in := range inputs {
		c := Compress(in, len(in)+len(in)/32+64, nil, nil)
		if c == nil {
			t.Fatalf("compress of %d bytes failed with room", len(in))
		}
		out, err := Decompress(c, len(in), nil)
		if err != nil || !bytes.Equal(out, in) {
			t.Fatalf("round trip of %d bytes: err %v", len(in), err)
		}
		if short := Compress(in, len(c)-1, nil, nil); short != nil {
			t.Fatalf("compress into %d bytes returned %d", len(c)-1, len(short))
		}
	}
	if _, err := Decompress([]byte{0x20, 0x00}, 3, nil); err == nil {
		t.Fatal("back reference before the start accepted")
	}
}

func TestListpackRoundTrip(t *testing.T) {
	lp := listpack.New(0)
	elems := []string{"0", "127", "128", "-1", "4095", "-4096", "4096", "32767", "-32769", "8388607", "-8388609",
		"2147483647", "2147483648", "-9223372036854775808", "9223372036854775807", "9223372036854775808",
		"", "a", strings.Repeat("x", 63), strings.Repeat("y", 64), strings.Repeat("z", 4095), strings.Repeat("w", 4096), "007", "-0", "+1"}
	for _, e := range elems {
		lp = listpack.Append(lp, []byte(e))
	}
	var got []string
	if err := ListpackEach(lp, func(e []byte) error { got = append(got, string(e)); return nil }); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ",") != strings.Join(elems, ",") {
		t.Fatalf("got %q", got)
	}
}

func TestIntEncodedStrings(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []byte
	}{
		{"1", []byte{0xC0, 1}},
		{"-129", []byte{0xC1, 0x7F, 0xFF}},
		{"2147483647", []byte{0xC2, 0xFF, 0xFF, 0xFF, 0x7F}},
		{"2147483648", append([]byte{10}, "2147483648"...)},
		{"01", []byte{2, '0', '1'}},
	} {
		if got := AppendString(nil, []byte(c.in), nil); !bytes.Equal(got, c.want) {
			t.Errorf("%s: % x, want % x", c.in, got, c.want)
		}
		r := newBytesReader(c.want)
		s, err := r.str()
		if err != nil || string(s) != c.in {
			t.Errorf("%s read back as %q, %v", c.in, s, err)
		}
	}
}

func TestCanonicalInt(t *testing.T) {
	for _, s := range []string{"0", "-1", "7", "123", "-9223372036854775808", "9223372036854775807", "1000000000000000000",
		"", "-", "-0", "01", "+1", "1a", " 1", "9223372036854775808", "-9223372036854775809", "99999999999999999999"} {
		v, err := strconv.ParseInt(s, 10, 64)
		want := err == nil && strconv.FormatInt(v, 10) == s
		got, ok := isInt([]byte(s))
		if ok != want || ok && got != v {
			t.Errorf("%q: %d %v, want %d %v", s, got, ok, v, want)
		}
	}
}
