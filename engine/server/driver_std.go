package server

import (
	"errors"
	"net"
	"sync"
	"time"
)

// stdDriver serves each connection on its own goroutine with the standard
// library's net package. It works on every platform; on Linux the epoll
// driver is faster.
type stdDriver struct {
	s     *Server
	stats *loopStats
	wg    sync.WaitGroup

	mu     sync.Mutex
	conns  map[*Client]*stdConn
	closed bool
}

type stdConn struct {
	nc net.Conn
	mu sync.Mutex // serializes the reader and wakes: one processes the client at a time
}

func newStdDriver(s *Server) *stdDriver {
	return &stdDriver{s: s, stats: s.newLoopStats(), conns: map[*Client]*stdConn{}}
}

func (d *stdDriver) start(ls []net.Listener) error {
	for _, l := range ls {
		d.wg.Add(1)
		go d.accept(l)
	}
	return nil
}

func (d *stdDriver) accept(l net.Listener) {
	defer d.wg.Done()
	for {
		nc, err := l.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			time.Sleep(5 * time.Millisecond)
			continue
		}
		d.mu.Lock()
		if d.closed {
			d.mu.Unlock()
			nc.Close()
			return
		}
		sc := &stdConn{nc: nc}
		c := d.s.newClient(d, -1, nc.RemoteAddr(), nc.LocalAddr(), d.stats)
		d.conns[c] = sc
		d.wg.Add(1)
		d.mu.Unlock()
		go d.serve(c, sc)
	}
}

func (d *stdDriver) serve(c *Client, sc *stdConn) {
	defer d.wg.Done()
	defer func() {
		sc.nc.Close()
		d.mu.Lock()
		delete(d.conns, c)
		d.mu.Unlock()
		sc.mu.Lock()
		c.closed()
		sc.mu.Unlock()
	}()
	if c.flags&flagProtected != 0 {
		c.denyProtected()
		d.flush(c, sc)
		return
	}
	buf := make([]byte, 16*1024)
	for {
		n, err := sc.nc.Read(buf)
		if n > 0 {
			d.stats.netIn.Add(int64(n))
			sc.mu.Lock()
			c.feed(buf[:n])
			closing := c.takeAsync() || c.flags&flagCloseASAP != 0
			ok := !closing && d.flush(c, sc) && c.flags&flagCloseAfterReply == 0
			sc.mu.Unlock()
			if !ok {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// flush writes c.out; it reports false when the connection failed. The
// caller holds sc.mu.
func (d *stdDriver) flush(c *Client, sc *stdConn) bool {
	if len(c.out) == 0 {
		return true
	}
	d.s.beforeReplies()
	_, err := sc.nc.Write(c.out)
	d.stats.netOut.Add(int64(len(c.out)))
	c.out = c.out[:0]
	if cap(c.out) > 64*1024 {
		c.out = nil
	}
	return err == nil
}

// wake delivers async output, or resumes a client whose block ended,
// from the waker's goroutine: the serving goroutine may be in Read.
func (d *stdDriver) wake(c *Client) {
	d.mu.Lock()
	sc := d.conns[c]
	d.mu.Unlock()
	if sc == nil {
		return
	}
	go func() {
		sc.mu.Lock()
		defer sc.mu.Unlock()
		if c.takeAsync() || c.flags&flagCloseASAP != 0 || !d.flush(c, sc) || c.flags&flagCloseAfterReply != 0 {
			sc.nc.Close()
		}
	}()
}

func (d *stdDriver) close(c *Client) {
	d.mu.Lock()
	sc := d.conns[c]
	d.mu.Unlock()
	if sc != nil {
		sc.nc.Close()
	}
}

func (d *stdDriver) stop() {
	d.mu.Lock()
	d.closed = true
	for _, sc := range d.conns {
		sc.nc.Close()
	}
	d.mu.Unlock()
	d.wg.Wait()
}
