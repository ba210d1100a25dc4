package gcp

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	redispb "cloud.google.com/go/redis/apiv1/redispb"
	clusterpb "cloud.google.com/go/redis/cluster/apiv1/clusterpb"
	"gopkg.in/yaml.v3"

	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/topology"
)

// Import adopts an existing instance or cluster. req.ID is a full name
// (projects/P/locations/R/instances/ID or …/clusters/ID) or a bare ID with
// project and region in req.Settings (and kind=cluster to skip looking for
// an instance first). The spec it writes plans empty against the resource.
func (p *Provider) Import(ctx context.Context, req providers.ImportRequest) (*providers.ImportResponse, error) {
	names, err := importNames(req)
	if err != nil {
		return nil, err
	}
	c, err := p.connect(ctx)
	if err != nil {
		return nil, err
	}
	defer c.close()
	d := providers.Deployment{Fingerprint: req.Fingerprint, StateDir: req.StateDir}
	for _, name := range names {
		r, err := p.fetch(ctx, c, d, name)
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return nil, explain("import "+name, err)
		}
		return p.importResource(ctx, c, req, r)
	}
	return nil, fmt.Errorf("import %s: no Memorystore instance or cluster by that name (looked for %s)", req.ID, strings.Join(names, ", "))
}

// importNames lists the full names req.ID may refer to.
func importNames(req providers.ImportRequest) ([]string, error) {
	if strings.HasPrefix(req.ID, "projects/") {
		parts := strings.Split(req.ID, "/")
		if len(parts) != 6 || parts[2] != "locations" || (parts[4] != "instances" && parts[4] != "clusters") {
			return nil, fmt.Errorf("import %s: want projects/PROJECT/locations/REGION/instances/ID or …/clusters/ID", req.ID)
		}
		return []string{req.ID}, nil
	}
	project, region := req.Settings["project"], req.Settings["region"]
	if project == "" || region == "" {
		return nil, fmt.Errorf("import %s: give the full name (projects/PROJECT/locations/REGION/instances/%s), or the settings project=… and region=…", req.ID, req.ID)
	}
	parent := "projects/" + project + "/locations/" + region
	switch req.Settings["kind"] {
	case "cluster":
		return []string{parent + "/clusters/" + req.ID}, nil
	case "instance":
		return []string{parent + "/instances/" + req.ID}, nil
	case "":
		return []string{parent + "/instances/" + req.ID, parent + "/clusters/" + req.ID}, nil
	}
	return nil, fmt.Errorf("import %s: kind=%q: want instance or cluster", req.ID, req.Settings["kind"])
}

func (p *Provider) importResource(ctx context.Context, c *clients, req providers.ImportRequest, r *providers.Resource) (*providers.ImportResponse, error) {
	resp := &providers.ImportResponse{}
	var doc *specDoc
	if r.Type == typeCluster {
		cl, err := c.cluster.GetCluster(ctx, &clusterpb.GetClusterRequest{Name: r.ID}, c.opts...)
		if err != nil {
			return nil, explain("import "+r.ID, err)
		}
		doc = clusterSpec(req.Deployment, cl, resp)
	} else {
		in, err := c.redis.GetInstance(ctx, &redispb.GetInstanceRequest{Name: r.ID}, c.opts...)
		if err != nil {
			return nil, explain("import "+r.ID, err)
		}
		doc = instanceSpec(req.Deployment, in, resp)
		if _, ours := in.GetLabels()[deploymentLabel]; !ours {
			r.Private[privImported] = "true"
			resp.Warnings = append(resp.Warnings, fmt.Sprintf("%s has no %s label; redisctl leaves its labels as they are", r.ID, deploymentLabel))
		}
	}
	if r.Attrs["state"] != stateReady {
		resp.Warnings = append(resp.Warnings, fmt.Sprintf("%s is %s: the first plan waits for it to become ready", r.ID, r.Attrs["state"]))
	}
	b, err := yaml.Marshal(doc)
	if err != nil {
		return nil, err
	}
	resp.Spec = append([]byte("# Imported by redisctl import from "+r.ID+".\n"), b...)
	resp.Resources = []providers.Resource{*r}
	return resp, nil
}

// specDoc is the spec import writes, in the order users read it.
type specDoc struct {
	APIVersion     string            `yaml:"apiVersion"`
	Kind           string            `yaml:"kind"`
	Name           string            `yaml:"name"`
	Labels         map[string]string `yaml:"labels,omitempty"`
	Layout         string            `yaml:"layout"`
	Shards         int               `yaml:"shards,omitempty"`
	Replicas       *int              `yaml:"replicas,omitempty"`
	Memory         string            `yaml:"memory"`
	EvictionPolicy string            `yaml:"evictionPolicy"`
	Persistence    *persistenceDoc   `yaml:"persistence,omitempty"`
	TLS            *tlsDoc           `yaml:"tls,omitempty"`
	Engine         *engineDoc        `yaml:"engine,omitempty"`
	Provider       map[string]any    `yaml:"provider"`
}

type persistenceDoc struct {
	Mode  string `yaml:"mode"`
	Fsync string `yaml:"fsync,omitempty"`
}

type tlsDoc struct {
	Enabled bool `yaml:"enabled"`
}

type engineDoc struct {
	Version string `yaml:"version"`
}

func baseDoc(deployment, id, name, network, policy string) *specDoc {
	parts := strings.Split(name, "/")
	prov := map[string]any{"name": Name, "project": parts[1], "region": parts[3]}
	if id != deployment {
		prov["instanceId"] = id
	}
	if def := "projects/" + parts[1] + "/global/networks/default"; network != def && network != "" {
		prov["network"] = network
	}
	if policy == "" {
		policy = evictionDefault
	}
	return &specDoc{APIVersion: topology.APIVersion, Kind: topology.Kind, Name: deployment, EvictionPolicy: policy, Provider: prov}
}

func instanceSpec(deployment string, in *redispb.Instance, resp *providers.ImportResponse) *specDoc {
	doc := baseDoc(deployment, lastSegment(in.GetName()), in.GetName(), in.GetAuthorizedNetwork(), in.GetRedisConfigs()["maxmemory-policy"])
	doc.Layout = string(topology.LayoutSingle)
	doc.Memory = strconv.Itoa(int(in.GetMemorySizeGb())) + "Gi"
	if in.GetTier() == redispb.Instance_STANDARD_HA {
		doc.Layout = string(topology.LayoutHA)
		n := int(in.GetReplicaCount())
		doc.Replicas = &n
		rr := in.GetReadReplicasMode() == redispb.Instance_READ_REPLICAS_ENABLED
		if rr != (n > 1) {
			doc.Provider["readReplicas"] = rr
		}
	}
	for k, v := range in.GetLabels() {
		if k == deploymentLabel {
			continue
		}
		if doc.Labels == nil {
			doc.Labels = map[string]string{}
		}
		doc.Labels[k] = v
	}
	if pc := in.GetPersistenceConfig(); pc.GetPersistenceMode() == redispb.PersistenceConfig_RDB {
		doc.Persistence = &persistenceDoc{Mode: string(topology.PersistenceRDB)}
		if sp := specSnapshotPeriod(pc.GetRdbSnapshotPeriod().String()); sp != "" && sp != "24h" {
			doc.Provider["snapshotPeriod"] = string(sp)
		}
	}
	if in.GetAuthEnabled() {
		doc.Provider["authEnabled"] = true
	}
	if in.GetTransitEncryptionMode() == redispb.Instance_SERVER_AUTHENTICATION {
		doc.TLS = &tlsDoc{Enabled: true}
	}
	if v := specVersion(in.GetRedisVersion()); v != "" {
		doc.Engine = &engineDoc{Version: v}
	}
	if in.GetConnectMode() == redispb.Instance_PRIVATE_SERVICE_ACCESS {
		doc.Provider["connectMode"] = "private-service-access"
	}
	addWindow(doc, instanceWindow(in.GetMaintenancePolicy()))
	return doc
}

func clusterSpec(deployment string, cl *clusterpb.Cluster, resp *providers.ImportResponse) *specDoc {
	network := ""
	if pcs := cl.GetPscConfigs(); len(pcs) > 0 {
		network = pcs[0].GetNetwork()
	}
	doc := baseDoc(deployment, lastSegment(cl.GetName()), cl.GetName(), network, cl.GetRedisConfigs()["maxmemory-policy"])
	doc.Layout = string(topology.LayoutCluster)
	doc.Shards = int(cl.GetShardCount())
	n := int(cl.GetReplicaCount())
	doc.Replicas = &n
	nt, _ := nodeTypeByAPI(cl.GetNodeType())
	doc.Memory = "1Gi"
	if auto, ok := nodeTypeFor(memoryFor(nt)); ok && auto.api == nt.api {
		doc.Memory = quantity(memoryFor(nt))
	} else {
		doc.Provider["nodeType"] = string(nt.name)
	}
	switch pc := cl.GetPersistenceConfig(); pc.GetMode() {
	case clusterpb.ClusterPersistenceConfig_RDB:
		doc.Persistence = &persistenceDoc{Mode: string(topology.PersistenceRDB)}
		if sp := specSnapshotPeriod(pc.GetRdbConfig().GetRdbSnapshotPeriod().String()); sp != "" && sp != "24h" {
			doc.Provider["snapshotPeriod"] = string(sp)
		}
	case clusterpb.ClusterPersistenceConfig_AOF:
		doc.Persistence = &persistenceDoc{Mode: string(topology.PersistenceAOF), Fsync: strings.ToLower(pc.GetAofConfig().GetAppendFsync().String())}
	}
	if cl.GetAuthorizationMode() == clusterpb.AuthorizationMode_AUTH_MODE_IAM_AUTH {
		doc.Provider["authEnabled"] = true
	}
	if cl.GetTransitEncryptionMode() == clusterpb.TransitEncryptionMode_TRANSIT_ENCRYPTION_MODE_SERVER_AUTHENTICATION {
		doc.TLS = &tlsDoc{Enabled: true}
	}
	if cl.GetZoneDistributionConfig().GetMode() == clusterpb.ZoneDistributionConfig_SINGLE_ZONE {
		resp.Warnings = append(resp.Warnings, fmt.Sprintf("%s runs in a single zone (%s), which a spec cannot describe yet: the first plan replaces it with a multi-zone cluster", cl.GetName(), cl.GetZoneDistributionConfig().GetZone()))
	}
	addWindow(doc, clusterWindow(cl.GetMaintenancePolicy()))
	return doc
}

// memoryFor is a memory size that maps back to node type nt.
func memoryFor(nt nodeTypeInfo) int64 {
	return int64(nt.keyspaceGB*gb) / gib * gib
}

func quantity(b int64) string { return topology.Quantity{Bytes: b}.String() }

func addWindow(doc *specDoc, w string) {
	if day, at, ok := strings.Cut(w, " "); ok {
		doc.Provider["maintenanceWindow"] = map[string]string{"day": strings.ToLower(day), "startTime": at}
	}
}
