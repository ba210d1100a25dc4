package listpack

import (
	"bytes"
	"encoding/hex"
	"strconv"
	"strings"
	"testing"
)

// redisListpack is the listpack Redis 7.0.15 builds for
// RPUSH l a 1 -1 127 128 -4096 4095 -4097 32767 40000 8388607 8388608
// 2147483647 2147483648 -9223372036854775808 <70 x> 012
// (taken from DUMP).
const redisListpack = "9a00000011008161020101dfff027f01c08002d00002cfff02f1ffef03f1ff7f03f2409c0004f2ffff7f04f30000800005f3ffffff7f05f4000000800000000009f4000000000000008009e046" +
	"78787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878787878" + "488330313204ff"

var elements = []string{"a", "1", "-1", "127", "128", "-4096", "4095", "-4097", "32767", "40000", "8388607", "8388608",
	"2147483647", "2147483648", "-9223372036854775808", strings.Repeat("x", 70), "012"}

func TestMatchesRedis(t *testing.T) {
	lp := New(0)
	for _, e := range elements {
		lp = Append(lp, []byte(e))
	}
	want, _ := hex.DecodeString(redisListpack)
	if !bytes.Equal(lp, want) {
		t.Fatalf("listpack differs from Redis's:\n got  %x\n want %x", lp, want)
	}
	if Len(lp) != len(elements) || Bytes(lp) != len(lp) {
		t.Fatalf("Len %d Bytes %d", Len(lp), Bytes(lp))
	}
	// Forward and backward walks give the elements back.
	i := 0
	for p := First(lp); p >= 0; p = Next(lp, p) {
		if got := string(AppendValue(nil, lp, p)); got != elements[i] {
			t.Fatalf("element %d = %q, want %q", i, got, elements[i])
		}
		if !Equal(lp, p, []byte(elements[i])) {
			t.Fatalf("Equal(%d) false", i)
		}
		i++
	}
	for p := Last(lp); p >= 0; p = Prev(lp, p) {
		i--
		if got := string(AppendValue(nil, lp, p)); got != elements[i] {
			t.Fatalf("backwards element %d = %q, want %q", i, got, elements[i])
		}
	}
	if i != 0 {
		t.Fatalf("backward walk stopped at %d", i)
	}
}

func TestLongStringsAndReplace(t *testing.T) {
	lp := New(0)
	sizes := []int{0, 63, 64, 127, 128, 4095, 4096, 20000}
	for _, n := range sizes {
		lp = Append(lp, bytes.Repeat([]byte{'y'}, n))
	}
	lp = AppendInt(lp, 5)
	p := First(lp)
	for _, n := range sizes {
		if s, _, isInt := Get(lp, p); isInt || len(s) != n {
			t.Fatalf("size %d: got %d bytes (int %v)", n, len(s), isInt)
		}
		if ElementSize(lp, p) != EncodedSize(bytes.Repeat([]byte{'y'}, n)) {
			t.Fatalf("size %d: ElementSize %d EncodedSize %d", n, ElementSize(lp, p), EncodedSize(bytes.Repeat([]byte{'y'}, n)))
		}
		p = Next(lp, p)
	}
	last := Last(lp)
	for _, v := range []int64{5, 200, 70000, -3, 1 << 40, 0} {
		lp = ReplaceInt(lp, last, v)
		if got := GetInt(lp, Last(lp)); got != v {
			t.Fatalf("ReplaceInt %d: got %d", v, got)
		}
		if Bytes(lp) != len(lp) {
			t.Fatal("header size not updated")
		}
		if got := string(AppendValue(nil, lp, Last(lp))); got != strconv.FormatInt(v, 10) {
			t.Fatalf("AppendValue = %q", got)
		}
	}
	// Walking back over the long strings lands on the first element.
	q := Last(lp)
	n := 0
	for ; q >= 0; q = Prev(lp, q) {
		n++
	}
	if n != len(sizes)+1 {
		t.Fatalf("backward walk saw %d elements", n)
	}
}
