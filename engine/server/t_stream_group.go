package server

import (
	"math"
	"strings"
	"time"

	"github.com/redisctl/redisctl/engine/config"
	"github.com/redisctl/redisctl/engine/keyspace"
	"github.com/redisctl/redisctl/engine/resp"
	"github.com/redisctl/redisctl/engine/stream"
)

// XREAD, XREADGROUP and the consumer group commands.

func xgroupCommand() *Command {
	return &Command{Name: "xgroup", Arity: -2, Flags: "", ACL: "@slow",
		Group: "stream", Since: "5.0.0", Summary: "A container for consumer groups commands", Complexity: "Depends on subcommand.",
		Sub: []*Command{
			{Name: "create", Arity: -5, Flags: "write denyoom", ACL: "@write @stream @slow", Keys: []KeySpec{{Flags: "RW insert", Index: 2, KeyStep: 1}}, Handler: xgroupCreateCommand,
				Group: "stream", Since: "5.0.0", Summary: "Create a consumer group.", Complexity: "O(1)"},
			{Name: "delconsumer", Arity: 5, Flags: "write", ACL: "@write @stream @slow", Keys: []KeySpec{{Flags: "RW delete", Index: 2, KeyStep: 1}}, Handler: xgroupDelconsumerCommand,
				Group: "stream", Since: "5.0.0", Summary: "Delete a consumer from a consumer group.", Complexity: "O(1)"},
			{Name: "destroy", Arity: 4, Flags: "write", ACL: "@write @stream @slow", Keys: []KeySpec{{Flags: "RW delete", Index: 2, KeyStep: 1}}, Handler: xgroupDestroyCommand,
				Group: "stream", Since: "5.0.0", Summary: "Destroy a consumer group.", Complexity: "O(N) where N is the number of entries in the group's pending entries list (PEL)."},
			{Name: "createconsumer", Arity: 5, Flags: "write denyoom", ACL: "@write @stream @slow", Keys: []KeySpec{{Flags: "RW insert", Index: 2, KeyStep: 1}}, Handler: xgroupCreateconsumerCommand,
				Group: "stream", Since: "6.2.0", Summary: "Create a consumer in a consumer group.", Complexity: "O(1)"},
			{Name: "setid", Arity: -5, Flags: "write", ACL: "@write @stream @slow", Keys: []KeySpec{{Flags: "RW update", Index: 2, KeyStep: 1}}, Handler: xgroupSetidCommand,
				Group: "stream", Since: "5.0.0", Summary: "Set a consumer group to an arbitrary last delivered ID value.", Complexity: "O(1)"},
			{Name: "help", Arity: 2, Flags: "loading stale", ACL: "@stream @slow", Handler: xgroupHelpCommand,
				Group: "stream", Since: "5.0.0", Summary: "Show helpful text about the different subcommands", Complexity: "O(1)"},
		}}
}

// xreadDefaultBlockedCount caps a blocked XREAD without COUNT.
const xreadDefaultBlockedCount = 1000

func xreadCommand(c *Client)      { xreadGeneric(c, false) }
func xreadgroupCommand(c *Client) { xreadGeneric(c, true) }

// xreadGeneric is XREAD and XREADGROUP: serve what is available now, or
// block (BLOCK) until a stream gets entries past the requested IDs.
func xreadGeneric(c *Client, xreadgroup bool) {
	timeout := time.Duration(-1)
	var count int64
	streamsArg, nstreams := 0, 0
	noack := false
	var groupName, consumerName []byte
	argc := len(c.argv)
	for i := 1; i < argc; i++ {
		more := argc - i - 1
		o := c.argv[i]
		switch {
		case argIs(o, "block") && more > 0:
			if c.inScript() {
				c.addError("ERR " + string(c.argv[0]) + " command is not allowed with BLOCK option from scripts")
				return
			}
			i++
			t, ok := c.parseBlockTimeout(c.argv[i])
			if !ok {
				return
			}
			timeout = t
		case argIs(o, "count") && more > 0:
			i++
			n, ok := c.argInt(i)
			if !ok {
				return
			}
			count = max(n, 0)
		case argIs(o, "streams") && more > 0:
			streamsArg = i + 1
			nstreams = argc - streamsArg
			if nstreams%2 != 0 {
				c.addError("ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.")
				return
			}
			nstreams /= 2
			i = argc
		case argIs(o, "group") && more >= 2:
			if !xreadgroup {
				c.addError("ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.")
				return
			}
			groupName, consumerName = c.argv[i+1], c.argv[i+2]
			i += 2
		case argIs(o, "noack"):
			if !xreadgroup {
				c.addError("ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.")
				return
			}
			noack = true
		default:
			c.addError(errSyntax)
			return
		}
	}
	if streamsArg == 0 {
		c.addError(errSyntax)
		return
	}
	if xreadgroup && groupName == nil {
		c.addError("ERR Missing GROUP option for XREADGROUP")
		return
	}
	keys := c.argv[streamsArg : streamsArg+nstreams]
	idArgs := c.argv[streamsArg+nstreams:]
	ids := make([]stream.ID, nstreams)
	groups := make([]*stream.Group, nstreams)
	var gone []bool // keys that are no stream any more, for a blocked read run again
	for i, key := range keys {
		if c.retrying && !c.isStream(key) {
			// As Redis: a group read blocked on a stream that was
			// deleted (or replaced) fails; XREAD keeps waiting.
			if xreadgroup && !c.notServing(key) {
				c.addError("UNBLOCKED the stream key no longer exists")
				return
			}
			if gone == nil {
				gone = make([]bool, nstreams)
			}
			gone[i] = true
			continue
		}
		s, _, ok := c.lookupStream(key, 0)
		if !ok {
			return
		}
		if groupName != nil {
			if s != nil {
				groups[i] = s.Group(groupName)
			}
			if groups[i] == nil && c.retrying && s != nil && !c.notServing(key) {
				c.addError("NOGROUP the consumer group this client was blocked on no longer exists")
				return
			}
			if groups[i] == nil {
				c.addError("NOGROUP No such key '" + string(key) + "' or consumer group '" + string(groupName) + "' in XREADGROUP with GROUP option")
				return
			}
		}
		arg := idArgs[i]
		switch {
		case len(arg) == 1 && arg[0] == '$':
			if xreadgroup {
				c.addError("ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.")
				return
			}
			if s != nil {
				ids[i] = s.LastID()
			}
		case len(arg) == 1 && arg[0] == '>':
			if !xreadgroup {
				c.addError("ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.")
				return
			}
			ids[i] = stream.MaxID
		default:
			id, ok := c.parseStreamID(arg, 0, true)
			if !ok {
				return
			}
			ids[i] = id
		}
	}

	pos := c.deferLen()
	served := 0
	for i, key := range keys {
		if gone != nil && gone[i] {
			continue
		}
		s, e, _ := c.lookupStream(key, keyspace.NoTouch|keyspace.NoStats)
		if s == nil || c.notServing(key) {
			continue
		}
		gt := ids[i]
		serve, history := false, false
		if g := groups[i]; g != nil {
			if gt != stream.MaxID {
				serve, history = true, true
			} else if s.Len() > 0 {
				if maxID, _ := s.EdgeID(true); g.LastID.Less(maxID) {
					serve = true
					gt = g.LastID
				}
			}
		} else if s.Len() > 0 {
			if maxID, _ := s.EdgeID(true); gt.Less(maxID) {
				serve = true
			}
		}
		if !serve {
			continue
		}
		served++
		start, _ := gt.Incr()
		if c.proto == 2 {
			c.addArrayLen(2)
		}
		c.addBulk(key)
		if groups[i] != nil {
			c.db.Mutate(e)
			consumer := c.groupReader(key, groupName, groups[i], consumerName, noack)
			c.serveGroupRead(s, key, groupName, groups[i], consumer, start, count, noack, history)
			c.db.Changed(e)
			c.dirty++
		} else {
			c.addStreamRange(s, start, stream.MaxID, count, false)
		}
	}
	if served > 0 {
		if c.proto == 2 {
			c.setDeferredArrayLen(pos, served)
		} else {
			c.setDeferredMapLen(pos, served)
		}
		c.preventPropagation()
		return
	}
	c.preventPropagation()
	if timeout < 0 || !c.mayBlock() {
		c.addNullArray()
		return
	}
	if !c.retrying {
		// Block with the IDs resolved ("$" becomes the last ID now) so
		// that the command, run again when a key is ready, serves only
		// what arrived since; without COUNT, at most 1000 entries.
		argv := make([][]byte, len(c.argv))
		copy(argv, c.argv)
		for i := range keys {
			if len(idArgs[i]) == 1 && idArgs[i][0] == '$' {
				argv[streamsArg+nstreams+i] = streamIDArg(ids[i])
			}
		}
		if count == 0 {
			argv = withStreamCount(argv, streamsArg, xreadDefaultBlockedCount)
		}
		c.argv = argv
	}
	c.blockOnKeys(keys, timeout, (*Client).addNullArray)
}

// groupReader returns the consumer an XREADGROUP serves, creating it.
// As in Redis 7.0, a read that serves nothing (and so may block) neither
// creates the consumer nor refreshes its seen time. A consumer a NOACK
// read creates is propagated as XGROUP CREATECONSUMER (no XCLAIM will
// create it on replay).
func (c *Client) groupReader(key, groupName []byte, g *stream.Group, name []byte, noack bool) *stream.Consumer {
	consumer, created := g.CreateConsumer(name, c.now)
	if created {
		c.notify(config.NotifyStream, "xgroup-createconsumer", key)
		c.dirty++
		if noack && c.srv.effectsWanted() {
			c.alsoPropagate([][]byte{[]byte("XGROUP"), []byte("CREATECONSUMER"), key, groupName, name})
		}
	}
	consumer.SeenTime = c.now
	return consumer
}

// withStreamCount inserts COUNT n before the STREAMS keyword.
func withStreamCount(argv [][]byte, streamsArg int, n int64) [][]byte {
	out := make([][]byte, 0, len(argv)+2)
	out = append(out, argv[:streamsArg-1]...)
	out = append(out, []byte("COUNT"), []byte(itoa(n)))
	return append(out, argv[streamsArg-1:]...)
}

// serveGroupRead replies the entries a consumer group read delivers: the
// consumer's pending history (history) or new entries from start, which
// become pending unless noack. Its effects are propagated as XCLAIMs and
// XGROUP SETID, as Redis does.
func (c *Client) serveGroupRead(s *stream.Stream, key, groupName []byte, g *stream.Group, consumer *stream.Consumer, start stream.ID, count int64, noack, history bool) {
	if history {
		c.serveConsumerHistory(s, consumer, start, count)
		return
	}
	pos := c.deferLen()
	var n int64
	propagateLastID := false
	var it stream.Iter
	it.Reset(s, start, stream.MaxID, false)
	for (count == 0 || n < count) && it.Next() {
		id := it.ID()
		if g.LastID.Less(id) {
			advanceGroup(s, g, id)
			if noack {
				propagateLastID = true
			}
		}
		c.addStreamEntry(&it)
		if !noack {
			nack := g.AddPending(id, consumer, c.now)
			c.propagateXClaim(key, groupName, g, id, nack)
		}
		n++
	}
	c.setDeferredArrayLen(pos, int(n))
	if propagateLastID {
		c.propagateGroupID(key, groupName, g)
	}
}

// advanceGroup moves a group's last delivered ID to id, keeping its
// entries-read counter when it can be known.
func advanceGroup(s *stream.Stream, g *stream.Group, id stream.ID) {
	if g.EntriesRead != stream.InvalidEntriesRead && !rangeHasTombstones(s, id, stream.MaxID) {
		g.EntriesRead++
	} else if s.EntriesAdded() > 0 {
		g.EntriesRead = estimateEntriesRead(s, id)
	}
	g.LastID = id
}

// serveConsumerHistory replies the consumer's pending entries from start:
// deleted entries appear as [id, nil].
func (c *Client) serveConsumerHistory(s *stream.Stream, consumer *stream.Consumer, start stream.ID, count int64) {
	var nacks []*stream.NACK
	consumer.AscendPending(start, func(n *stream.NACK) bool {
		if count != 0 && int64(len(nacks)) >= count {
			return false
		}
		nacks = append(nacks, n)
		return true
	})
	c.addArrayLen(len(nacks))
	for _, n := range nacks {
		var it stream.Iter
		it.Reset(s, n.ID, n.ID, false)
		if it.Next() {
			c.addStreamEntry(&it)
			n.DeliveryTime = c.now
			n.DeliveryCount++
		} else {
			c.addArrayLen(2)
			c.addStreamID(n.ID)
			c.addNullArray()
		}
	}
}

// rangeHasTombstones reports whether an entry was deleted with XDEL
// within [start, end] (streamRangeHasTombstones).
func rangeHasTombstones(s *stream.Stream, start, end stream.ID) bool {
	md := s.MaxDeletedID()
	if s.Len() == 0 || md.IsZero() {
		return false
	}
	if md.Less(s.FirstID()) {
		return false
	}
	return !md.Less(start) && !end.Less(md)
}

// estimateEntriesRead returns the logical read counter of id, or
// InvalidEntriesRead when it cannot be known
// (streamEstimateDistanceFromFirstEverEntry).
func estimateEntriesRead(s *stream.Stream, id stream.ID) int64 {
	added := int64(s.EntriesAdded())
	if added == 0 {
		return 0
	}
	if s.Len() == 0 && !s.LastID().Less(id) {
		return added
	}
	switch cmp := id.Compare(s.LastID()); {
	case cmp == 0:
		return added
	case cmp > 0:
		return stream.InvalidEntriesRead
	}
	md := s.MaxDeletedID()
	if md.IsZero() || md.Less(s.FirstID()) {
		switch cmp := id.Compare(s.FirstID()); {
		case cmp < 0:
			return added - int64(s.Len())
		case cmp == 0:
			return added - int64(s.Len()) + 1
		}
	}
	return stream.InvalidEntriesRead
}

// groupLag is XINFO's lag of a group; ok is false when it cannot be
// known.
func groupLag(s *stream.Stream, g *stream.Group) (int64, bool) {
	added := int64(s.EntriesAdded())
	if added == 0 {
		return 0, true
	}
	if g.EntriesRead != stream.InvalidEntriesRead && !rangeHasTombstones(s, g.LastID, stream.MaxID) {
		return added - g.EntriesRead, true
	}
	read := estimateEntriesRead(s, g.LastID)
	if read == stream.InvalidEntriesRead {
		return 0, false
	}
	return added - read, true
}

// Propagation of consumer group effects.

func (c *Client) propagateXClaim(key, groupName []byte, g *stream.Group, id stream.ID, n *stream.NACK) {
	if !c.srv.effectsWanted() {
		return
	}
	c.alsoPropagate([][]byte{[]byte("XCLAIM"), key, groupName, []byte(n.Consumer.Name), []byte("0"), streamIDArg(id),
		[]byte("TIME"), []byte(itoa(n.DeliveryTime)), []byte("RETRYCOUNT"), []byte(itoa(int64(n.DeliveryCount))),
		[]byte("FORCE"), []byte("JUSTID"), []byte("LASTID"), streamIDArg(g.LastID)})
}

func (c *Client) propagateGroupID(key, groupName []byte, g *stream.Group) {
	if !c.srv.effectsWanted() {
		return
	}
	c.alsoPropagate([][]byte{[]byte("XGROUP"), []byte("SETID"), key, groupName, streamIDArg(g.LastID),
		[]byte("ENTRIESREAD"), []byte(itoa(g.EntriesRead))})
}

// lookupGroupStream finds the stream at argv[2] for the XGROUP
// subcommands, with their errors for a missing key or group.
func (c *Client) lookupGroupStream(needGroup bool) (*stream.Stream, keyspace.Entry, *stream.Group, bool) {
	key := c.argv[2]
	s, e, ok := c.lookupStream(key, keyspace.NoStats)
	if !ok {
		return nil, e, nil, false
	}
	if s == nil {
		c.addError("ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.")
		return nil, e, nil, false
	}
	g := s.Group(c.argv[3])
	if g == nil && needGroup {
		c.addError("NOGROUP No such consumer group '" + string(c.argv[3]) + "' for key name '" + string(key) + "'")
		return nil, e, nil, false
	}
	return s, e, g, true
}

func (c *Client) subcommandSyntaxError() {
	c.addError("ERR unknown subcommand or wrong number of arguments for '" + sanitize(trunc(c.argv[1], 128)) + "'. Try " + strings.ToUpper(string(c.argv[0])) + " HELP.")
}

func xgroupCreateCommand(c *Client) {
	mkstream := false
	entriesRead := int64(stream.InvalidEntriesRead)
	for i := 5; i < len(c.argv); {
		switch {
		case argIs(c.argv[i], "mkstream"):
			mkstream = true
			i++
		case argIs(c.argv[i], "entriesread") && i+1 < len(c.argv):
			n, ok := c.argInt(i + 1)
			if !ok {
				return
			}
			if n < 0 && n != stream.InvalidEntriesRead {
				c.addError("ERR value for ENTRIESREAD must be positive or -1")
				return
			}
			entriesRead = n
			i += 2
		default:
			c.subcommandSyntaxError()
			return
		}
	}
	key := c.argv[2]
	s, e, ok := c.lookupStream(key, keyspace.NoStats)
	if !ok {
		return
	}
	if s == nil && !mkstream {
		c.addError("ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.")
		return
	}
	if len(c.argv) > 8 {
		c.subcommandSyntaxError()
		return
	}
	var id stream.ID
	if len(c.argv[4]) == 1 && c.argv[4][0] == '$' {
		if s != nil {
			id = s.LastID()
		}
	} else if id, ok = c.parseStreamID(c.argv[4], 0, true); !ok {
		return
	}
	created := s == nil
	if created {
		s = stream.New()
	} else if s.Group(c.argv[3]) != nil {
		c.addError("BUSYGROUP Consumer Group name already exists")
		return
	} else {
		c.db.Mutate(e)
	}
	s.CreateGroup(c.argv[3], id, entriesRead)
	if created {
		c.db.SetObject(key, s, false)
		c.modified(key)
	} else {
		c.db.Changed(e)
		c.dirty++
	}
	c.addOK()
	c.notify(config.NotifyStream, "xgroup-create", key)
}

func xgroupSetidCommand(c *Client) {
	if len(c.argv) != 5 && len(c.argv) != 7 {
		if _, _, _, ok := c.lookupGroupStream(true); ok {
			c.subcommandSyntaxError()
		}
		return
	}
	s, e, g, ok := c.lookupGroupStream(true)
	if !ok {
		return
	}
	var id stream.ID
	if len(c.argv[4]) == 1 && c.argv[4][0] == '$' {
		id = s.LastID()
	} else if id, ok = c.parseStreamID(c.argv[4], 0, false); !ok {
		return
	}
	entriesRead := int64(stream.InvalidEntriesRead)
	if len(c.argv) == 7 {
		if !argIs(c.argv[5], "entriesread") {
			c.subcommandSyntaxError()
			return
		}
		n, ok := c.argInt(6)
		if !ok {
			return
		}
		if n < 0 && n != stream.InvalidEntriesRead {
			c.addError("ERR value for ENTRIESREAD must be positive or -1")
			return
		}
		entriesRead = n
	}
	c.db.Mutate(e)
	g.LastID, g.EntriesRead = id, entriesRead
	c.db.Changed(e)
	c.dirty++
	c.addOK()
	c.notify(config.NotifyStream, "xgroup-setid", c.argv[2])
}

func xgroupDestroyCommand(c *Client) {
	s, e, g, ok := c.lookupGroupStream(false)
	if !ok {
		return
	}
	if g == nil {
		c.addInt(0)
		return
	}
	c.db.Mutate(e)
	s.DestroyGroup(c.argv[3])
	c.db.Changed(e)
	c.dirty++
	c.addInt(1)
	c.notify(config.NotifyStream, "xgroup-destroy", c.argv[2])
	// Consumers blocked on the group get -NOGROUP.
	c.keyReady(c.argv[2])
}

func xgroupCreateconsumerCommand(c *Client) {
	_, e, g, ok := c.lookupGroupStream(true)
	if !ok {
		return
	}
	c.db.Mutate(e)
	_, created := g.CreateConsumer(c.argv[4], c.now)
	c.db.Changed(e)
	if !created {
		c.addInt(0)
		return
	}
	c.dirty++
	c.notify(config.NotifyStream, "xgroup-createconsumer", c.argv[2])
	c.addInt(1)
}

func xgroupDelconsumerCommand(c *Client) {
	_, e, g, ok := c.lookupGroupStream(true)
	if !ok {
		return
	}
	if g.Consumer(c.argv[4]) == nil {
		c.addInt(0)
		return
	}
	c.db.Mutate(e)
	n := g.DeleteConsumer(c.argv[4])
	c.db.Changed(e)
	c.dirty++
	c.notify(config.NotifyStream, "xgroup-delconsumer", c.argv[2])
	c.addInt(int64(n))
}

func xgroupHelpCommand(c *Client) {
	c.addHelp(
		"CREATE <key> <groupname> <id|$> [option]",
		"    Create a new consumer group. Options are:",
		"    * MKSTREAM",
		"      Create the empty stream if it does not exist.",
		"    * ENTRIESREAD entries_read",
		"      Set the group's entries_read counter (internal use).",
		"CREATECONSUMER <key> <groupname> <consumer>",
		"    Create a new consumer in the specified group.",
		"DELCONSUMER <key> <groupname> <consumer>",
		"    Remove the specified consumer.",
		"DESTROY <key> <groupname>",
		"    Remove the specified group.",
		"SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
		"    Set the current group ID and entries_read counter.",
	)
}

// lookupGroupOrNoGroup finds the stream and group of XACK-style commands
// (key at 1, group at 2). A missing key or group yields nils.
func (c *Client) lookupKeyGroup() (*stream.Stream, keyspace.Entry, *stream.Group, bool) {
	s, e, ok := c.lookupStream(c.argv[1], keyspace.NoStats)
	if !ok || s == nil {
		return nil, e, nil, ok
	}
	return s, e, s.Group(c.argv[2]), true
}

func xackCommand(c *Client) {
	_, e, g, ok := c.lookupKeyGroup()
	if !ok {
		return
	}
	if g == nil {
		c.addInt(0)
		return
	}
	acked, ok := c.countIDs(e, c.argv[3:], g.Ack)
	if !ok {
		return
	}
	c.db.Changed(e)
	c.dirty += acked
	c.addInt(acked)
}

func xpendingCommand(c *Client) {
	argc := len(c.argv)
	justInfo := argc == 3
	if argc != 3 && (argc < 6 || argc > 9) {
		c.addError(errSyntax)
		return
	}
	var start, end stream.ID
	var count, minIdle int64
	var consumerName []byte
	if argc >= 6 {
		startIdx := 3
		if argIs(c.argv[3], "idle") {
			n, ok := c.argInt(4)
			if !ok {
				return
			}
			minIdle = n
			if argc < 8 {
				c.addError(errSyntax)
				return
			}
			startIdx += 2
		}
		n, ok := c.argInt(startIdx + 2)
		if !ok {
			return
		}
		count = max(n, 0)
		if start, ok = c.parseRangeStart(c.argv[startIdx]); !ok {
			return
		}
		if end, ok = c.parseRangeEnd(c.argv[startIdx+1]); !ok {
			return
		}
		if startIdx+3 < argc {
			consumerName = c.argv[startIdx+3]
		}
	}
	_, _, g, ok := c.lookupKeyGroup()
	if !ok {
		return
	}
	if g == nil {
		c.addError("NOGROUP No such key '" + string(c.argv[1]) + "' or consumer group '" + string(c.argv[2]) + "'")
		return
	}
	if justInfo {
		c.addArrayLen(4)
		c.addInt(int64(g.PendingCount()))
		lo, hi, ok := g.PendingBounds()
		if !ok {
			c.addNull()
			c.addNull()
			c.addNullArray()
			return
		}
		c.addStreamID(lo)
		c.addStreamID(hi)
		var cs []*stream.Consumer
		for _, cons := range g.Consumers() {
			if cons.PendingCount() > 0 {
				cs = append(cs, cons)
			}
		}
		c.addArrayLen(len(cs))
		for _, cons := range cs {
			c.addArrayLen(2)
			c.addBulkStr(cons.Name)
			c.addBulkInt(int64(cons.PendingCount()))
		}
		return
	}
	ascend := g.AscendPending
	if consumerName != nil {
		cons := g.Consumer(consumerName)
		if cons == nil {
			c.addArrayLen(0)
			return
		}
		ascend = cons.AscendPending
	}
	pos := c.deferLen()
	n := 0
	ascend(start, func(nk *stream.NACK) bool {
		if count == 0 || end.Less(nk.ID) {
			return false
		}
		if minIdle != 0 && c.now-nk.DeliveryTime < minIdle {
			return true
		}
		n++
		count--
		c.addArrayLen(4)
		c.addStreamID(nk.ID)
		c.addBulkStr(nk.Consumer.Name)
		c.addInt(max(c.now-nk.DeliveryTime, 0))
		c.addInt(int64(nk.DeliveryCount))
		return true
	})
	c.setDeferredArrayLen(pos, n)
}

func xclaimCommand(c *Client) {
	key := c.argv[1]
	s, e, g, ok := c.lookupKeyGroup()
	if !ok {
		return
	}
	if g == nil {
		c.addError("NOGROUP No such key '" + string(key) + "' or consumer group '" + string(c.argv[2]) + "'")
		return
	}
	minIdle, ok := c.argIntMsg(4, "ERR Invalid min-idle-time argument for XCLAIM")
	if !ok {
		return
	}
	minIdle = max(minIdle, 0)
	j := 5
	var ids []stream.ID
	for ; j < len(c.argv); j++ {
		id, ok := parseStreamIDArg(c.argv[j], 0, true)
		if !ok {
			break
		}
		ids = append(ids, id)
	}
	now := c.now
	retryCount, deliveryTime := int64(-1), int64(-1)
	force, justID := false, false
	var lastID stream.ID
	for ; j < len(c.argv); j++ {
		more := len(c.argv) - 1 - j
		opt := c.argv[j]
		switch {
		case argIs(opt, "force"):
			force = true
		case argIs(opt, "justid"):
			justID = true
		case argIs(opt, "idle") && more > 0:
			j++
			n, ok := c.argIntMsg(j, "ERR Invalid IDLE option argument for XCLAIM")
			if !ok {
				return
			}
			deliveryTime = now - n
		case argIs(opt, "time") && more > 0:
			j++
			n, ok := c.argIntMsg(j, "ERR Invalid TIME option argument for XCLAIM")
			if !ok {
				return
			}
			deliveryTime = n
		case argIs(opt, "retrycount") && more > 0:
			j++
			n, ok := c.argIntMsg(j, "ERR Invalid RETRYCOUNT option argument for XCLAIM")
			if !ok {
				return
			}
			retryCount = n
		case argIs(opt, "lastid") && more > 0:
			j++
			id, ok := c.parseStreamID(c.argv[j], 0, true)
			if !ok {
				return
			}
			lastID = id
		default:
			c.addError("ERR Unrecognized XCLAIM option '" + sanitize(opt) + "'")
			return
		}
	}
	c.db.Mutate(e)
	defer c.db.Changed(e)
	propagateLastID := false
	if g.LastID.Less(lastID) {
		g.LastID = lastID
		propagateLastID = true
	}
	if deliveryTime != -1 {
		if deliveryTime < 0 || deliveryTime > now {
			deliveryTime = now
		}
	} else {
		deliveryTime = now
	}
	var consumer *stream.Consumer
	pos := c.deferLen()
	n := 0
	for _, id := range ids {
		nk := g.Pending(id)
		if !streamEntryExists(s, id) {
			if nk != nil {
				c.propagateXClaim(key, c.argv[2], g, id, nk)
				propagateLastID = false
				c.dirty++
				g.Ack(id)
			}
			continue
		}
		if nk != nil && minIdle != 0 && now-nk.DeliveryTime < minIdle {
			continue
		}
		if nk == nil && !force {
			continue
		}
		if consumer == nil {
			var created bool
			if consumer, created = g.CreateConsumer(c.argv[3], now); created {
				c.notify(config.NotifyStream, "xgroup-createconsumer", key)
				c.dirty++
			}
		}
		if nk == nil {
			// A forced entry starts as delivered once.
			nk = g.AddPending(id, consumer, now)
		} else {
			g.Assign(nk, consumer)
		}
		nk.DeliveryTime = deliveryTime
		if retryCount >= 0 {
			nk.DeliveryCount = uint64(retryCount)
		} else if !justID {
			nk.DeliveryCount++
		}
		if justID {
			c.addStreamID(id)
		} else {
			c.addStreamEntryOrNull(s, id)
		}
		n++
		c.propagateXClaim(key, c.argv[2], g, id, nk)
		propagateLastID = false
		c.dirty++
	}
	if propagateLastID {
		c.propagateGroupID(key, c.argv[2], g)
		c.dirty++
	}
	if consumer != nil {
		consumer.SeenTime = now
	}
	c.setDeferredArrayLen(pos, n)
	c.preventPropagation()
}

// argIntMsg parses argv[i] as an integer or replies msg.
func (c *Client) argIntMsg(i int, msg string) (int64, bool) {
	n, ok := resp.ParseInt(c.argv[i])
	if !ok {
		c.addError(msg)
	}
	return n, ok
}

func xautoclaimCommand(c *Client) {
	key := c.argv[1]
	minIdle, ok := c.argIntMsg(4, "ERR Invalid min-idle-time argument for XAUTOCLAIM")
	if !ok {
		return
	}
	minIdle = max(minIdle, 0)
	start, ok := c.parseRangeStart(c.argv[5])
	if !ok {
		return
	}
	count := int64(100)
	justID := false
	const attemptsFactor = 10
	for j := 6; j < len(c.argv); j++ {
		more := len(c.argv) - 1 - j
		switch {
		case argIs(c.argv[j], "count") && more > 0:
			n, ok := resp.ParseInt(c.argv[j+1])
			if !ok || n < 1 || n > math.MaxInt64/16 {
				c.addError("ERR COUNT must be > 0")
				return
			}
			count = n
			j++
		case argIs(c.argv[j], "justid"):
			justID = true
		default:
			c.addError(errSyntax)
			return
		}
	}
	s, e, g, ok := c.lookupKeyGroup()
	if !ok {
		return
	}
	if g == nil {
		c.addError("NOGROUP No such key '" + string(key) + "' or consumer group '" + string(c.argv[2]) + "'")
		return
	}
	attempts := count * attemptsFactor
	// Take the candidates first: the PEL changes while we claim.
	var cand []*stream.NACK
	g.AscendPending(start, func(n *stream.NACK) bool {
		cand = append(cand, n)
		return int64(len(cand)) <= attempts
	})
	c.db.Mutate(e)
	defer c.db.Changed(e)
	now := c.now
	var consumer *stream.Consumer
	var deleted []stream.ID
	c.addArrayLen(3)
	cursorPos := c.deferLen()
	entriesPos := c.deferLen()
	n, i := 0, 0
	for ; attempts > 0 && count > 0 && i < len(cand); i++ {
		attempts--
		nk := cand[i]
		id := nk.ID
		if !streamEntryExists(s, id) {
			c.propagateXClaim(key, c.argv[2], g, id, nk)
			c.dirty++
			g.Ack(id)
			deleted = append(deleted, id)
			count--
			continue
		}
		if minIdle != 0 && now-nk.DeliveryTime < minIdle {
			continue
		}
		if consumer == nil {
			var created bool
			if consumer, created = g.CreateConsumer(c.argv[3], now); created {
				c.notify(config.NotifyStream, "xgroup-createconsumer", key)
				c.dirty++
			}
		}
		g.Assign(nk, consumer)
		nk.DeliveryTime = now
		if !justID {
			nk.DeliveryCount++
		}
		if justID {
			c.addStreamID(id)
		} else {
			c.addStreamEntryOrNull(s, id)
		}
		n++
		count--
		c.propagateXClaim(key, c.argv[2], g, id, nk)
		c.dirty++
	}
	if consumer != nil {
		consumer.SeenTime = now
	}
	var cursor stream.ID
	if i < len(cand) {
		cursor = cand[i].ID
	}
	c.setDeferredArrayLen(entriesPos, n)
	var buf [48]byte
	c.insertHeader(cursorPos, resp.AppendBulk(nil, cursor.Append(buf[:0])))
	c.addArrayLen(len(deleted))
	for _, id := range deleted {
		c.addStreamID(id)
	}
	c.preventPropagation()
}
