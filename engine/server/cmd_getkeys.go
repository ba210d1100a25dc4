package server

import (
	"strings"

	"github.com/redisctl/redisctl/engine/resp"
)

// COMMAND GETKEYS and GETKEYSANDFLAGS: Redis's getKeysFromCommandWithSpecs.
// The key specs are used when they describe the call exactly; when one is
// unknown or incomplete, or a key count or range runs past the arguments,
// Redis falls back to the command's own getkeys function, which returns no
// keys for such calls except where keyGetters has one. SET and BITFIELD
// (variable_flags) always use theirs, for the flags.

// keyRef is a key's argument index and its flags as GETKEYSANDFLAGS
// prints them.
type keyRef struct {
	pos   int
	flags string
}

// keyGetters are the getkeys functions whose result differs from "no keys"
// (argv starts at the command name).
var keyGetters = map[string]func(argv [][]byte) []keyRef{
	"sort":     sortGetKeys,
	"sort_ro":  func([][]byte) []keyRef { return []keyRef{{1, "RO access"}} },
	"set":      setGetKeys,
	"bitfield": bitfieldGetKeys,
}

func commandGetKeys(c *Client, withFlags bool) {
	argv := c.argv[2:]
	cmd := c.srv.cmds.lookup(argv[0])
	if cmd != nil && cmd.sub != nil && len(argv) >= 2 {
		if sub := cmd.sub[strings.ToLower(string(argv[1]))]; sub != nil {
			cmd = sub
		}
	}
	switch {
	case cmd == nil:
		c.addError("ERR Invalid command specified")
		return
	case len(cmd.Keys) == 0 && keyGetters[cmd.fullName] == nil:
		c.addError("ERR The command has no key arguments")
		return
	case (cmd.Arity > 0 && len(argv) != cmd.Arity) || len(argv) < -cmd.Arity:
		c.addError("ERR Invalid number of arguments specified for command")
		return
	}
	keys := commandKeys(cmd, argv)
	if len(keys) == 0 {
		if cmd.flags&FlagNoMandatoryKeys != 0 {
			c.addArrayLen(0)
		} else {
			c.addError("ERR Invalid arguments specified for command")
		}
		return
	}
	c.addArrayLen(len(keys))
	for _, k := range keys {
		if !withFlags {
			c.addBulk(argv[k.pos])
			continue
		}
		c.addArrayLen(2)
		c.addBulk(argv[k.pos])
		c.addSimpleSet(strings.Fields(k.flags))
	}
}

// commandKeys returns the keys of the call argv of cmd as Redis finds them.
func commandKeys(cmd *Command, argv [][]byte) []keyRef {
	getter := keyGetters[cmd.fullName]
	var keys []keyRef
	for _, k := range cmd.Keys {
		if strings.Contains(k.Flags, "variable_flags") {
			break
		}
		var ok bool
		if keys, ok = k.strictPositions(argv, keys); !ok {
			keys = nil
			break
		}
		if strings.Contains(k.Flags, "incomplete") {
			keys = nil
			break
		}
	}
	if keys == nil && getter != nil {
		return getter(argv)
	}
	return keys
}

// strictPositions appends the keys k finds in argv, or reports false when
// the call does not fit the spec (Redis's invalid_spec): an unknown spec, a
// key count that is not a number or is out of range, a range past the end.
// A keyword that is absent finds nothing and is fine.
func (k *KeySpec) strictPositions(argv [][]byte, dst []keyRef) ([]keyRef, bool) {
	if k.Unknown {
		return dst, false
	}
	first := k.Index
	if k.Keyword != "" {
		first = keywordBegin(argv, k.Keyword, k.StartFrom)
		if first == 0 {
			return dst, true
		}
	}
	step := max(k.KeyStep, 1)
	var last int
	switch {
	case k.KeyNum:
		ni := first + k.KeyNumIdx
		if ni >= len(argv) {
			return dst, false
		}
		n, ok := resp.ParseInt(argv[ni])
		if !ok || n < 0 || n > int64(len(argv)) {
			return dst, false
		}
		first += k.FirstKey
		last = first + int(n) - 1
	case k.LastKey >= 0:
		last = first + k.LastKey
	case k.Limit > 1:
		last = first + (len(argv)-first)/k.Limit + k.LastKey
	default:
		last = len(argv) + k.LastKey
	}
	if last >= len(argv) || last < first || first >= len(argv) {
		return dst, false
	}
	for i := first; i <= last; i += step {
		dst = append(dst, keyRef{i, k.Flags})
	}
	return dst, true
}

// keywordBegin returns the index after keyword, searched from startFrom
// (negative: backwards from the end) as Redis's keyword begin-search does,
// or 0 when it is absent.
func keywordBegin(argv [][]byte, keyword string, startFrom int) int {
	start, end := startFrom, len(argv)-1
	if startFrom <= 0 {
		start, end = len(argv)+startFrom, 0
	}
	for i := start; i != end; {
		if i >= len(argv) || i < 1 {
			break
		}
		if strings.EqualFold(string(argv[i]), keyword) {
			return i + 1
		}
		if start <= end {
			i++
		} else {
			i--
		}
	}
	return 0
}

// sortGetKeys is Redis's: the sorted key, and the last STORE's target,
// skipping LIMIT's two arguments and BY's and GET's one.
func sortGetKeys(argv [][]byte) []keyRef {
	keys := []keyRef{{1, "RO access"}}
	store := -1
	for i := 2; i < len(argv); i++ {
		switch {
		case argIs(argv[i], "limit"):
			i += 2
		case argIs(argv[i], "get"), argIs(argv[i], "by"):
			i++
		case argIs(argv[i], "store") && i+1 < len(argv):
			store = i + 1
		}
	}
	if store > 0 {
		keys = append(keys, keyRef{store, "OW update"})
	}
	return keys
}

// setGetKeys: SET overwrites its key, or reads it too with GET.
func setGetKeys(argv [][]byte) []keyRef {
	for _, a := range argv[3:] {
		if argIs(a, "get") {
			return []keyRef{{1, "RW access update"}}
		}
	}
	return []keyRef{{1, "OW update"}}
}

// bitfieldGetKeys: BITFIELD only reads its key when every operation is a
// GET (or OVERFLOW); anything else, syntax errors included, may write.
func bitfieldGetKeys(argv [][]byte) []keyRef {
	for i := 2; i < len(argv); i++ {
		more := len(argv) - i - 1
		switch {
		case argIs(argv[i], "get") && more >= 2:
			i += 2
		case argIs(argv[i], "overflow") && more >= 1:
			i++
		default:
			return []keyRef{{1, "RW access update"}}
		}
	}
	return []keyRef{{1, "RO access"}}
}
