package server

import "time"

// clientsCron closes clients idle for longer than timeout.
func (s *Server) clientsCron(now time.Time) {
	timeout := s.cfg.Int("timeout")
	if timeout <= 0 {
		return
	}
	limit := now.UnixMilli() - timeout*1000
	for _, c := range s.clientList() {
		if c.lastSeen.Load() < limit && c.subCount.Load() == 0 && c.blocked.Load() == nil && !c.monitorView.Load() {
			s.logf(levelVerbose, "Closing idle client")
			c.kill()
		}
	}
}
