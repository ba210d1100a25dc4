package ds

import (
	"math/rand/v2"
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

// TestAllocSizeTable checks the lookup table against the binary search
// for every small size, and against the runtime for every size up to
// 4 KiB and for sizes around each class boundary.
func TestAllocSizeTable(t *testing.T) {
	runtimeCap := func(n int) int { return cap(append([]byte(nil), make([]byte, n)...)) }
	for n := 1; n <= maxSmall; n++ {
		if got, want := AllocSize(n), searchClass(n); got != want {
			t.Fatalf("AllocSize(%d) = %d, search gives %d", n, got, want)
		}
	}
	check := func(n int) {
		if n < 1 || n > maxSmall {
			return
		}
		if got, want := AllocSize(n), runtimeCap(n); got != want {
			t.Fatalf("AllocSize(%d) = %d, runtime gives %d", n, got, want)
		}
	}
	for n := 1; n <= 4096; n++ {
		check(n)
	}
	for _, c := range sizeClasses {
		check(c - 1)
		check(c)
		check(c + 1)
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
	blobs := map[string]unsafe.Pointer{}
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
		if err := checkZTreeScores(tr.root); err != "" {
			t.Fatalf("step %d: %s", step, err)
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
			tr.Remove(blobs[m])
			blobs[m] = ZBlob(s, []byte(m))
			tr.Insert(blobs[m])
			scores[m] = s
		default:
			s := float64(r.IntN(50))
			blobs[m] = ZBlob(s, []byte(m))
			tr.Insert(blobs[m])
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

// checkZTreeScores checks that the score arrays of the subtree at n match
// the blobs they shadow.
func checkZTreeScores(n *ztNode) string {
	if n.leaf {
		if len(n.scores) != len(n.items) {
			return "leaf scores out of step"
		}
		for i, p := range n.items {
			if n.scores[i] != ZScore(p) {
				return "leaf score differs from its blob's"
			}
		}
		return ""
	}
	if len(n.lowScores) != len(n.lows) {
		return "bound scores out of step"
	}
	for j := 1; j < len(n.lows); j++ {
		if n.lowScores[j] != ZScore(n.lows[j]) {
			return "bound score differs from its blob's"
		}
	}
	for _, k := range n.kids {
		if err := checkZTreeScores(k); err != "" {
			return err
		}
	}
	return ""
}
