package cmd

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/redisctl/redisctl/cmd/iostreams"
	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/topology"
)

// SchemaOptions holds what schema needs.
type SchemaOptions struct {
	IO *iostreams.IOStreams
	// ProviderSettings maps provider names to a zero value of their
	// settings struct, for the provider block's schema.
	ProviderSettings map[string]any
}

// NewCmdSchema builds `redisctl schema`.
func NewCmdSchema(ios *iostreams.IOStreams, runF func(*SchemaOptions) error) *cobra.Command {
	opts := &SchemaOptions{IO: ios}
	return &cobra.Command{
		Use:   "schema",
		Short: "Print the JSON Schema of the topology spec",
		Long: `Print a JSON Schema (draft 2020-12) of the topology spec, with every field's
description, default and allowed values, for editors and linters. For example, with
the YAML language server, put this line at the top of a spec:

  # yaml-language-server: $schema=redisctl.schema.json`,
		Example: `  redisctl schema > redisctl.schema.json`,
		Args:    cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			opts.ProviderSettings = providerSettings(newRegistry())
			return runVerb(opts, runF, schemaRun)
		},
	}
}

func schemaRun(opts *SchemaOptions) error {
	b, err := topology.JSONSchema(opts.ProviderSettings)
	if err != nil {
		return err
	}
	_, err = opts.IO.Out.Write(b)
	return err
}

// providerSettings collects the settings structs the registered providers
// publish in their capabilities; nil when none do, which leaves the
// provider block open in the schema.
func providerSettings(reg *providers.Registry) map[string]any {
	var out map[string]any
	for _, name := range reg.Names() {
		p, err := reg.Get(name)
		if err != nil {
			panic(fmt.Sprintf("registered provider %s: %v", name, err))
		}
		if st := p.Capabilities().Settings; st != nil {
			if out == nil {
				out = map[string]any{}
			}
			out[name] = st
		}
	}
	return out
}
