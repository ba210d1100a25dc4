package cmd

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/redisctl/redisctl/cmd/iostreams"
	"github.com/redisctl/redisctl/engine/aof"
	"github.com/redisctl/redisctl/engine/rdb"
)

// CheckAOFOptions holds what `redisctl server check-aof` needs.
type CheckAOFOptions struct {
	IO   *iostreams.IOStreams
	Fix  bool
	File string
}

// NewCmdServerCheckAOF builds `redisctl server check-aof [--fix] FILE`,
// the bundled engine's redis-check-aof.
func NewCmdServerCheckAOF(ios *iostreams.IOStreams, runF func(*CheckAOFOptions) error) *cobra.Command {
	opts := &CheckAOFOptions{IO: ios}
	c := &cobra.Command{
		Use:   "check-aof [--fix] FILE",
		Short: "Check (and repair) an append-only file",
		Long: "Check an append-only file: a manifest (appendonly.aof.manifest, every file it lists)\n" +
			"or a single AOF file. With --fix, a file that ends in the middle of a command\n" +
			"(a crash during a write) is truncated after its last complete command.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.File = args[0]
			return runVerb(opts, runF, checkAOFRun)
		},
	}
	c.Flags().BoolVar(&opts.Fix, "fix", false, "truncate a file that ends inside a command")
	return c
}

func checkAOFRun(opts *CheckAOFOptions) error {
	ch := &aof.Checker{Out: opts.IO.Out, Fix: opts.Fix, CheckRDB: func(r io.Reader, fileSize int64) (io.Reader, int64, error) {
		st, err := rdb.Check(r, fileSize, nil, "")
		return st.Result.Rest, st.Result.Bytes, err
	}}
	err := ch.Check(opts.File)
	if errors.Is(err, aof.ErrInvalid) {
		return &ExitError{Code: exitError}
	}
	if err != nil {
		return fmt.Errorf("check %s: %w", opts.File, err)
	}
	return nil
}

// CheckRDBOptions holds what `redisctl server check-rdb` needs.
type CheckRDBOptions struct {
	IO   *iostreams.IOStreams
	File string
}

// NewCmdServerCheckRDB builds `redisctl server check-rdb FILE`, the
// bundled engine's redis-check-rdb.
func NewCmdServerCheckRDB(ios *iostreams.IOStreams, runF func(*CheckRDBOptions) error) *cobra.Command {
	opts := &CheckRDBOptions{IO: ios}
	return &cobra.Command{
		Use:   "check-rdb FILE",
		Short: "Check an RDB file",
		Long:  "Check an RDB file (written by the bundled engine or by redis-server up to 7.2): format, every value, checksum.",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.File = args[0]
			return runVerb(opts, runF, checkRDBRun)
		},
	}
}

func checkRDBRun(opts *CheckRDBOptions) error {
	f, err := os.Open(opts.File)
	if err != nil {
		return fmt.Errorf("check %s: %w", opts.File, err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return fmt.Errorf("check %s: %w", opts.File, err)
	}
	if _, err := rdb.Check(f, info.Size(), opts.IO.Out, filepath.Base(opts.File)); err != nil {
		if rdb.IsCorrupt(err) || errors.Is(err, rdb.ErrUnsupported) {
			return &ExitError{Code: exitError}
		}
		return fmt.Errorf("check %s: %w", opts.File, err)
	}
	return nil
}
