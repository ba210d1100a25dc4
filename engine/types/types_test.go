package types

import (
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"testing"
)

// Model-based tests: random operations on a value and on a plain Go model,
// with limits small enough that values convert between encodings, and
// standalone compact values that grow out of their allocation.

var smallLimits = Limits{HashMaxEntries: 16, HashMaxValue: 8, SetMaxIntset: 16, ZsetMaxEntries: 16, ZsetMaxValue: 8, ListFill: 5}

func randMember(r *rand.Rand) string {
	switch r.IntN(4) {
	case 0:
		return strconv.Itoa(r.IntN(40) - 20)
	case 1:
		return "m" + strconv.Itoa(r.IntN(30))
	case 2:
		return strconv.Itoa(r.IntN(100000))
	}
	return "long-member-" + strconv.Itoa(r.IntN(10))
}

func TestHashModel(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	for run := 0; run < 20; run++ {
		h, model := NewHash(), map[string]string{}
		sawDict := false
		for step := 0; step < 400; step++ {
			f := randMember(r)
			if r.IntN(3) == 0 {
				var gone bool
				h, gone = h.Delete([]byte(f))
				_, had := model[f]
				if gone != had {
					t.Fatalf("delete %q: %v, model %v", f, gone, had)
				}
				delete(model, f)
			} else {
				v := randMember(r)
				var isNew bool
				h, isNew = h.Set([]byte(f), []byte(v), &smallLimits)
				if _, had := model[f]; isNew == had {
					t.Fatalf("set %q: new=%v, model had=%v", f, isNew, had)
				}
				model[f] = v
			}
			sawDict = sawDict || !h.Compact()
			if h.Len() != len(model) {
				t.Fatalf("len %d, model %d", h.Len(), len(model))
			}
		}
		got := map[string]string{}
		h.Each(func(f, v []byte) bool { got[string(f)] = string(v); return true })
		for f, v := range model {
			gv, ok := h.Get([]byte(f))
			if !ok || string(gv.Bytes(nil)) != v || got[f] != v {
				t.Fatalf("field %q: %q %v, want %q", f, gv.Bytes(nil), ok, v)
			}
		}
		if len(got) != len(model) {
			t.Fatalf("Each saw %d fields, want %d", len(got), len(model))
		}
		if !sawDict {
			t.Fatal("never converted to a hashtable")
		}
	}
}

func TestSetModel(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 2))
	for run := 0; run < 20; run++ {
		first := randMember(r)
		s, model := NewSetFor([]byte(first)), map[string]bool{}
		for step := 0; step < 300; step++ {
			m := randMember(r)
			if run%2 == 0 {
				m = strconv.Itoa(r.IntN(40) - 20) // mostly intsets
				if step == 250 {
					m = strconv.Itoa(1 << 40) // widen the encoding
				}
			}
			if r.IntN(3) == 0 {
				var gone bool
				s, gone = s.Remove([]byte(m))
				if gone != model[m] {
					t.Fatalf("remove %q: %v, model %v", m, gone, model[m])
				}
				delete(model, m)
			} else {
				var added bool
				s, added = s.Add([]byte(m), &smallLimits)
				if added == model[m] {
					t.Fatalf("add %q: %v, model %v", m, added, model[m])
				}
				model[m] = true
			}
			if s.Len() != len(model) {
				t.Fatalf("len %d, model %d", s.Len(), len(model))
			}
			if s.Intset() && s.Len() > int(smallLimits.SetMaxIntset) {
				t.Fatal("intset beyond set-max-intset-entries")
			}
		}
		var prev int64
		count := 0
		s.Each(func(m []byte) bool {
			if !model[string(m)] {
				t.Fatalf("unexpected member %q", m)
			}
			if s.Intset() {
				v, _ := strconv.ParseInt(string(m), 10, 64)
				if count > 0 && v <= prev {
					t.Fatal("intset not ascending")
				}
				prev = v
			}
			count++
			return true
		})
		if count != len(model) {
			t.Fatalf("Each saw %d, want %d", count, len(model))
		}
	}
}

func TestZSetModel(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	for run := 0; run < 20; run++ {
		z, model := NewZSet(1, &smallLimits), map[string]float64{}
		for step := 0; step < 300; step++ {
			m := randMember(r)
			s := float64(r.IntN(10)) / 2
			old, had := model[m]
			switch {
			case had && r.IntN(2) == 0:
				var gone bool
				z, gone = z.Delete([]byte(m))
				if !gone {
					t.Fatalf("delete %q failed", m)
				}
				delete(model, m)
			case had:
				z = z.Update([]byte(m), old, s)
				model[m] = s
			default:
				z = z.Insert([]byte(m), s, &smallLimits)
				model[m] = s
			}
		}
		type el struct {
			m string
			s float64
		}
		var want []el
		for m, s := range model {
			want = append(want, el{m, s})
		}
		sort.Slice(want, func(i, j int) bool {
			if want[i].s != want[j].s {
				return want[i].s < want[j].s
			}
			return want[i].m < want[j].m
		})
		var got []el
		for it := z.At(0); it.Valid(); it.Next() {
			got = append(got, el{string(it.Member(nil)), it.Score()})
		}
		if !slices.Equal(got, want) {
			t.Fatalf("run %d: order %v, want %v", run, got, want)
		}
		for i, e := range want {
			if s, ok := z.Score([]byte(e.m)); !ok || s != e.s {
				t.Fatalf("score of %q", e.m)
			}
			_, rank := z.Seek(func(m []byte, s float64) bool { return s > e.s || s == e.s && string(m) >= e.m })
			if rank != i {
				t.Fatalf("rank of %q = %d, want %d", e.m, rank, i)
			}
		}
	}
}

func TestListModel(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	l := NewList(&smallLimits)
	var model []string
	for step := 0; step < 3000; step++ {
		v := randMember(r)
		switch op := r.IntN(7); {
		case op == 0:
			l.PushHead([]byte(v))
			model = slices.Insert(model, 0, v)
		case op == 1:
			l.PushTail([]byte(v))
			model = append(model, v)
		case op == 2 && len(model) > 0:
			got, _ := l.PopHead(nil)
			if string(got) != model[0] {
				t.Fatalf("pop head %q, want %q", got, model[0])
			}
			model = model[1:]
		case op == 3 && len(model) > 0:
			i := r.IntN(len(model))
			it := l.Iter(i, true)
			after := r.IntN(2) == 0
			it.InsertAt([]byte(v), after)
			if after {
				model = slices.Insert(model, i+1, v)
			} else {
				model = slices.Insert(model, i, v)
			}
		case op == 4 && len(model) > 0:
			i := r.IntN(len(model))
			n := r.IntN(4)
			l.DeleteRange(i, min(n, len(model)-i))
			model = slices.Delete(model, i, min(i+n, len(model)))
		case op == 5 && len(model) > 0:
			i := r.IntN(len(model))
			l.Set(i, []byte(v))
			model[i] = v
		case op == 6 && len(model) > 0:
			// LREM-style: delete every element equal to a present one,
			// walking forward or backward.
			target := model[r.IntN(len(model))]
			forward := r.IntN(2) == 0
			start := 0
			if !forward {
				start = len(model) - 1
			}
			for it := l.Iter(start, forward); it.Valid(); {
				if it.Equal([]byte(target)) {
					it.Delete()
				} else {
					it.Next()
				}
			}
			model = slices.DeleteFunc(model, func(s string) bool { return s == target })
		}
		if l.Len() != len(model) {
			t.Fatalf("step %d: len %d, want %d", step, l.Len(), len(model))
		}
	}
	var got []string
	for it := l.Iter(0, true); it.Valid(); it.Next() {
		got = append(got, string(it.Value(nil)))
	}
	if !slices.Equal(got, model) {
		t.Fatalf("list differs from model")
	}
	var back []string
	for it := l.Iter(l.Len()-1, false); it.Valid(); it.Next() {
		back = append(back, string(it.Value(nil)))
	}
	slices.Reverse(back)
	if !slices.Equal(back, model) {
		t.Fatalf("backward walk differs")
	}
}
