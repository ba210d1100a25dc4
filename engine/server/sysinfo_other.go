//go:build !linux

package server

import (
	"runtime"
	"syscall"
)

func osName() string { return runtime.GOOS + " " + runtime.GOARCH }

// readRSS falls back to the Go runtime's view where /proc is missing.
func readRSS() int64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.Sys - ms.HeapReleased)
}

func totalSystemMemory() int64 { return 0 }

func cpuTimes() (user, sys float64) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, 0
	}
	return float64(ru.Utime.Sec) + float64(ru.Utime.Usec)/1e6, float64(ru.Stime.Sec) + float64(ru.Stime.Usec)/1e6
}
