//go:build !linux

package aof

import "os"

func writeFile(f *os.File, p []byte) (int, error) { return f.Write(p) }
