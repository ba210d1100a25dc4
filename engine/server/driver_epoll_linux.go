package server

import (
	"errors"
	"fmt"
	"net"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"github.com/redisctl/redisctl/engine/internal/rawio"
	"golang.org/x/sys/unix"
)

// epollDriver serves connections with one epoll event loop per CPU, each
// a goroutine that waits in epoll_wait (see wait), the way Redis serves
// them with its event loop: read what is ready, run every complete
// command, then write each client's replies with one write. Connections are spread over the loops;
// commands on different loops run in parallel under the keyspace's shard
// locks.
type epollDriver struct {
	s       *Server
	procs   int // GOMAXPROCS when the driver started
	loops   []*eloop
	lfds    []int // listening sockets (dups of the listeners')
	bal     balancer
	next    atomic.Uint32
	wg      sync.WaitGroup
	stopped atomic.Bool
}

const epollDefault = true

// eloop is one event loop. Everything in it except the inbox is owned by
// the loop's goroutine.
type eloop struct {
	d     *epollDriver
	id    int
	epfd  int
	evfd  int
	stats *loopStats
	byFd  []*econn // the loop's connections, indexed by fd (nil: none)
	buf   []byte
	dirty []*econn // connections with replies to write this iteration

	mu      sync.Mutex   // guards inbox, adopt and moveReq
	inbox   []*Client    // clients with async output or a kill pending
	adopt   []*econn     // connections handed over by another loop
	moveReq moveRequest  // the balancer asks to move connections away
	busyNs  atomic.Int64 // time spent handling events
	nconns  atomic.Int32
	notify  atomic.Bool

	// While the loop parks in Go's netpoller (see wait): a duplicate of
	// epfd as a file the netpoller watches, nil otherwise.
	epf      *os.File
	eprc     syscall.RawConn
	deadline bool // a read deadline is set on epf
}

// econn is one connection of a loop.
type econn struct {
	l        atomic.Pointer[eloop] // the owning loop; changes when rebalanced
	fd       int
	c        *Client
	sent     int  // bytes of c.out already written
	writable bool // EPOLLOUT registered
	dirty    bool // in its loop's dirty list
	closed   bool
	fresh    bool // not registered with any loop yet
}

const readBufSize = 64 * 1024

// yieldEvery is how often a busy loop passes through the scheduler. A
// loop that blocks in epoll_wait (see wait) never does otherwise, and the
// runtime's sysmon takes a goroutine that has not for 10 ms for one that
// runs forever: it preempts it with a signal when it catches it running
// and takes its P away when it catches it in a system call, then polls
// every 20 µs until things calm down. A yield every few milliseconds
// costs about a microsecond each.
const yieldEvery = 5 * time.Millisecond

func newEpollDriver(s *Server) (driver, error) {
	n := runtime.GOMAXPROCS(0)
	if v, err := strconv.Atoi(os.Getenv("REDISCTL_ENGINE_LOOPS")); err == nil && v > 0 {
		n = v
	}
	d := &epollDriver{s: s, procs: runtime.GOMAXPROCS(0)}
	for i := 0; i < n; i++ {
		l, err := d.newLoop(i)
		if err != nil {
			d.closeLoops()
			return nil, err
		}
		d.loops = append(d.loops, l)
	}
	return d, nil
}

func (d *epollDriver) newLoop(id int) (*eloop, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("epoll_create: %w", err)
	}
	evfd, err := unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC)
	if err != nil {
		unix.Close(epfd)
		return nil, fmt.Errorf("eventfd: %w", err)
	}
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, evfd, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(evfd)}); err != nil {
		unix.Close(epfd)
		unix.Close(evfd)
		return nil, err
	}
	l := &eloop{d: d, id: id, epfd: epfd, evfd: evfd, stats: d.s.newLoopStats(),
		buf: make([]byte, readBufSize)}
	// Fail here rather than in the loop if the netpoller cannot watch it.
	if err := l.setParking(true); err != nil {
		l.close()
		return nil, err
	}
	return l, nil
}

func (l *eloop) close() {
	l.setParking(false)
	unix.Close(l.epfd)
	unix.Close(l.evfd)
}

func (d *epollDriver) closeLoops() {
	for _, l := range d.loops {
		l.close()
	}
}

func (d *epollDriver) start(ls []net.Listener) error {
	for _, ln := range ls {
		tl, ok := ln.(*net.TCPListener)
		if !ok {
			return errors.New("epoll driver: only TCP listeners are supported")
		}
		rc, err := tl.SyscallConn()
		if err != nil {
			return err
		}
		fd := -1
		var derr error
		if err := rc.Control(func(s uintptr) { fd, derr = unix.Dup(int(s)) }); err != nil {
			return err
		}
		if derr != nil {
			return derr
		}
		unix.CloseOnExec(fd)
		if err := unix.SetNonblock(fd, true); err != nil {
			unix.Close(fd)
			return err
		}
		d.lfds = append(d.lfds, fd)
		// Loop 0 accepts and hands connections out round robin.
		if err := unix.EpollCtl(d.loops[0].epfd, unix.EPOLL_CTL_ADD, fd, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(fd)}); err != nil {
			return err
		}
	}
	for _, l := range d.loops {
		d.wg.Add(1)
		go l.run()
	}
	return nil
}

func (d *epollDriver) isListener(fd int) bool {
	for _, l := range d.lfds {
		if l == fd {
			return true
		}
	}
	return false
}

func (d *epollDriver) stop() {
	d.stopped.Store(true)
	for _, l := range d.loops {
		l.wakeup()
	}
	d.wg.Wait()
	for _, fd := range d.lfds {
		unix.Close(fd)
	}
	d.closeLoops()
}

func (l *eloop) run() {
	defer l.d.wg.Done()
	events := make([]unix.EpollEvent, 256)
	var yielded time.Time
	for !l.d.stopped.Load() {
		n, err := l.wait(events)
		if err != nil {
			l.d.s.logf(levelWarning, "epoll_wait: %v", err)
			break
		}
		woke := time.Now()
		for i := 0; i < n; i++ {
			l.handle(&events[i], nil)
		}
		l.flushDirty()
		done := time.Now()
		l.busyNs.Add(int64(done.Sub(woke)))
		if l.id == 0 {
			l.d.balance(done)
		}
		if done.Sub(yielded) >= yieldEvery {
			// See yieldEvery.
			runtime.Gosched()
			yielded = done
		}
	}
	for _, ec := range l.byFd {
		if ec != nil {
			l.closeConn(ec)
		}
	}
}

// handle serves one epoll event. busy is the connection whose command is
// running while the loop serves the others (serveWhileBusy), nil
// otherwise: its events and wakeups are left pending.
func (l *eloop) handle(ev *unix.EpollEvent, busy *econn) {
	fd := int(ev.Fd)
	switch {
	case fd == l.evfd:
		l.drainInbox(busy)
	case l.id == 0 && l.d.isListener(fd):
		l.accept(fd)
	default:
		ec := l.conn(fd)
		if ec == nil || ec == busy {
			return
		}
		if ev.Events&(unix.EPOLLIN|unix.EPOLLHUP|unix.EPOLLERR|unix.EPOLLRDHUP) != 0 {
			l.read(ec)
		}
		if ev.Events&unix.EPOLLOUT != 0 && !ec.closed {
			l.markDirty(ec)
		}
	}
}

func (l *eloop) accept(lfd int) {
	for {
		fd, sa, err := unix.Accept4(lfd, unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)
		if err != nil {
			if err != unix.EAGAIN && err != unix.EINTR && err != unix.ECONNABORTED {
				l.d.s.logf(levelWarning, "Accepting client connection: %v", err)
			}
			return
		}
		if !l.d.s.admitClient() {
			unix.Write(fd, []byte("-ERR max number of clients reached\r\n"))
			unix.Close(fd)
			continue
		}
		unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
		if ka := l.d.s.cfg.Int("tcp-keepalive"); ka > 0 {
			unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_KEEPALIVE, 1)
			unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_KEEPIDLE, int(ka))
			unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_KEEPINTVL, max(int(ka)/3, 1))
			unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_KEEPCNT, 3)
		}
		var local net.Addr
		if lsa, err := unix.Getsockname(fd); err == nil {
			local = sockaddrToTCP(lsa)
		}
		target := l.d.pickLoop()
		ec := &econn{fd: fd, fresh: true}
		ec.l.Store(target)
		ec.c = l.d.s.newClient(ec, fd, sockaddrToTCP(sa), local, target.stats)
		if target == l {
			l.register(ec)
			continue
		}
		target.mu.Lock()
		target.adopt = append(target.adopt, ec)
		target.mu.Unlock()
		target.wakeup()
	}
}

func sockaddrToTCP(sa unix.Sockaddr) net.Addr {
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		return &net.TCPAddr{IP: net.IP(a.Addr[:]).To16(), Port: a.Port}
	case *unix.SockaddrInet6:
		return &net.TCPAddr{IP: net.IP(a.Addr[:]), Port: a.Port}
	}
	return nil
}

// conn returns the loop's connection on fd, nil when there is none.
func (l *eloop) conn(fd int) *econn {
	if fd < 0 || fd >= len(l.byFd) {
		return nil
	}
	return l.byFd[fd]
}

// addConn and removeConn keep byFd and nconns in step.
func (l *eloop) addConn(ec *econn) {
	for ec.fd >= len(l.byFd) {
		l.byFd = append(l.byFd, nil)
	}
	l.byFd[ec.fd] = ec
	l.nconns.Add(1)
}

func (l *eloop) removeConn(ec *econn) {
	l.byFd[ec.fd] = nil
	l.nconns.Add(-1)
}

// register adds a new connection to this loop.
func (l *eloop) register(ec *econn) {
	l.addConn(ec)
	fresh := ec.fresh
	ec.fresh = false
	if fresh && ec.c.flags&flagProtected != 0 {
		ec.c.denyProtected()
		l.markDirty(ec)
		return
	}
	if err := unix.EpollCtl(l.epfd, unix.EPOLL_CTL_ADD, ec.fd, &unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLRDHUP, Fd: int32(ec.fd)}); err != nil {
		l.closeConn(ec)
	}
}

// read reads what is available and runs the complete commands.
func (l *eloop) read(ec *econn) {
	c := ec.c
	var n int
	var err error
	if len(c.in) > 0 {
		// A request is pending: read straight after it, sized for a big
		// argument when one is being received.
		need := max(c.parser.BulkRemaining(len(c.in)), 16*1024)
		if cap(c.in)-len(c.in) < need {
			grown := make([]byte, len(c.in), len(c.in)+need)
			copy(grown, c.in)
			c.in = grown
		}
		n, err = rawio.Read(ec.fd, c.in[len(c.in):cap(c.in)])
		if n > 0 {
			c.in = c.in[:len(c.in)+n]
			l.stats.netIn.Add(int64(n))
			c.feed(nil)
		}
	} else {
		n, err = rawio.Read(ec.fd, l.buf)
		if n > 0 {
			l.stats.netIn.Add(int64(n))
			c.feed(l.buf[:n])
		}
	}
	if n == 0 && err == nil || err != nil && err != unix.EAGAIN && err != unix.EINTR {
		l.closeConn(ec)
		return
	}
	if c.flags&flagCloseASAP != 0 {
		l.closeConn(ec)
		return
	}
	if len(c.out) > ec.sent || c.flags&flagCloseAfterReply != 0 {
		l.markDirty(ec)
	}
}

func (l *eloop) markDirty(ec *econn) {
	if !ec.dirty {
		ec.dirty = true
		l.dirty = append(l.dirty, ec)
	}
}

// flushDirty writes the pending replies of every connection that has some.
func (l *eloop) flushDirty() {
	if len(l.dirty) > 0 {
		l.d.s.beforeReplies()
	}
	for i, ec := range l.dirty {
		l.dirty[i] = nil
		ec.dirty = false
		if !ec.closed {
			l.write(ec)
		}
	}
	l.dirty = l.dirty[:0]
}

// write writes as much of c.out as the socket takes, switching to
// EPOLLOUT notification when it is full.
func (l *eloop) write(ec *econn) {
	c := ec.c
	for ec.sent < len(c.out) {
		n, err := rawio.Write(ec.fd, c.out[ec.sent:])
		if n > 0 {
			ec.sent += n
			l.stats.netOut.Add(int64(n))
		}
		if err == unix.EAGAIN {
			c.outLen.Store(int64(len(c.out) - ec.sent))
			if c.outputLimitExceeded(len(c.out) - ec.sent) {
				l.closeConn(ec)
				return
			}
			l.setWritable(ec, true)
			return
		}
		if err != nil && err != unix.EINTR {
			l.closeConn(ec)
			return
		}
	}
	ec.sent = 0
	if cap(c.out) > 64*1024 {
		c.out = nil
	} else {
		c.out = c.out[:0]
	}
	c.outLen.Store(0)
	l.setWritable(ec, false)
	if c.flags&flagCloseAfterReply != 0 {
		l.closeConn(ec)
	}
}

func (l *eloop) setWritable(ec *econn, on bool) {
	if ec.writable == on {
		return
	}
	ev := uint32(unix.EPOLLIN | unix.EPOLLRDHUP)
	if on {
		ev |= unix.EPOLLOUT
	}
	if unix.EpollCtl(l.epfd, unix.EPOLL_CTL_MOD, ec.fd, &unix.EpollEvent{Events: ev, Fd: int32(ec.fd)}) == nil {
		ec.writable = on
	}
}

func (l *eloop) closeConn(ec *econn) {
	if ec.closed {
		return
	}
	ec.closed = true
	unix.EpollCtl(l.epfd, unix.EPOLL_CTL_DEL, ec.fd, nil)
	l.removeConn(ec)
	unix.Close(ec.fd)
	ec.c.closed()
}

// wakeup makes the loop's epoll_wait return.
func (l *eloop) wakeup() {
	if l.notify.CompareAndSwap(false, true) {
		var one = [8]byte{1}
		unix.Write(l.evfd, one[:])
	}
}

// drainInbox takes the requests other goroutines left for the loop:
// connections to adopt or move, clients with output, kills or unblocks.
// busy is as for handle.
func (l *eloop) drainInbox(busy *econn) {
	var b [8]byte
	unix.Read(l.evfd, b[:])
	l.notify.Store(false)
	l.mu.Lock()
	inbox, adopt := l.inbox, l.adopt
	l.inbox, l.adopt = nil, nil
	var move moveRequest
	kept := false
	if busy == nil {
		move = l.moveReq
		l.moveReq = moveRequest{}
	} else {
		// Connections do not move while a command runs; the busy
		// connection's requests wait until it is done.
		for _, c := range inbox {
			if c.conn == busy {
				l.inbox = append(l.inbox, c)
				kept = true
			}
		}
	}
	l.mu.Unlock()
	for _, ec := range adopt {
		l.register(ec)
	}
	if move.to != nil {
		l.moveConns(move.to, move.count)
	}
	for _, c := range inbox {
		ec := c.conn.(*econn)
		if owner := ec.l.Load(); owner != l {
			ec.wake(c) // moved to another loop since: pass it on
			continue
		}
		if ec == busy || ec.closed {
			continue
		}
		if c.takeAsync() || c.flags&flagCloseASAP != 0 {
			l.closeConn(ec)
			continue
		}
		l.markDirty(ec)
	}
	if kept {
		l.wakeup() // the busy connection's requests, for the loop's next turn
	}
}

// wake is called from other goroutines when c has async output, a kill
// or an unblock pending.
func (ec *econn) wake(c *Client) {
	l := ec.l.Load()
	l.mu.Lock()
	l.inbox = append(l.inbox, c)
	l.mu.Unlock()
	l.wakeup()
}

func (ec *econn) close(c *Client) { c.kill() }

// wait returns the loop's ready events, waiting until there are some.
//
// While the connections are gathered on one loop and the process has
// another P for everything else, the loop blocks in epoll_wait(2) as
// Redis does: one system call per wait. Its P stays in the system call,
// and the runtime's sysmon leaves it there while another P is idle (it
// takes a P back only after 10 ms, or at once when every P is busy).
//
// Otherwise -- loops spread over the CPUs, or a single P -- blocked loops
// would hold every P, and sysmon would take them back after every short
// wait, polling every 20 µs meanwhile. There the loop parks its goroutine
// in Go's netpoller instead and leaves its P to others: a non-blocking
// epoll_wait, and when nothing is ready the runtime's own epoll_wait on a
// duplicate of the loop's epoll descriptor, then the loop's again --
// about 0.4 more system calls per request at -P 1, and a pass through the
// scheduler at each wait. Measured in docs/benchmarks.md ("What made the
// difference", items 7 and 8).
//
// While the loops are spread, loop 0 wakes at least every 100 ms to run
// the balancer.
func (l *eloop) wait(events []unix.EpollEvent) (int, error) {
	spread := l.d.bal.spread.Load()
	if l.d.procs > 1 && !spread {
		if l.epf != nil {
			l.setParking(false)
		}
		for {
			n, err := unix.EpollWait(l.epfd, events, -1)
			if err != unix.EINTR {
				return n, err
			}
		}
	}
	if l.epf == nil {
		if err := l.setParking(true); err != nil {
			return 0, err
		}
	}
	if l.id == 0 {
		if spread {
			l.deadline = true
			l.epf.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		} else if l.deadline {
			l.deadline = false
			l.epf.SetReadDeadline(time.Time{})
		}
	}
	var n int
	var err error
	rerr := l.eprc.Read(func(uintptr) bool {
		for {
			n, err = rawEpollWait(l.epfd, events)
			if err != unix.EINTR {
				return n > 0 || err != nil
			}
		}
	})
	if rerr != nil && !errors.Is(rerr, os.ErrDeadlineExceeded) {
		return 0, rerr
	}
	return n, err
}

// setParking registers a duplicate of the loop's epoll descriptor with
// Go's netpoller (on) or removes it (off). Registered, the netpoller is
// told of every event while the loop blocks in epoll_wait itself, so it
// is registered only while the loop parks there.
func (l *eloop) setParking(on bool) error {
	if !on {
		if l.epf != nil {
			l.epf.Close()
			l.epf, l.eprc, l.deadline = nil, nil, false
		}
		return nil
	}
	fd, err := unix.FcntlInt(uintptr(l.epfd), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("epoll descriptor for the netpoller: %w", err)
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return fmt.Errorf("epoll descriptor for the netpoller: %w", err)
	}
	epf := os.NewFile(uintptr(fd), "epoll")
	eprc, err := epf.SyscallConn()
	if err == nil {
		// Deadlines work only on files the netpoller watches.
		err = epf.SetReadDeadline(time.Time{})
	}
	if err != nil {
		epf.Close()
		return fmt.Errorf("epoll descriptor in the netpoller: %w", err)
	}
	l.epf, l.eprc = epf, eprc
	return nil
}

// rawEpollWait is epoll_wait(2) without a timeout: it never blocks.
func rawEpollWait(epfd int, events []unix.EpollEvent) (int, error) {
	n, _, e := unix.RawSyscall6(unix.SYS_EPOLL_PWAIT, uintptr(epfd), uintptr(unsafe.Pointer(&events[0])), uintptr(len(events)), 0, 0, 0)
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}
