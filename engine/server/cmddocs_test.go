package server

import (
	"strings"
	"testing"
)

// commandDocsOwnedElsewhere are the commands whose COMMAND DOCS argument
// trees have not been transcribed from Redis 7.0 yet (streams, scripting,
// persistence and some collection commands); CLIENT also lists subcommands
// the engine does not have (TRACKING, CACHING, GETREDIR, TRACKINGINFO).
var commandDocsOwnedElsewhere = strings.Fields(`bgsave client dump eval eval_ro evalsha evalsha_ro
	fcall fcall_ro function function|delete function|flush function|list function|load
	function|restore geoadd georadius georadius_ro geosearch geosearchstore lpop restore rpop
	script script|debug script|exists script|flush script|load sort sort_ro spop srandmember
	xack xadd xautoclaim xclaim xdel xgroup xgroup|create xgroup|createconsumer
	xgroup|delconsumer xgroup|destroy xgroup|setid xinfo xinfo|consumers xinfo|groups
	xinfo|stream xlen xpending xrange xread xreadgroup xrevrange xsetid xtrim zadd zinter
	zinterstore zrange zrangebylex zrangebyscore zrangestore zrevrangebylex zrevrangebyscore
	zunion zunionstore`)

// TestCommandDocsMatchRedis compares COMMAND INFO and COMMAND DOCS of every
// command and subcommand the engine has with redis-server's, in RESP2 and
// RESP3 (orders that follow Redis's hash tables ignored): flags, key specs,
// summaries, history, deprecation and argument trees, which redis-cli's
// hints and HELP, cluster clients' key routing and redis-py read.
func TestCommandDocsMatchRedis(t *testing.T) {
	srv := startServer(t)
	ref, eng := dial(t, startRedis(t)), dial(t, srv.addr())
	skipDocs := map[string]bool{}
	for _, n := range commandDocsOwnedElsewhere {
		skipDocs[n] = true
	}
	compared := 0
	for _, proto := range []string{"2", "3"} {
		ref.do("HELLO", proto)
		eng.do("HELLO", proto)
		for _, cmd := range srv.cmds.all {
			for _, sub := range []string{"INFO", "DOCS"} {
				if skipDocs[cmd.fullName] && (sub == "DOCS" || cmd.fullName == "client") {
					continue
				}
				want, got := ref.do("COMMAND", sub, cmd.fullName), eng.do("COMMAND", sub, cmd.fullName)
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
