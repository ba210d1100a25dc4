package digitalocean

import (
	"fmt"
	"strings"
)

const gib = int64(1) << 30

// size is one database node plan.
type size struct {
	Slug  string
	RAM   int64 // bytes
	VCPUs int
}

// sizes are the database plans offered for Valkey, smallest first: the
// basic plans up to 64 GB, then the memory-optimised ones. The live list
// is GET /v2/databases/options (doctl databases options slugs --engine valkey).
var sizes = []size{
	{"db-s-1vcpu-1gb", 1 * gib, 1},
	{"db-s-1vcpu-2gb", 2 * gib, 1},
	{"db-s-2vcpu-4gb", 4 * gib, 2},
	{"db-s-4vcpu-8gb", 8 * gib, 4},
	{"db-s-6vcpu-16gb", 16 * gib, 6},
	{"db-s-8vcpu-32gb", 32 * gib, 8},
	{"db-s-16vcpu-64gb", 64 * gib, 16},
	{"m-16vcpu-128gb", 128 * gib, 16},
	{"m-24vcpu-192gb", 192 * gib, 24},
	{"m-32vcpu-256gb", 256 * gib, 32},
	// Memory-optimised plans a user may name with provider.size.
	{"m-2vcpu-16gb", 16 * gib, 2},
	{"m-4vcpu-32gb", 32 * gib, 4},
	{"m-8vcpu-64gb", 64 * gib, 8},
}

// autoSizes is how many entries of sizes memory picks from.
const autoSizes = 10

// minStandbyRAM is the smallest plan DigitalOcean offers standby nodes on.
const minStandbyRAM = 2 * gib

// maxRAM is the largest plan.
const maxRAM = 256 * gib

// sizeFor picks the smallest plan with at least memory bytes of RAM.
func sizeFor(memory int64) (size, bool) {
	for _, s := range sizes[:autoSizes] {
		if s.RAM >= memory {
			return s, true
		}
	}
	return size{}, false
}

// lookupSize finds a plan by slug.
func lookupSize(slug string) (size, bool) {
	for _, s := range sizes {
		if s.Slug == slug {
			return s, true
		}
	}
	return size{}, false
}

// sizeRAM is a plan's RAM, or 0 for a slug this table does not know (a
// plan DigitalOcean added later, seen on an existing cluster).
func sizeRAM(slug string) int64 {
	s, _ := lookupSize(slug)
	return s.RAM
}

func slugList() string {
	var out []string
	for _, s := range sizes {
		out = append(out, s.Slug)
	}
	return strings.Join(out, ", ")
}

func gibString(b int64) string {
	if b%gib == 0 {
		return fmt.Sprintf("%d GiB", b/gib)
	}
	return fmt.Sprintf("%.1f GiB", float64(b)/float64(gib))
}
