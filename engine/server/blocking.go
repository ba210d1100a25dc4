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
// kept. Every block has exactly one outcome, decided under its
// blockState.mu by whoever gets there first:
//
//   - served: a command that adds data to a key calls c.keyReady(key).
//     Before that command's locks are released, its client serves the
//     waiters of the keys it made ready itself (serveBlocked, in
//     blocking_serve.go): it re-runs each waiter's blocked command on the
//     waiter's behalf, in the waiter's database and protocol, and hands
//     the reply over to the waiter's goroutine. So, as in Redis, blocked
//     clients get the data before any other command can take it, even
//     the pushing client's next pipelined one;
//   - timed out: the timer decides, the waiter writes its timeout reply;
//   - CLIENT UNBLOCK, a pause ending, or disconnection.
//
// Deciding removes the client from the wait queues; what the decider
// cannot do from its goroutine (writing a timeout reply, resuming the
// held-back input) is posted to the client's own goroutine, so a blocked
// client's connection state is never touched concurrently.

type blockKind int

const (
	blockKeys  blockKind = iota // BLPOP and friends
	blockTime                   // WAIT: only a timeout ends it
	blockPause                  // CLIENT PAUSE: re-run the command when the pause ends
)

// blockState describes what a blocked client waits for. Its fields are
// fixed once the block starts, except ended and timer (guarded by mu).
type blockState struct {
	kind      blockKind
	db        int
	keys      []string
	cmd       *Command
	argv      [][]byte
	onTimeout func(c *Client) // writes the reply sent on timeout
	proto     int             // the client's protocol: a served reply is written for it
	replyOff  bool            // CLIENT REPLY OFF/SKIP covers the blocked command

	mu    sync.Mutex
	ended bool // the outcome is decided
	timer *time.Timer
}

// Outcomes posted to a blocked client's goroutine (Client.blockReq,
// guarded by asyncMu).
const (
	reqServed = 1 << iota // the reply is already in the client's async output
	reqTimeout
	reqUnblockTimeout
	reqUnblockError
	reqUnpause
)

type blockKey struct {
	db  int
	key string
}

// waiter is one entry of a key's wait queue.
type waiter struct {
	c  *Client
	st *blockState
}

// blockRegistry keeps, per key, the clients waiting on it in arrival
// order.
type blockRegistry struct {
	mu      sync.Mutex
	waiters map[blockKey][]waiter
	n       atomic.Int64 // blocked clients (INFO blocked_clients)
	onKeys  atomic.Int64 // clients blocked on keys: lock-free keyReady check
	paused  map[*Client]struct{}
	marks   serveMarks
}

func (r *blockRegistry) init() {
	r.waiters = map[blockKey][]waiter{}
	r.paused = map[*Client]struct{}{}
	r.marks.init()
}

// mayBlock reports whether the current command may block: never inside
// MULTI/EXEC or a script, where blocking commands behave as timed out. A
// command re-run for a blocked client (retrying) "blocks" by returning
// without a reply.
func (c *Client) mayBlock() bool { return !c.inExec && (c.conn != nil || c.retrying) }

// notServing reports whether a blocking command run again for a blocked
// client must leave key alone: as in Redis 7.0, a client is served from
// the key made ready, not from its other keys.
func (c *Client) notServing(key []byte) bool {
	return c.servingOne && string(key) != c.servingKey
}

// blockOnKeys blocks the client until one of keys (in the client's db) is
// signalled ready, or timeout passes (0: forever); onTimeout writes the
// timeout reply. Call it from a handler and return without replying.
func (c *Client) blockOnKeys(keys [][]byte, timeout time.Duration, onTimeout func(*Client)) {
	if c.retrying {
		return // still nothing to serve: keep our place in the queue
	}
	st := c.newBlockState(blockKeys, onTimeout)
	r := &c.srv.blocking
	st.mu.Lock()
	defer st.mu.Unlock()
	r.mu.Lock()
	for _, k := range keys {
		bk := blockKey{st.db, string(k)}
		st.keys = append(st.keys, bk.key)
		r.waiters[bk] = append(r.waiters[bk], waiter{c, st})
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
	st := c.newBlockState(blockTime, onTimeout)
	st.mu.Lock()
	defer st.mu.Unlock()
	c.startBlock(st, timeout)
}

func (c *Client) newBlockState(kind blockKind, onTimeout func(*Client)) *blockState {
	argv := make([][]byte, len(c.argv))
	for i, a := range c.argv {
		argv[i] = append([]byte(nil), a...)
	}
	return &blockState{kind: kind, db: c.db.ID(), cmd: c.cmd, argv: argv, onTimeout: onTimeout,
		proto: c.proto, replyOff: c.flags&(flagReplyOff|flagReplySkip) != 0}
}

// startBlock publishes st; the caller holds st.mu, so that the timer and
// the servers of the keys see the block complete.
func (c *Client) startBlock(st *blockState, timeout time.Duration) {
	c.blocked.Store(st)
	r := &c.srv.blocking
	r.n.Add(1)
	if timeout > 0 {
		st.timer = time.AfterFunc(timeout, func() {
			if r.end(c, st) {
				c.postBlockRequest(st, reqTimeout, nil)
			}
		})
	}
}

// end decides st's outcome unless it is decided already, and reports
// whether the caller's outcome is the one: the client leaves the wait
// queues and no longer counts as blocked.
func (r *blockRegistry) end(c *Client, st *blockState) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	return r.endLocked(c, st)
}

func (r *blockRegistry) endLocked(c *Client, st *blockState) bool {
	if st.ended {
		return false
	}
	st.ended = true
	if st.timer != nil {
		st.timer.Stop()
	}
	r.remove(c, st)
	r.n.Add(-1)
	return true
}

// postBlockRequest hands a decided outcome to the client's goroutine.
// served is the reply another client served for it (reqServed), queued
// behind the async output already pending; nil for the other outcomes.
func (c *Client) postBlockRequest(st *blockState, req int, served []byte) {
	c.asyncMu.Lock()
	c.async = append(c.async, served...)
	c.blockReq |= req
	c.blockReqFor = st
	wake := !c.asyncWake
	c.asyncWake = true
	c.asyncMu.Unlock()
	if wake && c.conn != nil {
		c.conn.wake(c)
	}
}

// handleBlockRequests runs on the client's goroutine (from takeAsync) and
// completes the outcome decided for st.
func (c *Client) handleBlockRequests(req int, st *blockState) {
	if st == nil || c.blocked.Load() != st {
		return
	}
	c.blocked.Store(nil)
	switch {
	case req&reqServed != 0:
		// The reply came with the async output.
	case req&reqUnpause != 0:
		c.retryCmd = st
	case req&reqUnblockError != 0:
		c.blockReply(st, func() { c.addError("UNBLOCKED client unblocked via CLIENT UNBLOCK") })
	default:
		c.blockReply(st, func() { st.onTimeout(c) })
	}
}

// blockReply writes the reply ending st without serving it and counts
// the command, which Redis counts once, when its block ends.
func (c *Client) blockReply(st *blockState, reply func()) {
	c.cmd, c.argv = st.cmd, st.argv
	c.flags &^= flagErrored
	before := len(c.out)
	reply()
	if st.replyOff {
		c.out = c.out[:before]
	}
	c.srv.countCommand(c, st.cmd, 0)
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
				if w.st == st {
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

// queue returns a copy of key's wait queue, oldest first.
func (r *blockRegistry) queue(bk blockKey) []waiter {
	r.mu.Lock()
	defer r.mu.Unlock()
	q := r.waiters[bk]
	if len(q) == 0 {
		return nil
	}
	return append([]waiter(nil), q...)
}

// keyReady records that key (in the client's db) received data a blocked
// client may want; its waiters are served before the command's locks are
// released (see call).
func (c *Client) keyReady(key []byte) { c.keyReadyIn(c.db.ID(), key) }

// keyReadyIn is keyReady for a key of database db. Commands that add a
// key whole (RENAME, COPY, MOVE, RESTORE) call it whatever the type, as
// Redis signals every list, sorted set or stream added to a database.
func (c *Client) keyReadyIn(db int, key []byte) {
	if c.srv.blocking.onKeys.Load() == 0 {
		return
	}
	if n := len(c.readyKeys); n > 0 && c.readyKeys[n-1].db == db && c.readyKeys[n-1].key == string(key) {
		return
	}
	c.readyKeys = append(c.readyKeys, blockKey{db, string(key)})
}

// unblockClient implements CLIENT UNBLOCK for a client blocked on keys or
// time; it reports whether it ended the block (a block served or timed
// out meanwhile is not unblocked).
func (s *Server) unblockClient(id int64, withError bool) bool {
	s.clientsMu.Lock()
	c := s.clients[id]
	s.clientsMu.Unlock()
	if c == nil {
		return false
	}
	st := c.blocked.Load()
	if st == nil || st.kind == blockPause || !s.blocking.end(c, st) {
		return false
	}
	req := reqUnblockTimeout
	if withError {
		req = reqUnblockError
	}
	c.postBlockRequest(st, req, nil)
	return true
}

// dropBlock forgets the client's wait when it disconnects.
func (c *Client) dropBlock() {
	if st := c.blocked.Load(); st != nil {
		c.srv.blocking.end(c, st)
		c.blocked.Store(nil)
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
