package server

import (
	"sync"
	"sync/atomic"
	"time"
)

// Blocking operations: the machinery behind BLPOP-style commands, WAIT and
// CLIENT PAUSE.
//
// A handler that cannot complete yet calls c.blockOnKeys (wait for keys to
// receive data) or c.blockFor (wait for time to pass) and returns without
// a reply. The client then stops running commands; input that arrives is
// kept. The block ends exactly once, on the client's own goroutine (other
// goroutines only post requests to it, so a blocked client's state is
// never touched concurrently):
//
//   - served: a command that adds data to a key calls c.keyReady(key).
//     After that command the oldest client waiting on the key is asked to
//     re-run its blocked command. A re-run (c.retrying true) that still
//     finds nothing returns without a reply and the client keeps its place
//     in the queue; one that completes ends the block and asks the next
//     waiter of its keys to try in turn. Blocked clients are so served
//     first come, first served; a client that is not blocked may still
//     take the data between the write and the re-run;
//   - timed out: the handler's timeout reply is sent;
//   - CLIENT UNBLOCK, a pause ending, or disconnection.

type blockKind int

const (
	blockKeys  blockKind = iota // BLPOP and friends
	blockTime                   // WAIT: only a timeout ends it
	blockPause                  // CLIENT PAUSE: re-run the command when the pause ends
)

// blockState describes what a blocked client waits for.
type blockState struct {
	kind      blockKind
	db        int
	keys      []string
	cmd       *Command
	argv      [][]byte
	onTimeout func(c *Client) // writes the reply sent on timeout
	timer     *time.Timer
}

// Requests other goroutines post to a blocked client (Client.blockReq,
// guarded by asyncMu).
const (
	reqRetry = 1 << iota
	reqTimeout
	reqUnblockTimeout
	reqUnblockError
	reqUnpause
)

type blockKey struct {
	db  int
	key string
}

// blockRegistry keeps, per key, the clients waiting on it in arrival
// order.
type blockRegistry struct {
	mu      sync.Mutex
	waiters map[blockKey][]*Client
	n       atomic.Int64 // blocked clients (INFO blocked_clients)
	onKeys  atomic.Int64 // clients blocked on keys: lock-free keyReady check
	paused  map[*Client]struct{}
}

func (r *blockRegistry) init() {
	r.waiters = map[blockKey][]*Client{}
	r.paused = map[*Client]struct{}{}
}

// mayBlock reports whether the current command may block: never inside
// MULTI/EXEC or a script, where blocking commands behave as timed out.
func (c *Client) mayBlock() bool { return !c.inExec && c.conn != nil }

// blockOnKeys blocks the client until one of keys (in the client's db) is
// signalled ready, or timeout passes (0: forever); onTimeout writes the
// timeout reply. Call it from a handler and return without replying.
func (c *Client) blockOnKeys(keys [][]byte, timeout time.Duration, onTimeout func(*Client)) {
	if c.retrying {
		return // still nothing to serve: keep our place in the queue
	}
	st := c.newBlockState(blockKeys, onTimeout)
	r := &c.srv.blocking
	r.mu.Lock()
	for _, k := range keys {
		bk := blockKey{st.db, string(k)}
		st.keys = append(st.keys, bk.key)
		r.waiters[bk] = append(r.waiters[bk], c)
	}
	r.mu.Unlock()
	r.onKeys.Add(1)
	c.startBlock(st, timeout)
}

// blockFor blocks the client until timeout passes (WAIT without replicas).
func (c *Client) blockFor(timeout time.Duration, onTimeout func(*Client)) {
	if c.retrying {
		return
	}
	c.startBlock(c.newBlockState(blockTime, onTimeout), timeout)
}

func (c *Client) newBlockState(kind blockKind, onTimeout func(*Client)) *blockState {
	argv := make([][]byte, len(c.argv))
	for i, a := range c.argv {
		argv[i] = append([]byte(nil), a...)
	}
	return &blockState{kind: kind, db: c.db.ID(), cmd: c.cmd, argv: argv, onTimeout: onTimeout}
}

func (c *Client) startBlock(st *blockState, timeout time.Duration) {
	c.blocked.Store(st)
	c.srv.blocking.n.Add(1)
	if timeout > 0 {
		st.timer = time.AfterFunc(timeout, func() { c.postBlockRequest(st, reqTimeout) })
	}
}

// postBlockRequest asks the client's own goroutine to act on its block.
func (c *Client) postBlockRequest(st *blockState, req int) bool {
	if st == nil || c.blocked.Load() != st {
		return false
	}
	c.asyncMu.Lock()
	c.blockReq |= req
	c.blockReqFor = st
	wake := !c.asyncWake
	c.asyncWake = true
	c.asyncMu.Unlock()
	if wake && c.conn != nil {
		c.conn.wake(c)
	}
	return true
}

// handleBlockRequests runs on the client's goroutine (from takeAsync).
func (c *Client) handleBlockRequests(req int, st *blockState) {
	if st == nil || c.blocked.Load() != st {
		return
	}
	switch {
	case req&reqUnblockError != 0:
		c.endBlock(st, func() { c.addError("UNBLOCKED client unblocked via CLIENT UNBLOCK") })
	case req&(reqUnblockTimeout|reqTimeout) != 0:
		c.endBlock(st, func() { st.onTimeout(c) })
	case req&reqUnpause != 0:
		c.endBlock(st, nil)
		c.retryCmd = st
	case req&reqRetry != 0:
		c.retryBlocked(st)
	}
}

// endBlock ends st: the client leaves the wait queues and reply, if any,
// writes the reply.
func (c *Client) endBlock(st *blockState, reply func()) {
	if st.timer != nil {
		st.timer.Stop()
	}
	c.srv.blocking.remove(c, st)
	c.blocked.Store(nil)
	c.srv.blocking.n.Add(-1)
	if reply != nil {
		c.cmd = st.cmd
		reply()
	}
}

// retryBlocked re-runs the blocked command; if it completes, the block
// ends and the next waiters of its keys get their turn.
func (c *Client) retryBlocked(st *blockState) {
	before := len(c.out)
	c.argv, c.cmd = st.argv, st.cmd
	saved := c.db
	c.db = c.srv.ks.DB(st.db)
	c.retrying = true
	c.call(st.cmd)
	c.retrying = false
	c.db = saved
	if len(c.out) == before {
		return // nothing for us yet
	}
	c.endBlock(st, nil)
	for _, k := range st.keys {
		c.readyKeys = append(c.readyKeys, blockKey{st.db, k})
	}
	c.serveReady()
}

func (r *blockRegistry) remove(c *Client, st *blockState) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch st.kind {
	case blockKeys:
		for _, k := range st.keys {
			bk := blockKey{st.db, k}
			q := r.waiters[bk]
			for i, w := range q {
				if w == c {
					q = append(q[:i], q[i+1:]...)
					break
				}
			}
			if len(q) == 0 {
				delete(r.waiters, bk)
			} else {
				r.waiters[bk] = q
			}
		}
		r.onKeys.Add(-1)
	case blockPause:
		delete(r.paused, c)
	}
}

// keyReady records that key (in the client's db) received data a blocked
// client may want; waiters are asked to retry after the command.
func (c *Client) keyReady(key []byte) {
	if c.srv.blocking.onKeys.Load() == 0 {
		return
	}
	c.readyKeys = append(c.readyKeys, blockKey{c.db.ID(), string(key)})
}

// serveReady asks the oldest waiter of each key made ready to retry.
func (c *Client) serveReady() {
	ready := c.readyKeys
	c.readyKeys = nil
	r := &c.srv.blocking
	for _, bk := range ready {
		r.mu.Lock()
		var head *Client
		if q := r.waiters[bk]; len(q) > 0 {
			head = q[0]
		}
		r.mu.Unlock()
		if head != nil && head != c {
			head.postBlockRequest(head.blocked.Load(), reqRetry)
		}
	}
}

// unblockClient implements CLIENT UNBLOCK for a client blocked on keys or
// time; it reports whether the client was blocked.
func (s *Server) unblockClient(id int64, withError bool) bool {
	s.clientsMu.Lock()
	c := s.clients[id]
	s.clientsMu.Unlock()
	if c == nil {
		return false
	}
	st := c.blocked.Load()
	if st == nil || st.kind == blockPause {
		return false
	}
	req := reqUnblockTimeout
	if withError {
		req = reqUnblockError
	}
	return c.postBlockRequest(st, req)
}

// dropBlock forgets the client's wait when it disconnects.
func (c *Client) dropBlock() {
	if st := c.blocked.Load(); st != nil {
		c.endBlock(st, nil)
	}
}

// readyInDBs marks every key waited on in databases a or b ready (SWAPDB
// may have brought data for them).
func (r *blockRegistry) readyInDBs(c *Client, a, b int) {
	if r.onKeys.Load() == 0 {
		return
	}
	r.mu.Lock()
	for bk := range r.waiters {
		if bk.db == a || bk.db == b {
			c.readyKeys = append(c.readyKeys, bk)
		}
	}
	r.mu.Unlock()
}
