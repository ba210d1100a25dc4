package server

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/redisctl/redisctl/engine/config"
)

// Log levels, as loglevel names them.
const (
	levelDebug = iota
	levelVerbose
	levelNotice
	levelWarning
)

var levelMarks = [...]byte{'.', '-', '*', '#'}

// logger writes Redis-format log lines ("pid:M 21 Nov 2025 07:24:00.123 *
// message") to logfile, or to the given writer when logfile is empty.
type logger struct {
	mu    sync.Mutex
	out   io.Writer
	file  *os.File
	pid   int
	level func() int
}

func newLogger(cfg *config.Config, stdout io.Writer) (*logger, error) {
	l := &logger{out: stdout, pid: os.Getpid()}
	if l.out == nil {
		l.out = io.Discard
	}
	if path := cfg.Path("logfile"); path != "" {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			return nil, fmt.Errorf("Can't open the log file: %w", err)
		}
		l.file, l.out = f, f
	}
	l.level = func() int { return int(cfg.Int("loglevel")) }
	return l, nil
}

func (l *logger) printf(level int, format string, args ...any) {
	if level < l.level() {
		return
	}
	now := time.Now()
	line := fmt.Sprintf("%d:M %s %c %s\n", l.pid, now.Format("02 Jan 2006 15:04:05.000"), levelMarks[level], fmt.Sprintf(format, args...))
	l.mu.Lock()
	io.WriteString(l.out, line)
	l.mu.Unlock()
}

func (l *logger) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.file != nil {
		l.file.Close()
		l.file = nil
		l.out = io.Discard
	}
}

func (s *Server) logf(level int, format string, args ...any) { s.log.printf(level, format, args...) }

func (s *Server) logStartup() {
	s.logf(levelWarning, "oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo")
	s.logf(levelWarning, "Redis version=%s, bits=64, commit=00000000, modified=0, pid=%d, just started (redisctl bundled engine)", config.RedisVersion, os.Getpid())
	if f := s.cfg.File(); f != "" {
		s.logf(levelWarning, "Configuration loaded")
	} else {
		s.logf(levelWarning, "Warning: no config file specified, using the default config.")
	}
	s.logf(levelNotice, "Running mode=standalone, port=%d.", s.port)
	s.logf(levelWarning, "Server initialized")
}
