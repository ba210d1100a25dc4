package server

import (
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redisctl/redisctl/engine/config"
)

// MONITOR: every executed command (except admin ones) is streamed to the
// monitoring clients as Redis formats it.

type monitors struct {
	mu      sync.Mutex
	clients []*Client
	n       atomic.Int32
}

func monitorCommand(c *Client) {
	if c.flags&flagMonitor != 0 {
		c.addOK()
		return
	}
	c.flags |= flagMonitor
	c.monitorView.Store(true)
	m := &c.srv.monitors
	m.mu.Lock()
	m.clients = append(m.clients, c)
	m.n.Store(int32(len(m.clients)))
	m.mu.Unlock()
	c.addOK()
}

func (s *Server) removeMonitor(c *Client) {
	m := &s.monitors
	m.mu.Lock()
	for i, o := range m.clients {
		if o == c {
			m.clients = append(m.clients[:i], m.clients[i+1:]...)
			break
		}
	}
	m.n.Store(int32(len(m.clients)))
	m.mu.Unlock()
}

// feedMonitors sends c's command to the monitors.
func (s *Server) feedMonitors(c *Client, cmd *Command) {
	if s.monitors.n.Load() == 0 || cmd.flags&(FlagSkipMonitor|FlagAdmin) != 0 {
		return
	}
	now := time.Now()
	line := make([]byte, 0, 64)
	line = append(line, '+')
	line = strconv.AppendInt(line, now.Unix(), 10)
	line = append(line, '.')
	us := strconv.Itoa(now.Nanosecond() / 1000)
	for i := len(us); i < 6; i++ {
		line = append(line, '0')
	}
	line = append(line, us...)
	line = append(line, " ["...)
	line = strconv.AppendInt(line, int64(c.db.ID()), 10)
	line = append(line, ' ')
	if c.conn == nil {
		line = append(line, "lua"...)
	} else {
		line = append(line, c.addr...)
	}
	line = append(line, "] "...)
	redact := cmd.Name == "auth" || cmd.Name == "hello"
	for i, a := range c.argv {
		if i > 0 {
			line = append(line, ' ')
		}
		if redact && i > 0 && (cmd.Name == "auth" || i >= 2) {
			line = append(line, "\"(redacted)\""...)
			continue
		}
		line = append(line, config.Quote(string(a))...)
	}
	line = append(line, "\r\n"...)
	s.monitors.mu.Lock()
	targets := append([]*Client(nil), s.monitors.clients...)
	s.monitors.mu.Unlock()
	for _, m := range targets {
		if m == c {
			// A monitor sees its own commands too, after their replies.
			c.out = append(c.out, line...)
			continue
		}
		m.pushAsync(line)
	}
}
