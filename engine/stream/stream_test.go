package stream

import (
	"fmt"
	"math/rand"
	"sort"
	"testing"
)

type modelEntry struct {
	id ID
	fv []string
}

func collect(s *Stream, start, end ID, rev bool) []modelEntry {
	var out []modelEntry
	it := s.Range(start, end, rev)
	for it.Next() {
		e := modelEntry{id: it.ID()}
		if n := it.NumFields(); n < 0 {
			panic("negative field count")
		}
		it.Fields(func(f, v []byte) { e.fv = append(e.fv, string(f), string(v)) })
		out = append(out, e)
	}
	return out
}

func modelRange(m []modelEntry, start, end ID, rev bool) []modelEntry {
	var out []modelEntry
	for _, e := range m {
		if !e.id.Less(start) && !end.Less(e.id) {
			out = append(out, e)
		}
	}
	if rev {
		for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
			out[i], out[j] = out[j], out[i]
		}
	}
	return out
}

func equalEntries(a, b []modelEntry) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].id != b[i].id || fmt.Sprint(a[i].fv) != fmt.Sprint(b[i].fv) {
			return false
		}
	}
	return true
}

// TestAgainstModel drives a stream and a plain slice with the same random
// appends, deletions and trims and compares every range read.
func TestAgainstModel(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	fieldSets := [][]string{{"a", "1"}, {"a", "2"}, {"b", "x", "c", "12345"}, {"a", "-7", "long", string(make([]byte, 300))}}
	for round := 0; round < 20; round++ {
		s := New()
		var m []modelEntry
		lim := Limits{NodeMaxBytes: int64(rng.Intn(2000) + 50), NodeMaxEntries: int64(rng.Intn(20) + 1)}
		next := ID{1, 0}
		for op := 0; op < 600; op++ {
			switch r := rng.Intn(10); {
			case r < 6:
				fv := fieldSets[rng.Intn(len(fieldSets))]
				args := make([][]byte, len(fv))
				for i, f := range fv {
					args[i] = []byte(f)
				}
				s.Append(next, args, lim)
				m = append(m, modelEntry{id: next, fv: fv})
				if rng.Intn(3) == 0 {
					next = ID{next.Ms + uint64(rng.Intn(3)), 0}
				} else {
					next.Seq++
				}
				if next.Compare(s.LastID()) <= 0 {
					next, _ = s.LastID().Incr()
				}
			case r < 8 && len(m) > 0:
				i := rng.Intn(len(m))
				if !s.Delete(m[i].id) {
					t.Fatalf("Delete(%v) found nothing", m[i].id)
				}
				m = append(m[:i], m[i+1:]...)
			case r == 8 && len(m) > 0:
				maxlen := int64(rng.Intn(len(m) + 1))
				n := s.Trim(TrimArgs{Strategy: TrimMaxLen, MaxLen: maxlen})
				if int64(len(m))-maxlen != n {
					t.Fatalf("exact trim to %d removed %d of %d", maxlen, n, len(m))
				}
				m = m[len(m)-int(maxlen):]
			case r == 9 && len(m) > 0:
				min := m[rng.Intn(len(m))].id
				approx := rng.Intn(2) == 0
				n := s.Trim(TrimArgs{Strategy: TrimMinID, MinID: min, Approx: approx})
				k := sort.Search(len(m), func(i int) bool { return !m[i].id.Less(min) })
				if !approx && int64(k) != n || n > int64(k) {
					t.Fatalf("MINID trim removed %d, want %d (approx %v)", n, k, approx)
				}
				m = m[n:]
			}
			if s.Len() != uint64(len(m)) {
				t.Fatalf("round %d op %d: Len %d, model %d", round, op, s.Len(), len(m))
			}
			if len(m) > 0 && s.FirstID() != m[0].id {
				t.Fatalf("FirstID %v, want %v", s.FirstID(), m[0].id)
			}
			if op%25 == 0 {
				lo, hi := ID{}, MaxID
				if len(m) > 2 {
					lo, hi = m[rng.Intn(len(m))].id, m[rng.Intn(len(m))].id
				}
				for _, rev := range []bool{false, true} {
					if got, want := collect(s, lo, hi, rev), modelRange(m, lo, hi, rev); !equalEntries(got, want) {
						t.Fatalf("round %d op %d: range %v..%v rev=%v:\n got  %v\n want %v", round, op, lo, hi, rev, got, want)
					}
				}
			}
		}
		if s.MemUsage() <= 0 {
			t.Fatal("MemUsage not positive")
		}
		c := s.Copy().(*Stream)
		if !equalEntries(collect(c, ID{}, MaxID, false), m) {
			t.Fatal("copy differs")
		}
	}
}

func TestGroupsAndMemory(t *testing.T) {
	s := New()
	for i := 1; i <= 10; i++ {
		s.Append(ID{uint64(i), 0}, [][]byte{[]byte("f"), []byte("v")}, Limits{NodeMaxEntries: 4})
	}
	base := s.MemUsage()
	g := s.CreateGroup([]byte("g"), ID{}, InvalidEntriesRead)
	if s.CreateGroup([]byte("g"), ID{}, 0) != nil {
		t.Fatal("duplicate group created")
	}
	c1, _ := g.CreateConsumer([]byte("alice"), 1)
	c2, _ := g.CreateConsumer([]byte("bob"), 1)
	for i := 1; i <= 10; i++ {
		g.AddPending(ID{uint64(i), 0}, c1, 5)
	}
	g.Assign(g.Pending(ID{3, 0}), c2)
	if c1.PendingCount() != 9 || c2.PendingCount() != 1 || g.PendingCount() != 10 {
		t.Fatalf("pending counts %d %d %d", c1.PendingCount(), c2.PendingCount(), g.PendingCount())
	}
	if !g.Ack(ID{3, 0}) || g.Ack(ID{3, 0}) || c2.PendingCount() != 0 {
		t.Fatal("ack")
	}
	if n := g.DeleteConsumer([]byte("alice")); n != 9 || g.PendingCount() != 0 {
		t.Fatalf("DeleteConsumer = %d, group pending %d", n, g.PendingCount())
	}
	cp := s.Copy().(*Stream)
	if cp.Group([]byte("g")).NumConsumers() != 1 {
		t.Fatal("copy lost consumers")
	}
	s.DestroyGroup([]byte("g"))
	if s.MemUsage() != base {
		t.Fatalf("memory after destroying the group %d, before %d", s.MemUsage(), base)
	}
}

func TestParseID(t *testing.T) {
	cases := []struct {
		in   string
		want ID
		auto bool
		ok   bool
	}{
		{"1-2", ID{1, 2}, false, true}, {"5", ID{5, 0}, false, true}, {"5-*", ID{5, 0}, true, true},
		{"18446744073709551615-18446744073709551615", MaxID, false, true},
		{"18446744073709551616", ID{}, false, false}, {"-1", ID{}, false, false}, {"", ID{}, false, false},
		{"1-", ID{}, false, false}, {"a-1", ID{}, false, false}, {"007", ID{7, 0}, false, true},
		{"+3", ID{3, 0}, false, true}, {" 2", ID{2, 0}, false, true}, {"1--01", ID{1, ^uint64(0)}, false, true},
	}
	for _, c := range cases {
		id, auto, ok := ParseID([]byte(c.in), 0, true)
		if ok != c.ok || ok && (id != c.want || auto != c.auto) {
			t.Errorf("ParseID(%q) = %v %v %v, want %v %v %v", c.in, id, auto, ok, c.want, c.auto, c.ok)
		}
	}
}

// BenchmarkSeekNext measures reading one entry after a given ID (what
// XREADGROUP ">" does on every call) in a stream of full nodes.
func BenchmarkSeekNext(b *testing.B) {
	s := New()
	for i := 1; i <= 10000; i++ {
		s.Append(ID{uint64(i), 0}, [][]byte{[]byte("field"), []byte("value")}, Limits{NodeMaxBytes: 4096, NodeMaxEntries: 100})
	}
	var it Iter
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := ID{uint64(i%10000) + 1, 0}
		it.Reset(s, start, MaxID, false)
		if !it.Next() || it.ID() != start {
			b.Fatal("not found")
		}
	}
}
