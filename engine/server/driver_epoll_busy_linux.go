package server

import "golang.org/x/sys/unix"

// serveWhileBusy runs on the goroutine of ec's loop while ec's client runs
// a script past busy-reply-threshold (the loop is stuck in it): it serves
// the loop's other connections once, without blocking, as Redis's
// processEventsWhileBlocked does, so they get their BUSY replies and
// SCRIPT KILL reaches the script. ec itself is left alone: its events stay
// pending and its output is flushed after its command.
func (ec *econn) serveWhileBusy() {
	l := ec.l.Load()
	// The running command's arguments (and the rest of its pipeline) may
	// live in the loop's read buffer: read into another one meanwhile.
	saved := l.buf
	l.buf = make([]byte, readBufSize)
	defer func() { l.buf = saved }()
	var events [64]unix.EpollEvent
	n, err := unix.EpollWait(l.epfd, events[:], 0)
	if err != nil {
		return
	}
	for i := 0; i < n; i++ {
		l.handle(&events[i], ec)
	}
	// Flush everyone but ec, which stays marked for the loop's next flush.
	dirty := l.dirty
	l.dirty = nil
	for _, d := range dirty {
		d.dirty = false
	}
	for _, d := range dirty {
		if d == ec {
			l.markDirty(ec)
			continue
		}
		if !d.closed {
			l.write(d)
		}
	}
}
