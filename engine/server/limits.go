package server

import "time"

// admitClient enforces maxclients for a new connection.
func (s *Server) admitClient() bool {
	if int64(s.numClients()) >= s.cfg.Int("maxclients") {
		s.stats.rejected.Add(1)
		return false
	}
	return true
}

// outputLimitExceeded applies client-output-buffer-limit to a client with
// pending bytes of unsent output: over the hard limit, or over the soft
// limit for longer than its seconds, the client must be closed.
func (c *Client) outputLimitExceeded(pending int) bool {
	normal, _, pubsub := c.srv.cfg.OutputLimits()
	lim := normal
	if c.subCount.Load() > 0 {
		lim = pubsub
	}
	p := int64(pending)
	if lim.Hard > 0 && p >= lim.Hard {
		c.srv.logf(levelWarning, "Client %s scheduled to be closed ASAP for overcoming of output buffer limits.", c.describe())
		return true
	}
	if lim.Soft > 0 && p >= lim.Soft {
		now := time.Now()
		if c.softLimitSince.IsZero() {
			c.softLimitSince = now
			return false
		}
		if now.Sub(c.softLimitSince) > time.Duration(lim.SoftSeconds)*time.Second {
			c.srv.logf(levelWarning, "Client %s scheduled to be closed ASAP for overcoming of output buffer limits.", c.describe())
			return true
		}
		return false
	}
	c.softLimitSince = time.Time{}
	return false
}
