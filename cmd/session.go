package cmd

import (
	"bufio"
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/redisctl/redisctl/cmd/iostreams"
	"github.com/redisctl/redisctl/deploy"
	"github.com/redisctl/redisctl/deploy/state"
)

// specFlags are the flags every verb that reads a spec shares.
type specFlags struct {
	File     string
	StateDir string
}

func (f *specFlags) register(c *cobra.Command) {
	c.Flags().StringVarP(&f.File, "file", "f", "", "topology spec (YAML)")
	c.Flags().StringVar(&f.StateDir, "state-dir", "", "state directory (default $"+state.DirEnv+" or ./"+state.DefaultDir+")")
}

func (f *specFlags) require() error {
	if f.File == "" {
		return &flagError{fmt.Errorf("a spec is required: pass -f FILE (e.g. -f examples/quickstart.yaml)")}
	}
	return nil
}

// runVerb ends every verb's RunE: a test passes runF to receive the parsed
// options instead of running the verb.
func runVerb[O any](opts *O, runF, run func(*O) error) error {
	if runF != nil {
		return runF(opts)
	}
	return run(opts)
}

// runSpecVerb is runVerb for a verb that reads a spec, which -f must name.
func runSpecVerb[O any](spec specFlags, opts *O, runF, run func(*O) error) error {
	if err := spec.require(); err != nil {
		return err
	}
	return runVerb(opts, runF, run)
}

func openSession(ctx context.Context, ios *iostreams.IOStreams, f specFlags) (*deploy.Session, error) {
	return deploy.Open(ctx, f.File, deploy.Options{Registry: newRegistry(), StateDir: state.ResolveDir(f.StateDir), Progress: ios.ErrOut})
}

// confirm asks the user to type want (e.g. "yes"); false without a terminal.
func confirm(ios *iostreams.IOStreams, question, want string) (bool, error) {
	if !ios.CanPrompt() {
		return false, nil
	}
	fmt.Fprintf(ios.ErrOut, "%s\n  Only '%s' will be accepted to approve.\n\n  Enter a value: ", question, want)
	line, err := bufio.NewReader(ios.In).ReadString('\n')
	if err != nil && line == "" {
		return false, errCancelled
	}
	return strings.TrimSpace(line) == want, nil
}
