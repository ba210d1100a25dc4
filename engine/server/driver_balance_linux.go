package server

import (
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// Loop balancing. One busy event loop serves a moderate load better than
// several half-idle ones: each wakeup handles more ready connections and
// fewer threads compete for the CPUs with the clients. Under heavy load the
// work is worth spreading. So the loops start consolidated: new connections
// go to loop 0 and the others stay idle. Loop 0 measures how busy every
// loop was (time spent handling events, per interval) and moves
// connections: half of a saturated loop's to the idlest loop, or all of
// them back to loop 0 when the total load fits comfortably in one loop.

const (
	balanceEvery   = 200 * time.Millisecond
	spreadAbove    = 0.80 // a loop this busy hands half its connections over
	spreadTargetAt = 0.35 // to a loop at most this busy
	gatherBelow    = 0.55 // total busyness under which all go back to loop 0
	gatherAbove    = 0.05 // ...but only under real load, not when idle
)

type moveRequest struct {
	to    *eloop
	count int
}

type balancer struct {
	spread  atomic.Bool // connections are spread over several loops
	lastAt  time.Time
	lastNs  []int64
	holdoff int // intervals to wait after a move
}

// pickLoop returns the loop a new connection goes to.
func (d *epollDriver) pickLoop() *eloop {
	if len(d.loops) == 1 || !d.bal.spread.Load() {
		return d.loops[0]
	}
	// Spread: the loop with the fewest connections.
	best := d.loops[0]
	for _, l := range d.loops[1:] {
		if l.nconns.Load() < best.nconns.Load() {
			best = l
		}
	}
	return best
}

// balance runs on loop 0 after each event batch.
func (d *epollDriver) balance(now time.Time) {
	b := &d.bal
	if len(d.loops) < 2 || now.Sub(b.lastAt) < balanceEvery {
		return
	}
	if b.lastNs == nil {
		b.lastNs = make([]int64, len(d.loops))
	}
	interval := now.Sub(b.lastAt)
	first := b.lastAt.IsZero()
	b.lastAt = now
	busy := make([]float64, len(d.loops))
	total := 0.0
	for i, l := range d.loops {
		ns := l.busyNs.Load()
		busy[i] = float64(ns-b.lastNs[i]) / float64(interval)
		b.lastNs[i] = ns
		total += busy[i]
	}
	if first {
		return
	}
	if b.holdoff > 0 {
		b.holdoff--
		return
	}
	if b.spread.Load() && total < gatherBelow && total > gatherAbove {
		for _, l := range d.loops[1:] {
			if l.nconns.Load() > 0 {
				l.requestMove(d.loops[0], int(l.nconns.Load()))
			}
		}
		b.spread.Store(false)
		b.holdoff = 2
		return
	}
	hi, lo := 0, 0
	for i := range busy {
		if busy[i] > busy[hi] {
			hi = i
		}
		if busy[i] < busy[lo] {
			lo = i
		}
	}
	if busy[hi] > spreadAbove && busy[lo] < spreadTargetAt && hi != lo {
		if n := int(d.loops[hi].nconns.Load()) / 2; n > 0 {
			d.loops[hi].requestMove(d.loops[lo], n)
			b.spread.Store(true)
			b.holdoff = 2
		}
	}
}

// requestMove asks l to hand count of its connections to target.
func (l *eloop) requestMove(target *eloop, count int) {
	l.mu.Lock()
	l.moveReq = moveRequest{to: target, count: count}
	l.mu.Unlock()
	l.wakeup()
}

// moveConns hands up to count idle connections (nothing being written,
// no write pending) over to target. Runs on l.
func (l *eloop) moveConns(target *eloop, count int) {
	var moved []*econn
	for fd, ec := range l.conns {
		if len(moved) >= count {
			break
		}
		c := ec.c
		if ec.closed || ec.writable || ec.sent < len(c.out) || l.isDirty[ec] {
			continue
		}
		unix.EpollCtl(l.epfd, unix.EPOLL_CTL_DEL, fd, nil)
		delete(l.conns, fd)
		l.nconns.Add(-1)
		ec.l.Store(target)
		moved = append(moved, ec)
	}
	if len(moved) == 0 {
		return
	}
	target.mu.Lock()
	target.adopt = append(target.adopt, moved...)
	target.mu.Unlock()
	target.wakeup()
}
