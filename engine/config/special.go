package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Keyspace notification classes (notify-keyspace-events), with Redis's bit
// values.
const (
	NotifyKeyspace = 1 << iota // K
	NotifyKeyevent             // E
	NotifyGeneric              // g
	NotifyString               // $
	NotifyList                 // l
	NotifySet                  // s
	NotifyHash                 // h
	NotifyZSet                 // z
	NotifyExpired              // x
	NotifyEvicted              // e
	NotifyStream               // t
	NotifyKeyMiss              // m
	NotifyLoaded               // module key loaded (never set by flags)
	NotifyModule               // d
	NotifyNew                  // n

	NotifyAll = NotifyGeneric | NotifyString | NotifyList | NotifySet | NotifyHash |
		NotifyZSet | NotifyExpired | NotifyEvicted | NotifyStream | NotifyModule
)

// ParseNotifyFlags parses a notify-keyspace-events string.
func ParseNotifyFlags(s string) (int, bool) {
	flags := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case 'A':
			flags |= NotifyAll
		case 'g':
			flags |= NotifyGeneric
		case '$':
			flags |= NotifyString
		case 'l':
			flags |= NotifyList
		case 's':
			flags |= NotifySet
		case 'h':
			flags |= NotifyHash
		case 'z':
			flags |= NotifyZSet
		case 'x':
			flags |= NotifyExpired
		case 'e':
			flags |= NotifyEvicted
		case 'K':
			flags |= NotifyKeyspace
		case 'E':
			flags |= NotifyKeyevent
		case 't':
			flags |= NotifyStream
		case 'm':
			flags |= NotifyKeyMiss
		case 'd':
			flags |= NotifyModule
		case 'n':
			flags |= NotifyNew
		default:
			return 0, false
		}
	}
	return flags, true
}

// FormatNotifyFlags prints flags the way CONFIG GET does.
func FormatNotifyFlags(flags int) string {
	var b strings.Builder
	if flags&NotifyAll == NotifyAll {
		b.WriteByte('A')
	} else {
		for _, f := range []struct {
			bit int
			ch  byte
		}{{NotifyGeneric, 'g'}, {NotifyString, '$'}, {NotifyList, 'l'}, {NotifySet, 's'},
			{NotifyHash, 'h'}, {NotifyZSet, 'z'}, {NotifyExpired, 'x'}, {NotifyEvicted, 'e'},
			{NotifyStream, 't'}, {NotifyModule, 'd'}, {NotifyNew, 'n'}} {
			if flags&f.bit != 0 {
				b.WriteByte(f.ch)
			}
		}
	}
	if flags&NotifyKeyspace != 0 {
		b.WriteByte('K')
	}
	if flags&NotifyKeyevent != 0 {
		b.WriteByte('E')
	}
	if flags&NotifyKeyMiss != 0 {
		b.WriteByte('m')
	}
	return b.String()
}

// Output buffer limit classes, in the order CONFIG GET prints them.
var outputClasses = []string{"normal", "slave", "pubsub"}

// OutputLimit is one client-output-buffer-limit class.
type OutputLimit struct {
	Hard, Soft  int64
	SoftSeconds int64
}

func (c *Config) parseSpecial(v *value, args []string) error {
	switch v.p.Name {
	case "save":
		return parseSave(v, args)
	case "bind":
		if len(args) > 16 {
			return errors.New("Too many bind addresses specified.")
		}
		v.str = strings.Join(args, " ")
	case "client-output-buffer-limit":
		return parseOutputLimits(v, args)
	case "notify-keyspace-events":
		if len(args) != 1 {
			return errors.New("wrong number of arguments")
		}
		flags, ok := ParseNotifyFlags(args[0])
		if !ok {
			return errors.New("Invalid event class character. Use 'Ag$lshzxeKEtmdn'.")
		}
		v.str, v.n = FormatNotifyFlags(flags), int64(flags)
	case "oom-score-adj-values":
		if len(args) != 3 {
			return errors.New("wrong number of arguments")
		}
		for _, a := range args {
			n, err := strconv.Atoi(a)
			if err != nil || n < -2000 || n > 2000 {
				return errors.New("Invalid oom-score-adj-values, elements must be between -2000 and 2000.")
			}
		}
		v.str = strings.Join(args, " ")
	case "latency-tracking-info-percentiles":
		return parsePercentiles(v, args)
	case "dir":
		return parseDir(v, args)
	case "replicaof":
		return parseReplicaOf(v, args)
	case "maxmemory-clients":
		if len(args) != 1 {
			return errors.New("wrong number of arguments")
		}
		a := args[0]
		if strings.HasSuffix(a, "%") {
			n, err := strconv.ParseInt(a[:len(a)-1], 10, 64)
			if err != nil || n < 0 || n > 100 {
				return errors.New("argument must be a memory or percent value")
			}
			v.str, v.n = a, -n
			return nil
		}
		n, ok := ParseMemory(a)
		if !ok {
			return errors.New("argument must be a memory or percent value")
		}
		v.str, v.n = strconv.FormatInt(n, 10), n
	case "unixsocketperm":
		if len(args) != 1 {
			return errors.New("wrong number of arguments")
		}
		n, err := strconv.ParseUint(args[0], 8, 32)
		if err != nil || n > 0777 {
			return errors.New("Invalid socket file permissions")
		}
		v.str, v.n = strconv.FormatUint(n, 8), int64(n)
	default:
		return fmt.Errorf("no parser for %s", v.p.Name)
	}
	return nil
}

func parseSave(v *value, args []string) error {
	if len(args) == 1 && args[0] == "" {
		args = nil
	}
	if len(args)%2 != 0 {
		return errors.New("Invalid save parameters")
	}
	out := make([]string, 0, len(args))
	for i, a := range args {
		n, err := strconv.ParseInt(a, 10, 64)
		if err != nil || (i%2 == 0 && n < 1) || (i%2 == 1 && n < 0) {
			return errors.New("Invalid save parameters")
		}
		out = append(out, strconv.FormatInt(n, 10))
	}
	v.str = strings.Join(out, " ")
	return nil
}

func parseOutputLimits(v *value, args []string) error {
	if len(args)%4 != 0 || len(args) == 0 {
		return errors.New("Wrong number of arguments in buffer limit configuration.")
	}
	limits := parseLimitText(v.str)
	for i := 0; i < len(args); i += 4 {
		class := strings.ToLower(args[i])
		if class == "replica" {
			class = "slave"
		}
		idx := -1
		for j, c := range outputClasses {
			if c == class {
				idx = j
			}
		}
		if idx < 0 {
			return errors.New("Invalid client class specified in buffer limit configuration.")
		}
		hard, ok1 := ParseMemory(args[i+1])
		soft, ok2 := ParseMemory(args[i+2])
		secs, err := strconv.ParseInt(args[i+3], 10, 64)
		if !ok1 || !ok2 || err != nil || secs < 0 {
			return errors.New("Error in hard, soft or soft_seconds setting in buffer limit configuration.")
		}
		limits[idx] = OutputLimit{hard, soft, secs}
	}
	parts := make([]string, 0, 12)
	for i, c := range outputClasses {
		l := limits[i]
		parts = append(parts, c, strconv.FormatInt(l.Hard, 10), strconv.FormatInt(l.Soft, 10), strconv.FormatInt(l.SoftSeconds, 10))
	}
	v.str = strings.Join(parts, " ")
	return nil
}

func parseLimitText(s string) [3]OutputLimit {
	var limits [3]OutputLimit
	f := strings.Fields(s)
	for i := 0; i+3 < len(f); i += 4 {
		for j, c := range outputClasses {
			if c == f[i] {
				h, _ := strconv.ParseInt(f[i+1], 10, 64)
				so, _ := strconv.ParseInt(f[i+2], 10, 64)
				se, _ := strconv.ParseInt(f[i+3], 10, 64)
				limits[j] = OutputLimit{h, so, se}
			}
		}
	}
	return limits
}

func parsePercentiles(v *value, args []string) error {
	if len(args) == 1 && args[0] == "" {
		args = nil
	}
	out := make([]string, 0, len(args))
	for _, a := range args {
		f, err := strconv.ParseFloat(a, 64)
		if err != nil {
			return errors.New("Invalid latency-tracking-info-percentiles parameters")
		}
		if f < 0 || f > 100 {
			return errors.New("latency-tracking-info-percentiles parameters should sit between [0.0,100.0]")
		}
		out = append(out, strconv.FormatFloat(f, 'f', -1, 64))
	}
	v.str = strings.Join(out, " ")
	return nil
}

func parseDir(v *value, args []string) error {
	if len(args) != 1 {
		return errors.New("wrong number of arguments")
	}
	if args[0] == "" {
		// Only the built-in default: New fills in the working directory.
		v.str = ""
		return nil
	}
	abs, err := filepath.Abs(args[0])
	if err != nil {
		return err
	}
	st, err := os.Stat(abs)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return errors.New(capitalize(err.Error()))
	}
	if !st.IsDir() {
		return errors.New("Not a directory")
	}
	v.str = abs
	return nil
}

func parseReplicaOf(v *value, args []string) error {
	if len(args) == 1 && args[0] == "" {
		v.str = ""
		return nil
	}
	if len(args) != 2 {
		return errors.New("wrong number of arguments")
	}
	if strings.EqualFold(args[0], "no") && strings.EqualFold(args[1], "one") {
		v.str = ""
		return nil
	}
	port, err := strconv.Atoi(args[1])
	if err != nil || port < 0 || port > 65535 {
		return errors.New("Invalid master port")
	}
	v.str = args[0] + " " + args[1]
	return nil
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// SavePoints returns the save <seconds> <changes> pairs.
func (c *Config) SavePoints() [][2]int64 {
	f := strings.Fields(c.Get("save"))
	out := make([][2]int64, 0, len(f)/2)
	for i := 0; i+1 < len(f); i += 2 {
		s, _ := strconv.ParseInt(f[i], 10, 64)
		n, _ := strconv.ParseInt(f[i+1], 10, 64)
		out = append(out, [2]int64{s, n})
	}
	return out
}

// Binds returns the bind addresses.
func (c *Config) Binds() []string { return strings.Fields(c.Get("bind")) }

// OutputLimits returns the client-output-buffer-limit classes: normal,
// replica, pubsub.
func (c *Config) OutputLimits() (normal, replica, pubsub OutputLimit) {
	l := parseLimitText(c.Get("client-output-buffer-limit"))
	return l[0], l[1], l[2]
}
