package server

import (
	"bufio"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/redisctl/redisctl/engine/resp"
)

// clientSubcommandsMissing are CLIENT's subcommands the engine does not
// implement: COMMAND INFO CLIENT and COMMAND DOCS CLIENT are compared with
// them taken out of redis-server's reply.
var clientSubcommandsMissing = map[string]bool{
	"client|caching": true, "client|getredir": true, "client|tracking": true, "client|trackinginfo": true,
}

// TestCommandDocsMatchRedis compares COMMAND INFO and COMMAND DOCS of every
// command and subcommand the engine has with redis-server's, in RESP2 and
// RESP3 (orders that follow Redis's hash tables ignored): flags, key specs,
// summaries, history, deprecation and argument trees, which redis-cli's
// hints and HELP, cluster clients' key routing and redis-py read.
func TestCommandDocsMatchRedis(t *testing.T) {
	srv := startServer(t)
	ref, eng := dial(t, startRedis(t)), dial(t, srv.addr())
	compared := 0
	for _, proto := range []string{"2", "3"} {
		ref.do("HELLO", proto)
		eng.do("HELLO", proto)
		for _, cmd := range srv.cmds.all {
			for _, sub := range []string{"INFO", "DOCS"} {
				want, got := ref.do("COMMAND", sub, cmd.fullName), eng.do("COMMAND", sub, cmd.fullName)
				if cmd.fullName == "client" {
					want = dropNamed(t, want, clientSubcommandsMissing)
				}
				compared++
				if sortedReply([]byte(want)) != sortedReply([]byte(got)) {
					t.Errorf("RESP%s COMMAND %s %s:\n  redis:  %q\n  engine: %q", proto, sub, cmd.fullName, want, got)
				}
			}
		}
	}
	if compared < 400 {
		t.Fatalf("only %d replies compared", compared)
	}
}

// dropNamed returns reply without the entries named in names, at any
// depth: an element that is an array of the name and scalars (as COMMAND
// INFO lists subcommands) or a pair keyed by it (COMMAND DOCS's maps, flat
// arrays in RESP2). It fails the test unless each name went once.
func dropNamed(t *testing.T, reply string, names map[string]bool) string {
	t.Helper()
	root, err := readRawReply(bufio.NewReader(strings.NewReader(reply)))
	if err != nil {
		t.Fatalf("dropNamed: %v in %q", err, reply)
	}
	if n := root.drop(names); n != len(names) {
		t.Fatalf("dropNamed: %d of %v in %q", n, names, reply)
	}
	return string(root.appendTo(nil))
}

// rawReply is a reply split into its elements (a map's keys and values
// alternate), the scalars kept as their bytes.
type rawReply struct {
	head  byte
	raw   []byte // a scalar's whole encoding
	text  string // a bulk string's content
	elems []*rawReply
}

func readRawReply(r *bufio.Reader) (*rawReply, error) {
	line, err := r.ReadBytes('\n')
	if err != nil || len(line) < 3 {
		return nil, errors.New("short reply")
	}
	n, _ := resp.ParseInt(line[1 : len(line)-2])
	x := &rawReply{head: line[0], raw: line}
	switch line[0] {
	case '$', '=', '!':
		if x.raw, err = appendBulkBody(r, line, n); err != nil {
			return nil, err
		}
		if n >= 0 {
			x.text = string(x.raw[len(line) : len(x.raw)-2])
		}
	case '*', '~', '%':
		if n < 0 {
			break // a null aggregate stays as it was
		}
		if line[0] == '%' {
			n *= 2
		}
		x.elems = []*rawReply{}
		for i := int64(0); i < n; i++ {
			e, err := readRawReply(r)
			if err != nil {
				return nil, err
			}
			x.elems = append(x.elems, e)
		}
	}
	return x, nil
}

// drop removes the named entries from x's aggregates, outermost first, and
// returns how many went.
func (x *rawReply) drop(names map[string]bool) int {
	if x.elems == nil {
		return 0
	}
	dropped := 0
	kept := []*rawReply{}
	for i := 0; i < len(x.elems); i++ {
		e := x.elems[i]
		switch {
		case e.elems == nil && names[e.text] && i+1 < len(x.elems):
			i++ // a key and its value
		case len(e.elems) > 1 && names[e.elems[0].text] && e.elems[1].elems == nil:
			// an array of the name and its scalars (not a RESP2 map
			// whose first key is the name)
		default:
			kept = append(kept, e)
			continue
		}
		dropped++
	}
	x.elems = kept
	for _, e := range kept {
		dropped += e.drop(names)
	}
	return dropped
}

func (x *rawReply) appendTo(b []byte) []byte {
	if x.elems == nil {
		return append(b, x.raw...)
	}
	n := len(x.elems)
	if x.head == '%' {
		n /= 2
	}
	b = fmt.Appendf(b, "%c%d\r\n", x.head, n)
	for _, e := range x.elems {
		b = e.appendTo(b)
	}
	return b
}

// TestParseArgDocsNamedTokens checks the name=TOKEN form, for pure tokens
// whose names are not their lowercase (XADD's =, ~ and *, ZADD's CH).
func TestParseArgDocsNamedTokens(t *testing.T) {
	as := parseArgDocs("[operator: equal== | approximately=~] (id_or_auto: auto_id=* | id) [LIMIT change=CH]")
	got := []string{as[0].args[0].name, as[0].args[0].token, as[0].args[1].name, as[0].args[1].token,
		as[1].args[0].name, as[1].args[0].token, as[1].args[1].typ, as[2].args[1].name, as[2].args[1].typ}
	want := []string{"equal", "=", "approximately", "~", "auto_id", "*", "string", "change", "pure-token"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("got %q, want %q", got, want)
	}
}
