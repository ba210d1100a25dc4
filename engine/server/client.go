package server

import (
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redisctl/redisctl/engine/keyspace"
	"github.com/redisctl/redisctl/engine/resp"
)

// clientFlags are per-connection states.
type clientFlags uint32

const (
	flagMulti           clientFlags = 1 << iota // inside MULTI
	flagDirtyCAS                                // a WATCHed key changed
	flagDirtyExec                               // a command failed to queue
	flagCloseAfterReply                         // close once replies are written
	flagCloseASAP                               // close now, dropping output
	flagPubSub                                  // subscribed to something
	flagMonitor                                 // MONITOR
	flagReplyOff                                // CLIENT REPLY OFF
	flagReplySkipNext                           // CLIENT REPLY SKIP given
	flagReplySkip                               // skip this command's reply
	flagErrored                                 // the current command replied an error
	flagNoEvict                                 // CLIENT NO-EVICT on
	flagProtected                               // protected mode denied this client
)

// conn is what a network driver gives a client: a way to push output
// produced outside the client's own goroutine and to close it.
type conn interface {
	// wake asks the driver to flush the client's async output soon.
	wake(c *Client)
	// close closes the connection from any goroutine.
	close(c *Client)
}

// Client is one connection. Its fields are owned by the goroutine serving
// it (an event loop) except those marked otherwise.
type Client struct {
	srv  *Server
	id   int64
	conn conn
	fd   int

	addr, laddr string
	created     time.Time

	in     []byte // partial request carried over between reads
	parser resp.Parser
	argv   [][]byte
	cmd    *Command
	out    []byte
	now    int64 // unix ms at the start of the current command

	db        *keyspace.DB
	proto     int
	authed    bool
	flags     clientFlags
	dirty     int64 // changes made by the current command
	shardBuf  [16]int
	keyPosBuf [16]int
	locked    lockState
	stats     *loopStats

	softLimitSince time.Time // when output first exceeded the soft limit
	lastName       nameCache
	clockMark      int64 // monotonic reading ending the previous command of this batch

	blocked  atomic.Pointer[blockState] // set while a blocking command waits
	retrying bool                       // re-running a blocked command
	// When servingOne, a blocked command runs again to serve the client
	// from servingKey only (see notServing).
	servingOne bool
	servingKey string
	inExec     bool        // running EXEC's queued commands
	readyKeys  []blockKey  // keys the current command made ready
	retryCmd   *blockState // a paused command to re-run
	multi      *multiState
	watching   []watchedKey
	casDirty   atomic.Bool                 // a watched key changed (set by other clients)
	propArgv   [][]byte                    // what to propagate instead of argv, if set
	propHook   func(db int, argv [][]byte) // if set, receives what the client propagates (scripts, EXEC)
	alsoProp   []propOp                    // effects the current command propagates (alsoPropagate)
	subs       *subscriptions

	// Read by other goroutines (CLIENT LIST, INFO...).
	noEvictView atomic.Bool // CLIENT NO-EVICT on: flags=e
	monitorView atomic.Bool // MONITOR: flags=O
	dbIndex     atomic.Int32
	name        atomic.Pointer[string]
	lastCmd     atomic.Pointer[Command]
	lastSeen    atomic.Int64 // unix ms of the last command
	outLen      atomic.Int64 // bytes of output pending
	inLen       atomic.Int64 // bytes of query buffer held
	subCount    atomic.Int32 // channels + patterns + shard channels
	chanCount   atomic.Int32
	patCount    atomic.Int32
	shardCount  atomic.Int32
	multiCount  atomic.Int32 // queued commands, -1 outside MULTI
	protoView   atomic.Int32

	// asyncMu guards async: output produced by other clients (pub/sub
	// messages, MONITOR lines, CLIENT KILL), flushed by the owner.
	asyncMu     sync.Mutex
	async       []byte
	asyncWake   bool
	asyncClose  bool
	killed      atomic.Bool // kill() ran: gone for pub/sub counts before its loop closes it
	killedSub   atomic.Bool // killed with subscriptions: counted in pubsub.dying until closed
	blockReq    int         // requests for the blocked command (reqRetry...)
	blockReqFor *blockState // the block the requests are about
}

func (s *Server) newClient(cn conn, fd int, remote, local net.Addr, stats *loopStats) *Client {
	c := &Client{
		srv:     s,
		id:      s.nextClientID.Add(1),
		conn:    cn,
		fd:      fd,
		created: time.Now(),
		proto:   resp.RESP2,
		stats:   stats,
	}
	if remote != nil {
		c.addr = remote.String()
	}
	if local != nil {
		c.laddr = local.String()
	}
	c.parser.MaxBulkLen = s.protoMaxBulk.Load()
	c.db = s.ks.DB(0)
	c.authed = s.requirePass() == ""
	c.lastSeen.Store(c.created.UnixMilli())
	c.multiCount.Store(-1)
	c.protoView.Store(resp.RESP2)
	if s.protectedDenied(remote) {
		c.flags |= flagProtected
	}
	s.registerClient(c)
	return c
}

// feed processes input: data just read into a shared buffer, or nil when
// the driver appended the new bytes to c.in itself. It runs every complete
// command (unless the client is blocked), appending replies to c.out, and
// keeps what is left, an incomplete request or commands waiting for the
// client to unblock, in c.in.
func (c *Client) feed(data []byte) {
	if len(data) > 0 && len(c.in) > 0 {
		c.in = append(c.in, data...)
		data = nil
	}
	fromIn := len(c.in) > 0
	buf := data
	if fromIn {
		buf = c.in
	}
	pos := 0
	if c.canProcess() {
		c.clockMark = 0
		c.parser.MaxBulkLen = c.srv.protoMaxBulk.Load()
		pos = c.process(buf)
	}
	rest := buf[pos:]
	switch {
	case fromIn:
		n := copy(c.in, rest)
		c.in = c.in[:n]
		if cap(c.in) > 64*1024 && n < cap(c.in)/4 {
			c.in = append([]byte(nil), c.in...)
		}
	case len(rest) > 0:
		c.in = append(c.in[:0], rest...)
	}
	c.inLen.Store(int64(len(c.in)))
	if int64(len(c.in)) > c.srv.queryBufLimit.Load() {
		c.srv.logf(levelWarning, "Closing client that reached max query buffer length: %s", c.describe())
		c.flags |= flagCloseASAP
	}
}

// canProcess reports whether the client may run commands now (it is not
// waiting on a blocking command).
func (c *Client) canProcess() bool { return c.blocked.Load() == nil }

// process runs the complete requests in buf and returns the bytes used.
func (c *Client) process(buf []byte) int {
	pos := 0
	for pos < len(buf) && c.flags&(flagCloseAfterReply|flagCloseASAP) == 0 && c.blocked.Load() == nil {
		if c.flags&flagProtected != 0 {
			c.denyProtected()
			return len(buf)
		}
		c.parser.Unauthenticated = !c.authed && c.srv.requirePass() != ""
		args, n, err := c.parser.Next(buf[pos:], c.argv[:0])
		if err != nil {
			c.protocolError(err.Error())
			return len(buf)
		}
		if n == 0 {
			break
		}
		pos += n
		c.argv = args
		if len(args) == 0 {
			continue
		}
		c.execute()
	}
	return pos
}

func (c *Client) protocolError(msg string) {
	c.srv.logf(levelVerbose, "Protocol error (%s) from client: %s", msg, c.describe())
	c.addError("ERR " + msg)
	c.flags |= flagCloseAfterReply
	c.parser.Reset()
}

// takeAsync moves output produced by other goroutines into c.out, runs
// what a block held back once it ended, and reports whether the client
// must be closed.
func (c *Client) takeAsync() bool {
	c.asyncMu.Lock()
	if len(c.async) > 0 {
		c.out = append(c.out, c.async...)
		c.async = c.async[:0]
	}
	c.asyncWake = false
	closing := c.asyncClose
	req, reqFor := c.blockReq, c.blockReqFor
	c.blockReq, c.blockReqFor = 0, nil
	c.asyncMu.Unlock()
	if closing {
		return true
	}
	if req != 0 {
		c.handleBlockRequests(req, reqFor)
		c.resume()
	}
	return false
}

// resume runs a paused command again, then any input that arrived while
// the client was blocked.
func (c *Client) resume() {
	if st := c.retryCmd; st != nil && c.canProcess() {
		c.retryCmd = nil
		c.argv = st.argv
		c.execute()
	}
	if len(c.in) > 0 && c.canProcess() {
		c.feed(nil)
	}
}

// pushAsync appends output for c from another client's goroutine and asks
// the driver to flush it.
func (c *Client) pushAsync(b []byte) {
	c.asyncMu.Lock()
	c.async = append(c.async, b...)
	wake := !c.asyncWake
	c.asyncWake = true
	c.asyncMu.Unlock()
	if wake {
		c.conn.wake(c)
	}
}

// kill closes c from another goroutine (CLIENT KILL, SHUTDOWN).
func (c *Client) kill() {
	c.asyncMu.Lock()
	c.asyncClose = true
	if !c.killed.Swap(true) && c.subCount.Load() > 0 {
		c.killedSub.Store(true)
		c.srv.pubsub.dying.Add(1)
	}
	wake := !c.asyncWake
	c.asyncWake = true
	c.asyncMu.Unlock()
	if wake {
		c.conn.wake(c)
	}
	// Redis frees a killed client at once: it leaves CLIENT LIST and the
	// client counts now, while its connection closes on its own loop.
	c.srv.unregisterClient(c)
}

// closed runs once when the connection is gone.
func (c *Client) closed() {
	c.dropBlock()
	c.unwatchAll()
	c.unsubscribeAll()
	if c.killedSub.Swap(false) {
		c.srv.pubsub.dying.Add(-1)
	}
	if c.flags&flagMonitor != 0 {
		c.srv.removeMonitor(c)
	}
	c.srv.unregisterClient(c)
}

func (c *Client) describe() string {
	return c.infoLine()
}
