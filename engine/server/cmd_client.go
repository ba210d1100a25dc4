package server

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/redisctl/redisctl/engine/resp"
)

// CLIENT and its subcommands.

func clientCommand() *Command {
	base := "noscript loading stale"
	admin := "admin noscript loading stale"
	acl := "@slow @connection"
	aacl := "@admin @slow @dangerous @connection"
	return &Command{Name: "client", Arity: -2, ACL: "@slow", Group: "connection", Since: "2.4.0",
		Summary: "A container for client connection commands", Complexity: "Depends on subcommand.",
		Sub: append([]*Command{
			{Name: "id", Arity: 2, Flags: base, ACL: acl, Handler: func(c *Client) { c.addInt(c.id) },
				Group: "connection", Since: "5.0.0", Summary: "Returns the client ID for the current connection", Complexity: "O(1)"},
			{Name: "getname", Arity: 2, Flags: base, ACL: acl, Handler: clientGetNameCommand,
				Group: "connection", Since: "2.6.9", Summary: "Get the current connection name", Complexity: "O(1)"},
			{Name: "setname", Arity: 3, Flags: base, ACL: acl, Handler: clientSetNameCommand,
				Group: "connection", Since: "2.6.9", Summary: "Set the current connection name", Complexity: "O(1)"},
			{Name: "list", Arity: -2, Flags: admin, ACL: aacl, Tips: []string{"nondeterministic_output"}, Handler: clientListCommand,
				Group: "connection", Since: "2.4.0", Summary: "Get the list of client connections", Complexity: "O(N) where N is the number of client connections"},
			{Name: "info", Arity: 2, Flags: base, ACL: acl, Tips: []string{"nondeterministic_output"},
				Handler: func(c *Client) { c.addVerbatim([]byte(c.infoLine() + "\n")) },
				Group:   "connection", Since: "6.2.0", Summary: "Returns information about the current client connection.", Complexity: "O(1)"},
			{Name: "kill", Arity: -3, Flags: admin, ACL: aacl, Handler: clientKillCommand,
				Group: "connection", Since: "2.4.0", Summary: "Kill the connection of a client", Complexity: "O(N) where N is the number of client connections"},
			{Name: "reply", Arity: 3, Flags: base, ACL: acl, Handler: clientReplyCommand,
				Group: "connection", Since: "3.2.0", Summary: "Instruct the server whether to reply to commands", Complexity: "O(1)"},
			{Name: "no-evict", Arity: 3, Flags: admin, ACL: aacl, Handler: clientNoEvictCommand,
				Group: "connection", Since: "7.0.0", Summary: "Set client eviction mode for the current connection", Complexity: "O(1)"},
			{Name: "help", Arity: 2, Flags: "loading stale", ACL: acl, Handler: clientHelpCommand,
				Group: "connection", Since: "5.0.0", Summary: "Show helpful text about the different subcommands", Complexity: "O(1)"},
		}, clientPauseCommands()...)}
}

func clientGetNameCommand(c *Client) {
	if n := c.name.Load(); n != nil && *n != "" {
		c.addBulkStr(*n)
		return
	}
	c.addNull()
}

func clientSetNameCommand(c *Client) {
	if c.setName(c.argv[2]) {
		c.addOK()
	}
}

// setName validates and sets the connection name, replying the error.
func (c *Client) setName(name []byte) bool {
	for _, ch := range name {
		if ch < '!' || ch > '~' {
			c.addError("ERR Client names cannot contain spaces, newlines or special characters.")
			return false
		}
	}
	n := string(name)
	c.name.Store(&n)
	return true
}

func clientListCommand(c *Client) {
	var typ string
	var ids map[int64]bool
	for i := 2; i < len(c.argv); i++ {
		switch {
		case argIs(c.argv[i], "type") && i+1 < len(c.argv):
			typ = strings.ToLower(string(c.argv[i+1]))
			switch typ {
			case "normal", "pubsub", "master", "replica", "slave":
			default:
				c.addError("ERR Unknown client type '" + sanitize(c.argv[i+1]) + "'")
				return
			}
			i++
		case argIs(c.argv[i], "id") && i+1 < len(c.argv):
			ids = map[int64]bool{}
			for i++; i < len(c.argv); i++ {
				id, ok := resp.ParseInt(c.argv[i])
				if !ok { // any integer, as Redis; ids below 1 match nothing
					c.addError("ERR Invalid client ID")
					return
				}
				ids[id] = true
			}
		default:
			c.addError(errSyntax)
			return
		}
	}
	var b strings.Builder
	for _, o := range c.srv.clientList() {
		if ids != nil && !ids[o.id] {
			continue
		}
		if typ != "" && o.clientType() != typ {
			continue
		}
		b.WriteString(o.infoLine())
		b.WriteByte('\n')
	}
	c.addVerbatim([]byte(b.String()))
}

func (c *Client) clientType() string {
	if c.subCount.Load() > 0 {
		return "pubsub"
	}
	return "normal"
}

// infoLine is the client's CLIENT LIST / CLIENT INFO line. It may be called
// from another client's goroutine, so it reads only atomic fields.
func (c *Client) infoLine() string {
	now := time.Now()
	name := ""
	if n := c.name.Load(); n != nil {
		name = *n
	}
	cmd := "NULL"
	if lc := c.lastCmd.Load(); lc != nil {
		cmd = lc.fullName
	}
	// The letters Redis shows, in its order.
	flags := ""
	for _, f := range []struct {
		on     bool
		letter string
	}{
		{c.monitorView.Load(), "O"}, {c.subCount.Load() > 0, "P"}, {c.multiCount.Load() >= 0, "x"},
		{c.blocked.Load() != nil, "b"}, {c.casDirty.Load(), "d"}, {c.noEvictView.Load(), "e"},
	} {
		if f.on {
			flags += f.letter
		}
	}
	if flags == "" {
		flags = "N"
	}
	idle := (now.UnixMilli() - c.lastSeen.Load()) / 1000
	qbuf := c.inLen.Load()
	obl := c.outLen.Load()
	return fmt.Sprintf("id=%d addr=%s laddr=%s fd=%d name=%s age=%d idle=%d flags=%s db=%d sub=%d psub=%d ssub=%d multi=%d qbuf=%d qbuf-free=%d argv-mem=%d multi-mem=0 rbs=%d rbp=%d obl=%d oll=0 omem=0 tot-mem=%d events=r cmd=%s user=default redir=-1 resp=%d",
		c.id, c.addr, c.laddr, c.fd, name, int64(now.Sub(c.created).Seconds()), max(idle, 0), flags,
		c.dbIndex.Load(), c.chanCount.Load(), c.patCount.Load(), c.shardCount.Load(), c.multiCount.Load(),
		qbuf, max(0, 16384-qbuf), 0, 16384, 0, obl, 16384+qbuf+obl, cmd, c.protoView.Load())
}

func sortClients(cs []*Client) { sort.Slice(cs, func(i, j int) bool { return cs[i].id < cs[j].id }) }

func clientKillCommand(c *Client) {
	if len(c.argv) == 3 {
		// Old form: CLIENT KILL addr:port.
		addr := string(c.argv[2])
		for _, o := range c.srv.clientList() {
			if o.addr == addr {
				c.killClient(o)
				c.addOK()
				return
			}
		}
		c.addError("ERR No such client")
		return
	}
	if len(c.argv)%2 != 0 {
		c.addError(errSyntax)
		return
	}
	var id int64
	var addr, laddr, typ string
	skipMe := true
	for i := 2; i+1 < len(c.argv); i += 2 {
		opt, val := c.argv[i], string(c.argv[i+1])
		switch {
		case argIs(opt, "id"):
			n, ok := resp.ParseInt(c.argv[i+1])
			if !ok || n <= 0 {
				c.addError("ERR client-id should be greater than 0")
				return
			}
			id = n
		case argIs(opt, "addr"):
			addr = val
		case argIs(opt, "laddr"):
			laddr = val
		case argIs(opt, "type"):
			typ = strings.ToLower(val)
			switch typ {
			case "normal", "pubsub", "master", "replica", "slave":
			default:
				c.addError("ERR Unknown client type '" + val + "'")
				return
			}
		case argIs(opt, "user"):
			if val != "default" { // the only user without ACLs
				c.addError("ERR No such user '" + val + "'")
				return
			}
		case argIs(opt, "skipme"):
			switch {
			case argIs(c.argv[i+1], "yes"):
				skipMe = true
			case argIs(c.argv[i+1], "no"):
				skipMe = false
			default:
				c.addError(errSyntax)
				return
			}
		default:
			c.addError(errSyntax)
			return
		}
	}
	killed := int64(0)
	for _, o := range c.srv.clientList() {
		if (id != 0 && o.id != id) || (addr != "" && o.addr != addr) || (laddr != "" && o.laddr != laddr) ||
			(typ != "" && o.clientType() != typ) || (skipMe && o == c) {
			continue
		}
		c.killClient(o)
		killed++
	}
	c.addInt(killed)
}

// killClient closes o: at once when it is another client, after this
// reply when it is the caller.
func (c *Client) killClient(o *Client) {
	if o == c {
		c.flags |= flagCloseAfterReply
		return
	}
	o.kill()
}

func clientReplyCommand(c *Client) {
	switch {
	case argIs(c.argv[2], "on"):
		c.flags &^= flagReplyOff | flagReplySkip | flagReplySkipNext // ON after SKIP is answered
		c.addOK()
	case argIs(c.argv[2], "off"):
		c.flags |= flagReplyOff
	case argIs(c.argv[2], "skip"):
		if c.flags&flagReplyOff == 0 {
			c.flags |= flagReplySkipNext
		}
	default:
		c.addError(errSyntax)
	}
}

func clientNoEvictCommand(c *Client) {
	switch {
	case argIs(c.argv[2], "on"):
		c.flags |= flagNoEvict
		c.noEvictView.Store(true)
	case argIs(c.argv[2], "off"):
		c.flags &^= flagNoEvict
		c.noEvictView.Store(false)
	default:
		c.addError(errSyntax)
		return
	}
	c.addOK()
}

func clientHelpCommand(c *Client) {
	c.addHelp(
		"CACHING (YES|NO)",
		"    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
		"GETREDIR",
		"    Return the client ID we are redirecting to when tracking is enabled.",
		"GETNAME",
		"    Return the name of the current connection.",
		"ID",
		"    Return the ID of the current connection.",
		"INFO",
		"    Return information about the current client connection.",
		"KILL <ip:port>",
		"    Kill connection made from <ip:port>.",
		"KILL <option> <value> [<option> <value> [...]]",
		"    Kill connections. Options are:",
		"    * ADDR (<ip:port>|<unixsocket>:0)",
		"      Kill connections made from the specified address",
		"    * LADDR (<ip:port>|<unixsocket>:0)",
		"      Kill connections made to specified local address",
		"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
		"      Kill connections by type.",
		"    * USER <username>",
		"      Kill connections authenticated by <username>.",
		"    * SKIPME (YES|NO)",
		"      Skip killing current connection (default: yes).",
		"LIST [options ...]",
		"    Return information about client connections. Options:",
		"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
		"      Return clients of specified type.",
		"UNPAUSE",
		"    Stop the current client pause, resuming traffic.",
		"PAUSE <timeout> [WRITE|ALL]",
		"    Suspend all, or just write, clients for <timeout> milliseconds.",
		"REPLY (ON|OFF|SKIP)",
		"    Control the replies sent to the current connection.",
		"SETNAME <name>",
		"    Assign the name <name> to the current connection.",
		"UNBLOCK <clientid> [TIMEOUT|ERROR]",
		"    Unblock the specified blocked client.",
		"TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
		"         [OPTIN] [OPTOUT] [NOLOOP]",
		"    Control server assisted client side caching.",
		"TRACKINGINFO",
		"    Report tracking status for the current connection.",
		"NO-EVICT (ON|OFF)",
		"    Protect current client connection from eviction.",
	)
}
