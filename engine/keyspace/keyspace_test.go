package keyspace

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"
	"time"
)

// testObj is a minimal collection value.
type testObj struct {
	typ   Type
	items []string
}

func (o *testObj) Type() Type       { return o.typ }
func (o *testObj) Encoding() string { return "listpack" }
func (o *testObj) MemUsage() int64  { return int64(16 * len(o.items)) }
func (o *testObj) Copy() Object {
	return &testObj{typ: o.typ, items: append([]string(nil), o.items...)}
}

type modelVal struct {
	str    string
	obj    bool
	expire int64
}

func lockAll(db *DB) {
	for i := 0; i < db.NumShards(); i++ {
		db.LockShard(i)
	}
}

func unlockAll(db *DB) {
	for i := 0; i < db.NumShards(); i++ {
		db.UnlockShard(i)
	}
}

// TestAgainstModel runs random operations against the keyspace and a map
// and compares them, through table growth and shrinking.
func TestAgainstModel(t *testing.T) {
	ks := New(2, 4, Hooks{})
	db := ks.DB(0)
	model := map[string]modelVal{}
	r := rand.New(rand.NewPCG(1, 2))
	const now = int64(1_000_000)
	lockAll(db)
	defer unlockAll(db)
	key := func() []byte { return []byte(fmt.Sprintf("key:%d", r.IntN(3000))) }
	for step := 0; step < 200000; step++ {
		k := key()
		switch op := r.IntN(100); {
		case op < 30:
			v := []byte(fmt.Sprintf("%d", r.IntN(100000)))
			if r.IntN(3) == 0 {
				v = bytes.Repeat([]byte("x"), r.IntN(200))
			}
			o := SetOpts{KeepTTL: r.IntN(4) == 0, Raw: r.IntN(5) == 0}
			if !o.KeepTTL && r.IntN(3) == 0 {
				o.ExpireAt = now + 1 + int64(r.IntN(1000))
			}
			db.SetString(k, v, o)
			m := model[string(k)]
			if !o.KeepTTL || m.obj && false {
				m.expire = o.ExpireAt
			}
			if _, ok := model[string(k)]; !ok && o.KeepTTL {
				m.expire = 0
			}
			m.str, m.obj = string(v), false
			model[string(k)] = m
		case op < 35:
			db.SetInt(k, int64(step))
			m := model[string(k)]
			m.str, m.obj = fmt.Sprint(step), false
			model[string(k)] = m
		case op < 45:
			db.SetObject(k, &testObj{typ: TypeList, items: []string{"a", "b"}}, false)
			model[string(k)] = modelVal{obj: true}
		case op < 75:
			got := db.Delete(k, now)
			_, want := model[string(k)]
			if got != want {
				t.Fatalf("step %d: Delete(%s) = %v, want %v", step, k, got, want)
			}
			delete(model, string(k))
		case op < 85:
			at := now + 1 + int64(r.IntN(1000))
			_, exists := model[string(k)]
			if got := db.SetExpire(k, at); got != exists {
				t.Fatalf("step %d: SetExpire(%s) = %v, want %v", step, k, got, exists)
			}
			if exists {
				m := model[string(k)]
				m.expire = at
				model[string(k)] = m
			}
		case op < 90:
			m, exists := model[string(k)]
			if got := db.Persist(k); got != (exists && m.expire != 0) {
				t.Fatalf("step %d: Persist(%s) = %v, model %+v", step, k, got, m)
			}
			if exists {
				m.expire = 0
				model[string(k)] = m
			}
		default:
			dst := key()
			if _, ok := model[string(k)]; ok && !bytes.Equal(k, dst) {
				db.Rename(k, dst)
				model[string(dst)] = model[string(k)]
				delete(model, string(k))
			}
		}
	}
	checkModel(t, db, model, now)
	// Delete everything: tables shrink, accounting returns to the empty state.
	for k := range model {
		if !db.Delete([]byte(k), now) {
			t.Fatalf("final delete of %s failed", k)
		}
	}
	checkModel(t, db, map[string]modelVal{}, now)
}

func checkModel(t *testing.T, db *DB, model map[string]modelVal, now int64) {
	t.Helper()
	if db.Size() != int64(len(model)) {
		t.Fatalf("Size = %d, model has %d", db.Size(), len(model))
	}
	var expires int64
	for k, m := range model {
		e := db.Lookup([]byte(k), now, NoTouch)
		if !e.Exists() {
			t.Fatalf("key %s missing", k)
		}
		if m.obj {
			if e.Type() != TypeList || e.Object() == nil {
				t.Fatalf("key %s: type %v", k, e.Type())
			}
		} else if got := string(e.Bytes(nil)); got != m.str {
			t.Fatalf("key %s = %q, want %q", k, got, m.str)
		}
		if e.ExpireAt() != m.expire {
			t.Fatalf("key %s expire = %d, want %d", k, e.ExpireAt(), m.expire)
		}
		if m.expire != 0 {
			expires++
		}
	}
	if db.Expires() != expires {
		t.Fatalf("Expires = %d, want %d", db.Expires(), expires)
	}
	// Accounting equals a recount of every shard.
	var sum int64
	for i := range db.shards {
		s := &db.shards[i]
		var recount int64 = s.t.bytes()
		for _, p := range s.t.Slots {
			if p != nil {
				recount += entrySize(p)
			}
		}
		if recount != s.mem {
			t.Fatalf("shard %d: accounted %d, recount %d", i, s.mem, recount)
		}
		if len(s.volatile) > 0 {
			for j, p := range s.volatile {
				if vidxOf(p) != uint32(j) || !hasExpire(p) {
					t.Fatalf("shard %d: volatile list broken at %d", i, j)
				}
			}
		}
		sum += s.mem
	}
	if sum != db.ks.UsedMemory() {
		t.Fatalf("UsedMemory %d != sum of shards %d", db.ks.UsedMemory(), sum)
	}
}

func TestEncodings(t *testing.T) {
	ks := New(1, 1, Hooks{})
	db := ks.DB(0)
	set := func(k, v string, o SetOpts) Entry {
		db.SetString([]byte(k), []byte(v), o)
		return db.Lookup([]byte(k), 0, 0)
	}
	tests := []struct {
		v    string
		raw  bool
		want string
	}{
		{"12345", false, "int"}, {"-9223372036854775808", false, "int"}, {"007", false, "embstr"},
		{"hello", false, "embstr"}, {string(bytes.Repeat([]byte("a"), 44)), false, "embstr"},
		{string(bytes.Repeat([]byte("a"), 45)), false, "raw"}, {"12", true, "raw"},
	}
	for _, tt := range tests {
		e := set("k", tt.v, SetOpts{Raw: tt.raw})
		if e.Encoding() != tt.want || string(e.Bytes(nil)) != tt.v || e.Len() != len(tt.v) {
			t.Errorf("SET %q raw=%v: encoding %s value %q len %d", tt.v, tt.raw, e.Encoding(), e.Bytes(nil), e.Len())
		}
	}
}

func TestLazyExpiry(t *testing.T) {
	var expired []string
	ks := New(1, 1, Hooks{Expired: func(db int, key []byte) { expired = append(expired, string(key)) }})
	db := ks.DB(0)
	db.SetString([]byte("a"), []byte("1"), SetOpts{ExpireAt: 100})
	if !db.Lookup([]byte("a"), 100, 0).Exists() {
		t.Fatal("key expired at its expire time; Redis expires strictly after")
	}
	if db.Lookup([]byte("a"), 101, 0).Exists() || db.Size() != 0 {
		t.Fatal("expired key still there")
	}
	if len(expired) != 1 || expired[0] != "a" {
		t.Fatalf("Expired hook calls: %v", expired)
	}
}

func TestActiveExpire(t *testing.T) {
	n := 0
	ks := New(2, 4, Hooks{Expired: func(int, []byte) { n++ }})
	for d := 0; d < 2; d++ {
		db := ks.DB(d)
		for i := 0; i < 5000; i++ {
			db.SetString([]byte(fmt.Sprint(i)), []byte("v"), SetOpts{ExpireAt: 1000})
		}
		for i := 0; i < 100; i++ {
			db.SetString([]byte(fmt.Sprint("p", i)), []byte("v"), SetOpts{})
		}
	}
	for c := 0; c < 1000 && ks.DB(0).Size()+ks.DB(1).Size() > 200; c++ {
		ks.ActiveExpire(2000, time.Now().Add(time.Second), 1)
	}
	if ks.DB(0).Size() != 100 || ks.DB(1).Size() != 100 || n != 10000 {
		t.Fatalf("sizes %d %d after active expiry, %d expired", ks.DB(0).Size(), ks.DB(1).Size(), n)
	}
}

// TestScanNeverMisses checks SCAN's guarantee: every key present for the
// whole scan is returned, while keys are added and removed between calls
// (which grows and shrinks the tables).
func TestScanNeverMisses(t *testing.T) {
	ks := New(1, 4, Hooks{})
	db := ks.DB(0)
	for i := 0; i < 2000; i++ {
		db.SetString([]byte(fmt.Sprint("stable:", i)), []byte("v"), SetOpts{})
	}
	seen := map[string]bool{}
	cursor, calls := uint64(0), 0
	for {
		cursor = db.Scan(cursor, 10, 0, func(e Entry) { seen[string(e.Key())] = true })
		calls++
		// Churn: grow a lot, then shrink, between calls.
		for i := 0; i < 50; i++ {
			k := []byte(fmt.Sprint("churn:", calls, ":", i))
			lockAll(db)
			if calls%40 < 20 {
				db.SetString(k, []byte("v"), SetOpts{})
			} else {
				db.Delete([]byte(fmt.Sprint("churn:", calls-20, ":", i)), 0)
			}
			unlockAll(db)
		}
		if cursor == 0 {
			break
		}
	}
	for i := 0; i < 2000; i++ {
		if !seen[fmt.Sprint("stable:", i)] {
			t.Fatalf("scan missed stable:%d (after %d calls)", i, calls)
		}
	}
}

type recorder struct{ got map[string]string }

func (r *recorder) Preserve(db int, e Entry) {
	k := fmt.Sprint(db, "/", string(e.Key()))
	if _, dup := r.got[k]; dup {
		panic("entry preserved twice: " + k)
	}
	v := "obj"
	if e.Type() == TypeString {
		v = string(e.Bytes(nil))
	}
	r.got[k] = v
}

// TestSnapshotIsPointInTime changes, deletes, renames and adds keys while a
// snapshot runs and checks it holds exactly the data as of its start.
func TestSnapshotIsPointInTime(t *testing.T) {
	ks := New(2, 4, Hooks{})
	db := ks.DB(0)
	want := map[string]string{}
	for i := 0; i < 1000; i++ {
		k := fmt.Sprint("k", i)
		db.SetString([]byte(k), []byte(fmt.Sprint("v", i)), SetOpts{})
		want["0/"+k] = fmt.Sprint("v", i)
	}
	ks.DB(1).SetObject([]byte("list"), &testObj{typ: TypeList}, false)
	want["1/list"] = "obj"
	rec := &recorder{got: map[string]string{}}
	snap, err := ks.BeginSnapshot(rec)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ks.BeginSnapshot(rec); err != ErrSnapshotRunning {
		t.Fatalf("second snapshot: %v", err)
	}
	lockAll(db)
	for i := 0; i < 1000; i += 3 {
		db.SetString([]byte(fmt.Sprint("k", i)), []byte("changed"), SetOpts{})
		db.Delete([]byte(fmt.Sprint("k", i+1)), 0)
		db.SetString([]byte(fmt.Sprint("new", i)), []byte("new"), SetOpts{})
	}
	db.Rename([]byte("k2"), []byte("renamed"))
	unlockAll(db)
	ks.Swap(0, 1)
	snap.Walk()
	snap.End()
	if len(rec.got) != len(want) {
		t.Fatalf("snapshot has %d keys, want %d", len(rec.got), len(want))
	}
	var diffs []string
	for k, v := range want {
		if rec.got[k] != v {
			diffs = append(diffs, fmt.Sprintf("%s=%q want %q", k, rec.got[k], v))
		}
	}
	sort.Strings(diffs)
	if len(diffs) > 0 {
		t.Fatalf("snapshot differs: %v", diffs[:min(5, len(diffs))])
	}
	// A second snapshot sees the current data.
	rec2 := &recorder{got: map[string]string{}}
	snap, _ = ks.BeginSnapshot(rec2)
	snap.Walk()
	snap.End()
	if int64(len(rec2.got)) != ks.DB(0).Size()+ks.DB(1).Size() {
		t.Fatalf("second snapshot has %d keys", len(rec2.got))
	}
}

func TestEvictLRU(t *testing.T) {
	var evicted []string
	ks := New(1, 4, Hooks{Evicted: func(_ int, k []byte) { evicted = append(evicted, string(k)) }})
	db := ks.DB(0)
	ks.Tick(0)
	for i := 0; i < 1000; i++ {
		db.SetString([]byte(fmt.Sprint("old", i)), make([]byte, 100), SetOpts{})
	}
	ks.Tick(100_000)
	for i := 0; i < 1000; i++ {
		db.SetString([]byte(fmt.Sprint("new", i)), make([]byte, 100), SetOpts{})
	}
	target := ks.UsedMemory() / 2
	var ev Evictor
	n, ok := ks.Evict(&ev, AllKeysLRU, target, 5, 0)
	if !ok || ks.UsedMemory() > target || n != len(evicted) {
		t.Fatalf("evicted %d ok=%v used=%d target=%d", n, ok, ks.UsedMemory(), target)
	}
	old := 0
	for _, k := range evicted {
		if k[0] == 'o' {
			old++
		}
	}
	if old*4 < len(evicted)*3 { // random eviction would give half
		t.Fatalf("LRU evicted only %d old keys of %d", old, len(evicted))
	}
	if _, ok := ks.Evict(&ev, VolatileLRU, 0, 5, 0); ok {
		t.Fatal("volatile-lru freed memory with no volatile keys")
	}
}

func TestMutableString(t *testing.T) {
	ks := New(1, 1, Hooks{})
	db := ks.DB(0)
	db.SetString([]byte("k"), []byte("12"), SetOpts{ExpireAt: 5000})
	v := db.MutableString([]byte("k"), 0)
	if string(v) != "12" {
		t.Fatalf("got %q", v)
	}
	want := []byte("12")
	for i := 0; i < 3000; i++ {
		n := len(want)
		v = db.MutableString([]byte("k"), n+3)
		copy(v[n:], "abc")
		want = append(want, "abc"...)
	}
	e := db.Lookup([]byte("k"), 0, 0)
	if !bytes.Equal(e.Bytes(nil), want) || e.Encoding() != "raw" || e.ExpireAt() != 5000 {
		t.Fatalf("len %d enc %s expire %d", len(e.Bytes(nil)), e.Encoding(), e.ExpireAt())
	}
	// An in-place rewrite with a shorter value, then growth: the gap is zeroed.
	db.SetString([]byte("k"), []byte("x"), SetOpts{KeepTTL: true})
	v = db.MutableString([]byte("k"), 10)
	if !bytes.Equal(v, append([]byte("x"), make([]byte, 9)...)) {
		t.Fatalf("got %q", v)
	}
	checkModel(t, db, map[string]modelVal{"k": {str: string(v), expire: 5000}}, 0)
}
