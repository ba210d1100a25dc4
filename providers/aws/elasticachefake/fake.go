// Package elasticachefake is an in-memory Amazon ElastiCache that speaks the
// service's wire protocol (the AWS query protocol: form-encoded POSTs with
// Action and Version=2015-02-02, XML results and XML errors) on 127.0.0.1,
// so the provider is tested through the real aws-sdk-go-v2 client: its
// request signing, serialization, response parsing, retries and waiters.
//
// It models what redisctl relies on: replication groups that take a few
// polls to move from creating/modifying/deleting to their next state, cache
// parameter groups, cache subnet groups, tags, final snapshots, the
// service's validation rules and error codes, and injected faults
// (throttling, server errors).
package elasticachefake

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// APIVersion is the only ElastiCache API version the fake answers.
const APIVersion = "2015-02-02"

const xmlns = "http://elasticache.amazonaws.com/doc/2015-02-02/"

// Account is the AWS account ID in the ARNs the fake makes.
const Account = "123456789012"

// Server is a fake ElastiCache endpoint. Its zero value is not usable; call New.
type Server struct {
	*httptest.Server

	// Polls is how many DescribeReplicationGroups answers a group spends in
	// a transitional state (creating, modifying, deleting) before it moves on.
	Polls int
	// NodeQuota is the most nodes one replication group may have (the
	// service's default quota is 90).
	NodeQuota int
	// AccessKey, when set, is the only access key ID the fake accepts.
	AccessKey string

	mu        sync.Mutex
	groups    map[string]*ReplicationGroup
	params    map[string]*ParameterGroup
	subnets   map[string]*SubnetGroup
	snapshots map[string]*Snapshot
	tags      map[string]map[string]string // by ARN
	faults    []*Fault
	requests  []Request
	nextID    atomic.Int64
}

// Request is one API call the fake answered (or refused).
type Request struct {
	Action string
	Params url.Values
	// Code is the error code returned ("" on success).
	Code string
}

// Fault makes the next Times calls of Action (every action when empty)
// fail with Code and HTTP Status.
type Fault struct {
	Action  string
	Code    string
	Message string
	Status  int
	Times   int
}

// New starts a fake on 127.0.0.1.
func New() *Server {
	s := &Server{
		Polls:     2,
		NodeQuota: 90,
		groups:    map[string]*ReplicationGroup{},
		params:    map[string]*ParameterGroup{},
		subnets:   map[string]*SubnetGroup{},
		snapshots: map[string]*Snapshot{},
		tags:      map[string]map[string]string{},
	}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Inject queues a fault.
func (s *Server) Inject(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.Times == 0 {
		f.Times = 1
	}
	if f.Status == 0 {
		f.Status = http.StatusBadRequest
	}
	s.faults = append(s.faults, &f)
}

// Requests returns every call answered so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Actions lists the actions called so far, in order, leaving out the
// read-only Describe*/List* calls.
func (s *Server) Actions() []string {
	var out []string
	for _, r := range s.Requests() {
		if r.Code == "" && !strings.HasPrefix(r.Action, "Describe") && !strings.HasPrefix(r.Action, "List") {
			out = append(out, r.Action)
		}
	}
	return out
}

// Count returns how many successful calls of action were made.
func (s *Server) Count(action string) int {
	n := 0
	for _, r := range s.Requests() {
		if r.Action == action && r.Code == "" {
			n++
		}
	}
	return n
}

// apiError is an ElastiCache error response.
type apiError struct {
	status  int
	code    string
	message string
	sender  bool
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

func fault(code, format string, args ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, code: code, message: fmt.Sprintf(format, args...), sender: true}
}

func notFound(code, format string, args ...any) *apiError {
	e := fault(code, format, args...)
	e.status = http.StatusNotFound
	return e
}

func invalid(format string, args ...any) *apiError {
	return fault("InvalidParameterValue", format, args...)
}

func combination(format string, args ...any) *apiError {
	return fault("InvalidParameterCombination", format, args...)
}

// authHeader matches the SigV4 credential scope: access key, date, region.
var authHeader = regexp.MustCompile(`^AWS4-HMAC-SHA256 Credential=([^/]+)/\d{8}/([a-z0-9-]+)/elasticache/aws4_request`)

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	reqID := fmt.Sprintf("fake-%08d", s.nextID.Add(1))
	w.Header().Set("X-Amzn-Requestid", reqID)
	if r.Method != http.MethodPost {
		writeError(w, reqID, &apiError{status: http.StatusMethodNotAllowed, code: "InvalidAction", message: "the query API takes POST", sender: true})
		return
	}
	if err := r.ParseForm(); err != nil {
		writeError(w, reqID, invalid("malformed form body: %v", err))
		return
	}
	form := r.PostForm
	action := form.Get("Action")
	m := authHeader.FindStringSubmatch(r.Header.Get("Authorization"))
	var apiErr *apiError
	var region string
	switch {
	case m == nil:
		apiErr = &apiError{status: http.StatusForbidden, code: "MissingAuthenticationToken", message: "Request is missing Authentication Token", sender: true}
	case s.AccessKey != "" && m[1] != s.AccessKey:
		apiErr = &apiError{status: http.StatusForbidden, code: "InvalidClientTokenId", message: "The security token included in the request is invalid.", sender: true}
	case form.Get("Version") != APIVersion:
		apiErr = invalid("Version %q is not supported; use %s", form.Get("Version"), APIVersion)
	default:
		region = m[2]
	}
	var body []byte
	if apiErr == nil {
		body, apiErr = s.call(action, region, form)
	}
	s.mu.Lock()
	code := ""
	if apiErr != nil {
		code = apiErr.code
	}
	s.requests = append(s.requests, Request{Action: action, Params: form, Code: code})
	s.mu.Unlock()
	if apiErr != nil {
		writeError(w, reqID, apiErr)
		return
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, `<%sResponse xmlns="%s">`, action, xmlns)
	b.Write(body)
	fmt.Fprintf(&b, `<ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata></%sResponse>`, reqID, action)
	w.Header().Set("Content-Type", "text/xml")
	_, _ = w.Write(b.Bytes())
}

func writeError(w http.ResponseWriter, reqID string, e *apiError) {
	typ := "Receiver"
	if e.sender {
		typ = "Sender"
	}
	var msg bytes.Buffer
	_ = xml.EscapeText(&msg, []byte(e.message))
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(e.status)
	fmt.Fprintf(w, `<ErrorResponse xmlns="%s"><Error><Type>%s</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>%s</RequestId></ErrorResponse>`,
		xmlns, typ, e.code, msg.String(), reqID)
}

type handler func(s *Server, region string, p params) (any, *apiError)

var handlers = map[string]handler{
	"CreateReplicationGroup":                   (*Server).createReplicationGroup,
	"DescribeReplicationGroups":                (*Server).describeReplicationGroups,
	"ModifyReplicationGroup":                   (*Server).modifyReplicationGroup,
	"DeleteReplicationGroup":                   (*Server).deleteReplicationGroup,
	"IncreaseReplicaCount":                     (*Server).increaseReplicaCount,
	"DecreaseReplicaCount":                     (*Server).decreaseReplicaCount,
	"ModifyReplicationGroupShardConfiguration": (*Server).modifyShards,
	"DescribeCacheClusters":                    (*Server).describeCacheClusters,
	"CreateCacheParameterGroup":                (*Server).createParameterGroup,
	"DescribeCacheParameterGroups":             (*Server).describeParameterGroups,
	"ModifyCacheParameterGroup":                (*Server).modifyParameterGroup,
	"DescribeCacheParameters":                  (*Server).describeParameters,
	"DeleteCacheParameterGroup":                (*Server).deleteParameterGroup,
	"CreateCacheSubnetGroup":                   (*Server).createSubnetGroup,
	"DescribeCacheSubnetGroups":                (*Server).describeSubnetGroups,
	"ModifyCacheSubnetGroup":                   (*Server).modifySubnetGroup,
	"DeleteCacheSubnetGroup":                   (*Server).deleteSubnetGroup,
	"ListTagsForResource":                      (*Server).listTags,
	"AddTagsToResource":                        (*Server).addTags,
	"RemoveTagsFromResource":                   (*Server).removeTags,
	"DescribeSnapshots":                        (*Server).describeSnapshots,
}

// call runs one action under the lock and renders its <ActionResult> element.
func (s *Server) call(action, region string, form url.Values) ([]byte, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if f.Action == "" || f.Action == action {
			f.Times--
			if f.Times <= 0 {
				s.faults = append(s.faults[:i], s.faults[i+1:]...)
			}
			msg := f.Message
			if msg == "" {
				msg = "injected fault"
			}
			return nil, &apiError{status: f.Status, code: f.Code, message: msg, sender: f.Status < 500}
		}
	}
	h, ok := handlers[action]
	if !ok {
		return nil, &apiError{status: http.StatusBadRequest, code: "InvalidAction", message: fmt.Sprintf("action %q is not supported by the fake", action), sender: true}
	}
	out, apiErr := h(s, region, params(form))
	if apiErr != nil {
		return nil, apiErr
	}
	result := xml.StartElement{Name: xml.Name{Local: action + "Result"}}
	if out == nil {
		out = struct{}{}
	}
	var b bytes.Buffer
	enc := xml.NewEncoder(&b)
	if err := enc.EncodeElement(out, result); err != nil {
		return nil, &apiError{status: http.StatusInternalServerError, code: "InternalFailure", message: err.Error()}
	}
	return b.Bytes(), nil
}

// params reads the query protocol's flattened form.
type params url.Values

func (p params) str(key string) string { return url.Values(p).Get(key) }

func (p params) has(key string) bool {
	_, ok := p[key]
	return ok
}

// boolean reads a boolean parameter; set reports whether it was given.
func (p params) boolean(key string) (v, set bool, err *apiError) {
	raw, ok := p[key]
	if !ok {
		return false, false, nil
	}
	switch raw[0] {
	case "true":
		return true, true, nil
	case "false":
		return false, true, nil
	}
	return false, true, invalid("%s must be true or false, got %q", key, raw[0])
}

// integer reads an integer parameter; set reports whether it was given.
func (p params) integer(key string) (v int, set bool, err *apiError) {
	raw, ok := p[key]
	if !ok {
		return 0, false, nil
	}
	n, convErr := strconv.Atoi(raw[0])
	if convErr != nil {
		return 0, true, invalid("%s must be an integer, got %q", key, raw[0])
	}
	return n, true, nil
}

// list reads prefix.1, prefix.2, … (a scalar list member).
func (p params) list(prefix string) []string {
	var out []string
	for i := 1; ; i++ {
		v, ok := p[prefix+"."+strconv.Itoa(i)]
		if !ok {
			return out
		}
		out = append(out, v[0])
	}
}

// structs reads prefix.1.Field, prefix.2.Field, … into one sub-form each.
func (p params) structs(prefix string) []params {
	var out []params
	for i := 1; ; i++ {
		pre := prefix + "." + strconv.Itoa(i) + "."
		sub := params{}
		for k, v := range p {
			if strings.HasPrefix(k, pre) {
				sub[strings.TrimPrefix(k, pre)] = v
			}
		}
		if len(sub) == 0 {
			return out
		}
		out = append(out, sub)
	}
}

// tagList reads Tags.Tag.N.Key/Value.
func (p params) tagList() (map[string]string, *apiError) {
	out := map[string]string{}
	for _, t := range p.structs("Tags.Tag") {
		k := t.str("Key")
		if k == "" {
			return nil, invalid("tag keys must not be empty")
		}
		if strings.HasPrefix(strings.ToLower(k), "aws:") {
			return nil, invalid("tag keys starting with aws: are reserved")
		}
		out[k] = t.str("Value")
	}
	if len(out) > 50 {
		return nil, fault("TagQuotaPerResourceExceeded", "a resource may carry at most 50 tags")
	}
	return out, nil
}

func (s *Server) arn(region, kind, name string) string {
	return fmt.Sprintf("arn:aws:elasticache:%s:%s:%s:%s", region, Account, kind, name)
}

// identifier checks the naming rule replication groups, parameter groups,
// subnet groups and snapshots share.
var identifier = regexp.MustCompile(`^[a-zA-Z](?:[a-zA-Z0-9]|-(?:[a-zA-Z0-9]))*$`)

func checkName(kind, name string, max int) *apiError {
	if name == "" || len(name) > max || !identifier.MatchString(name) {
		return invalid("%s %q is not valid: 1 to %d letters, digits or hyphens, starting with a letter, without two consecutive hyphens or a trailing hyphen", kind, name, max)
	}
	return nil
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
