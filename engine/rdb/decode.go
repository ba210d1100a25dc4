package rdb

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
)

// Handler receives what Load decodes, in file order.
type Handler interface {
	// Aux is an aux field (redis-ver, ctime, aof-base...).
	Aux(key, val []byte) error
	// Function is a function library's code (FUNCTION2 opcode).
	Function(code []byte) error
	// SelectDB switches the database the following keys go to.
	SelectDB(db int) error
	// ResizeDB is the hint about the current database's size.
	ResizeDB(size, expires uint64) error
	// Key is one key. key and v are reused after the call returns.
	Key(key []byte, meta KeyMeta, v *Value) error
}

// LoadOptions tune Load.
type LoadOptions struct {
	// SkipChecksum does not verify the CRC-64 (rdbchecksum no).
	SkipChecksum bool
	// Size is the number of bytes Load's src holds, when known (0 means
	// unknown). An RDB in a longer input (an AOF preamble) gives the
	// input's size. With it, corrupt lengths and counts fail at once.
	Size int64
}

// LoadResult describes a loaded file.
type LoadResult struct {
	Version int
	// Rest reads what follows the RDB in the input (an AOF's commands
	// after an RDB preamble).
	Rest io.Reader
	// Bytes is the RDB's size.
	Bytes int64
	// ChecksumSkipped is set when the file carries no checksum.
	ChecksumSkipped bool
}

// Load decodes an RDB file from src.
func Load(src io.Reader, h Handler, o LoadOptions) (LoadResult, error) {
	size := o.Size
	if size <= 0 {
		size = -1
	}
	r := newReader(src, size)
	res, err := load(r, h, o)
	if err != nil {
		return res, err
	}
	res.Bytes = r.Offset()
	rest := r.buf[r.pos:r.end]
	if r.err != nil {
		res.Rest = bytes.NewReader(rest)
	} else {
		res.Rest = io.MultiReader(bytes.NewReader(rest), src)
	}
	return res, nil
}

// LoadBytes decodes an RDB file held in memory.
func LoadBytes(data []byte, h Handler, o LoadOptions) (LoadResult, error) {
	r := newBytesReader(data)
	res, err := load(r, h, o)
	if err != nil {
		return res, err
	}
	res.Bytes = r.Offset()
	res.Rest = bytes.NewReader(data[r.pos:])
	return res, nil
}

func load(r *reader, h Handler, o LoadOptions) (LoadResult, error) {
	var res LoadResult
	magic, err := r.next(9)
	if err != nil {
		return res, fmt.Errorf("%w: file too short", ErrCorrupt)
	}
	if string(magic[:5]) != "REDIS" {
		return res, fmt.Errorf("%w: wrong signature trying to load DB from file", ErrCorrupt)
	}
	ver, perr := strconv.Atoi(string(magic[5:]))
	if perr != nil || ver < 1 || ver > MaxVersion {
		return res, fmt.Errorf("%w: can't handle RDB format version %s", ErrCorrupt, magic[5:])
	}
	res.Version = ver
	var v Value
	var key []byte
	meta := KeyMeta{Idle: -1, Freq: -1}
	for {
		op, err := r.byte()
		if err != nil {
			return res, err
		}
		switch op {
		case OpExpireSec:
			b, err := r.next(4)
			if err != nil {
				return res, err
			}
			meta.ExpireAt = int64(int32(binary.LittleEndian.Uint32(b))) * 1000
			continue
		case OpExpireMs:
			if meta.ExpireAt, err = r.millis(); err != nil {
				return res, err
			}
			continue
		case OpFreq:
			c, err := r.byte()
			if err != nil {
				return res, err
			}
			meta.Freq = int(c)
			continue
		case OpIdle:
			n, err := r.ulen()
			if err != nil {
				return res, err
			}
			meta.Idle = int64(min(n, math.MaxInt64/1000))
			continue
		case OpEOF:
			if ver >= 5 {
				want := r.sum()
				b, err := r.next(8)
				if err != nil {
					return res, err
				}
				got := binary.LittleEndian.Uint64(b)
				switch {
				case got == 0:
					res.ChecksumSkipped = true
				case !o.SkipChecksum && got != want:
					return res, fmt.Errorf("%w: wrong RDB checksum expected: (%x) got: (%x)", ErrCorrupt, got, want)
				}
			}
			return res, nil
		case OpSelectDB:
			n, err := r.plainLen()
			if err != nil {
				return res, err
			}
			if err := h.SelectDB(n); err != nil {
				return res, err
			}
			continue
		case OpResizeDB:
			a, err := r.ulen()
			if err != nil {
				return res, err
			}
			b, err := r.ulen()
			if err != nil {
				return res, err
			}
			// Handlers size tables by the hint: a key takes at least 3
			// bytes (type, key, value), so a corrupt hint cannot make
			// them reserve more than the input can hold.
			if left := uint64(r.left() / 3); r.size >= 0 {
				a, b = min(a, left), min(b, left)
			}
			if err := h.ResizeDB(a, b); err != nil {
				return res, err
			}
			continue
		case OpAux:
			k, err := r.strCopy()
			if err != nil {
				return res, err
			}
			val, err := r.str()
			if err != nil {
				return res, err
			}
			if err := h.Aux(k, val); err != nil {
				return res, err
			}
			continue
		case OpModuleAux:
			return res, fmt.Errorf("%w: the RDB holds module data, which this server cannot load", ErrUnsupported)
		case OpFunctionPG:
			return res, fmt.Errorf("%w: pre-release function format is not supported", ErrUnsupported)
		case OpFunction2:
			code, err := r.str()
			if err != nil {
				return res, err
			}
			if err := h.Function(code); err != nil {
				return res, err
			}
			continue
		}
		k, err := r.str()
		if err != nil {
			return res, err
		}
		key = append(key[:0], k...)
		if err := readValue(r, op, &v); err != nil {
			return res, fmt.Errorf("key %q: %w", trimKey(key), err)
		}
		if err := h.Key(key, meta, &v); err != nil {
			return res, err
		}
		meta = KeyMeta{Idle: -1, Freq: -1}
	}
}

// ErrUnsupported is wrapped by errors about valid input this package
// cannot handle (modules).
var ErrUnsupported = errors.New("rdb: unsupported")

func trimKey(k []byte) []byte {
	if len(k) > 64 {
		return k[:64]
	}
	return k
}

// DecodeDump decodes a DUMP payload after checking its footer, the way
// RESTORE does (ErrDumpFooter when the version or checksum is wrong).
func DecodeDump(payload []byte, v *Value, skipChecksum bool) error {
	if err := VerifyDump(payload, skipChecksum); err != nil {
		return err
	}
	body := payload[:len(payload)-10]
	r := newBytesReader(body)
	typ, err := r.byte()
	if err != nil {
		return err
	}
	return readValue(r, typ, v)
}

// ErrDumpFooter reports a DUMP payload whose version or checksum is wrong.
var ErrDumpFooter = errors.New("rdb: DUMP payload version or checksum are wrong")

// VerifyDump checks a DUMP payload's RDB version and CRC-64.
func VerifyDump(p []byte, skipChecksum bool) error {
	if len(p) < 10 {
		return ErrDumpFooter
	}
	footer := p[len(p)-10:]
	if int(binary.LittleEndian.Uint16(footer)) > MaxVersion {
		return ErrDumpFooter
	}
	if skipChecksum {
		return nil
	}
	if CRC64(0, p[:len(p)-8]) != binary.LittleEndian.Uint64(footer[2:]) {
		return ErrDumpFooter
	}
	return nil
}

// readValue decodes a value of RDB type typ into v.
func readValue(r *reader, typ byte, v *Value) error {
	switch typ {
	case TypeString:
		v.reset(KindString, typ)
		s, n, isInt, err := r.strOrInt()
		v.Str, v.Int, v.IsInt = s, n, isInt
		return err
	case TypeList, TypeSet, TypeHash:
		kind := map[byte]Kind{TypeList: KindList, TypeSet: KindSet, TypeHash: KindHash}[typ]
		v.reset(kind, typ)
		perElem := int64(1) // an empty string
		if typ == TypeHash {
			perElem = 2 // field and value
		}
		n, err := r.count(kind.String()+" element", perElem)
		if err != nil {
			return err
		}
		if typ == TypeHash {
			n *= 2
		}
		return readElems(r, v, n)
	case TypeZSet, TypeZSet2:
		v.reset(KindZSet, typ)
		perElem := int64(1 + 8) // member, binary double
		if typ == TypeZSet {
			perElem = 1 + 1 // member, string double
		}
		n, err := r.count("zset element", perElem)
		if err != nil {
			return err
		}
		for i := 0; i < n; i++ {
			m, err := r.strCopy()
			if err != nil {
				return err
			}
			var f float64
			if typ == TypeZSet2 {
				f, err = r.binaryDouble()
			} else {
				f, err = r.stringDouble()
			}
			if err != nil {
				return err
			}
			if math.IsNaN(f) {
				return r.corrupt("zset score is NaN")
			}
			v.Z = append(v.Z, ZEntry{Member: m, Score: f})
		}
		return nil
	case TypeHashZipmap:
		v.reset(KindHash, typ)
		blob, err := r.str()
		if err != nil {
			return err
		}
		return ZipmapEach(blob, func(f, val []byte) error {
			v.Elems = append(v.Elems, clone(f), clone(val))
			return nil
		})
	case TypeListZiplist:
		v.reset(KindList, typ)
		return blobElems(r, v, ZiplistEach)
	case TypeHashZiplist:
		v.reset(KindHash, typ)
		if err := blobElems(r, v, ZiplistEach); err != nil {
			return err
		}
		return evenElems(r, v)
	case TypeHashListpack:
		v.reset(KindHash, typ)
		if err := blobElems(r, v, ListpackEach); err != nil {
			return err
		}
		return evenElems(r, v)
	case TypeSetListpack:
		v.reset(KindSet, typ)
		return blobElems(r, v, ListpackEach)
	case TypeSetIntset:
		v.reset(KindSet, typ)
		blob, err := r.str()
		if err != nil {
			return err
		}
		return IntsetEach(blob, func(n int64) error {
			v.Elems = append(v.Elems, strconv.AppendInt(nil, n, 10))
			return nil
		})
	case TypeZSetZiplist, TypeZSetListpack:
		v.reset(KindZSet, typ)
		each := ListpackEach
		if typ == TypeZSetZiplist {
			each = ZiplistEach
		}
		if err := blobElems(r, v, each); err != nil {
			return err
		}
		if err := evenElems(r, v); err != nil {
			return err
		}
		for i := 0; i < len(v.Elems); i += 2 {
			f, err := strconv.ParseFloat(string(v.Elems[i+1]), 64)
			if err != nil && !errors.Is(err, strconv.ErrRange) || math.IsNaN(f) {
				return r.corrupt("bad zset score %q", v.Elems[i+1])
			}
			v.Z = append(v.Z, ZEntry{Member: v.Elems[i], Score: f})
		}
		v.Elems = v.Elems[:0]
		return nil
	case TypeListQuicklist, TypeListQuicklist2:
		v.reset(KindList, typ)
		return readQuicklist(r, v, typ == TypeListQuicklist2)
	case TypeStreamListpacks, TypeStreamListpacks2, TypeStreamListpacks3:
		v.reset(KindStream, typ)
		s, err := readStream(r, typ)
		v.Stream = s
		return err
	case TypeModulePreGA, TypeModule2:
		return fmt.Errorf("%w: module value (this server loads no modules)", ErrUnsupported)
	}
	return r.corrupt("unknown value type %d", typ)
}

func clone(b []byte) []byte { return append([]byte(nil), b...) }

func readElems(r *reader, v *Value, n int) error {
	for i := 0; i < n; i++ {
		s, err := r.strCopy()
		if err != nil {
			return err
		}
		v.Elems = append(v.Elems, s)
	}
	return nil
}

func blobElems(r *reader, v *Value, each func([]byte, func([]byte) error) error) error {
	blob, err := r.str()
	if err != nil {
		return err
	}
	return each(blob, func(e []byte) error {
		v.Elems = append(v.Elems, clone(e))
		return nil
	})
}

func evenElems(r *reader, v *Value) error {
	if len(v.Elems)%2 != 0 {
		return r.corrupt("odd number of elements in a hash or zset")
	}
	return nil
}

func readQuicklist(r *reader, v *Value, v2 bool) error {
	perNode := int64(1) // a string
	if v2 {
		perNode = 2 // container, string
	}
	n, err := r.count("quicklist node", perNode)
	if err != nil {
		return err
	}
	for i := 0; i < n; i++ {
		container := uint64(quickPacked)
		if v2 {
			if container, err = r.ulen(); err != nil {
				return err
			}
			if container != quickPlain && container != quickPacked {
				return r.corrupt("quicklist node container %d", container)
			}
		}
		blob, err := r.str()
		if err != nil {
			return err
		}
		switch {
		case container == quickPlain:
			v.Elems = append(v.Elems, clone(blob))
		case v2:
			err = ListpackEach(blob, func(e []byte) error {
				v.Elems = append(v.Elems, clone(e))
				return nil
			})
		default:
			err = ZiplistEach(blob, func(e []byte) error {
				v.Elems = append(v.Elems, clone(e))
				return nil
			})
		}
		if err != nil {
			return err
		}
	}
	return nil
}
