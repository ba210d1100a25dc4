package cmd

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/redisctl/redisctl/cmd/iostreams"
	"github.com/redisctl/redisctl/deploy"
	"github.com/redisctl/redisctl/deploy/plan"
	"github.com/redisctl/redisctl/deploy/state"
)

// ApplyOptions holds what apply needs.
type ApplyOptions struct {
	IO            *iostreams.IOStreams
	Ctx           context.Context
	Spec          specFlags
	PlanFile      string
	AutoApprove   bool
	AllowDataLoss bool
	Parallelism   int
	NoColor       bool
}

// NewCmdApply builds `redisctl apply`.
func NewCmdApply(ios *iostreams.IOStreams, runF func(*ApplyOptions) error) *cobra.Command {
	opts := &ApplyOptions{IO: ios}
	c := &cobra.Command{
		Use:   "apply (-f SPEC | PLANFILE)",
		Short: "Make the deployment match the spec",
		Long: `Plan, show the plan, ask for confirmation and apply it. Changes run in dependency
order, independent ones in parallel, and state is written after every step: if apply is
interrupted, running it again continues where it stopped.

Given a PLANFILE saved with 'plan -out', apply performs exactly that plan, and refuses it
if the state changed since it was made. Changes that lose data need --allow-data-loss.`,
		Example: `  redisctl apply -f examples/quickstart.yaml --auto-approve
  redisctl apply prod.plan`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			opts.Ctx = c.Context()
			if len(args) == 1 {
				opts.PlanFile = args[0]
			}
			if (opts.PlanFile == "") == (opts.Spec.File == "") {
				return &flagError{errors.New("give either -f SPEC or a saved PLANFILE")}
			}
			return runVerb(opts, runF, applyRun)
		},
	}
	opts.Spec.register(c)
	c.Flags().BoolVar(&opts.AutoApprove, "auto-approve", false, "apply without asking for confirmation")
	c.Flags().BoolVar(&opts.AllowDataLoss, "allow-data-loss", false, "allow changes whose impact is data-loss")
	c.Flags().IntVar(&opts.Parallelism, "parallelism", 10, "how many changes may run at once")
	c.Flags().BoolVar(&opts.NoColor, "no-color", false, "no colour in the plan (also NO_COLOR)")
	return c
}

func applyRun(opts *ApplyOptions) error {
	if opts.NoColor {
		opts.IO.DisableColor()
	}
	ctx := opts.Ctx
	dopts := deploy.Options{Registry: newRegistry(), StateDir: state.ResolveDir(opts.Spec.StateDir), Progress: opts.IO.ErrOut}
	if opts.PlanFile != "" {
		return applySaved(ctx, opts, dopts)
	}
	s, err := deploy.Open(ctx, opts.Spec.File, dopts)
	if err != nil {
		return err
	}
	lock, p, err := planLocked(ctx, opts.IO, s, "apply", false)
	if err != nil {
		return err
	}
	defer lock.Release()
	if p.Empty() {
		return nil
	}
	allowLoss, err := approve(opts.IO, p, opts.AutoApprove, opts.AllowDataLoss)
	if err != nil {
		return err
	}
	return runApply(ctx, opts.IO, s, lock, p, deploy.ApplyOptions{AllowDataLoss: allowLoss, Parallelism: opts.Parallelism})
}

// applySaved applies a plan file exactly, against the spec it carries.
func applySaved(ctx context.Context, opts *ApplyOptions, dopts deploy.Options) error {
	p, err := plan.Load(opts.PlanFile)
	if err != nil {
		return err
	}
	s, err := deploy.OpenBytes(ctx, p.SpecFile, []byte(p.Spec), dopts)
	if err != nil {
		return fmt.Errorf("spec saved in %s: %w", opts.PlanFile, err)
	}
	lock, err := s.Lock("apply")
	if err != nil {
		return err
	}
	defer lock.Release()
	if err := p.CheckFresh(opts.PlanFile, s.State.Lineage, s.State.Serial); err != nil {
		return err
	}
	if p.Empty() {
		fmt.Fprintln(opts.IO.Out, "No changes in the saved plan; nothing to do.")
		return nil
	}
	return runApply(ctx, opts.IO, s, lock, p, deploy.ApplyOptions{PlanFile: opts.PlanFile, AllowDataLoss: opts.AllowDataLoss, Parallelism: opts.Parallelism})
}

// planLocked takes the state lock for operation, then plans (with destroy,
// the removal) and prints the plan. The caller releases the lock.
func planLocked(ctx context.Context, ios *iostreams.IOStreams, s *deploy.Session, operation string, destroy bool) (*state.Lock, *plan.Plan, error) {
	lock, err := s.Lock(operation)
	if err != nil {
		return nil, nil, err
	}
	p, err := s.Plan(ctx, destroy)
	if err == nil {
		err = plan.RenderHuman(ios.Out, p, ios.ColorEnabled())
	}
	if err != nil {
		lock.Release()
		return nil, nil, err
	}
	return lock, p, nil
}

// approve asks for confirmation unless auto-approved. A plan that loses data
// needs --allow-data-loss, or the deployment's name typed at the prompt.
func approve(ios *iostreams.IOStreams, p *plan.Plan, auto, allowLoss bool) (bool, error) {
	loss := p.DataLoss()
	if len(loss) > 0 && !allowLoss && !p.Destroy {
		if auto || !ios.CanPrompt() {
			return false, fmt.Errorf("%w: %s; review the plan and re-run with --allow-data-loss if that is intended", deploy.ErrDataLoss, strings.Join(loss, ", "))
		}
		ok, err := confirm(ios, fmt.Sprintf("\nThis plan DELETES DATA (%s). Type the deployment name to confirm.", strings.Join(loss, ", ")), p.Deployment)
		if err != nil || !ok {
			return false, errCancelled
		}
		return true, nil
	}
	if auto {
		return allowLoss || p.Destroy, nil
	}
	question := "\nDo you want to perform these actions?"
	if p.Destroy {
		question = fmt.Sprintf("\nDestroy deployment %q? Every node and its data will be deleted.", p.Deployment)
	}
	if !ios.CanPrompt() {
		return false, errors.New("apply needs confirmation: run it in a terminal, or pass --auto-approve")
	}
	ok, err := confirm(ios, question, "yes")
	if err != nil {
		return false, err
	}
	if !ok {
		return false, errCancelled
	}
	return allowLoss || p.Destroy, nil
}

func runApply(ctx context.Context, ios *iostreams.IOStreams, s *deploy.Session, lock *state.Lock, p *plan.Plan, aopts deploy.ApplyOptions) error {
	if err := s.Apply(ctx, lock, p, aopts); err != nil {
		if ctx.Err() != nil {
			fmt.Fprintln(ios.ErrOut, "Interrupted. State records every finished step; run the same command again to continue.")
		}
		return fmt.Errorf("apply: %w", err)
	}
	sum := p.Summary()
	verb := "Apply"
	if p.Destroy {
		verb = "Destroy"
	}
	fmt.Fprintf(ios.Out, "\n%s complete! Resources: %d added, %d changed, %d replaced, %d destroyed.\n", verb, sum.Add, sum.Change, sum.Replace, sum.Destroy)
	if p.Destroy {
		return nil
	}
	out, err := s.Outputs(ctx, false)
	if err != nil {
		return err
	}
	fmt.Fprintln(ios.Out, "\nEndpoints:")
	for _, ep := range out.Endpoints {
		fmt.Fprintf(ios.Out, "  %-8s %s:%d\n", ep.Role, ep.Host, ep.Port)
	}
	if out.URL != "" {
		fmt.Fprintf(ios.Out, "\nConnect: %s\n", out.URL)
	}
	return nil
}
