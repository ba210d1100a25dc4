package server

import (
	"github.com/redisctl/redisctl/engine/config"
	"github.com/redisctl/redisctl/engine/resp"
)

// Connection commands: PING, ECHO, SELECT, AUTH, HELLO, QUIT, RESET.

func connectionCommands() []*Command {
	return []*Command{
		{Name: "ping", Arity: -1, Flags: "fast", ACL: "@fast @connection", Tips: []string{"request_policy:all_shards", "response_policy:all_succeeded"},
			Handler: pingCommand, Group: "connection", Since: "1.0.0", Summary: "Ping the server", Complexity: "O(1)"},
		{Name: "echo", Arity: 2, Flags: "loading stale fast", ACL: "@fast @connection", Handler: func(c *Client) { c.addBulk(c.argv[1]) },
			Group: "connection", Since: "1.0.0", Summary: "Echo the given string", Complexity: "O(1)"},
		{Name: "select", Arity: 2, Flags: "loading stale fast", ACL: "@fast @connection", Handler: selectCommand,
			Group: "connection", Since: "1.0.0", Summary: "Change the selected database for the current connection", Complexity: "O(1)"},
		{Name: "auth", Arity: -2, Flags: "noscript loading stale fast no_auth allow_busy", ACL: "@fast @connection", Handler: authCommand,
			Group: "connection", Since: "1.0.0", Summary: "Authenticate to the server", Complexity: "O(N) where N is the number of passwords defined for the user"},
		{Name: "hello", Arity: -1, Flags: "noscript loading stale fast no_auth allow_busy", ACL: "@fast @connection", Handler: helloCommand,
			Group: "connection", Since: "6.0.0", Summary: "Handshake with Redis", Complexity: "O(1)"},
		{Name: "quit", Arity: -1, Flags: "noscript loading stale fast no_auth allow_busy", ACL: "@fast @connection", Handler: quitCommand,
			Group: "connection", Since: "1.0.0", Summary: "Close the connection", Complexity: "O(1)"},
		{Name: "reset", Arity: 1, Flags: "noscript loading stale fast no_auth allow_busy", ACL: "@fast @connection", Handler: resetCommand,
			Group: "connection", Since: "6.2.0", Summary: "Reset the connection", Complexity: "O(1)"},
	}
}

func pingCommand(c *Client) {
	if len(c.argv) > 2 {
		c.addErrorArity()
		return
	}
	if c.flags&flagPubSub != 0 && c.proto == resp.RESP2 {
		c.addArrayLen(2)
		c.addBulkStr("pong")
		if len(c.argv) == 2 {
			c.addBulk(c.argv[1])
		} else {
			c.addBulkStr("")
		}
		return
	}
	if len(c.argv) == 1 {
		c.addRawStr("+PONG\r\n")
		return
	}
	c.addBulk(c.argv[1])
}

func selectCommand(c *Client) {
	id, ok := c.argInt32(1)
	if !ok {
		return
	}
	if id < 0 || id >= int64(c.srv.ks.NumDBs()) {
		c.addError(errDBIndex)
		return
	}
	c.selectDB(int(id))
	c.addOK()
}

func (c *Client) selectDB(id int) {
	c.db = c.srv.ks.DB(id)
	c.dbIndex.Store(int32(id))
}

func authCommand(c *Client) {
	if len(c.argv) > 3 {
		c.addError(errSyntax)
		return
	}
	user, pass := "default", c.argv[1]
	if len(c.argv) == 2 {
		if c.srv.requirePass() == "" {
			c.addError("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?")
			return
		}
	} else {
		user, pass = string(c.argv[1]), c.argv[2]
	}
	if !c.srv.checkCredentials(user, pass) {
		c.srv.logf(levelVerbose, "Authentication failed for client %s", c.addr)
		c.addError(errWrongPass)
		return
	}
	c.authed = true
	c.addOK()
}

// checkCredentials checks a user/password pair. The engine has one user,
// "default", whose password is requirepass (none means any password).
func (s *Server) checkCredentials(user string, pass []byte) bool {
	if user != "default" {
		return false
	}
	want := s.requirePass()
	return want == "" || want == string(pass)
}

func helloCommand(c *Client) {
	ver := int64(0)
	next := 1
	if len(c.argv) >= 2 {
		v, ok := resp.ParseInt(c.argv[1])
		if !ok {
			c.addError("ERR Protocol version is not an integer or out of range")
			return
		}
		if v < 2 || v > 3 {
			c.addError("NOPROTO unsupported protocol version")
			return
		}
		ver = v
		next = 2
	}
	// Redis 7.0 applies AUTH and SETNAME as it reads them, so an option
	// that fails leaves the earlier ones in effect.
	for j := next; j < len(c.argv); j++ {
		more := len(c.argv) - 1 - j
		switch {
		case argIs(c.argv[j], "auth") && more >= 2:
			if !c.srv.checkCredentials(string(c.argv[j+1]), c.argv[j+2]) {
				c.addError(errWrongPass)
				return
			}
			c.authed = true
			j += 2
		case argIs(c.argv[j], "setname") && more >= 1:
			if !c.setName(c.argv[j+1]) {
				return
			}
			j++
		default:
			c.addError("ERR Syntax error in HELLO option '" + sanitize(c.argv[j]) + "'")
			return
		}
	}
	if !c.authed && c.srv.requirePass() != "" {
		c.addError("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time")
		return
	}
	if ver != 0 {
		c.proto = int(ver)
		c.protoView.Store(int32(ver))
	}
	c.addMapLen(7)
	c.addBulkStr("server")
	c.addBulkStr("redis")
	c.addBulkStr("version")
	c.addBulkStr(config.RedisVersion)
	c.addBulkStr("proto")
	c.addInt(int64(c.proto))
	c.addBulkStr("id")
	c.addInt(c.id)
	c.addBulkStr("mode")
	c.addBulkStr("standalone")
	c.addBulkStr("role")
	if c.srv.isReplica() {
		c.addBulkStr("replica")
	} else {
		c.addBulkStr("master")
	}
	c.addBulkStr("modules")
	c.addArrayLen(0)
}

func quitCommand(c *Client) {
	c.addOK()
	c.flags |= flagCloseAfterReply
}

// resetCommand returns the connection to its initial state (RESET).
func resetCommand(c *Client) {
	if c.flags&flagMulti != 0 {
		c.discardTransaction()
	}
	c.unwatchAll()
	c.unsubscribeAll()
	c.flags &^= flagMonitor | flagReplyOff | flagReplySkip | flagReplySkipNext | flagNoEvict | flagPubSub
	c.noEvictView.Store(false)
	c.monitorView.Store(false)
	c.srv.removeMonitor(c)
	c.selectDB(0)
	c.proto = resp.RESP2
	c.protoView.Store(resp.RESP2)
	empty := ""
	c.name.Store(&empty)
	c.authed = c.srv.requirePass() == ""
	c.addSimple("RESET")
}

// isReplica reports whether the server replicates from a primary.
func (s *Server) isReplica() bool { return false }
