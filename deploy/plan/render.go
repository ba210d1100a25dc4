package plan

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/redisctl/redisctl/providers"
)

// Format is a plan view.
type Format string

// The plan views.
const (
	FormatHuman    Format = "human"
	FormatJSON     Format = "json"
	FormatMarkdown Format = "markdown"
)

// ParseFormat reads the -o flag.
func ParseFormat(s string) (Format, error) {
	switch Format(s) {
	case "", "text", FormatHuman:
		return FormatHuman, nil
	case FormatJSON, FormatMarkdown:
		return Format(s), nil
	case "md":
		return FormatMarkdown, nil
	}
	return "", fmt.Errorf("unknown output format %q (want human, json or markdown)", s)
}

// Render writes the plan in the given view.
func Render(w io.Writer, p *Plan, f Format, color bool) error {
	switch f {
	case FormatJSON:
		return RenderJSON(w, p)
	case FormatMarkdown:
		return RenderMarkdown(w, p)
	default:
		return RenderHuman(w, p, color)
	}
}

// JSONPlan is the documented, stable plan schema (docs/plan-json.md).
type JSONPlan struct {
	FormatVersion string        `json:"format_version"`
	Deployment    string        `json:"deployment"`
	Provider      string        `json:"provider"`
	Destroy       bool          `json:"destroy"`
	Changes       []JSONChange  `json:"changes"`
	Drift         []JSONDrift   `json:"drift"`
	Warnings      []string      `json:"warnings"`
	Notes         []string      `json:"notes"`
	Summary       JSONSummary   `json:"summary"`
	State         JSONStateInfo `json:"state"`
}

// JSONChange is one change in the JSON view.
type JSONChange struct {
	Address string            `json:"address"`
	Action  providers.Action  `json:"action"`
	Impact  providers.Impact  `json:"impact"`
	Reason  string            `json:"reason"`
	Before  map[string]string `json:"before"`
	After   map[string]string `json:"after"`
	// Attributes lists each changing attribute with how it is applied.
	Attributes        []providers.AttrChange `json:"attributes"`
	Calls             []string               `json:"calls"`
	MaintenanceWindow bool                   `json:"maintenance_window"`
}

// JSONDrift is a change made outside redisctl.
type JSONDrift struct {
	Address string `json:"address"`
	Message string `json:"message"`
}

// JSONSummary counts changes; ExitCode is what --detailed-exitcode returns.
type JSONSummary struct {
	Add      int              `json:"add"`
	Change   int              `json:"change"`
	Replace  int              `json:"replace"`
	Destroy  int              `json:"destroy"`
	Impact   providers.Impact `json:"impact"`
	ExitCode int              `json:"exit_code"`
}

// JSONStateInfo identifies the state the plan was made against.
type JSONStateInfo struct {
	Lineage string `json:"lineage"`
	Serial  uint64 `json:"serial"`
}

// ToJSON builds the JSON view of a plan.
func ToJSON(p *Plan) JSONPlan {
	s := p.Summary()
	out := JSONPlan{
		FormatVersion: FormatVersion, Deployment: p.Deployment, Provider: p.Provider, Destroy: p.Destroy,
		Changes: []JSONChange{}, Drift: []JSONDrift{}, Warnings: append([]string{}, p.Warnings...), Notes: append([]string{}, p.Notes...),
		Summary: JSONSummary{Add: s.Add, Change: s.Change, Replace: s.Replace, Destroy: s.Destroy, Impact: s.Impact, ExitCode: p.ExitCode()},
		State:   JSONStateInfo{Lineage: p.Lineage, Serial: p.Serial},
	}
	for _, c := range p.Changes {
		jc := JSONChange{Address: c.Address, Action: c.Action, Impact: c.Impact, Reason: c.Reason,
			Attributes: redactAttrs(c.Attrs), Calls: append([]string{}, c.Calls...), MaintenanceWindow: c.MaintenanceWindow}
		if c.Before != nil {
			jc.Before = redactMap(c.Before.Attrs, c.Attrs)
		}
		if c.After != nil {
			jc.After = redactMap(c.After.Attrs, c.Attrs)
		}
		out.Changes = append(out.Changes, jc)
	}
	for _, d := range p.Drift {
		out.Drift = append(out.Drift, JSONDrift(d))
	}
	return out
}

// redactAttrs replaces sensitive fingerprints with a marker; fingerprints
// are not secrets, but nothing outside state needs them.
func redactAttrs(in []providers.AttrChange) []providers.AttrChange {
	out := make([]providers.AttrChange, len(in))
	for i, a := range in {
		if a.Sensitive {
			if a.Before != "" {
				a.Before = providers.SensitiveValue
			}
			if a.After != "" {
				a.After = providers.SensitiveValue
			}
		}
		out[i] = a
	}
	return out
}

func redactMap(m map[string]string, attrs []providers.AttrChange) map[string]string {
	sensitive := map[string]bool{}
	for _, a := range attrs {
		if a.Sensitive {
			sensitive[a.Name] = true
		}
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		if (sensitive[k] || isSensitiveName(k)) && v != "" {
			v = providers.SensitiveValue
		}
		out[k] = v
	}
	return out
}

// isSensitiveName catches sensitive attributes of unchanged resources, which
// carry no AttrChange to mark them.
func isSensitiveName(k string) bool {
	return strings.Contains(k, "password") || strings.Contains(k, "auth_token") || strings.Contains(k, "secret")
}

// RenderJSON writes the JSON view.
func RenderJSON(w io.Writer, p *Plan) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(ToJSON(p))
}

// colours for the human view.
const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiRed    = "\x1b[31m"
	ansiCyan   = "\x1b[36m"
	ansiDim    = "\x1b[2m"
)

type painter bool

func (c painter) paint(code, s string) string {
	if !c {
		return s
	}
	return code + s + ansiReset
}

func actionColor(a providers.Action) string {
	switch a {
	case providers.ActionCreate:
		return ansiGreen
	case providers.ActionUpdate:
		return ansiYellow
	default:
		return ansiRed
	}
}

var actionPhrase = map[providers.Action]string{
	providers.ActionCreate:  "will be created",
	providers.ActionUpdate:  "will be updated in place",
	providers.ActionReplace: "will be replaced",
	providers.ActionDelete:  "will be destroyed",
}

// RenderHuman writes the terminal view: one block per change, then the summary.
func RenderHuman(w io.Writer, p *Plan, color bool) error {
	c := painter(color)
	var b strings.Builder
	for _, d := range p.Drift {
		if len(b.String()) == 0 {
			b.WriteString(c.paint(ansiBold, "Changes made outside redisctl since the last apply:") + "\n\n")
		}
		fmt.Fprintf(&b, "  %s %s: %s\n", c.paint(ansiYellow, "!"), d.Address, d.Message)
	}
	if len(p.Drift) > 0 {
		b.WriteString("\n")
	}
	if p.Empty() {
		fmt.Fprintf(&b, "%s Deployment %q matches the spec; nothing to do.\n", c.paint(ansiGreen+ansiBold, "No changes."), p.Deployment)
		writeWarnings(&b, p.Warnings, c)
		_, err := io.WriteString(w, b.String())
		return err
	}
	for _, n := range p.Notes {
		fmt.Fprintf(&b, "%s %s\n", c.paint(ansiCyan, "Note:"), n)
	}
	if len(p.Notes) > 0 {
		b.WriteString("\n")
	}
	b.WriteString("redisctl will perform the following actions:\n\n")
	for _, ch := range p.Changes {
		writeChange(&b, ch, c)
	}
	s := p.Summary()
	fmt.Fprintf(&b, "%s %s. Highest impact: %s.\n", c.paint(ansiBold, "Plan:"), s.Line(), c.paint(impactColor(s.Impact), s.Impact.String()))
	if dl := p.DataLoss(); len(dl) > 0 && !p.Destroy {
		verb := "loses"
		if len(dl) > 1 {
			verb = "lose"
		}
		fmt.Fprintf(&b, "%s %s %s data; apply needs --allow-data-loss.\n", c.paint(ansiRed+ansiBold, "Warning:"), strings.Join(dl, ", "), verb)
	}
	writeWarnings(&b, p.Warnings, c)
	_, err := io.WriteString(w, b.String())
	return err
}

func writeWarnings(b *strings.Builder, ws []string, c painter) {
	for _, w := range ws {
		fmt.Fprintf(b, "%s %s\n", c.paint(ansiYellow+ansiBold, "Warning:"), w)
	}
}

func impactColor(i providers.Impact) string {
	switch {
	case i >= providers.ImpactDataLoss:
		return ansiRed + ansiBold
	case i.Disruptive():
		return ansiYellow
	default:
		return ansiGreen
	}
}

func writeChange(b *strings.Builder, ch providers.Change, c painter) {
	col := actionColor(ch.Action)
	fmt.Fprintf(b, "  %s %s %s (impact: %s)\n", c.paint(ansiDim, "#"), c.paint(ansiBold, ch.Address), actionPhrase[ch.Action], c.paint(impactColor(ch.Impact), ch.Impact.String()))
	if ch.Reason != "" {
		fmt.Fprintf(b, "  %s %s\n", c.paint(ansiDim, "#"), c.paint(ansiDim, ch.Reason))
	}
	if ch.MaintenanceWindow {
		fmt.Fprintf(b, "  %s %s\n", c.paint(ansiDim, "#"), c.paint(ansiDim, "applied in the next maintenance window"))
	}
	typ, name := splitAddress(ch.Address)
	fmt.Fprintf(b, "%s %s %q {\n", c.paint(col, fmt.Sprintf("%3s", ch.Action.Symbol())), typ, name)

	changed := map[string]providers.AttrChange{}
	for _, a := range ch.Attrs {
		changed[a.Name] = a
	}
	width := 0
	for _, a := range ch.Attrs {
		width = max(width, len(a.Name))
	}
	for _, a := range ch.Attrs {
		before, after := quote(a.Before), quote(a.After)
		if a.Sensitive {
			before, after = sensitive(a.Before), sensitive(a.After)
		}
		switch {
		case ch.Action == providers.ActionCreate && a.After == "":
			continue
		case ch.Action == providers.ActionCreate:
			fmt.Fprintf(b, "      %s %-*s = %s\n", c.paint(ansiGreen, "+"), width, a.Name, after)
		case ch.Action == providers.ActionDelete:
			fmt.Fprintf(b, "      %s %-*s = %s\n", c.paint(ansiRed, "-"), width, a.Name, before)
		default:
			note := ""
			switch a.Mode {
			case providers.Replace, providers.Unsupported:
				note = c.paint(ansiRed, "  # forces replacement")
			case providers.Failover:
				note = c.paint(ansiYellow, "  # rolling failover")
			}
			fmt.Fprintf(b, "      %s %-*s = %s -> %s%s\n", c.paint(ansiYellow, "~"), width, a.Name, before, after, note)
		}
	}
	if ch.Action == providers.ActionUpdate || ch.Action == providers.ActionReplace {
		if n := unchanged(ch, changed); n > 0 {
			fmt.Fprintf(b, "        %s\n", c.paint(ansiDim, fmt.Sprintf("(%d unchanged %s hidden)", n, map[bool]string{true: "attribute", false: "attributes"}[n == 1])))
		}
	}
	for _, call := range ch.Calls {
		fmt.Fprintf(b, "      %s %s\n", c.paint(ansiCyan, "→"), call)
	}
	b.WriteString("    }\n\n")
}

func unchanged(ch providers.Change, changed map[string]providers.AttrChange) int {
	if ch.After == nil {
		return 0
	}
	n := 0
	for k := range ch.After.Attrs {
		if _, ok := changed[k]; !ok {
			n++
		}
	}
	return n
}

func quote(s string) string { return fmt.Sprintf("%q", s) }

func sensitive(s string) string {
	if s == "" {
		return `""`
	}
	return providers.SensitiveValue
}

func splitAddress(addr string) (typ, name string) {
	if i := strings.IndexByte(addr, '.'); i >= 0 {
		return addr[:i], addr[i+1:]
	}
	return addr, ""
}

// RenderMarkdown writes a view for a pull-request comment.
func RenderMarkdown(w io.Writer, p *Plan) error {
	var b strings.Builder
	s := p.Summary()
	fmt.Fprintf(&b, "### redisctl plan: `%s` (%s)\n\n", p.Deployment, p.Provider)
	if p.Empty() {
		b.WriteString("**No changes.** The deployment matches the spec.\n")
	} else {
		fmt.Fprintf(&b, "**%s** · highest impact: **`%s`**\n\n", s.Line(), s.Impact)
		b.WriteString("| | Resource | Action | Impact | Reason |\n|---|---|---|---|---|\n")
		for _, c := range p.Changes {
			fmt.Fprintf(&b, "| `%s` | `%s` | %s | %s%s | %s |\n", c.Action.Symbol(), c.Address, c.Action,
				impactBadge(c.Impact), c.Impact, mdEscape(c.Reason))
		}
		b.WriteString("\n<details><summary>Attribute changes</summary>\n\n```diff\n")
		for _, c := range p.Changes {
			fmt.Fprintf(&b, "%s %s\n", diffSign(c.Action), c.Address)
			attrs := append([]providers.AttrChange(nil), c.Attrs...)
			sort.Slice(attrs, func(i, j int) bool { return attrs[i].Name < attrs[j].Name })
			for _, a := range attrs {
				before, after := a.Before, a.After
				if a.Sensitive {
					before, after = sensitive(before), sensitive(after)
				}
				switch c.Action {
				case providers.ActionCreate:
					fmt.Fprintf(&b, "+   %s = %s\n", a.Name, after)
				case providers.ActionDelete:
					fmt.Fprintf(&b, "-   %s = %s\n", a.Name, before)
				default:
					fmt.Fprintf(&b, "-   %s = %s\n+   %s = %s\n", a.Name, before, a.Name, after)
				}
			}
		}
		b.WriteString("```\n\n</details>\n")
	}
	if len(p.Drift) > 0 {
		b.WriteString("\n**Drift** (changed outside redisctl):\n\n")
		for _, d := range p.Drift {
			fmt.Fprintf(&b, "- `%s`: %s\n", d.Address, mdEscape(d.Message))
		}
	}
	for _, n := range p.Notes {
		fmt.Fprintf(&b, "\n> %s\n", mdEscape(n))
	}
	for _, wmsg := range p.Warnings {
		fmt.Fprintf(&b, "\n> **Warning:** %s\n", mdEscape(wmsg))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func impactBadge(i providers.Impact) string {
	switch {
	case i >= providers.ImpactDataLoss:
		return "🔴 "
	case i.Disruptive():
		return "🟠 "
	default:
		return "🟢 "
	}
}

func diffSign(a providers.Action) string {
	switch a {
	case providers.ActionCreate:
		return "+"
	case providers.ActionDelete:
		return "-"
	}
	return "!"
}

func mdEscape(s string) string { return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s) }
