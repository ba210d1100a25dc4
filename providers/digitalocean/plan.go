package digitalocean

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/topology"
)

// Plan diffs the desired cluster against the refreshed one. It needs no
// API access.
func (p *Provider) Plan(_ context.Context, req providers.PlanRequest) (*providers.PlanResponse, error) {
	resp := &providers.PlanResponse{}
	if req.Destroy {
		for _, r := range req.Current {
			resp.Changes = append(resp.Changes, deleteChange(req.Deployment, r, "destroy"))
		}
		return resp, nil
	}
	want := desired(req.Deployment)
	resp.Notes = notes(req.Spec, want)
	var before *providers.Resource
	for i, r := range req.Current {
		if r.Address() == want.Address() {
			before = &req.Current[i]
			continue
		}
		resp.Changes = append(resp.Changes, deleteChange(req.Deployment, r, "no longer in the spec"))
	}
	if before != nil && before.Attrs[attrStatus] != statusOnline {
		resp.Warnings = append(resp.Warnings, fmt.Sprintf("cluster %s is %s: apply waits until it is online", before.ID, before.Attrs[attrStatus]))
	}
	c := ruleSet.Diff(before, &want)
	if c == nil {
		return resp, nil
	}
	if before != nil {
		classify(c)
	}
	c.Calls = calls(req.Deployment, c)
	resp.Changes = append(resp.Changes, *c)
	return resp, nil
}

// desired is the cluster the spec asks for, in the canonical forms observe
// reads back.
func desired(d providers.Deployment) providers.Resource {
	spec := d.Spec
	s := settings(spec)
	attrs := map[string]string{
		attrEngine:      string(topology.EngineValkey),
		attrVersion:     versionOf(spec),
		attrSize:        planSize(spec, s).Slug,
		attrNumNodes:    strconv.Itoa(numNodes(spec)),
		attrRegion:      s.Region,
		attrSources:     joinSorted(sources(spec, s)),
		attrEviction:    string(spec.EvictionPolicy),
		attrPersistence: string(spec.Persistence.Mode),
		attrTags:        joinSorted(tags(spec, s)),
		attrStatus:      statusOnline,
		attrEndpoint:    endpointKind(s),
	}
	if s.VPC != "" {
		attrs[attrVPC] = s.VPC
	}
	if w := s.MaintenanceWindow; w != nil {
		attrs[attrMaintenance] = maintenanceString(w.Day, w.Hour)
	}
	r := providers.Resource{Type: typeCluster, Name: clusterResource, Attrs: attrs,
		Private: map[string]string{privName: clusterName(spec, s)}}
	if s.Project != "" {
		r.Private[privProject] = s.Project
	}
	return r
}

// planSize is the plan the spec asks for: provider.size, or the smallest
// plan that holds memory (Validate guarantees one exists).
func planSize(spec *topology.Spec, s Settings) size {
	if s.Size != "" {
		if sz, ok := lookupSize(s.Size); ok {
			return sz
		}
		return size{Slug: s.Size}
	}
	sz, _ := sizeFor(spec.Memory.Bytes)
	return sz
}

// numNodes is 1 for single and a primary plus its standby for ha.
func numNodes(spec *topology.Spec) int {
	if spec.Layout == topology.LayoutHA {
		return 1 + spec.Replicas
	}
	return 1
}

func sources(spec *topology.Spec, s Settings) []string {
	var out []string
	for _, c := range spec.Network.AllowedCIDRs {
		out = append(out, source("ip_addr", c))
	}
	for _, src := range s.TrustedSources {
		typ, val, _ := strings.Cut(src, ":")
		out = append(out, source(typ, val))
	}
	return out
}

// tags are the cluster's tags: the deployment tag, the spec's labels as
// key:value (DigitalOcean tags allow ':') and provider.tags.
func tags(spec *topology.Spec, s Settings) []string {
	out := []string{deploymentTag(spec.Name)}
	for k, v := range spec.Labels {
		out = append(out, k+":"+v)
	}
	return append(out, s.Tags...)
}

// classify adjusts the generic diff where the impact depends on the
// values: DigitalOcean resizes and upgrades only upwards, and moves a
// cluster to another VPC only along with a region migration.
func classify(c *providers.Change) {
	changed := map[string]*providers.AttrChange{}
	for i := range c.Attrs {
		changed[c.Attrs[i].Name] = &c.Attrs[i]
	}
	why := map[string]string{}
	if a := changed[attrSize]; a != nil && sizeRAM(a.Before) > 0 && sizeRAM(a.After) < sizeRAM(a.Before) {
		a.Mode, a.Impact = providers.Replace, providers.ImpactDataLoss
		why[attrSize] = "DigitalOcean cannot resize a cluster to a smaller plan"
	}
	if a := changed[attrVersion]; a != nil && versionLess(a.After, a.Before) {
		a.Mode, a.Impact = providers.Replace, providers.ImpactDataLoss
		why[attrVersion] = "DigitalOcean cannot downgrade a cluster"
	}
	if a := changed[attrVPC]; a != nil && changed[attrRegion] != nil {
		a.Mode, a.Impact = providers.InPlace, providers.ImpactReconnect
	}
	var replacing, updating []string
	c.Impact = providers.ImpactNone
	for _, a := range c.Attrs {
		c.Impact = providers.Worst(c.Impact, a.Impact)
		name := a.Name + " changed"
		if w := why[a.Name]; w != "" {
			name += " (" + w + ")"
		}
		if a.Mode == providers.Replace || a.Mode == providers.Unsupported {
			replacing = append(replacing, name)
		} else {
			updating = append(updating, name)
		}
	}
	if len(replacing) > 0 {
		c.Action = providers.ActionReplace
		c.Impact = providers.ImpactDataLoss
		c.Reason = "forces replacement: " + strings.Join(replacing, ", ") + "; the new cluster starts empty"
		return
	}
	c.Action = providers.ActionUpdate
	c.Reason = "update in place: " + strings.Join(updating, ", ")
}

func versionLess(a, b string) bool {
	x, err1 := strconv.Atoi(a)
	y, err2 := strconv.Atoi(b)
	return err1 == nil && err2 == nil && x < y
}

// deleteChange removes a cluster; its data goes with it.
func deleteChange(d providers.Deployment, r providers.Resource, why string) providers.Change {
	c := ruleSet.Diff(&r, nil)
	c.Impact = providers.ImpactDataLoss
	c.Reason = why + ": DigitalOcean deletes the cluster with its data and backups (it takes no final snapshot)"
	c.Calls = deleteCalls(d, r.ID)
	return *c
}

func waitCall(d providers.Deployment, until string) string {
	return fmt.Sprintf("Databases.Get every %s until %s", d.PollInterval, until)
}

func deleteCalls(d providers.Deployment, id string) []string {
	return []string{fmt.Sprintf("Databases.Delete(%s)", id), waitCall(d, "it is gone (404)")}
}

// calls lists the API calls a change makes, in order.
func calls(d providers.Deployment, c *providers.Change) []string {
	want := c.After
	switch c.Action {
	case providers.ActionCreate:
		return createCalls(d, want)
	case providers.ActionReplace:
		return append(deleteCalls(d, c.Before.ID), createCalls(d, want)...)
	}
	var out []string
	changed := map[string]providers.AttrChange{}
	for _, a := range c.Attrs {
		changed[a.Name] = a
	}
	if _, ok := changed[attrStatus]; ok {
		out = append(out, waitCall(d, "status online"))
	}
	if _, ok := changed[attrVersion]; ok {
		out = append(out, fmt.Sprintf("Databases.UpgradeMajorVersion(version=%s)", want.Attrs[attrVersion]), waitCall(d, "status online"))
	}
	_, size := changed[attrSize]
	_, nodes := changed[attrNumNodes]
	if size || nodes {
		out = append(out, fmt.Sprintf("Databases.Resize(size=%s, num_nodes=%s)", want.Attrs[attrSize], want.Attrs[attrNumNodes]), waitCall(d, "status online"))
	}
	if _, ok := changed[attrRegion]; ok {
		vpc := "the region's default VPC"
		if v := want.Attrs[attrVPC]; v != "" {
			vpc = v
		}
		out = append(out, fmt.Sprintf("Databases.Migrate(region=%s, private_network_uuid=%s)", want.Attrs[attrRegion], vpc), waitCall(d, "status online"))
	}
	out = append(out, settingCalls(want, changed)...)
	if a, ok := changed[attrTags]; ok {
		add, remove := diffLists(splitList(a.Before), splitList(a.After))
		for _, t := range add {
			out = append(out, fmt.Sprintf("Tags.Create(%s)", t), fmt.Sprintf("Tags.TagResources(%s, database %s)", t, c.Before.ID))
		}
		for _, t := range remove {
			out = append(out, fmt.Sprintf("Tags.UntagResources(%s, database %s)", t, c.Before.ID))
		}
	}
	return out
}

func createCalls(d providers.Deployment, want *providers.Resource) []string {
	a := want.Attrs
	vpc := ""
	if a[attrVPC] != "" {
		vpc = ", private_network_uuid=" + a[attrVPC]
	}
	out := []string{
		fmt.Sprintf("Databases.Create(name=%s, engine=valkey, version=%s, size=%s, num_nodes=%s, region=%s%s, tags=[%s], rules=[%s])",
			want.Private[privName], a[attrVersion], a[attrSize], a[attrNumNodes], a[attrRegion], vpc, a[attrTags], a[attrSources]),
		waitCall(d, "status online"),
	}
	changed := map[string]providers.AttrChange{attrPersistence: {}, attrMaintenance: {}}
	if a[attrEviction] != string(topology.NoEviction) {
		changed[attrEviction] = providers.AttrChange{}
	}
	return append(out, settingCalls(want, changed)...)
}

// settingCalls are the calls for settings changed in place, in apply's order.
func settingCalls(want *providers.Resource, changed map[string]providers.AttrChange) []string {
	a := want.Attrs
	var out []string
	if _, ok := changed[attrEviction]; ok {
		out = append(out, fmt.Sprintf("Databases.SetEvictionPolicy(%s)", strings.ReplaceAll(a[attrEviction], "-", "_")))
	}
	if _, ok := changed[attrPersistence]; ok {
		out = append(out, fmt.Sprintf("Databases.UpdateValkeyConfig(valkey_persistence=%s)", persistenceToAPI(a[attrPersistence])))
	}
	if _, ok := changed[attrSources]; ok {
		out = append(out, fmt.Sprintf("Databases.UpdateFirewallRules(rules=[%s])", a[attrSources]))
	}
	if _, ok := changed[attrMaintenance]; ok && a[attrMaintenance] != "" {
		day, hour, _ := strings.Cut(a[attrMaintenance], " ")
		out = append(out, fmt.Sprintf("Databases.UpdateMaintenance(day=%s, hour=%s)", day, hour))
	}
	return out
}

// diffLists returns what after adds to before and what it removes.
func diffLists(before, after []string) (add, remove []string) {
	for _, x := range after {
		if !slices.Contains(before, x) {
			add = append(add, x)
		}
	}
	for _, x := range before {
		if !slices.Contains(after, x) {
			remove = append(remove, x)
		}
	}
	return add, remove
}

// notes explain how the spec maps onto DigitalOcean.
func notes(spec *topology.Spec, want providers.Resource) []string {
	a := want.Attrs
	sz := planSize(spec, settings(spec))
	shape := "single → num_nodes=1 (a primary only)"
	if spec.Layout == topology.LayoutHA {
		shape = fmt.Sprintf("ha, replicas: %d → num_nodes=%s (a primary and a standby DigitalOcean fails over to; no sentinels are deployed)", spec.Replicas, a[attrNumNodes])
	}
	out := []string{
		fmt.Sprintf("%s: DigitalOcean Valkey %s cluster %q in %s", shape, a[attrVersion], want.Private[privName], a[attrRegion]),
		fmt.Sprintf("memory %s → size %s (%d vCPU, %s of RAM; DigitalOcean keeps part of it for the service)", spec.Memory, sz.Slug, sz.VCPUs, gibString(sz.RAM)),
		fmt.Sprintf("persistence %s → valkey_persistence=%s", spec.Persistence.Mode, persistenceToAPI(a[attrPersistence])),
		"DigitalOcean generates the password; state keeps only its fingerprint",
	}
	if a[attrSources] != "" {
		out = append(out, "trusted sources: "+a[attrSources])
	}
	return out
}
