package cmd

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/redisctl/redisctl/cmd/iostreams"
	"github.com/redisctl/redisctl/deploy"
)

// DestroyOptions holds what destroy needs.
type DestroyOptions struct {
	IO          *iostreams.IOStreams
	Ctx         context.Context
	Spec        specFlags
	AutoApprove bool
	Parallelism int
	NoColor     bool
}

// NewCmdDestroy builds `redisctl destroy`.
func NewCmdDestroy(ios *iostreams.IOStreams, runF func(*DestroyOptions) error) *cobra.Command {
	opts := &DestroyOptions{IO: ios}
	c := &cobra.Command{
		Use:     "destroy -f SPEC",
		Short:   "Remove every resource of a deployment, and its data",
		Example: `  redisctl destroy -f examples/quickstart.yaml --auto-approve`,
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			opts.Ctx = c.Context()
			return runSpecVerb(opts.Spec, opts, runF, destroyRun)
		},
	}
	opts.Spec.register(c)
	c.Flags().BoolVar(&opts.AutoApprove, "auto-approve", false, "destroy without asking for confirmation")
	c.Flags().IntVar(&opts.Parallelism, "parallelism", 10, "how many changes may run at once")
	c.Flags().BoolVar(&opts.NoColor, "no-color", false, "no colour in the plan (also NO_COLOR)")
	return c
}

func destroyRun(opts *DestroyOptions) error {
	if opts.NoColor {
		opts.IO.DisableColor()
	}
	ctx := opts.Ctx
	s, err := openSession(ctx, opts.IO, opts.Spec)
	if err != nil {
		return err
	}
	lock, p, err := planLocked(ctx, opts.IO, s, "destroy", true)
	if err != nil {
		return err
	}
	defer lock.Release()
	if p.Empty() {
		return s.Forget()
	}
	if _, err := approve(opts.IO, p, opts.AutoApprove, false); err != nil {
		return err
	}
	return runApply(ctx, opts.IO, s, lock, p, deploy.ApplyOptions{Parallelism: opts.Parallelism, AllowDataLoss: true})
}
