package server

import (
	"strings"
	"time"

	"github.com/redisctl/redisctl/engine/resp"
)

// execute runs the command in c.argv: the central checks in Redis's order
// (existence, arity, authentication, transaction and context rules,
// memory), then either queues it (MULTI) or calls it.
func (c *Client) execute() {
	var cmd *Command
	// Clients tend to repeat a command: remember the last name (as sent).
	if c.lastName.cmd != nil && string(c.argv[0]) == string(c.lastName.name) {
		cmd = c.lastName.cmd
	} else {
		cmd = c.srv.cmds.lookup(c.argv[0])
		if cmd != nil && len(c.argv[0]) <= 32 {
			c.lastName.name = append(c.lastName.name[:0], c.argv[0]...)
			c.lastName.cmd = cmd
		}
	}
	if cmd != nil && cmd.sub != nil && len(c.argv) >= 2 {
		sub := cmd.sub[strings.ToLower(string(c.argv[1]))]
		if sub == nil { // as in Redis, even for COMMAND, which runs alone
			c.cmd = nil // an unknown command, not a rejected call of the container
			c.reject("ERR unknown subcommand '" + sanitize(trunc(c.argv[1], 128)) +
				"'. Try " + strings.ToUpper(cmd.Name) + " HELP.")
			return
		}
		cmd = sub
	}
	c.cmd = cmd
	c.lastCmd.Store(cmd)
	switch {
	case cmd == nil:
		c.reject(unknownCommandError(c.argv))
		return
	case (cmd.Arity > 0 && len(c.argv) != cmd.Arity) || len(c.argv) < -cmd.Arity:
		c.reject("ERR wrong number of arguments for '" + cmd.fullName + "' command")
		return
	case cmd.Name == "debug" && !c.debugAllowed(): // Redis's protected-command check
		c.reject(errDebugDisabled)
		return
	case !c.authed && cmd.flags&FlagNoAuth == 0:
		if c.srv.requirePass() != "" {
			c.reject(errNoAuth)
			return
		}
		c.authed = true
	}
	if c.flags&flagMulti != 0 && cmd.flags&FlagNoMulti != 0 {
		c.reject("ERR Command not allowed inside a transaction")
		return
	}
	isExecLike := cmd.Name == "exec" || cmd.Name == "discard" || cmd.Name == "quit" || cmd.Name == "reset"
	if c.srv.maxmemory.Load() > 0 {
		reject := cmd.flags&FlagDenyOOM != 0 || (c.flags&flagMulti != 0 && !isExecLike)
		if cmd.Name == "exec" && c.multi != nil && c.multi.flags&FlagDenyOOM != 0 {
			reject = true
		}
		if !c.srv.freeMemoryIfNeeded(c) && reject {
			c.reject(errOOM)
			return
		}
	}
	if c.srv.persist.denying.Load() && (cmd.flags&FlagWrite != 0 || cmd.Name == "ping") {
		if msg := c.srv.persist.writeDenied(); msg != "" {
			c.reject(msg)
			return
		}
	}
	if c.flags&flagPubSub != 0 && c.proto == resp.RESP2 && !allowedInPubSub(cmd.Name) {
		c.reject("ERR Can't execute '" + cmd.fullName + "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context")
		return
	}
	if run := c.srv.busyScript(); run != nil && cmd.flags&FlagAllowBusy == 0 {
		c.reject(busyError(run))
		return
	}
	// A MONITOR client counts as a replica, which may not touch the
	// keyspace (Redis guards its pause exemption so).
	if c.flags&flagMonitor != 0 && cmd.flags&(FlagWrite|FlagReadOnly|FlagMayReplicate) != 0 {
		c.reject("ERR Replica can't interact with the keyspace")
		return
	}
	if c.flags&flagMulti != 0 && !isExecLike && cmd.Name != "multi" && cmd.Name != "watch" {
		c.queueMulti()
		return
	}
	if c.srv.pausedFor(c, cmd) {
		c.pauseBlock()
		return
	}
	c.call(cmd)
	c.afterCommand()
}

func allowedInPubSub(name string) bool {
	switch name {
	case "ping", "subscribe", "ssubscribe", "unsubscribe", "sunsubscribe", "psubscribe", "punsubscribe", "quit", "reset":
		return true
	}
	return false
}

// reject replies a command error found before execution; inside MULTI it
// also dooms the transaction.
func (c *Client) reject(msg string) {
	if c.flags&flagMulti != 0 {
		c.flags |= flagDirtyExec
	}
	if c.cmd != nil && c.cmd.Name == "exec" {
		// EXEC itself rejected (in a transaction or not, as in Redis): any
		// transaction is discarded, saying why.
		if c.flags&flagMulti != 0 {
			c.discardTransaction()
		}
		c.addError("EXECABORT Transaction discarded because of: " + strings.TrimPrefix(msg, "ERR "))
		c.srv.commandRejected(c.stats, c.cmd)
		return
	}
	c.addError(msg)
	if c.cmd != nil {
		c.srv.commandRejected(c.stats, c.cmd)
	}
}

func unknownCommandError(argv [][]byte) string {
	var b strings.Builder
	for _, a := range argv[1:] {
		if b.Len() >= 128 {
			break
		}
		b.WriteByte('\'')
		b.WriteString(sanitize(trunc(a, 128-b.Len())))
		b.WriteString("' ")
	}
	return "ERR unknown command '" + sanitize(trunc(argv[0], 128)) + "', with args beginning with: " + b.String()
}

func trunc(b []byte, n int) []byte {
	if n < 0 {
		n = 0
	}
	if len(b) > n {
		return b[:n]
	}
	return b
}

// sanitize replaces CR and LF, which an error reply cannot carry.
func sanitize(b []byte) string {
	s := string(b)
	if strings.ContainsAny(s, "\r\n") {
		s = strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
	}
	return s
}

// lockState records what call locked so it can unlock the same.
type lockState struct {
	lockFree  bool // ran without the server lock (busy script, allow_busy)
	exclusive bool
	db        int
	shards    []int
}

// call runs cmd with its locks held, then accounts for it: command stats,
// slowlog, propagation of writes. A top-level call (the one that takes
// the locks, not a command run by EXEC or a script) then serves the
// clients blocked on keys the command made ready, before anything else
// can run on those keys.
func (c *Client) call(cmd *Command) {
	top := !c.srv.inExclusive(c)
	if top && !c.lock(cmd) {
		return // BUSY
	}
	clk := &c.srv.clock
	// Within a batch the previous command's end reading doubles as this
	// one's start: one clock read per command.
	start := c.clockMark
	if start == 0 {
		start = clk.monoNow()
	}
	c.now = clk.wallMs(start)
	c.dirty = 0
	c.propArgv = nil
	c.alsoProp = c.alsoProp[:0]
	c.flags &^= flagErrored
	outBefore := len(c.out)
	cmd.Handler(c)
	end := clk.monoNow()
	c.clockMark = end
	dur := time.Duration(end - start)
	if c.flags&(flagReplySkip|flagReplyOff) != 0 {
		c.out = c.out[:outBefore]
	}
	if c.blocked.Load() != nil {
		c.srv.feedMonitors(c, cmd) // counted when the block ends, as in Redis
	} else {
		c.srv.commandDone(c, cmd, dur)
	}
	if c.dirty > 0 {
		c.srv.propagate(c, cmd)
	}
	if top {
		if len(c.readyKeys) > 0 {
			c.serveBlocked()
		}
		c.unlock()
	}
}

// afterCommand runs once per top-level command: CLIENT REPLY bookkeeping
// and the per-client "last command" fields CLIENT LIST shows.
func (c *Client) afterCommand() {
	c.lastSeen.Store(c.now)
	if c.flags&flagReplySkip != 0 {
		c.flags &^= flagReplySkip
	}
	if c.flags&flagReplySkipNext != 0 {
		c.flags = c.flags&^flagReplySkipNext | flagReplySkip
	}
}

// lock takes the server lock (shared, or exclusive for exclusive
// commands) and the shard locks of the command's keys in ascending order,
// then waits, without them, while a round serving blocked clients has one
// of the keys to itself.
func (c *Client) lock(cmd *Command) bool {
	marks := &c.srv.blocking.marks
	for {
		if !c.lockOnce(cmd) {
			return false
		}
		if c.locked.lockFree || c.locked.exclusive || !marks.mustWait(c, cmd) {
			return true
		}
		c.unlock()
		marks.wait(c, cmd)
	}
}

func (c *Client) lockOnce(cmd *Command) bool {
	exclusive := cmd.flags&FlagExclusive != 0 || (cmd.Exclusive != nil && cmd.Exclusive(c.argv))
	switch c.srv.acquireWorld(c, cmd, exclusive) {
	case worldBusy:
		return false
	case worldLockFree:
		c.locked.lockFree = true
		return true
	}
	if exclusive {
		c.srv.exclusiveOwner.Store(c)
		c.locked.exclusive = true
		return true
	}
	c.locked.exclusive = false
	c.locked.shards = c.shardBuf[:0]
	if len(cmd.Keys) == 0 {
		return true
	}
	db := c.db
	c.locked.db = db.ID()
	if cmd.singleKey && len(c.argv) > 1 {
		s := db.ShardOf(c.argv[1])
		db.LockShard(s)
		c.locked.shards = append(c.shardBuf[:0], s)
		return true
	}
	pos := cmd.keyPositions(c.argv, c.keyPosBuf[:0])
	shards := c.shardBuf[:0]
	for _, p := range pos {
		shards = addShard(shards, db.ShardOf(c.argv[p]))
	}
	for _, s := range shards {
		db.LockShard(s)
	}
	c.locked.shards = shards
	return true
}

func (c *Client) unlock() {
	if c.locked.lockFree {
		c.locked.lockFree = false
		return
	}
	if c.locked.exclusive {
		c.locked.exclusive = false
		c.srv.exclusiveOwner.Store(nil)
		c.srv.world.Unlock()
		return
	}
	c.unlockShards()
	c.srv.world.RUnlock()
}

func (c *Client) unlockShards() {
	if len(c.locked.shards) > 0 {
		db := c.srv.ks.DB(c.locked.db)
		for i := len(c.locked.shards) - 1; i >= 0; i-- {
			db.UnlockShard(c.locked.shards[i])
		}
		c.locked.shards = c.locked.shards[:0]
	}
}

// inExclusive reports whether c already holds the server's exclusive lock
// (commands run by EXEC or a script).
func (s *Server) inExclusive(c *Client) bool { return s.exclusiveOwner.Load() == c }
