// Package plan holds a deployment plan as a value — computed once, then
// printed (human, JSON, Markdown), saved to a file and applied — and the exit
// codes a CI gate reads from it.
package plan

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/redisctl/redisctl/providers"
)

// FormatVersion is the version of the plan JSON schema (docs/plan-json.md).
// Additions keep the major version; removals or renames bump it.
const FormatVersion = "1.0"

// Plan is the set of changes that turn a deployment's state into its spec.
type Plan struct {
	FormatVersion string `json:"format_version"`
	Deployment    string `json:"deployment"`
	Provider      string `json:"provider"`
	// Lineage and Serial identify the state the plan was made against.
	Lineage string `json:"lineage"`
	Serial  uint64 `json:"serial"`
	// Salt keys secret fingerprints; a plan for a new deployment carries
	// the salt its fingerprints were made with.
	Salt string `json:"salt"`
	// Destroy is set for a plan that removes the whole deployment.
	Destroy  bool               `json:"destroy,omitempty"`
	Changes  []providers.Change `json:"changes"`
	Drift    []providers.Drift  `json:"drift,omitempty"`
	Warnings []string           `json:"warnings,omitempty"`
	Notes    []string           `json:"notes,omitempty"`
	// SpecFile and Spec are the spec the plan was made from, so a saved plan
	// applies exactly what was reviewed.
	SpecFile  string    `json:"spec_file"`
	Spec      string    `json:"spec"`
	CreatedAt time.Time `json:"created_at"`
}

// Summary counts changes by action.
type Summary struct {
	Add     int `json:"add"`
	Change  int `json:"change"`
	Replace int `json:"replace"`
	Destroy int `json:"destroy"`
	// Impact is the worst impact of any change ("none" when there are none).
	Impact providers.Impact `json:"impact"`
}

// Summary counts the plan's changes.
func (p *Plan) Summary() Summary {
	var s Summary
	for _, c := range p.Changes {
		switch c.Action {
		case providers.ActionCreate:
			s.Add++
		case providers.ActionUpdate:
			s.Change++
		case providers.ActionReplace:
			s.Replace++
		case providers.ActionDelete:
			s.Destroy++
		}
		s.Impact = providers.Worst(s.Impact, c.Impact)
	}
	return s
}

// Empty reports whether the plan changes nothing.
func (p *Plan) Empty() bool { return len(p.Changes) == 0 }

// Line is the one-line summary: "1 to add, 0 to change, 0 to replace, 0 to destroy".
func (s Summary) Line() string {
	return fmt.Sprintf("%d to add, %d to change, %d to replace, %d to destroy", s.Add, s.Change, s.Replace, s.Destroy)
}

// Exit codes of plan --detailed-exitcode.
const (
	ExitNoChanges  = 0
	ExitSafe       = 2
	ExitDisruptive = 3
	ExitDataLoss   = 4
)

// ExitCode classifies the plan for --detailed-exitcode.
func (p *Plan) ExitCode() int {
	if p.Empty() {
		return ExitNoChanges
	}
	switch imp := p.Summary().Impact; {
	case imp >= providers.ImpactDataLoss:
		return ExitDataLoss
	case imp.Disruptive():
		return ExitDisruptive
	default:
		return ExitSafe
	}
}

// DataLoss lists the addresses of changes that lose data.
func (p *Plan) DataLoss() []string {
	var out []string
	for _, c := range p.Changes {
		if c.Impact >= providers.ImpactDataLoss {
			out = append(out, c.Address)
		}
	}
	return out
}

// fileKind marks a saved plan file.
const fileKind = "redisctl-plan"

type savedPlan struct {
	Kind string `json:"kind"`
	*Plan
}

// Save writes the plan to path (mode 0600) for a later `apply FILE`.
func (p *Plan) Save(path string) error {
	b, err := json.MarshalIndent(savedPlan{Kind: fileKind, Plan: p}, "", "  ")
	if err != nil {
		return fmt.Errorf("encode plan: %w", err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("save plan: %w", err)
	}
	return nil
}

// ErrNotPlanFile is returned by Load for a file that is not a saved plan.
var ErrNotPlanFile = errors.New("not a saved redisctl plan")

// Load reads a plan saved with Save.
func Load(path string) (*Plan, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read plan: %w", err)
	}
	var sp savedPlan
	if err := json.Unmarshal(b, &sp); err != nil || sp.Kind != fileKind || sp.Plan == nil {
		return nil, fmt.Errorf("%s: %w (make one with `redisctl plan -f SPEC -out FILE`)", path, ErrNotPlanFile)
	}
	if sp.FormatVersion != FormatVersion {
		return nil, fmt.Errorf("%s: plan format %s, this redisctl reads %s: plan again", path, sp.FormatVersion, FormatVersion)
	}
	return sp.Plan, nil
}

// StaleError says a saved plan no longer matches the state.
type StaleError struct {
	Path                  string
	PlanLineage, Lineage  string
	PlanSerial, NowSerial uint64
}

func (e *StaleError) Error() string {
	if e.PlanLineage == "" && e.Lineage != "" {
		return fmt.Sprintf("saved plan %s is stale: it was made before the deployment was first applied, and the state is now at serial %d; plan again and review the new plan", e.Path, e.NowSerial)
	}
	if e.PlanLineage != e.Lineage {
		return fmt.Sprintf("saved plan %s was made for another deployment instance (lineage %s, state has %s): plan again", e.Path, short(e.PlanLineage), short(e.Lineage))
	}
	return fmt.Sprintf("saved plan %s is stale: it was made against state serial %d, but the state is now at serial %d; plan again and review the new plan", e.Path, e.PlanSerial, e.NowSerial)
}

func short(s string) string {
	if s == "" {
		return "(none)"
	}
	if len(s) > 8 {
		return s[:8]
	}
	return s
}

// CheckFresh refuses a saved plan made against an older state.
func (p *Plan) CheckFresh(path, lineage string, serial uint64) error {
	if p.Lineage != lineage || p.Serial != serial {
		return &StaleError{Path: path, PlanLineage: p.Lineage, Lineage: lineage, PlanSerial: p.Serial, NowSerial: serial}
	}
	return nil
}
