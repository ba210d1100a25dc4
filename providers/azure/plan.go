package azure

import (
	"context"
	"fmt"
	"strings"

	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/topology"
)

// Plan diffs the desired resources against the refreshed ones. It does no
// I/O: everything it needs was read by Read.
func (p *Provider) Plan(_ context.Context, req providers.PlanRequest) (*providers.PlanResponse, error) {
	s := settings(req.Spec)
	resp := &providers.PlanResponse{}
	for _, r := range req.Current {
		if r.Type == typeCache {
			resp.Warnings = append(resp.Warnings, retirementWarning(r.Attrs["name"]))
		}
	}
	if req.Destroy {
		return resp, planDestroy(req, s, resp)
	}
	sub, _ := p.subscription(s) // "" is fine: only Apply needs it
	var desired []providers.Resource
	if s.ClassicCache != "" {
		if len(resp.Warnings) == 0 {
			resp.Warnings = append(resp.Warnings, retirementWarning(s.ClassicCache))
		}
		desired = []providers.Resource{desiredClassic(req.Deployment, sub)}
		resp.Notes = append(resp.Notes, classicNote(req.Spec, desired[0]))
	} else {
		desired = desiredManaged(req.Deployment, sub)
		resp.Notes = append(resp.Notes, managedNotes(req.Spec, s, desired)...)
	}
	current := map[string]providers.Resource{}
	for _, r := range req.Current {
		current[r.Address()] = r
	}
	wanted := map[string]bool{}
	clusterReplaced := false
	for _, want := range desired {
		addr := want.Address()
		wanted[addr] = true
		var before *providers.Resource
		if cur, ok := current[addr]; ok {
			before = &cur
		}
		w := want
		c := ruleSet.Diff(before, &w)
		if want.Type == typeDatabase && clusterReplaced && before != nil {
			c = forcedReplace(before, &w, c)
		}
		if before != nil && before.Private[privState] == "Failed" && want.Type != typeCache {
			c = &providers.Change{Address: addr, Action: providers.ActionReplace, Impact: providers.ImpactDataLoss, Before: before, After: &w,
				Reason: "forces replacement: Azure reports provisioningState Failed (a failed create or update); it is deleted and created again"}
		}
		if before != nil && before.Private[privResumeFor] == jDelete && want.Type != typeCache {
			// An interrupted replacement was deleting it: finish, then create.
			c = &providers.Change{Address: addr, Action: providers.ActionReplace, Impact: providers.ImpactDataLoss, Before: before, After: &w,
				Reason: "an interrupted replacement is deleting it: wait for the delete, then create it again"}
		}
		if c == nil && before != nil && busy(before.Private[privState]) {
			c = &providers.Change{Address: addr, Action: providers.ActionUpdate, Impact: providers.ImpactNone, Before: before, After: &w,
				Reason: fmt.Sprintf("still %s in Azure: wait for the operation an interrupted apply started", before.Private[privState])}
		}
		if c == nil {
			continue
		}
		if want.Type == typeCache {
			if err := checkClassicChange(c); err != nil {
				return nil, err
			}
		}
		if want.Type == typeCluster && c.Action == providers.ActionReplace {
			clusterReplaced = true
		}
		c.DependsOn = want.DependsOn
		c.Calls = calls(*c, s)
		resp.Changes = append(resp.Changes, *c)
	}
	for _, r := range req.Current {
		if !wanted[r.Address()] {
			resp.Changes = append(resp.Changes, deleteChange(r, s, req.Current, false))
		}
	}
	return resp, nil
}

// forcedReplace makes the database's change a replacement: deleting its
// cluster deletes it too.
func forcedReplace(before, after *providers.Resource, c *providers.Change) *providers.Change {
	if c == nil {
		c = &providers.Change{Address: after.Address(), Before: before, After: after}
	}
	c.Action = providers.ActionReplace
	c.Impact = providers.ImpactDataLoss
	c.Reason = "forces replacement: its cluster is replaced"
	return c
}

func planDestroy(req providers.PlanRequest, s Settings, resp *providers.PlanResponse) error {
	for _, r := range req.Current {
		if holdsData(r) && s.FinalExport.IsZero() && !s.SkipFinalExport {
			return fmt.Errorf("destroying %s deletes its data: set provider.finalExport to env:NAME or file:PATH holding a blob container SAS URL to export it there first, or provider.skipFinalExport: true to delete without an export", r.Address())
		}
		if tier, _, _, _ := parseClassicSKU(r.Attrs["sku"]); r.Type == typeCache && !s.SkipFinalExport && tier != "Premium" {
			return fmt.Errorf("%s is a %s cache, which cannot export its data (Premium only): set provider.skipFinalExport: true to delete it without an export", r.Address(), tier)
		}
	}
	for _, r := range req.Current {
		resp.Changes = append(resp.Changes, deleteChange(r, s, req.Current, true))
	}
	return nil
}

// holdsData reports whether deleting r deletes data (the database, or a
// cluster whose database redisctl does not know about).
func holdsData(r providers.Resource) bool { return r.Type == typeDatabase || r.Type == typeCache }

// deleteChange removes a resource; the database goes before its cluster.
func deleteChange(r providers.Resource, s Settings, all []providers.Resource, destroy bool) providers.Change {
	c := ruleSet.Diff(&r, nil)
	c.Impact = providers.ImpactDataLoss
	c.Reason = "no longer in the spec; its data is deleted"
	if destroy {
		c.Reason = "destroy"
	}
	if r.Type == typeCluster {
		for _, o := range all {
			if o.Type == typeDatabase {
				c.DependsOn = append(c.DependsOn, o.Address())
			}
		}
	}
	c.Calls = calls(*c, s)
	return *c
}

// checkClassicChange refuses what a classic cache cannot do in place: it
// can never be recreated.
func checkClassicChange(c *providers.Change) error {
	var why []string
	for i := range c.Attrs {
		a := &c.Attrs[i]
		r := ruleSet.Rule(typeCache, a.Name)
		if r.Mode == providers.Unsupported && c.Action != providers.ActionCreate {
			why = append(why, fmt.Sprintf("%s %q → %q: %s", a.Name, a.Before, a.After, r.Note))
		}
		switch a.Name {
		case "sku":
			bt, _, _, _ := parseClassicSKU(a.Before)
			at, _, _, _ := parseClassicSKU(a.After)
			if a.Before != "" && tierRank(at) < tierRank(bt) {
				why = append(why, fmt.Sprintf("sku %s → %s: a classic cache's tier can only go up (Basic → Standard → Premium)", a.Before, a.After))
			}
			if bt == "Basic" && c.Action == providers.ActionUpdate {
				a.Impact = providers.ImpactDataLoss
				c.Impact = providers.ImpactDataLoss
				c.Reason += " (a Basic cache has no replica: scaling restarts it empty)"
			}
		case "shard_count":
			if a.Before != "" && a.Before != "0" && a.After == "0" {
				why = append(why, "shard_count → 0: clustering cannot be turned off on a classic Premium cache")
			}
		}
	}
	if len(why) > 0 {
		return fmt.Errorf("%s cannot make these changes, and a classic cache cannot be replaced (Azure Cache for Redis accepts no new caches since October 2026):\n  %s\nkeep these settings as they are, or move to Azure Managed Redis: remove provider.classicCache and set provider.location (a new deployment)", c.Address, strings.Join(why, "\n  "))
	}
	if c.Action == providers.ActionCreate {
		c.Reason = fmt.Sprintf("adopt the existing Azure Cache for Redis %q (the classic service creates no new caches; apply fails if it does not exist)", c.After.Attrs["name"])
	}
	return nil
}

func tierRank(t ClassicTier) int {
	switch t {
	case "Standard":
		return 1
	case "Premium":
		return 2
	}
	return 0
}

func retirementWarning(cache string) string {
	return fmt.Sprintf("Azure Cache for Redis %q is a classic cache: the service accepts no new caches since October 2026 and is retired in 2028. Plan a move to Azure Managed Redis (remove provider.classicCache and set provider.location for a new deployment, then migrate the data).", cache)
}

func managedNotes(spec *topology.Spec, s Settings, desired []providers.Resource) []string {
	cl, db := desired[0], desired[1]
	sku := desiredSKU(spec, s)
	shape := string(spec.Layout)
	switch spec.Layout {
	case topology.LayoutHA:
		shape += fmt.Sprintf(", replicas: %d", spec.Replicas)
	case topology.LayoutCluster:
		shape += fmt.Sprintf(", shards: %d, replicas: %d", spec.Shards, spec.Replicas)
	}
	notes := []string{fmt.Sprintf("%s → Azure Managed Redis %s (%s, for %s), highAvailability %s, database clusteringPolicy %s on port %d",
		shape, sku.Name, human(sku.Bytes), memoryWhy(spec), cl.Attrs["high_availability"], db.Attrs["clustering_policy"], managedPort)}
	switch {
	case spec.Layout == topology.LayoutCluster:
		notes = append(notes, "Azure chooses the shard count for the SKU; shards only size the memory. Clients use the Redis Cluster protocol (OSSCluster).")
	case spec.Layout == topology.LayoutHA:
		notes = append(notes, "Azure fails over to the replica itself: no sentinels are deployed.")
	default:
		notes = append(notes, "highAvailability Disabled has no replica and no SLA: for production use layout ha.")
	}
	if spec.Network.BasePort != topology.DefaultBasePort {
		notes = append(notes, fmt.Sprintf("network.basePort %d is not used: Managed Redis listens on port %d", spec.Network.BasePort, managedPort))
	}
	return notes
}

func classicNote(spec *topology.Spec, r providers.Resource) string {
	return fmt.Sprintf("%s → existing Azure Cache for Redis %q as %s, shards %s, replicas per primary %s", spec.Layout, r.Attrs["name"], r.Attrs["sku"], r.Attrs["shard_count"], r.Attrs["replicas_per_primary"])
}
