package rdb

import "hash/crc64"

// Redis checksums RDB files and DUMP payloads with CRC-64/Jones: the
// reflected polynomial 0xad93d23594c935a9, initial value 0 and no final
// xor. Go's hash/crc64 implements the same reflected algorithm but inverts
// the value before and after, which CRC64 undoes.

var jonesTable = crc64.MakeTable(0x95ac9329ac4bc9b5)

// CRC64 extends crc, a Redis CRC-64 of earlier bytes (0 to start), with p.
func CRC64(crc uint64, p []byte) uint64 {
	return ^crc64.Update(^crc, jonesTable, p)
}
