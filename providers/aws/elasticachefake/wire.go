package elasticachefake

// The XML shapes the fake answers with: element names and list member
// names as the ElastiCache query protocol writes them (lists are wrapped,
// e.g. <NodeGroups><NodeGroup>…</NodeGroup></NodeGroups>).

type xEndpoint struct {
	Address string
	Port    int
}

type xNodeGroupMember struct {
	CacheClusterId            string
	CacheNodeId               string
	CurrentRole               string     `xml:",omitempty"`
	PreferredAvailabilityZone string     `xml:",omitempty"`
	ReadEndpoint              *xEndpoint `xml:",omitempty"`
}

type xNodeGroup struct {
	NodeGroupId      string
	Status           string
	Slots            string             `xml:",omitempty"`
	PrimaryEndpoint  *xEndpoint         `xml:",omitempty"`
	ReaderEndpoint   *xEndpoint         `xml:",omitempty"`
	NodeGroupMembers []xNodeGroupMember `xml:"NodeGroupMembers>NodeGroupMember"`
}

type xSlotMigration struct {
	ProgressPercentage float64
}

type xResharding struct {
	SlotMigration xSlotMigration
}

type xRGPending struct {
	AutomaticFailoverStatus string       `xml:",omitempty"`
	AuthTokenStatus         string       `xml:",omitempty"`
	TransitEncryptionMode   string       `xml:",omitempty"`
	Resharding              *xResharding `xml:",omitempty"`
}

type xReplicationGroup struct {
	ReplicationGroupId         string
	Description                string
	Status                     string
	ARN                        string
	Engine                     string
	CacheNodeType              string
	ClusterEnabled             bool
	ClusterMode                string
	AutomaticFailover          string
	MultiAZ                    string
	AtRestEncryptionEnabled    bool
	TransitEncryptionEnabled   bool
	TransitEncryptionMode      string `xml:",omitempty"`
	AuthTokenEnabled           bool
	AuthTokenLastModifiedDate  string `xml:",omitempty"`
	SnapshotRetentionLimit     int
	SnapshotWindow             string       `xml:",omitempty"`
	MemberClusters             []string     `xml:"MemberClusters>ClusterId"`
	NodeGroups                 []xNodeGroup `xml:"NodeGroups>NodeGroup"`
	ConfigurationEndpoint      *xEndpoint   `xml:",omitempty"`
	PendingModifiedValues      xRGPending
	ReplicationGroupCreateTime string
}

type xParameterGroupStatus struct {
	CacheParameterGroupName string
	ParameterApplyStatus    string
}

type xSecurityGroupMembership struct {
	SecurityGroupId string
	Status          string
}

type xCCPending struct {
	CacheNodeType string `xml:",omitempty"`
	EngineVersion string `xml:",omitempty"`
}

type xCacheCluster struct {
	CacheClusterId             string
	ARN                        string
	CacheClusterStatus         string
	CacheNodeType              string
	Engine                     string
	EngineVersion              string
	NumCacheNodes              int
	PreferredAvailabilityZone  string `xml:",omitempty"`
	PreferredMaintenanceWindow string
	CacheSubnetGroupName       string
	ReplicationGroupId         string
	CacheParameterGroup        xParameterGroupStatus
	SecurityGroups             []xSecurityGroupMembership `xml:"SecurityGroups>member"`
	PendingModifiedValues      xCCPending
	SnapshotRetentionLimit     int
	SnapshotWindow             string
	TransitEncryptionEnabled   bool
	AtRestEncryptionEnabled    bool
	AuthTokenEnabled           bool
}

type xParameterGroup struct {
	CacheParameterGroupName   string
	CacheParameterGroupFamily string
	Description               string
	ARN                       string
	IsGlobal                  bool
}

type xParameter struct {
	ParameterName  string
	ParameterValue string
	Description    string
	Source         string
	DataType       string
	AllowedValues  string `xml:",omitempty"`
	IsModifiable   bool
	ChangeType     string
}

type xAvailabilityZone struct {
	Name string
}

type xSubnet struct {
	SubnetIdentifier       string
	SubnetAvailabilityZone xAvailabilityZone
}

type xSubnetGroup struct {
	CacheSubnetGroupName        string
	CacheSubnetGroupDescription string
	VpcId                       string
	ARN                         string
	Subnets                     []xSubnet `xml:"Subnets>Subnet"`
}

type xSnapshot struct {
	SnapshotName       string
	ARN                string
	ReplicationGroupId string
	SnapshotStatus     string
	SnapshotSource     string
	CacheNodeType      string
	Engine             string
	EngineVersion      string
	NumNodeGroups      int
}

type xTag struct {
	Key   string
	Value string
}

// Results, one per action; their fields are the <ActionResult>'s children.

type rgResult struct {
	ReplicationGroup xReplicationGroup
}

type rgListResult struct {
	ReplicationGroups []xReplicationGroup `xml:"ReplicationGroups>ReplicationGroup"`
}

type ccListResult struct {
	CacheClusters []xCacheCluster `xml:"CacheClusters>CacheCluster"`
}

type pgResult struct {
	CacheParameterGroup xParameterGroup
}

type pgListResult struct {
	CacheParameterGroups []xParameterGroup `xml:"CacheParameterGroups>CacheParameterGroup"`
}

type pgNameResult struct {
	CacheParameterGroupName string
}

type paramListResult struct {
	Parameters []xParameter `xml:"Parameters>Parameter"`
}

type sgResult struct {
	CacheSubnetGroup xSubnetGroup
}

type sgListResult struct {
	CacheSubnetGroups []xSubnetGroup `xml:"CacheSubnetGroups>CacheSubnetGroup"`
}

type tagListResult struct {
	TagList []xTag `xml:"TagList>Tag"`
}

type snapshotListResult struct {
	Snapshots []xSnapshot `xml:"Snapshots>Snapshot"`
}
