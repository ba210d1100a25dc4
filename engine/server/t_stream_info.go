package server

import (
	"github.com/redisctl/redisctl/engine/stream"
)

// XINFO STREAM [FULL], GROUPS and CONSUMERS.

func xinfoCommand() *Command {
	return &Command{Name: "xinfo", Arity: -2, Flags: "", ACL: "@slow",
		Group: "stream", Since: "5.0.0", Summary: "A container for stream introspection commands", Complexity: "Depends on subcommand.",
		Sub: []*Command{
			{Name: "consumers", Arity: 4, Flags: "readonly", ACL: "@read @stream @slow", Tips: []string{"nondeterministic_output"}, Keys: []KeySpec{{Flags: "RO access", Index: 2, KeyStep: 1}}, Handler: xinfoConsumersCommand,
				Group: "stream", Since: "5.0.0", Summary: "List the consumers in a consumer group", Complexity: "O(1)"},
			{Name: "stream", Arity: -3, Flags: "readonly", ACL: "@read @stream @slow", Keys: []KeySpec{{Flags: "RO access", Index: 2, KeyStep: 1}}, Handler: xinfoStreamCommand,
				Group: "stream", Since: "5.0.0", Summary: "Get information about a stream", Complexity: "O(1)"},
			{Name: "groups", Arity: 3, Flags: "readonly", ACL: "@read @stream @slow", Keys: []KeySpec{{Flags: "RO access", Index: 2, KeyStep: 1}}, Handler: xinfoGroupsCommand,
				Group: "stream", Since: "5.0.0", Summary: "List the consumer groups of a stream", Complexity: "O(1)"},
			{Name: "help", Arity: 2, Flags: "loading stale", ACL: "@stream @slow", Handler: xinfoHelpCommand,
				Group: "stream", Since: "5.0.0", Summary: "Show helpful text about the different subcommands", Complexity: "O(1)"},
		}}
}

func xinfoHelpCommand(c *Client) {
	c.addHelp(
		"CONSUMERS <key> <groupname>",
		"    Show consumers of <groupname>.",
		"GROUPS <key>",
		"    Show the stream consumer groups.",
		"STREAM <key> [FULL [COUNT <count>]",
		"    Show information about the stream.",
	)
}

// lookupInfoStream finds the stream at argv[2]: "no such key" when
// missing.
func (c *Client) lookupInfoStream() (*stream.Stream, bool) {
	s, _, ok := c.lookupStream(c.argv[2], 0)
	if ok && s == nil {
		c.addError(errNoSuchKey)
		return nil, false
	}
	return s, ok
}

func xinfoConsumersCommand(c *Client) {
	s, ok := c.lookupInfoStream()
	if !ok {
		return
	}
	g := s.Group(c.argv[3])
	if g == nil {
		c.addError("NOGROUP No such consumer group '" + string(c.argv[3]) + "' for key name '" + string(c.argv[2]) + "'")
		return
	}
	cs := g.Consumers()
	c.addArrayLen(len(cs))
	for _, cons := range cs {
		c.addMapLen(3)
		c.addBulkStr("name")
		c.addBulkStr(cons.Name)
		c.addBulkStr("pending")
		c.addInt(int64(cons.PendingCount()))
		c.addBulkStr("idle")
		c.addInt(max(c.now-cons.SeenTime, 0))
	}
}

func (c *Client) addGroupLag(s *stream.Stream, g *stream.Group) {
	if lag, ok := groupLag(s, g); ok {
		c.addInt(lag)
	} else {
		c.addNull()
	}
}

func (c *Client) addEntriesRead(g *stream.Group) {
	if g.EntriesRead != stream.InvalidEntriesRead {
		c.addInt(g.EntriesRead)
	} else {
		c.addNull()
	}
}

func xinfoGroupsCommand(c *Client) {
	s, ok := c.lookupInfoStream()
	if !ok {
		return
	}
	gs := s.Groups()
	c.addArrayLen(len(gs))
	for _, g := range gs {
		c.addMapLen(6)
		c.addBulkStr("name")
		c.addBulkStr(g.Name)
		c.addBulkStr("consumers")
		c.addInt(int64(g.NumConsumers()))
		c.addBulkStr("pending")
		c.addInt(int64(g.PendingCount()))
		c.addBulkStr("last-delivered-id")
		c.addStreamID(g.LastID)
		c.addBulkStr("entries-read")
		c.addEntriesRead(g)
		c.addBulkStr("lag")
		c.addGroupLag(s, g)
	}
}

func xinfoStreamCommand(c *Client) {
	s, ok := c.lookupInfoStream()
	if !ok {
		return
	}
	full := false
	count := int64(10)
	if n := len(c.argv) - 3; n > 0 {
		if (n != 1 && n != 3) || !argIs(c.argv[3], "full") {
			c.subcommandSyntaxError()
			return
		}
		full = true
		if n == 3 {
			if !argIs(c.argv[4], "count") {
				c.subcommandSyntaxError()
				return
			}
			v, ok := c.argInt(5)
			if !ok {
				return
			}
			if v < 0 {
				v = 10
			}
			count = v
		}
	}
	if full {
		c.addMapLen(9)
	} else {
		c.addMapLen(10)
	}
	c.addBulkStr("length")
	c.addInt(int64(s.Len()))
	c.addBulkStr("radix-tree-keys")
	c.addInt(int64(s.NumNodes()))
	c.addBulkStr("radix-tree-nodes")
	c.addInt(int64(s.RaxNodes()))
	c.addBulkStr("last-generated-id")
	c.addStreamID(s.LastID())
	c.addBulkStr("max-deleted-entry-id")
	c.addStreamID(s.MaxDeletedID())
	c.addBulkStr("entries-added")
	c.addInt(int64(s.EntriesAdded()))
	c.addBulkStr("recorded-first-entry-id")
	c.addStreamID(s.FirstID())
	if !full {
		c.addBulkStr("groups")
		c.addInt(int64(len(s.Groups())))
		c.addBulkStr("first-entry")
		c.addStreamEdge(s, false)
		c.addBulkStr("last-entry")
		c.addStreamEdge(s, true)
		return
	}
	c.addBulkStr("entries")
	c.addStreamRange(s, stream.ID{}, stream.MaxID, count, false)
	c.addBulkStr("groups")
	gs := s.Groups()
	c.addArrayLen(len(gs))
	for _, g := range gs {
		c.addMapLen(7)
		c.addBulkStr("name")
		c.addBulkStr(g.Name)
		c.addBulkStr("last-delivered-id")
		c.addStreamID(g.LastID)
		c.addBulkStr("entries-read")
		c.addEntriesRead(g)
		c.addBulkStr("lag")
		c.addGroupLag(s, g)
		c.addBulkStr("pel-count")
		c.addInt(int64(g.PendingCount()))
		c.addBulkStr("pending")
		c.addPending(count, g.AscendPending, func(nk *stream.NACK) {
			c.addArrayLen(4)
			c.addStreamID(nk.ID)
			c.addBulkStr(nk.Consumer.Name)
			c.addInt(nk.DeliveryTime)
			c.addInt(int64(nk.DeliveryCount))
		})
		c.addBulkStr("consumers")
		cs := g.Consumers()
		c.addArrayLen(len(cs))
		for _, cons := range cs {
			c.addMapLen(4)
			c.addBulkStr("name")
			c.addBulkStr(cons.Name)
			c.addBulkStr("seen-time")
			c.addInt(cons.SeenTime)
			c.addBulkStr("pel-count")
			c.addInt(int64(cons.PendingCount()))
			c.addBulkStr("pending")
			c.addPending(count, cons.AscendPending, func(nk *stream.NACK) {
				c.addArrayLen(3)
				c.addStreamID(nk.ID)
				c.addInt(nk.DeliveryTime)
				c.addInt(int64(nk.DeliveryCount))
			})
		}
	}
}

// addPending replies an array of the first count (0: all) entries of a
// pending entries list walked by ascend (a group's or a consumer's), each
// written by add.
func (c *Client) addPending(count int64, ascend func(stream.ID, func(*stream.NACK) bool), add func(*stream.NACK)) {
	pos := c.deferLen()
	var n int64
	ascend(stream.ID{}, func(nk *stream.NACK) bool {
		if count != 0 && n >= count {
			return false
		}
		add(nk)
		n++
		return true
	})
	c.setDeferredArrayLen(pos, int(n))
}

// addStreamEdge writes the first or last entry, or a null.
func (c *Client) addStreamEdge(s *stream.Stream, last bool) {
	var it stream.Iter
	it.Reset(s, stream.ID{}, stream.MaxID, last)
	if it.Next() {
		c.addStreamEntry(&it)
		return
	}
	c.addNull()
}
