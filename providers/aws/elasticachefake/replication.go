package elasticachefake

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// ReplicationGroup is the fake's record of one replication group.
type ReplicationGroup struct {
	ID, Description, ARN string
	Region               string
	Engine               string
	EngineVersion        string // full, e.g. 7.1.0
	NodeType             string
	ParameterGroup       string
	SubnetGroup          string
	SecurityGroupIDs     []string
	Port                 int
	ClusterMode          bool
	Shards               []Shard
	AutomaticFailover    bool
	MultiAZ              bool
	TransitEncryption    bool
	TransitMode          string // preferred or required when TransitEncryption
	AtRestEncryption     bool
	// AuthTokens are the tokens the group accepts (two during a rotation).
	AuthTokens        []string
	SnapshotRetention int
	SnapshotWindow    string
	MaintenanceWindow string
	Status            string
	// PendingNodeType and PendingEngineVersion wait for the maintenance window.
	PendingNodeType, PendingEngineVersion string
	Created                               time.Time

	pollsLeft int
	done      func(g *ReplicationGroup)
	pending   xRGPending
}

// Shard is one node group.
type Shard struct {
	ID       string
	Slots    string
	Replicas int
	AZs      []string
}

func (g *ReplicationGroup) clone() ReplicationGroup {
	c := *g
	c.SecurityGroupIDs = slices.Clone(g.SecurityGroupIDs)
	c.AuthTokens = slices.Clone(g.AuthTokens)
	c.Shards = make([]Shard, len(g.Shards))
	for i, sh := range g.Shards {
		sh.AZs = slices.Clone(sh.AZs)
		c.Shards[i] = sh
	}
	return c
}

func (g *ReplicationGroup) nodes() int {
	n := 0
	for _, sh := range g.Shards {
		n += 1 + sh.Replicas
	}
	return n
}

// transition puts the group in a transitional status; done runs when the
// fake's Polls describes have passed, and the group becomes available.
func (s *Server) transition(g *ReplicationGroup, status string, done func(g *ReplicationGroup)) {
	g.Status = status
	g.pollsLeft = s.Polls
	g.done = done
	if s.Polls <= 0 {
		s.finish(g)
	}
}

func (s *Server) finish(g *ReplicationGroup) {
	done := g.done
	g.done, g.pollsLeft, g.pending = nil, 0, xRGPending{}
	status := g.Status
	g.Status = "available"
	if done != nil {
		done(g)
	}
	if status == "deleting" {
		delete(s.groups, g.ID)
		delete(s.tags, g.ARN)
	}
}

// tick advances a group by one describe.
func (s *Server) tick(g *ReplicationGroup) {
	if g.pollsLeft <= 0 {
		return
	}
	g.pollsLeft--
	if g.pollsLeft == 0 {
		s.finish(g)
	}
}

// Group returns a copy of a replication group.
func (s *Server) Group(id string) (ReplicationGroup, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.groups[id]
	if !ok {
		return ReplicationGroup{}, false
	}
	return g.clone(), true
}

// Groups lists the replication group IDs.
func (s *Server) Groups() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.groupIDs()
}

// groupIDs lists group IDs in order; the caller holds the lock.
func (s *Server) groupIDs() []string {
	ids := make([]string, 0, len(s.groups))
	for id := range s.groups {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// Update changes a replication group directly, as a change made outside
// redisctl would (console, another tool).
func (s *Server) Update(id string, fn func(g *ReplicationGroup)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if g, ok := s.groups[id]; ok {
		fn(g)
	}
}

// SetPolls changes Polls while the fake is serving.
func (s *Server) SetPolls(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Polls = n
}

// FinishIn makes a group in a transitional state move on after n more
// describes (e.g. one a test left creating for as long as it needed).
func (s *Server) FinishIn(id string, n int) {
	s.Update(id, func(g *ReplicationGroup) {
		if g.pollsLeft > 0 {
			g.pollsLeft = max(n, 1)
		}
	})
}

// ApplyMaintenance applies changes waiting for the maintenance window.
func (s *Server) ApplyMaintenance(id string) {
	s.Update(id, func(g *ReplicationGroup) {
		if g.PendingNodeType != "" {
			g.NodeType, g.PendingNodeType = g.PendingNodeType, ""
		}
		if g.PendingEngineVersion != "" {
			g.EngineVersion, g.PendingEngineVersion = g.PendingEngineVersion, ""
		}
	})
}

// slotRanges splits the hash slots evenly, shard 0 first.
func slotRanges(n int) []string {
	out := make([]string, n)
	start := 0
	for i := range n {
		size := 16384 / n
		if i < 16384%n {
			size++
		}
		out[i] = fmt.Sprintf("%d-%d", start, start+size-1)
		start += size
	}
	return out
}

func (g *ReplicationGroup) rebalance() {
	ranges := slotRanges(len(g.Shards))
	for i := range g.Shards {
		g.Shards[i].Slots = ranges[i]
	}
}

func (s *Server) group(p params) (*ReplicationGroup, *apiError) {
	id := strings.ToLower(p.str("ReplicationGroupId"))
	if id == "" {
		return nil, invalid("ReplicationGroupId is required")
	}
	g, ok := s.groups[id]
	if !ok {
		return nil, notFound("ReplicationGroupNotFoundFault", "ReplicationGroup %s not found.", id)
	}
	return g, nil
}

func (s *Server) createReplicationGroup(region string, p params) (any, *apiError) {
	id := strings.ToLower(p.str("ReplicationGroupId"))
	if err := checkName("ReplicationGroupId", id, 40); err != nil {
		return nil, err
	}
	if _, ok := s.groups[id]; ok {
		return nil, fault("ReplicationGroupAlreadyExists", "Replication group %s already exists.", id)
	}
	if p.str("ReplicationGroupDescription") == "" {
		return nil, invalid("ReplicationGroupDescription is required")
	}
	g := &ReplicationGroup{ID: id, Description: p.str("ReplicationGroupDescription"), ARN: s.arn(region, "replicationgroup", id), Region: region, Created: time.Now().UTC(), Port: 6379}
	g.Engine = strings.ToLower(p.str("Engine"))
	if g.Engine == "" {
		g.Engine = "redis"
	}
	if _, ok := versions[g.Engine]; !ok {
		return nil, invalid("Engine %q is not supported; use redis or valkey", g.Engine)
	}
	v := p.str("EngineVersion")
	if v == "" {
		v = versions[g.Engine][len(versions[g.Engine])-1]
	}
	if g.EngineVersion = fullVersion(g.Engine, v); g.EngineVersion == "" {
		return nil, invalid("Cannot find version %s for %s", v, g.Engine)
	}
	g.NodeType = p.str("CacheNodeType")
	if !nodeTypePattern.MatchString(g.NodeType) {
		return nil, invalid("Invalid CacheNodeType %q", g.NodeType)
	}
	mode := strings.ToLower(p.str("ClusterMode"))
	groups := p.structs("NodeGroupConfiguration.NodeGroupConfiguration")
	numGroups, numSet, err := p.integer("NumNodeGroups")
	if err != nil {
		return nil, err
	}
	g.ClusterMode = mode == "enabled" || (numSet && numGroups > 1) || len(groups) > 0
	if err := s.createShards(g, p, groups, numGroups, numSet); err != nil {
		return nil, err
	}
	fam := family(g.Engine, g.EngineVersion)
	g.ParameterGroup = p.str("CacheParameterGroupName")
	if g.ParameterGroup == "" {
		g.ParameterGroup = "default." + fam
		if g.ClusterMode {
			g.ParameterGroup += ".cluster.on"
		}
	} else if err := s.checkParameterGroupFor(g.ParameterGroup, fam, g.ClusterMode); err != nil {
		return nil, err
	}
	g.SubnetGroup = p.str("CacheSubnetGroupName")
	if g.SubnetGroup == "" {
		g.SubnetGroup = "default"
	} else if _, ok := s.subnets[g.SubnetGroup]; !ok {
		return nil, fault("CacheSubnetGroupNotFoundFault", "CacheSubnetGroup %s does not exist.", g.SubnetGroup)
	}
	g.SecurityGroupIDs = p.list("SecurityGroupIds.SecurityGroupId")
	for _, sg := range g.SecurityGroupIDs {
		if !strings.HasPrefix(sg, "sg-") {
			return nil, invalid("Invalid security group ID %q", sg)
		}
	}
	if port, set, err := p.integer("Port"); err != nil {
		return nil, err
	} else if set {
		if port < 1 || port > 65535 {
			return nil, invalid("Port %d is out of range", port)
		}
		g.Port = port
	}
	if err := s.createOptions(g, p); err != nil {
		return nil, err
	}
	tags, err := p.tagList()
	if err != nil {
		return nil, err
	}
	if g.nodes() > s.NodeQuota {
		return nil, fault("NodeQuotaForClusterExceeded", "The request would create %d nodes, more than the %d nodes per cluster quota.", g.nodes(), s.NodeQuota)
	}
	s.groups[id] = g
	if len(tags) > 0 {
		s.tags[g.ARN] = tags
	}
	s.transition(g, "creating", nil)
	return rgResult{s.wireGroup(g)}, nil
}

// createShards reads the node layout of a new group.
func (s *Server) createShards(g *ReplicationGroup, p params, groups []params, numGroups int, numSet bool) *apiError {
	if !g.ClusterMode {
		n, set, err := p.integer("NumCacheClusters")
		if err != nil {
			return err
		}
		if !set {
			n = 1
		}
		if n < 1 || n > 6 {
			return invalid("NumCacheClusters must be between 1 and 6")
		}
		azs := p.list("PreferredCacheClusterAZs.AvailabilityZone")
		if len(azs) > 0 && len(azs) != n {
			return invalid("PreferredCacheClusterAZs must list one zone per cache cluster (%d), got %d", n, len(azs))
		}
		g.Shards = []Shard{{ID: "0001", Replicas: n - 1, AZs: azs}}
		return nil
	}
	if !numSet {
		numGroups = max(1, len(groups))
	}
	if numGroups < 1 || numGroups > 500 {
		return invalid("NumNodeGroups must be between 1 and 500")
	}
	if len(groups) > 0 && len(groups) != numGroups {
		return combination("NodeGroupConfiguration lists %d node groups but NumNodeGroups is %d", len(groups), numGroups)
	}
	replicas, set, err := p.integer("ReplicasPerNodeGroup")
	if err != nil {
		return err
	}
	if !set {
		replicas = 1
	}
	if replicas < 0 || replicas > 5 {
		return invalid("ReplicasPerNodeGroup must be between 0 and 5")
	}
	ranges := slotRanges(numGroups)
	for i := range numGroups {
		sh := Shard{ID: fmt.Sprintf("%04d", i+1), Slots: ranges[i], Replicas: replicas}
		if len(groups) > 0 {
			c := groups[i]
			if slots := c.str("Slots"); slots != "" {
				sh.Slots = slots
			}
			if az := c.str("PrimaryAvailabilityZone"); az != "" {
				sh.AZs = append([]string{az}, c.list("ReplicaAvailabilityZones.AvailabilityZone")...)
			}
			if n, set, err := c.integer("ReplicaCount"); err != nil {
				return err
			} else if set {
				sh.Replicas = n
			}
		}
		g.Shards = append(g.Shards, sh)
	}
	return nil
}

// createOptions reads failover, encryption, auth and snapshot settings.
func (s *Server) createOptions(g *ReplicationGroup, p params) *apiError {
	af, afSet, err := p.boolean("AutomaticFailoverEnabled")
	if err != nil {
		return err
	}
	maz, _, err := p.boolean("MultiAZEnabled")
	if err != nil {
		return err
	}
	g.AutomaticFailover, g.MultiAZ = af, maz
	switch {
	case g.ClusterMode && afSet && !af:
		return combination("Automatic failover cannot be disabled for Redis (cluster mode enabled) replication groups.")
	case g.ClusterMode:
		g.AutomaticFailover = true
	case af && g.Shards[0].Replicas == 0:
		return combination("Automatic failover requires at least one read replica (NumCacheClusters of 2 or more).")
	}
	if maz && !g.AutomaticFailover {
		return combination("Multi-AZ requires automatic failover to be enabled.")
	}
	if g.TransitEncryption, _, err = p.boolean("TransitEncryptionEnabled"); err != nil {
		return err
	}
	if g.TransitEncryption {
		g.TransitMode = strings.ToLower(p.str("TransitEncryptionMode"))
		if g.TransitMode == "" {
			g.TransitMode = "required"
		}
	}
	if g.AtRestEncryption, _, err = p.boolean("AtRestEncryptionEnabled"); err != nil {
		return err
	}
	if tok := p.str("AuthToken"); tok != "" {
		if !g.TransitEncryption {
			return invalid("The AUTH token is only supported when encryption-in-transit is enabled.")
		}
		if err := checkAuthToken(tok); err != nil {
			return err
		}
		g.AuthTokens = []string{tok}
	}
	if n, set, err := p.integer("SnapshotRetentionLimit"); err != nil {
		return err
	} else if set {
		if n < 0 || n > 35 {
			return invalid("SnapshotRetentionLimit must be between 0 and 35")
		}
		g.SnapshotRetention = n
	}
	g.SnapshotWindow, g.MaintenanceWindow = "03:00-04:00", "sun:05:00-sun:06:00"
	return setWindows(g, p)
}

func setWindows(g *ReplicationGroup, p params) *apiError {
	if p.has("SnapshotWindow") {
		w := p.str("SnapshotWindow")
		if !snapshotWindow.MatchString(w) {
			return invalid("Invalid SnapshotWindow %q: use hh24:mi-hh24:mi", w)
		}
		g.SnapshotWindow = w
	}
	if p.has("PreferredMaintenanceWindow") {
		w := strings.ToLower(p.str("PreferredMaintenanceWindow"))
		if !maintenanceWindow.MatchString(w) {
			return invalid("Invalid PreferredMaintenanceWindow %q: use ddd:hh24:mi-ddd:hh24:mi", w)
		}
		g.MaintenanceWindow = w
	}
	return nil
}

func (s *Server) describeReplicationGroups(_ string, p params) (any, *apiError) {
	var out rgListResult
	if p.str("ReplicationGroupId") != "" {
		g, err := s.group(p)
		if err != nil {
			return nil, err
		}
		s.tick(g)
		if _, ok := s.groups[g.ID]; !ok {
			return nil, notFound("ReplicationGroupNotFoundFault", "ReplicationGroup %s not found.", g.ID)
		}
		out.ReplicationGroups = append(out.ReplicationGroups, s.wireGroup(g))
		return out, nil
	}
	for _, id := range s.groupIDs() {
		g := s.groups[id]
		s.tick(g)
		if _, ok := s.groups[id]; ok {
			out.ReplicationGroups = append(out.ReplicationGroups, s.wireGroup(g))
		}
	}
	return out, nil
}

func (s *Server) host(g *ReplicationGroup, prefix string) string {
	return fmt.Sprintf("%s%s.fake.cache.amazonaws.com", prefix, g.ID)
}

// memberID names a node: <group>-<n> without cluster mode, <group>-<shard>-<n> with it.
func memberID(g *ReplicationGroup, sh Shard, n int) string {
	if g.ClusterMode {
		return fmt.Sprintf("%s-%s-%03d", g.ID, sh.ID, n+1)
	}
	return fmt.Sprintf("%s-%03d", g.ID, n+1)
}

func enabled(b bool) string {
	if b {
		return "enabled"
	}
	return "disabled"
}

func (s *Server) wireGroup(g *ReplicationGroup) xReplicationGroup {
	x := xReplicationGroup{
		ReplicationGroupId: g.ID, Description: g.Description, Status: g.Status, ARN: g.ARN,
		Engine: g.Engine, CacheNodeType: g.NodeType, ClusterEnabled: g.ClusterMode, ClusterMode: enabled(g.ClusterMode),
		AutomaticFailover: enabled(g.AutomaticFailover), MultiAZ: enabled(g.MultiAZ),
		AtRestEncryptionEnabled: g.AtRestEncryption, TransitEncryptionEnabled: g.TransitEncryption, TransitEncryptionMode: g.TransitMode,
		AuthTokenEnabled: len(g.AuthTokens) > 0, SnapshotRetentionLimit: g.SnapshotRetention, SnapshotWindow: g.SnapshotWindow,
		PendingModifiedValues: g.pending, ReplicationGroupCreateTime: g.Created.Format("2006-01-02T15:04:05.000Z"),
	}
	if g.ClusterMode {
		x.ConfigurationEndpoint = &xEndpoint{Address: s.host(g, "clustercfg."), Port: g.Port}
	}
	for _, sh := range g.Shards {
		ng := xNodeGroup{NodeGroupId: sh.ID, Status: g.Status, Slots: sh.Slots}
		if !g.ClusterMode {
			ng.Slots = ""
			ng.PrimaryEndpoint = &xEndpoint{Address: s.host(g, "master."), Port: g.Port}
			ng.ReaderEndpoint = &xEndpoint{Address: s.host(g, "replica."), Port: g.Port}
		}
		for n := 0; n <= sh.Replicas; n++ {
			id := memberID(g, sh, n)
			m := xNodeGroupMember{CacheClusterId: id, CacheNodeId: "0001"}
			if n < len(sh.AZs) {
				m.PreferredAvailabilityZone = sh.AZs[n]
			}
			if !g.ClusterMode {
				m.CurrentRole = "replica"
				if n == 0 {
					m.CurrentRole = "primary"
				}
				m.ReadEndpoint = &xEndpoint{Address: id + ".fake.cache.amazonaws.com", Port: g.Port}
			}
			x.MemberClusters = append(x.MemberClusters, id)
			ng.NodeGroupMembers = append(ng.NodeGroupMembers, m)
		}
		x.NodeGroups = append(x.NodeGroups, ng)
	}
	return x
}

func (s *Server) describeCacheClusters(_ string, p params) (any, *apiError) {
	want := p.str("CacheClusterId")
	var out ccListResult
	for _, id := range s.groupIDs() {
		g := s.groups[id]
		for _, sh := range g.Shards {
			for n := 0; n <= sh.Replicas; n++ {
				cid := memberID(g, sh, n)
				if want != "" && cid != want {
					continue
				}
				out.CacheClusters = append(out.CacheClusters, s.wireCluster(g, sh, n, cid))
			}
		}
	}
	if want != "" && len(out.CacheClusters) == 0 {
		return nil, notFound("CacheClusterNotFound", "CacheCluster %s not found.", want)
	}
	return out, nil
}

func (s *Server) wireCluster(g *ReplicationGroup, sh Shard, n int, id string) xCacheCluster {
	c := xCacheCluster{
		CacheClusterId: id, ARN: s.arn(g.Region, "cluster", id),
		CacheClusterStatus: g.Status, CacheNodeType: g.NodeType, Engine: g.Engine, EngineVersion: g.EngineVersion,
		NumCacheNodes: 1, PreferredMaintenanceWindow: g.MaintenanceWindow, CacheSubnetGroupName: g.SubnetGroup,
		ReplicationGroupId: g.ID, CacheParameterGroup: xParameterGroupStatus{CacheParameterGroupName: g.ParameterGroup, ParameterApplyStatus: "in-sync"},
		PendingModifiedValues:  xCCPending{CacheNodeType: g.PendingNodeType, EngineVersion: g.PendingEngineVersion},
		SnapshotRetentionLimit: g.SnapshotRetention, SnapshotWindow: g.SnapshotWindow,
		TransitEncryptionEnabled: g.TransitEncryption, AtRestEncryptionEnabled: g.AtRestEncryption, AuthTokenEnabled: len(g.AuthTokens) > 0,
	}
	if n < len(sh.AZs) {
		c.PreferredAvailabilityZone = sh.AZs[n]
	}
	for _, sg := range g.SecurityGroupIDs {
		c.SecurityGroups = append(c.SecurityGroups, xSecurityGroupMembership{SecurityGroupId: sg, Status: "active"})
	}
	return c
}

// modifiable returns the group if it can take a change now.
func (s *Server) modifiable(p params) (*ReplicationGroup, *apiError) {
	g, err := s.group(p)
	if err != nil {
		return nil, err
	}
	if g.Status != "available" {
		return nil, fault("InvalidReplicationGroupState", "Replication group %s is not in available state (it is %s).", g.ID, g.Status)
	}
	return g, nil
}

func (s *Server) modifyReplicationGroup(_ string, p params) (any, *apiError) {
	g, err := s.modifiable(p)
	if err != nil {
		return nil, err
	}
	immediate, _, err := p.boolean("ApplyImmediately")
	if err != nil {
		return nil, err
	}
	next := g.clone()
	changed := false
	set := func(key string) bool {
		if p.has(key) {
			changed = true
			return true
		}
		return false
	}
	if set("ReplicationGroupDescription") {
		next.Description = p.str("ReplicationGroupDescription")
	}
	if err := s.modifyEngine(g, &next, p, set, immediate); err != nil {
		return nil, err
	}
	if set("CacheParameterGroupName") {
		next.ParameterGroup = p.str("CacheParameterGroupName")
		if err := s.checkParameterGroupFor(next.ParameterGroup, family(next.Engine, next.EngineVersion), g.ClusterMode); err != nil {
			return nil, err
		}
	} else if family(next.Engine, next.EngineVersion) != family(g.Engine, g.EngineVersion) {
		return nil, combination("Upgrading to %s %s needs a parameter group of family %s: pass CacheParameterGroupName.", next.Engine, next.EngineVersion, family(next.Engine, next.EngineVersion))
	}
	if set("SecurityGroupIds.SecurityGroupId.1") {
		next.SecurityGroupIDs = p.list("SecurityGroupIds.SecurityGroupId")
	}
	if err := modifyFailover(g, &next, p, set); err != nil {
		return nil, err
	}
	if set("SnapshotRetentionLimit") {
		n, _, err := p.integer("SnapshotRetentionLimit")
		if err != nil {
			return nil, err
		}
		if n < 0 || n > 35 {
			return nil, invalid("SnapshotRetentionLimit must be between 0 and 35")
		}
		next.SnapshotRetention = n
	}
	if set("SnapshotWindow") || set("PreferredMaintenanceWindow") {
		if err := setWindows(&next, p); err != nil {
			return nil, err
		}
	}
	if err := modifyTransit(g, &next, p, set); err != nil {
		return nil, err
	}
	if err := modifyAuth(g, &next, p, set); err != nil {
		return nil, err
	}
	if !changed {
		return nil, combination("No modifications were requested.")
	}
	if next.PendingNodeType != g.PendingNodeType || next.PendingEngineVersion != g.PendingEngineVersion {
		g.PendingNodeType, g.PendingEngineVersion = next.PendingNodeType, next.PendingEngineVersion
		next.PendingNodeType, next.PendingEngineVersion = g.PendingNodeType, g.PendingEngineVersion
	}
	if p.has("AuthToken") {
		g.pending.AuthTokenStatus = "ROTATING"
		if strings.EqualFold(p.str("AuthTokenUpdateStrategy"), "SET") {
			g.pending.AuthTokenStatus = "SETTING"
		}
	}
	if next.TransitMode != g.TransitMode {
		g.pending.TransitEncryptionMode = next.TransitMode
	}
	s.transition(g, "modifying", func(g *ReplicationGroup) {
		status := g.Status
		*g = next
		g.Status = status
	})
	return rgResult{s.wireGroup(g)}, nil
}

func (s *Server) modifyEngine(g, next *ReplicationGroup, p params, set func(string) bool, immediate bool) *apiError {
	if set("Engine") {
		next.Engine = strings.ToLower(p.str("Engine"))
		if _, ok := versions[next.Engine]; !ok {
			return invalid("Engine %q is not supported; use redis or valkey", next.Engine)
		}
		if next.Engine == "redis" && g.Engine == "valkey" {
			return combination("Changing the engine from valkey to redis is not supported.")
		}
		if !p.has("EngineVersion") && next.Engine != g.Engine {
			return combination("Changing the engine needs an EngineVersion of the new engine.")
		}
	}
	if set("EngineVersion") {
		full := fullVersion(next.Engine, p.str("EngineVersion"))
		if full == "" {
			return invalid("Cannot find version %s for %s", p.str("EngineVersion"), next.Engine)
		}
		if older(next.Engine, full, g.Engine, g.EngineVersion) {
			return invalid("Cannot downgrade %s %s to %s %s: engine versions can only be upgraded.", g.Engine, g.EngineVersion, next.Engine, full)
		}
		next.EngineVersion = full
		if !immediate {
			next.PendingEngineVersion, next.EngineVersion, next.Engine = full, g.EngineVersion, g.Engine
		}
	}
	if set("CacheNodeType") {
		nt := p.str("CacheNodeType")
		if !nodeTypePattern.MatchString(nt) {
			return invalid("Invalid CacheNodeType %q", nt)
		}
		next.NodeType = nt
		if !immediate {
			next.PendingNodeType, next.NodeType = nt, g.NodeType
		}
	}
	return nil
}

func modifyFailover(g, next *ReplicationGroup, p params, set func(string) bool) *apiError {
	if set("AutomaticFailoverEnabled") {
		af, _, err := p.boolean("AutomaticFailoverEnabled")
		if err != nil {
			return err
		}
		if g.ClusterMode && !af {
			return combination("Automatic failover cannot be disabled for Redis (cluster mode enabled) replication groups.")
		}
		if af && !g.ClusterMode && g.Shards[0].Replicas == 0 {
			return combination("Automatic failover requires at least one read replica.")
		}
		next.AutomaticFailover = af
	}
	if set("MultiAZEnabled") {
		maz, _, err := p.boolean("MultiAZEnabled")
		if err != nil {
			return err
		}
		next.MultiAZ = maz
	}
	if next.MultiAZ && !next.AutomaticFailover {
		return combination("Multi-AZ requires automatic failover to be enabled.")
	}
	return nil
}

func modifyTransit(g, next *ReplicationGroup, p params, set func(string) bool) *apiError {
	enable, enableSet, err := p.boolean("TransitEncryptionEnabled")
	if err != nil {
		return err
	}
	mode := strings.ToLower(p.str("TransitEncryptionMode"))
	if enableSet {
		set("TransitEncryptionEnabled")
	}
	if mode != "" {
		set("TransitEncryptionMode")
	}
	if !enableSet && mode == "" {
		return nil
	}
	if !transitInPlace(g.Engine, g.EngineVersion) {
		return combination("Encryption in transit can be changed in place only on Valkey and Redis OSS 7.0.5 or later.")
	}
	switch {
	case enableSet && enable && !g.TransitEncryption:
		if mode != "preferred" {
			return combination("To enable encryption in transit on an existing cluster, set TransitEncryptionMode to preferred in the same request.")
		}
		next.TransitEncryption, next.TransitMode = true, "preferred"
	case enableSet && !enable && g.TransitEncryption:
		if g.TransitMode != "preferred" {
			return combination("To disable encryption in transit, first set TransitEncryptionMode to preferred.")
		}
		if len(g.AuthTokens) > 0 {
			return combination("Encryption in transit cannot be disabled while an AUTH token is set.")
		}
		next.TransitEncryption, next.TransitMode = false, ""
	case mode == "required":
		if !g.TransitEncryption || g.TransitMode != "preferred" {
			return combination("TransitEncryptionMode can be set to required only after it is preferred.")
		}
		next.TransitMode = "required"
	case mode == "preferred":
		if !g.TransitEncryption {
			return combination("TransitEncryptionMode needs TransitEncryptionEnabled.")
		}
		next.TransitMode = "preferred"
	default:
		return invalid("Invalid TransitEncryptionMode %q", mode)
	}
	return nil
}

func modifyAuth(g, next *ReplicationGroup, p params, set func(string) bool) *apiError {
	if !set("AuthToken") {
		if p.has("AuthTokenUpdateStrategy") {
			return combination("AuthTokenUpdateStrategy must be specified with AuthToken.")
		}
		return nil
	}
	tok := p.str("AuthToken")
	if !next.TransitEncryption {
		return invalid("The AUTH token is only supported when encryption-in-transit is enabled.")
	}
	if err := checkAuthToken(tok); err != nil {
		return err
	}
	switch strings.ToUpper(p.str("AuthTokenUpdateStrategy")) {
	case "", "ROTATE":
		toks := next.AuthTokens
		if len(toks) > 0 {
			toks = toks[len(toks)-1:]
		}
		if !slices.Contains(toks, tok) {
			toks = append(toks, tok)
		}
		next.AuthTokens = toks
	case "SET":
		if !slices.Contains(g.AuthTokens, tok) {
			return combination("The SET strategy is allowed only after the token was added with ROTATE.")
		}
		next.AuthTokens = []string{tok}
	case "DELETE":
		return combination("The DELETE strategy is allowed only when moving the replication group to RBAC user groups.")
	default:
		return invalid("Invalid AuthTokenUpdateStrategy %q", p.str("AuthTokenUpdateStrategy"))
	}
	return nil
}

// replicaCounts reads NewReplicaCount or ReplicaConfiguration into a new count per shard.
func replicaCounts(g *ReplicationGroup, p params) ([]int, *apiError) {
	immediate, _, err := p.boolean("ApplyImmediately")
	if err != nil {
		return nil, err
	}
	if !immediate {
		return nil, invalid("ApplyImmediately must be true")
	}
	out := make([]int, len(g.Shards))
	if n, set, err := p.integer("NewReplicaCount"); err != nil {
		return nil, err
	} else if set {
		for i := range out {
			out[i] = n
		}
		return out, nil
	}
	confs := p.structs("ReplicaConfiguration.ConfigureShard")
	if len(confs) == 0 {
		return nil, invalid("Either NewReplicaCount or ReplicaConfiguration is required")
	}
	for i, sh := range g.Shards {
		out[i] = sh.Replicas
	}
	for _, c := range confs {
		i := slices.IndexFunc(g.Shards, func(sh Shard) bool { return sh.ID == c.str("NodeGroupId") })
		if i < 0 {
			return nil, invalid("Node group %s not found", c.str("NodeGroupId"))
		}
		n, _, err := c.integer("NewReplicaCount")
		if err != nil {
			return nil, err
		}
		out[i] = n
	}
	return out, nil
}

func (s *Server) increaseReplicaCount(_ string, p params) (any, *apiError) {
	return s.changeReplicas(p, true)
}

func (s *Server) decreaseReplicaCount(_ string, p params) (any, *apiError) {
	return s.changeReplicas(p, false)
}

func (s *Server) changeReplicas(p params, increase bool) (any, *apiError) {
	g, err := s.modifiable(p)
	if err != nil {
		return nil, err
	}
	counts, err := replicaCounts(g, p)
	if err != nil {
		return nil, err
	}
	nodes := 0
	for i, n := range counts {
		cur := g.Shards[i].Replicas
		switch {
		case n < 0 || n > 5:
			return nil, invalid("The replica count must be between 0 and 5")
		case increase && n < cur, !increase && n > cur:
			return nil, invalid("NewReplicaCount %d does not %s the current count %d of node group %s", n, map[bool]string{true: "increase", false: "decrease"}[increase], cur, g.Shards[i].ID)
		case !increase && n == 0 && g.AutomaticFailover && !g.ClusterMode:
			return nil, combination("Cannot remove the last replica while automatic failover is enabled; disable it first.")
		}
		nodes += 1 + n
	}
	if nodes > s.NodeQuota {
		return nil, fault("NodeQuotaForClusterExceeded", "The request would grow the cluster to %d nodes, more than the %d nodes per cluster quota.", nodes, s.NodeQuota)
	}
	s.transition(g, "modifying", func(g *ReplicationGroup) {
		for i, n := range counts {
			if i < len(g.Shards) {
				g.Shards[i].Replicas = n
				if len(g.Shards[i].AZs) > n+1 {
					g.Shards[i].AZs = g.Shards[i].AZs[:n+1]
				}
			}
		}
	})
	return rgResult{s.wireGroup(g)}, nil
}

func (s *Server) modifyShards(_ string, p params) (any, *apiError) {
	g, err := s.modifiable(p)
	if err != nil {
		return nil, err
	}
	if !g.ClusterMode {
		return nil, combination("Shard configuration can only be changed on cluster mode enabled replication groups.")
	}
	if imm, _, err := p.boolean("ApplyImmediately"); err != nil || !imm {
		return nil, invalid("ApplyImmediately must be true")
	}
	n, set, err := p.integer("NodeGroupCount")
	if err != nil {
		return nil, err
	}
	if !set || n < 1 || n > 500 {
		return nil, invalid("NodeGroupCount must be between 1 and 500")
	}
	if n == len(g.Shards) {
		return nil, invalid("NodeGroupCount %d is the current number of node groups", n)
	}
	replicas := g.Shards[0].Replicas
	if n*(1+replicas) > s.NodeQuota {
		return nil, fault("NodeQuotaForClusterExceeded", "The request would grow the cluster to %d nodes, more than the %d nodes per cluster quota.", n*(1+replicas), s.NodeQuota)
	}
	var keep []string
	if n < len(g.Shards) {
		remove := p.list("NodeGroupsToRemove.NodeGroupToRemove")
		retain := p.list("NodeGroupsToRetain.NodeGroupToRetain")
		if len(remove) == 0 && len(retain) == 0 {
			return nil, invalid("Decreasing the node group count needs NodeGroupsToRemove or NodeGroupsToRetain")
		}
		for _, sh := range g.Shards {
			if (len(remove) > 0 && !slices.Contains(remove, sh.ID)) || (len(retain) > 0 && slices.Contains(retain, sh.ID)) {
				keep = append(keep, sh.ID)
			}
		}
		if len(keep) != n {
			return nil, invalid("The node groups to remove or retain leave %d node groups, not %d", len(keep), n)
		}
	}
	g.pending.Resharding = &xResharding{}
	s.transition(g, "modifying", func(g *ReplicationGroup) {
		if keep != nil {
			g.Shards = slices.DeleteFunc(g.Shards, func(sh Shard) bool { return !slices.Contains(keep, sh.ID) })
		}
		next := 1
		for len(g.Shards) < n {
			id := fmt.Sprintf("%04d", next)
			if !slices.ContainsFunc(g.Shards, func(sh Shard) bool { return sh.ID == id }) {
				g.Shards = append(g.Shards, Shard{ID: id, Replicas: replicas})
			}
			next++
		}
		slices.SortFunc(g.Shards, func(a, b Shard) int { return strings.Compare(a.ID, b.ID) })
		g.rebalance()
	})
	return rgResult{s.wireGroup(g)}, nil
}

func (s *Server) deleteReplicationGroup(region string, p params) (any, *apiError) {
	g, err := s.group(p)
	if err != nil {
		return nil, err
	}
	if g.Status != "available" && g.Status != "create-failed" {
		return nil, fault("InvalidReplicationGroupState", "Replication group %s is %s; it can be deleted only when available.", g.ID, g.Status)
	}
	var snap *Snapshot
	if name := p.str("FinalSnapshotIdentifier"); name != "" {
		if err := checkName("FinalSnapshotIdentifier", name, 255); err != nil {
			return nil, err
		}
		if _, ok := s.snapshots[name]; ok {
			return nil, fault("SnapshotAlreadyExistsFault", "Snapshot %s already exists.", name)
		}
		if strings.HasPrefix(g.NodeType, "cache.t1.") {
			return nil, fault("SnapshotFeatureNotSupportedFault", "Snapshots are not supported on %s nodes.", g.NodeType)
		}
		snap = &Snapshot{Name: name, ARN: s.arn(region, "snapshot", name), ReplicationGroupID: g.ID, Status: "creating", Source: "manual",
			NodeType: g.NodeType, Engine: g.Engine, EngineVersion: g.EngineVersion, NodeGroups: len(g.Shards)}
		s.snapshots[name] = snap
	}
	s.transition(g, "deleting", func(*ReplicationGroup) {
		if snap != nil {
			snap.Status = "available"
		}
	})
	out := rgResult{s.wireGroup(g)}
	if g.Status == "available" { // Polls == 0: already gone
		out.ReplicationGroup.Status = "deleting"
	}
	return out, nil
}
