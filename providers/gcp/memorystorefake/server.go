// Package memorystorefake is an in-process fake of Google Cloud Memorystore's
// gRPC API for tests: the CloudRedis service (Memorystore for Redis
// instances), the CloudRedisCluster service (Memorystore for Redis Cluster)
// and google.longrunning.Operations, on 127.0.0.1. Mutations return
// long-running operations that finish after a few GetOperation polls, the way
// the real service moves an instance from CREATING to READY. Faults
// (throttling, server errors, quota and validation errors) are injected per
// method with the service's status codes and error details.
package memorystorefake

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"

	"cloud.google.com/go/longrunning/autogen/longrunningpb"
	redispb "cloud.google.com/go/redis/apiv1/redispb"
	clusterpb "cloud.google.com/go/redis/cluster/apiv1/clusterpb"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// DefaultOpPolls is how many GetOperation calls an operation takes to finish.
const DefaultOpPolls = 2

// Server is the fake. Its zero value is not usable: call Start.
type Server struct {
	mu          sync.Mutex
	instances   map[string]*redispb.Instance
	authStrings map[string]string
	clusters    map[string]*clusterpb.Cluster
	backups     []*clusterpb.Backup
	exports     []Export
	ops         map[string]*operation
	opSeq       int
	ipSeq       int
	faults      []*fault
	calls       map[string]int
	opPolls     int
	failNextOp  error
	hook        func(method string)

	lis  net.Listener
	grpc *grpc.Server
}

// Export is an RDB export of an instance to Cloud Storage.
type Export struct {
	Instance string
	URI      string
}

type fault struct {
	method string
	left   int
	err    error
}

// Start runs a fake on 127.0.0.1 and stops it when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s, err := Listen()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// Listen runs a fake on a free port of 127.0.0.1; Close stops it.
func Listen() (*Server, error) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{
		instances:   map[string]*redispb.Instance{},
		authStrings: map[string]string{},
		clusters:    map[string]*clusterpb.Cluster{},
		ops:         map[string]*operation{},
		calls:       map[string]int{},
		opPolls:     DefaultOpPolls,
		lis:         lis,
	}
	s.grpc = grpc.NewServer(grpc.UnaryInterceptor(s.intercept))
	redispb.RegisterCloudRedisServer(s.grpc, &instanceService{s: s})
	clusterpb.RegisterCloudRedisClusterServer(s.grpc, &clusterService{s: s})
	longrunningpb.RegisterOperationsServer(s.grpc, &operationService{s: s})
	go s.grpc.Serve(lis)
	return s, nil
}

// Addr is the host:port clients dial.
func (s *Server) Addr() string { return s.lis.Addr().String() }

// Close stops the server and drops its connections.
func (s *Server) Close() { s.grpc.Stop() }

// SetOpPolls sets how many GetOperation calls each new operation takes.
func (s *Server) SetOpPolls(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opPolls = max(n, 1)
}

// OnCall registers a function called (outside the lock) before every RPC
// with the method's short name ("CreateInstance", "GetOperation").
func (s *Server) OnCall(fn func(method string)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hook = fn
}

// Fail makes the next times calls of method return err instead of running.
func (s *Server) Fail(method string, times int, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &fault{method: method, left: times, err: err})
}

// Calls counts the RPCs made to method so far (failed ones included).
func (s *Server) Calls(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[method]
}

func (s *Server) intercept(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
	method := info.FullMethod[strings.LastIndex(info.FullMethod, "/")+1:]
	s.mu.Lock()
	s.calls[method]++
	hook := s.hook
	var injected error
	for _, f := range s.faults {
		if f.method == method && f.left > 0 {
			f.left--
			injected = f.err
			break
		}
	}
	s.mu.Unlock()
	if hook != nil {
		hook(method)
	}
	if injected != nil {
		return nil, injected
	}
	return h(ctx, req)
}

// Instances returns copies of every instance, in no particular order.
func (s *Server) Instances() []*redispb.Instance {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*redispb.Instance
	for _, in := range s.instances {
		out = append(out, proto.Clone(in).(*redispb.Instance))
	}
	return out
}

// Instance returns a copy of the named instance (full resource name), or nil.
func (s *Server) Instance(name string) *redispb.Instance {
	s.mu.Lock()
	defer s.mu.Unlock()
	if in, ok := s.instances[name]; ok {
		return proto.Clone(in).(*redispb.Instance)
	}
	return nil
}

// PutInstance stores an instance as it is (READY unless its state says
// otherwise), for tests that start from a cache made outside redisctl.
func (s *Server) PutInstance(in *redispb.Instance) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in = proto.Clone(in).(*redispb.Instance)
	if in.State == redispb.Instance_STATE_UNSPECIFIED {
		in.State = redispb.Instance_READY
	}
	s.fillInstance(in)
	s.instances[in.Name] = in
	if in.AuthEnabled {
		s.authStrings[in.Name] = newAuthString()
	}
}

// ModifyInstance changes an instance outside the API (drift).
func (s *Server) ModifyInstance(name string, fn func(*redispb.Instance)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if in, ok := s.instances[name]; ok {
		fn(in)
	}
}

// RemoveInstance deletes an instance outside the API.
func (s *Server) RemoveInstance(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.instances, name)
	delete(s.authStrings, name)
}

// RotateAuthString gives an instance a new AUTH string (as disabling and
// enabling AUTH outside redisctl would).
func (s *Server) RotateAuthString(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.authStrings[name] = newAuthString()
}

// AuthString is the instance's current AUTH string ("" when AUTH is off).
func (s *Server) AuthString(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.authStrings[name]
}

// Clusters returns copies of every cluster.
func (s *Server) Clusters() []*clusterpb.Cluster {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*clusterpb.Cluster
	for _, c := range s.clusters {
		out = append(out, proto.Clone(c).(*clusterpb.Cluster))
	}
	return out
}

// Cluster returns a copy of the named cluster, or nil.
func (s *Server) Cluster(name string) *clusterpb.Cluster {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.clusters[name]; ok {
		return proto.Clone(c).(*clusterpb.Cluster)
	}
	return nil
}

// PutCluster stores a cluster as it is (ACTIVE unless its state says
// otherwise), for tests that start from a cluster made outside redisctl.
func (s *Server) PutCluster(c *clusterpb.Cluster) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c = proto.Clone(c).(*clusterpb.Cluster)
	if c.State == clusterpb.Cluster_STATE_UNSPECIFIED {
		c.State = clusterpb.Cluster_ACTIVE
	}
	if c.Uid == "" {
		c.Uid = newAuthString()
	}
	s.fillCluster(c)
	if len(c.DiscoveryEndpoints) == 0 && len(c.PscConfigs) > 0 {
		c.DiscoveryEndpoints = []*clusterpb.DiscoveryEndpoint{{Address: s.nextIP(), Port: 6379, PscConfig: &clusterpb.PscConfig{Network: c.PscConfigs[0].Network}}}
	}
	s.clusters[c.Name] = c
}

// ModifyCluster changes a cluster outside the API (drift).
func (s *Server) ModifyCluster(name string, fn func(*clusterpb.Cluster)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.clusters[name]; ok {
		fn(c)
	}
}

// Backups lists the cluster backups taken so far.
func (s *Server) Backups() []*clusterpb.Backup {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*clusterpb.Backup
	for _, b := range s.backups {
		out = append(out, proto.Clone(b).(*clusterpb.Backup))
	}
	return out
}

// Exports lists the instance exports made so far.
func (s *Server) Exports() []Export {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Export(nil), s.exports...)
}

// nextIP hands out private addresses the way a reserved range would.
func (s *Server) nextIP() string {
	s.ipSeq++
	return fmt.Sprintf("10.%d.%d.%d", 10+s.ipSeq/65536%200, s.ipSeq/256%256, s.ipSeq%256)
}

func notFound(name string) error {
	return status.Errorf(codes.NotFound, "Resource '%s' was not found", name)
}

func alreadyExists(name string) error {
	return status.Errorf(codes.AlreadyExists, "Resource '%s' already exists", name)
}

func busy(name, state string) error {
	return status.Errorf(codes.FailedPrecondition, "The resource '%s' is in state %s and cannot be modified until the operation in progress finishes", name, state)
}

// parent splits "projects/P/locations/L" and checks its shape.
func parseParent(parent string) (project, location string, err error) {
	parts := strings.Split(parent, "/")
	if len(parts) != 4 || parts[0] != "projects" || parts[2] != "locations" || parts[1] == "" || parts[3] == "" {
		return "", "", invalid("parent", "must be projects/{project}/locations/{location}, got %q", parent)
	}
	return parts[1], parts[3], nil
}

// parentOf returns "projects/P/locations/L" of a resource name.
func parentOf(name string) string {
	parts := strings.Split(name, "/")
	if len(parts) < 4 {
		return ""
	}
	return strings.Join(parts[:4], "/")
}

// inLocation reports whether a resource name lies in the project and
// location ("-": any) of a List request.
func inLocation(name, project, location string) bool {
	parts := strings.Split(name, "/")
	return parts[1] == project && (location == "-" || parts[3] == location)
}
