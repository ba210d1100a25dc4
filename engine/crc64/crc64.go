// Package crc64 is Redis's CRC-64 (the "Jones" polynomial, reflected, no
// initial or final inversion), which checksums RDB files and DUMP payloads.
package crc64

import "hash/crc64"

// jones is the reflected form of the polynomial 0xad93d23594c935a9.
var table = crc64.MakeTable(0x95ac9329ac4bc9b5)

// Update returns the CRC of p continuing from crc (0 to start).
func Update(crc uint64, p []byte) uint64 {
	// The standard library inverts the CRC before and after; Redis does
	// not, so undo both inversions.
	return ^crc64.Update(^crc, table, p)
}

// Checksum returns the CRC of p.
func Checksum(p []byte) uint64 { return Update(0, p) }
