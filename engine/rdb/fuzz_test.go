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

func FuzzLoad(f *testing.F) {
	f.Add(sampleFile())
	f.Add([]byte("REDIS0010\xff"))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := LoadBytes(data, &nopHandler{}, LoadOptions{SkipChecksum: true})
		if err == nil {
			io.Copy(io.Discard, res.Rest)
		}
	})
}

func FuzzDecodeDump(f *testing.F) {
	for _, v := range sampleValues() {
		f.Add(AppendDumpFooter(AppendValue(nil, &v, NewCompressor(), DefaultLimits)))
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
