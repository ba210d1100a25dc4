// Package freeport finds free TCP ports on 127.0.0.1 for tests that start
// servers on consecutive ports.
package freeport

import (
	"fmt"
	"math/rand/v2"
	"net"
)

// Range returns the first of n consecutive ports that are free on
// 127.0.0.1. It looks below the kernel's ephemeral range (32768 and up on
// Linux): client sockets in TIME_WAIT, which a busy shared machine has by
// the thousand there, make consecutive free ports rare in that range.
func Range(n int) (int, error) {
	for attempt := 0; attempt < 200; attempt++ {
		base := 20000 + rand.IntN(12000)
		if free(base, n) {
			return base, nil
		}
	}
	return 0, fmt.Errorf("no %d consecutive free ports on 127.0.0.1", n)
}

func free(base, n int) bool {
	for p := base; p < base+n; p++ {
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
		if err != nil {
			return false
		}
		l.Close()
	}
	return true
}
