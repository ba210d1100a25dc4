//go:build ignore

// gen_reference writes docs/spec.md from the spec types and their doc
// comments (go generate ./topology, after gen_fielddocs.go).
package main

import (
	"log"
	"os"

	"github.com/redisctl/redisctl/topology"
)

func main() {
	if err := os.WriteFile(topology.ReferencePath, topology.Reference(), 0o644); err != nil {
		log.Fatal(err)
	}
}
