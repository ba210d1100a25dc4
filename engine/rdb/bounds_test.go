package rdb

import (
	"bytes"
	"errors"
	"runtime"
	"strings"
	"testing"
)

// huge is a length no test input can hold.
const huge = 1 << 40

// keyFile is an RDB holding one key of type typ whose value is body,
// without an EOF: a decoder must stop inside the value.
func keyFile(typ byte, body []byte) []byte {
	b := AppendSelectDB(AppendHeader(nil), 0)
	b = append(b, typ)
	b = AppendString(b, []byte("k"), nil)
	return append(b, body...)
}

func lens(ns ...uint64) []byte {
	var b []byte
	for _, n := range ns {
		b = AppendLen(b, n)
	}
	return b
}

// streamPrefix is a stream value with no nodes and the metadata that
// precedes its consumer groups (type STREAM_LISTPACKS_2).
func streamPrefix() []byte {
	return lens(0, 0, 1, 1, 0, 0, 0, 0, 1) // nodes, length, last, first, max deleted IDs, entries added
}

// Every length or count is checked against what is left of the input
// before anything is read or allocated for it.
func TestImpossibleLengthsFailFast(t *testing.T) {
	group := append(AppendString(nil, []byte("g"), nil), lens(1, 1, 1)...) // name, last ID, entries read
	consumer := append(AppendString(nil, []byte("c"), nil), AppendMillis(nil, 1)...)
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"aux key", append(AppendHeader(nil), append([]byte{OpAux}, lens(huge)...)...), "string length"},
		{"string", keyFile(TypeString, lens(huge)), "string length"},
		{"lzf", keyFile(TypeString, append([]byte{0xC0 | encLZF}, lens(huge, huge)...)), "LZF compressed byte count"},
		{"list", keyFile(TypeList, lens(huge)), "list element count"},
		{"set", keyFile(TypeSet, lens(huge)), "set element count"},
		{"hash", keyFile(TypeHash, lens(huge)), "hash element count"},
		{"zset", keyFile(TypeZSet, lens(huge)), "zset element count"},
		{"zset2", keyFile(TypeZSet2, lens(huge)), "zset element count"},
		{"quicklist", keyFile(TypeListQuicklist, lens(huge)), "quicklist node count"},
		{"quicklist2", keyFile(TypeListQuicklist2, lens(huge)), "quicklist node count"},
		{"stream nodes", keyFile(TypeStreamListpacks2, lens(huge)), "stream node count"},
		{"stream groups", keyFile(TypeStreamListpacks2, append(streamPrefix(), lens(huge)...)), "stream group count"},
		{"group PEL", keyFile(TypeStreamListpacks2, bytes.Join([][]byte{streamPrefix(), lens(1), group, lens(huge)}, nil)), "group PEL entry count"},
		{"consumers", keyFile(TypeStreamListpacks2, bytes.Join([][]byte{streamPrefix(), lens(1), group, lens(0, huge)}, nil)), "consumer count"},
		{"consumer PEL", keyFile(TypeStreamListpacks2, bytes.Join([][]byte{streamPrefix(), lens(1), group, lens(0, 1), consumer, lens(huge)}, nil)), "consumer PEL entry count"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			check := func(how string, load func() error) {
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				err := load()
				runtime.ReadMemStats(&after)
				if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), c.want+" ") || !strings.Contains(err.Error(), "exceeds the") {
					t.Fatalf("%s: got %v, want a corrupt-data error about the %s", how, err, c.want)
				}
				if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
					t.Fatalf("%s: allocated %d bytes before failing", how, n)
				}
			}
			check("LoadBytes", func() error {
				_, err := LoadBytes(c.data, &nopHandler{}, LoadOptions{})
				return err
			})
			check("Load with Size", func() error {
				_, err := Load(bytes.NewReader(c.data), &nopHandler{}, LoadOptions{Size: int64(len(c.data))})
				return err
			})
			// Without the input's size a reader still fails without a
			// huge allocation: it runs into the end of the input.
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := Load(bytes.NewReader(c.data), &nopHandler{}, LoadOptions{})
			runtime.ReadMemStats(&after)
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Load without Size: got %v", err)
			}
			if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
				t.Fatalf("Load without Size: allocated %d bytes before failing", n)
			}
		})
	}
}

// DUMP payloads are bounded by their own size.
func TestDumpImpossibleLength(t *testing.T) {
	payload := AppendDumpFooter(append([]byte{TypeList}, lens(huge)...))
	var v Value
	err := DecodeDump(payload, &v, false)
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "list element count") {
		t.Fatalf("got %v", err)
	}
}

type resizeHandler struct {
	nopHandler
	size, expires uint64
}

func (h *resizeHandler) ResizeDB(size, expires uint64) error {
	h.size, h.expires = size, expires
	return nil
}

// A RESIZEDB hint reaches the handler (which sizes tables by it) no
// larger than the keys the rest of the input can hold.
func TestResizeDBHintBounded(t *testing.T) {
	var w bytes.Buffer
	b := AppendResizeDB(AppendSelectDB(AppendHeader(nil), 0), huge, huge)
	for i := 0; i < 10; i++ {
		b = append(b, TypeString)
		b = AppendString(b, []byte{'k', byte('0' + i)}, nil)
		b = AppendString(b, []byte("v"), nil)
	}
	wr := NewWriter(&w, true)
	wr.Write(b)
	wr.Finish()
	data := w.Bytes()
	for _, size := range []int64{int64(len(data)), 0} {
		var h resizeHandler
		if _, err := Load(bytes.NewReader(data), &h, LoadOptions{Size: size}); err != nil || h.keys != 10 {
			t.Fatalf("size %d: keys %d, err %v", size, h.keys, err)
		}
		limit := uint64(len(data) / 3)
		if size == 0 {
			limit = huge // unknown size: the hint passes as written
		}
		if h.size > limit || h.expires > limit || h.size == 0 {
			t.Fatalf("size %d: hint %d/%d reached the handler, limit %d", size, h.size, h.expires, limit)
		}
	}
	var h resizeHandler
	if _, err := LoadBytes(data, &h, LoadOptions{}); err != nil || h.size > uint64(len(data)/3) {
		t.Fatalf("LoadBytes: hint %d, err %v", h.size, err)
	}
}

// A valid file loads when Size is exactly its length: the bounds are
// never too tight for real data.
func TestSampleFileLoadsWithSize(t *testing.T) {
	data := sampleFile()
	var h nopHandler
	if _, err := Load(bytes.NewReader(data), &h, LoadOptions{Size: int64(len(data))}); err != nil || h.keys != 12 {
		t.Fatalf("keys %d, err %v", h.keys, err)
	}
}
