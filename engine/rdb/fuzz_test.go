package rdb

import (
	"bytes"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/redisctl/redisctl/engine/listpack"
)

// sampleValues covers every kind and the encodings AppendValue picks.
func sampleValues() []Value {
	var big [][]byte
	for i := 0; i < 300; i++ {
		big = append(big, []byte("element-"+strconv.Itoa(i)))
	}
	var zs []ZEntry
	for i := 0; i < 150; i++ {
		zs = append(zs, ZEntry{Member: []byte("m" + strconv.Itoa(i)), Score: float64(i) / 3})
	}
	lp := listpack.New(0)
	for _, e := range []string{"1", "0", "1", "name", "0", "2", "0", "0", "v", "4"} {
		lp = listpack.Append(lp, []byte(e))
	}
	stream := &Stream{
		Nodes:  []StreamNode{{Master: StreamID{1, 1}, Listpack: lp}},
		Length: 1, LastID: StreamID{1, 1}, FirstID: StreamID{1, 1}, EntriesAdded: 1,
		Groups: []StreamGroup{{Name: []byte("g"), LastID: StreamID{1, 1}, EntriesRead: 1,
			PEL:       []StreamPending{{ID: StreamID{1, 1}, DeliveryTime: 5, DeliveryCount: 1, Consumer: 0}},
			Consumers: []StreamConsumer{{Name: []byte("c"), SeenTime: 5, ActiveTime: -1, PEL: []StreamID{{1, 1}}}}}},
	}
	return []Value{
		{Kind: KindString, Str: []byte("hello")},
		{Kind: KindString, IsInt: true, Int: 1 << 40},
		{Kind: KindString, Str: []byte(strings.Repeat("compress me ", 20))},
		{Kind: KindList, Elems: [][]byte{[]byte("a"), []byte("12")}},
		{Kind: KindList, Elems: big},
		{Kind: KindSet, Elems: [][]byte{[]byte("1"), []byte("70000")}},
		{Kind: KindSet, Elems: big},
		{Kind: KindHash, Elems: [][]byte{[]byte("f"), []byte("v")}},
		{Kind: KindHash, Elems: big},
		{Kind: KindZSet, Z: zs[:3]},
		{Kind: KindZSet, Z: zs},
		{Kind: KindStream, Stream: stream},
	}
}

func sampleFile() []byte {
	var buf bytes.Buffer
	w := NewWriter(&buf, true)
	b := AppendHeader(nil)
	b = AppendAux(b, "redis-ver", "7.0.15")
	b = AppendFunction(b, []byte("#!lua name=x\n"))
	b = AppendSelectDB(b, 0)
	b = AppendResizeDB(b, 12, 1)
	z := NewCompressor()
	for i, v := range sampleValues() {
		enc := AppendValue(nil, &v, z, DefaultLimits)
		m := KeyMeta{Idle: -1, Freq: -1}
		if i == 0 {
			m.ExpireAt = 1e12
		}
		b = AppendKeyHeader(b, m, enc[0], []byte("k"+strconv.Itoa(i)), z)
		b = append(b, enc[1:]...)
	}
	w.Write(b)
	w.Finish()
	return buf.Bytes()
}

type nopHandler struct{ keys int }

func (h *nopHandler) Aux(k, v []byte) error      { return nil }
func (h *nopHandler) Function(code []byte) error { return nil }
func (h *nopHandler) SelectDB(db int) error      { return nil }
func (h *nopHandler) ResizeDB(a, b uint64) error { return nil }
func (h *nopHandler) Key(k []byte, m KeyMeta, v *Value) error {
	h.keys++
	if v.Kind == KindStream {
		for _, n := range v.Stream.Nodes {
			StreamNodeEach(n, func(*StreamEntry) error { return nil })
		}
	}
	return nil
}

func TestSampleFileLoads(t *testing.T) {
	var h nopHandler
	if _, err := Load(bytes.NewReader(sampleFile()), &h, LoadOptions{}); err != nil || h.keys != 12 {
		t.Fatalf("keys %d, err %v", h.keys, err)
	}
}

// Every single-byte corruption and truncation of the sample file is
// either rejected or loads: never a panic, and never accepted with a bad
// checksum.
func TestCorruptFiles(t *testing.T) {
	good := sampleFile()
	for i := range good {
		for _, delta := range []byte{1, 0x80} {
			b := bytes.Clone(good)
			b[i] ^= delta
			if _, err := LoadBytes(b, &nopHandler{}, LoadOptions{}); err == nil {
				t.Fatalf("flipping byte %d by %x went unnoticed", i, delta)
			}
			LoadBytes(b, &nopHandler{}, LoadOptions{SkipChecksum: true})
		}
		if _, err := LoadBytes(good[:i], &nopHandler{}, LoadOptions{}); err == nil {
			t.Fatalf("truncation at %d accepted", i)
		}
	}
}

// Fuzz seeds are small on purpose: the fuzzer minimizes every input that
// finds new coverage, trying O(n²) cuts of it for up to a minute, and
// inputs grown from a 10 KB seed kept it minimizing (0 execs/sec) for
// most of a run. Each seed is one key, so the whole corpus still covers
// every type and encoding.

// tinyLimits make three-element collections take the encodings of big
// ones (hashtable, skiplist, several quicklist nodes).
var tinyLimits = Limits{ListMaxListpackSize: 1, HashMaxListpackEntries: 1, HashMaxListpackValue: 64,
	SetMaxIntsetEntries: 1, ZSetMaxListpackEntries: 1, ZSetMaxListpackValue: 64}

// smallValues has every kind with a few elements.
func smallValues() []Value {
	vs := sampleValues()
	out := []Value{vs[0], vs[1], {Kind: KindString, Str: []byte(strings.Repeat("abc", 12))}}
	elems := [][]byte{[]byte("a"), []byte("12"), []byte("b")}
	out = append(out,
		Value{Kind: KindList, Elems: elems},
		Value{Kind: KindSet, Elems: [][]byte{[]byte("1"), []byte("70000"), []byte("-3")}},
		Value{Kind: KindSet, Elems: elems},
		Value{Kind: KindHash, Elems: [][]byte{[]byte("f"), []byte("v"), []byte("n"), []byte("5")}},
		Value{Kind: KindZSet, Z: []ZEntry{{[]byte("a"), 1.5}, {[]byte("b"), -2}, {[]byte("c"), 3}}},
		vs[len(vs)-1], // the stream
	)
	return out
}

// legacyPayloads are values (type byte and body) in encodings Redis 7.0
// loads but does not write, or that AppendValue does not pick.
func legacyPayloads() [][]byte {
	zl := func(typ byte, elems ...any) []byte { return AppendString([]byte{typ}, buildZiplist(elems), nil) }
	lp := listpack.Append(listpack.Append(listpack.New(0), []byte("x")), []byte("7"))
	list := append([]byte{TypeList}, lens(2)...)
	list = AppendString(AppendString(list, []byte("a"), nil), []byte("1"), nil)
	zset := append([]byte{TypeZSet}, lens(2)...)
	zset = append(AppendString(zset, []byte("a"), nil), 3, '1', '.', '5')
	zset = append(AppendString(zset, []byte("b"), nil), 254) // +inf
	stream := smallValues()[len(smallValues())-1].Stream
	return [][]byte{
		list,
		zset,
		appendStreamAs(TypeStreamListpacks, stream),
		appendStreamAs(TypeStreamListpacks3, stream),
		zl(TypeHashZiplist, "f", "v", "n", 5),
		zl(TypeZSetZiplist, "m", "1.5", "n", 2),
		zl(TypeListZiplist, "x", 1),
		AppendString([]byte{TypeListQuicklist, 1}, buildZiplist([]any{"y", 2}), nil),
		AppendString([]byte{TypeHashZipmap}, []byte{2, 1, 'a', 1, 0, 'b', 1, 'c', 1, 1, 'd', 'e', 0xFF}, nil),
		AppendString([]byte{TypeSetListpack}, lp, nil),
	}
}

// appendStreamAs writes s as type STREAM_LISTPACKS (Redis 5-6: no first
// ID, max deleted ID, entries added or entries read) or
// STREAM_LISTPACKS_3 (Redis 7.2: consumers' active time).
func appendStreamAs(typ byte, s *Stream) []byte {
	b := append([]byte{typ}, lens(uint64(len(s.Nodes)))...)
	for _, n := range s.Nodes {
		b = AppendString(b, appendRawID(nil, n.Master), nil)
		b = AppendString(b, n.Listpack, nil)
	}
	b = appendID(AppendLen(b, s.Length), s.LastID)
	if typ == TypeStreamListpacks3 {
		b = AppendLen(appendID(appendID(b, s.FirstID), s.MaxDeletedID), s.EntriesAdded)
	}
	b = AppendLen(b, uint64(len(s.Groups)))
	for _, g := range s.Groups {
		b = appendID(AppendString(b, g.Name, nil), g.LastID)
		if typ == TypeStreamListpacks3 {
			b = AppendLen(b, uint64(g.EntriesRead))
		}
		b = AppendLen(b, uint64(len(g.PEL)))
		for _, pe := range g.PEL {
			b = AppendLen(AppendMillis(appendRawID(b, pe.ID), pe.DeliveryTime), pe.DeliveryCount)
		}
		b = AppendLen(b, uint64(len(g.Consumers)))
		for _, c := range g.Consumers {
			b = AppendMillis(AppendString(b, c.Name, nil), c.SeenTime)
			if typ == TypeStreamListpacks3 {
				b = AppendMillis(b, c.ActiveTime)
			}
			b = AppendLen(b, uint64(len(c.PEL)))
			for _, id := range c.PEL {
				b = appendRawID(b, id)
			}
		}
	}
	return b
}

// seedPayloads are values (type byte and body) covering every encoding.
func seedPayloads() [][]byte {
	var out [][]byte
	for _, lim := range []Limits{DefaultLimits, tinyLimits} {
		for _, v := range smallValues() {
			out = append(out, AppendValue(nil, &v, NewCompressor(), lim))
		}
	}
	return append(out, legacyPayloads()...)
}

// seedFile is a small RDB file holding one key with the given value.
func seedFile(payload []byte, m KeyMeta) []byte {
	var buf bytes.Buffer
	w := NewWriter(&buf, true)
	b := AppendAux(AppendHeader(nil), "redis-ver", "7.0.15")
	b = AppendResizeDB(AppendSelectDB(b, 0), 1, 1)
	b = AppendKeyHeader(b, m, payload[0], []byte("k"), nil)
	w.Write(append(b, payload[1:]...))
	w.Finish()
	return buf.Bytes()
}

func FuzzLoad(f *testing.F) {
	for i, p := range seedPayloads() {
		m := KeyMeta{Idle: -1, Freq: -1}
		switch i % 3 {
		case 1:
			m.ExpireAt = 1e12
		case 2:
			m.Idle, m.Freq = 10, 5
		}
		f.Add(seedFile(p, m))
	}
	f.Add(AppendFunction(AppendHeader(nil), []byte("#!lua name=x\n")))
	f.Add([]byte("REDIS0010\xff"))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := LoadBytes(data, &nopHandler{}, LoadOptions{SkipChecksum: true})
		if err == nil {
			io.Copy(io.Discard, res.Rest)
		}
	})
}

func FuzzDecodeDump(f *testing.F) {
	for _, p := range seedPayloads() {
		f.Add(AppendDumpFooter(p))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var v Value
		if DecodeDump(data, &v, true) == nil && v.Kind == KindStream {
			for _, n := range v.Stream.Nodes {
				StreamNodeEach(n, func(*StreamEntry) error { return nil })
			}
		}
	})
}

// The seeds load, and together they cover every value type byte the
// decoder accepts.
func TestFuzzSeedsCoverEveryType(t *testing.T) {
	seen := map[byte]bool{}
	for _, p := range seedPayloads() {
		var h nopHandler
		if _, err := LoadBytes(seedFile(p, KeyMeta{Idle: -1, Freq: -1}), &h, LoadOptions{}); err != nil || h.keys != 1 {
			t.Fatalf("type %d: keys %d, err %v", p[0], h.keys, err)
		}
		if len(p) > 2048 {
			t.Errorf("type %d seed is %d bytes: keep fuzz seeds small", p[0], len(p))
		}
		seen[p[0]] = true
	}
	for _, typ := range []byte{TypeString, TypeList, TypeSet, TypeZSet, TypeZSet2, TypeHash, TypeHashZipmap,
		TypeListZiplist, TypeSetIntset, TypeZSetZiplist, TypeHashZiplist, TypeListQuicklist,
		TypeStreamListpacks, TypeStreamListpacks2, TypeStreamListpacks3, TypeHashListpack, TypeZSetListpack, TypeListQuicklist2, TypeSetListpack} {
		if !seen[typ] {
			t.Errorf("no fuzz seed of type %d", typ)
		}
	}
}
