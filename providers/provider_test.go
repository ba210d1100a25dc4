package providers

import (
	"reflect"
	"testing"
)

func TestResourceCloneSharesNothing(t *testing.T) {
	r := Resource{Type: "node", Name: "n", Attrs: map[string]string{"a": "1"}, Private: map[string]string{"p": "2"},
		Endpoints: []Endpoint{{Host: "h", Port: 1}}, DependsOn: []string{"x.y"}}
	c := r.Clone()
	if !reflect.DeepEqual(c, r) {
		t.Fatalf("clone %+v differs from %+v", c, r)
	}
	c.Attrs["a"], c.Private["p"], c.Endpoints[0].Port, c.DependsOn[0] = "9", "9", 9, "z.z"
	if r.Attrs["a"] != "1" || r.Private["p"] != "2" || r.Endpoints[0].Port != 1 || r.DependsOn[0] != "x.y" {
		t.Errorf("changing the clone changed the original: %+v", r)
	}
	if e := (Resource{}).Clone(); e.Attrs == nil || e.Private == nil {
		t.Error("a clone's maps are nil")
	}
}

func TestPairsRoundTrip(t *testing.T) {
	m := map[string]string{"team": "web", "env": "prod", "a-b": "1", "a": ""}
	s := JoinPairs(m)
	if s != "a=,a-b=1,env=prod,team=web" {
		t.Errorf("JoinPairs = %q", s)
	}
	if got := SplitPairs(s); !reflect.DeepEqual(got, m) {
		t.Errorf("SplitPairs(%q) = %v", s, got)
	}
	if JoinPairs(nil) != "" || len(SplitPairs("")) != 0 || SplitPairs("") == nil {
		t.Error("an empty map is the empty string and back")
	}
}

func TestChangeSettle(t *testing.T) {
	c := Change{Attrs: []AttrChange{
		{Name: "memory", Mode: InPlace, Impact: ImpactReconnect},
		{Name: "labels", Mode: InPlace, Impact: ImpactMetadata},
	}}
	c.Settle()
	if c.Action != ActionUpdate || c.Impact != ImpactReconnect || c.Reason != "update in place: memory, labels changed" {
		t.Errorf("in place: %s %s %q", c.Action, c.Impact, c.Reason)
	}
	c.Attrs = append(c.Attrs, AttrChange{Name: "port", Mode: Replace, Impact: ImpactDataLoss})
	c.Settle()
	if c.Action != ActionReplace || c.Impact != ImpactDataLoss || c.Reason != "forces replacement: port changed" {
		t.Errorf("replacement: %s %s %q", c.Action, c.Impact, c.Reason)
	}
}
