package ds

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"testing"
	"unsafe"
)

func TestAllocSize(t *testing.T) {
	for _, n := range []int{1, 8, 9, 24, 25, 1000, 8192, 8193, 32768, 40000} {
		got := AllocSize(n)
		want := cap(append([]byte(nil), make([]byte, n)...))
		if n <= maxSmall && got != want {
			t.Errorf("AllocSize(%d) = %d, runtime gives %d", n, got, want)
		}
		if got < n {
			t.Errorf("AllocSize(%d) = %d < n", n, got)
		}
	}
}

func lpElems(lp []byte) []string {
	var out []string
	for p := LPFirst(lp); p >= 0; p = LPNext(lp, p) {
		out = append(out, string(LPBytesAt(lp, p, nil)))
	}
	return out
}

func lpElemsBackward(lp []byte) []string {
	var out []string
	for p := LPLast(lp); p >= 0; p = LPPrev(lp, p) {
		out = append(out, string(LPBytesAt(lp, p, nil)))
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
	lp := NewListpack(0)
	var model []string
	for step := 0; step < 5000; step++ {
		switch op := r.IntN(5); {
		case op <= 1 || len(model) == 0:
			e := randElem(r)
			i := r.IntN(len(model) + 1)
			p := LPSeek(lp, i)
			lp, _ = LPInsert(lp, p, []byte(e))
			model = slices.Insert(model, i, e)
		case op == 2:
			i := r.IntN(len(model))
			lp = LPDelete(lp, LPSeek(lp, i))
			model = slices.Delete(model, i, i+1)
		case op == 3:
			i := r.IntN(len(model))
			e := randElem(r)
			lp = LPReplace(lp, LPSeek(lp, i), []byte(e))
			model[i] = e
		default:
			i := r.IntN(len(model))
			n := r.IntN(4)
			lp = LPDeleteRange(lp, LPSeek(lp, i), n)
			model = slices.Delete(model, i, min(i+n, len(model)))
		}
		if !LPValid(lp) {
			t.Fatalf("step %d: invalid listpack", step)
		}
		if LPLen(lp) != len(model) {
			t.Fatalf("step %d: len %d, want %d", step, LPLen(lp), len(model))
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
		lp := LPAppend(NewListpack(0), []byte(c.elem))
		got := lp[6 : len(lp)-1]
		if !bytes.Equal(got, c.want) {
			t.Errorf("%q encoded as % x, want % x", c.elem, got, c.want)
		}
		if s := string(LPBytesAt(lp, LPFirst(lp), nil)); s != c.elem {
			t.Errorf("%q decoded as %q", c.elem, s)
		}
	}
	long := bytes.Repeat([]byte{'a'}, 200)
	lp := LPAppend(NewListpack(0), long)
	if lp[6] != 0xE0 || lp[7] != 200 || lp[len(lp)-3] != 1 || lp[len(lp)-2] != 202&127|128 {
		t.Errorf("12-bit string header/backlen wrong: % x ... % x", lp[6:8], lp[len(lp)-3:])
	}
}

func TestIntsetModel(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	is := NewIntset()
	model := map[int64]bool{}
	for step := 0; step < 3000; step++ {
		var v int64
		switch r.IntN(3) {
		case 0:
			v = r.Int64N(100) - 50
		case 1:
			v = r.Int64N(1<<20) - 1<<19
		default:
			v = r.Int64() - r.Int64()
		}
		if step > 1500 && r.IntN(2) == 0 {
			var removed bool
			is, removed = ISRemove(is, v)
			if removed != model[v] {
				t.Fatalf("remove %d: %v, model %v", v, removed, model[v])
			}
			delete(model, v)
		} else {
			var added bool
			is, added = ISAdd(is, v)
			if added == model[v] {
				t.Fatalf("add %d: added=%v but present=%v", v, added, model[v])
			}
			model[v] = true
		}
		if !ISValid(is) || ISLen(is) != len(model) {
			t.Fatalf("step %d: invalid intset or len %d != %d", step, ISLen(is), len(model))
		}
	}
	for v := range model {
		if !ISContains(is, v) {
			t.Fatalf("missing %d", v)
		}
	}
}

func TestDictScanNeverMisses(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	d := NewDict(0, 0)
	present := map[string]bool{}
	for i := 0; i < 2000; i++ {
		k := "k" + strconv.Itoa(i)
		d.Insert(MemberBlob([]byte(k)))
		present[k] = true
	}
	// Elements 0..999 stay for the whole scan; the others come and go,
	// which grows and shrinks the table between cursor steps.
	seen := map[string]bool{}
	cursor := uint64(0)
	next := 2000
	for steps := 0; ; steps++ {
		cursor = d.Scan(cursor, func(p unsafe.Pointer) { seen[string(BlobKey(p, 0))] = true })
		for j := 0; j < 20; j++ {
			if r.IntN(2) == 0 {
				k := "k" + strconv.Itoa(next)
				next++
				d.Insert(MemberBlob([]byte(k)))
			} else {
				k := "k" + strconv.Itoa(1000+r.IntN(next-1000))
				d.Delete([]byte(k))
			}
		}
		if steps%100 == 0 {
			for d.Len() > 1100 {
				d.Delete([]byte("k" + strconv.Itoa(1000+r.IntN(next-1000))))
			}
		}
		if cursor == 0 {
			break
		}
		if steps > 1e6 {
			t.Fatal("scan does not terminate")
		}
	}
	for i := 0; i < 1000; i++ {
		if k := "k" + strconv.Itoa(i); !seen[k] {
			t.Fatalf("scan missed %s", k)
		}
	}
}

func TestDictModel(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	d := NewDict(0, 0)
	model := map[string]string{}
	for step := 0; step < 20000; step++ {
		k := "f" + strconv.Itoa(r.IntN(3000))
		if r.IntN(3) == 0 {
			p := d.Delete([]byte(k))
			_, ok := model[k]
			if (p != nil) != ok {
				t.Fatalf("delete %s: %v vs %v", k, p != nil, ok)
			}
			delete(model, k)
			continue
		}
		v := strconv.Itoa(step)
		p := FieldBlob([]byte(k), []byte(v))
		if d.Replace(p) == nil {
			d.Insert(p)
		}
		model[k] = v
	}
	if d.Len() != len(model) {
		t.Fatalf("len %d vs %d", d.Len(), len(model))
	}
	for k, v := range model {
		p := d.Find([]byte(k))
		if p == nil || string(FieldValue(p)) != v {
			t.Fatalf("find %s", k)
		}
	}
}

type zel struct {
	score float64
	m     string
}

func TestZTreeModel(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	tr := NewZTree()
	scores := map[string]float64{}
	check := func(step int) {
		var model []zel
		for m, s := range scores {
			model = append(model, zel{s, m})
		}
		sort.Slice(model, func(i, j int) bool {
			if model[i].score != model[j].score {
				return model[i].score < model[j].score
			}
			return model[i].m < model[j].m
		})
		if tr.Len() != len(model) {
			t.Fatalf("step %d: len %d vs %d", step, tr.Len(), len(model))
		}
		i := 0
		for it := tr.First(); it.Valid(); it.Next() {
			p := it.Blob()
			if ZScore(p) != model[i].score || string(ZMember(p)) != model[i].m {
				t.Fatalf("step %d: element %d is (%v,%s), want %v", step, i, ZScore(p), ZMember(p), model[i])
			}
			i++
		}
		i = len(model) - 1
		for it := tr.Last(); it.Valid(); it.Prev() {
			if string(ZMember(it.Blob())) != model[i].m {
				t.Fatalf("step %d: backward element %d", step, i)
			}
			i--
		}
		for k := 0; k < 20 && len(model) > 0; k++ {
			j := r.IntN(len(model))
			if rk := tr.Rank(model[j].score, []byte(model[j].m)); rk != j {
				t.Fatalf("step %d: rank of %v = %d, want %d", step, model[j], rk, j)
			}
			if p := tr.ByRank(j).Blob(); string(ZMember(p)) != model[j].m {
				t.Fatalf("step %d: ByRank(%d)", step, j)
			}
			min := model[j].score
			it, rank := tr.Seek(func(p unsafe.Pointer) bool { return ZScore(p) >= min })
			want := sort.Search(len(model), func(i int) bool { return model[i].score >= min })
			if rank != want || !it.Valid() || string(ZMember(it.Blob())) != model[want].m {
				t.Fatalf("step %d: seek score %v: rank %d want %d", step, min, rank, want)
			}
		}
	}
	for step := 0; step < 30000; step++ {
		m := "m" + strconv.Itoa(r.IntN(4000))
		old, ok := scores[m]
		switch {
		case ok && r.IntN(2) == 0:
			if p := tr.Delete(old, []byte(m)); p == nil {
				t.Fatalf("delete %s failed", m)
			}
			delete(scores, m)
		case ok:
			s := float64(r.IntN(50))
			tr.Delete(old, []byte(m))
			tr.Insert(ZBlob(s, []byte(m)))
			scores[m] = s
		default:
			s := float64(r.IntN(50))
			tr.Insert(ZBlob(s, []byte(m)))
			scores[m] = s
		}
		if step%3000 == 0 {
			check(step)
		}
	}
	check(-1)
	for m, s := range scores {
		tr.Delete(s, []byte(m))
	}
	if tr.Len() != 0 || tr.First().Valid() {
		t.Fatal("tree not empty after deleting everything")
	}
}
