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

func containsStr(s, sub string) bool {
	return len(s) >= len(sub) && (s == sub || len(sub) == 0 || indexStr(s, sub) >= 0)
}

func indexStr(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

func (p *engineProc) kill() {
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// writer runs a pipelined write load on one connection and records what
// was acknowledged: SETs of its own keys, INCRs of its counter, RPUSHes
// to its list.
type writer struct {
	id      int
	acked   int // operations acknowledged, in order
	ackedAt []time.Time
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
			w.ackedAt = append(w.ackedAt, time.Now())
		}
		i += batch
	}
}

// check verifies a restarted server holds every acknowledged operation of
// w except those acknowledged after lossFrom (zero: none may be lost).
// It returns how many were lost.
func (w *writer) check(t *testing.T, c *rawConn, lossFrom time.Time) int {
	t.Helper()
	keep := w.acked
	if !lossFrom.IsZero() {
		for keep > 0 && w.ackedAt[keep-1].After(lossFrom) {
			keep--
		}
	}
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
	return w.acked - keep
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

func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("kills engine processes in a loop (slow test)")
	}
	bin := buildEngine(t)
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	trials := []struct {
		fsync string
		extra string // "", "rewrite", "bgsave": a background job when the kill comes
	}{}
	for i := 0; i < 8; i++ {
		trials = append(trials, struct{ fsync, extra string }{"always", []string{"", "rewrite", "bgsave"}[i%3]})
	}
	for i := 0; i < 8; i++ {
		trials = append(trials, struct{ fsync, extra string }{"everysec", []string{"", "rewrite", "bgsave"}[i%3]})
	}
	for i := 0; i < 4; i++ {
		trials = append(trials, struct{ fsync, extra string }{"no", []string{"", "rewrite"}[i%2]})
	}
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
			ws := make([]*writer, 4)
			stop := make(chan struct{})
			var wg sync.WaitGroup
			for i := range ws {
				ws[i] = &writer{id: i}
				wg.Add(1)
				go func(w *writer) { defer wg.Done(); w.run(p.addr, stop) }(ws[i])
			}
			delay := time.Duration(50+rng.IntN(350)) * time.Millisecond
			switch tr.extra {
			case "rewrite":
				time.Sleep(delay / 2)
				c.do("BGREWRITEAOF")
				delay /= 2
			case "bgsave":
				time.Sleep(delay / 2)
				c.do("BGSAVE")
				delay /= 2
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
			p = startEngineProc(t, bin, dir, args...)
			c = dial(t, p.addr)
			// The engine writes the AOF (write(2)) before any reply under
			// every policy, so a process kill loses nothing that was
			// acknowledged: the fsync policy only matters when the machine
			// itself goes down (see TestEverysecFsyncCadence in engine/aof
			// for everysec's bound).
			lost := 0
			for _, w := range ws {
				lost += w.check(t, c, time.Time{})
			}
			t.Logf("%d writes acknowledged before the kill at %v, %d lost", total, delay, lost)
			p.kill()
		})
	}
}
