package server

// Commands whose effects are not their own argv (XREADGROUP delivers as
// XCLAIMs, XCLAIM as normalized XCLAIMs...) propagate those effects with
// alsoPropagate and suppress their own propagation.

// propOp is one command to propagate, in its database.
type propOp struct {
	db   int
	argv [][]byte
}

// alsoPropagate records argv as an effect of the current command, in c's
// database. The effects go out when the command ends, with the command's
// own argv (unless preventPropagation) after them: one alone, several
// wrapped in MULTI/EXEC (propagateOps). Inside a script or a transaction
// they go to its collector, which wraps everything once.
func (c *Client) alsoPropagate(argv [][]byte) {
	if c.propHook != nil {
		c.propHook(c.db.ID(), argv)
		return
	}
	c.alsoProp = append(c.alsoProp, propOp{c.db.ID(), argv})
}

var (
	propMulti = [][]byte{[]byte("MULTI")}
	propExec  = [][]byte{[]byte("EXEC")}
)

// propagateOps hands what one command, script or transaction changed to
// the propagators: a single command alone, several wrapped in MULTI/EXEC
// (MULTI in the first one's database, EXEC in the last one's), as Redis
// 7.0's propagatePendingCommands does.
func (s *Server) propagateOps(ops []propOp) {
	if len(ops) > 1 {
		s.propagateArgv(ops[0].db, propMulti...)
	}
	for _, op := range ops {
		s.propagateArgv(op.db, op.argv...)
	}
	if len(ops) > 1 {
		s.propagateArgv(ops[len(ops)-1].db, propExec...)
	}
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
