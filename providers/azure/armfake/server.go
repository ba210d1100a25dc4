// Package armfake is an in-memory Azure Resource Manager endpoint for the
// two Redis services redisctl drives: Azure Managed Redis
// (Microsoft.Cache/redisEnterprise and its databases) and the classic Azure
// Cache for Redis (Microsoft.Cache/redis). It speaks ARM's wire protocol so
// the real azure-sdk-for-go clients can be pointed at it: long-running PUT,
// PATCH, DELETE and POST answer 201/202 with an Azure-AsyncOperation header
// and finish after a few polls; the classic cache's PATCH answers 200 with a
// non-terminal provisioningState and finishes after a few GETs; errors are
// {"error":{"code","message"}} with the service's codes; throttling is 429
// with Retry-After. It listens on 127.0.0.1 only.
package armfake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// API versions the fake accepts, per resource provider path.
const (
	ManagedAPIVersion = "2025-07-01"
	ClassicAPIVersion = "2023-04-01"
)

// Server is a running fake. Its fields may be set before the first request;
// use the methods afterwards.
type Server struct {
	// URL is the endpoint to point ARM clients at (http://127.0.0.1:port).
	URL string
	// Polls is how many status polls an operation stays in progress (default 2).
	Polls int

	srv *httptest.Server

	mu        sync.Mutex
	clusters  map[string]*Cluster // by lower-case resource ID
	databases map[string]*Database
	caches    map[string]*Cache
	ops       map[string]*operation
	nextOp    int
	faults    []*Fault
	missingRG map[string]bool
	requests  []string
	exports   []Export
	failNext  *operation
}

// New starts a fake on 127.0.0.1. Close it when done.
func New() *Server {
	s := &Server{
		Polls:     2,
		clusters:  map[string]*Cluster{},
		databases: map[string]*Database{},
		caches:    map[string]*Cache{},
		ops:       map[string]*operation{},
		missingRG: map[string]bool{},
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Fault makes matching requests fail. Method and PathContains narrow what
// matches (empty matches all); Times is how many requests it fails (0: every
// one).
type Fault struct {
	Method       string
	PathContains string
	Status       int
	Code         string
	Message      string
	// RetryAfter is sent as Retry-After (seconds, rounded up) and as
	// retry-after-ms.
	RetryAfter time.Duration
	Times      int
	hits       int
}

// Inject adds a fault.
func (s *Server) Inject(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &f)
}

// Throttle answers the next n requests with 429 TooManyRequests.
func (s *Server) Throttle(n int, retryAfter time.Duration) {
	s.Inject(Fault{Status: http.StatusTooManyRequests, Code: "TooManyRequests",
		Message: "The request is being throttled; retry after the time in the Retry-After header.", RetryAfter: retryAfter, Times: n})
}

// RemoveResourceGroup makes a resource group unknown (ResourceGroupNotFound).
func (s *Server) RemoveResourceGroup(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.missingRG[strings.ToLower(name)] = true
}

// Requests returns "METHOD path" for every request served so far.
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}

// Count returns how many requests were "METHOD path-suffix" (case-insensitive).
func (s *Server) Count(method, pathSuffix string) int {
	n := 0
	for _, r := range s.Requests() {
		m, p, _ := strings.Cut(r, " ")
		if m == method && strings.HasSuffix(strings.ToLower(p), strings.ToLower(pathSuffix)) {
			n++
		}
	}
	return n
}

// Export is one export (final snapshot) the fake received.
type Export struct {
	// ResourceID is the database or cache exported.
	ResourceID string
	// Target is the SAS URI (Managed Redis) or container URL (classic).
	Target string
	Prefix string
}

// Exports lists the exports received.
func (s *Server) Exports() []Export {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Export(nil), s.exports...)
}

// apiError is ARM's error body.
func writeError(w http.ResponseWriter, status int, code, format string, args ...any) {
	writeJSON(w, status, map[string]any{"error": map[string]any{"code": code, "message": fmt.Sprintf(format, args...)}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// route is a parsed ARM path.
type route struct {
	sub, rg        string
	kind           string // "redisEnterprise", "redis", "operationsStatus", "redisEnterpriseList"
	name, db       string
	action         string // listKeys, export, ...
	location, opID string
}

func parsePath(p string) (route, bool) {
	seg := strings.Split(strings.Trim(p, "/"), "/")
	lower := make([]string, len(seg))
	for i, x := range seg {
		lower[i] = strings.ToLower(x)
	}
	var r route
	if len(seg) < 2 || lower[0] != "subscriptions" {
		return r, false
	}
	r.sub = seg[1]
	rest, lrest := seg[2:], lower[2:]
	// /subscriptions/{sub}/providers/Microsoft.Cache/locations/{loc}/operationsStatus/{id}
	if len(rest) == 6 && lrest[0] == "providers" && lrest[1] == "microsoft.cache" && lrest[2] == "locations" && lrest[4] == "operationsstatus" {
		r.kind, r.location, r.opID = "operationsStatus", rest[3], rest[5]
		return r, true
	}
	if len(rest) < 5 || lrest[0] != "resourcegroups" || lrest[2] != "providers" || lrest[3] != "microsoft.cache" {
		return r, false
	}
	r.rg = rest[1]
	rest, lrest = rest[4:], lrest[4:]
	switch lrest[0] {
	case "redisenterprise":
		r.kind = "redisEnterprise"
		switch len(rest) {
		case 1:
			r.kind = "redisEnterpriseList"
		case 2:
			r.name = rest[1]
		case 4:
			if lrest[2] != "databases" {
				return r, false
			}
			r.name, r.db = rest[1], rest[3]
		case 5:
			if lrest[2] != "databases" {
				return r, false
			}
			r.name, r.db, r.action = rest[1], rest[3], rest[4]
		default:
			return r, false
		}
	case "redis":
		r.kind = "redis"
		switch len(rest) {
		case 2:
			r.name = rest[1]
		case 3:
			r.name, r.action = rest[1], rest[2]
		default:
			return r, false
		}
	default:
		return r, false
	}
	return r, true
}

func (s *Server) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, req.Method+" "+req.URL.Path)

	if f := s.fault(req); f != nil {
		if f.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int((f.RetryAfter+time.Second-1)/time.Second)))
			w.Header().Set("retry-after-ms", strconv.FormatInt(f.RetryAfter.Milliseconds(), 10))
		}
		writeError(w, f.Status, f.Code, "%s", f.Message)
		return
	}
	if !strings.HasPrefix(req.Header.Get("Authorization"), "Bearer ") {
		writeError(w, http.StatusUnauthorized, "AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.")
		return
	}
	r, ok := parsePath(req.URL.Path)
	if !ok {
		writeError(w, http.StatusNotFound, "InvalidResourceType", "The resource type could not be found for path %s.", req.URL.Path)
		return
	}
	if r.kind == "operationsStatus" {
		s.serveOperation(w, r)
		return
	}
	want := ManagedAPIVersion
	if r.kind == "redis" {
		want = ClassicAPIVersion
	}
	if v := req.URL.Query().Get("api-version"); v != want {
		writeError(w, http.StatusBadRequest, "InvalidApiVersionParameter", "The api-version '%s' is invalid. The supported versions are '%s'.", v, want)
		return
	}
	if s.missingRG[strings.ToLower(r.rg)] {
		writeError(w, http.StatusNotFound, "ResourceGroupNotFound", "Resource group '%s' could not be found.", r.rg)
		return
	}
	switch r.kind {
	case "redisEnterpriseList":
		s.listClusters(w, req, r)
	case "redisEnterprise":
		if r.db == "" {
			s.serveCluster(w, req, r, body)
		} else {
			s.serveDatabase(w, req, r, body)
		}
	case "redis":
		s.serveCache(w, req, r, body)
	}
}

func (s *Server) fault(req *http.Request) *Fault {
	for i, f := range s.faults {
		if f.Method != "" && f.Method != req.Method {
			continue
		}
		if f.PathContains != "" && !strings.Contains(strings.ToLower(req.URL.Path), strings.ToLower(f.PathContains)) {
			continue
		}
		f.hits++
		if f.Times > 0 && f.hits >= f.Times {
			s.faults = append(s.faults[:i], s.faults[i+1:]...)
		}
		return f
	}
	return nil
}

// operation is an asynchronous operation in progress.
type operation struct {
	id, location string
	remaining    int
	status       string // InProgress, Succeeded, Failed
	started      time.Time
	ended        time.Time
	done         func() // applies the operation's effect
	failed       func() // marks the resource failed, when the operation fails
	errCode      string
	errMessage   string
}

// startOp registers an operation and sets the Azure-AsyncOperation header.
func (s *Server) startOp(w http.ResponseWriter, req *http.Request, sub, location string, done func()) *operation {
	s.nextOp++
	op := &operation{
		id: fmt.Sprintf("op-%06d", s.nextOp), location: normLocation(location),
		remaining: s.Polls, status: "InProgress", started: time.Now().UTC(), done: done,
	}
	if s.failNext != nil {
		op.errCode, op.errMessage = s.failNext.errCode, s.failNext.errMessage
		s.failNext = nil
	}
	s.ops[op.id] = op
	w.Header().Set("Azure-AsyncOperation", fmt.Sprintf("%s/subscriptions/%s/providers/Microsoft.Cache/locations/%s/operationsStatus/%s?api-version=%s",
		s.URL, sub, op.location, op.id, req.URL.Query().Get("api-version")))
	if op.remaining <= 0 {
		s.finish(op)
	}
	return op
}

func (s *Server) finish(op *operation) {
	if op.status != "InProgress" {
		return
	}
	op.ended = time.Now().UTC()
	if op.errCode != "" {
		op.status = "Failed"
		if op.failed != nil {
			op.failed()
		}
		return
	}
	op.status = "Succeeded"
	if op.done != nil {
		op.done()
	}
}

// FailNextOperation makes the next asynchronous operation end Failed with
// this error instead of taking effect.
func (s *Server) FailNextOperation(code, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext = &operation{errCode: code, errMessage: message}
}

func (s *Server) serveOperation(w http.ResponseWriter, r route) {
	op, ok := s.ops[r.opID]
	if !ok {
		writeError(w, http.StatusNotFound, "ResourceNotFound", "Operation '%s' was not found.", r.opID)
		return
	}
	if op.status == "InProgress" {
		op.remaining--
		if op.remaining <= 0 {
			s.finish(op)
		}
	}
	out := map[string]any{
		"id":        fmt.Sprintf("/subscriptions/%s/providers/Microsoft.Cache/locations/%s/operationsStatus/%s", r.sub, op.location, op.id),
		"name":      op.id,
		"status":    op.status,
		"startTime": op.started.Format(time.RFC3339Nano),
	}
	if op.status != "InProgress" {
		out["endTime"] = op.ended.Format(time.RFC3339Nano)
	}
	if op.status == "Failed" {
		out["error"] = map[string]any{"code": op.errCode, "message": op.errMessage}
	}
	writeJSON(w, http.StatusOK, out)
}

func normLocation(l string) string { return strings.ToLower(strings.ReplaceAll(l, " ", "")) }

func resourceID(sub, rg, provider, name string) string {
	return fmt.Sprintf("/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Cache/%s/%s", sub, rg, provider, name)
}

func key(id string) string { return strings.ToLower(id) }

func sortedTags(m map[string]string) map[string]any {
	out := map[string]any{}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		out[k] = m[k]
	}
	return out
}

func decodeBody(w http.ResponseWriter, body []byte, v any) bool {
	if err := json.Unmarshal(body, v); err != nil {
		writeError(w, http.StatusBadRequest, "InvalidRequestContent", "The request content was invalid and could not be deserialized: %v", err)
		return false
	}
	return true
}

// FinishOperations makes every operation in progress finish at its next poll.
func (s *Server) FinishOperations() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, op := range s.ops {
		if op.status == "InProgress" {
			op.remaining = 1
		}
	}
	for _, c := range s.caches {
		if c.pendingGets > 1 {
			c.pendingGets = 1
		}
	}
}

// SetPolls changes how many polls new operations take.
func (s *Server) SetPolls(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Polls = n
}
