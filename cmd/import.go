package cmd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/redisctl/redisctl/cmd/iostreams"
	"github.com/redisctl/redisctl/deploy/secret"
	"github.com/redisctl/redisctl/deploy/state"
	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/topology"
)

// ImportOptions holds what import needs.
type ImportOptions struct {
	IO         *iostreams.IOStreams
	Ctx        context.Context
	Provider   string
	ID         string
	Name       string
	File       string
	StateDir   string
	Settings   []string
	Force      bool
	registryFn func() *providers.Registry
}

// NewCmdImport builds `redisctl import`.
func NewCmdImport(ios *iostreams.IOStreams, runF func(*ImportOptions) error) *cobra.Command {
	opts := &ImportOptions{IO: ios, registryFn: newRegistry}
	c := &cobra.Command{
		Use:   "import --provider NAME --id ID --name DEPLOYMENT -f SPEC",
		Short: "Adopt an existing cache: write a spec for it and record it in state",
		Long: `Adopt a cache created outside redisctl. redisctl reads it from the provider, writes a
spec that describes it as it is, and records it in state, so that the first plan is
empty; from then on, edit the spec and apply as usual.`,
		Example: `  redisctl import --provider aws --id orders-cache --name orders --set region=eu-west-1 -f orders.yaml
  redisctl plan -f orders.yaml    # No changes.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			opts.Ctx = c.Context()
			if opts.Provider == "" || opts.ID == "" || opts.Name == "" || opts.File == "" {
				return &flagError{errors.New("import needs --provider, --id, --name and -f")}
			}
			return runVerb(opts, runF, importRun)
		},
	}
	c.Flags().StringVar(&opts.Provider, "provider", "", "provider holding the cache (e.g. aws, gcp, azure, digitalocean)")
	c.Flags().StringVar(&opts.ID, "id", "", "the provider's identifier of the cache")
	c.Flags().StringVar(&opts.Name, "name", "", "deployment name to give it")
	c.Flags().StringVarP(&opts.File, "file", "f", "", "spec file to write")
	c.Flags().StringVar(&opts.StateDir, "state-dir", "", "state directory (default $"+state.DirEnv+" or ./"+state.DefaultDir+")")
	c.Flags().StringArrayVar(&opts.Settings, "set", nil, "provider setting as key=value (region, project, resource group...)")
	c.Flags().BoolVar(&opts.Force, "force", false, "overwrite an existing spec file")
	return c
}

func importRun(opts *ImportOptions) error {
	if err := topology.CheckName(opts.Name); err != nil {
		return &flagError{fmt.Errorf("--name: %w", err)}
	}
	settings := map[string]string{}
	for _, kv := range opts.Settings {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return &flagError{fmt.Errorf("--set %q: want key=value", kv)}
		}
		settings[k] = v
	}
	if _, err := os.Stat(opts.File); err == nil && !opts.Force {
		return fmt.Errorf("%s exists; choose another file or pass --force", opts.File)
	}
	p, err := opts.registryFn().Get(opts.Provider)
	if err != nil {
		return err
	}
	imp, ok := p.(providers.Importer)
	if !ok {
		return fmt.Errorf("provider %s cannot import existing resources", opts.Provider)
	}
	store := &state.Store{Dir: state.ResolveDir(opts.StateDir)}
	st, err := store.Load(opts.Name, opts.Provider)
	if err != nil {
		return err
	}
	if !st.Empty() {
		return fmt.Errorf("deployment %q already has state in %s; import under another --name", opts.Name, store.Dir)
	}
	st.Salt = secret.NewSalt()
	salt := st.Salt
	resp, err := imp.Import(opts.Ctx, providers.ImportRequest{
		Deployment: opts.Name, ID: opts.ID, Settings: settings, StateDir: store.Dir,
		Fingerprint: func(v string) string { return secret.Fingerprint(salt, v) },
	})
	if err != nil {
		return fmt.Errorf("import %s %s: %w", opts.Provider, opts.ID, err)
	}
	if _, err := topology.Parse(opts.File, resp.Spec); err != nil {
		return fmt.Errorf("provider %s wrote a spec that does not load (a bug; please report it): %w", opts.Provider, err)
	}
	lock, err := store.Lock(opts.Name, "import", state.DefaultLease)
	if err != nil {
		return err
	}
	defer lock.Release()
	for _, r := range resp.Resources {
		st.Put(state.Entry{Resource: r})
	}
	if err := os.WriteFile(opts.File, resp.Spec, 0o644); err != nil {
		return fmt.Errorf("write spec: %w", err)
	}
	if err := store.Save(st); err != nil {
		return err
	}
	for _, w := range resp.Warnings {
		fmt.Fprintf(opts.IO.ErrOut, "Warning: %s\n", w)
	}
	fmt.Fprintf(opts.IO.Out, "Imported %s %s as deployment %q: wrote %s and recorded %d resources.\nCheck it with: redisctl plan -f %s\n",
		opts.Provider, opts.ID, opts.Name, opts.File, len(resp.Resources), opts.File)
	return nil
}
