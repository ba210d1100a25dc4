package cmd

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/redisctl/redisctl/cmd/iostreams"
	"github.com/redisctl/redisctl/providers"
)

// StatusOptions holds what status needs.
type StatusOptions struct {
	IO     *iostreams.IOStreams
	Ctx    context.Context
	Spec   specFlags
	Output string
}

// NewCmdStatus builds `redisctl status`.
func NewCmdStatus(ios *iostreams.IOStreams, runF func(*StatusOptions) error) *cobra.Command {
	opts := &StatusOptions{IO: ios}
	c := &cobra.Command{
		Use:   "status -f SPEC",
		Short: "Show each node's address, role, health, memory and keys",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			opts.Ctx = c.Context()
			return runSpecVerb(opts.Spec, opts, runF, statusRun)
		},
	}
	opts.Spec.register(c)
	c.Flags().StringVarP(&opts.Output, "output", "o", "table", "view: table or json")
	return c
}

func statusRun(opts *StatusOptions) error {
	if opts.Output != "table" && opts.Output != "json" {
		return &flagError{fmt.Errorf("unknown output format %q (want table or json)", opts.Output)}
	}
	s, err := openSession(opts.Ctx, opts.IO, opts.Spec)
	if err != nil {
		return err
	}
	st, err := s.Status(opts.Ctx)
	if err != nil {
		return err
	}
	if opts.Output == "json" {
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"deployment": s.Spec.Name, "nodes": st.Nodes})
	}
	tw := tabwriter.NewWriter(opts.IO.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NODE\tADDRESS\tROLE\tSTATUS\tMEMORY\tKEYS")
	down := 0
	for _, n := range st.Nodes {
		health := "up"
		if !n.Up {
			health = "down"
			down++
			if n.Detail != "" {
				health += " (" + n.Detail + ")"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", n.Name, n.Address, n.Role, health, memory(n), count(n.Keys))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if down > 0 {
		return fmt.Errorf("%d of %d nodes are down", down, len(st.Nodes))
	}
	return nil
}

func memory(n providers.NodeStatus) string {
	switch {
	case n.UsedMemory < 0:
		return "-"
	case n.MaxMemory > 0:
		return fmt.Sprintf("%s / %s", human(n.UsedMemory), human(n.MaxMemory))
	}
	return human(n.UsedMemory)
}

func human(b int64) string {
	const unit = 1024
	if b < unit {
		return fmt.Sprintf("%dB", b)
	}
	div, exp := int64(unit), 0
	for n := b / unit; n >= unit; n /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f%ci", float64(b)/float64(div), "KMGTPE"[exp])
}

func count(n int64) string {
	if n < 0 {
		return "-"
	}
	return fmt.Sprint(n)
}
