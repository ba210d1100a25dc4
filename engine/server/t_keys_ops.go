package server

import (
	"bytes"
	"math"
	"strconv"
	"strings"

	"github.com/redisctl/redisctl/engine/config"
	"github.com/redisctl/redisctl/engine/glob"
	"github.com/redisctl/redisctl/engine/keyspace"
	"github.com/redisctl/redisctl/engine/resp"
)

// Key commands that move, copy, list or describe keys.

func touchCommand(c *Client) { c.addInt(c.countExisting(keyspace.NoStats)) }

func (c *Client) renameGeneric(nx bool) {
	src, dst := c.argv[1], c.argv[2]
	if !c.db.Lookup(src, c.now, keyspace.NoStats).Exists() {
		c.addError(errNoSuchKey)
		return
	}
	if bytes.Equal(src, dst) {
		if nx {
			c.addInt(0)
		} else {
			c.addOK()
		}
		return
	}
	if c.db.Exists(dst, c.now) && nx {
		c.addInt(0)
		return
	}
	c.db.Rename(src, dst)
	c.modified(src)
	c.srv.watches.touch(c.db.ID(), dst)
	c.notify(config.NotifyGeneric, "rename_from", src)
	c.notify(config.NotifyGeneric, "rename_to", dst)
	c.keyReady(dst)
	if nx {
		c.addInt(1)
	} else {
		c.addOK()
	}
}

func copyNeedsExclusive(argv [][]byte) bool {
	for _, a := range argv[3:] {
		if argIs(a, "db") {
			return true
		}
	}
	return false
}

func copyCommand(c *Client) {
	replace := false
	dst := c.db
	for j := 3; j < len(c.argv); j++ {
		switch {
		case argIs(c.argv[j], "replace"):
			replace = true
		case argIs(c.argv[j], "db") && j+1 < len(c.argv):
			id, ok := c.argInt32(j + 1)
			if !ok {
				return
			}
			if id < 0 || id >= int64(c.srv.ks.NumDBs()) {
				c.addError(errDBIndex)
				return
			}
			dst = c.srv.ks.DB(int(id))
			j++
		default:
			c.addError(errSyntax)
			return
		}
	}
	key, newKey := c.argv[1], c.argv[2]
	if dst == c.db && bytes.Equal(key, newKey) {
		c.addError("ERR source and destination objects are the same")
		return
	}
	if !c.db.Lookup(key, c.now, 0).Exists() {
		c.addInt(0)
		return
	}
	if dst.Exists(newKey, c.now) && !replace {
		c.addInt(0)
		return
	}
	c.db.CopyTo(dst, key, newKey)
	c.dirty++
	c.srv.watches.touch(dst.ID(), newKey)
	c.srv.notifyEvent(config.NotifyGeneric, "copy_to", newKey, dst.ID())
	c.keyReadyIn(dst.ID(), newKey)
	c.addInt(1)
}

func moveCommand(c *Client) {
	id, ok := c.argInt32(2)
	if !ok {
		return
	}
	if id < 0 || id >= int64(c.srv.ks.NumDBs()) {
		c.addError(errDBIndex)
		return
	}
	dst := c.srv.ks.DB(int(id))
	if dst == c.db {
		c.addError("ERR source and destination objects are the same")
		return
	}
	key := c.argv[1]
	if !c.db.Lookup(key, c.now, keyspace.NoStats).Exists() || dst.Exists(key, c.now) {
		c.addInt(0)
		return
	}
	c.db.MoveTo(dst, key, key)
	c.modified(key)
	c.srv.watches.touch(dst.ID(), key)
	c.notify(config.NotifyGeneric, "move_from", key)
	c.srv.notifyEvent(config.NotifyGeneric, "move_to", key, dst.ID())
	c.keyReadyIn(dst.ID(), key)
	c.addInt(1)
}

func swapdbCommand(c *Client) {
	a, ok := parseInt32(c.argv[1])
	if !ok {
		c.addError("ERR invalid first DB index")
		return
	}
	b, ok := parseInt32(c.argv[2])
	if !ok {
		c.addError("ERR invalid second DB index")
		return
	}
	n := int64(c.srv.ks.NumDBs())
	if a < 0 || a >= n || b < 0 || b >= n {
		c.addError(errDBIndex)
		return
	}
	if a != b {
		da, dbb := c.srv.ks.DB(int(a)), c.srv.ks.DB(int(b))
		now := c.now
		// Watchers of a key that exists on either side see it change.
		touch := func(key string) bool {
			return da.Exists([]byte(key), now) || dbb.Exists([]byte(key), now)
		}
		c.srv.watches.touchDB(int(a), touch)
		c.srv.watches.touchDB(int(b), touch)
		c.srv.ks.Swap(int(a), int(b))
		c.dirty++
		// Clients blocked on keys of either database may find data now.
		c.srv.blocking.readyInDBs(c, int(a), int(b))
	}
	c.addOK()
}

func parseInt32(b []byte) (int64, bool) {
	n, ok := resp.ParseInt(b)
	if !ok || n < math.MinInt32 || n > math.MaxInt32 {
		return 0, false
	}
	return n, true
}

func keysCommand(c *Client) {
	pat := c.argv[1]
	all := len(pat) == 1 && pat[0] == '*'
	pos := c.deferLen()
	n := 0
	c.db.ForEach(c.now, func(e keyspace.Entry) {
		k := e.Key()
		if all || glob.Match(pat, k, false) {
			c.addBulk(k)
			n++
		}
	})
	c.setDeferredArrayLen(pos, n)
}

// scanOpts are the options of SCAN, HSCAN, SSCAN and ZSCAN.
type scanOpts struct {
	count   int
	pattern []byte // nil: match everything
	typ     string
	hasType bool
}

// parseScanOpts parses "[MATCH pattern] [COUNT count]", and "[TYPE type]"
// when allowType (SCAN), from argv[i:], replying Redis's errors. Callers
// parse the cursor and look the key up first, as Redis does.
func (c *Client) parseScanOpts(i int, allowType bool) (scanOpts, bool) {
	o := scanOpts{count: 10}
	for i < len(c.argv) {
		rem := len(c.argv) - i
		switch {
		case argIs(c.argv[i], "count") && rem >= 2:
			n, ok := c.argInt(i + 1)
			if !ok {
				return o, false
			}
			if n < 1 {
				c.addError(errSyntax)
				return o, false
			}
			o.count = int(min(n, math.MaxInt32))
			i += 2
		case argIs(c.argv[i], "match") && rem >= 2:
			p := c.argv[i+1]
			if len(p) == 1 && p[0] == '*' {
				o.pattern = nil
			} else {
				o.pattern = p
			}
			i += 2
		case allowType && argIs(c.argv[i], "type") && rem >= 2:
			o.typ = strings.ToLower(string(c.argv[i+1]))
			o.hasType = true
			i += 2
		default:
			c.addError(errSyntax)
			return o, false
		}
	}
	return o, true
}

func scanCommand(c *Client) {
	cursor, ok := parseCursor(c.argv[1])
	if !ok {
		c.addError("ERR invalid cursor")
		return
	}
	o, ok := c.parseScanOpts(2, true)
	if !ok {
		return
	}
	var keys [][]byte
	next := c.db.Scan(cursor, o.count, c.now, func(e keyspace.Entry) {
		k := e.Key()
		if o.pattern != nil && !glob.Match(o.pattern, k, false) {
			return
		}
		if o.hasType && e.Type().String() != o.typ {
			return
		}
		keys = append(keys, append([]byte(nil), k...))
	})
	c.addArrayLen(2)
	c.addBulkStr(strconv.FormatUint(next, 10))
	c.addArrayLen(len(keys))
	for _, k := range keys {
		c.addBulk(k)
	}
}

func randomkeyCommand(c *Client) {
	if k := c.db.RandomKey(c.now); k != nil {
		c.addBulk(k)
		return
	}
	c.addNull()
}

func objectCommand() *Command {
	sub := func(name, summary string, h func(*Client)) *Command {
		return &Command{Name: name, Arity: 3, Flags: "readonly", ACL: "@keyspace @read @slow", Tips: []string{"nondeterministic_output"},
			Keys: one("RO", 2), Handler: h, Group: "generic", Since: "2.2.3", Summary: summary, Complexity: "O(1)"}
	}
	freq := sub("freq", "Get the logarithmic access frequency counter of a Redis object", objectFreqCommand)
	freq.Since = "4.0.0"
	return &Command{Name: "object", Arity: -2, ACL: "@slow", Group: "generic", Since: "2.2.3",
		Summary: "A container for object introspection commands", Complexity: "Depends on subcommand.",
		Sub: []*Command{
			sub("encoding", "Inspect the internal encoding of a Redis object", objectEncodingCommand),
			freq,
			sub("idletime", "Get the time since a Redis object was last accessed", objectIdletimeCommand),
			sub("refcount", "Get the number of references to the value of the key", objectRefcountCommand),
			{Name: "help", Arity: 2, Flags: "loading stale", ACL: "@keyspace @slow", Handler: objectHelpCommand,
				Group: "generic", Since: "6.2.0", Summary: "Show helpful text about the different subcommands", Complexity: "O(1)"},
		}}
}

func (c *Client) objectLookup() (keyspace.Entry, bool) {
	e := c.db.Lookup(c.argv[2], c.now, keyspace.NoTouch|keyspace.NoStats)
	if !e.Exists() {
		c.addNull()
		return e, false
	}
	return e, true
}

func objectEncodingCommand(c *Client) {
	if e, ok := c.objectLookup(); ok {
		c.addBulkStr(e.Encoding())
	}
}

func (s *Server) lfuPolicy() bool {
	p := keyspace.Policy(s.policy.Load())
	return p == keyspace.AllKeysLFU || p == keyspace.VolatileLFU
}

func objectFreqCommand(c *Client) {
	e, ok := c.objectLookup()
	if !ok {
		return
	}
	if !c.srv.lfuPolicy() {
		c.addError("ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")
		return
	}
	c.addInt(int64(c.db.Freq(e)))
}

func objectIdletimeCommand(c *Client) {
	e, ok := c.objectLookup()
	if !ok {
		return
	}
	if c.srv.lfuPolicy() {
		c.addError("ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.")
		return
	}
	c.addInt(c.db.IdleMs(e) / 1000)
}

func objectRefcountCommand(c *Client) {
	e, ok := c.objectLookup()
	if !ok {
		return
	}
	// Redis shares the integers 0..9999 (refcount INT_MAX) unless an LRU or
	// LFU policy needs per-key access data.
	p := keyspace.Policy(c.srv.policy.Load())
	noShared := c.srv.maxmemory.Load() > 0 && p != keyspace.NoEviction && p != keyspace.AllKeysRandom && p != keyspace.VolatileRandom && p != keyspace.VolatileTTL
	if v, isInt := e.Int(); isInt && v >= 0 && v < 10000 && !noShared {
		c.addInt(math.MaxInt32)
		return
	}
	c.addInt(1)
}

func objectHelpCommand(c *Client) {
	c.addHelp(
		"ENCODING <key>",
		"    Return the kind of internal representation used in order to store the value",
		"    associated with a <key>.",
		"FREQ <key>",
		"    Return the access frequency index of the <key>. The returned integer is",
		"    proportional to the logarithm of the recent access frequency of the key.",
		"IDLETIME <key>",
		"    Return the idle time of the <key>, that is the approximated number of",
		"    seconds elapsed since the last access to the key.",
		"REFCOUNT <key>",
		"    Return the number of references of the value associated with the specified",
		"    <key>.",
	)
}
