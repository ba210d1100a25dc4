package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/redisctl/redisctl/engine/resp"
)

// RedisVersion is the Redis release whose behaviour the engine reproduces;
// it is what INFO, HELLO and error banners report.
const RedisVersion = "7.0.15"

// FileError is a configuration error at a line of the combined config text
// (the file followed by the command-line directives). Error() is the banner
// redis-server prints before exiting.
type FileError struct {
	Line int
	Text string
	Msg  string
}

func (e *FileError) Error() string {
	return fmt.Sprintf("\n*** FATAL CONFIG FILE ERROR (Redis %s) ***\nReading the configuration file, at line %d\n>>> '%s'\n%s",
		RedisVersion, e.Line, e.Text, e.Msg)
}

// OpenError is a config file that cannot be read. Error() is Redis's text.
type OpenError struct {
	Path string
	Err  error
}

func (e *OpenError) Error() string {
	return fmt.Sprintf("Fatal error, can't open config file '%s': %s", e.Path, capitalize(errnoText(e.Err)))
}

func errnoText(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}

// deprecated directives Redis 7.0 still accepts in a config file and ignores.
var deprecated = map[string]bool{
	"list-max-ziplist-entries": true, "list-max-ziplist-value": true, "lua-replicate-commands": true,
}

// SplitCommandLine splits redis-server's arguments into the config file
// path (the first argument, when it does not start with "--") and the
// config text the remaining "--name value..." arguments stand for, built
// the way redis-server builds it so error line numbers and quoting match.
func SplitCommandLine(args []string) (path, options string) {
	if len(args) > 0 && !strings.HasPrefix(args[0], "--") {
		path, args = args[0], args[1:]
	}
	var b strings.Builder
	haveValue := true // the last option got at least one value
	for j, a := range args {
		if haveValue && strings.HasPrefix(a, "--") {
			if b.Len() > 0 {
				b.WriteByte('\n')
			}
			b.WriteString(a[2:])
			b.WriteByte(' ')
			if len(strings.Fields(a)) > 1 {
				continue // "--port 6380" in one argument
			}
			haveValue = false
			next := j+1 < len(args) && strings.HasPrefix(args[j+1], "--")
			if strings.EqualFold(a, "--save") && (next || j == len(args)-1) {
				b.WriteString(`""`)
				haveValue = true
			}
			continue
		}
		b.WriteString(Quote(a))
		b.WriteByte(' ')
		haveValue = true
	}
	return path, b.String()
}

// Quote returns s in double quotes with C-style escapes, as Redis's
// sdscatrepr writes it (and as SplitArgs reads it back).
func Quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\\', '"':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\a':
			b.WriteString(`\a`)
		case '\b':
			b.WriteString(`\b`)
		default:
			if c < 0x20 || c >= 0x7f {
				fmt.Fprintf(&b, `\x%02x`, c)
			} else {
				b.WriteByte(c)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// Load builds a configuration from redis-server style arguments: an
// optional config file path followed by --name value... directives.
func Load(args []string) (*Config, error) {
	c := New()
	path, options := SplitCommandLine(args)
	text := ""
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, &OpenError{path, err}
		}
		text = string(data)
		if abs, err := filepath.Abs(path); err == nil {
			c.file = abs
		}
	}
	if options != "" {
		text += "\n" + options
	}
	if err := c.LoadText(text); err != nil {
		return nil, err
	}
	return c, nil
}

// LoadText applies config-file text on top of the current values.
func (c *Config) LoadText(text string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.loading = true
	defer func() { c.loading = false }()
	return c.loadLines(text, 0)
}

func (c *Config) loadLines(text string, depth int) error {
	for i, raw := range strings.Split(text, "\n") {
		line := strings.Trim(raw, " \t\r\n")
		if line == "" || line[0] == '#' {
			continue
		}
		if msg := c.loadLine(line, depth); msg != "" {
			return &FileError{Line: i + 1, Text: line, Msg: msg}
		}
	}
	return nil
}

// loadLine applies one directive and returns an error message or "".
func (c *Config) loadLine(line string, depth int) string {
	parts, ok := resp.SplitArgs([]byte(line), nil)
	if !ok {
		return "Unbalanced quotes in configuration line"
	}
	if len(parts) == 0 {
		return ""
	}
	args := make([]string, len(parts)-1)
	for i, p := range parts[1:] {
		args[i] = string(p)
	}
	name := strings.ToLower(string(parts[0]))
	switch {
	case name == "include" && len(args) == 1:
		if depth > 16 {
			return "include nesting too deep"
		}
		data, err := os.ReadFile(args[0])
		if err != nil {
			return (&OpenError{args[0], err}).Error()
		}
		if err := c.loadLines(string(data), depth+1); err != nil {
			return err.(*FileError).Msg
		}
		return ""
	case name == "rename-command" && len(args) == 2:
		c.Renames[strings.ToLower(args[0])] = args[1]
		return ""
	case name == "user" && len(args) >= 1:
		c.Users = append(c.Users, args)
		return ""
	case deprecated[name]:
		return ""
	}
	p := c.Lookup(name)
	if p == nil {
		return "Bad directive or wrong number of arguments"
	}
	if p.Kind != Special && len(args) != 1 {
		return "wrong number of arguments"
	}
	if p.Flags&MultiArg != 0 && len(args) == 1 && args[0] != "" {
		split, ok := resp.SplitArgs([]byte(args[0]), nil)
		if !ok {
			return "Unbalanced quotes in configuration line"
		}
		args = args[:0]
		for _, a := range split {
			args = append(args, string(a))
		}
	}
	v := c.vals[p.Name]
	if p.Name == "save" && c.saveSet && !(len(args) == 1 && args[0] == "") {
		// Every save line after the first adds points to the earlier ones.
		args = append(strings.Fields(v.str), args...)
	}
	nv := value{p: p, str: v.str}
	if err := c.parseInto(&nv, args); err != nil {
		return err.Error()
	}
	if p.Name == "save" {
		c.saveSet = true
	}
	*v = nv
	return ""
}
