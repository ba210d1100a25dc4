package crc64

import "testing"

func TestRedisCheckValue(t *testing.T) {
	// The check value Redis's crc64.c tests against.
	if got := Checksum([]byte("123456789")); got != 0xe9c6d914c4b8d9ca {
		t.Fatalf("crc64(123456789) = %#x", got)
	}
	if got := Update(Checksum([]byte("1234")), []byte("56789")); got != 0xe9c6d914c4b8d9ca {
		t.Fatalf("incremental crc = %#x", got)
	}
}
