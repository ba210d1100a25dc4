// Package rdb reads and writes Redis's RDB format, version 10 as Redis 7.0
// writes it: whole files (header, aux fields, functions, databases, EOF
// and CRC-64) and single values (DUMP/RESTORE payloads). It knows every
// type and encoding Redis 7.0 writes or loads: strings (int, raw, LZF),
// lists (quicklist of listpacks or ziplists, ziplist, linked list), sets
// (intset, listpack, hashtable), hashes (listpack, ziplist, zipmap,
// hashtable), sorted sets (listpack, ziplist, skiplist) and streams with
// consumer groups. It is independent of the engine's data structures:
// values are decoded into plain Go slices and written from primitives.
package rdb

import "errors"

// Version is the RDB version written (Redis 7.0).
const Version = 10

// MaxVersion is the newest RDB version read. Files from Redis 7.2 (11)
// load when they only use encodings this package knows.
const MaxVersion = 11

// Opcodes.
const (
	OpFunction2  = 245
	OpFunctionPG = 246 // pre-GA 7.0 function format, rejected like Redis does
	OpModuleAux  = 247
	OpIdle       = 248
	OpFreq       = 249
	OpAux        = 250
	OpResizeDB   = 251
	OpExpireMs   = 252
	OpExpireSec  = 253
	OpSelectDB   = 254
	OpEOF        = 255
)

// Value types (the byte before a key).
const (
	TypeString           = 0
	TypeList             = 1
	TypeSet              = 2
	TypeZSet             = 3
	TypeHash             = 4
	TypeZSet2            = 5
	TypeModulePreGA      = 6
	TypeModule2          = 7
	TypeHashZipmap       = 9
	TypeListZiplist      = 10
	TypeSetIntset        = 11
	TypeZSetZiplist      = 12
	TypeHashZiplist      = 13
	TypeListQuicklist    = 14
	TypeStreamListpacks  = 15
	TypeHashListpack     = 16
	TypeZSetListpack     = 17
	TypeListQuicklist2   = 18
	TypeStreamListpacks2 = 19
	TypeSetListpack      = 20
	TypeStreamListpacks3 = 21
)

// Length and string encodings.
const (
	len6        = 0
	len14       = 1
	len32       = 0x80
	len64       = 0x81
	encVal      = 3 // top bits 11: a special string encoding follows
	encInt8     = 0
	encInt16    = 1
	encInt32    = 2
	encLZF      = 3
	quickPlain  = 1 // quicklist 2 node holding one large element
	quickPacked = 2 // quicklist 2 node holding a listpack
)

// ErrCorrupt is wrapped by every error about malformed input.
var ErrCorrupt = errors.New("rdb: corrupt data")
