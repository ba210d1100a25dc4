package server

import (
	"fmt"
	"sort"
	"strings"
)

// CmdFlags are a command's properties. The dispatcher enforces them.
type CmdFlags uint32

// Command flags. The first group mirrors Redis's command flags (COMMAND
// INFO prints them); the last ones are the engine's own.
const (
	FlagWrite CmdFlags = 1 << iota
	FlagReadOnly
	FlagDenyOOM
	FlagModule
	FlagAdmin
	FlagPubSub
	FlagNoScript
	FlagBlocking
	FlagLoading
	FlagStale
	FlagSkipMonitor
	FlagSkipSlowlog
	FlagFast
	FlagNoAuth
	FlagMayReplicate
	FlagNoMandatoryKeys
	FlagNoAsyncLoading
	FlagNoMulti
	FlagMovableKeys
	FlagAllowBusy

	// FlagExclusive runs the command with every other command stopped
	// (the server's write lock): commands that touch keys not named in
	// their arguments or change the whole keyspace.
	FlagExclusive
)

var flagNames = []struct {
	f    CmdFlags
	name string
}{
	{FlagWrite, "write"}, {FlagReadOnly, "readonly"}, {FlagDenyOOM, "denyoom"}, {FlagModule, "module"},
	{FlagAdmin, "admin"}, {FlagPubSub, "pubsub"}, {FlagNoScript, "noscript"}, {FlagBlocking, "blocking"},
	{FlagLoading, "loading"}, {FlagStale, "stale"}, {FlagSkipMonitor, "skip_monitor"},
	{FlagSkipSlowlog, "skip_slowlog"}, {FlagFast, "fast"}, {FlagNoAuth, "no_auth"},
	{FlagMayReplicate, "may_replicate"}, {FlagNoMandatoryKeys, "no_mandatory_keys"},
	{FlagNoAsyncLoading, "no_async_loading"}, {FlagNoMulti, "no_multi"}, {FlagMovableKeys, "movablekeys"},
	{FlagAllowBusy, "allow_busy"},
}

func parseFlags(s string) CmdFlags {
	var f CmdFlags
	for _, w := range strings.Fields(s) {
		if w == "exclusive" {
			f |= FlagExclusive
			continue
		}
		found := false
		for _, fn := range flagNames {
			if fn.name == w {
				f |= fn.f
				found = true
			}
		}
		if !found {
			panic("server: unknown command flag " + w)
		}
	}
	return f
}

// Command is one entry of the command table. Tables are plain data: each
// data-type file returns its commands and the server registers them in one
// place.
type Command struct {
	Name  string // lower case
	Arity int    // > 0: exact argument count; < 0: at least -Arity
	// Flags, space separated, as COMMAND INFO prints them, plus "exclusive".
	Flags string
	// ACL lists the ACL categories, as COMMAND INFO prints them.
	ACL string
	// Tips are the command tips (request/response policies...).
	Tips []string
	// Keys describe where the key names are; the dispatcher locks them.
	Keys []KeySpec
	// Handler runs the command with its keys' shards locked.
	Handler func(c *Client)
	// Exclusive, when set, decides per call whether the command needs the
	// exclusive lock (COPY ... DB n reaches another database).
	Exclusive func(argv [][]byte) bool
	// Sub holds subcommands (CONFIG GET...); with two or more arguments
	// the second must name one (else an unknown-subcommand error), and
	// Handler, if any, runs the command alone (COMMAND).
	Sub []*Command
	// Group, Since and Summary feed COMMAND DOCS.
	Group, Since, Summary, Complexity string
	// Args describes the arguments for COMMAND DOCS (syntax in cmddocs.go).
	Args string

	flags                      CmdFlags
	fullName                   string // "config|get"
	parent                     *Command
	sub                        map[string]*Command
	firstKey, lastKey, keyStep int
	id                         int
	singleKey                  bool // exactly one key, at argv[1]
	argDocs                    []*argDoc
}

// commandMaker builds table entries positionally, for the tables that
// list their commands one per line (strings, bitmaps).
type commandMaker func(name string, arity int, flags, acl string, keys []KeySpec, h func(*Client), since, summary, cx string) *Command

// commandsOf returns the commandMaker of a COMMAND DOCS group.
func commandsOf(group string) commandMaker {
	return func(name string, arity int, flags, acl string, keys []KeySpec, h func(*Client), since, summary, cx string) *Command {
		return &Command{Name: name, Arity: arity, Flags: flags, ACL: acl, Keys: keys, Handler: h,
			Group: group, Since: since, Summary: summary, Complexity: cx}
	}
}

// nameCache remembers the command a client last named.
type nameCache struct {
	name []byte
	cmd  *Command
}

// KeySpec locates keys in the arguments, after Redis's key specs: a
// begin-search step (an index, or a keyword) then a find-keys step (a
// range, or a key count read from the arguments).
type KeySpec struct {
	Flags string // "RW access update" ...
	Notes string

	Index     int    // begin at this argument index (index search)
	Keyword   string // or after this keyword (keyword search)
	StartFrom int    // where the keyword search starts (negative: from the end)

	// Range find: keys up to LastKey (relative to the first key; -1 the
	// last argument, -2 the one before...), every KeyStep arguments,
	// Limit > 1 taking 1/Limit of the remaining arguments.
	LastKey, KeyStep, Limit int
	// KeyNum find: the number of keys is at KeyNumIdx, the first key at
	// FirstKey, both relative to the begin position.
	KeyNum              bool
	KeyNumIdx, FirstKey int
	// Unknown marks specs Redis cannot describe (SORT's BY/GET/STORE).
	Unknown bool
}

// keyRange is the common key spec: keys from argument first to lastKey
// (relative, -1 = to the end), every step arguments.
func keyRange(flags string, first, lastKey, step int) KeySpec {
	return KeySpec{Flags: flags, Index: first, LastKey: lastKey, KeyStep: step}
}

// one is a key spec for a single key at argument i.
func one(flags string, i int) []KeySpec { return []KeySpec{keyRange(flags, i, 0, 1)} }

// commandTable holds the registered commands.
type commandTable struct {
	byName map[string]*Command
	all    []*Command // every command and subcommand, by id
}

func newCommandTable(groups ...[]*Command) *commandTable {
	t := &commandTable{byName: map[string]*Command{}}
	for _, g := range groups {
		for _, c := range g {
			if _, dup := t.byName[c.Name]; dup {
				panic("server: command registered twice: " + c.Name)
			}
			t.byName[c.Name] = c
			t.prepare(c, nil)
		}
	}
	return t
}

func (t *commandTable) prepare(c *Command, parent *Command) {
	c.flags = parseFlags(c.Flags)
	c.parent = parent
	c.fullName = c.Name
	if parent != nil {
		c.fullName = parent.Name + "|" + c.Name
	}
	c.firstKey, c.lastKey, c.keyStep = legacyRange(c.Keys)
	c.singleKey = len(c.Keys) == 1 && c.Keys[0].Index == 1 && c.Keys[0].LastKey == 0 && c.Keys[0].Keyword == "" &&
		!c.Keys[0].KeyNum && !c.Keys[0].Unknown && c.Keys[0].Limit <= 1
	for _, k := range c.Keys {
		if k.Keyword != "" || k.KeyNum || k.Unknown || k.Limit > 1 {
			c.flags |= FlagMovableKeys
		}
	}
	if c.Args == "" {
		c.Args = coreArgSyntax[c.fullName]
	}
	if c.Args != "" {
		c.argDocs = parseArgDocs(c.Args)
	}
	c.id = len(t.all)
	t.all = append(t.all, c)
	if len(c.Sub) > 0 {
		c.sub = map[string]*Command{}
		for _, s := range c.Sub {
			c.sub[s.Name] = s
			t.prepare(s, c)
		}
	}
}

// legacyRange derives COMMAND's first/last/step from the key specs the
// way Redis does: the union of the plain index+range specs.
func legacyRange(specs []KeySpec) (first, last, step int) {
	for _, k := range specs {
		if k.Index == 0 || k.KeyNum || k.Unknown || k.Limit > 1 {
			continue
		}
		f, l := k.Index, k.LastKey
		if l >= 0 {
			l = f + l
		}
		if first == 0 {
			first, last, step = f, l, k.KeyStep
			continue
		}
		if f < first {
			first = f
		}
		if l < 0 || last < 0 {
			last = min(l, last)
		} else if l > last {
			last = l
		}
	}
	return first, last, step
}

// lookup finds a command by name, case-insensitively, without allocating.
func (t *commandTable) lookup(name []byte) *Command {
	var buf [32]byte
	if len(name) > len(buf) {
		return t.byName[strings.ToLower(string(name))]
	}
	for i, ch := range name {
		if ch >= 'A' && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		buf[i] = ch
	}
	return t.byName[string(buf[:len(name)])]
}

// keyPositions appends the argument indexes of argv's keys to dst.
func (c *Command) keyPositions(argv [][]byte, dst []int) []int {
	for _, k := range c.Keys {
		dst = k.positions(argv, dst)
	}
	return dst
}

func (k *KeySpec) positions(argv [][]byte, dst []int) []int {
	if k.Unknown {
		return dst
	}
	begin := k.Index
	if k.Keyword != "" {
		begin = 0
		start, end, step := k.StartFrom, len(argv), 1
		if start < 0 {
			start, end, step = len(argv)+start, 0, -1
		}
		for i := start; i != end && i >= 0 && i < len(argv); i += step {
			if strings.EqualFold(string(argv[i]), k.Keyword) {
				begin = i + 1
				break
			}
		}
		if begin == 0 {
			return dst
		}
	}
	if begin <= 0 || begin >= len(argv) {
		return dst
	}
	if k.KeyNum {
		ni := begin + k.KeyNumIdx
		if ni >= len(argv) {
			return dst
		}
		n := 0
		fmt.Sscan(string(argv[ni]), &n)
		first := begin + k.FirstKey
		step := max(k.KeyStep, 1)
		for i := 0; i < n && first+i*step < len(argv); i++ {
			dst = append(dst, first+i*step)
		}
		return dst
	}
	last := begin + k.LastKey
	if k.LastKey < 0 {
		last = len(argv) + k.LastKey
		if k.Limit > 1 {
			last = begin + (len(argv)-begin)/k.Limit - 1
		}
	}
	step := max(k.KeyStep, 1)
	for i := begin; i <= last && i < len(argv); i += step {
		dst = append(dst, i)
	}
	return dst
}

// sortedNames returns the registered top-level command names, sorted.
func (t *commandTable) sortedNames() []string {
	names := make([]string, 0, len(t.byName))
	for n := range t.byName {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
