// Package ds holds the compact data structures behind the engine's
// collection types: intsets in Redis's byte layout (so persistence can
// write them as RDB payloads as they are; listpacks are package listpack),
// allocation by the runtime's size classes, a hash table of pointer-free
// entry blobs with Redis's SCAN guarantee, and an order-statistic tree for
// large sorted sets.
//
// Everything here is single-threaded: the keyspace's shard locks guard a
// value and every structure inside it.
package ds

// sizeClasses are the Go allocator's small object sizes, probed at start
// so memory accounting follows the runtime in use.
var sizeClasses = probeSizeClasses()

const maxSmall = 32768

// classOf maps a small size, rounded up to a multiple of classStep, to its
// size class: AllocSize is on the write path of every collection command,
// and a binary search over the classes showed in its profile. Go's classes
// are multiples of 8, so every size of a step has the step's class
// (TestAllocSizeTable checks the table against the search for every size).
const classStep = 8

var classOf = sizeClassTable()

func sizeClassTable() []int32 {
	t := make([]int32, maxSmall/classStep+1)
	for i := 1; i < len(t); i++ {
		t[i] = int32(searchClass(i * classStep))
	}
	return t
}

func probeSizeClasses() []int {
	var out []int
	for n := 1; n <= maxSmall; {
		c := cap(append([]byte(nil), make([]byte, n)...))
		out = append(out, c)
		n = c + 1
	}
	return out
}

// AllocSize is the number of bytes the Go allocator really reserves for an
// n-byte pointer-free allocation: its size class, or n rounded up to whole
// 8 KiB pages for large ones.
func AllocSize(n int) int {
	if n <= 0 {
		return 0
	}
	if n > maxSmall {
		return (n + 8191) &^ 8191
	}
	return int(classOf[(n+classStep-1)/classStep])
}

// searchClass is the size class of 0 < n <= maxSmall, found by binary
// search.
func searchClass(n int) int {
	lo, hi := 0, len(sizeClasses)-1
	for lo < hi {
		m := (lo + hi) / 2
		if sizeClasses[m] >= n {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return sizeClasses[lo]
}

// Alloc returns a zeroed slice of length n whose capacity is the whole
// size class, so later growth can use the slack without copying.
func Alloc(n int) []byte {
	b := append([]byte(nil), make([]byte, n)...)
	return b[:n]
}

// LowerCap is the capacity a buffer of length n is known to have when only
// its length survived: the size class of n (never more than the real one).
func LowerCap(n int) int {
	if n > maxSmall {
		return n
	}
	return AllocSize(n)
}

// Resize returns b with length n, keeping its contents. It reallocates
// (to n's size class, copying) only when cap(b) is too small, so a
// structure that grows through it takes its own exact size, as Redis's
// reallocs of listpacks and intsets do.
func Resize(b []byte, n int) []byte {
	if n <= cap(b) {
		return b[:n]
	}
	nb := Alloc(n)
	copy(nb, b)
	return nb
}
