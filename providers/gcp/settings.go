package gcp

// Settings is the spec's provider block for gcp.
type Settings struct {
	Project             string             `yaml:"project,omitempty" json:"project,omitempty"`
	Region              string             `yaml:"region,omitempty" json:"region,omitempty"`
	InstanceID          string             `yaml:"instanceId,omitempty" json:"instanceId,omitempty"`
	AuthEnabled         bool               `yaml:"authEnabled,omitempty" json:"authEnabled,omitempty"`
	Network             string             `yaml:"network,omitempty" json:"network,omitempty"`
	ConnectMode         ConnectMode        `yaml:"connectMode,omitempty" json:"connectMode,omitempty"`
	ReadReplicas        *bool              `yaml:"readReplicas,omitempty" json:"readReplicas,omitempty"`
	NodeType            NodeType           `yaml:"nodeType,omitempty" json:"nodeType,omitempty"`
	SnapshotPeriod      SnapshotPeriod     `yaml:"snapshotPeriod,omitempty" json:"snapshotPeriod,omitempty"`
	MaintenanceWindow   *MaintenanceWindow `yaml:"maintenanceWindow,omitempty" json:"maintenanceWindow,omitempty"`
	FinalSnapshotBucket string             `yaml:"finalSnapshotBucket,omitempty" json:"finalSnapshotBucket,omitempty"`
	SkipFinalSnapshot   bool               `yaml:"skipFinalSnapshot,omitempty" json:"skipFinalSnapshot,omitempty"`
}

// FieldDocs describes the settings for `redisctl schema`.
func (Settings) FieldDocs() map[string]string {
	return map[string]string{
		"":                    "Google Cloud Memorystore: an instance (single, ha) or a Memorystore for Redis Cluster (cluster). Credentials come from Application Default Credentials.",
		"Project":             "Google Cloud project ID that owns the instance or cluster (required).",
		"Region":              "Region, e.g. us-central1 (required).",
		"InstanceID":          "Instance or cluster ID (default: the deployment name).",
		"AuthEnabled":         "Require clients to authenticate. Instances: AUTH with a string Memorystore generates (read it with `redisctl output --show-secrets`; state keeps only its fingerprint). Clusters: IAM authentication (clients send IAM access tokens). auth.password must be left out.",
		"Network":             "VPC network clients connect from: a name in the project (default \"default\") or projects/P/global/networks/N. Changing it replaces the instance.",
		"ConnectMode":         "How an instance attaches to the network: direct-peering (default) or private-service-access. Instances only; changing it replaces the instance.",
		"ReadReplicas":        "ha only: serve reads from the replicas through a read endpoint (default: on when replicas > 1; needs memory of at least 5Gi; cannot be turned off later without replacing the instance).",
		"NodeType":            "cluster only: node type, overriding the one chosen from memory.",
		"SnapshotPeriod":      "How often RDB snapshots are taken with persistence.mode rdb: 1h, 6h, 12h or 24h (default 24h).",
		"MaintenanceWindow":   "Weekly window (UTC) in which Memorystore may perform disruptive maintenance (default: any time).",
		"FinalSnapshotBucket": "Instances: gs://BUCKET[/PATH] to export an RDB snapshot to before the instance is deleted or replaced.",
		"SkipFinalSnapshot":   "Delete without a final snapshot (clusters otherwise take a backup first; instances warn when no finalSnapshotBucket is set).",
	}
}

// MaintenanceWindow is a weekly maintenance window.
type MaintenanceWindow struct {
	Day       Weekday `yaml:"day" json:"day"`
	StartTime string  `yaml:"startTime" json:"startTime"`
}

// FieldDocs describes the window's fields.
func (MaintenanceWindow) FieldDocs() map[string]string {
	return map[string]string{
		"":          "A weekly maintenance window; Memorystore windows last one hour.",
		"Day":       "Day of the week (monday … sunday).",
		"StartTime": "Start time, HH:MM in UTC (e.g. \"03:00\").",
	}
}

// ConnectMode is how an instance attaches to the VPC network.
type ConnectMode string

// EnumValues lists the connect modes.
func (ConnectMode) EnumValues() []string { return []string{"direct-peering", "private-service-access"} }

// NodeType is a Memorystore for Redis Cluster node type.
type NodeType string

// EnumValues lists the node types.
func (NodeType) EnumValues() []string {
	out := make([]string, len(nodeTypes))
	for i, n := range nodeTypes {
		out[i] = string(n.name)
	}
	return out
}

// SnapshotPeriod is how often RDB snapshots are taken.
type SnapshotPeriod string

// EnumValues lists the snapshot periods.
func (SnapshotPeriod) EnumValues() []string { return []string{"1h", "6h", "12h", "24h"} }

// Weekday is a day of the week.
type Weekday string

// EnumValues lists the days.
func (Weekday) EnumValues() []string {
	return []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
}
