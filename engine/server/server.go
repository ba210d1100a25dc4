// Package server is the engine's Redis-compatible server: connections and
// the network drivers, the command table and dispatcher, and the commands
// themselves (one file per group, as in Redis's t_*.c files).
package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redisctl/redisctl/engine/config"
	"github.com/redisctl/redisctl/engine/keyspace"
	"github.com/redisctl/redisctl/engine/types"
)

// Options are the parts of a server that are not Redis configuration.
type Options struct {
	// LogOut receives the log when logfile is empty (Redis logs to stdout).
	LogOut io.Writer
	// Listeners, when set, are served instead of binding bind/port
	// (in-process tests pass 127.0.0.1:0 listeners).
	Listeners []net.Listener
	// Driver picks the network driver: "epoll" (the default on Linux) or
	// "std" (goroutine per connection, every platform).
	Driver string
	// Executable is reported by INFO server.
	Executable string
	// ExtraCommands are registered after the built-in ones (tests,
	// experiments).
	ExtraCommands []*Command
}

// Propagator receives every change to the dataset as the command that
// replays it (AOF, replicas), in execution order for any given key, with
// MULTI/EXEC around transactions. db is the database the command ran in.
// It is called with the command's locks held and must not block for long.
type Propagator interface {
	Propagate(db int, argv [][]byte)
}

// Server is one engine instance.
type Server struct {
	cfg  *config.Config
	opts Options
	ks   *keyspace.Keyspace
	cmds *commandTable
	log  *logger

	// world serializes exclusive commands (EXEC, FLUSHALL, scripts...)
	// against all others, which hold it shared.
	world          sync.RWMutex
	exclusiveOwner atomic.Pointer[Client]

	// Live settings, mirrored from the config on every change.
	maxmemory        atomic.Int64
	policy           atomic.Int32
	samples          atomic.Int32
	pass             atomic.Pointer[string]
	protoMaxBulk     atomic.Int64
	queryBufLimit    atomic.Int64
	notifyFlags      atomic.Int32
	protectedMode    atomic.Bool
	activeExpire     atomic.Bool
	clientsMemory    atomic.Int64
	peakMem          atomic.Int64
	clock            monoClock
	latencyTracking  atomic.Bool
	slowlogThreshold atomic.Int64

	evictMu sync.Mutex
	evictor keyspace.Evictor

	clientsMu    sync.Mutex
	clients      map[int64]*Client
	nextClientID atomic.Int64

	propagators []Propagator
	persist     *persistence
	watches     watchRegistry
	streams     streamSettings
	scripting   *scripting
	pubsub      pubsubRegistry
	coll        collections // collection types: encoding limits
	monitors    monitors
	blocking    blockRegistry
	slowlog     slowlog
	latency     latencyMonitor
	pause       pauseState

	stats     serverStats
	rates     rateSamples
	loops     []*loopStats
	errMu     sync.Mutex
	errCounts map[string]int64

	runID      string
	start      time.Time
	port       int
	listeners  []net.Listener
	driver     driver
	ready      chan struct{}
	shutdownCh chan shutdownRequest
	done       chan struct{}
	stopOnce   sync.Once
}

type serverStats struct {
	connections atomic.Int64 // total_connections_received
	rejected    atomic.Int64 // rejected_connections
	lastSave    atomic.Int64 // unix seconds
	startupMem  int64
}

type shutdownRequest struct {
	save, nosave bool
}

// New builds a server from a loaded configuration.
func New(cfg *config.Config, opts Options) (*Server, error) {
	s := &Server{
		cfg:        cfg,
		opts:       opts,
		clients:    map[int64]*Client{},
		errCounts:  map[string]int64{},
		start:      time.Now(),
		ready:      make(chan struct{}),
		shutdownCh: make(chan shutdownRequest, 1),
		done:       make(chan struct{}),
	}
	var id [20]byte
	if _, err := rand.Read(id[:]); err != nil {
		return nil, err
	}
	s.runID = hex.EncodeToString(id[:])
	s.clock.init()
	lg, err := newLogger(cfg, opts.LogOut)
	if err != nil {
		return nil, err
	}
	s.log = lg
	s.ks = keyspace.New(int(cfg.Int("databases")), 0, keyspace.Hooks{
		Expired: s.keyExpired,
		Evicted: s.keyEvicted,
		Added:   s.keyAdded,
		Missed:  s.keyMissed,
		Compact: types.DecodeCompact, // collections stored inside their entries
	})
	s.cmds = newCommandTable(append(allCommands(), opts.ExtraCommands)...)
	s.persist = newPersistence(s)
	s.AddPropagator(s.persist)
	if err := s.applyRenames(); err != nil {
		return nil, err
	}
	s.loadSettings()
	cfg.OnChange(s.configChanged)
	s.watches.init()
	s.initStreams()
	s.initScripting()
	s.pubsub.init()
	s.blocking.init()
	s.initCollections()
	s.stats.lastSave.Store(s.start.Unix())
	s.ks.Tick(s.start.UnixMilli())
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	s.stats.startupMem = int64(ms.HeapInuse)
	return s, nil
}

// AddPropagator registers p to receive every write. Call before Run.
func (s *Server) AddPropagator(p Propagator) { s.propagators = append(s.propagators, p) }

// Keyspace returns the server's keyspace (persistence, tests).
func (s *Server) Keyspace() *keyspace.Keyspace { return s.ks }

// Config returns the live configuration.
func (s *Server) Config() *config.Config { return s.cfg }

// Ready is closed once the server accepts connections.
func (s *Server) Ready() <-chan struct{} { return s.ready }

// Addrs returns the addresses the server listens on (after Ready).
func (s *Server) Addrs() []net.Addr {
	out := make([]net.Addr, len(s.listeners))
	for i, l := range s.listeners {
		out[i] = l.Addr()
	}
	return out
}

// Run serves until ctx is cancelled or a client runs SHUTDOWN, then stops
// gracefully: listeners closed, clients disconnected, pid file removed.
func (s *Server) Run(ctx context.Context) error {
	defer close(s.done)
	if err := s.listen(); err != nil {
		return err
	}
	pidfile := s.cfg.Path("pidfile")
	if pidfile != "" {
		if err := os.WriteFile(pidfile, []byte(strconv.Itoa(os.Getpid())+"\n"), 0o644); err != nil {
			s.logf(levelWarning, "Failed to write PID file: %v", err)
		}
		defer os.Remove(pidfile)
	}
	drv, err := newDriver(s, s.opts.Driver)
	if err != nil {
		s.closeListeners()
		return err
	}
	s.driver = drv
	s.logStartup()
	if err := s.persist.start(); err != nil {
		s.closeListeners()
		s.log.close()
		return err
	}
	if err := drv.start(s.listeners); err != nil {
		s.closeListeners()
		return err
	}
	cronCtx, stopCron := context.WithCancel(context.Background())
	cronDone := make(chan struct{})
	go func() {
		defer close(cronDone)
		s.cron(cronCtx)
	}()
	close(s.ready)
	s.logf(levelNotice, "Ready to accept connections tcp")

	var req shutdownRequest
	select {
	case <-ctx.Done():
		s.logf(levelWarning, "Received SIGTERM scheduling shutdown...")
	case req = <-s.shutdownCh:
	}
	s.scripting.abort() // a running script stops: its event loop must end
	stopCron()
	<-cronDone
	s.closeListeners()
	drv.stop()
	if err := s.persist.shutdown(req); err != nil {
		s.logf(levelWarning, "Errors trying to shut down the server: %v", err)
	}
	s.logf(levelWarning, "Redis is now ready to exit, bye bye...")
	s.log.close()
	return nil
}

// Shutdown asks Run to return, as SHUTDOWN does.
func (s *Server) Shutdown() {
	select {
	case s.shutdownCh <- shutdownRequest{}:
	default:
	}
}

// Done is closed when Run has returned.
func (s *Server) Done() <-chan struct{} { return s.done }

func (s *Server) listen() error {
	if len(s.opts.Listeners) > 0 {
		s.listeners = s.opts.Listeners
		s.port = s.listeners[0].Addr().(*net.TCPAddr).Port
		return nil
	}
	port := int(s.cfg.Int("port"))
	s.port = port
	if port == 0 {
		return errors.New("Configured to not listen anywhere, exiting.")
	}
	binds := s.cfg.Binds()
	for _, b := range binds {
		optional := len(b) > 0 && b[0] == '-'
		if optional {
			b = b[1:]
		}
		host := b
		if b == "*" {
			host = "0.0.0.0"
		} else if b == "::*" {
			host = "::"
		}
		network := "tcp4"
		if host == "::" || net.ParseIP(host) != nil && net.ParseIP(host).To4() == nil {
			network = "tcp6"
		}
		l, err := listenTCP(network, net.JoinHostPort(host, strconv.Itoa(port)))
		if err != nil {
			if optional {
				continue
			}
			s.closeListeners()
			s.logf(levelWarning, "Warning: Could not create server TCP listening socket %s:%d: %v", b, port, err)
			return fmt.Errorf("Failed listening on port %d (tcp), aborting.", port)
		}
		s.listeners = append(s.listeners, l)
	}
	if len(s.listeners) == 0 {
		return errors.New("Configured to not listen anywhere, exiting.")
	}
	return nil
}

func (s *Server) closeListeners() {
	for _, l := range s.listeners {
		l.Close()
	}
}

// cron does the periodic work of Redis's serverCron: clocks, active
// expiry, client timeouts.
func (s *Server) cron(ctx context.Context) {
	hz := max(int(s.cfg.Int("hz")), 1)
	t := time.NewTicker(time.Second / time.Duration(hz))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			s.clock.refresh()
			s.ks.Tick(now.UnixMilli())
			if s.activeExpire.Load() {
				budget := time.Second / time.Duration(hz) / 4
				s.ks.ActiveExpire(now.UnixMilli(), now.Add(budget), int(s.cfg.Int("active-expire-effort")))
			}
			s.clientsCron(now)
			s.sampleStats(now)
			if h := max(int(s.cfg.Int("hz")), 1); h != hz {
				hz = h
				t.Reset(time.Second / time.Duration(hz))
			}
		}
	}
}

// registerClient and unregisterClient keep the client list.
func (s *Server) registerClient(c *Client) {
	s.clientsMu.Lock()
	s.clients[c.id] = c
	s.clientsMu.Unlock()
	s.stats.connections.Add(1)
}

func (s *Server) unregisterClient(c *Client) {
	s.clientsMu.Lock()
	delete(s.clients, c.id)
	s.clientsMu.Unlock()
}

// clientList returns the connected clients ordered by id.
func (s *Server) clientList() []*Client {
	s.clientsMu.Lock()
	out := make([]*Client, 0, len(s.clients))
	for _, c := range s.clients {
		out = append(out, c)
	}
	s.clientsMu.Unlock()
	sortClients(out)
	return out
}

func (s *Server) numClients() int {
	s.clientsMu.Lock()
	defer s.clientsMu.Unlock()
	return len(s.clients)
}

func (s *Server) requirePass() string {
	if p := s.pass.Load(); p != nil {
		return *p
	}
	return ""
}

// freeMemoryIfNeeded evicts keys while used memory exceeds maxmemory and
// reports whether memory is now within the limit.
func (s *Server) freeMemoryIfNeeded(c *Client) bool {
	limit := s.maxmemory.Load()
	if limit <= 0 || s.usedMemory() <= limit {
		return true
	}
	s.evictMu.Lock()
	defer s.evictMu.Unlock()
	target := limit - s.overheadMemory()
	s.world.RLock()
	_, ok := s.ks.Evict(&s.evictor, keyspace.Policy(s.policy.Load()), target, int(s.samples.Load()), time.Now().UnixMilli())
	s.world.RUnlock()
	return ok
}

// usedMemory is INFO's used_memory: the dataset plus the server's own
// overhead (runtime at startup, client buffers).
func (s *Server) usedMemory() int64 { return s.ks.UsedMemory() + s.overheadMemory() }

func (s *Server) overheadMemory() int64 {
	return s.stats.startupMem + s.clientsMemory.Load()
}

// propagate hands a write to every propagator: the effects the command
// recorded with alsoPropagate, then its own argv (or propArgv).
func (s *Server) propagate(c *Client, cmd *Command) {
	c.stats.dirty.Add(c.dirty)
	ops := c.alsoProp
	c.alsoProp = c.alsoProp[:0]
	if len(s.propagators) == 0 || s.persist.loading.Load() {
		return
	}
	argv := c.argv
	if c.propArgv != nil {
		argv = c.propArgv
		c.propArgv = nil
	}
	if c.propHook != nil {
		if len(argv) > 0 {
			c.propHook(c.db.ID(), argv) // a script or EXEC collects its effects
		}
		return
	}
	if len(ops) > 0 {
		if len(argv) > 0 {
			ops = append(ops, propOp{c.db.ID(), argv})
		}
		s.propagateOps(ops)
		return
	}
	if len(argv) == 0 {
		return // the command propagated nothing
	}
	for _, p := range s.propagators {
		p.Propagate(c.db.ID(), argv)
	}
}

// propagateArgv sends a command the server itself generates (DEL of an
// expired key...).
func (s *Server) propagateArgv(db int, argv ...[]byte) {
	if s.persist.loading.Load() {
		return // replaying the AOF: these writes are already in it
	}
	for _, p := range s.propagators {
		p.Propagate(db, argv)
	}
}

func (s *Server) keyExpired(db int, key []byte) {
	s.propagateArgv(db, []byte("DEL"), key)
	s.notifyKeyspaceEvent(config.NotifyExpired, "expired", key, db)
	s.watches.touch(db, key)
}

// keyAdded and keyMissed publish the "new" and "keymiss" notifications
// (classes n and m, which A does not include); they run for every new key
// and every read miss, so they return at once when nobody asked.
func (s *Server) keyAdded(db int, key []byte) {
	if s.notifyFlags.Load()&config.NotifyNew != 0 && !s.persist.loading.Load() {
		s.notifyKeyspaceEvent(config.NotifyNew, "new", key, db)
	}
}

func (s *Server) keyMissed(db int, key []byte) {
	if s.notifyFlags.Load()&config.NotifyKeyMiss != 0 {
		s.notifyKeyspaceEvent(config.NotifyKeyMiss, "keymiss", key, db)
	}
}

func (s *Server) keyEvicted(db int, key []byte) {
	s.propagateArgv(db, []byte("DEL"), key)
	s.notifyKeyspaceEvent(config.NotifyEvicted, "evicted", key, db)
	s.watches.touch(db, key)
}
