package server

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redisctl/redisctl/engine/resp"
)

// Differential tests: every script in testdata/diff is sent to the engine
// and to a real redis-server, command by command, in RESP2 and then in
// RESP3, and every reply must be byte-for-byte identical.
//
// Script syntax, one command per line, quoted like redis-cli:
//
//	SET k v             a command; both replies must match
//	!nocompare CMD ...  run on both, ignore the replies (non-deterministic)
//	!raw "bytes"        send raw bytes (escapes as in redis-cli), compare
//	                    everything the servers answer until they go quiet;
//	!raw "a" N "b" "c"  sends a, then b N times, then c (big requests)
//	!sleep MS           pause (expiry tests)
//	!resp2only CMD ...  compare only in the RESP2 pass
//	!sort CMD ...       compare ignoring the order of every aggregate's elements
//	!repeat N CMD ...   run CMD N times with {i} replaced by 0..N-1,
//	                    comparing every reply
//	!all CMD ...        compare everything the command makes the servers
//	                    send (several replies, pushed messages)
//	!recv               compare what arrived unasked (pushed messages)
//	!masked CMD ...     compare with every number replaced by '#'
//	                    (timestamps, ports, ids, sizes, ratios)
//	!recvmasked         !recv with the same masking
//	!send CMD ...       send without reading (a command that blocks)
//	!pipe CMD ... | CMD ...
//	                    send the commands in one write, without reading
//	!read N             read N replies and compare them
//	!readmasked N       !read with the masking of !masked (MONITOR lines)
//	!blocked N          wait until both servers count N blocked clients
//	!cmdstats           compare INFO commandstats' calls, rejected and
//	                    failed counts (not timings; INFO itself left out)
//	@N ...              run the line on connection N (1-4; default 1)
//	# comment
func TestDifferential(t *testing.T) {
	files, err := filepath.Glob("testdata/diff/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scripts: %v", err)
	}
	// DEBUG is enabled on both so scripts can use DEBUG SLEEP and
	// DEBUG SET-ACTIVE-EXPIRE.
	redisAddr := startRedis(t, "--enable-debug-command", "yes")
	srv := startServer(t, "--enable-debug-command", "yes")
	for _, f := range files {
		script, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, proto := range []int{2, 3} {
			name := strings.TrimSuffix(filepath.Base(f), ".txt") + "/resp" + strconv.Itoa(proto)
			t.Run(name, func(t *testing.T) {
				runDiffScript(t, string(script), proto, redisAddr, srv.addr())
			})
		}
	}
}

func runDiffScript(t *testing.T, script string, proto int, redisAddr, engineAddr string) {
	var refs, engs [4]*rawConn
	for i := range refs {
		refs[i], engs[i] = dial(t, redisAddr), dial(t, engineAddr)
		for _, c := range []*rawConn{refs[i], engs[i]} {
			if i == 0 {
				c.do("FLUSHALL")
				c.do("CONFIG", "SET", "notify-keyspace-events", "")
			}
			// Every connection runs a command first, so both servers have
			// accepted it (and made it authenticated) before the script
			// changes requirepass.
			if proto == 3 {
				c.do("HELLO", "3")
			} else {
				c.do("PING")
			}
		}
	}
	for n, line := range strings.Split(script, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		conn := 0
		if line[0] == '@' && len(line) > 2 {
			conn = int(line[1] - '1')
			line = strings.TrimSpace(line[2:])
		}
		ref, eng := refs[conn], engs[conn]
		args, ok := resp.SplitArgs([]byte(line), nil)
		if !ok {
			t.Fatalf("line %d: bad quoting: %s", n+1, line)
		}
		where := "line " + strconv.Itoa(n+1) + ": " + line
		switch strings.ToLower(string(args[0])) {
		case "!sleep":
			ms, _ := strconv.Atoi(string(args[1]))
			time.Sleep(time.Duration(ms) * time.Millisecond)
		case "!nocompare":
			ref.send(resp.AppendCommand(nil, args[1:]...))
			eng.send(resp.AppendCommand(nil, args[1:]...))
			readOrFail(t, ref, where, "redis")
			readOrFail(t, eng, where, "engine")
		case "!resp2only":
			if proto != 2 {
				continue
			}
			compareCommand(t, where, ref, eng, args[1:])
		case "!sort":
			compareAs(t, where, ref, eng, args[1:], sortedReply)
		case "!repeat":
			n, _ := strconv.Atoi(string(args[1]))
			for i := 0; i < n; i++ {
				cmd := make([][]byte, len(args)-2)
				for j, a := range args[2:] {
					cmd[j] = bytes.ReplaceAll(a, []byte("{i}"), []byte(strconv.Itoa(i)))
				}
				compareCommand(t, where, ref, eng, cmd)
			}
		case "!all":
			ref.send(resp.AppendCommand(nil, args[1:]...))
			eng.send(resp.AppendCommand(nil, args[1:]...))
			compareStream(t, where, ref, eng)
		case "!recv":
			compareStream(t, where, ref, eng)
		case "!masked":
			compareAs(t, where, ref, eng, args[1:], maskDigits)
		case "!recvmasked":
			raw := drain(ref)
			want := maskDigits(raw)
			got := maskDigits(collect(eng, countReplies(raw)))
			if want != got {
				t.Errorf("%s\n  redis:  %q\n  engine: %q", where, want, got)
			}
		case "!raw":
			raw := rawBytes(t, where, args[1:])
			ref.send(raw)
			eng.send(raw)
			compareStream(t, where, ref, eng)
		case "!send", "!pipe":
			req := pipeline(args[1:])
			ref.send(req)
			eng.send(req)
		case "!read", "!readmasked":
			n, _ := strconv.Atoi(string(args[1]))
			want, got := collect(ref, n), collect(eng, n)
			if len(args[0]) > len("!read") {
				want, got = []byte(maskDigits(want)), []byte(maskDigits(got))
			}
			if !bytes.Equal(want, got) {
				t.Errorf("%s\n  redis:  %q\n  engine: %q", where, want, got)
			}
		case "!blocked":
			n, _ := strconv.Atoi(string(args[1]))
			waitBlocked(t, ref, n)
			waitBlocked(t, eng, n)
		case "!cmdstats":
			want, got := cmdstats(ref), cmdstats(eng)
			if want != got {
				t.Errorf("%s\n  redis:  %q\n  engine: %q", where, want, got)
			}
		default:
			compareCommand(t, where, ref, eng, args)
		}
	}
}

// pipeline encodes commands separated by "|" arguments.
func pipeline(args [][]byte) []byte {
	var out []byte
	start := 0
	for i := 0; i <= len(args); i++ {
		if i == len(args) || string(args[i]) == "|" {
			out = resp.AppendCommand(out, args[start:i]...)
			start = i + 1
		}
	}
	return out
}

var cmdstatTimings = regexp.MustCompile(`usec=[0-9]+,usec_per_call=[0-9.]+,`)

// cmdstats returns INFO commandstats without timings and INFO's own line,
// sorted.
func cmdstats(c *rawConn) string {
	var lines []string
	for _, l := range strings.Split(c.do("INFO", "commandstats"), "\r\n") {
		if strings.HasPrefix(l, "cmdstat_") && !strings.HasPrefix(l, "cmdstat_info:") {
			lines = append(lines, cmdstatTimings.ReplaceAllString(l, ""))
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// rawBytes builds the bytes of a !raw line: prefix [count filler [suffix]].
func rawBytes(t *testing.T, where string, args [][]byte) []byte {
	raw := append([]byte(nil), args[0]...)
	if len(args) >= 3 {
		n, err := strconv.Atoi(string(args[1]))
		if err != nil {
			t.Fatalf("%s: bad count", where)
		}
		raw = append(raw, bytes.Repeat(args[2], n)...)
	}
	if len(args) >= 4 {
		raw = append(raw, args[3]...)
	}
	return raw
}

func compareCommand(t *testing.T, where string, ref, eng *rawConn, args [][]byte) {
	t.Helper()
	compareAs(t, where, ref, eng, args, func(b []byte) string { return string(b) })
}

// compareAs sends args to both servers and compares their replies as norm
// renders them (sorted, digits masked...).
func compareAs(t *testing.T, where string, ref, eng *rawConn, args [][]byte, norm func([]byte) string) {
	t.Helper()
	ref.send(resp.AppendCommand(nil, args...))
	eng.send(resp.AppendCommand(nil, args...))
	want := norm(readOrFail(t, ref, where, "redis"))
	got := norm(readOrFail(t, eng, where, "engine"))
	if want != got {
		t.Errorf("%s\n  redis:  %q\n  engine: %q", where, want, got)
	}
}

func readOrFail(t *testing.T, c *rawConn, where, who string) []byte {
	t.Helper()
	b, err := c.read()
	if err != nil {
		t.Fatalf("%s: %s: %v", where, who, err)
	}
	return b
}

// drain reads what the server sends: the first reply may take up to a
// few seconds, then replies are collected until the server is quiet.
func drain(c *rawConn) []byte {
	return collect(c, -1)
}

// collect reads n complete replies (n < 0: until quiet), marking a closed
// connection with "<EOF>".
func collect(c *rawConn, n int) []byte {
	var out []byte
	for i := 0; n < 0 || i < n; i++ {
		wait := 5 * time.Second
		if n < 0 && i > 0 {
			wait = 200 * time.Millisecond
		}
		c.nc.SetReadDeadline(time.Now().Add(wait))
		b, err := resp.ReadReply(c.r, nil)
		out = append(out, b...)
		if err != nil {
			if ne, ok := err.(interface{ Timeout() bool }); !ok || !ne.Timeout() {
				out = append(out, "<EOF>"...)
			}
			return out
		}
	}
	return out
}

// countReplies returns how many complete replies b holds.
func countReplies(b []byte) int {
	r := bufio.NewReader(bytes.NewReader(b))
	n := 0
	for {
		if _, err := resp.ReadReply(r, nil); err != nil {
			return n
		}
		n++
	}
}

// compareStream compares what both servers send: the reference's replies
// decide how many to wait for from the engine, which must then be quiet.
func compareStream(t *testing.T, where string, ref, eng *rawConn) {
	t.Helper()
	want := drain(ref)
	n := countReplies(bytes.TrimSuffix(want, []byte("<EOF>")))
	got := collect(eng, n)
	if bytes.HasSuffix(want, []byte("<EOF>")) && !bytes.HasSuffix(got, []byte("<EOF>")) {
		got = append(got, collect(eng, 1)...)
	} else if !bytes.HasSuffix(got, []byte("<EOF>")) {
		eng.nc.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
		if extra, err := resp.ReadReply(eng.r, nil); err == nil {
			got = append(got, extra...)
		}
	}
	if !bytes.Equal(want, got) {
		t.Errorf("%s\n  redis:  %q\n  engine: %q", where, want, got)
	}
}

// sortedReply returns a reply with the elements of every aggregate
// sorted, recursively (a map's pairs kept together), so replies whose order
// follows a hash table compare equal.
func sortedReply(b []byte) string {
	out, err := sortOne(bufio.NewReader(bytes.NewReader(b)))
	if err != nil {
		return string(b)
	}
	return string(out)
}

func sortOne(r *bufio.Reader) ([]byte, error) {
	line, err := r.ReadBytes('\n')
	if err != nil || len(line) < 3 {
		return nil, errors.New("short reply")
	}
	n, _ := resp.ParseInt(line[1 : len(line)-2])
	switch line[0] {
	case '$', '=', '!':
		return appendBulkBody(r, line, n)
	case '*', '%', '~', '>':
	default:
		return line, nil
	}
	per := 1
	if line[0] == '%' {
		per = 2
	}
	elems := make([][]byte, 0, max(n, 0))
	for i := int64(0); i < n; i++ {
		var el []byte
		for k := 0; k < per; k++ {
			b, err := sortOne(r)
			if err != nil {
				return nil, err
			}
			el = append(el, b...)
		}
		elems = append(elems, el)
	}
	sort.Slice(elems, func(i, j int) bool { return bytes.Compare(elems[i], elems[j]) < 0 })
	return append(line, bytes.Join(elems, nil)...), nil
}

// appendBulkBody reads the body of a bulk reply whose header line (length
// n) was read, and returns the whole reply.
func appendBulkBody(r *bufio.Reader, line []byte, n int64) ([]byte, error) {
	if n < 0 {
		return line, nil
	}
	body := make([]byte, n+2)
	if _, err := io.ReadFull(r, body); err != nil {
		return nil, err
	}
	return append(line, body...), nil
}

var digitRuns = regexp.MustCompile(`[0-9]+(\.[0-9]+)?`)

// maskDigits replaces numbers (a run of digits, with a fraction if any),
// including the lengths of bulk strings and aggregates, so replies compare
// by shape and text.
func maskDigits(b []byte) string { return digitRuns.ReplaceAllString(string(b), "#") }
