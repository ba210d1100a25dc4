//go:build ignore

// gen_fielddocs writes zz_generated_fielddocs.go from the doc comments in
// this package (go generate ./topology).
package main

import (
	"log"
	"os"

	"github.com/redisctl/redisctl/topology/internal/fielddocs"
)

func main() {
	src, err := fielddocs.Generate(".")
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(fielddocs.OutputFile, src, 0o644); err != nil {
		log.Fatal(err)
	}
}
