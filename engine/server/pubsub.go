package server

import (
	"sort"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/redisctl/redisctl/engine/config"
	"github.com/redisctl/redisctl/engine/glob"
	"github.com/redisctl/redisctl/engine/resp"
)

// Pub/Sub (channels, patterns, shard channels), keyspace notifications and
// MONITOR. Messages to other clients go through their async output; a
// message to the publishing client itself is written inline, so it
// precedes the command's reply exactly as in Redis.

type subKind int

const (
	subChannel subKind = iota
	subPattern
	subShard
)

var subNames = [3]struct{ sub, unsub, msg string }{
	{"subscribe", "unsubscribe", "message"},
	{"psubscribe", "punsubscribe", "pmessage"},
	{"ssubscribe", "sunsubscribe", "smessage"},
}

// subscriptions are one client's, in subscription order.
type subscriptions struct {
	lists [3][]string
	sets  [3]map[string]struct{}
}

type pubsubRegistry struct {
	mu    sync.RWMutex
	subs  [3]map[string]map[*Client]struct{}
	count atomic.Int64 // total subscriptions, for a lock-free fast path
	dying atomic.Int32 // killed subscribers whose loops have not closed them yet
}

func (r *pubsubRegistry) init() {
	for i := range r.subs {
		r.subs[i] = map[string]map[*Client]struct{}{}
	}
}

// live counts the subscribers in set that have not been killed: Redis frees
// a killed client at once, while ours leaves the registry when its own loop
// closes it.
func (r *pubsubRegistry) live(set map[*Client]struct{}) int {
	if r.dying.Load() == 0 {
		return len(set)
	}
	n := 0
	for c := range set {
		if !c.killed.Load() {
			n++
		}
	}
	return n
}

// numNames counts the channels (patterns) of a kind with a live subscriber.
func (r *pubsubRegistry) numNames(kind subKind) int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.dying.Load() == 0 {
		return len(r.subs[kind])
	}
	n := 0
	for _, set := range r.subs[kind] {
		if r.live(set) > 0 {
			n++
		}
	}
	return n
}

func (r *pubsubRegistry) numChannels() int      { return r.numNames(subChannel) }
func (r *pubsubRegistry) numPatterns() int      { return r.numNames(subPattern) }
func (r *pubsubRegistry) numShardChannels() int { return r.numNames(subShard) }

func pubsubCommands() []*Command {
	ps := "pubsub noscript loading stale"
	return []*Command{
		{Name: "subscribe", Arity: -2, Flags: ps, ACL: "@pubsub @slow", Handler: func(c *Client) { c.subscribe(subChannel) },
			Group: "pubsub", Since: "2.0.0", Summary: "Listen for messages published to the given channels", Complexity: "O(N) where N is the number of channels to subscribe to."},
		{Name: "unsubscribe", Arity: -1, Flags: ps, ACL: "@pubsub @slow", Handler: func(c *Client) { c.unsubscribe(subChannel) },
			Group: "pubsub", Since: "2.0.0", Summary: "Stop listening for messages posted to the given channels", Complexity: "O(N) where N is the number of clients already subscribed to a channel."},
		{Name: "psubscribe", Arity: -2, Flags: ps, ACL: "@pubsub @slow", Handler: func(c *Client) { c.subscribe(subPattern) },
			Group: "pubsub", Since: "2.0.0", Summary: "Listen for messages published to channels matching the given patterns", Complexity: "O(N) where N is the number of patterns the client is already subscribed to."},
		{Name: "punsubscribe", Arity: -1, Flags: ps, ACL: "@pubsub @slow", Handler: func(c *Client) { c.unsubscribe(subPattern) },
			Group: "pubsub", Since: "2.0.0", Summary: "Stop listening for messages posted to channels matching the given patterns", Complexity: "O(N+M) where N is the number of patterns the client is already subscribed and M is the number of total patterns subscribed in the system (by any client)."},
		{Name: "ssubscribe", Arity: -2, Flags: ps, ACL: "@pubsub @slow", Keys: []KeySpec{{Flags: "not_key", Index: 1, LastKey: -1, KeyStep: 1}},
			Handler: func(c *Client) { c.subscribe(subShard) },
			Group:   "pubsub", Since: "7.0.0", Summary: "Listen for messages published to the given shard channels", Complexity: "O(N) where N is the number of shard channels to subscribe to."},
		{Name: "sunsubscribe", Arity: -1, Flags: ps, ACL: "@pubsub @slow", Keys: []KeySpec{{Flags: "not_key", Index: 1, LastKey: -1, KeyStep: 1}},
			Handler: func(c *Client) { c.unsubscribe(subShard) },
			Group:   "pubsub", Since: "7.0.0", Summary: "Stop listening for messages posted to the given shard channels", Complexity: "O(N) where N is the number of clients already subscribed to a shard channel."},
		{Name: "publish", Arity: 3, Flags: "pubsub loading stale fast may_replicate", ACL: "@pubsub @fast", Handler: publishCommand,
			Group: "pubsub", Since: "2.0.0", Summary: "Post a message to a channel", Complexity: "O(N+M) where N is the number of clients subscribed to the receiving channel and M is the total number of subscribed patterns (by any client)."},
		{Name: "spublish", Arity: 3, Flags: "pubsub loading stale fast may_replicate", ACL: "@pubsub @fast", Keys: []KeySpec{{Flags: "not_key", Index: 1, KeyStep: 1}},
			Handler: spublishCommand, Group: "pubsub", Since: "7.0.0", Summary: "Post a message to a shard channel", Complexity: "O(N) where N is the number of clients subscribed to the receiving shard channel."},
		pubsubCommand(),
	}
}

func pubsubCommand() *Command {
	f := "pubsub loading stale"
	return &Command{Name: "pubsub", Arity: -2, ACL: "@slow", Group: "pubsub", Since: "2.8.0",
		Summary: "A container for Pub/Sub commands", Complexity: "Depends on subcommand.",
		Sub: []*Command{
			{Name: "channels", Arity: -2, Flags: f, ACL: "@pubsub @slow", Handler: func(c *Client) { c.pubsubList(subChannel) },
				Group: "pubsub", Since: "2.8.0", Summary: "List active channels", Complexity: "O(N) where N is the number of active channels, and assuming constant time pattern matching (relatively short channels and patterns)"},
			{Name: "numsub", Arity: -2, Flags: f, ACL: "@pubsub @slow", Handler: func(c *Client) { c.pubsubNumSub(subChannel) },
				Group: "pubsub", Since: "2.8.0", Summary: "Get the count of subscribers for channels", Complexity: "O(N) for the NUMSUB subcommand, where N is the number of requested channels"},
			{Name: "numpat", Arity: 2, Flags: f, ACL: "@pubsub @slow", Handler: func(c *Client) { c.addInt(int64(c.srv.pubsub.numPatterns())) },
				Group: "pubsub", Since: "2.8.0", Summary: "Get the count of unique patterns pattern subscriptions", Complexity: "O(1)"},
			{Name: "shardchannels", Arity: -2, Flags: f, ACL: "@pubsub @slow", Handler: func(c *Client) { c.pubsubList(subShard) },
				Group: "pubsub", Since: "7.0.0", Summary: "List active shard channels", Complexity: "O(N) where N is the number of active shard channels, and assuming constant time pattern matching (relatively short shard channels)."},
			{Name: "shardnumsub", Arity: -2, Flags: f, ACL: "@pubsub @slow", Handler: func(c *Client) { c.pubsubNumSub(subShard) },
				Group: "pubsub", Since: "7.0.0", Summary: "Get the count of subscribers for shard channels", Complexity: "O(N) for the SHARDNUMSUB subcommand, where N is the number of requested shard channels"},
			{Name: "help", Arity: 2, Flags: "loading stale", ACL: "@slow", Handler: pubsubHelpCommand,
				Group: "pubsub", Since: "6.2.0", Summary: "Show helpful text about the different subcommands", Complexity: "O(1)"},
		}}
}

// subCount is what (un)subscribe replies report: channels and patterns
// together, or shard channels alone.
func (c *Client) subTotal(kind subKind) int {
	if c.subs == nil {
		return 0
	}
	if kind == subShard {
		return len(c.subs.lists[subShard])
	}
	return len(c.subs.lists[subChannel]) + len(c.subs.lists[subPattern])
}

func (c *Client) updateSubCounts() {
	if c.subs == nil {
		c.chanCount.Store(0)
		c.patCount.Store(0)
		c.shardCount.Store(0)
		c.subCount.Store(0)
		c.flags &^= flagPubSub
		return
	}
	ch, pt, sh := len(c.subs.lists[0]), len(c.subs.lists[1]), len(c.subs.lists[2])
	c.chanCount.Store(int32(ch))
	c.patCount.Store(int32(pt))
	c.shardCount.Store(int32(sh))
	c.subCount.Store(int32(ch + pt + sh))
	if ch+pt+sh > 0 {
		c.flags |= flagPubSub
	} else {
		c.flags &^= flagPubSub
	}
}

func (c *Client) subscribe(kind subKind) {
	if c.subs == nil {
		c.subs = &subscriptions{}
	}
	r := &c.srv.pubsub
	for _, a := range c.argv[1:] {
		name := string(a)
		if c.subs.sets[kind] == nil {
			c.subs.sets[kind] = map[string]struct{}{}
		}
		if _, ok := c.subs.sets[kind][name]; !ok {
			c.subs.sets[kind][name] = struct{}{}
			c.subs.lists[kind] = append(c.subs.lists[kind], name)
			r.mu.Lock()
			set := r.subs[kind][name]
			if set == nil {
				set = map[*Client]struct{}{}
				r.subs[kind][name] = set
			}
			set[c] = struct{}{}
			r.mu.Unlock()
			r.count.Add(1)
		}
		c.addPushLen(3)
		c.addBulkStr(subNames[kind].sub)
		c.addBulk(a)
		c.addInt(int64(c.subTotal(kind)))
	}
	c.updateSubCounts()
}

// unsubscribe handles UNSUBSCRIBE/PUNSUBSCRIBE/SUNSUBSCRIBE with or
// without arguments.
func (c *Client) unsubscribe(kind subKind) {
	if len(c.argv) == 1 {
		c.unsubscribeKind(kind, true)
		return
	}
	for _, a := range c.argv[1:] {
		c.unsubscribeOne(kind, string(a), true)
	}
	c.updateSubCounts()
}

func (c *Client) unsubscribeKind(kind subKind, reply bool) {
	var names []string
	if c.subs != nil {
		names = append(names, c.subs.lists[kind]...)
	}
	if len(names) == 0 && reply {
		c.addPushLen(3)
		c.addBulkStr(subNames[kind].unsub)
		c.addNull()
		c.addInt(int64(c.subTotal(kind)))
	}
	for _, n := range names {
		c.unsubscribeOne(kind, n, reply)
	}
	c.updateSubCounts()
}

func (c *Client) unsubscribeOne(kind subKind, name string, reply bool) {
	if c.subs != nil {
		if _, ok := c.subs.sets[kind][name]; ok {
			delete(c.subs.sets[kind], name)
			l := c.subs.lists[kind]
			for i, n := range l {
				if n == name {
					c.subs.lists[kind] = append(l[:i], l[i+1:]...)
					break
				}
			}
			r := &c.srv.pubsub
			r.mu.Lock()
			if set := r.subs[kind][name]; set != nil {
				delete(set, c)
				if len(set) == 0 {
					delete(r.subs[kind], name)
				}
			}
			r.mu.Unlock()
			r.count.Add(-1)
		}
	}
	if reply {
		c.addPushLen(3)
		c.addBulkStr(subNames[kind].unsub)
		c.addBulkStr(name)
		c.addInt(int64(c.subTotal(kind)))
	}
}

// unsubscribeAll drops every subscription without replies (RESET,
// disconnection).
func (c *Client) unsubscribeAll() {
	if c.subs == nil {
		return
	}
	for k := subChannel; k <= subShard; k++ {
		c.unsubscribeKind(k, false)
	}
	c.subs = nil
	c.updateSubCounts()
}

func publishCommand(c *Client) {
	n := c.srv.publish(c, subChannel, c.argv[1], c.argv[2])
	c.addInt(int64(n))
}

func spublishCommand(c *Client) {
	n := c.srv.publish(c, subShard, c.argv[1], c.argv[2])
	c.addInt(int64(n))
}

// message is a pub/sub message rendered once per protocol.
type message struct {
	kind          subKind
	pattern       []byte // for pmessage
	channel, body []byte
	out           [2][]byte
}

func (m *message) bytes(proto int) []byte {
	i := 0
	if proto == resp.RESP3 {
		i = 1
	}
	if m.out[i] != nil {
		return m.out[i]
	}
	var b []byte
	n := 3
	if m.pattern != nil {
		n = 4
	}
	if proto == resp.RESP3 {
		b = resp.AppendPushLen(b, n)
	} else {
		b = resp.AppendArrayLen(b, n)
	}
	if m.pattern != nil {
		b = resp.AppendBulkString(b, "pmessage")
		b = resp.AppendBulk(b, m.pattern)
	} else {
		b = resp.AppendBulkString(b, subNames[m.kind].msg)
	}
	b = resp.AppendBulk(b, m.channel)
	b = resp.AppendBulk(b, m.body)
	m.out[i] = b
	return b
}

// publish delivers a message and returns the number of receivers. self is
// the publishing client (nil for server-generated messages): its own copy
// is written inline.
func (s *Server) publish(self *Client, kind subKind, channel, body []byte) int {
	r := &s.pubsub
	if r.count.Load() == 0 {
		return 0
	}
	type target struct {
		c       *Client
		pattern []byte
	}
	var targets []target
	r.mu.RLock()
	for c := range r.subs[kind][string(channel)] {
		if !c.killed.Load() {
			targets = append(targets, target{c: c})
		}
	}
	if kind == subChannel {
		for pat, set := range r.subs[subPattern] {
			if glob.Match([]byte(pat), channel, false) {
				for c := range set {
					if !c.killed.Load() {
						targets = append(targets, target{c, []byte(pat)})
					}
				}
			}
		}
	}
	r.mu.RUnlock()
	plain := &message{kind: kind, channel: channel, body: body}
	for _, t := range targets {
		m := plain
		if t.pattern != nil {
			m = &message{kind: kind, pattern: t.pattern, channel: channel, body: body}
		}
		if t.c == self {
			self.out = append(self.out, m.bytes(self.proto)...)
			continue
		}
		t.c.pushAsync(m.bytes(int(t.c.protoView.Load())))
	}
	return len(targets)
}

// notifyKeyspaceEvent publishes __keyspace@db__:key and __keyevent@db__:event
// notifications as notify-keyspace-events asks.
func (s *Server) notifyKeyspaceEvent(class int, event string, key []byte, db int) {
	s.notifyFrom(nil, class, event, key, db)
}

func (s *Server) notifyFrom(self *Client, class int, event string, key []byte, db int) {
	flags := int(s.notifyFlags.Load())
	if flags&class == 0 {
		return
	}
	dbs := strconv.Itoa(db)
	if flags&config.NotifyKeyspace != 0 {
		ch := make([]byte, 0, 16+len(key))
		ch = append(append(append(append(ch, "__keyspace@"...), dbs...), "__:"...), key...)
		s.publish(self, subChannel, ch, []byte(event))
	}
	if flags&config.NotifyKeyevent != 0 {
		ch := append(append(append([]byte("__keyevent@"), dbs...), "__:"...), event...)
		s.publish(self, subChannel, ch, key)
	}
}

// notifyEvent is notifyKeyspaceEvent with the class check, for events in a
// database other than the client's.
func (s *Server) notifyEvent(class int, event string, key []byte, db int) {
	if s.notifyFlags.Load()&int32(class) == 0 {
		return
	}
	s.notifyKeyspaceEvent(class, event, key, db)
}

func (c *Client) pubsubList(kind subKind) {
	var pat []byte
	if len(c.argv) == 3 {
		pat = c.argv[2]
	} else if len(c.argv) > 3 {
		c.addSubcommandSyntaxError()
		return
	}
	r := &c.srv.pubsub
	r.mu.RLock()
	var names []string
	for n, set := range r.subs[kind] {
		if (pat == nil || glob.Match(pat, []byte(n), false)) && r.live(set) > 0 {
			names = append(names, n)
		}
	}
	r.mu.RUnlock()
	sort.Strings(names)
	c.addArrayLen(len(names))
	for _, n := range names {
		c.addBulkStr(n)
	}
}

func (c *Client) pubsubNumSub(kind subKind) {
	r := &c.srv.pubsub
	c.addArrayLen(2 * (len(c.argv) - 2))
	for _, a := range c.argv[2:] {
		r.mu.RLock()
		n := r.live(r.subs[kind][string(a)])
		r.mu.RUnlock()
		c.addBulk(a)
		c.addInt(int64(n))
	}
}

func pubsubHelpCommand(c *Client) {
	c.addHelp(
		"CHANNELS [<pattern>]",
		"    Return the currently active channels matching a <pattern> (default: '*').",
		"NUMPAT",
		"    Return number of subscriptions to patterns.",
		"NUMSUB [<channel> ...]",
		"    Return the number of subscribers for the specified channels, excluding",
		"    pattern subscriptions(default: no channels).",
		"SHARDCHANNELS [<pattern>]",
		"    Return the currently active shard level channels matching a <pattern> (default: '*').",
		"SHARDNUMSUB [<shardchannel> ...]",
		"    Return the number of subscribers for the specified shard level channel(s)",
	)
}
