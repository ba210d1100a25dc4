package memorystorefake

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/protoadapt"
)

// withDetails attaches error details to a status.
func withDetails(st *status.Status, details ...protoadapt.MessageV1) error {
	if d, err := st.WithDetails(details...); err == nil {
		return d.Err()
	}
	return st.Err()
}

// invalid is the service's INVALID_ARGUMENT, naming the field at fault.
func invalid(field, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	return withDetails(status.New(codes.InvalidArgument, msg),
		&errdetails.BadRequest{FieldViolations: []*errdetails.BadRequest_FieldViolation{{Field: field, Description: msg}}})
}

// RateLimited is the error a caller over its per-minute request quota gets:
// RESOURCE_EXHAUSTED with reason RATE_LIMIT_EXCEEDED.
func RateLimited() error {
	return withDetails(status.New(codes.ResourceExhausted,
		"Quota exceeded for quota metric 'Mutate requests' and limit 'Mutate requests per minute' of service 'redis.googleapis.com'"),
		&errdetails.ErrorInfo{Reason: "RATE_LIMIT_EXCEEDED", Domain: "googleapis.com", Metadata: map[string]string{"service": "redis.googleapis.com", "quota_limit": "MutateRequestsPerMinutePerProject"}})
}

// QuotaExceeded is a regional capacity quota error, which waiting does not fix.
func QuotaExceeded() error {
	return withDetails(status.New(codes.ResourceExhausted,
		"Quota limit 'RedisTotalGbPerRegion' has been exceeded. Limit: 300 in region us-central1."),
		&errdetails.QuotaFailure{Violations: []*errdetails.QuotaFailure_Violation{{Subject: "projects/demo", Description: "RedisTotalGbPerRegion"}}})
}

// Unavailable is a transient server-side failure.
func Unavailable() error {
	return status.Error(codes.Unavailable, "The service is currently unavailable.")
}

// Internal is a server error.
func Internal() error {
	return status.Error(codes.Internal, "Internal error encountered.")
}

// Invalid is an INVALID_ARGUMENT naming field, for injection.
func Invalid(field, msg string) error { return invalid(field, "%s", msg) }

func newAuthString() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}
