package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/redisctl/redisctl/cmd/iostreams"
	"github.com/redisctl/redisctl/engine/config"
	"github.com/redisctl/redisctl/engine/server"
)

// ServerOptions holds what the server verb needs: redis-server's command
// line, unparsed.
type ServerOptions struct {
	IO   *iostreams.IOStreams
	Ctx  context.Context
	Args []string
}

// NewCmdServer builds `redisctl server`, which runs the bundled engine. It
// takes redis-server's command line: an optional config file followed by
// --directive value... pairs, so it parses arguments itself.
func NewCmdServer(ios *iostreams.IOStreams, runF func(*ServerOptions) error) *cobra.Command {
	opts := &ServerOptions{IO: ios}
	c := &cobra.Command{
		Use:   "server [/path/to/redis.conf] [--directive value ...]",
		Short: "Run the bundled Redis-compatible server",
		Long: "Run the bundled Redis-compatible server. Arguments are those of redis-server:\n" +
			"an optional config file, then configuration directives as --name value,\n" +
			"e.g. redisctl server /etc/node.conf --port 7001 --maxmemory 256mb",
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Ctx = cmd.Context()
			opts.Args = args
			return runVerb(opts, runF, serverRun)
		},
	}
	c.AddCommand(NewCmdServerCheckAOF(ios, nil), NewCmdServerCheckRDB(ios, nil))
	return c
}

func serverRun(opts *ServerOptions) error {
	if len(opts.Args) == 1 {
		switch opts.Args[0] {
		case "-h", "--help":
			fmt.Fprintln(opts.IO.Out, "Usage: redisctl server [/path/to/redis.conf] [options] [-]\n       redisctl server -v or --version\n       redisctl server -h or --help\n\n"+
				"Examples:\n       redisctl server (run the server with default conf)\n       redisctl server /etc/redis/6379.conf\n"+
				"       redisctl server --port 7777\n       redisctl server /etc/myredis.conf --loglevel verbose")
			return nil
		case "-v", "--version":
			fmt.Fprintf(opts.IO.Out, "Redis server v=%s sha=00000000:0 malloc=go bits=64 build=redisctl-%s\n", config.RedisVersion, Version)
			return nil
		}
	}
	cfg, err := config.Load(opts.Args)
	if err != nil {
		fmt.Fprintln(opts.IO.ErrOut, err)
		return &ExitError{Code: exitError}
	}
	if cfg.Bool("daemonize") {
		args := append(append([]string{"server"}, opts.Args...), "--daemonize", "no")
		if err := server.Daemonize(args); err != nil {
			return fmt.Errorf("daemonize: %w", err)
		}
		return nil
	}
	exe, _ := os.Executable()
	srv, err := server.New(cfg, server.Options{LogOut: opts.IO.Out, Executable: exe})
	if err != nil {
		fmt.Fprintln(opts.IO.ErrOut, err)
		return &ExitError{Code: exitError}
	}
	ctx := opts.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	if err := srv.Run(ctx); err != nil {
		msg := err.Error()
		if !strings.HasSuffix(msg, ".") {
			msg = "server: " + msg
		}
		fmt.Fprintln(opts.IO.ErrOut, msg)
		var exit *ExitError
		if errors.As(err, &exit) {
			return exit
		}
		return &ExitError{Code: exitError}
	}
	return nil
}
