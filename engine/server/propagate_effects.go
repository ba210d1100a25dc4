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
