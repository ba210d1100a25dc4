package freeport

import (
	"fmt"
	"net"
	"testing"
)

func TestRangeIsFree(t *testing.T) {
	base, err := Range(4)
	if err != nil {
		t.Fatal(err)
	}
	for p := base; p < base+4; p++ {
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
		if err != nil {
			t.Fatalf("port %d of the range is taken: %v", p, err)
		}
		l.Close()
	}
	// A taken port is never part of a range.
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", base))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if free(base, 1) {
		t.Errorf("port %d is listened on but reported free", base)
	}
}
