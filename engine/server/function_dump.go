package server

import (
	"encoding/binary"
	"errors"
	"strconv"
	"strings"

	"github.com/redisctl/redisctl/engine/rdb"
)

// FUNCTION DUMP and FUNCTION RESTORE: the payload is what Redis writes,
// an RDB fragment (one FUNCTION2 opcode and the library code as an RDB
// string per library) followed by the RDB version and a CRC-64.

const (
	rdbOpcodeFunction2     = rdb.OpFunction2
	rdbOpcodeFunctionPreGA = rdb.OpFunctionPG
	dumpRDBVersion         = 10 // the newest version Redis 7.0 restores
)

func functionDumpCommand(c *Client) {
	var out []byte
	var z *rdb.Compressor
	if c.srv.cfg.Bool("rdbcompression") {
		z = rdb.NewCompressor()
	}
	for _, code := range c.srv.scripting.libraryCodes() {
		out = append(out, rdbOpcodeFunction2)
		out = rdb.AppendString(out, code, z)
	}
	c.addBulk(rdb.AppendDumpFooter(out))
}

// verifyDumpPayload checks the footer of a DUMP payload.
func verifyDumpPayload(p []byte) bool {
	if len(p) < 10 {
		return false
	}
	ver := binary.LittleEndian.Uint16(p[len(p)-10:])
	if ver > dumpRDBVersion {
		return false
	}
	return rdb.CRC64(0, p[:len(p)-8]) == binary.LittleEndian.Uint64(p[len(p)-8:])
}

var errRDBShort = errors.New("unexpected end of payload")

// rdbReader reads RDB types, lengths and strings.
type rdbReader struct {
	b   []byte
	pos int
}

func (r *rdbReader) byte() (byte, error) {
	if r.pos >= len(r.b) {
		return 0, errRDBShort
	}
	c := r.b[r.pos]
	r.pos++
	return c, nil
}

func (r *rdbReader) take(n int) ([]byte, error) {
	if n < 0 || r.pos+n > len(r.b) {
		return nil, errRDBShort
	}
	p := r.b[r.pos : r.pos+n]
	r.pos += n
	return p, nil
}

// length reads an RDB length; enc is set for the special string
// encodings (11xxxxxx), with their type in n.
func (r *rdbReader) length() (n uint64, enc bool, err error) {
	c, err := r.byte()
	if err != nil {
		return 0, false, err
	}
	switch c >> 6 {
	case 0:
		return uint64(c & 0x3f), false, nil
	case 1:
		c2, err := r.byte()
		return uint64(c&0x3f)<<8 | uint64(c2), false, err
	case 3:
		return uint64(c & 0x3f), true, nil
	}
	switch c {
	case 0x80:
		p, err := r.take(4)
		if err != nil {
			return 0, false, err
		}
		return uint64(binary.BigEndian.Uint32(p)), false, nil
	case 0x81:
		p, err := r.take(8)
		if err != nil {
			return 0, false, err
		}
		return binary.BigEndian.Uint64(p), false, nil
	}
	return 0, false, errors.New("unknown length encoding")
}

func (r *rdbReader) string() ([]byte, error) {
	n, enc, err := r.length()
	if err != nil {
		return nil, err
	}
	if !enc {
		return r.take(int(n))
	}
	switch n {
	case 0, 1, 2:
		p, err := r.take(1 << n)
		if err != nil {
			return nil, err
		}
		var v int64
		switch n {
		case 0:
			v = int64(int8(p[0]))
		case 1:
			v = int64(int16(binary.LittleEndian.Uint16(p)))
		case 2:
			v = int64(int32(binary.LittleEndian.Uint32(p)))
		}
		return []byte(strconv.FormatInt(v, 10)), nil
	case 3:
		clen, _, err := r.length()
		if err != nil {
			return nil, err
		}
		ulen, _, err := r.length()
		if err != nil {
			return nil, err
		}
		p, err := r.take(int(clen))
		if err != nil {
			return nil, err
		}
		return rdb.Decompress(p, int(ulen), nil)
	}
	return nil, errors.New("unknown string encoding")
}

func functionRestoreCommand(c *Client) {
	if len(c.argv) > 4 {
		c.subcommandSyntaxError()
		return
	}
	policy := "append"
	if len(c.argv) == 4 {
		switch {
		case argIs(c.argv[3], "append"), argIs(c.argv[3], "replace"), argIs(c.argv[3], "flush"):
			policy = string(c.argv[3])
		default:
			c.addError("ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.")
			return
		}
	}
	data := c.argv[2]
	if !verifyDumpPayload(data) {
		c.addError("ERR DUMP payload version or checksum are wrong")
		return
	}
	f := c.srv.scripting.fns
	r := &rdbReader{b: data[:len(data)-10]}
	var libs []*functionLib
	names := map[string]bool{}
	fail := func(msg string) { c.addError("ERR " + msg) }
	for r.pos < len(r.b) {
		t, err := r.byte()
		if err != nil {
			fail("can not read data type")
			return
		}
		if t == rdbOpcodeFunctionPreGA {
			fail("Pre-GA function format not supported")
			return
		}
		if t != rdbOpcodeFunction2 {
			fail("given type is not a function")
			return
		}
		code, err := r.string()
		if err != nil {
			fail("failed loading the given functions payload")
			return
		}
		lib, msg := f.create(string(code))
		if msg != "" {
			fail(msg)
			return
		}
		if names[lib.name] {
			fail("Library '" + lib.name + "' already exists")
			return
		}
		names[lib.name] = true
		libs = append(libs, lib)
	}
	if msg := f.join(libs, policy); msg != "" {
		fail(msg)
		return
	}
	c.dirty++
	c.addOK()
}

// join adds restored libraries: FLUSH replaces everything, APPEND fails
// on a name collision, REPLACE replaces libraries of the same name; a
// function name collision fails and changes nothing.
func (f *functions) join(libs []*functionLib, policy string) string {
	if argIs([]byte(policy), "flush") {
		for _, old := range f.sortedLibs() {
			f.unlink(old)
		}
		for _, l := range libs {
			f.link(l)
		}
		return ""
	}
	var replaced []*functionLib
	restore := func() {
		for _, l := range replaced {
			f.link(l)
		}
	}
	for _, l := range libs {
		old := f.libs[l.name]
		if old == nil {
			continue
		}
		if !argIs([]byte(policy), "replace") {
			restore()
			return "Library " + l.name + " already exists"
		}
		f.unlink(old)
		replaced = append(replaced, old)
	}
	for _, l := range libs {
		for _, fn := range l.funcs {
			if f.funcs[strings.ToLower(fn.name)] != nil {
				restore()
				return "Function " + fn.name + " already exists"
			}
		}
	}
	for _, l := range libs {
		f.link(l)
	}
	return ""
}
