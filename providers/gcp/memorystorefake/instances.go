package memorystorefake

import (
	"context"
	"regexp"
	"strings"

	"cloud.google.com/go/longrunning/autogen/longrunningpb"
	redispb "cloud.google.com/go/redis/apiv1/redispb"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

var instanceIDPattern = regexp.MustCompile(`^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$`)

// versionRank orders the Redis versions the service offers.
var versionRank = map[string]int{"REDIS_3_2": 1, "REDIS_4_0": 2, "REDIS_5_0": 3, "REDIS_6_X": 4, "REDIS_7_0": 5, "REDIS_7_2": 6}

const defaultRedisVersion = "REDIS_7_2"

type instanceService struct {
	redispb.UnimplementedCloudRedisServer
	s *Server
}

// checkInstance applies the service's rules to an instance as it would be
// after a create or an update.
func checkInstance(in *redispb.Instance) error {
	if in.MemorySizeGb < 1 || in.MemorySizeGb > 300 {
		return invalid("instance.memory_size_gb", "memory_size_gb must be between 1 and 300 GB, got %d", in.MemorySizeGb)
	}
	if _, ok := versionRank[in.RedisVersion]; !ok {
		return invalid("instance.redis_version", "unsupported redis_version %q", in.RedisVersion)
	}
	for k := range in.RedisConfigs {
		switch k {
		case "maxmemory-policy", "notify-keyspace-events", "activedefrag", "lfu-decay-time", "lfu-log-factor", "maxmemory-gb", "stream-node-max-bytes", "stream-node-max-entries":
		default:
			return invalid("instance.redis_configs", "redis config %q is not supported", k)
		}
	}
	if pc := in.PersistenceConfig; pc != nil && pc.PersistenceMode == redispb.PersistenceConfig_RDB && pc.RdbSnapshotPeriod == redispb.PersistenceConfig_SNAPSHOT_PERIOD_UNSPECIFIED {
		pc.RdbSnapshotPeriod = redispb.PersistenceConfig_TWENTY_FOUR_HOURS
	}
	switch in.Tier {
	case redispb.Instance_BASIC:
		if in.ReplicaCount != 0 {
			return invalid("instance.replica_count", "replica_count must be 0 for BASIC tier instances")
		}
		if in.ReadReplicasMode == redispb.Instance_READ_REPLICAS_ENABLED {
			return invalid("instance.read_replicas_mode", "read replicas are only available on STANDARD_HA tier instances")
		}
		if in.AlternativeLocationId != "" {
			return invalid("instance.alternative_location_id", "alternative_location_id is only applicable to STANDARD_HA tier instances")
		}
	case redispb.Instance_STANDARD_HA:
		if in.ReadReplicasMode == redispb.Instance_READ_REPLICAS_ENABLED {
			if in.ReplicaCount == 0 {
				in.ReplicaCount = 2
			}
			if in.ReplicaCount < 1 || in.ReplicaCount > 5 {
				return invalid("instance.replica_count", "replica_count must be between 1 and 5 with read replicas enabled, got %d", in.ReplicaCount)
			}
			if in.MemorySizeGb < 5 {
				return invalid("instance.memory_size_gb", "read replicas require memory_size_gb of at least 5 GB, got %d", in.MemorySizeGb)
			}
			if versionRank[in.RedisVersion] < versionRank["REDIS_5_0"] {
				return invalid("instance.redis_version", "read replicas require Redis 5.0 or later")
			}
		} else {
			if in.ReplicaCount == 0 {
				in.ReplicaCount = 1
			}
			if in.ReplicaCount != 1 {
				return invalid("instance.replica_count", "replica_count must be 1 when read replicas are disabled, got %d", in.ReplicaCount)
			}
		}
	default:
		return invalid("instance.tier", "tier must be BASIC or STANDARD_HA")
	}
	return nil
}

// fillInstance sets what the service chooses when a caller leaves it out.
func (s *Server) fillInstance(in *redispb.Instance) {
	project := strings.Split(in.Name, "/")[1]
	region := strings.Split(in.Name, "/")[3]
	if in.RedisVersion == "" {
		in.RedisVersion = defaultRedisVersion
	}
	if in.AuthorizedNetwork == "" {
		in.AuthorizedNetwork = "projects/" + project + "/global/networks/default"
	}
	if in.ConnectMode == redispb.Instance_CONNECT_MODE_UNSPECIFIED {
		in.ConnectMode = redispb.Instance_DIRECT_PEERING
	}
	if in.TransitEncryptionMode == redispb.Instance_TRANSIT_ENCRYPTION_MODE_UNSPECIFIED {
		in.TransitEncryptionMode = redispb.Instance_DISABLED
	}
	if in.ReadReplicasMode == redispb.Instance_READ_REPLICAS_MODE_UNSPECIFIED {
		in.ReadReplicasMode = redispb.Instance_READ_REPLICAS_DISABLED
	}
	if in.LocationId == "" {
		in.LocationId = region + "-a"
	}
	if in.Tier == redispb.Instance_STANDARD_HA && in.AlternativeLocationId == "" {
		in.AlternativeLocationId = region + "-b"
	}
	if in.PersistenceConfig == nil {
		in.PersistenceConfig = &redispb.PersistenceConfig{PersistenceMode: redispb.PersistenceConfig_DISABLED}
	}
	if in.Host == "" && in.State == redispb.Instance_READY {
		s.network(in)
	}
}

// network gives a ready instance its endpoints and nodes.
func (s *Server) network(in *redispb.Instance) {
	if in.Host == "" {
		in.Host = s.nextIP()
	}
	in.Port = 6379
	if in.TransitEncryptionMode == redispb.Instance_SERVER_AUTHENTICATION {
		in.Port = 6378
	}
	in.CurrentLocationId = in.LocationId
	in.Nodes = []*redispb.NodeInfo{{Id: "node-0", Zone: in.LocationId}}
	for i := int32(0); i < in.ReplicaCount; i++ {
		zone := in.AlternativeLocationId
		if i > 0 {
			zone = in.LocationId
		}
		in.Nodes = append(in.Nodes, &redispb.NodeInfo{Id: "node-" + string(rune('1'+i)), Zone: zone})
	}
	in.ReadEndpoint, in.ReadEndpointPort = "", 0
	if in.ReadReplicasMode == redispb.Instance_READ_REPLICAS_ENABLED {
		in.ReadEndpoint = s.nextIP()
		in.ReadEndpointPort = in.Port
	}
}

func (i *instanceService) ListInstances(_ context.Context, req *redispb.ListInstancesRequest) (*redispb.ListInstancesResponse, error) {
	project, location, err := parseParent(req.GetParent())
	if err != nil {
		return nil, err
	}
	s := i.s
	s.mu.Lock()
	defer s.mu.Unlock()
	resp := &redispb.ListInstancesResponse{}
	for name, in := range s.instances {
		if inLocation(name, project, location) {
			resp.Instances = append(resp.Instances, proto.Clone(in).(*redispb.Instance))
		}
	}
	return resp, nil
}

func (i *instanceService) GetInstance(_ context.Context, req *redispb.GetInstanceRequest) (*redispb.Instance, error) {
	s := i.s
	s.mu.Lock()
	defer s.mu.Unlock()
	in, err := s.instance(req.GetName())
	if err != nil {
		return nil, err
	}
	return proto.Clone(in).(*redispb.Instance), nil
}

func (i *instanceService) GetInstanceAuthString(_ context.Context, req *redispb.GetInstanceAuthStringRequest) (*redispb.InstanceAuthString, error) {
	s := i.s
	s.mu.Lock()
	defer s.mu.Unlock()
	in, err := s.instance(req.GetName())
	if err != nil {
		return nil, err
	}
	if !in.AuthEnabled {
		return &redispb.InstanceAuthString{}, nil
	}
	return &redispb.InstanceAuthString{AuthString: s.authStrings[req.GetName()]}, nil
}

func (i *instanceService) CreateInstance(_ context.Context, req *redispb.CreateInstanceRequest) (*longrunningpb.Operation, error) {
	if _, _, err := parseParent(req.GetParent()); err != nil {
		return nil, err
	}
	if !instanceIDPattern.MatchString(req.GetInstanceId()) {
		return nil, invalid("instance_id", "instance_id must be 1 to 40 lowercase letters, digits or hyphens, starting with a letter and not ending with a hyphen, got %q", req.GetInstanceId())
	}
	if req.GetInstance() == nil {
		return nil, invalid("instance", "instance is required")
	}
	name := req.GetParent() + "/instances/" + req.GetInstanceId()
	in := proto.Clone(req.GetInstance()).(*redispb.Instance)
	in.Name = name
	s := i.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, exists := s.instances[name]; exists {
		return nil, alreadyExists(name)
	}
	in.State = redispb.Instance_CREATING
	in.CreateTime = timestamppb.Now()
	s.fillInstance(in)
	if err := checkInstance(in); err != nil {
		return nil, err
	}
	s.instances[name] = in
	return s.startOp(name, "create", false, func() (proto.Message, error) {
		in.State = redispb.Instance_READY
		s.network(in)
		if in.AuthEnabled {
			s.authStrings[name] = newAuthString()
		}
		return proto.Clone(in), nil
	})
}

// updatable maps the update-mask paths the service accepts (snake or camel
// case) to how each copies the field from the request.
var updatable = map[string]func(dst, src *redispb.Instance){
	"display_name":       func(d, s *redispb.Instance) { d.DisplayName = s.DisplayName },
	"labels":             func(d, s *redispb.Instance) { d.Labels = s.Labels },
	"memory_size_gb":     func(d, s *redispb.Instance) { d.MemorySizeGb = s.MemorySizeGb },
	"redis_configs":      func(d, s *redispb.Instance) { d.RedisConfigs = s.RedisConfigs },
	"replica_count":      func(d, s *redispb.Instance) { d.ReplicaCount = s.ReplicaCount },
	"read_replicas_mode": func(d, s *redispb.Instance) { d.ReadReplicasMode = s.ReadReplicasMode },
	"secondary_ip_range": func(d, s *redispb.Instance) { d.SecondaryIpRange = s.SecondaryIpRange },
	"persistence_config": func(d, s *redispb.Instance) { d.PersistenceConfig = s.PersistenceConfig },
	"maintenance_policy": func(d, s *redispb.Instance) { d.MaintenancePolicy = s.MaintenancePolicy },
	"auth_enabled":       func(d, s *redispb.Instance) { d.AuthEnabled = s.AuthEnabled },
}

var camel = regexp.MustCompile(`[A-Z]`)

func snake(path string) string {
	if path == "redisConfig" {
		return "redis_configs"
	}
	return camel.ReplaceAllStringFunc(path, func(m string) string { return "_" + strings.ToLower(m) })
}

func (i *instanceService) UpdateInstance(_ context.Context, req *redispb.UpdateInstanceRequest) (*longrunningpb.Operation, error) {
	if req.GetInstance() == nil || len(req.GetUpdateMask().GetPaths()) == 0 {
		return nil, invalid("update_mask", "update_mask must name at least one field")
	}
	name := req.GetInstance().GetName()
	s := i.s
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, err := s.readyInstance(name)
	if err != nil {
		return nil, err
	}
	next := proto.Clone(cur).(*redispb.Instance)
	for _, p := range req.GetUpdateMask().GetPaths() {
		set, ok := updatable[snake(p)]
		if !ok {
			return nil, invalid("update_mask", "field %q cannot be updated; create a new instance to change it", p)
		}
		set(next, req.GetInstance())
	}
	if cur.ReadReplicasMode == redispb.Instance_READ_REPLICAS_ENABLED && next.ReadReplicasMode != redispb.Instance_READ_REPLICAS_ENABLED {
		return nil, invalid("instance.read_replicas_mode", "read replicas cannot be disabled once enabled")
	}
	if cur.ReadReplicasMode != redispb.Instance_READ_REPLICAS_ENABLED && next.ReadReplicasMode == redispb.Instance_READ_REPLICAS_ENABLED && next.SecondaryIpRange == "" {
		return nil, invalid("instance.secondary_ip_range", "secondary_ip_range is required to enable read replicas on an existing instance (use \"auto\")")
	}
	if err := checkInstance(next); err != nil {
		return nil, err
	}
	cur.State = redispb.Instance_UPDATING
	return s.startOp(name, "update", false, func() (proto.Message, error) {
		wasAuth := cur.AuthEnabled
		host := cur.Host
		next.State = redispb.Instance_READY
		next.Host = host
		s.network(next)
		s.instances[name] = next
		switch {
		case next.AuthEnabled && !wasAuth:
			s.authStrings[name] = newAuthString()
		case !next.AuthEnabled:
			delete(s.authStrings, name)
		}
		return proto.Clone(next), nil
	})
}

func (i *instanceService) UpgradeInstance(_ context.Context, req *redispb.UpgradeInstanceRequest) (*longrunningpb.Operation, error) {
	s := i.s
	s.mu.Lock()
	defer s.mu.Unlock()
	in, err := s.readyInstance(req.GetName())
	if err != nil {
		return nil, err
	}
	want, ok := versionRank[req.GetRedisVersion()]
	switch {
	case !ok:
		return nil, invalid("redis_version", "unsupported redis_version %q", req.GetRedisVersion())
	case want <= versionRank[in.RedisVersion]:
		return nil, invalid("redis_version", "cannot upgrade from %s to %s: only upgrades to a newer version are supported", in.RedisVersion, req.GetRedisVersion())
	}
	in.State = redispb.Instance_UPDATING
	return s.startOp(req.GetName(), "upgrade", false, func() (proto.Message, error) {
		in.RedisVersion = req.GetRedisVersion()
		in.State = redispb.Instance_READY
		return proto.Clone(in), nil
	})
}

func (i *instanceService) ExportInstance(_ context.Context, req *redispb.ExportInstanceRequest) (*longrunningpb.Operation, error) {
	uri := req.GetOutputConfig().GetGcsDestination().GetUri()
	if !strings.HasPrefix(uri, "gs://") {
		return nil, invalid("output_config.gcs_destination.uri", "uri must be a Cloud Storage object (gs://BUCKET/OBJECT), got %q", uri)
	}
	s := i.s
	s.mu.Lock()
	defer s.mu.Unlock()
	in, err := s.readyInstance(req.GetName())
	if err != nil {
		return nil, err
	}
	return s.startOp(req.GetName(), "export", false, func() (proto.Message, error) {
		s.exports = append(s.exports, Export{Instance: req.GetName(), URI: uri})
		return proto.Clone(in), nil
	})
}

func (i *instanceService) DeleteInstance(_ context.Context, req *redispb.DeleteInstanceRequest) (*longrunningpb.Operation, error) {
	s := i.s
	s.mu.Lock()
	defer s.mu.Unlock()
	in, err := s.instance(req.GetName())
	if err != nil {
		return nil, err
	}
	switch in.State {
	case redispb.Instance_CREATING, redispb.Instance_DELETING:
		return nil, busy(req.GetName(), in.State.String())
	}
	in.State = redispb.Instance_DELETING
	return s.startOp(req.GetName(), "delete", false, func() (proto.Message, error) {
		delete(s.instances, req.GetName())
		delete(s.authStrings, req.GetName())
		return nil, nil
	})
}

// instance is the named instance, or NotFound. The caller holds s.mu.
func (s *Server) instance(name string) (*redispb.Instance, error) {
	in, ok := s.instances[name]
	if !ok {
		return nil, notFound(name)
	}
	return in, nil
}

// readyInstance is the named instance if it can start an operation: NotFound
// or FailedPrecondition otherwise. The caller holds s.mu.
func (s *Server) readyInstance(name string) (*redispb.Instance, error) {
	in, err := s.instance(name)
	if err == nil && in.State != redispb.Instance_READY {
		return nil, busy(name, in.State.String())
	}
	return in, err
}
