// Package config holds the engine's configuration: the table of Redis
// parameters, redis.conf and command-line parsing with redis-server's error
// messages, and the live values CONFIG GET/SET/REWRITE read and change.
package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/redisctl/redisctl/engine/glob"
	"github.com/redisctl/redisctl/engine/resp"
)

// Kind is how a parameter's value is parsed and printed.
type Kind int

// Parameter kinds.
const (
	String  Kind = iota
	Bool         // yes | no
	Int          // decimal integer within [Min, Max]
	Memory       // bytes with an optional unit: 1k 1kb 1m 1mb 1g 1gb
	Enum         // one of Enum
	Special      // parsed by a parameter-specific function
)

// Flags qualify a parameter.
type Flags uint8

// Parameter flags.
const (
	// Immutable parameters can be set at start only, not by CONFIG SET.
	Immutable Flags = 1 << iota
	// Protected parameters need enable-protected-configs to be CONFIG SET.
	Protected
	// MultiArg parameters take several arguments; given one non-empty
	// argument in a file or on the command line, it is split on spaces
	// (Redis 7's MULTI_ARG_CONFIG: --save "3600 1 300 100").
	MultiArg
)

// Param describes one configuration parameter.
type Param struct {
	Name     string
	Alias    string // when set, this name is another spelling of Alias
	Kind     Kind
	Default  string
	Min, Max int64
	Enum     []string
	Flags    Flags
}

// Config is the live configuration of one server. It is safe for
// concurrent use.
type Config struct {
	mu      sync.RWMutex
	vals    map[string]*value // by canonical name
	byName  map[string]*Param // every name, aliases included
	file    string            // absolute path of the config file, if any
	loading bool              // true while reading the file: allows immutables
	saveSet bool              // a save directive has been read from the file

	// Renames holds rename-command directives (old name → new name, "" to
	// disable), applied by the server to its command table.
	Renames map[string]string
	// Users holds user directives (ACL rules) verbatim.
	Users [][]string

	hooks []func(name string) error
}

type value struct {
	p   *Param
	str string // canonical text, as CONFIG GET prints it
	n   int64  // parsed number for Bool (0/1), Int, Memory and Enum (index)
}

// New returns a configuration holding the defaults.
func New() *Config {
	c := &Config{
		vals:    make(map[string]*value, len(params)),
		byName:  make(map[string]*Param, len(params)),
		Renames: map[string]string{},
	}
	for i := range params {
		p := &params[i]
		c.byName[p.Name] = p
		if p.Alias != "" {
			continue
		}
		v := &value{p: p}
		if err := c.parseInto(v, splitValue(p, p.Default)); err != nil {
			panic(fmt.Sprintf("config: bad default for %s: %v", p.Name, err))
		}
		c.vals[p.Name] = v
	}
	if wd, err := os.Getwd(); err == nil {
		c.vals["dir"].str = wd
	}
	return c
}

// Lookup returns the parameter called name (case-insensitive, aliases
// resolved) or nil.
func (c *Config) Lookup(name string) *Param {
	p := c.byName[strings.ToLower(name)]
	if p != nil && p.Alias != "" {
		p = c.byName[p.Alias]
	}
	return p
}

// OnChange registers f to be called after CONFIG SET changes a parameter
// (with its canonical name), before the reply. An error makes CONFIG SET
// fail and restores the previous values.
func (c *Config) OnChange(f func(name string) error) {
	c.mu.Lock()
	c.hooks = append(c.hooks, f)
	c.mu.Unlock()
}

// File returns the absolute path of the config file, or "".
func (c *Config) File() string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.file
}

// Get returns the canonical text of a parameter ("" if unknown).
func (c *Config) Get(name string) string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if v := c.val(name); v != nil {
		return v.str
	}
	return ""
}

// Int returns the number of a Bool (0/1), Int, Memory or Enum (index)
// parameter.
func (c *Config) Int(name string) int64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if v := c.val(name); v != nil {
		return v.n
	}
	return 0
}

// Bool returns a yes/no parameter.
func (c *Config) Bool(name string) bool { return c.Int(name) != 0 }

// Path returns a file-name parameter resolved against dir, the way Redis
// resolves them after its chdir to dir.
func (c *Config) Path(name string) string {
	p := c.Get(name)
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(c.Get("dir"), p)
}

func (c *Config) val(name string) *value {
	p := c.Lookup(name)
	if p == nil {
		return nil
	}
	return c.vals[p.Name]
}

// Pair is one name/value of a CONFIG GET reply.
type Pair struct{ Name, Value string }

// Match returns the parameters (aliases included) whose name matches the
// glob pattern, sorted by name.
func (c *Config) Match(pattern string) []Pair {
	c.mu.RLock()
	defer c.mu.RUnlock()
	var out []Pair
	if p, ok := c.byName[strings.ToLower(pattern)]; ok {
		return []Pair{{p.Name, c.val(p.Name).str}}
	}
	for name := range c.byName {
		if glob.MatchString(pattern, name, true) {
			out = append(out, Pair{name, c.val(name).str})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// SetError is a CONFIG SET failure; Error() is Redis's reply text.
type SetError struct {
	Name string // the parameter, or "" when none applies
	Msg  string
}

func (e *SetError) Error() string {
	if e.Name == "" {
		return e.Msg
	}
	return fmt.Sprintf("ERR CONFIG SET failed (possibly related to argument '%s') - %s", e.Name, e.Msg)
}

// Set applies CONFIG SET name value [name value ...] atomically: every
// value is validated first, then all are applied and the change hooks run;
// if a hook fails every parameter is restored.
func (c *Config) Set(pairs [][2]string) error {
	c.mu.Lock()
	type change struct {
		v       *value
		old     value
		newVal  value
		display string
	}
	changes := make([]change, 0, len(pairs))
	seen := map[string]bool{}
	for _, kv := range pairs {
		p := c.Lookup(kv[0])
		if p == nil {
			c.mu.Unlock()
			return &SetError{Msg: fmt.Sprintf("ERR Unknown option or number of arguments for CONFIG SET - '%s'", kv[0])}
		}
		// Redis names the argument as the client spelled it, except in
		// value errors; an alias and its parameter are distinct names.
		display := strings.ToLower(kv[0])
		switch {
		case p.Flags&Immutable != 0:
			c.mu.Unlock()
			return &SetError{kv[0], "can't set immutable config"}
		case p.Flags&Protected != 0 && c.vals["enable-protected-configs"].str == "no":
			c.mu.Unlock()
			return &SetError{kv[0], "can't set protected config"}
		case seen[display]:
			c.mu.Unlock()
			return &SetError{kv[0], "duplicate parameter"}
		}
		seen[display] = true
		v := c.vals[p.Name]
		nv := value{p: p, str: v.str}
		if err := c.parseInto(&nv, splitValue(p, kv[1])); err != nil {
			c.mu.Unlock()
			return &SetError{display, err.Error()}
		}
		changes = append(changes, change{v: v, old: *v, newVal: nv, display: display})
	}
	for _, ch := range changes {
		*ch.v = ch.newVal
	}
	hooks := c.hooks
	c.mu.Unlock()

	for _, ch := range changes {
		for _, h := range hooks {
			if err := h(ch.v.p.Name); err != nil {
				c.mu.Lock()
				for _, r := range changes {
					*r.v = r.old
				}
				c.mu.Unlock()
				for _, r := range changes {
					for _, h := range hooks {
						_ = h(r.v.p.Name)
					}
				}
				return &SetError{ch.display, err.Error()}
			}
		}
	}
	return nil
}

// splitValue turns a CONFIG SET value into arguments: multi-argument
// parameters take a space-separated list in one string.
func splitValue(p *Param, s string) []string {
	if p.Kind != Special {
		return []string{s}
	}
	switch p.Name {
	case "maxmemory-clients", "dir", "unixsocketperm", "notify-keyspace-events":
		return []string{s}
	}
	f := strings.Fields(s)
	if len(f) == 0 {
		return []string{""}
	}
	return f
}

// parseInto parses args into v according to its parameter's kind. Error
// texts are Redis's.
func (c *Config) parseInto(v *value, args []string) error {
	p := v.p
	if p.Kind == Special {
		return c.parseSpecial(v, args)
	}
	if len(args) != 1 {
		return errors.New("wrong number of arguments")
	}
	a := args[0]
	switch p.Kind {
	case Bool:
		switch strings.ToLower(a) {
		case "yes":
			v.str, v.n = "yes", 1
		case "no":
			v.str, v.n = "no", 0
		default:
			return errors.New("argument must be 'yes' or 'no'")
		}
	case Int:
		n, ok := resp.ParseInt([]byte(a))
		if !ok {
			return errors.New("argument couldn't be parsed into an integer")
		}
		if n < p.Min || n > p.Max {
			return fmt.Errorf("argument must be between %d and %d inclusive", p.Min, p.Max)
		}
		if p.Name == "hz" {
			n = min(max(n, 1), 500)
		}
		v.str, v.n = strconv.FormatInt(n, 10), n
	case Memory:
		n, ok := ParseMemory(a)
		if !ok {
			return errors.New("argument must be a memory value")
		}
		if n < p.Min || n > p.Max {
			return fmt.Errorf("argument must be between %d and %d inclusive", p.Min, p.Max)
		}
		v.str, v.n = strconv.FormatInt(n, 10), n
	case Enum:
		for i, e := range p.Enum {
			if strings.EqualFold(a, e) {
				v.str, v.n = e, int64(i)
				return nil
			}
		}
		return fmt.Errorf("argument(s) must be one of the following: %s", strings.Join(p.Enum, ", "))
	default:
		v.str = a
	}
	return nil
}

// ParseMemory parses a Redis memory value: digits with an optional
// case-insensitive unit b, k, kb, m, mb, g, gb (k = 1000, kb = 1024).
func ParseMemory(s string) (int64, bool) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	var mul uint64
	switch strings.ToLower(s[i:]) {
	case "", "b":
		mul = 1
	case "k":
		mul = 1000
	case "kb":
		mul = 1024
	case "m":
		mul = 1000 * 1000
	case "mb":
		mul = 1024 * 1024
	case "g":
		mul = 1000 * 1000 * 1000
	case "gb":
		mul = 1024 * 1024 * 1024
	default:
		return 0, false
	}
	if i == 0 {
		return 0, false
	}
	n, err := strconv.ParseUint(s[:i], 10, 64)
	if err != nil || n > (1<<63-1)/mul {
		return 0, false
	}
	return int64(n * mul), true
}

// FormatMemory prints bytes the way INFO's *_human fields do (1.50M).
func FormatMemory(n int64) string {
	f := float64(n)
	switch {
	case n < 1024:
		return strconv.FormatInt(n, 10) + "B"
	case n < 1024*1024:
		return fmt.Sprintf("%.2fK", f/1024)
	case n < 1024*1024*1024:
		return fmt.Sprintf("%.2fM", f/(1024*1024))
	case n < 1024*1024*1024*1024:
		return fmt.Sprintf("%.2fG", f/(1024*1024*1024))
	case n < 1024*1024*1024*1024*1024:
		return fmt.Sprintf("%.2fT", f/(1024*1024*1024*1024))
	default:
		return fmt.Sprintf("%.2fP", f/(1024*1024*1024*1024*1024))
	}
}
