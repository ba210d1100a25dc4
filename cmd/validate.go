package cmd

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/redisctl/redisctl/cmd/iostreams"
	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/topology"
)

// ValidateOptions holds what validate needs.
type ValidateOptions struct {
	IO        *iostreams.IOStreams
	Ctx       context.Context
	File      string
	Providers *providers.Registry
}

// NewCmdValidate builds `redisctl validate`.
func NewCmdValidate(ios *iostreams.IOStreams, runF func(*ValidateOptions) error) *cobra.Command {
	opts := &ValidateOptions{IO: ios}
	c := &cobra.Command{
		Use:   "validate -f SPEC",
		Short: "Check a topology spec and report every problem",
		Long: `Decode the spec strictly, apply defaults and check it as a whole, then let its provider
check its own settings and limits. Every problem is reported at once, as
file:line:col: field: message. Nothing is contacted or changed.

Exit code 0 when the spec is valid, 1 when it has problems.`,
		Example: `  redisctl validate -f examples/quickstart.yaml`,
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			opts.Ctx = c.Context()
			opts.Providers = newRegistry()
			return runVerb(opts, runF, validateRun)
		},
	}
	c.Flags().StringVarP(&opts.File, "file", "f", "", "topology spec (YAML)")
	return c
}

func validateRun(opts *ValidateOptions) error {
	if opts.File == "" {
		return &flagError{errors.New("a spec is required: pass -f FILE (e.g. -f examples/quickstart.yaml)")}
	}
	spec, warnings, err := checkSpec(opts.Ctx, opts.File, opts.Providers)
	var probs topology.Problems
	if errors.As(err, &probs) {
		fmt.Fprintln(opts.IO.ErrOut, probs.Error())
		return fmt.Errorf("%s is not valid: %d %s", opts.File, len(probs), plural(len(probs), "problem", "problems"))
	}
	if err != nil {
		return err
	}
	for _, w := range warnings {
		fmt.Fprintf(opts.IO.ErrOut, "Warning: %s\n", w)
	}
	nodes, err := topology.PlanNodes(spec)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(opts.IO.Out, "%s: valid (%s)\n", opts.File, summarizeNodes(nodes))
	return err
}

// checkSpec loads a spec and has its provider check it, returning every
// problem as one topology.Problems error.
func checkSpec(ctx context.Context, file string, reg *providers.Registry) (*topology.Spec, []string, error) {
	spec, err := topology.Load(file)
	if err != nil {
		return nil, nil, err
	}
	prov, err := reg.Get(spec.Provider.Name)
	if err != nil {
		return nil, nil, topology.Problems{spec.Problemf("provider.name", "%s", err)}
	}
	resp, err := prov.Validate(ctx, providers.ValidateRequest{Spec: spec})
	if err != nil {
		return nil, nil, fmt.Errorf("validate spec for provider %s: %w", spec.Provider.Name, err)
	}
	if len(resp.Problems) > 0 {
		return nil, nil, resp.Problems
	}
	return spec, resp.Warnings, nil
}

// summarizeNodes says what a node plan holds: "layout ha: 1 primary, 2 replicas, 3 sentinels".
func summarizeNodes(p *topology.NodePlan) string {
	var parts []string
	if p.Layout == topology.LayoutCluster {
		shards := p.Count(topology.RolePrimary)
		parts = append(parts, fmt.Sprintf("%d %s", shards, plural(shards, "shard", "shards")))
	}
	for _, r := range []struct {
		role         topology.Role
		one, several string
	}{
		{topology.RolePrimary, "primary", "primaries"},
		{topology.RoleReplica, "replica", "replicas"},
		{topology.RoleSentinel, "sentinel", "sentinels"},
	} {
		if n := p.Count(r.role); n > 0 || (r.role == topology.RoleReplica && p.Layout != topology.LayoutSingle) {
			parts = append(parts, fmt.Sprintf("%d %s", n, plural(n, r.one, r.several)))
		}
	}
	return fmt.Sprintf("layout %s: %s", p.Layout, strings.Join(parts, ", "))
}

func plural(n int, one, several string) string {
	if n == 1 {
		return one
	}
	return several
}
