package server

import (
	"errors"
	"strconv"

	"github.com/redisctl/redisctl/engine/config"
	"github.com/redisctl/redisctl/engine/keyspace"
	"github.com/redisctl/redisctl/engine/rdb"
)

// Persistence commands: SAVE, BGSAVE, BGREWRITEAOF, DUMP, RESTORE
// (LASTSAVE is with the introspection commands).

func persistCommands() []*Command {
	return []*Command{
		{Name: "save", Arity: 1, Flags: "admin noscript no_async_loading no_multi exclusive", ACL: "@admin @slow @dangerous", Handler: saveCommand,
			Group: "server", Since: "1.0.0", Summary: "Synchronously save the dataset to disk", Complexity: "O(N) where N is the total number of keys in all databases"},
		{Name: "bgsave", Arity: -1, Flags: "admin noscript no_async_loading exclusive", ACL: "@admin @slow @dangerous", Handler: bgsaveCommand,
			Group: "server", Since: "1.0.0", Summary: "Asynchronously save the dataset to disk", Complexity: "O(1)"},
		{Name: "bgrewriteaof", Arity: 1, Flags: "admin noscript no_async_loading exclusive", ACL: "@admin @slow @dangerous", Handler: bgrewriteaofCommand,
			Group: "server", Since: "1.0.0", Summary: "Asynchronously rewrite the append-only file", Complexity: "O(1)"},
		{Name: "dump", Arity: 2, Flags: "readonly", ACL: "@keyspace @read @slow", Tips: []string{"nondeterministic_output"},
			Keys: one("RO access", 1), Handler: dumpCommand,
			Group: "generic", Since: "2.6.0", Summary: "Return a serialized version of the value stored at the specified key.",
			Complexity: "O(1) to access the key and additional O(N*M) to serialize it, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1)."},
		{Name: "restore", Arity: -4, Flags: "write denyoom", ACL: "@keyspace @write @slow @dangerous",
			Keys: one("OW update", 1), Handler: restoreCommand,
			Group: "generic", Since: "2.6.0", Summary: "Create a key using the provided serialized value, previously obtained using DUMP.",
			Complexity: "O(1) to create the new key and additional O(N*M) to reconstruct the serialized value, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1). However for sorted set values the complexity is O(N*M*log(N)) because inserting values into sorted sets is O(log(N))."},
	}
}

func saveCommand(c *Client) {
	p := c.srv.persist
	p.mu.Lock()
	bg := p.bg.running
	p.mu.Unlock()
	if bg {
		c.addError("ERR Background save already in progress")
		return
	}
	// An AOF rewrite's snapshot must end first (one snapshot at a time);
	// its walk needs no lock this command holds.
	p.waitJobs()
	if err := p.saveForeground(); err != nil {
		c.addError("ERR")
		return
	}
	c.addOK()
}

func bgsaveCommand(c *Client) {
	schedule := false
	if len(c.argv) > 1 {
		if len(c.argv) == 2 && argIs(c.argv[1], "schedule") {
			schedule = true
		} else {
			c.addError(errSyntax)
			return
		}
	}
	p := c.srv.persist
	p.mu.Lock()
	bg, busy := p.bg.running, p.snapBusy
	inExec := c.flags&flagMulti != 0
	if !bg && (busy || inExec) && (schedule || inExec) {
		p.bg.scheduled = true
	}
	p.mu.Unlock()
	switch {
	case bg:
		c.addError("ERR Background save already in progress")
	case busy || inExec:
		if schedule || inExec {
			c.addSimple("Background saving scheduled")
			return
		}
		c.addError("ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.")
	default:
		if err := p.startBgsave(true); err != nil {
			c.addError("ERR")
			return
		}
		c.addSimple("Background saving started")
	}
}

func bgrewriteaofCommand(c *Client) {
	p := c.srv.persist
	p.mu.Lock()
	rw, busy := p.rw.running, p.snapBusy
	inExec := c.flags&flagMulti != 0
	if !rw && (busy || inExec) {
		p.rw.scheduled = true
		p.rw.failures = 0
	}
	p.mu.Unlock()
	switch {
	case rw:
		c.addError("ERR Background append only file rewriting already in progress")
	case busy || inExec:
		c.addSimple("Background append only file rewriting scheduled")
	default:
		if err := p.startRewrite(true); err != nil {
			c.addError("ERR Can't execute an AOF background rewriting. Please check the server logs for more information.")
			return
		}
		c.addSimple("Background append only file rewriting started")
	}
}

// dumpPayload serializes e as DUMP does.
func (c *Client) dumpPayload(e keyspace.Entry) ([]byte, error) {
	var z *rdb.Compressor
	if c.srv.cfg.Bool("rdbcompression") {
		z = rdb.NewCompressor()
	}
	var b []byte
	if obj := e.Object(); obj != nil {
		var err error
		if b, err = appendObjectRDB(nil, obj, z); err != nil {
			return nil, err
		}
	} else {
		b = append(b, rdb.TypeString)
		if n, ok := e.Int(); ok {
			b = rdb.AppendInt(b, n)
		} else {
			b = rdb.AppendString(b, e.Bytes(nil), z)
		}
	}
	return rdb.AppendDumpFooter(b), nil
}

func dumpCommand(c *Client) {
	e := c.db.Lookup(c.argv[1], c.now, 0)
	if !e.Exists() {
		c.addNull()
		return
	}
	payload, err := c.dumpPayload(e)
	if err != nil {
		c.addError("ERR " + err.Error())
		return
	}
	c.addBulk(payload)
}

func restoreCommand(c *Client) {
	var replace, absTTL bool
	idle, freq := int64(-1), int64(-1)
	for j := 4; j < len(c.argv); j++ {
		more := len(c.argv) - j - 1
		switch a := c.argv[j]; {
		case argIs(a, "replace"):
			replace = true
		case argIs(a, "absttl"):
			absTTL = true
		case argIs(a, "idletime") && more >= 1 && freq == -1:
			n, ok := c.argInt(j + 1)
			if !ok {
				return
			}
			if n < 0 {
				c.addError("ERR Invalid IDLETIME value, must be >= 0")
				return
			}
			idle = n
			j++
		case argIs(a, "freq") && more >= 1 && idle == -1:
			n, ok := c.argInt(j + 1)
			if !ok {
				return
			}
			if n < 0 || n > 255 {
				c.addError("ERR Invalid FREQ value, must be >= 0 and <= 255")
				return
			}
			freq = n
			j++
		default:
			c.addError(errSyntax)
			return
		}
	}
	key := c.argv[1]
	if !replace && c.db.Lookup(key, c.now, keyspace.NoTouch|keyspace.NoStats).Exists() {
		c.addError("BUSYKEY Target key name already exists.")
		return
	}
	ttl, ok := c.argInt(2)
	if !ok {
		return
	}
	if ttl < 0 {
		c.addError("ERR Invalid TTL value, must be >= 0")
		return
	}
	var v rdb.Value
	if err := rdb.DecodeDump(c.argv[3], &v, false); err != nil {
		if errors.Is(err, rdb.ErrDumpFooter) {
			c.addError("ERR DUMP payload version or checksum are wrong")
		} else {
			c.addError("ERR Bad data format")
		}
		return
	}
	var obj keyspace.Object
	if v.Kind != rdb.KindString {
		var err error
		if obj, err = c.srv.objectFromRDB(&v); err != nil || obj == nil {
			c.addError("ERR Bad data format")
			return
		}
	}
	deleted := false
	if replace {
		deleted = c.db.Delete(key, c.now)
	}
	if ttl != 0 && !absTTL {
		ttl += c.now
	}
	if ttl != 0 && ttl <= c.now && !c.srv.keepsExpiredKeys() {
		if deleted {
			c.modified(key)
			c.notify(config.NotifyGeneric, "del", key)
			c.propArgv = [][]byte{[]byte("DEL"), key}
		}
		c.addOK()
		return
	}
	if obj != nil {
		c.db.SetObject(key, obj, false)
		if ttl != 0 {
			c.db.SetExpire(key, ttl)
		}
	} else {
		val := v.Str
		if v.IsInt {
			val = strconv.AppendInt(nil, v.Int, 10)
		}
		c.db.SetString(key, val, keyspace.SetOpts{ExpireAt: ttl})
	}
	if ttl != 0 && !absTTL {
		// Replicas and the AOF get the absolute time.
		argv := append([][]byte(nil), c.argv...)
		argv[2] = []byte(strconv.FormatInt(ttl, 10))
		c.propArgv = append(argv, []byte("ABSTTL"))
	}
	e := c.db.Lookup(key, c.now, keyspace.NoTouch|keyspace.NoStats)
	c.db.SetIdle(e, idle)
	c.db.SetFreq(e, int(freq))
	c.modified(key)
	c.notify(config.NotifyGeneric, "restore", key)
	c.keyReady(key)
	c.addOK()
}

// keepsExpiredKeys reports whether commands must set expire times in the
// past instead of deleting the key at once: on replicas (the primary
// sends the DEL) and while the AOF is replayed (the dataset must evolve
// as it did when the commands first ran).
func (s *Server) keepsExpiredKeys() bool { return s.isReplica() || s.persist.loading.Load() }
