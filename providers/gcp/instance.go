package gcp

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	redispb "cloud.google.com/go/redis/apiv1/redispb"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/redisctl/redisctl/providers"
)

// instanceKind applies changes to Memorystore for Redis instances.
type instanceKind struct{ a *applier }

func (k instanceKind) name(r providers.Resource) string { return resourceName(r) }

func (k instanceKind) observe(ctx context.Context, name string) string {
	in, err := k.a.c.redis.GetInstance(ctx, &redispb.GetInstanceRequest{Name: name}, k.a.c.opts...)
	if isNotFound(err) {
		return stateGone
	}
	if err != nil {
		return ""
	}
	return strings.ToLower(in.GetState().String())
}

func (k instanceKind) resume(kind, name string) poller {
	c := k.a.c
	switch kind {
	case "create":
		return pollerOf(c.redis.CreateInstanceOperation(name), c.opts)
	case "update":
		return pollerOf(c.redis.UpdateInstanceOperation(name), c.opts)
	case "upgrade":
		return pollerOf(c.redis.UpgradeInstanceOperation(name), c.opts)
	case "export":
		return pollerOf(c.redis.ExportInstanceOperation(name), c.opts)
	}
	return emptyPollerOf(c.redis.DeleteInstanceOperation(name), c.opts)
}

// errAdopted means the instance already existed and belongs to this deployment.
var errAdopted = errors.New("adopted")

func (k instanceKind) create(ctx context.Context, want providers.Resource) (string, error) {
	a, c := k.a, k.a.c
	name := resourceName(want)
	err := a.step(ctx, k, "create", "CreateInstance", name, nil, func(ctx context.Context) (poller, error) {
		op, err := c.redis.CreateInstance(ctx, &redispb.CreateInstanceRequest{
			Parent: want.Attrs["location"], InstanceId: want.Name, Instance: instanceFromAttrs(want.Attrs),
		}, c.opts...)
		if isAlreadyExists(err) {
			return poller{}, k.adopt(ctx, name)
		}
		if err != nil {
			return poller{}, explain("create instance "+name, err)
		}
		return pollerOf(op, c.opts), nil
	})
	if errors.Is(err, errAdopted) {
		a.progress("CreateInstance: %s already exists with label %s=%s; adopting it", name, deploymentLabel, a.req.Spec.Name)
		return name, a.awaitState(ctx, k, "CreateInstance", name, time.Now(), k.observe(ctx, name))
	}
	return name, err
}

// adopt checks that an existing instance is this deployment's (an earlier
// create whose answer was lost) and returns errAdopted if so.
func (k instanceKind) adopt(ctx context.Context, name string) error {
	in, err := k.a.c.redis.GetInstance(ctx, &redispb.GetInstanceRequest{Name: name}, k.a.c.opts...)
	if err != nil {
		return explain("create instance "+name+": it already exists, but reading it", err)
	}
	if owner := in.GetLabels()[deploymentLabel]; owner != k.a.req.Spec.Name {
		return fmt.Errorf("create instance %s: it already exists and is not labelled %s=%s (it has %q); choose another provider.instanceId, or adopt it with `redisctl import`", name, deploymentLabel, k.a.req.Spec.Name, owner)
	}
	return errAdopted
}

func (k instanceKind) start(ctx context.Context, s step, want providers.Resource) (poller, error) {
	c := k.a.c
	name := resourceName(want)
	if s.key == "upgrade" {
		op, err := c.redis.UpgradeInstance(ctx, &redispb.UpgradeInstanceRequest{Name: name, RedisVersion: want.Attrs["redis_version"]}, c.opts...)
		if err != nil {
			return poller{}, explain("upgrade "+name, err)
		}
		return pollerOf(op, c.opts), nil
	}
	in := instanceFromAttrs(want.Attrs)
	in.Name = name
	if slices.Contains(s.mask, "redis_configs") {
		cur, err := c.redis.GetInstance(ctx, &redispb.GetInstanceRequest{Name: name}, c.opts...)
		if err != nil {
			return poller{}, explain("read "+name, err)
		}
		in.RedisConfigs = withEvictionPolicy(cur.GetRedisConfigs(), want.Attrs["maxmemory_policy"])
	}
	if slices.Contains(s.mask, "secondary_ip_range") {
		in.SecondaryIpRange = "auto"
	}
	op, err := c.redis.UpdateInstance(ctx, &redispb.UpdateInstanceRequest{UpdateMask: &fieldmaskpb.FieldMask{Paths: s.mask}, Instance: in}, c.opts...)
	if err != nil {
		return poller{}, explain("update "+name, err)
	}
	return pollerOf(op, c.opts), nil
}

// remove exports a final snapshot when configured, then deletes.
func (k instanceKind) remove(ctx context.Context, cur providers.Resource) error {
	a, c := k.a, k.a.c
	name := resourceName(cur)
	st := a.r.settings
	if st.FinalSnapshotBucket != "" && !st.SkipFinalSnapshot {
		stamp, err := a.stamp("export_stamp")
		if err != nil {
			return err
		}
		uri := exportURI(st.FinalSnapshotBucket, cur.Name, stamp)
		exists := func(ctx context.Context) (bool, error) {
			s := k.observe(ctx, name)
			return s != stateGone && s != "deleting", nil
		}
		err = a.step(ctx, k, "export", "ExportInstance", name, exists, func(ctx context.Context) (poller, error) {
			op, err := c.redis.ExportInstance(ctx, &redispb.ExportInstanceRequest{Name: name, OutputConfig: &redispb.OutputConfig{
				Destination: &redispb.OutputConfig_GcsDestination{GcsDestination: &redispb.GcsDestination{Uri: uri}}}}, c.opts...)
			if err != nil {
				return poller{}, explain("export a final snapshot of "+name+" to "+uri, err)
			}
			return pollerOf(op, c.opts), nil
		})
		if err != nil {
			return err
		}
		a.progress("final snapshot of %s in %s", cur.Name, uri)
	}
	return a.step(ctx, k, "delete", "DeleteInstance", name, a.deleteNeeded(k, "DeleteInstance", name), func(ctx context.Context) (poller, error) {
		op, err := c.redis.DeleteInstance(ctx, &redispb.DeleteInstanceRequest{Name: name}, c.opts...)
		if err != nil {
			return poller{}, explain("delete instance "+name, err)
		}
		return emptyPollerOf(op, c.opts), nil
	})
}

// instanceFromAttrs builds the API instance a resource's attributes describe.
func instanceFromAttrs(attrs map[string]string) *redispb.Instance {
	mem, _ := strconv.Atoi(attrs["memory_size_gb"])
	replicas, _ := strconv.Atoi(attrs["replica_count"])
	version := attrs["redis_version"]
	if version == "" {
		version = defaultInstanceRedis
	}
	in := &redispb.Instance{
		Tier:                  redispb.Instance_Tier(redispb.Instance_Tier_value[attrs["tier"]]),
		MemorySizeGb:          int32(mem),
		ReplicaCount:          int32(replicas),
		ReadReplicasMode:      redispb.Instance_ReadReplicasMode(redispb.Instance_ReadReplicasMode_value[attrs["read_replicas_mode"]]),
		RedisVersion:          version,
		RedisConfigs:          map[string]string{"maxmemory-policy": attrs["maxmemory_policy"]},
		PersistenceConfig:     &redispb.PersistenceConfig{PersistenceMode: redispb.PersistenceConfig_DISABLED},
		AuthEnabled:           attrs["auth_enabled"] == "true",
		TransitEncryptionMode: redispb.Instance_DISABLED,
		LocationId:            attrs["zone"],
		AlternativeLocationId: attrs["alternative_zone"],
		AuthorizedNetwork:     attrs["network"],
		ConnectMode:           redispb.Instance_ConnectMode(redispb.Instance_ConnectMode_value[attrs["connect_mode"]]),
		Labels:                providers.SplitPairs(attrs["labels"]),
	}
	if attrs["transit_encryption"] == "SERVER_AUTHENTICATION" {
		in.TransitEncryptionMode = redispb.Instance_SERVER_AUTHENTICATION
	}
	if attrs["persistence"] == "rdb" {
		in.PersistenceConfig = &redispb.PersistenceConfig{
			PersistenceMode:   redispb.PersistenceConfig_RDB,
			RdbSnapshotPeriod: redispb.PersistenceConfig_SnapshotPeriod(redispb.PersistenceConfig_SnapshotPeriod_value[attrs["rdb_snapshot_period"]]),
		}
	}
	if day, at, ok := parseWindow(attrs["maintenance_window"]); ok {
		in.MaintenancePolicy = &redispb.MaintenancePolicy{WeeklyMaintenanceWindow: []*redispb.WeeklyMaintenanceWindow{{Day: day, StartTime: at}}}
	} else {
		in.MaintenancePolicy = &redispb.MaintenancePolicy{}
	}
	return in
}
