package cmd

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/redisctl/redisctl/cmd/iostreams"
)

// BackupOptions holds what backup needs.
type BackupOptions struct {
	IO   *iostreams.IOStreams
	Ctx  context.Context
	Spec specFlags
	To   string
}

// NewCmdBackup builds `redisctl backup`.
func NewCmdBackup(ios *iostreams.IOStreams, runF func(*BackupOptions) error) *cobra.Command {
	opts := &BackupOptions{IO: ios}
	c := &cobra.Command{
		Use:   "backup -f SPEC --to DIR",
		Short: "Write a consistent RDB snapshot of every primary into a directory",
		Long: `Take a point-in-time snapshot (BGSAVE) of every primary without stopping writes and copy
the RDB files, with a manifest of checksums, into DIR. RDB files are the format every Redis
tool reads, so a backup can also move data to another Redis.`,
		Example: `  redisctl backup -f examples/quickstart.yaml --to backups/2026-11-21`,
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			opts.Ctx = c.Context()
			if err := opts.Spec.require(); err != nil {
				return err
			}
			if opts.To == "" {
				return &flagError{errors.New("--to DIR is required")}
			}
			return runVerb(opts, runF, backupRun)
		},
	}
	opts.Spec.register(c)
	c.Flags().StringVar(&opts.To, "to", "", "directory to write the backup into (new or empty)")
	return c
}

func backupRun(opts *BackupOptions) error {
	s, err := openSession(opts.Ctx, opts.IO, opts.Spec)
	if err != nil {
		return err
	}
	m, err := s.Backup(opts.Ctx, opts.To)
	if err != nil {
		return err
	}
	var total int64
	for _, f := range m.Files {
		total += f.Bytes
	}
	_, err = fmt.Fprintf(opts.IO.Out, "Backed up %d %s of %q (%s) into %s.\n", len(m.Files), plural(len(m.Files), "primary", "primaries"), m.Deployment, human(total), opts.To)
	return err
}

// RestoreOptions holds what restore needs.
type RestoreOptions struct {
	IO          *iostreams.IOStreams
	Ctx         context.Context
	Spec        specFlags
	From        string
	AutoApprove bool
}

// NewCmdRestore builds `redisctl restore`.
func NewCmdRestore(ios *iostreams.IOStreams, runF func(*RestoreOptions) error) *cobra.Command {
	opts := &RestoreOptions{IO: ios}
	c := &cobra.Command{
		Use:   "restore -f SPEC --from DIR",
		Short: "Replace a deployment's data with a backup",
		Long: `Stop each primary, put its snapshot from the backup in place of its data and start it
again; replicas resynchronise from their primary. The current data is lost, so restore asks
for confirmation (or --auto-approve). Checksums are verified before anything is stopped.`,
		Example: `  redisctl restore -f examples/quickstart.yaml --from backups/2026-11-21 --auto-approve`,
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			opts.Ctx = c.Context()
			if err := opts.Spec.require(); err != nil {
				return err
			}
			if opts.From == "" {
				return &flagError{errors.New("--from DIR is required")}
			}
			return runVerb(opts, runF, restoreRun)
		},
	}
	opts.Spec.register(c)
	c.Flags().StringVar(&opts.From, "from", "", "backup directory written by `redisctl backup`")
	c.Flags().BoolVar(&opts.AutoApprove, "auto-approve", false, "restore without asking for confirmation")
	return c
}

func restoreRun(opts *RestoreOptions) error {
	s, err := openSession(opts.Ctx, opts.IO, opts.Spec)
	if err != nil {
		return err
	}
	lock, err := s.Lock("restore")
	if err != nil {
		return err
	}
	defer lock.Release()
	if !opts.AutoApprove {
		if !opts.IO.CanPrompt() {
			return errors.New("restore needs confirmation: run it in a terminal, or pass --auto-approve")
		}
		ok, err := confirm(opts.IO, fmt.Sprintf("\nRestore %s into %q? Its current data will be replaced.", opts.From, s.Spec.Name), "yes")
		if err != nil {
			return err
		}
		if !ok {
			return errCancelled
		}
	}
	resp, err := s.Restore(opts.Ctx, lock, opts.From)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(opts.IO.Out, "Restored %d %s of %q from %s.\n", len(resp.Restored), plural(len(resp.Restored), "primary", "primaries"), s.Spec.Name, opts.From)
	return err
}
