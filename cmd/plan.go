package cmd

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/redisctl/redisctl/cmd/iostreams"
	"github.com/redisctl/redisctl/deploy/plan"
)

// PlanOptions holds what plan needs.
type PlanOptions struct {
	IO               *iostreams.IOStreams
	Ctx              context.Context
	Spec             specFlags
	Output           string
	Out              string
	DetailedExitCode bool
	Destroy          bool
	NoColor          bool
}

// NewCmdPlan builds `redisctl plan`.
func NewCmdPlan(ios *iostreams.IOStreams, runF func(*PlanOptions) error) *cobra.Command {
	opts := &PlanOptions{IO: ios}
	c := &cobra.Command{
		Use:   "plan -f SPEC",
		Short: "Show what apply would change, and how risky each change is",
		Long: `Refresh what exists, compare it with the spec and print the changes: one block per
resource with its action, the attributes that change, the reason and the impact class
(none, metadata, online, reconnect, rolling-failover, data-loss).

With --detailed-exitcode the exit code tells a CI gate what the plan does:
  0  no changes
  2  safe changes (impact none, metadata or online)
  3  disruptive changes (reconnect or rolling-failover)
  4  data loss
  1  error`,
		Example: `  redisctl plan -f examples/quickstart.yaml
  redisctl plan -f prod.yaml -o json --detailed-exitcode
  redisctl plan -f prod.yaml -out prod.plan && redisctl apply prod.plan`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			opts.Ctx = c.Context()
			return runSpecVerb(opts.Spec, opts, runF, planRun)
		},
	}
	opts.Spec.register(c)
	c.Flags().StringVarP(&opts.Output, "output", "o", "human", "view: human, json or markdown")
	c.Flags().StringVar(&opts.Out, "out", "", "save the plan to `FILE` for `redisctl apply FILE`")
	c.Flags().BoolVar(&opts.DetailedExitCode, "detailed-exitcode", false, "exit 0 no changes, 2 safe, 3 disruptive, 4 data loss")
	c.Flags().BoolVar(&opts.Destroy, "destroy", false, "plan the removal of the whole deployment")
	c.Flags().BoolVar(&opts.NoColor, "no-color", false, "no colour in the human view (also NO_COLOR)")
	return c
}

func planRun(opts *PlanOptions) error {
	format, err := plan.ParseFormat(opts.Output)
	if err != nil {
		return &flagError{err}
	}
	if opts.NoColor {
		opts.IO.DisableColor()
	}
	ctx := opts.Ctx
	s, err := openSession(ctx, opts.IO, opts.Spec)
	if err != nil {
		return err
	}
	p, err := s.Plan(ctx, opts.Destroy)
	if err != nil {
		return err
	}
	if err := plan.Render(opts.IO.Out, p, format, opts.IO.ColorEnabled()); err != nil {
		return err
	}
	if opts.Out != "" {
		if err := p.Save(opts.Out); err != nil {
			return err
		}
		fmt.Fprintf(opts.IO.ErrOut, "Saved the plan to %s; apply exactly it with: redisctl apply %s\n", opts.Out, opts.Out)
	}
	if opts.DetailedExitCode {
		if code := p.ExitCode(); code != 0 {
			return &ExitError{Code: code}
		}
	}
	return nil
}
