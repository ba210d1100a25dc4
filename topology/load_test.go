package topology

import (
	"errors"
	"strings"
	"testing"
)

const header = "apiVersion: redisctl.io/v1alpha1\nkind: Deployment\nname: demo\n"

func mustParse(t *testing.T, body string) *Spec {
	t.Helper()
	s, err := Parse("spec.yaml", []byte(header+body))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return s
}

// problemsOf parses body after the standard header and returns the problems
// as their formatted lines.
func problemsOf(t *testing.T, text string) []string {
	t.Helper()
	_, err := Parse("spec.yaml", []byte(text))
	if err == nil {
		return nil
	}
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatalf("Parse error is %T, want Problems: %v", err, err)
	}
	return strings.Split(ps.Error(), "\n")
}

func TestParseProblems(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"unknown field with suggestion", header + "replica: 2\n",
			[]string{`spec.yaml:4:1: replica: unknown field "replica"; did you mean "replicas"?`}},
		{"wrong type", header + "layout: ha\nreplicas: three\n",
			[]string{`spec.yaml:5:11: replicas: expected an integer, got "three"`}},
		{"bad enum", header + "layout: HA\n",
			[]string{`spec.yaml:4:9: layout: "HA" is not one of single, ha, cluster; did you mean "ha"?`}},
		{"literal password is not echoed", header + "auth: {password: s3cret}\n",
			[]string{`spec.yaml:4:18: auth.password: a literal secret is not allowed in the spec; put it in an environment variable or a file and write env:NAME or file:PATH, or write generate to have one made`}},
		{"duplicate key", header + "memory: 1Gi\nmemory: 2Gi\n",
			[]string{`spec.yaml:5:1: memory: duplicate key "memory" (first given at line 4)`}},
		{"syntax error", header + "network:\n  bind: [\n",
			nil}, // checked below: one positioned problem
		{"wrong apiVersion stops", "apiVersion: redisctl.io/v2\nkind: Deployment\nname: demo\nbogus: 1\n",
			[]string{`spec.yaml:1:13: apiVersion: "redisctl.io/v2" is not supported; this redisctl reads apiVersion: redisctl.io/v1alpha1 (a newer redisctl may read this spec)`}},
		{"missing header fields", "name: demo\n",
			[]string{`spec.yaml:1:1: apiVersion: missing; add apiVersion: redisctl.io/v1alpha1`, `spec.yaml:1:1: kind: missing; add kind: Deployment`}},
		{"validation after defaults", header + "layout: cluster\nsentinels: 3\n",
			[]string{`spec.yaml:5:12: sentinels: sentinels are for layout: ha; a cluster detects failures and fails over by itself`}},
		{"single with replicas", header + "replicas: 2\n",
			[]string{`spec.yaml:4:11: replicas: layout single has no replicas; use layout: ha for a primary with replicas`}},
		{"empty file", "", []string{`spec.yaml:1:1: the file is empty; write a spec (redisctl init writes a starter one)`}},
		{"not a mapping", "- a\n", []string{`spec.yaml:1:1: a spec is a mapping (apiVersion: redisctl.io/v1alpha1, kind: Deployment, name: ..., ...), got a list`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := problemsOf(t, tt.text)
			if tt.want == nil {
				if len(got) != 1 || !strings.HasPrefix(got[0], "spec.yaml:") {
					t.Fatalf("got %q, want one positioned problem", got)
				}
				return
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestDefaults(t *testing.T) {
	tests := []struct {
		body                        string
		shards, replicas, sentinels int
	}{
		{"", 0, 0, 0},
		{"layout: ha\n", 0, 1, 3},
		{"layout: ha\nreplicas: 0\n", 0, 0, 3},
		{"layout: cluster\n", 3, 1, 0},
		{"layout: cluster\nreplicas: 0\nshards: 5\n", 5, 0, 0},
	}
	for _, tt := range tests {
		s := mustParse(t, tt.body)
		if s.Shards != tt.shards || s.Replicas != tt.replicas || s.Sentinels != tt.sentinels {
			t.Errorf("%q: shards/replicas/sentinels = %d/%d/%d, want %d/%d/%d", tt.body,
				s.Shards, s.Replicas, s.Sentinels, tt.shards, tt.replicas, tt.sentinels)
		}
	}
	s := mustParse(t, "persistence: {mode: aof}\n")
	if s.Provider.Name != "local" || s.Layout != LayoutSingle || s.Memory.Bytes != 256<<20 ||
		s.EvictionPolicy != NoEviction || s.Persistence.Fsync != FsyncEverySec ||
		s.Network.BasePort != 6379 || s.Engine.Name != EngineRedis || s.Network.Bind != "" {
		t.Errorf("defaults not applied: %+v", s)
	}
}

type testSettings struct {
	Region   string    `yaml:"region"`
	NodeType string    `yaml:"nodeType"`
	Snapshot int       `yaml:"snapshotRetentionDays"`
	Token    SecretRef `yaml:"authToken"`
}

func TestDecodeSettings(t *testing.T) {
	s := mustParse(t, "provider:\n  name: aws\n  region: eu-west-1\n  snapshotRetentionDays: 7\n  authToken: env:TOKEN\n")
	var got testSettings
	if err := DecodeSettings(s, &got); err != nil {
		t.Fatal(err)
	}
	want := testSettings{Region: "eu-west-1", Snapshot: 7, Token: SecretRef{Source: SecretEnv, Name: "TOKEN"}}
	if got != want {
		t.Errorf("settings = %+v, want %+v", got, want)
	}

	s = mustParse(t, "provider:\n  name: aws\n  regoin: eu-west-1\n  snapshotRetentionDays: week\n")
	err := DecodeSettings(s, &got)
	wantMsg := "spec.yaml:6:3: provider.regoin: unknown field \"regoin\" in the aws provider settings; did you mean \"region\"?\n" +
		"spec.yaml:7:26: provider.snapshotRetentionDays: expected an integer, got \"week\""
	if err == nil || err.Error() != wantMsg {
		t.Errorf("DecodeSettings error:\n%v\nwant:\n%s", err, wantMsg)
	}

	s = mustParse(t, "")
	if err := DecodeSettings(s, &got); err != nil || s.Provider.Settings != nil {
		t.Errorf("no settings: err %v, settings %v", err, s.Provider.Settings)
	}
}

func TestAnchorsAndMerge(t *testing.T) {
	s := mustParse(t, "zones: [&first eu-1a, eu-1b]\nlabels: {zone: *first}\n"+
		"persistence:\n  <<: {mode: aof, fsync: \"no\"}\n  fsync: always\n")
	if s.Labels["zone"] != "eu-1a" {
		t.Errorf("alias: labels.zone = %q, want eu-1a", s.Labels["zone"])
	}
	if s.Persistence.Mode != PersistenceAOF || s.Persistence.Fsync != FsyncAlways {
		t.Errorf("merge: persistence = %+v, want aof/always (explicit key wins)", s.Persistence)
	}
}

func TestSyntaxErrorPositions(t *testing.T) {
	tests := []struct{ text, want string }{
		{"a: 1\nb: {c: 2\nd: 3\n", "spec.yaml:2:5: did not find expected ',' or '}'"},
		{"a: 1\nb:\n  c: 1\n\td: 2\n", "spec.yaml:4:1: found a tab character that violates indentation"},
		{"a: 1\nb: c: d\n", "spec.yaml:2:5: mapping values are not allowed in this context"},
		{"a: 1\nb: 2\n- c\n", "spec.yaml:3:1: did not find expected key"},
		{"a: 1\nb: *nope\n", "spec.yaml:2:4: unknown anchor 'nope' referenced"},
		{"a: 1\nb: @x\n", "spec.yaml:2:4: found character that cannot start any token"},
		{"a:\n  - 1\n  b: 2\n", "spec.yaml:3:4: did not find expected '-' indicator"},
		{"a: 1\n\nb: |\n  x\n y\n", "spec.yaml:5:2: did not find expected key"},
		{"a: 1\n---\nb: [\n", "spec.yaml:3:4: did not find expected node content"},
	}
	for _, tt := range tests {
		got := problemsOf(t, tt.text)
		if len(got) != 1 || got[0] != tt.want {
			t.Errorf("%q:\n got %q\nwant %q", tt.text, got, tt.want)
		}
	}
}

func TestSuggest(t *testing.T) {
	known := []string{"dir", "engineBinary", "replicas", "basePort", "region"}
	for in, want := range map[string]string{
		"dri": "dir", "replica": "replicas", "baseport": "basePort", "regoin": "region",
		"engine": "", "zzz": "", "enginebinary": "engineBinary",
	} {
		if got := suggest(in, known); got != want {
			t.Errorf("suggest(%q) = %q, want %q", in, got, want)
		}
	}
	for _, tt := range []struct {
		a, b string
		d    int
	}{{"", "abc", 3}, {"abc", "abc", 0}, {"abc", "acb", 1}, {"kitten", "sitting", 3}} {
		if got := editDistance(tt.a, tt.b); got != tt.d {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.d)
		}
	}
}

func TestProblemfPositions(t *testing.T) {
	s := mustParse(t, "network:\n  basePort: 7000\nprovider:\n  name: aws\n  region: eu-west-1\n  subnets:\n    - a\n    - b\n")
	tests := []struct {
		path      string
		line, col int
	}{
		{"network.basePort", 5, 13},
		{"network.bind", 5, 3}, // not written: the network block
		{"provider.region", 8, 11},
		{"provider.subnets[1]", 11, 7},
		{"provider.nodeType", 7, 3}, // not written: the provider block
		{"memory", 1, 1},            // not written at top level: the document
	}
	for _, tt := range tests {
		p := s.Problemf(tt.path, "msg %d", 1)
		if p.Line != tt.line || p.Column != tt.col || p.File != "spec.yaml" || p.Path != tt.path || p.Message != "msg 1" {
			t.Errorf("Problemf(%s) = %+v, want %d:%d", tt.path, p, tt.line, tt.col)
		}
	}
	if p := (&Spec{Name: "x"}).Problemf("name", "m"); p.Line != 0 || p.String() != "name: m" {
		t.Errorf("spec built in code: %+v %q", p, p.String())
	}
}
