package memorystorefake

import (
	"context"
	"fmt"
	"strings"

	"cloud.google.com/go/longrunning/autogen/longrunningpb"
	redispb "cloud.google.com/go/redis/apiv1/redispb"
	clusterpb "cloud.google.com/go/redis/cluster/apiv1/clusterpb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// operation is a long-running operation that finishes after polls
// GetOperation calls; finish (run under the server lock) makes its change
// and returns the response.
type operation struct {
	proto  *longrunningpb.Operation
	polls  int
	finish func() (proto.Message, error)
}

// startOp records an operation on target. cluster selects the metadata type
// of the Redis Cluster API.
func (s *Server) startOp(target, verb string, cluster bool, finish func() (proto.Message, error)) (*longrunningpb.Operation, error) {
	s.opSeq++
	name := fmt.Sprintf("%s/operations/operation-%d-%s", parentOf(target), s.opSeq, newAuthString()[:8])
	var md proto.Message
	if cluster {
		md = &clusterpb.OperationMetadata{CreateTime: timestamppb.Now(), Target: target, Verb: verb, ApiVersion: "v1"}
	} else {
		md = &redispb.OperationMetadata{CreateTime: timestamppb.Now(), Target: target, Verb: verb, ApiVersion: "v1"}
	}
	anyMD, err := anypb.New(md)
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	if err := s.failNextOp; err != nil {
		s.failNextOp = nil
		finish = func() (proto.Message, error) {
			if verb == "create" {
				delete(s.instances, target)
				delete(s.clusters, target)
			} else if in, ok := s.instances[target]; ok {
				in.State = redispb.Instance_READY
			} else if cl, ok := s.clusters[target]; ok {
				cl.State = clusterpb.Cluster_ACTIVE
			}
			return nil, err
		}
	}
	op := &operation{proto: &longrunningpb.Operation{Name: name, Metadata: anyMD}, polls: s.opPolls, finish: finish}
	s.ops[name] = op
	return proto.Clone(op.proto).(*longrunningpb.Operation), nil
}

// poll advances an operation by one GetOperation call.
func (s *Server) poll(op *operation) {
	if op.proto.Done {
		return
	}
	if op.polls--; op.polls > 0 {
		return
	}
	op.proto.Done = true
	resp, err := op.finish()
	if err != nil {
		st, _ := status.FromError(err)
		op.proto.Result = &longrunningpb.Operation_Error{Error: st.Proto()}
		return
	}
	if resp == nil {
		resp = &emptypb.Empty{}
	}
	a, aerr := anypb.New(resp)
	if aerr != nil {
		st := status.New(codes.Internal, aerr.Error())
		op.proto.Result = &longrunningpb.Operation_Error{Error: st.Proto()}
		return
	}
	op.proto.Result = &longrunningpb.Operation_Response{Response: a}
}

// FailNextOperation makes the next operation started finish with err
// instead of its change (a failed create leaves nothing behind).
func (s *Server) FailNextOperation(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNextOp = err
}

// ForgetOperations finishes every running operation and forgets them all,
// as the service does a few hours after they end: GetOperation then
// answers NOT_FOUND.
func (s *Server) ForgetOperations() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for name, op := range s.ops {
		for !op.proto.Done {
			s.poll(op)
		}
		delete(s.ops, name)
	}
}

// Operations lists the names of every operation started so far.
func (s *Server) Operations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for n := range s.ops {
		out = append(out, n)
	}
	return out
}

type operationService struct {
	longrunningpb.UnimplementedOperationsServer
	s *Server
}

func (o *operationService) GetOperation(_ context.Context, req *longrunningpb.GetOperationRequest) (*longrunningpb.Operation, error) {
	s := o.s
	s.mu.Lock()
	defer s.mu.Unlock()
	op, ok := s.ops[req.GetName()]
	if !ok {
		return nil, status.Errorf(codes.NotFound, "Operation '%s' was not found", req.GetName())
	}
	s.poll(op)
	return proto.Clone(op.proto).(*longrunningpb.Operation), nil
}

func (o *operationService) ListOperations(_ context.Context, req *longrunningpb.ListOperationsRequest) (*longrunningpb.ListOperationsResponse, error) {
	s := o.s
	s.mu.Lock()
	defer s.mu.Unlock()
	resp := &longrunningpb.ListOperationsResponse{}
	for name, op := range s.ops {
		if strings.HasPrefix(name, req.GetName()+"/") {
			resp.Operations = append(resp.Operations, proto.Clone(op.proto).(*longrunningpb.Operation))
		}
	}
	return resp, nil
}

func (o *operationService) DeleteOperation(_ context.Context, req *longrunningpb.DeleteOperationRequest) (*emptypb.Empty, error) {
	s := o.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.ops[req.GetName()]; !ok {
		return nil, status.Errorf(codes.NotFound, "Operation '%s' was not found", req.GetName())
	}
	delete(s.ops, req.GetName())
	return &emptypb.Empty{}, nil
}
