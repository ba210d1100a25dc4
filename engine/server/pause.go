package server

import (
	"sync"
	"sync/atomic"
	"time"
)

// CLIENT PAUSE / UNPAUSE: while a pause lasts, commands (all of them, or
// only those that write or may replicate) from normal clients wait, and
// run when it ends.

type pauseState struct {
	active    atomic.Bool // lock-free check on every command
	mu        sync.Mutex
	until     time.Time
	writeOnly bool
	timer     *time.Timer
}

func (s *Server) pausedFor(c *Client, cmd *Command) bool {
	p := &s.pause
	if !p.active.Load() {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.until.IsZero() || time.Now().After(p.until) || c.conn == nil {
		return false
	}
	if !p.writeOnly {
		return true
	}
	if cmd.flags&(FlagWrite|FlagMayReplicate) != 0 {
		return true
	}
	return cmd.Name == "exec" && c.multi != nil && c.multi.flags&(FlagWrite|FlagMayReplicate) != 0
}

// pauseBlock postpones the current command until the pause ends.
func (c *Client) pauseBlock() {
	st := c.newBlockState(blockPause, nil)
	r := &c.srv.blocking
	st.mu.Lock()
	defer st.mu.Unlock()
	r.mu.Lock()
	r.paused[c] = struct{}{}
	r.mu.Unlock()
	c.startBlock(st, 0)
}

// pause starts or extends a pause; a pause only ever grows, as in Redis.
func (s *Server) pauseClients(d time.Duration, writeOnly bool) {
	p := &s.pause
	p.mu.Lock()
	defer p.mu.Unlock()
	until := time.Now().Add(d)
	if !p.until.IsZero() && until.Before(p.until) {
		until = p.until
	}
	if p.until.IsZero() || !writeOnly {
		p.writeOnly = writeOnly
	}
	p.until = until
	p.active.Store(true)
	if p.timer != nil {
		p.timer.Stop()
	}
	p.timer = time.AfterFunc(time.Until(until), s.unpauseClients)
}

// unpauseClients ends the pause and re-runs the postponed commands.
func (s *Server) unpauseClients() {
	p := &s.pause
	p.mu.Lock()
	p.until = time.Time{}
	p.active.Store(false)
	if p.timer != nil {
		p.timer.Stop()
		p.timer = nil
	}
	p.mu.Unlock()
	r := &s.blocking
	r.mu.Lock()
	var waiting []*Client
	for c := range r.paused {
		waiting = append(waiting, c)
	}
	r.mu.Unlock()
	sortClients(waiting)
	for _, c := range waiting {
		if st := c.blocked.Load(); st != nil && st.kind == blockPause && r.end(c, st) {
			c.postBlockRequest(st, reqUnpause, nil)
		}
	}
}
