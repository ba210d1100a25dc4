package cmd

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"

	"github.com/spf13/cobra"

	"github.com/redisctl/redisctl/cmd/iostreams"
	"github.com/redisctl/redisctl/templates"
	"github.com/redisctl/redisctl/topology"
)

// InitOptions holds what init needs.
type InitOptions struct {
	IO     *iostreams.IOStreams
	File   string
	Layout string
	Name   string
	Force  bool
}

// NewCmdInit builds `redisctl init`.
func NewCmdInit(ios *iostreams.IOStreams, runF func(*InitOptions) error) *cobra.Command {
	opts := &InitOptions{IO: ios}
	c := &cobra.Command{
		Use:   "init [-f FILE] [--layout single|ha|cluster] [--name NAME]",
		Short: "Write a commented starter spec",
		Long: `Write a starter topology spec, with a comment on every field, for the local provider.
It refuses to overwrite an existing file unless --force is given; -f - writes it to
standard output.`,
		Example: `  redisctl init
  redisctl init -f cache.yaml --layout ha --name cache`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return runVerb(opts, runF, initRun)
		},
	}
	c.Flags().StringVarP(&opts.File, "file", "f", "redisctl.yaml", "where to write the spec (- for standard output)")
	c.Flags().StringVar(&opts.Layout, "layout", string(topology.LayoutSingle), "single, ha or cluster")
	c.Flags().StringVar(&opts.Name, "name", "my-redis", "the deployment's name")
	c.Flags().BoolVar(&opts.Force, "force", false, "overwrite the file if it exists")
	return c
}

func initRun(opts *InitOptions) error {
	layouts := topology.Layout("").EnumValues()
	if !slices.Contains(layouts, opts.Layout) {
		return &flagError{fmt.Errorf("--layout must be one of single, ha or cluster, got %q", opts.Layout)}
	}
	if err := topology.CheckName(opts.Name); err != nil {
		return &flagError{fmt.Errorf("--name: %w", err)}
	}
	data, err := templates.Render("starter.yaml.tmpl", templates.Starter{File: opts.File, Name: opts.Name, Layout: opts.Layout})
	if err != nil {
		return err
	}
	// The starter must always be a valid spec; this guards the template.
	if _, err := topology.Parse(opts.File, data); err != nil {
		return fmt.Errorf("starter spec does not validate (a bug in redisctl):\n%w", err)
	}
	if opts.File == "-" {
		_, err := opts.IO.Out.Write(data)
		return err
	}
	if err := writeNew(opts.File, data, opts.Force); err != nil {
		return err
	}
	_, err = fmt.Fprintf(opts.IO.Out, "Wrote %s (layout %s, name %s).\nNext: redisctl validate -f %s, then redisctl plan -f %s\n",
		opts.File, opts.Layout, opts.Name, opts.File, opts.File)
	return err
}

// writeNew writes data to path, refusing to replace an existing file
// unless force is set.
func writeNew(path string, data []byte, force bool) error {
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if force {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	f, err := os.OpenFile(path, flags, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s already exists; pass --force to overwrite it", path)
	}
	if err != nil {
		return fmt.Errorf("write spec: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write spec: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write spec: %w", err)
	}
	return nil
}
