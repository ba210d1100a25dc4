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
		fd := int(events[i].Fd)
		switch {
		case fd == l.evfd:
			l.drainInboxExcept(ec)
		case l.id == 0 && l.d.isListener(fd):
			l.accept(fd)
		default:
			other := l.conn(fd)
			if other == nil || other == ec {
				continue
			}
			if events[i].Events&(unix.EPOLLIN|unix.EPOLLHUP|unix.EPOLLERR|unix.EPOLLRDHUP) != 0 {
				l.read(other)
			}
			if events[i].Events&unix.EPOLLOUT != 0 && !other.closed {
				l.markDirty(other)
			}
		}
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

// drainInboxExcept is drainInbox leaving ec's requests for later.
func (l *eloop) drainInboxExcept(ec *econn) {
	var b [8]byte
	unix.Read(l.evfd, b[:])
	l.notify.Store(false)
	l.mu.Lock()
	inbox, adopt := l.inbox, l.adopt
	l.inbox, l.adopt = nil, nil
	for _, c := range inbox {
		if c.conn == ec {
			l.inbox = append(l.inbox, c)
		}
	}
	l.mu.Unlock()
	for _, a := range adopt {
		l.register(a)
	}
	for _, c := range inbox {
		other := c.conn.(*econn)
		if owner := other.l.Load(); owner != l {
			other.wake(c) // moved to another loop: pass it on
			continue
		}
		if other == ec || other.closed {
			continue
		}
		if c.takeAsync() || c.flags&flagCloseASAP != 0 {
			l.closeConn(other)
			continue
		}
		l.markDirty(other)
	}
	if len(l.inbox) > 0 {
		l.wakeup()
	}
}
