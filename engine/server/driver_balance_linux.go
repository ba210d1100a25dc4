package server

import (
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// Loop balancing. One busy event loop serves a moderate load better than
// several half-idle ones: each wakeup handles more ready connections, a hot
// key's shard lock is never contended, and fewer threads compete for the
// CPUs with the clients. Under heavy load the work is worth spreading, but
// only onto a CPU that would otherwise sit idle. So the loops start
// consolidated: new connections go to loop 0 and the others stay idle.
// Every interval loop 0 measures how busy each loop was (time spent
// handling events), how many of the machine's CPUs were idle and how many
// commands were served, and balanceState decides what to move.
type balancer struct {
	spread atomic.Bool // connections are spread over several loops
	state  balanceState
	lastAt time.Time
	lastNs []int64
	lastN  int64 // commands served, all loops
	cpu    cpuIdleMeter
}

const (
	balanceEvery   = 200 * time.Millisecond
	spreadAbove    = 0.80 // a loop this busy hands half its connections over
	spreadTargetAt = 0.35 // to a loop at most this busy
	spreadIdleCPUs = 0.50 // provided the machine has this much CPU idle
	spreadGain     = 1.05 // and keeps the spread if throughput grew this much
	gatherBelow    = 0.55 // total busyness under which all go back to loop 0
	idleBelow      = 0.05 // total busyness of loops with no real load
	settleFor      = 2    // intervals to wait after a move before judging
	retryAfter     = 25   // intervals before spreading again after a loss
)

// loadSample is one interval's measurements.
type loadSample struct {
	busy []float64 // per loop: fraction of the interval spent on events
	idle float64   // the machine's idle CPUs; negative when unknown
	rate float64   // commands per second, all loops
}

// balanceAction is a decision: gather every connection on loop 0, or move
// half of loop from's connections to loop to (nothing when from == to).
type balanceAction struct {
	gather   bool
	from, to int
}

// balanceState is the balancing policy, free of I/O.
//
// Spreading is tried when a loop is saturated and a CPU is idle for
// another one, and kept only if the loops then serve more commands: on a
// machine whose CPUs the clients use too (redis-benchmark on the same two
// cores), a second loop at -P 1 only took turns with the first on the CPUs
// and on a hot key's shard lock, costing a one-key ZADD workload 15% of
// its throughput and doubling its p99.
type balanceState struct {
	spread    bool
	settle    int     // intervals left before the last move is judged
	trialRate float64 // commands/s before the last spread, until judged
	backoff   int     // intervals left before spreading may be tried again
}

func (st *balanceState) step(s loadSample) balanceAction {
	if st.backoff > 0 {
		st.backoff--
	}
	if st.settle > 0 {
		st.settle--
		return balanceAction{}
	}
	total := sum(s.busy)
	noLoad := total < idleBelow
	if noLoad {
		st.backoff = 0 // the next load is a new one: worth a new trial
	}
	if st.spread {
		failed := st.trialRate > 0 && !noLoad && s.rate < st.trialRate*spreadGain
		st.trialRate = 0
		if failed {
			st.backoff = retryAfter
		}
		if failed || total < gatherBelow {
			st.spread, st.settle = false, settleFor
			return balanceAction{gather: true}
		}
	}
	hi, lo := 0, 0
	for i := range s.busy {
		if s.busy[i] > s.busy[hi] {
			hi = i
		}
		if s.busy[i] < s.busy[lo] {
			lo = i
		}
	}
	cpuFree := s.idle < 0 || s.idle >= spreadIdleCPUs
	if st.backoff == 0 && cpuFree && s.busy[hi] > spreadAbove && s.busy[lo] < spreadTargetAt && hi != lo {
		st.spread, st.settle, st.trialRate = true, settleFor, s.rate
		return balanceAction{from: hi, to: lo}
	}
	return balanceAction{}
}

func sum(xs []float64) float64 {
	t := 0.0
	for _, x := range xs {
		t += x
	}
	return t
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
	s, ok := b.sample(d.loops, now)
	if !ok {
		return
	}
	act := b.state.step(s)
	switch {
	case act.gather:
		d.s.logf(levelVerbose, "Event loops: gathering connections on loop 0 (loops busy %.2f, %.0f commands/s)", sum(s.busy), s.rate)
		for _, l := range d.loops[1:] {
			if n := l.nconns.Load(); n > 0 {
				l.requestMove(d.loops[0], int(n))
			}
		}
	case act.from != act.to:
		if n := int(d.loops[act.from].nconns.Load()) / 2; n > 0 {
			d.s.logf(levelVerbose, "Event loops: moving %d connections from loop %d (busy %.2f, %.2f CPUs idle, %.0f commands/s) to loop %d", n, act.from, s.busy[act.from], s.idle, s.rate, act.to)
			d.loops[act.from].requestMove(d.loops[act.to], n)
		}
	}
	b.spread.Store(b.state.spread)
}

// sample measures the interval since the previous call; ok is false on
// the first.
func (b *balancer) sample(loops []*eloop, now time.Time) (loadSample, bool) {
	interval := now.Sub(b.lastAt)
	first := b.lastAt.IsZero()
	b.lastAt = now
	if b.lastNs == nil {
		b.lastNs = make([]int64, len(loops))
	}
	s := loadSample{busy: make([]float64, len(loops)), idle: b.cpu.idleCPUs(interval)}
	var n int64
	for i, l := range loops {
		ns := l.busyNs.Load()
		s.busy[i] = float64(ns-b.lastNs[i]) / float64(interval)
		b.lastNs[i] = ns
		n += l.stats.commands.Load()
	}
	if n >= b.lastN { // CONFIG RESETSTAT zeroes the counters
		s.rate = float64(n-b.lastN) / interval.Seconds()
	}
	b.lastN = n
	return s, !first
}

type moveRequest struct {
	to    *eloop
	count int
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
	for _, ec := range l.byFd {
		if len(moved) >= count {
			break
		}
		if ec == nil {
			continue
		}
		c := ec.c
		if ec.closed || ec.writable || ec.sent < len(c.out) || ec.dirty {
			continue
		}
		unix.EpollCtl(l.epfd, unix.EPOLL_CTL_DEL, ec.fd, nil)
		l.removeConn(ec)
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
