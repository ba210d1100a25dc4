package listpack

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
)

func lpElems(lp []byte) []string {
	var out []string
	for p := First(lp); p >= 0; p = Next(lp, p) {
		out = append(out, string(BytesAt(lp, p, nil)))
	}
	return out
}

func lpElemsBackward(lp []byte) []string {
	var out []string
	for p := Last(lp); p >= 0; p = Prev(lp, p) {
		out = append(out, string(BytesAt(lp, p, nil)))
	}
	slices.Reverse(out)
	return out
}

func randElem(r *rand.Rand) string {
	switch r.IntN(6) {
	case 0:
		return strconv.FormatInt(r.Int64N(200)-100, 10)
	case 1:
		return strconv.FormatInt(r.Int64()-r.Int64(), 10)
	case 2:
		return string(bytes.Repeat([]byte{'x'}, r.IntN(5000)))
	case 3:
		return "0" + strconv.Itoa(r.IntN(100)) // leading zero: a string
	case 4:
		return ""
	}
	return fmt.Sprintf("e%d", r.IntN(1000))
}

func TestListpackModel(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	lp := New(0)
	var model []string
	for step := 0; step < 5000; step++ {
		switch op := r.IntN(5); {
		case op <= 1 || len(model) == 0:
			e := randElem(r)
			i := r.IntN(len(model) + 1)
			p := Seek(lp, i)
			lp, _ = Insert(lp, p, []byte(e))
			model = slices.Insert(model, i, e)
		case op == 2:
			i := r.IntN(len(model))
			lp = Delete(lp, Seek(lp, i))
			model = slices.Delete(model, i, i+1)
		case op == 3:
			i := r.IntN(len(model))
			e := randElem(r)
			lp = Replace(lp, Seek(lp, i), []byte(e))
			model[i] = e
		default:
			i := r.IntN(len(model))
			n := r.IntN(4)
			lp = DeleteRange(lp, Seek(lp, i), n)
			model = slices.Delete(model, i, min(i+n, len(model)))
		}
		if err := Validate(lp); err != nil {
			t.Fatalf("step %d: invalid listpack: %v", step, err)
		}
		if Len(lp) != len(model) {
			t.Fatalf("step %d: len %d, want %d", step, Len(lp), len(model))
		}
		if step%50 == 0 {
			if got := lpElems(lp); !slices.Equal(got, model) && !(len(got) == 0 && len(model) == 0) {
				t.Fatalf("step %d: forward %q, want %q", step, got, model)
			}
			if got := lpElemsBackward(lp); !slices.Equal(got, model) && !(len(got) == 0 && len(model) == 0) {
				t.Fatalf("step %d: backward mismatch", step)
			}
		}
	}
}

func TestListpackEncodings(t *testing.T) {
	// Expected bytes follow listpack.c's encodings.
	cases := []struct {
		elem string
		want []byte
	}{
		{"5", []byte{5, 1}},
		{"127", []byte{127, 1}},
		{"128", []byte{0xC0, 128, 2}},
		{"-1", []byte{0xDF, 0xFF, 2}},
		{"-4096", []byte{0xD0, 0x00, 2}},
		{"4096", []byte{0xF1, 0x00, 0x10, 3}},
		{"-32769", []byte{0xF2, 0xFF, 0x7F, 0xFF, 4}},
		{"abc", []byte{0x83, 'a', 'b', 'c', 4}},
		{"007", []byte{0x83, '0', '0', '7', 4}},
		{"-0", []byte{0x82, '-', '0', 3}},
	}
	for _, c := range cases {
		lp := Append(New(0), []byte(c.elem))
		got := lp[6 : len(lp)-1]
		if !bytes.Equal(got, c.want) {
			t.Errorf("%q encoded as % x, want % x", c.elem, got, c.want)
		}
		if s := string(BytesAt(lp, First(lp), nil)); s != c.elem {
			t.Errorf("%q decoded as %q", c.elem, s)
		}
	}
	long := bytes.Repeat([]byte{'a'}, 200)
	lp := Append(New(0), long)
	if lp[6] != 0xE0 || lp[7] != 200 || lp[len(lp)-3] != 1 || lp[len(lp)-2] != 202&127|128 {
		t.Errorf("12-bit string header/backlen wrong: % x ... % x", lp[6:8], lp[len(lp)-3:])
	}
}

func TestUnknownCountStaysUnknown(t *testing.T) {
	// Redis keeps a count of 65535 ("unknown") through inserts and
	// deletes; only a full walk can tell the count again.
	lp := Append(Append(New(0), []byte("a")), []byte("b"))
	SetHeader(lp, unknownCount)
	lp = Append(lp, []byte("c"))
	lp = Delete(lp, First(lp))
	if c := int(lp[4]) | int(lp[5])<<8; c != unknownCount {
		t.Fatalf("header count %d, want unknown", c)
	}
	if Len(lp) != 2 || Validate(lp) != nil {
		t.Fatalf("Len %d, Validate %v", Len(lp), Validate(lp))
	}
}
