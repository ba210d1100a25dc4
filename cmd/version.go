package cmd

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/redisctl/redisctl/cmd/iostreams"
)

// Version is set at build time with -ldflags "-X .../cmd.Version=v1.2.3".
var Version = "dev"

// VersionOptions holds what the version verb needs.
type VersionOptions struct {
	IO *iostreams.IOStreams
}

// NewCmdVersion builds `redisctl version`.
func NewCmdVersion(ios *iostreams.IOStreams, runF func(*VersionOptions) error) *cobra.Command {
	opts := &VersionOptions{IO: ios}
	return &cobra.Command{
		Use:   "version",
		Short: "Print the redisctl version",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return runVerb(opts, runF, versionRun)
		},
	}
}

func versionRun(opts *VersionOptions) error {
	rev := "unknown"
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" {
				rev = s.Value
			}
		}
	}
	_, err := fmt.Fprintf(opts.IO.Out, "redisctl %s (%s, %s %s/%s)\n", Version, rev, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return err
}
