package server

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redisctl/redisctl/engine/internal/redistest"
	"github.com/redisctl/redisctl/engine/resp"
)

// The crash test: a write load runs against a real engine process, which
// is SIGKILLed at a random moment, then restarted from its files: every
// acknowledged write must be back, under every appendfsync policy (the
// AOF is written before replies; fsync only matters when the machine goes
// down), and the server must always start again, whatever the kill
// interrupted (a write, an AOF rewrite, a BGSAVE, an automatic rewrite).

var (
	engineBinOnce sync.Once
	engineBin     string
	engineBinErr  error
)

// buildEngine builds the redisctl binary once per test run.
func buildEngine(t *testing.T) string {
	t.Helper()
	engineBinOnce.Do(func() {
		dir, err := os.MkdirTemp("", "redisctl-crash-")
		if err != nil {
			engineBinErr = err
			return
		}
		engineBin = filepath.Join(dir, "redisctl")
		out, err := exec.Command("go", "build", "-tags", "grpcnotrace", "-o", engineBin, "github.com/redisctl/redisctl").CombinedOutput()
		if err != nil {
			engineBinErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if engineBinErr != nil {
		t.Fatal(engineBinErr)
	}
	return engineBin
}

type engineProc struct {
	cmd  *exec.Cmd
	addr string
	done chan struct{}
	log  string
}

func startEngineProc(t *testing.T, bin, dir string, args ...string) *engineProc {
	t.Helper()
	for attempt := 0; ; attempt++ {
		port := redistest.FreePort(t)
		logf := filepath.Join(dir, "engine.log")
		all := append([]string{"server", "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--logfile", logf}, args...)
		cmd := exec.Command(bin, all...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		p := &engineProc{cmd: cmd, addr: "127.0.0.1:" + strconv.Itoa(port), done: make(chan struct{}), log: logf}
		go func() { cmd.Wait(); close(p.done) }()
		deadline := time.Now().Add(30 * time.Second)
		for time.Now().Before(deadline) {
			if c, err := net.Dial("tcp", p.addr); err == nil {
				c.Close()
				t.Cleanup(p.kill)
				return p
			}
			select {
			case <-p.done:
				log, _ := os.ReadFile(logf)
				if attempt < 3 && len(log) > 0 && strings.Contains(string(log), "in use") {
					deadline = time.Time{}
					continue
				}
				t.Fatalf("engine exited at start:\n%s", log)
			case <-time.After(10 * time.Millisecond):
			}
		}
		p.kill()
		if attempt == 3 {
			t.Fatal("engine did not start")
		}
	}
}

func (p *engineProc) kill() {
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// writer runs a pipelined write load on one connection and records what
// was acknowledged: SETs of its own keys, INCRs of its counter, RPUSHes
// to its list.
type writer struct {
	id    int
	acked int // operations acknowledged, in order
}

// ops: operation i of writer w is SET w:i i, then INCR w:n, then RPUSH
// w:l i, in rotation.
func (w *writer) op(i int) []byte {
	k := "w" + strconv.Itoa(w.id)
	switch i % 3 {
	case 0:
		return resp.AppendCommandStrings(nil, "SET", k+":"+strconv.Itoa(i), strconv.Itoa(i))
	case 1:
		return resp.AppendCommandStrings(nil, "INCR", k+":n")
	}
	return resp.AppendCommandStrings(nil, "RPUSH", k+":l", strconv.Itoa(i))
}

func (w *writer) run(addr string, stop <-chan struct{}) {
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		return
	}
	defer nc.Close()
	r := bufio.NewReader(nc)
	const batch = 16
	for i := 0; ; {
		select {
		case <-stop:
			return
		default:
		}
		var b []byte
		for j := 0; j < batch; j++ {
			b = append(b, w.op(i+j)...)
		}
		if _, err := nc.Write(b); err != nil {
			return
		}
		for j := 0; j < batch; j++ {
			reply, err := resp.ReadReply(r, nil)
			if err != nil {
				return
			}
			if reply[0] == '-' {
				return
			}
			w.acked = i + j + 1
		}
		i += batch
	}
}

// check verifies a restarted server holds every acknowledged operation of
// w.
func (w *writer) check(t *testing.T, c *rawConn) {
	t.Helper()
	keep := w.acked
	k := "w" + strconv.Itoa(w.id)
	counts := func(n int) (incrs, pushes int) {
		for i := 0; i < n; i++ {
			switch i % 3 {
			case 1:
				incrs++
			case 2:
				pushes++
			}
		}
		return
	}
	incrs, pushes := counts(keep)
	maxIncrs, maxPushes := counts(w.acked + 16)
	// Every acknowledged SET is there with its value.
	for i := 0; i < keep; i += 3 {
		if got := c.do("GET", k+":"+strconv.Itoa(i)); got != bulk(strconv.Itoa(i)) {
			t.Fatalf("writer %d: acknowledged SET %s:%d lost (got %q; %d ops acked)", w.id, k, i, got, w.acked)
		}
	}
	n, _ := strconv.Atoi(trimInt(c.do("GET", k+":n")))
	l, _ := strconv.Atoi(trimInt(c.do("LLEN", k+":l")))
	// The server may have applied, but not acknowledged, one batch more.
	if n < incrs || l < pushes || n > maxIncrs || l > maxPushes {
		t.Fatalf("writer %d: counter %d (acked %d), list %d (acked %d)", w.id, n, incrs, l, pushes)
	}
}

func trimInt(reply string) string {
	if len(reply) > 0 && reply[0] == '$' {
		for i := 0; i+1 < len(reply); i++ {
			if reply[i] == '\r' && reply[i+1] == '\n' {
				reply = reply[i+2:]
				break
			}
		}
	}
	for len(reply) > 0 && (reply[0] == ':' || reply[len(reply)-1] == '\n' || reply[len(reply)-1] == '\r') {
		if reply[0] == ':' {
			reply = reply[1:]
		} else {
			reply = reply[:len(reply)-1]
		}
	}
	return reply
}

// preload writes n keys of 200 bytes, so that a rewrite or BGSAVE lasts
// long enough for a kill to interrupt it.
func preload(t *testing.T, c *rawConn, n int) {
	t.Helper()
	var pipe []byte
	for i := 0; i < n; i++ {
		pipe = resp.AppendCommandStrings(pipe, "SET", "pre:"+strconv.Itoa(i), strings.Repeat("p", 200))
	}
	c.send(pipe)
	for i := 0; i < n; i++ {
		if r, err := c.read(); err != nil || string(r) != "+OK\r\n" {
			t.Fatalf("preload: %q %v", r, err)
		}
	}
}

// checkPreload verifies the n preloaded keys are all there.
func checkPreload(t *testing.T, c *rawConn, n int) {
	t.Helper()
	for start := 0; start < n; start += 1000 {
		args := []string{"EXISTS"}
		for i := start; i < min(start+1000, n); i++ {
			args = append(args, "pre:"+strconv.Itoa(i))
		}
		if got, want := c.do(args...), ":"+strconv.Itoa(len(args)-1)+"\r\n"; got != want {
			t.Fatalf("preloaded keys %d..: EXISTS gives %q, want %q", start, got, want)
		}
	}
}

// tempFiles lists the snapshot temp files in dir and its AOF directory.
func tempFiles(dir string) []string {
	a, _ := filepath.Glob(filepath.Join(dir, "temp-*.rdb"))
	b, _ := filepath.Glob(filepath.Join(dir, "appendonlydir", "temp-rewriteaof-bg-*.aof"))
	return append(a, b...)
}

func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("kills engine processes in a loop (slow test)")
	}
	bin := buildEngine(t)
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	type trial struct {
		fsync string
		extra string // "", "rewrite", "bgsave": a background job when the kill comes
	}
	var trials []trial
	for i := 0; i < 8; i++ {
		trials = append(trials, trial{"always", []string{"", "rewrite", "bgsave"}[i%3]})
	}
	for i := 0; i < 8; i++ {
		trials = append(trials, trial{"everysec", []string{"", "rewrite", "bgsave"}[i%3]})
	}
	for i := 0; i < 4; i++ {
		trials = append(trials, trial{"no", []string{"", "rewrite"}[i%2]})
	}
	const preloaded = 40000 // ~10 MB: a snapshot takes tens of milliseconds
	interrupted := map[string]int{}
	dir := t.TempDir()
	for n, tr := range trials {
		name := fmt.Sprintf("%02d-%s-%s", n, tr.fsync, tr.extra)
		t.Run(name, func(t *testing.T) {
			// Each trial continues the previous one's files: recovery
			// also runs on AOFs that already went through kills.
			args := []string{"--appendonly", "yes", "--appendfsync", tr.fsync, "--auto-aof-rewrite-min-size", "256kb", "--auto-aof-rewrite-percentage", "50"}
			p := startEngineProc(t, bin, dir, args...)
			c := dial(t, p.addr)
			c.do("FLUSHALL")
			if tr.extra != "" {
				preload(t, c, preloaded)
			}
			ws := make([]*writer, 4)
			stop := make(chan struct{})
			var wg sync.WaitGroup
			for i := range ws {
				ws[i] = &writer{id: i}
				wg.Add(1)
				go func(w *writer) { defer wg.Done(); w.run(p.addr, stop) }(ws[i])
			}
			delay := time.Duration(50+rng.IntN(350)) * time.Millisecond
			if tr.extra != "" {
				// The job starts under the write load; the kill comes
				// within its first 10 ms, mostly while it runs.
				time.Sleep(delay / 2)
				c.do(map[string]string{"rewrite": "BGREWRITEAOF", "bgsave": "BGSAVE"}[tr.extra])
				delay = time.Duration(rng.IntN(10)) * time.Millisecond
			}
			time.Sleep(delay)
			p.kill()
			close(stop)
			wg.Wait()
			total := 0
			for _, w := range ws {
				total += w.acked
			}
			if total == 0 {
				t.Fatal("no write was acknowledged before the kill")
			}
			left := tempFiles(dir)
			if len(left) > 0 {
				interrupted[tr.extra]++
			}
			p = startEngineProc(t, bin, dir, args...)
			c = dial(t, p.addr)
			// The engine writes the AOF (write(2)) before any reply under
			// every policy, so a process kill loses nothing that was
			// acknowledged: the fsync policy only matters when the machine
			// itself goes down (see TestEverysecFsyncCadence in engine/aof
			// for everysec's bound).
			for _, w := range ws {
				w.check(t, c)
			}
			if tr.extra != "" {
				checkPreload(t, c, preloaded)
			}
			if now := tempFiles(dir); len(now) > 0 {
				t.Errorf("temp files of the killed server left after the restart: %v", now)
			}
			t.Logf("%d writes acknowledged before the kill at %v, none lost; %d temp files left by the kill", total, delay, len(left))
			p.kill()
		})
	}
	// The kills must have hit running jobs, or the trials prove less than
	// they claim.
	t.Logf("kills that interrupted a job: %v", interrupted)
	if interrupted["rewrite"] == 0 || interrupted["bgsave"] == 0 {
		t.Errorf("no kill interrupted an AOF rewrite or a BGSAVE: %v", interrupted)
	}
}
