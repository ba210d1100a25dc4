package server

import (
	"sync/atomic"
	"time"
)

// A cheap clock for the command path. Reading the system clock costs a
// vDSO call each time and time.Now reads two clocks. The dispatcher needs a
// monotonic reading per command (commandstats, slowlog) and the wall time
// in ms (expiry). It reads the monotonic clock only, and derives the wall
// time from an offset the cron refreshes, so a clock step is picked up
// within one cron tick.

// monoClock converts monotonic readings to wall time.
type monoClock struct {
	base   time.Time    // the zero of monoNow
	offset atomic.Int64 // unix ns minus monoNow()
}

func (m *monoClock) init() {
	m.base = time.Now()
	m.refresh()
}

// monoNow returns nanoseconds on the monotonic clock (one clock read).
func (m *monoClock) monoNow() int64 { return int64(time.Since(m.base)) }

func (m *monoClock) refresh() { m.offset.Store(time.Now().UnixNano() - m.monoNow()) }

// wallMs converts a monoNow reading to unix ms.
func (m *monoClock) wallMs(mono int64) int64 {
	return (mono + m.offset.Load()) / int64(time.Millisecond)
}
