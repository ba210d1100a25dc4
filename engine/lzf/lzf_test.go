package lzf

import (
	"bytes"
	"math/rand"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	inputs := [][]byte{[]byte("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"), []byte("#!lua name=mylib\nredis.register_function('f', function() return 1 end)\nredis.register_function('g', function() return 1 end)")}
	for i := 0; i < 200; i++ {
		b := make([]byte, rng.Intn(3000)+3)
		for j := range b {
			b[j] = "abcab"[rng.Intn(5)]
		}
		inputs = append(inputs, b)
	}
	for _, in := range inputs {
		c := Compress(in, len(in)-4)
		if c == nil {
			continue
		}
		out, err := Decompress(c, len(in))
		if err != nil || !bytes.Equal(out, in) {
			t.Fatalf("round trip of %d bytes failed: %v", len(in), err)
		}
	}
	if Compress([]byte("abcdefghijklmnopqrstuvwxyz"), 22) != nil {
		t.Fatal("incompressible input compressed")
	}
}
