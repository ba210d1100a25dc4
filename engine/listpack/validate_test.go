package listpack

import (
	"encoding/hex"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	good, _ := hex.DecodeString(redisListpack)
	if err := Validate(good); err != nil {
		t.Fatalf("Redis's listpack rejected: %v", err)
	}
	unknown := append([]byte(nil), good...)
	unknown[4], unknown[5] = 0xFF, 0xFF // count unknown: allowed
	if err := Validate(unknown); err != nil {
		t.Fatalf("unknown count rejected: %v", err)
	}
	str := Append(New(0), []byte("abc")) // 0x83 a b c 0x04 at 6..10, 0xFF at 11
	cases := []struct {
		name string
		lp   []byte
		want string
	}{
		{"short", good[:6], "too short"},
		{"size", good[:len(good)-1], "size header"},
		{"terminator", with(str, 11, 0), "no terminator"},
		{"count", with(good, 4, 3), "count header 3"},
		{"encoding", with(str, 6, 0xF5), "bad encoding byte 0xf5"},
		{"string overflows", with(str, 6, 0x85), "entry overflows"},
		{"backlen", with(str, 10, 5), "bad back length"},
		{"backlen continuation", with(str, 10, 0x84), "bad back length"},
		{"eof inside", with(str, 6, 0xFF), "bad encoding byte 0xff"},
		{"truncated header", trunc(Append(New(0), []byte(strings.Repeat("x", 100)))), "truncated entry"},
	}
	for _, c := range cases {
		err := Validate(c.lp)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: Validate = %v, want %q", c.name, err, c.want)
		}
	}
}

// with returns a copy of lp with byte i set to b.
func with(lp []byte, i int, b byte) []byte {
	c := append([]byte(nil), lp...)
	c[i] = b
	return c
}

// trunc cuts lp to its header, first encoding byte and terminator, with
// a header that matches.
func trunc(lp []byte) []byte {
	c := append(append([]byte(nil), lp[:headerSize+1]...), eof)
	SetHeader(c, 1)
	return c
}
