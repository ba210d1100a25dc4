package gcp

import (
	"context"
	"slices"
	"strconv"
	"strings"

	clusterpb "cloud.google.com/go/redis/cluster/apiv1/clusterpb"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/redisctl/redisctl/providers"
)

// clusterKind applies changes to Memorystore for Redis Cluster.
type clusterKind struct{ a *applier }

func (k clusterKind) name(r providers.Resource) string { return resourceName(r) }

func (k clusterKind) observe(ctx context.Context, name string) string {
	cl, err := k.a.c.cluster.GetCluster(ctx, &clusterpb.GetClusterRequest{Name: name}, k.a.c.opts...)
	if isNotFound(err) {
		return stateGone
	}
	if err != nil {
		return ""
	}
	if cl.GetState() == clusterpb.Cluster_ACTIVE {
		return stateReady
	}
	return strings.ToLower(cl.GetState().String())
}

func (k clusterKind) resume(kind, name string) poller {
	c := k.a.c
	switch kind {
	case "create":
		return pollerOf(c.cluster.CreateClusterOperation(name), c.opts)
	case "update":
		return pollerOf(c.cluster.UpdateClusterOperation(name), c.opts)
	case "backup":
		return pollerOf(c.cluster.BackupClusterOperation(name), c.opts)
	}
	return emptyPollerOf(c.cluster.DeleteClusterOperation(name), c.opts)
}

// create makes the cluster. Clusters carry no labels, so one that already
// exists under this ID is adopted only through Read (a journaled creation).
func (k clusterKind) create(ctx context.Context, want providers.Resource) (string, error) {
	a, c := k.a, k.a.c
	name := resourceName(want)
	err := a.step(ctx, k, "create", "CreateCluster", name, nil, func(ctx context.Context) (poller, error) {
		op, err := c.cluster.CreateCluster(ctx, &clusterpb.CreateClusterRequest{
			Parent: want.Attrs["location"], ClusterId: want.Name, Cluster: clusterFromAttrs(want.Attrs),
		}, c.opts...)
		if isAlreadyExists(err) {
			return poller{}, explain("create cluster "+name+" (a cluster with this ID exists and is not in this deployment's state: choose another provider.instanceId, or adopt it with `redisctl import`)", err)
		}
		if err != nil {
			return poller{}, explain("create cluster "+name, err)
		}
		return pollerOf(op, c.opts), nil
	})
	return name, err
}

func (k clusterKind) start(ctx context.Context, s step, want providers.Resource) (poller, error) {
	c := k.a.c
	name := resourceName(want)
	cl := clusterFromAttrs(want.Attrs)
	cl.Name = name
	if slices.Contains(s.mask, "redis_configs") {
		cur, err := c.cluster.GetCluster(ctx, &clusterpb.GetClusterRequest{Name: name}, c.opts...)
		if err != nil {
			return poller{}, explain("read "+name, err)
		}
		cl.RedisConfigs = withEvictionPolicy(cur.GetRedisConfigs(), want.Attrs["maxmemory_policy"])
	}
	op, err := c.cluster.UpdateCluster(ctx, &clusterpb.UpdateClusterRequest{UpdateMask: &fieldmaskpb.FieldMask{Paths: s.mask}, Cluster: cl}, c.opts...)
	if err != nil {
		return poller{}, explain("update cluster "+name, err)
	}
	return pollerOf(op, c.opts), nil
}

// remove takes a final backup unless told not to, then deletes.
func (k clusterKind) remove(ctx context.Context, cur providers.Resource) error {
	a, c := k.a, k.a.c
	name := resourceName(cur)
	if !a.r.settings.SkipFinalSnapshot {
		stamp, err := a.stamp("backup_stamp")
		if err != nil {
			return err
		}
		id := finalBackupPrefix + "-" + stamp
		active := func(ctx context.Context) (bool, error) { return k.observe(ctx, name) == stateReady, nil }
		err = a.step(ctx, k, "backup", "BackupCluster", name, active, func(ctx context.Context) (poller, error) {
			op, err := c.cluster.BackupCluster(ctx, &clusterpb.BackupClusterRequest{Name: name, BackupId: proto.String(id)}, c.opts...)
			if err != nil {
				return poller{}, explain("take a final backup of "+name, err)
			}
			return pollerOf(op, c.opts), nil
		})
		if err != nil {
			return err
		}
		a.progress("final backup %s of %s taken", id, cur.Name)
	}
	return a.step(ctx, k, "delete", "DeleteCluster", name, a.deleteNeeded(k, "DeleteCluster", name), func(ctx context.Context) (poller, error) {
		op, err := c.cluster.DeleteCluster(ctx, &clusterpb.DeleteClusterRequest{Name: name}, c.opts...)
		if err != nil {
			return poller{}, explain("delete cluster "+name, err)
		}
		return emptyPollerOf(op, c.opts), nil
	})
}

// clusterFromAttrs builds the API cluster a resource's attributes describe.
func clusterFromAttrs(attrs map[string]string) *clusterpb.Cluster {
	shards, _ := strconv.Atoi(attrs["shard_count"])
	replicas, _ := strconv.Atoi(attrs["replica_count"])
	cl := &clusterpb.Cluster{
		ShardCount:            proto.Int32(int32(shards)),
		ReplicaCount:          proto.Int32(int32(replicas)),
		NodeType:              clusterpb.NodeType(clusterpb.NodeType_value[attrs["node_type"]]),
		AuthorizationMode:     clusterpb.AuthorizationMode(clusterpb.AuthorizationMode_value[attrs["authorization_mode"]]),
		TransitEncryptionMode: clusterpb.TransitEncryptionMode_TRANSIT_ENCRYPTION_MODE_DISABLED,
		RedisConfigs:          map[string]string{"maxmemory-policy": attrs["maxmemory_policy"]},
		PscConfigs:            []*clusterpb.PscConfig{{Network: attrs["network"]}},
		PersistenceConfig:     &clusterpb.ClusterPersistenceConfig{Mode: clusterpb.ClusterPersistenceConfig_DISABLED},
		ZoneDistributionConfig: &clusterpb.ZoneDistributionConfig{
			Mode: clusterpb.ZoneDistributionConfig_MULTI_ZONE,
		},
	}
	if attrs["transit_encryption"] == "SERVER_AUTHENTICATION" {
		cl.TransitEncryptionMode = clusterpb.TransitEncryptionMode_TRANSIT_ENCRYPTION_MODE_SERVER_AUTHENTICATION
	}
	if mode, zone, ok := strings.Cut(attrs["zone_distribution"], ":"); ok && mode == clusterpb.ZoneDistributionConfig_SINGLE_ZONE.String() {
		cl.ZoneDistributionConfig = &clusterpb.ZoneDistributionConfig{Mode: clusterpb.ZoneDistributionConfig_SINGLE_ZONE, Zone: zone}
	}
	switch attrs["persistence"] {
	case "rdb":
		cl.PersistenceConfig = &clusterpb.ClusterPersistenceConfig{Mode: clusterpb.ClusterPersistenceConfig_RDB, RdbConfig: &clusterpb.ClusterPersistenceConfig_RDBConfig{
			RdbSnapshotPeriod: clusterpb.ClusterPersistenceConfig_RDBConfig_SnapshotPeriod(clusterpb.ClusterPersistenceConfig_RDBConfig_SnapshotPeriod_value[attrs["rdb_snapshot_period"]]),
		}}
	case "aof":
		cl.PersistenceConfig = &clusterpb.ClusterPersistenceConfig{Mode: clusterpb.ClusterPersistenceConfig_AOF, AofConfig: &clusterpb.ClusterPersistenceConfig_AOFConfig{
			AppendFsync: clusterpb.ClusterPersistenceConfig_AOFConfig_AppendFsync(clusterpb.ClusterPersistenceConfig_AOFConfig_AppendFsync_value[attrs["aof_fsync"]]),
		}}
	}
	if day, at, ok := parseWindow(attrs["maintenance_window"]); ok {
		cl.MaintenancePolicy = &clusterpb.ClusterMaintenancePolicy{WeeklyMaintenanceWindow: []*clusterpb.ClusterWeeklyMaintenanceWindow{{Day: day, StartTime: at}}}
	} else {
		cl.MaintenancePolicy = &clusterpb.ClusterMaintenancePolicy{}
	}
	return cl
}
