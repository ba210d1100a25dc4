package cmd

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/redisctl/redisctl/cmd/iostreams"
)

// OutputOptions holds what output needs.
type OutputOptions struct {
	IO          *iostreams.IOStreams
	Ctx         context.Context
	Spec        specFlags
	Output      string
	ShowSecrets bool
}

// NewCmdOutput builds `redisctl output`.
func NewCmdOutput(ios *iostreams.IOStreams, runF func(*OutputOptions) error) *cobra.Command {
	opts := &OutputOptions{IO: ios}
	c := &cobra.Command{
		Use:   "output -f SPEC",
		Short: "Print the deployment's endpoints and connection URL",
		Long: `Print how to reach the deployment, from state (nothing is contacted). The password
is shown only with --show-secrets.`,
		Example: `  redisctl output -f examples/quickstart.yaml -o json
  redis-cli -u "$(redisctl output -f prod.yaml -o url --show-secrets)"`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			opts.Ctx = c.Context()
			return runSpecVerb(opts.Spec, opts, runF, outputRun)
		},
	}
	opts.Spec.register(c)
	c.Flags().StringVarP(&opts.Output, "output", "o", "text", "view: text, json or url")
	c.Flags().BoolVar(&opts.ShowSecrets, "show-secrets", false, "include the password")
	return c
}

func outputRun(opts *OutputOptions) error {
	switch opts.Output {
	case "text", "json", "url":
	default:
		return &flagError{fmt.Errorf("unknown output format %q (want text, json or url)", opts.Output)}
	}
	s, err := openSession(opts.Ctx, opts.IO, opts.Spec)
	if err != nil {
		return err
	}
	out, err := s.Outputs(opts.Ctx, opts.ShowSecrets)
	if err != nil {
		return err
	}
	switch opts.Output {
	case "json":
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	case "url":
		_, err := fmt.Fprintln(opts.IO.Out, out.URL)
		return err
	}
	fmt.Fprintf(opts.IO.Out, "deployment: %s (%s, %s)\n", out.Deployment, out.Provider, out.Layout)
	for _, ep := range out.Endpoints {
		fmt.Fprintf(opts.IO.Out, "%-9s %s:%d\n", ep.Role+":", ep.Host, ep.Port)
	}
	fmt.Fprintf(opts.IO.Out, "url:      %s\n", out.URL)
	if out.SentinelURL != "" {
		fmt.Fprintf(opts.IO.Out, "sentinel: %s\n", out.SentinelURL)
	}
	return nil
}
