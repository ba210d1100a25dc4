package server

// Commands whose effects are not their own argv (XREADGROUP delivers as
// XCLAIMs, XCLAIM as normalized XCLAIMs...) propagate those effects with
// alsoPropagate and suppress their own propagation.

// alsoPropagate sends argv to the propagators (AOF, replicas) as an
// effect of the current command, in c's database.
func (c *Client) alsoPropagate(argv [][]byte) {
	if c.propHook != nil {
		c.propHook(c.db.ID(), argv)
		return
	}
	c.srv.propagateArgv(c.db.ID(), argv...)
}

// preventPropagation keeps the current command itself from being
// propagated (its effects were, with alsoPropagate).
func (c *Client) preventPropagation() { c.propArgv = [][]byte{} }

// propagationIdle is implemented by propagators that can tell they would
// drop what they are given right now (persistence with the AOF off).
type propagationIdle interface{ Idle() bool }

// Idle reports whether the AOF is off, so that writes need not be handed
// over.
func (p *persistence) Idle() bool { return p.aofLog.Load() == nil }

// effectsWanted reports whether any propagator would record writes now: a
// script only collects its effects then.
func (s *Server) effectsWanted() bool {
	for _, p := range s.propagators {
		if i, ok := p.(propagationIdle); !ok || !i.Idle() {
			return true
		}
	}
	return false
}
