package local

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// dial returns a client for a node. It speaks RESP2 and sends no client
// metadata, so it works with any Redis-compatible server.
func dial(host string, port int, password string) *redis.Client {
	return redis.NewClient(&redis.Options{
		Addr: net.JoinHostPort(host, strconv.Itoa(port)), Password: password, Protocol: 2,
		DisableIdentity: true, DialTimeout: 2 * time.Second, ReadTimeout: 5 * time.Second,
		WriteTimeout: 5 * time.Second, MaxRetries: -1, PoolSize: 1,
	})
}

// nodePassword is the password a node was configured with, read from its
// own config file (mode 0600). The spec's password may already be a new one
// that the node has not been given yet.
func nodePassword(nodeDir string) string {
	f, err := os.Open(filepath.Join(nodeDir, confFile))
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		for _, key := range []string{"requirepass ", "sentinel auth-pass "} {
			if !strings.HasPrefix(line, key) {
				continue
			}
			v := strings.TrimSpace(strings.TrimPrefix(line, key))
			if key == "sentinel auth-pass " {
				if i := strings.IndexByte(v, ' '); i >= 0 {
					v = strings.TrimSpace(v[i+1:])
				}
			}
			if u, err := strconv.Unquote(v); err == nil {
				v = u
			}
			return v
		}
	}
	return ""
}

// ping waits until the node answers PING or the deadline passes; exited
// reports a process that stopped meanwhile.
func ping(ctx context.Context, c *redis.Client, timeout time.Duration, exited <-chan error) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var last error
	for {
		pctx, pcancel := context.WithTimeout(ctx, time.Second)
		last = c.Ping(pctx).Err()
		pcancel()
		if last == nil {
			return nil
		}
		select {
		case err := <-exited:
			if err == nil {
				err = fmt.Errorf("exited")
			}
			return fmt.Errorf("process stopped during start-up: %v", err)
		case <-ctx.Done():
			return fmt.Errorf("no PONG within %s: %v", timeout, last)
		case <-time.After(25 * time.Millisecond):
		}
	}
}

// configGet reads one config parameter.
func configGet(ctx context.Context, c *redis.Client, name string) (string, error) {
	m, err := c.ConfigGet(ctx, name).Result()
	if err != nil {
		return "", fmt.Errorf("CONFIG GET %s: %w", name, err)
	}
	v, ok := m[name]
	if !ok {
		return "", fmt.Errorf("CONFIG GET %s: not reported", name)
	}
	return v, nil
}

// infoFields parses INFO output into key → value.
func infoFields(s string) map[string]string {
	out := map[string]string{}
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		if k, v, ok := strings.Cut(line, ":"); ok {
			out[k] = v
		}
	}
	return out
}

// keyCount sums keys over every database in INFO keyspace fields.
func keyCount(info map[string]string) int64 {
	var n int64
	for k, v := range info {
		if !strings.HasPrefix(k, "db") {
			continue
		}
		for _, part := range strings.Split(v, ",") {
			if num, ok := strings.CutPrefix(part, "keys="); ok {
				x, _ := strconv.ParseInt(num, 10, 64)
				n += x
			}
		}
	}
	return n
}
