package providers

import (
	"fmt"
	"sort"
	"strings"
)

// Sensitive attribute values (password fingerprints) are shown as this.
const SensitiveValue = "(sensitive)"

// RuleSet indexes a capability table for diffing.
type RuleSet struct {
	rules     map[string]AttributeRule
	sensitive map[string]bool
}

// NewRuleSet indexes rules by resource type and attribute. Attributes named
// in sensitive are never shown in clear.
func NewRuleSet(rules []AttributeRule, sensitive ...string) *RuleSet {
	rs := &RuleSet{rules: make(map[string]AttributeRule, len(rules)), sensitive: map[string]bool{}}
	for _, r := range rules {
		rs.rules[r.Resource+"."+r.Attribute] = r
	}
	for _, s := range sensitive {
		rs.sensitive[s] = true
	}
	return rs
}

// Rule returns the rule for an attribute. An attribute without a rule is a
// provider bug: the capability table must cover everything it diffs.
func (rs *RuleSet) Rule(resourceType, attr string) AttributeRule {
	r, ok := rs.rules[resourceType+"."+attr]
	if !ok {
		panic(fmt.Sprintf("providers: no capability rule for %s.%s", resourceType, attr))
	}
	return r
}

// Diff compares a refreshed resource with the desired one and returns the
// change (nil when nothing differs). Before may be nil (create) and after
// may be nil (delete); creates and deletes get ImpactNone and the caller
// sets the impact it knows (a delete of data is data-loss).
func (rs *RuleSet) Diff(before, after *Resource) *Change {
	switch {
	case before == nil && after == nil:
		return nil
	case before == nil:
		return &Change{Address: after.Address(), Action: ActionCreate, Impact: ImpactNone,
			Reason: "not yet created", After: after, Attrs: rs.attrChanges(after.Type, nil, after.Attrs)}
	case after == nil:
		return &Change{Address: before.Address(), Action: ActionDelete, Impact: ImpactNone,
			Reason: "no longer in the spec", Before: before, Attrs: rs.attrChanges(before.Type, before.Attrs, nil)}
	}
	attrs := rs.attrChanges(after.Type, before.Attrs, after.Attrs)
	if len(attrs) == 0 {
		return nil
	}
	for i := range attrs {
		r := rs.Rule(after.Type, attrs[i].Name)
		attrs[i].Mode, attrs[i].Impact = r.Mode, r.Impact
	}
	c := &Change{Address: after.Address(), Before: before, After: after, Attrs: attrs}
	c.Settle()
	return c
}

// Settle sets an update's action, impact and reason from its attribute
// changes: the worst impact, a replacement when any attribute forces one, and
// a reason naming the attributes. A provider that adjusts an attribute's mode
// or impact after Diff settles the change again.
func (c *Change) Settle() {
	c.Impact = ImpactNone
	var replacing, updating []string
	for _, a := range c.Attrs {
		c.Impact = Worst(c.Impact, a.Impact)
		if a.Mode == Replace || a.Mode == Unsupported {
			replacing = append(replacing, a.Name)
		} else {
			updating = append(updating, a.Name)
		}
	}
	c.Action, c.Reason = ActionUpdate, "update in place: "+joinChanged(updating)
	if len(replacing) > 0 {
		c.Action, c.Reason = ActionReplace, "forces replacement: "+joinChanged(replacing)
	}
}

func joinChanged(names []string) string {
	if len(names) == 1 {
		return names[0] + " changed"
	}
	return strings.Join(names, ", ") + " changed"
}

// attrChanges lists every attribute whose value differs, sorted by name.
func (rs *RuleSet) attrChanges(resourceType string, before, after map[string]string) []AttrChange {
	names := map[string]bool{}
	for k := range before {
		names[k] = true
	}
	for k := range after {
		names[k] = true
	}
	var out []AttrChange
	for n := range names {
		b, hasB := before[n]
		a, hasA := after[n]
		if hasB && hasA && a == b {
			continue
		}
		if !hasA && after != nil {
			// An attribute the desired resource leaves unset is not managed.
			continue
		}
		out = append(out, AttrChange{Name: n, Before: b, After: a, Sensitive: rs.sensitive[n]})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
