package server

import (
	"sync"
	"sync/atomic"

	"github.com/redisctl/redisctl/engine/keyspace"
)

// MULTI/EXEC/DISCARD/WATCH/UNWATCH. EXEC runs with the server's exclusive
// lock, so a transaction is atomic across any keys and databases.

type multiState struct {
	cmds  []queuedCmd
	flags CmdFlags // union of the queued commands' flags
}

type queuedCmd struct {
	cmd  *Command
	argv [][]byte
}

func (c *Client) queueMulti() {
	argv := make([][]byte, len(c.argv))
	for i, a := range c.argv {
		argv[i] = append([]byte(nil), a...)
	}
	c.multi.cmds = append(c.multi.cmds, queuedCmd{c.cmd, argv})
	c.multi.flags |= c.cmd.flags
	c.multiCount.Store(int32(len(c.multi.cmds)))
	c.addRawStr("+QUEUED\r\n")
}

func multiCommand(c *Client) {
	if c.flags&flagMulti != 0 {
		c.addError("ERR MULTI calls can not be nested")
		return
	}
	c.flags |= flagMulti
	c.multi = &multiState{}
	c.multiCount.Store(0)
	c.addOK()
}

func discardCommand(c *Client) {
	if c.flags&flagMulti == 0 {
		c.addError("ERR DISCARD without MULTI")
		return
	}
	c.discardTransaction()
	c.addOK()
}

func (c *Client) discardTransaction() {
	c.multi = nil
	c.multiCount.Store(-1)
	c.flags &^= flagMulti | flagDirtyExec
	c.unwatchAll()
}

func execCommand(c *Client) {
	if c.flags&flagMulti == 0 {
		c.addError("ERR EXEC without MULTI")
		return
	}
	if c.flags&flagDirtyExec != 0 {
		c.discardTransaction()
		c.addError("EXECABORT Transaction discarded because of previous errors.")
		return
	}
	if c.casDirty.Load() || c.watchedKeyExpired() {
		c.discardTransaction()
		c.addNullArray()
		return
	}
	m := c.multi
	c.unwatchAll()
	c.addArrayLen(len(m.cmds))
	execArgv, execCmd := c.argv, c.cmd
	// Everything the transaction changes (scripts' effects included) is
	// collected and propagated at the end: wrapped in MULTI/EXEC when it
	// is several commands, alone when it is one, as Redis 7.0 does.
	var ops []propOp
	c.propHook = func(db int, argv [][]byte) { ops = append(ops, propOp{db, argv}) }
	c.inExec = true
	for _, q := range m.cmds {
		c.argv, c.cmd = q.argv, q.cmd
		c.call(q.cmd)
	}
	c.inExec = false
	c.propHook = nil
	c.srv.propagateOps(ops)
	c.preventPropagation()
	c.argv, c.cmd = execArgv, execCmd
	c.multi = nil
	c.multiCount.Store(-1)
	c.flags &^= flagMulti | flagDirtyExec
}

// Watched keys.

type watchedKey struct {
	db  int
	key string
}

type watchRegistry struct {
	mu   sync.Mutex
	dbs  map[int]map[string]map[*Client]struct{}
	keys atomic.Int64 // watched (db, key) pairs, for a lock-free fast path
}

func (r *watchRegistry) init() { r.dbs = map[int]map[string]map[*Client]struct{}{} }

func (r *watchRegistry) add(c *Client, db int, key string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	m := r.dbs[db]
	if m == nil {
		m = map[string]map[*Client]struct{}{}
		r.dbs[db] = m
	}
	set := m[key]
	if set == nil {
		set = map[*Client]struct{}{}
		m[key] = set
		r.keys.Add(1)
	}
	set[c] = struct{}{}
}

func (r *watchRegistry) remove(c *Client, db int, key string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	set := r.dbs[db][key]
	delete(set, c)
	if len(set) == 0 && set != nil {
		delete(r.dbs[db], key)
		r.keys.Add(-1)
	}
}

// touch marks every client watching key as dirty: called on every change
// to the key, expiry and eviction included.
func (r *watchRegistry) touch(db int, key []byte) {
	if r.keys.Load() == 0 {
		return
	}
	r.mu.Lock()
	for c := range r.dbs[db][string(key)] {
		c.casDirty.Store(true)
	}
	r.mu.Unlock()
}

// touchDB marks the watchers of keys in db for which changed reports true
// (FLUSHDB, FLUSHALL, SWAPDB).
func (r *watchRegistry) touchDB(db int, changed func(key string) bool) {
	if r.keys.Load() == 0 {
		return
	}
	r.mu.Lock()
	for key, set := range r.dbs[db] {
		if changed(key) {
			for c := range set {
				c.casDirty.Store(true)
			}
		}
	}
	r.mu.Unlock()
}

func watchCommand(c *Client) {
	if c.flags&flagMulti != 0 {
		c.addError("ERR WATCH inside MULTI is not allowed")
		return
	}
	if c.casDirty.Load() {
		// Already doomed: no need to watch more.
		c.addOK()
		return
	}
	db := c.db.ID()
	for _, k := range c.argv[1:] {
		key := string(k)
		dup := false
		for _, w := range c.watching {
			if w.db == db && w.key == key {
				dup = true
				break
			}
		}
		if dup {
			continue
		}
		// Expire the key now if it is due, so a key already expired when
		// watched does not later abort the transaction by expiring.
		c.db.Lookup(k, c.now, keyspace.NoTouch|keyspace.NoStats)
		c.watching = append(c.watching, watchedKey{db: db, key: key})
		c.srv.watches.add(c, db, key)
	}
	c.addOK()
}

func unwatchCommand(c *Client) {
	c.unwatchAll()
	c.addOK()
}

func (c *Client) unwatchAll() {
	for _, w := range c.watching {
		c.srv.watches.remove(c, w.db, w.key)
	}
	c.watching = c.watching[:0]
	c.casDirty.Store(false)
}

// watchedKeyExpired expires watched keys that are due (EXEC runs with the
// exclusive lock, so no shard lock is needed); the expiry marks the
// transaction dirty like any other change. It reports casDirty.
func (c *Client) watchedKeyExpired() bool {
	for _, w := range c.watching {
		c.srv.ks.DB(w.db).Lookup([]byte(w.key), c.now, keyspace.NoTouch|keyspace.NoStats)
	}
	return c.casDirty.Load()
}
