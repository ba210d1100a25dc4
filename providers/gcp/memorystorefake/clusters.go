package memorystorefake

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"cloud.google.com/go/longrunning/autogen/longrunningpb"
	clusterpb "cloud.google.com/go/redis/cluster/apiv1/clusterpb"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

var clusterIDPattern = regexp.MustCompile(`^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$`)

// nodeGB is each node type's total capacity in GB.
var nodeGB = map[clusterpb.NodeType]float64{
	clusterpb.NodeType_REDIS_SHARED_CORE_NANO: 1.4,
	clusterpb.NodeType_REDIS_STANDARD_SMALL:   6.5,
	clusterpb.NodeType_REDIS_HIGHMEM_MEDIUM:   13,
	clusterpb.NodeType_REDIS_HIGHMEM_XLARGE:   58,
	clusterpb.NodeType_REDIS_HIGHCPU_MEDIUM:   6.5,
	clusterpb.NodeType_REDIS_STANDARD_LARGE:   13,
	clusterpb.NodeType_REDIS_HIGHMEM_2XLARGE:  116,
}

type clusterService struct {
	clusterpb.UnimplementedCloudRedisClusterServer
	s *Server
}

func checkCluster(c *clusterpb.Cluster) error {
	if c.ShardCount == nil || *c.ShardCount < 1 || *c.ShardCount > 250 {
		return invalid("cluster.shard_count", "shard_count must be between 1 and 250, got %d", c.GetShardCount())
	}
	if c.ReplicaCount != nil && (*c.ReplicaCount < 0 || *c.ReplicaCount > 2) {
		return invalid("cluster.replica_count", "replica_count must be between 0 and 2, got %d", c.GetReplicaCount())
	}
	if _, ok := nodeGB[c.NodeType]; !ok {
		return invalid("cluster.node_type", "unsupported node_type %s", c.NodeType)
	}
	if pc := c.PersistenceConfig; pc != nil && pc.Mode == clusterpb.ClusterPersistenceConfig_AOF && pc.AofConfig == nil {
		return invalid("cluster.persistence_config.aof_config", "aof_config is required with persistence mode AOF")
	}
	for k := range c.RedisConfigs {
		switch k {
		case "maxmemory-policy", "maxmemory-clients", "notify-keyspace-events", "slowlog-log-slower-than", "maxclients":
		default:
			return invalid("cluster.redis_configs", "redis config %q is not supported", k)
		}
	}
	return nil
}

// fillCluster sets what the service computes or defaults.
func (s *Server) fillCluster(c *clusterpb.Cluster) {
	if c.ReplicaCount == nil {
		c.ReplicaCount = proto.Int32(0)
	}
	if c.NodeType == clusterpb.NodeType_NODE_TYPE_UNSPECIFIED {
		c.NodeType = clusterpb.NodeType_REDIS_HIGHMEM_MEDIUM
	}
	if c.AuthorizationMode == clusterpb.AuthorizationMode_AUTH_MODE_UNSPECIFIED {
		c.AuthorizationMode = clusterpb.AuthorizationMode_AUTH_MODE_DISABLED
	}
	if c.TransitEncryptionMode == clusterpb.TransitEncryptionMode_TRANSIT_ENCRYPTION_MODE_UNSPECIFIED {
		c.TransitEncryptionMode = clusterpb.TransitEncryptionMode_TRANSIT_ENCRYPTION_MODE_DISABLED
	}
	if c.ZoneDistributionConfig == nil {
		c.ZoneDistributionConfig = &clusterpb.ZoneDistributionConfig{Mode: clusterpb.ZoneDistributionConfig_MULTI_ZONE}
	}
	if c.PersistenceConfig == nil {
		c.PersistenceConfig = &clusterpb.ClusterPersistenceConfig{Mode: clusterpb.ClusterPersistenceConfig_DISABLED}
	}
	nodes := float64(c.GetShardCount() * (1 + c.GetReplicaCount()))
	size := nodeGB[c.NodeType] * nodes
	c.PreciseSizeGb = proto.Float64(size)
	c.SizeGb = proto.Int32(int32(size))
}

func (c *clusterService) ListClusters(_ context.Context, req *clusterpb.ListClustersRequest) (*clusterpb.ListClustersResponse, error) {
	project, location, err := parseParent(req.GetParent())
	if err != nil {
		return nil, err
	}
	s := c.s
	s.mu.Lock()
	defer s.mu.Unlock()
	resp := &clusterpb.ListClustersResponse{}
	for name, cl := range s.clusters {
		if inLocation(name, project, location) {
			resp.Clusters = append(resp.Clusters, proto.Clone(cl).(*clusterpb.Cluster))
		}
	}
	return resp, nil
}

func (c *clusterService) GetCluster(_ context.Context, req *clusterpb.GetClusterRequest) (*clusterpb.Cluster, error) {
	s := c.s
	s.mu.Lock()
	defer s.mu.Unlock()
	cl, err := s.cluster(req.GetName())
	if err != nil {
		return nil, err
	}
	return proto.Clone(cl).(*clusterpb.Cluster), nil
}

func (c *clusterService) CreateCluster(_ context.Context, req *clusterpb.CreateClusterRequest) (*longrunningpb.Operation, error) {
	if _, _, err := parseParent(req.GetParent()); err != nil {
		return nil, err
	}
	if !clusterIDPattern.MatchString(req.GetClusterId()) {
		return nil, invalid("cluster_id", "cluster_id must be 1 to 63 lowercase letters, digits or hyphens, starting with a letter, got %q", req.GetClusterId())
	}
	if req.GetCluster() == nil {
		return nil, invalid("cluster", "cluster is required")
	}
	if len(req.GetCluster().GetPscConfigs()) == 0 || req.GetCluster().GetPscConfigs()[0].GetNetwork() == "" {
		return nil, invalid("cluster.psc_configs", "psc_configs with a network is required")
	}
	name := req.GetParent() + "/clusters/" + req.GetClusterId()
	cl := proto.Clone(req.GetCluster()).(*clusterpb.Cluster)
	cl.Name = name
	s := c.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, exists := s.clusters[name]; exists {
		return nil, alreadyExists(name)
	}
	if err := checkCluster(cl); err != nil {
		return nil, err
	}
	s.fillCluster(cl)
	cl.State = clusterpb.Cluster_CREATING
	cl.CreateTime = timestamppb.Now()
	cl.Uid = newAuthString()
	s.clusters[name] = cl
	return s.startOp(name, "create", true, func() (proto.Message, error) {
		cl.State = clusterpb.Cluster_ACTIVE
		cl.DiscoveryEndpoints = []*clusterpb.DiscoveryEndpoint{{Address: s.nextIP(), Port: 6379, PscConfig: &clusterpb.PscConfig{Network: cl.PscConfigs[0].Network}}}
		return proto.Clone(cl), nil
	})
}

var clusterUpdatable = map[string]func(dst, src *clusterpb.Cluster){
	"shard_count":                 func(d, s *clusterpb.Cluster) { d.ShardCount = s.ShardCount },
	"replica_count":               func(d, s *clusterpb.Cluster) { d.ReplicaCount = s.ReplicaCount },
	"node_type":                   func(d, s *clusterpb.Cluster) { d.NodeType = s.NodeType },
	"persistence_config":          func(d, s *clusterpb.Cluster) { d.PersistenceConfig = s.PersistenceConfig },
	"redis_configs":               func(d, s *clusterpb.Cluster) { d.RedisConfigs = s.RedisConfigs },
	"maintenance_policy":          func(d, s *clusterpb.Cluster) { d.MaintenancePolicy = s.MaintenancePolicy },
	"deletion_protection_enabled": func(d, s *clusterpb.Cluster) { d.DeletionProtectionEnabled = s.DeletionProtectionEnabled },
	"size_gb":                     func(d, s *clusterpb.Cluster) {},
}

func (c *clusterService) UpdateCluster(_ context.Context, req *clusterpb.UpdateClusterRequest) (*longrunningpb.Operation, error) {
	if req.GetCluster() == nil || len(req.GetUpdateMask().GetPaths()) == 0 {
		return nil, invalid("update_mask", "update_mask must name at least one field")
	}
	name := req.GetCluster().GetName()
	s := c.s
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, err := s.activeCluster(name)
	if err != nil {
		return nil, err
	}
	next := proto.Clone(cur).(*clusterpb.Cluster)
	for _, p := range req.GetUpdateMask().GetPaths() {
		set, ok := clusterUpdatable[snake(p)]
		if !ok {
			return nil, invalid("update_mask", "field %q cannot be updated; create a new cluster to change it", p)
		}
		set(next, req.GetCluster())
	}
	if err := checkCluster(next); err != nil {
		return nil, err
	}
	s.fillCluster(next)
	cur.State = clusterpb.Cluster_UPDATING
	cur.StateInfo = &clusterpb.Cluster_StateInfo{Info: &clusterpb.Cluster_StateInfo_UpdateInfo_{UpdateInfo: &clusterpb.Cluster_StateInfo_UpdateInfo{
		TargetShardCount: next.ShardCount, TargetReplicaCount: next.ReplicaCount}}}
	return s.startOp(name, "update", true, func() (proto.Message, error) {
		next.State = clusterpb.Cluster_ACTIVE
		next.StateInfo = nil
		s.clusters[name] = next
		return proto.Clone(next), nil
	})
}

func (c *clusterService) DeleteCluster(_ context.Context, req *clusterpb.DeleteClusterRequest) (*longrunningpb.Operation, error) {
	s := c.s
	s.mu.Lock()
	defer s.mu.Unlock()
	cl, err := s.cluster(req.GetName())
	if err != nil {
		return nil, err
	}
	if cl.GetDeletionProtectionEnabled() {
		return nil, busy(req.GetName(), "deletion protection enabled")
	}
	if cl.State == clusterpb.Cluster_CREATING || cl.State == clusterpb.Cluster_DELETING {
		return nil, busy(req.GetName(), cl.State.String())
	}
	cl.State = clusterpb.Cluster_DELETING
	return s.startOp(req.GetName(), "delete", true, func() (proto.Message, error) {
		delete(s.clusters, req.GetName())
		return nil, nil
	})
}

func (c *clusterService) BackupCluster(_ context.Context, req *clusterpb.BackupClusterRequest) (*longrunningpb.Operation, error) {
	s := c.s
	s.mu.Lock()
	defer s.mu.Unlock()
	cl, err := s.activeCluster(req.GetName())
	if err != nil {
		return nil, err
	}
	id := req.GetBackupId()
	if id == "" {
		id = fmt.Sprintf("backup-%d", len(s.backups)+1)
	}
	for _, b := range s.backups {
		if b.ClusterUid == cl.Uid && strings.HasSuffix(b.Name, "/backups/"+id) {
			return nil, alreadyExists(b.Name)
		}
	}
	return s.startOp(req.GetName(), "backup", true, func() (proto.Message, error) {
		s.backups = append(s.backups, &clusterpb.Backup{
			Name:       parentOf(cl.Name) + "/backupCollections/" + cl.Uid + "/backups/" + id,
			CreateTime: timestamppb.Now(), Cluster: cl.Name, ClusterUid: cl.Uid,
			NodeType: cl.NodeType, ShardCount: cl.GetShardCount(), ReplicaCount: cl.GetReplicaCount(),
			BackupType: clusterpb.Backup_ON_DEMAND, State: clusterpb.Backup_ACTIVE,
		})
		return proto.Clone(cl), nil
	})
}

// cluster is the named cluster, or NotFound. The caller holds s.mu.
func (s *Server) cluster(name string) (*clusterpb.Cluster, error) {
	cl, ok := s.clusters[name]
	if !ok {
		return nil, notFound(name)
	}
	return cl, nil
}

// activeCluster is the named cluster if it can start an operation: NotFound
// or FailedPrecondition otherwise. The caller holds s.mu.
func (s *Server) activeCluster(name string) (*clusterpb.Cluster, error) {
	cl, err := s.cluster(name)
	if err == nil && cl.State != clusterpb.Cluster_ACTIVE {
		return nil, busy(name, cl.State.String())
	}
	return cl, err
}
