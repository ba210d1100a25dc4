package server

import (
	"math"
	"net"
	"runtime/debug"
	"strings"

	"github.com/redisctl/redisctl/engine/keyspace"
)

// loadSettings mirrors every configuration value the hot path reads into
// an atomic.
func (s *Server) loadSettings() {
	for _, name := range []string{"maxmemory", "maxmemory-policy", "maxmemory-samples", "requirepass",
		"proto-max-bulk-len", "client-query-buffer-limit", "notify-keyspace-events", "protected-mode",
		"lfu-log-factor", "slowlog-log-slower-than", "latency-tracking"} {
		_ = s.configChanged(name)
	}
	s.activeExpire.Store(true)
}

// configChanged applies a changed parameter to the running server. It is
// the config's change hook (CONFIG SET) and an error undoes the change.
func (s *Server) configChanged(name string) error {
	cfg := s.cfg
	switch name {
	case "maxmemory":
		mm := cfg.Int("maxmemory")
		s.maxmemory.Store(mm)
		// Let the garbage collector work harder as the heap nears
		// maxmemory, so the process's footprint follows the limit the
		// way Redis's does instead of growing to twice the live data.
		if mm > 0 {
			debug.SetMemoryLimit(mm + mm/4 + 32<<20)
		} else {
			debug.SetMemoryLimit(math.MaxInt64)
		}
	case "maxmemory-policy":
		p := keyspace.Policy(cfg.Int("maxmemory-policy"))
		s.policy.Store(int32(p))
		s.ks.SetPolicy(p)
	case "maxmemory-samples":
		s.samples.Store(int32(cfg.Int("maxmemory-samples")))
	case "requirepass":
		p := cfg.Get("requirepass")
		s.pass.Store(&p)
	case "proto-max-bulk-len":
		s.protoMaxBulk.Store(cfg.Int("proto-max-bulk-len"))
	case "client-query-buffer-limit":
		s.queryBufLimit.Store(cfg.Int("client-query-buffer-limit"))
	case "notify-keyspace-events":
		s.notifyFlags.Store(int32(cfg.Int("notify-keyspace-events")))
	case "protected-mode":
		s.protectedMode.Store(cfg.Bool("protected-mode"))
	case "latency-tracking":
		s.latencyTracking.Store(cfg.Bool("latency-tracking"))
	case "slowlog-log-slower-than":
		s.slowlogThreshold.Store(cfg.Int("slowlog-log-slower-than"))
	case "lfu-log-factor", "lfu-decay-time":
		s.ks.SetLFUParams(int(cfg.Int("lfu-log-factor")), int(cfg.Int("lfu-decay-time")))
	}
	return nil
}

// applyRenames applies rename-command directives to the command table.
func (s *Server) applyRenames() error {
	for old, nw := range s.cfg.Renames {
		c, ok := s.cmds.byName[old]
		if !ok {
			s.logf(levelWarning, "Unknown command '%s' in rename-command", old)
			continue
		}
		delete(s.cmds.byName, old)
		if nw != "" {
			s.cmds.byName[strings.ToLower(nw)] = c
		}
	}
	return nil
}

// The reply a non-loopback client gets in protected mode.
const protectedModeMsg = "-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Set up an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n"

// protectedDenied reports whether a new connection from remote must be
// refused: protected mode on, no password, and not a loopback client.
func (s *Server) protectedDenied(remote net.Addr) bool {
	if !s.protectedMode.Load() || s.requirePass() != "" || remote == nil {
		return false
	}
	tcp, ok := remote.(*net.TCPAddr)
	if !ok {
		return false // unix socket
	}
	return !tcp.IP.IsLoopback()
}

// denyProtected replies the protected-mode refusal and closes.
func (c *Client) denyProtected() {
	c.addRawStr(protectedModeMsg)
	c.flags |= flagCloseAfterReply
}
