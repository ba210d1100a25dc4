// Package cmd holds redisctl's command-line interface: one file per verb, each
// with an Options struct, a NewCmdX constructor that only parses flags, and an
// xRun function that does the work.
package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/redisctl/redisctl/cmd/iostreams"
	"github.com/redisctl/redisctl/topology"
)

// Exit codes shared by every verb. plan --detailed-exitcode adds 2, 3 and 4.
const (
	exitOK        = 0
	exitError     = 1
	exitCancelled = 130
)

// Main runs redisctl with the process's arguments and streams and returns the
// exit code. It is the only entry point main.go calls.
func Main() int {
	return Run(context.Background(), os.Args[1:], iostreams.System())
}

// Run executes one redisctl invocation; tests call it in-process.
func Run(ctx context.Context, args []string, ios *iostreams.IOStreams) int {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	root := NewCmdRoot(ios)
	root.SetArgs(terraformStyleFlags(args))
	err := root.ExecuteContext(ctx)
	return handleError(ios, err)
}

// terraformStyleFlags accepts the single-dash long flags people type from
// Terraform habit (-out FILE), which pflag would read as -o -u -t.
func terraformStyleFlags(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		if a == "-out" || strings.HasPrefix(a, "-out=") {
			a = "-" + a
		}
		out[i] = a
	}
	return out
}

// ExitError carries a non-error exit code out of a command (for example plan's
// --detailed-exitcode); it prints nothing.
type ExitError struct{ Code int }

func (e *ExitError) Error() string { return fmt.Sprintf("exit status %d", e.Code) }

// errCancelled is returned when the user declines a prompt or interrupts.
var errCancelled = errors.New("cancelled")

// flagError marks a usage mistake, so the usage hint is printed with it.
type flagError struct{ err error }

func (e *flagError) Error() string { return e.err.Error() }
func (e *flagError) Unwrap() error { return e.err }

func handleError(ios *iostreams.IOStreams, err error) int {
	var exit *ExitError
	var fe *flagError
	var probs topology.Problems
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &exit):
		return exit.Code
	case errors.Is(err, errCancelled), errors.Is(err, context.Canceled):
		fmt.Fprintln(ios.ErrOut, "Cancelled.")
		return exitCancelled
	case errors.As(err, &probs):
		fmt.Fprintln(ios.ErrOut, probs.Error())
		fmt.Fprintf(ios.ErrOut, "Error: the spec is not valid (%d %s); fix %s and run again.\n", len(probs), plural(len(probs), "problem", "problems"), plural(len(probs), "it", "them"))
		return exitError
	case errors.As(err, &fe):
		fmt.Fprintf(ios.ErrOut, "Error: %s\nRun 'redisctl --help' for usage.\n", err)
		return exitError
	default:
		fmt.Fprintf(ios.ErrOut, "Error: %s\n", err)
		return exitError
	}
}

// NewCmdRoot builds the command tree. Verbs are registered here, explicitly.
func NewCmdRoot(ios *iostreams.IOStreams) *cobra.Command {
	root := &cobra.Command{
		Use:           "redisctl",
		Short:         "Deploy and run Redis anywhere",
		Long:          "redisctl plans and applies Redis deployments (single, HA, cluster) described in a YAML topology spec,\non this machine, in containers, on cloud VMs or on managed Redis services.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(ios.Out)
	root.SetErr(ios.ErrOut)
	root.SetIn(ios.In)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &flagError{err} })

	root.AddCommand(
		NewCmdInit(ios, nil),
		NewCmdValidate(ios, nil),
		NewCmdSchema(ios, nil),
		NewCmdPlan(ios, nil),
		NewCmdApply(ios, nil),
		NewCmdDestroy(ios, nil),
		NewCmdStatus(ios, nil),
		NewCmdOutput(ios, nil),
		NewCmdBackup(ios, nil),
		NewCmdRestore(ios, nil),
		NewCmdImport(ios, nil),
		NewCmdProviders(ios, nil),
		NewCmdVersion(ios, nil),
		NewCmdServer(ios, nil),
	)
	return root
}
