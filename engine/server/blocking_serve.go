package server

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/redisctl/redisctl/engine/keyspace"
)

// Serving blocked clients (Redis's handleClientsBlockedOnKeys). A
// top-level command, EXEC or script that made keys ready serves their
// waiters before it releases its locks: nothing can run between the write
// and the hand-off. Each waiter's blocked command runs again on the
// serving goroutine through a stand-in client carrying the waiter's
// identity, database and protocol; a reply means it was served, and the
// reply goes to the waiter's goroutine to be sent. Waiters are tried in
// arrival order; one whose command still finds nothing keeps its place,
// and a key that no longer exists stops the round for it. Keys made ready
// by a served command (BLMOVE's destination) are served in the same
// round.
//
// Locks: under EXEC, a script or another exclusive command the server's
// lock covers everything. Otherwise the round holds the server lock
// shared throughout and reuses the shard locks it holds when a waiter's
// keys are among them (BLPOP on the pushed key). When they are not
// (BLMOVE to a key in another shard), taking more shard locks out of
// order could deadlock, so the round marks the keys it has still to serve
// (serveMarks), releases its shard locks and takes the waiter's in order.
// A command that finds one of its keys marked after locking waits for the
// round to end, so the data still cannot be taken in between.

// serveMarks are the ready keys whose serve round does not hold their
// shard locks.
type serveMarks struct {
	n    atomic.Int64 // marked keys: the lock-free check every command makes
	mu   sync.Mutex
	cond sync.Cond // signalled when marks are cleared
	keys map[blockKey]int
}

func (m *serveMarks) init() {
	m.keys = map[blockKey]int{}
	m.cond.L = &m.mu
}

func (m *serveMarks) mark(keys []blockKey) {
	m.mu.Lock()
	for _, k := range keys {
		m.keys[k]++
	}
	m.n.Add(int64(len(keys)))
	m.mu.Unlock()
}

func (m *serveMarks) unmark(keys []blockKey) {
	m.mu.Lock()
	for _, k := range keys {
		if m.keys[k]--; m.keys[k] <= 0 {
			delete(m.keys, k)
		}
	}
	m.n.Add(-int64(len(keys)))
	m.mu.Unlock()
	m.cond.Broadcast()
}

// touches reports whether c's command cmd has a marked key; the caller
// holds m.mu.
func (m *serveMarks) touches(c *Client, cmd *Command) bool {
	db := c.db.ID()
	for _, p := range cmd.keyPositions(c.argv, c.keyPosBuf[:0]) {
		if m.keys[blockKey{db, string(c.argv[p])}] > 0 {
			return true
		}
	}
	return false
}

// mustWait reports whether c, holding cmd's shard locks, must let a serve
// round finish first.
func (m *serveMarks) mustWait(c *Client, cmd *Command) bool {
	if m.n.Load() == 0 {
		return false
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.touches(c, cmd)
}

// wait returns once no key of cmd is marked; c holds no lock.
func (m *serveMarks) wait(c *Client, cmd *Command) {
	m.mu.Lock()
	for m.touches(c, cmd) {
		m.cond.Wait()
	}
	m.mu.Unlock()
}

// serveRound is one serveBlocked run.
type serveRound struct {
	c         *Client // whose command made the keys ready; c.locked is what the round holds
	exclusive bool    // the server lock is held exclusively
	marked    []blockKey
	sc        *Client // the stand-in running the waiters' commands
	pos       [16]int
	shards    []int
}

type serveResult int

const (
	serveGone    serveResult = iota // the block had ended already
	serveNothing                    // the command found nothing: the waiter keeps waiting
	serveDone                       // the waiter was served
)

// serveBlocked serves the waiters of c.readyKeys; c holds the locks of
// the command that made them ready.
func (c *Client) serveBlocked() {
	r := &c.srv.blocking
	if r.onKeys.Load() == 0 || c.locked.lockFree {
		c.readyKeys = c.readyKeys[:0]
		return
	}
	c.readyKeys = dedupKeys(c.readyKeys)
	rd := serveRound{c: c, exclusive: c.locked.exclusive}
	for i := 0; i < len(c.readyKeys); i++ {
		rd.serveKey(i)
	}
	if len(rd.marked) > 0 {
		r.marks.unmark(rd.marked)
	}
	c.readyKeys = c.readyKeys[:0]
}

func (rd *serveRound) serveKey(i int) {
	bk := rd.c.readyKeys[i]
	for _, w := range rd.c.srv.blocking.queue(bk) {
		if rd.serve(w, i) != serveGone && !rd.exists(bk) {
			return // nothing left for the others
		}
	}
}

// serve runs w's blocked command; i is the ready key being served.
func (rd *serveRound) serve(w waiter, i int) serveResult {
	st := w.st
	if st.isEnded() {
		return serveGone
	}
	rd.lockFor(st, i)
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.ended {
		return serveGone
	}
	sc := rd.standIn(w.c, st)
	sc.servingOne, sc.servingKey = true, rd.c.readyKeys[i].key
	if !sc.runServed(st.cmd) {
		return serveNothing
	}
	rd.c.srv.blocking.endLocked(w.c, st)
	reply := sc.out
	if st.replyOff {
		reply = nil
	}
	w.c.postBlockRequest(st, reqServed, reply)
	rd.c.readyKeys = append(rd.c.readyKeys, sc.readyKeys...)
	return serveDone
}

func (st *blockState) isEnded() bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.ended
}

// exists reports whether bk exists; the round holds its shard (it has
// just run a command of a client waiting on bk).
func (rd *serveRound) exists(bk blockKey) bool {
	db := rd.c.srv.ks.DB(bk.db)
	return db.Lookup([]byte(bk.key), rd.c.now, keyspace.NoTouch|keyspace.NoStats|keyspace.NoExpire).Exists()
}

// lockFor makes the round hold the shard locks of st's command, serving
// ready key i.
func (rd *serveRound) lockFor(st *blockState, i int) {
	if rd.exclusive {
		return
	}
	c := rd.c
	db := c.srv.ks.DB(st.db)
	need := rd.shards[:0]
	for _, p := range st.cmd.keyPositions(st.argv, rd.pos[:0]) {
		need = addShard(need, db.ShardOf(st.argv[p]))
	}
	rd.shards = need
	if st.db == c.locked.db && subsetOf(need, c.locked.shards) {
		return
	}
	rd.mark(c.readyKeys[i:])
	c.unlockShards()
	for _, s := range need {
		db.LockShard(s)
	}
	c.locked.db = st.db
	c.locked.shards = append(c.locked.shards[:0], need...)
}

// mark marks the ready keys still to serve before the round lets go of
// their shard locks.
func (rd *serveRound) mark(pending []blockKey) {
	n := len(rd.marked)
	for _, k := range pending {
		if !containsKey(rd.marked, k) {
			rd.marked = append(rd.marked, k)
		}
	}
	if len(rd.marked) > n {
		rd.c.srv.blocking.marks.mark(rd.marked[n:])
	}
}

// standIn returns the client that runs st's command for w.
func (rd *serveRound) standIn(w *Client, st *blockState) *Client {
	sc := rd.sc
	if sc == nil {
		sc = &Client{srv: rd.c.srv, stats: rd.c.stats, retrying: true}
		rd.sc = sc
	}
	sc.id, sc.addr, sc.laddr = w.id, w.addr, w.laddr
	sc.name.Store(w.name.Load())
	sc.db = rd.c.srv.ks.DB(st.db)
	sc.proto = st.proto
	sc.flags = 0
	sc.argv, sc.cmd = st.argv, st.cmd
	sc.readyKeys = sc.readyKeys[:0]
	return sc
}

// runServed runs a blocked command again for its client (c is a stand-in)
// and reports whether it replied, that is, was served. A served command
// is counted and propagated like any other (its handler propagates a pop
// as LPOP, BLMOVE as LMOVE...); MONITOR saw it when it blocked.
func (c *Client) runServed(cmd *Command) bool {
	clk := &c.srv.clock
	start := clk.monoNow()
	c.now = clk.wallMs(start)
	c.dirty = 0
	c.propArgv = nil
	c.flags &^= flagErrored
	c.out = c.out[:0]
	cmd.Handler(c)
	if c.dirty > 0 {
		c.srv.propagate(c, cmd)
	}
	if len(c.out) == 0 {
		return false
	}
	c.srv.countCommand(c, cmd, time.Duration(clk.monoNow()-start))
	return true
}

// dedupKeys drops repeated keys, keeping first occurrences in order.
func dedupKeys(keys []blockKey) []blockKey {
	if len(keys) < 2 {
		return keys
	}
	seen := make(map[blockKey]struct{}, len(keys))
	out := keys[:0]
	for _, k := range keys {
		if _, dup := seen[k]; !dup {
			seen[k] = struct{}{}
			out = append(out, k)
		}
	}
	return out
}

func containsKey(keys []blockKey, k blockKey) bool {
	for _, x := range keys {
		if x == k {
			return true
		}
	}
	return false
}

// addShard inserts s into the ascending list shards unless present: key
// lists are short.
func addShard(shards []int, s int) []int {
	i := len(shards)
	for i > 0 && shards[i-1] >= s {
		if shards[i-1] == s {
			return shards
		}
		i--
	}
	shards = append(shards, 0)
	copy(shards[i+1:], shards[i:])
	shards[i] = s
	return shards
}

// subsetOf reports whether every shard of a (ascending) is in b
// (ascending).
func subsetOf(a, b []int) bool {
	j := 0
	for _, s := range a {
		for j < len(b) && b[j] < s {
			j++
		}
		if j == len(b) || b[j] != s {
			return false
		}
	}
	return true
}
