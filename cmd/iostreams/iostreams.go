// Package iostreams carries the three standard streams and what is known about
// them (TTY or not, colour wanted or not) to every command, so commands never
// touch os.Stdout directly and tests can run them in-process.
package iostreams

import (
	"bytes"
	"io"
	"os"

	"golang.org/x/term"
)

// IOStreams is the set of streams a command reads and writes. Results go to
// Out, progress and diagnostics to ErrOut.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	inTTY, outTTY, errTTY bool
	colorDisabled         bool
}

// System returns streams bound to the process's stdin, stdout and stderr.
// Colour is on when stdout is a terminal and NO_COLOR is unset.
func System() *IOStreams {
	s := &IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr}
	s.inTTY = isTerminal(os.Stdin)
	s.outTTY = isTerminal(os.Stdout)
	s.errTTY = isTerminal(os.Stderr)
	if _, ok := os.LookupEnv("NO_COLOR"); ok {
		s.colorDisabled = true
	}
	if os.Getenv("TERM") == "dumb" {
		s.colorDisabled = true
	}
	return s
}

// Test returns streams backed by buffers, none of them a TTY.
func Test() (s *IOStreams, in, out, errOut *bytes.Buffer) {
	in, out, errOut = &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: in, Out: out, ErrOut: errOut}, in, out, errOut
}

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// SetTTY overrides TTY detection (for tests).
func (s *IOStreams) SetTTY(in, out, errOut bool) { s.inTTY, s.outTTY, s.errTTY = in, out, errOut }

// IsStdinTTY reports whether the user can answer a prompt.
func (s *IOStreams) IsStdinTTY() bool { return s.inTTY }

// IsStdoutTTY reports whether results go to a terminal.
func (s *IOStreams) IsStdoutTTY() bool { return s.outTTY }

// IsStderrTTY reports whether progress goes to a terminal.
func (s *IOStreams) IsStderrTTY() bool { return s.errTTY }

// DisableColor turns colour off (the --no-color flag).
func (s *IOStreams) DisableColor() { s.colorDisabled = true }

// ColorEnabled reports whether stdout output may carry ANSI colour.
func (s *IOStreams) ColorEnabled() bool { return s.outTTY && !s.colorDisabled }

// CanPrompt reports whether an interactive confirmation is possible.
func (s *IOStreams) CanPrompt() bool { return s.inTTY && s.errTTY }
