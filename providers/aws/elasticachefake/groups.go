package elasticachefake

import (
	"slices"
	"strings"
)

// ParameterGroup is the fake's record of a cache parameter group.
type ParameterGroup struct {
	Name, Family, Description, ARN string
	// Values are the parameters changed from the family's defaults.
	Values map[string]string
}

// SubnetGroup is the fake's record of a cache subnet group.
type SubnetGroup struct {
	Name, Description, ARN string
	SubnetIDs              []string
}

// Snapshot is a backup, e.g. the final snapshot taken when a group is deleted.
type Snapshot struct {
	Name, ARN, ReplicationGroupID, Status, Source string
	NodeType, Engine, EngineVersion               string
	NodeGroups                                    int
}

// ParameterGroup returns a copy of a parameter group.
func (s *Server) ParameterGroup(name string) (ParameterGroup, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	pg, ok := s.params[name]
	if !ok {
		return ParameterGroup{}, false
	}
	c := *pg
	c.Values = map[string]string{}
	for k, v := range pg.Values {
		c.Values[k] = v
	}
	return c, true
}

// ParameterGroups lists parameter group names.
func (s *Server) ParameterGroups() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for n := range s.params {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// SetParameter changes a parameter directly (a change made outside redisctl).
func (s *Server) SetParameter(group, name, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if pg, ok := s.params[group]; ok {
		pg.Values[name] = value
	}
}

// SubnetGroups lists subnet group names.
func (s *Server) SubnetGroups() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for n := range s.subnets {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// Snapshots lists every snapshot.
func (s *Server) Snapshots() []Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Snapshot
	for _, sn := range s.snapshots {
		out = append(out, *sn)
	}
	slices.SortFunc(out, func(a, b Snapshot) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Tags returns the tags of a resource by ARN.
func (s *Server) Tags(arn string) map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]string{}
	for k, v := range s.tags[arn] {
		out[k] = v
	}
	return out
}

// checkParameterGroupFor checks that a group named by a replication group
// exists and suits its engine version and cluster mode.
func (s *Server) checkParameterGroupFor(name, fam string, cluster bool) *apiError {
	if strings.HasPrefix(name, "default.") {
		return nil
	}
	pg, ok := s.params[name]
	if !ok {
		return notFound("CacheParameterGroupNotFound", "CacheParameterGroup %s not found.", name)
	}
	if pg.Family != fam {
		return combination("Cache parameter group %s is of family %s, but the engine version needs family %s.", name, pg.Family, fam)
	}
	if (pg.Values["cluster-enabled"] == "yes") != cluster {
		if cluster {
			return combination("Cluster mode enabled replication groups need a parameter group with cluster-enabled set to yes; %s has it set to no.", name)
		}
		return combination("Parameter group %s has cluster-enabled set to yes, which a cluster mode disabled replication group cannot use.", name)
	}
	return nil
}

func (s *Server) createParameterGroup(region string, p params) (any, *apiError) {
	name := p.str("CacheParameterGroupName")
	if err := checkName("CacheParameterGroupName", name, 255); err != nil {
		return nil, err
	}
	if _, ok := s.params[name]; ok {
		return nil, fault("CacheParameterGroupAlreadyExists", "Parameter group %s already exists.", name)
	}
	fam := p.str("CacheParameterGroupFamily")
	if !families[fam] {
		return nil, invalid("Unknown CacheParameterGroupFamily %q", fam)
	}
	if p.str("Description") == "" {
		return nil, invalid("Description is required")
	}
	tags, err := p.tagList()
	if err != nil {
		return nil, err
	}
	pg := &ParameterGroup{Name: name, Family: fam, Description: p.str("Description"), ARN: s.arn(region, "parametergroup", name), Values: map[string]string{}}
	s.params[name] = pg
	if len(tags) > 0 {
		s.tags[pg.ARN] = tags
	}
	return pgResult{wireParameterGroup(pg)}, nil
}

func wireParameterGroup(pg *ParameterGroup) xParameterGroup {
	return xParameterGroup{CacheParameterGroupName: pg.Name, CacheParameterGroupFamily: pg.Family, Description: pg.Description, ARN: pg.ARN}
}

func (s *Server) parameterGroup(p params) (*ParameterGroup, *apiError) {
	name := p.str("CacheParameterGroupName")
	pg, ok := s.params[name]
	if !ok {
		return nil, notFound("CacheParameterGroupNotFound", "CacheParameterGroup %s not found.", name)
	}
	return pg, nil
}

func (s *Server) describeParameterGroups(_ string, p params) (any, *apiError) {
	var out pgListResult
	if p.str("CacheParameterGroupName") != "" {
		pg, err := s.parameterGroup(p)
		if err != nil {
			return nil, err
		}
		out.CacheParameterGroups = append(out.CacheParameterGroups, wireParameterGroup(pg))
		return out, nil
	}
	for _, n := range sortedKeys(s.paramNames()) {
		out.CacheParameterGroups = append(out.CacheParameterGroups, wireParameterGroup(s.params[n]))
	}
	return out, nil
}

func (s *Server) paramNames() map[string]string {
	m := map[string]string{}
	for n := range s.params {
		m[n] = n
	}
	return m
}

// inUse reports whether a live replication group uses the parameter group.
func (s *Server) inUse(name string) bool {
	for _, g := range s.groups {
		if g.ParameterGroup == name {
			return true
		}
	}
	return false
}

func (s *Server) modifyParameterGroup(_ string, p params) (any, *apiError) {
	pg, err := s.parameterGroup(p)
	if err != nil {
		return nil, err
	}
	changes := p.structs("ParameterNameValues.ParameterNameValue")
	if len(changes) == 0 {
		return nil, invalid("ParameterNameValues must list at least one parameter")
	}
	if len(changes) > 20 {
		return nil, invalid("At most 20 parameters can be modified in one request")
	}
	for _, c := range changes {
		name := c.str("ParameterName")
		def, ok := defaultParameter(name)
		if !ok {
			return nil, invalid("Parameter %s does not exist in family %s", name, pg.Family)
		}
		if err := checkParameterValue(def, c.str("ParameterValue")); err != nil {
			return nil, err
		}
		if name == "cluster-enabled" && c.str("ParameterValue") != pg.Values[name] && s.inUse(pg.Name) {
			return nil, fault("InvalidCacheParameterGroupState", "cluster-enabled cannot be changed on parameter group %s while replication groups use it.", pg.Name)
		}
	}
	for _, c := range changes {
		pg.Values[c.str("ParameterName")] = c.str("ParameterValue")
	}
	return pgNameResult{pg.Name}, nil
}

func (s *Server) describeParameters(_ string, p params) (any, *apiError) {
	pg, err := s.parameterGroup(p)
	if err != nil {
		return nil, err
	}
	source := p.str("Source")
	var out paramListResult
	for _, def := range defaultParameters {
		x := def
		x.Source, x.IsModifiable = "system", true
		if v, ok := pg.Values[def.ParameterName]; ok {
			x.ParameterValue, x.Source = v, "user"
		}
		if source != "" && x.Source != source {
			continue
		}
		out.Parameters = append(out.Parameters, x)
	}
	return out, nil
}

func (s *Server) deleteParameterGroup(_ string, p params) (any, *apiError) {
	pg, err := s.parameterGroup(p)
	if err != nil {
		return nil, err
	}
	if s.inUse(pg.Name) {
		return nil, fault("InvalidCacheParameterGroupState", "Parameter group %s is in use by a replication group and cannot be deleted.", pg.Name)
	}
	delete(s.params, pg.Name)
	delete(s.tags, pg.ARN)
	return nil, nil
}

func (s *Server) subnetIDs(p params) ([]string, *apiError) {
	ids := p.list("SubnetIds.SubnetIdentifier")
	if len(ids) == 0 {
		return nil, invalid("SubnetIds must list at least one subnet")
	}
	for _, id := range ids {
		if !strings.HasPrefix(id, "subnet-") {
			return nil, fault("InvalidSubnet", "The subnet ID %s does not exist", id)
		}
	}
	return ids, nil
}

func (s *Server) createSubnetGroup(region string, p params) (any, *apiError) {
	name := strings.ToLower(p.str("CacheSubnetGroupName"))
	if err := checkName("CacheSubnetGroupName", name, 255); err != nil {
		return nil, err
	}
	if _, ok := s.subnets[name]; ok {
		return nil, fault("CacheSubnetGroupAlreadyExists", "Cache subnet group %s already exists.", name)
	}
	ids, err := s.subnetIDs(p)
	if err != nil {
		return nil, err
	}
	tags, err := p.tagList()
	if err != nil {
		return nil, err
	}
	sg := &SubnetGroup{Name: name, Description: p.str("CacheSubnetGroupDescription"), ARN: s.arn(region, "subnetgroup", name), SubnetIDs: ids}
	s.subnets[name] = sg
	if len(tags) > 0 {
		s.tags[sg.ARN] = tags
	}
	return sgResult{wireSubnetGroup(sg)}, nil
}

func wireSubnetGroup(sg *SubnetGroup) xSubnetGroup {
	x := xSubnetGroup{CacheSubnetGroupName: sg.Name, CacheSubnetGroupDescription: sg.Description, VpcId: "vpc-0fake", ARN: sg.ARN}
	for i, id := range sg.SubnetIDs {
		x.Subnets = append(x.Subnets, xSubnet{SubnetIdentifier: id, SubnetAvailabilityZone: xAvailabilityZone{Name: "us-east-1" + string(rune('a'+i%6))}})
	}
	return x
}

func (s *Server) subnetGroup(p params) (*SubnetGroup, *apiError) {
	name := strings.ToLower(p.str("CacheSubnetGroupName"))
	sg, ok := s.subnets[name]
	if !ok {
		return nil, fault("CacheSubnetGroupNotFoundFault", "Cache subnet group %s not found.", name)
	}
	return sg, nil
}

func (s *Server) describeSubnetGroups(_ string, p params) (any, *apiError) {
	var out sgListResult
	if p.str("CacheSubnetGroupName") != "" {
		sg, err := s.subnetGroup(p)
		if err != nil {
			return nil, err
		}
		out.CacheSubnetGroups = append(out.CacheSubnetGroups, wireSubnetGroup(sg))
		return out, nil
	}
	for _, sg := range s.subnets {
		out.CacheSubnetGroups = append(out.CacheSubnetGroups, wireSubnetGroup(sg))
	}
	return out, nil
}

func (s *Server) modifySubnetGroup(_ string, p params) (any, *apiError) {
	sg, err := s.subnetGroup(p)
	if err != nil {
		return nil, err
	}
	if p.has("SubnetIds.SubnetIdentifier.1") {
		ids, err := s.subnetIDs(p)
		if err != nil {
			return nil, err
		}
		sg.SubnetIDs = ids
	}
	if p.has("CacheSubnetGroupDescription") {
		sg.Description = p.str("CacheSubnetGroupDescription")
	}
	return sgResult{wireSubnetGroup(sg)}, nil
}

func (s *Server) deleteSubnetGroup(_ string, p params) (any, *apiError) {
	sg, err := s.subnetGroup(p)
	if err != nil {
		return nil, err
	}
	for _, g := range s.groups {
		if g.SubnetGroup == sg.Name {
			return nil, fault("CacheSubnetGroupInUse", "Cache subnet group %s is in use by replication group %s.", sg.Name, g.ID)
		}
	}
	delete(s.subnets, sg.Name)
	delete(s.tags, sg.ARN)
	return nil, nil
}

// resource checks that an ARN names something that exists.
func (s *Server) resource(arn string) *apiError {
	parts := strings.SplitN(arn, ":", 7)
	if len(parts) != 7 || parts[0] != "arn" || parts[2] != "elasticache" {
		return fault("InvalidARN", "%s is not a valid ElastiCache ARN", arn)
	}
	name := parts[6]
	switch parts[5] {
	case "replicationgroup":
		if _, ok := s.groups[name]; !ok {
			return notFound("ReplicationGroupNotFoundFault", "ReplicationGroup %s not found.", name)
		}
	case "parametergroup":
		if _, ok := s.params[name]; !ok {
			return notFound("CacheParameterGroupNotFound", "CacheParameterGroup %s not found.", name)
		}
	case "subnetgroup":
		if _, ok := s.subnets[name]; !ok {
			return fault("CacheSubnetGroupNotFoundFault", "Cache subnet group %s not found.", name)
		}
	case "snapshot":
		if _, ok := s.snapshots[name]; !ok {
			return notFound("SnapshotNotFoundFault", "Snapshot %s not found.", name)
		}
	default:
		return fault("InvalidARN", "%s is not a taggable resource in the fake", arn)
	}
	return nil
}

func (s *Server) tagResult(arn string) tagListResult {
	var out tagListResult
	tags := s.tags[arn]
	for _, k := range sortedKeys(tags) {
		out.TagList = append(out.TagList, xTag{Key: k, Value: tags[k]})
	}
	return out
}

func (s *Server) listTags(_ string, p params) (any, *apiError) {
	arn := p.str("ResourceName")
	if err := s.resource(arn); err != nil {
		return nil, err
	}
	return s.tagResult(arn), nil
}

func (s *Server) addTags(_ string, p params) (any, *apiError) {
	arn := p.str("ResourceName")
	if err := s.resource(arn); err != nil {
		return nil, err
	}
	add, err := p.tagList()
	if err != nil {
		return nil, err
	}
	tags := s.tags[arn]
	if tags == nil {
		tags = map[string]string{}
		s.tags[arn] = tags
	}
	for k, v := range add {
		tags[k] = v
	}
	if len(tags) > 50 {
		return nil, fault("TagQuotaPerResourceExceeded", "a resource may carry at most 50 tags")
	}
	return s.tagResult(arn), nil
}

func (s *Server) removeTags(_ string, p params) (any, *apiError) {
	arn := p.str("ResourceName")
	if err := s.resource(arn); err != nil {
		return nil, err
	}
	for _, k := range p.list("TagKeys.member") {
		if _, ok := s.tags[arn][k]; !ok {
			return nil, notFound("TagNotFound", "Tag %s not found on %s", k, arn)
		}
		delete(s.tags[arn], k)
	}
	return s.tagResult(arn), nil
}

func (s *Server) describeSnapshots(_ string, p params) (any, *apiError) {
	var out snapshotListResult
	name, group := p.str("SnapshotName"), p.str("ReplicationGroupId")
	for _, sn := range s.snapshots {
		if (name != "" && sn.Name != name) || (group != "" && sn.ReplicationGroupID != group) {
			continue
		}
		out.Snapshots = append(out.Snapshots, xSnapshot{SnapshotName: sn.Name, ARN: sn.ARN, ReplicationGroupId: sn.ReplicationGroupID,
			SnapshotStatus: sn.Status, SnapshotSource: sn.Source, CacheNodeType: sn.NodeType, Engine: sn.Engine, EngineVersion: sn.EngineVersion, NumNodeGroups: sn.NodeGroups})
	}
	slices.SortFunc(out.Snapshots, func(a, b xSnapshot) int { return strings.Compare(a.SnapshotName, b.SnapshotName) })
	if name != "" && len(out.Snapshots) == 0 {
		return nil, notFound("SnapshotNotFoundFault", "Snapshot %s not found.", name)
	}
	return out, nil
}
