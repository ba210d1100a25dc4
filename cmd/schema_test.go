package cmd

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/redisctl/redisctl/providers"
)

func TestSchemaVerb(t *testing.T) {
	code, out, errOut := runCLI(t, "schema")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if doc["$schema"] != "https://json-schema.org/draft/2020-12/schema" || !strings.Contains(out, `"basePort"`) {
		t.Errorf("unexpected schema: %.300s", out)
	}
}

type settingsOnlyProvider struct {
	providers.Provider
	settings any
}

type fakeSettings struct {
	Region string `yaml:"region"`
}

func (p settingsOnlyProvider) Capabilities() providers.Capabilities {
	return providers.Capabilities{Settings: p.settings}
}

func TestProviderSettingsFromRegistry(t *testing.T) {
	reg := providers.NewRegistry()
	reg.Register("fake", func() providers.Provider { return settingsOnlyProvider{settings: fakeSettings{}} })
	reg.Register("plain", func() providers.Provider { return settingsOnlyProvider{} })
	got := providerSettings(reg)
	if len(got) != 1 || got["fake"] != (fakeSettings{}) {
		t.Errorf("providerSettings = %#v, want only fake's settings", got)
	}
	if providerSettings(providers.NewRegistry()) != nil {
		t.Error("no providers should give nil settings")
	}
}
