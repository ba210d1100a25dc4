package server

import (
	"fmt"
	"strings"
)

// Command argument docs (COMMAND DOCS "arguments", which redis-cli turns
// into its inline hints and HELP text) are written in a compact syntax in
// the command table's Args field:
//
//	key                  a key argument
//	name:type            an argument: string, integer, double, pattern,
//	                     unix-time (type omitted: string)
//	TOKEN                a pure token (NX)
//	name=TOKEN           a pure token named otherwise than its lowercase
//	                     (change=CH, auto_id=*)
//	TOKEN name:type      an argument introduced by a token (EX seconds:integer)
//	[ ... ]              optional; ( ... ) a required group
//	a | b                alternatives (a "oneof")
//	label: inside a group names it ([condition: NX | XX])
//	TOKEN ( ... )        a group introduced by a token (TYPE (NORMAL | PUBSUB))
//	...                  after an item: it repeats
//	@6.2.0               after an item: the version that added it
//	@deprecated:2.8.12   after an item: the version that deprecated it
//	@multiple_token      after an item: its token repeats with it
//	@spec:0              after a key: the key spec that finds it (by
//	                     default the keys' specs are numbered in order)
//	a:b:type             a name with a colon (ip:port:string)
//
// e.g. "key value:string [condition: NX | XX] [GET]".

type argDoc struct {
	name     string
	typ      string
	token    string
	keyIndex int // key_spec_index, -1 when not a key
	optional bool
	multiple bool
	multiTok bool // multiple_token
	specSet  bool // keyIndex given by @spec
	since    string
	deprec   string // deprecated_since
	args     []*argDoc
}

// parseArgDocs parses an Args string; it panics on a malformed one (the
// table is code).
func parseArgDocs(syntax string) []*argDoc {
	p := &argParser{toks: tokenizeArgs(syntax)}
	out := p.seq()
	if p.i != len(p.toks) {
		panic(fmt.Sprintf("server: bad Args syntax near %q in %q", p.toks[p.i], syntax))
	}
	keys := 0
	var number func([]*argDoc)
	number = func(as []*argDoc) {
		for _, a := range as {
			if a.typ == "key" && !a.specSet {
				a.keyIndex = keys
				keys++
			}
			number(a.args)
		}
	}
	number(out)
	return out
}

func tokenizeArgs(s string) []string {
	for _, sep := range []string{"[", "]", "(", ")", "|"} {
		s = strings.ReplaceAll(s, sep, " "+sep+" ")
	}
	return strings.Fields(s)
}

type argParser struct {
	toks []string
	i    int
}

func (p *argParser) peek() string {
	if p.i < len(p.toks) {
		return p.toks[p.i]
	}
	return ""
}

func (p *argParser) seq() []*argDoc {
	var out []*argDoc
	for {
		t := p.peek()
		if t == "" || t == "]" || t == ")" || t == "|" {
			return out
		}
		a := p.item()
		p.suffixes(a)
		out = append(out, a)
	}
}

// suffixes reads what may follow an item: "...", "@since", "@deprecated:v".
func (p *argParser) suffixes(a *argDoc) {
	for ; ; p.i++ {
		switch t := p.peek(); {
		case t == "...":
			a.multiple = true
		case t == "@multiple_token":
			a.multiTok = true
		case strings.HasPrefix(t, "@spec:"):
			fmt.Sscan(t[len("@spec:"):], &a.keyIndex)
			a.specSet = true
		case strings.HasPrefix(t, "@deprecated:"):
			a.deprec = strings.TrimPrefix(t, "@deprecated:")
		case strings.HasPrefix(t, "@"):
			a.since = t[1:]
		default:
			return
		}
	}
}

func isToken(s string) bool { return s != "" && strings.ToUpper(s) == s && strings.ToLower(s) != s }

func (p *argParser) item() *argDoc {
	t := p.toks[p.i]
	p.i++
	switch {
	case t == "[" || t == "(":
		g := p.group(map[string]string{"[": "]", "(": ")"}[t])
		g.optional = t == "["
		return g
	case isToken(t) && p.peek() == "(":
		p.i++
		g := p.group(")")
		g.token = t
		return g
	case namedToken(t) != nil:
		return namedToken(t)
	case isToken(t):
		next := p.peek()
		if next != "" && !isToken(next) && namedToken(next) == nil && !strings.ContainsAny(next, "[]()|@") && next != "..." {
			p.i++
			a := leafArg(next)
			a.token = t
			return a
		}
		return &argDoc{name: strings.ToLower(t), typ: "pure-token", token: t, keyIndex: -1}
	default:
		return leafArg(t)
	}
}

// namedToken returns the pure token a "name=TOKEN" item stands for, or nil.
func namedToken(s string) *argDoc {
	i := strings.IndexByte(s, '=')
	if i <= 0 || i == len(s)-1 {
		return nil
	}
	return &argDoc{name: s[:i], typ: "pure-token", token: s[i+1:], keyIndex: -1}
}

func leafArg(s string) *argDoc {
	if s == "key" {
		return &argDoc{name: "key", typ: "key"}
	}
	name, typ := s, "string"
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		name, typ = s[:i], s[i+1:]
	}
	a := &argDoc{name: name, typ: typ, keyIndex: -1}
	if typ == "key" {
		a.keyIndex = 0 // numbered once the whole syntax is parsed
	}
	return a
}

// group parses up to the closing bracket: alternatives become a oneof, a
// sequence a block, a single item itself.
func (p *argParser) group(closer string) *argDoc {
	label := ""
	if t := p.peek(); strings.HasSuffix(t, ":") && !isToken(t) {
		label = strings.TrimSuffix(t, ":")
		p.i++
	}
	var alts [][]*argDoc
	for {
		alts = append(alts, p.seq())
		if p.peek() == "|" {
			p.i++
			continue
		}
		break
	}
	if p.peek() != closer {
		panic("server: unbalanced Args syntax")
	}
	p.i++
	var g *argDoc
	switch {
	case len(alts) > 1:
		g = &argDoc{typ: "oneof", keyIndex: -1}
		for _, alt := range alts {
			if len(alt) == 1 {
				g.args = append(g.args, alt[0])
			} else {
				g.args = append(g.args, &argDoc{name: blockName(alt), typ: "block", keyIndex: -1, args: alt})
			}
		}
	case len(alts[0]) == 1 && label == "":
		return alts[0][0]
	default:
		g = &argDoc{typ: "block", keyIndex: -1, args: alts[0]}
	}
	g.name = label
	if g.name == "" {
		g.name = blockName(g.args)
	}
	return g
}

func blockName(as []*argDoc) string {
	if len(as) == 0 {
		return "arg"
	}
	return as[0].name
}

// addOptionalField writes the COMMAND DOCS map field name: value, unless
// value is empty (the field is then absent, as in Redis).
func (c *Client) addOptionalField(name, value string) {
	if value != "" {
		c.addBulkStr(name)
		c.addBulkStr(value)
	}
}

func (c *Client) addArgDocs(as []*argDoc) {
	c.addArrayLen(len(as))
	for _, a := range as {
		n := 2
		if a.keyIndex >= 0 {
			n++
		}
		for _, present := range []bool{a.token != "", a.since != "", a.deprec != "", a.optional || a.multiple || a.multiTok} {
			if present {
				n++
			}
		}
		if len(a.args) > 0 {
			n++
		}
		c.addMapLen(n)
		c.addBulkStr("name")
		c.addBulkStr(a.name)
		c.addBulkStr("type")
		c.addBulkStr(a.typ)
		if a.keyIndex >= 0 {
			c.addBulkStr("key_spec_index")
			c.addInt(int64(a.keyIndex))
		}
		c.addOptionalField("token", a.token)
		c.addOptionalField("since", a.since)
		c.addOptionalField("deprecated_since", a.deprec)
		if a.optional || a.multiple || a.multiTok {
			c.addBulkStr("flags")
			var fl []string
			if a.optional {
				fl = append(fl, "optional")
			}
			if a.multiple {
				fl = append(fl, "multiple")
			}
			if a.multiTok {
				fl = append(fl, "multiple_token")
			}
			c.addSimpleSet(fl)
		}
		if len(a.args) > 0 {
			c.addBulkStr("arguments")
			c.addArgDocs(a.args)
		}
	}
}
