// Package dofake is an in-process fake of the DigitalOcean API v2 endpoints
// the digitalocean provider uses: managed database clusters (create, get,
// list, resize, migrate, upgrade, delete), their eviction policy, Valkey
// config, firewall (trusted sources) and maintenance window, and tags. It
// speaks the wire protocol — JSON bodies, status codes, the error body
// {"id","message","request_id"}, the RateLimit-* headers — so tests drive the
// real godo client against it. Creation and resizes are asynchronous: a
// cluster stays "creating" (or "resizing", "migrating") for a few polls.
// Faults (429 throttling, 5xx, validation errors) are injected per request.
package dofake

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Sizes the fake offers, with their RAM in GiB (the basic and
// memory-optimised database plans).
var Sizes = map[string]int{
	"db-s-1vcpu-1gb": 1, "db-s-1vcpu-2gb": 2, "db-s-2vcpu-4gb": 4, "db-s-4vcpu-8gb": 8,
	"db-s-6vcpu-16gb": 16, "db-s-8vcpu-32gb": 32, "db-s-16vcpu-64gb": 64,
	"m-2vcpu-16gb": 16, "m-4vcpu-32gb": 32, "m-8vcpu-64gb": 64, "m-16vcpu-128gb": 128,
	"m-24vcpu-192gb": 192, "m-32vcpu-256gb": 256,
}

// Regions the fake offers.
var Regions = []string{"ams3", "blr1", "fra1", "lon1", "nyc1", "nyc3", "sfo2", "sfo3", "sgp1", "syd1", "tor1"}

// Cluster is one database cluster as the fake keeps it.
type Cluster struct {
	ID, Name, Engine, Version, Size, Region, Status string
	NumNodes                                        int
	VPC, Project                                    string
	Tags                                            []string
	Password                                        string
	EvictionPolicy                                  string // API form: allkeys_lru
	Persistence                                     string // valkey_persistence: rdb or off
	Rules                                           []Rule
	MaintenanceDay, MaintenanceHour                 string
	CreatedAt                                       time.Time

	polls   int    // GETs left before pending completes
	pending func() // what completes the current operation
}

// Rule is one trusted source.
type Rule struct {
	UUID, Type, Value string
}

// Server is the fake API. Its zero value is not usable: call New.
type Server struct {
	// Token is the bearer token requests must carry.
	Token string
	// CreatePolls, ResizePolls and MigratePolls are how many GETs of a
	// cluster an operation takes to finish (default 3, 2, 2).
	CreatePolls, ResizePolls, MigratePolls int
	// ClusterLimit caps how many clusters the account may hold (0: none).
	ClusterLimit int

	mu       sync.Mutex
	clusters map[string]*Cluster
	tags     map[string]bool
	faults   []*fault
	requests []string
	seq      int
	srv      *httptest.Server
}

type fault struct {
	method, path string // path matched as a suffix; "" matches any
	status       int
	message      string
	times        int
	commit       bool   // run the handler, then answer with the fault
	retryAfter   string // Retry-After header for 429s
}

// Token is the token New configures.
const Token = "dop_v1_fake_token_for_tests"

// New starts a fake on 127.0.0.1. Close it when done.
func New() *Server {
	s := &Server{Token: Token, CreatePolls: 3, ResizePolls: 2, MigratePolls: 2,
		clusters: map[string]*Cluster{}, tags: map[string]bool{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// URL is the API's base URL (no trailing slash).
func (s *Server) URL() string { return s.srv.URL }

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Throttle makes the next n requests fail with 429 and the rate-limit
// headers; retryAfter ("" for none) is sent as Retry-After.
func (s *Server) Throttle(n int, retryAfter string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &fault{status: http.StatusTooManyRequests, message: "API Rate limit exceeded.", times: n, retryAfter: retryAfter})
}

// Fail makes the next n requests matching method and path suffix fail with
// status and message.
func (s *Server) Fail(method, pathSuffix string, status, n int, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &fault{method: method, path: pathSuffix, status: status, message: message, times: n})
}

// FailAfterCommit is Fail for a request that takes effect before the error
// is returned (a 5xx after the cluster was created).
func (s *Server) FailAfterCommit(method, pathSuffix string, status, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &fault{method: method, path: pathSuffix, status: status, message: "Server Error", times: n, commit: true})
}

// Requests lists the requests served so far as "METHOD /path".
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// Count returns how many served requests were "METHOD /path" exactly.
func (s *Server) Count(methodPath string) int {
	n := 0
	for _, r := range s.Requests() {
		if r == methodPath {
			n++
		}
	}
	return n
}

// Clusters returns copies of the clusters, oldest first.
func (s *Server) Clusters() []Cluster {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Cluster
	for _, c := range s.clusters {
		cp := *c
		cp.Tags = slices.Clone(c.Tags)
		cp.Rules = slices.Clone(c.Rules)
		out = append(out, cp)
	}
	slices.SortFunc(out, func(a, b Cluster) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return out
}

// Mutate changes a cluster behind the provider's back (drift).
func (s *Server) Mutate(id string, fn func(c *Cluster)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.clusters[id]; ok {
		fn(c)
	}
}

// Remove deletes a cluster behind the provider's back.
func (s *Server) Remove(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.clusters, id)
}

// AddCluster creates an online cluster directly (for import tests).
func (s *Server) AddCluster(c Cluster) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	c.ID = s.newUUID()
	if c.Status == "" {
		c.Status = "online"
	}
	if c.Password == "" {
		c.Password = newPassword()
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = time.Now().UTC()
	}
	if c.VPC == "" {
		c.VPC = defaultVPC(c.Region)
	}
	s.clusters[c.ID] = &c
	return c.ID
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	reqID := s.requestID()
	w.Header().Set("X-Request-Id", reqID)
	w.Header().Set("Ratelimit-Limit", "5000")
	w.Header().Set("Ratelimit-Remaining", "4999")
	w.Header().Set("Ratelimit-Reset", strconv.FormatInt(time.Now().Add(time.Minute).Unix(), 10))

	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, r.Method+" "+r.URL.Path)
	if r.Header.Get("Authorization") != "Bearer "+s.Token {
		writeError(w, reqID, http.StatusUnauthorized, "Unable to authenticate you")
		return
	}
	f := s.takeFault(r)
	if f != nil && !f.commit {
		if f.status == http.StatusTooManyRequests {
			w.Header().Set("Ratelimit-Remaining", "0")
			w.Header().Set("Ratelimit-Reset", strconv.FormatInt(time.Now().Unix(), 10))
			if f.retryAfter != "" {
				w.Header().Set("Retry-After", f.retryAfter)
			}
		}
		writeError(w, reqID, f.status, f.message)
		return
	}
	rec := &recorder{header: w.Header()}
	s.route(rec, r, reqID)
	if f != nil {
		writeError(w, reqID, f.status, f.message)
		return
	}
	w.WriteHeader(rec.status)
	w.Write(rec.body)
}

// recorder holds a response so a committed fault can replace it.
type recorder struct {
	header http.Header
	status int
	body   []byte
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) Write(b []byte) (int, error) {
	r.body = append(r.body, b...)
	return len(b), nil
}
func (r *recorder) WriteHeader(status int) { r.status = status }

func (s *Server) takeFault(r *http.Request) *fault {
	for i, f := range s.faults {
		if (f.method == "" || f.method == r.Method) && strings.HasSuffix(r.URL.Path, f.path) {
			f.times--
			if f.times <= 0 {
				s.faults = append(s.faults[:i], s.faults[i+1:]...)
			}
			return f
		}
	}
	return nil
}

func (s *Server) route(w http.ResponseWriter, r *http.Request, reqID string) {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(parts) < 2 || parts[0] != "v2" {
		notFound(w, reqID)
		return
	}
	switch {
	case parts[1] == "databases" && len(parts) == 2:
		switch r.Method {
		case http.MethodGet:
			s.list(w, r)
		case http.MethodPost:
			s.create(w, r, reqID)
		default:
			notFound(w, reqID)
		}
	case parts[1] == "databases" && len(parts) >= 3:
		c, ok := s.clusters[parts[2]]
		if !ok {
			notFound(w, reqID)
			return
		}
		sub := ""
		if len(parts) > 3 {
			sub = strings.Join(parts[3:], "/")
		}
		s.cluster(w, r, reqID, c, sub)
	case parts[1] == "tags":
		s.tagRoute(w, r, reqID, parts[2:])
	default:
		notFound(w, reqID)
	}
}

func (s *Server) cluster(w http.ResponseWriter, r *http.Request, reqID string, c *Cluster, sub string) {
	switch r.Method + " " + sub {
	case "GET ":
		s.poll(c)
		writeJSON(w, http.StatusOK, map[string]any{"database": wire(c)})
	case "DELETE ":
		delete(s.clusters, c.ID)
		w.WriteHeader(http.StatusNoContent)
	case "PUT resize":
		s.resize(w, r, reqID, c)
	case "PUT migrate":
		s.migrate(w, r, reqID, c)
	case "PUT upgrade":
		var body struct {
			Version string `json:"version"`
		}
		if !decode(w, r, reqID, &body) || !online(w, reqID, c) {
			return
		}
		if body.Version != "8" {
			writeError(w, reqID, http.StatusUnprocessableEntity, fmt.Sprintf("version %q is not available for valkey", body.Version))
			return
		}
		c.Status, c.polls = "upgrading", s.MigratePolls
		c.pending = func() { c.Version = body.Version }
		w.WriteHeader(http.StatusNoContent)
	case "GET eviction_policy":
		writeJSON(w, http.StatusOK, map[string]string{"eviction_policy": c.EvictionPolicy})
	case "PUT eviction_policy":
		var body struct {
			Policy string `json:"eviction_policy"`
		}
		if !decode(w, r, reqID, &body) {
			return
		}
		switch body.Policy {
		case "noeviction", "allkeys_lru", "allkeys_random", "volatile_lru", "volatile_random", "volatile_ttl":
			c.EvictionPolicy = body.Policy
			w.WriteHeader(http.StatusNoContent)
		default:
			writeError(w, reqID, http.StatusUnprocessableEntity, fmt.Sprintf("invalid eviction policy %q", body.Policy))
		}
	case "GET config":
		writeJSON(w, http.StatusOK, map[string]any{"config": map[string]any{
			"valkey_maxmemory_policy": strings.ReplaceAll(c.EvictionPolicy, "_", "-"),
			"valkey_persistence":      c.Persistence,
			"valkey_ssl":              true,
			"valkey_timeout":          300,
		}})
	case "PATCH config":
		s.patchConfig(w, r, reqID, c)
	case "GET firewall":
		rules := []map[string]string{}
		for _, rule := range c.Rules {
			rules = append(rules, map[string]string{"uuid": rule.UUID, "cluster_uuid": c.ID, "type": rule.Type, "value": rule.Value, "created_at": c.CreatedAt.Format(time.RFC3339)})
		}
		writeJSON(w, http.StatusOK, map[string]any{"rules": rules})
	case "PUT firewall":
		var body struct {
			Rules []struct{ Type, Value string } `json:"rules"`
		}
		if !decode(w, r, reqID, &body) {
			return
		}
		rules, msg := s.rules(body.Rules)
		if msg != "" {
			writeError(w, reqID, http.StatusUnprocessableEntity, msg)
			return
		}
		c.Rules = rules
		w.WriteHeader(http.StatusNoContent)
	case "PUT maintenance":
		var body struct{ Day, Hour string }
		if !decode(w, r, reqID, &body) {
			return
		}
		if !validDay(body.Day) || len(body.Hour) != 5 || body.Hour[2] != ':' {
			writeError(w, reqID, http.StatusUnprocessableEntity, "invalid maintenance window: day must be a weekday name and hour HH:MM")
			return
		}
		c.MaintenanceDay, c.MaintenanceHour = body.Day, body.Hour+":00"
		w.WriteHeader(http.StatusNoContent)
	default:
		notFound(w, reqID)
	}
}

// poll advances a cluster's current operation by one GET.
func (s *Server) poll(c *Cluster) {
	if c.pending == nil {
		return
	}
	c.polls--
	if c.polls <= 0 {
		c.pending()
		c.pending = nil
		c.Status = "online"
	}
}

type createRequest struct {
	Name     string   `json:"name"`
	Engine   string   `json:"engine"`
	Version  string   `json:"version"`
	Size     string   `json:"size"`
	Region   string   `json:"region"`
	NumNodes int      `json:"num_nodes"`
	VPC      string   `json:"private_network_uuid"`
	Tags     []string `json:"tags"`
	Project  string   `json:"project_id"`
	Rules    []struct {
		Type, Value string
	} `json:"rules"`
}

func (s *Server) create(w http.ResponseWriter, r *http.Request, reqID string) {
	var req createRequest
	if !decode(w, r, reqID, &req) {
		return
	}
	if msg := s.checkCreate(&req); msg != "" {
		writeError(w, reqID, http.StatusUnprocessableEntity, msg)
		return
	}
	rules, msg := s.rules(req.Rules)
	if msg != "" {
		writeError(w, reqID, http.StatusUnprocessableEntity, msg)
		return
	}
	if req.Version == "" {
		req.Version = "8"
	}
	if req.VPC == "" {
		req.VPC = defaultVPC(req.Region)
	}
	for _, t := range req.Tags {
		s.tags[t] = true
	}
	c := &Cluster{
		ID: s.newUUID(), Name: req.Name, Engine: req.Engine, Version: req.Version, Size: req.Size,
		Region: req.Region, NumNodes: req.NumNodes, VPC: req.VPC, Project: req.Project,
		Tags: slices.Clone(req.Tags), Password: newPassword(), EvictionPolicy: "noeviction",
		Persistence: "rdb", Rules: rules, MaintenanceDay: "tuesday", MaintenanceHour: "03:00:00",
		CreatedAt: time.Now().UTC(), Status: "creating", polls: s.CreatePolls, pending: func() {},
	}
	s.clusters[c.ID] = c
	writeJSON(w, http.StatusCreated, map[string]any{"database": wire(c)})
}

func (s *Server) checkCreate(req *createRequest) string {
	switch {
	case req.Name == "" || len(req.Name) > 63 || strings.Trim(req.Name, "abcdefghijklmnopqrstuvwxyz0123456789-") != "":
		return fmt.Sprintf("invalid cluster name %q: use lowercase letters, digits and hyphens", req.Name)
	case req.Engine == "redis":
		return "the redis engine is no longer available for new clusters; use valkey"
	case req.Engine != "valkey":
		return fmt.Sprintf("engine %q is not supported by this fake", req.Engine)
	case req.Version != "" && req.Version != "8":
		return fmt.Sprintf("version %q is not available for valkey", req.Version)
	case !slices.Contains(Regions, req.Region):
		return fmt.Sprintf("region %q is not available", req.Region)
	case Sizes[req.Size] == 0:
		return fmt.Sprintf("size %q is not available", req.Size)
	case req.NumNodes < 1 || req.NumNodes > 2:
		return "num_nodes must be 1 or 2 for valkey clusters"
	case req.NumNodes > 1 && Sizes[req.Size] < 2:
		return "standby nodes require a plan with at least 2 GB of RAM"
	case s.ClusterLimit > 0 && len(s.clusters) >= s.ClusterLimit:
		return fmt.Sprintf("creating this cluster would exceed your database cluster limit of %d; delete a cluster or contact support to raise the limit", s.ClusterLimit)
	}
	for _, c := range s.clusters {
		if c.Name == req.Name {
			return fmt.Sprintf("a database cluster named %q already exists", req.Name)
		}
	}
	return ""
}

func (s *Server) resize(w http.ResponseWriter, r *http.Request, reqID string, c *Cluster) {
	var body struct {
		Size     string `json:"size"`
		NumNodes int    `json:"num_nodes"`
	}
	if !decode(w, r, reqID, &body) || !online(w, reqID, c) {
		return
	}
	switch {
	case Sizes[body.Size] == 0:
		writeError(w, reqID, http.StatusUnprocessableEntity, fmt.Sprintf("size %q is not available", body.Size))
		return
	case Sizes[body.Size] < Sizes[c.Size]:
		writeError(w, reqID, http.StatusUnprocessableEntity, "database nodes cannot be resized to a smaller size")
		return
	case body.NumNodes < 1 || body.NumNodes > 2:
		writeError(w, reqID, http.StatusUnprocessableEntity, "num_nodes must be 1 or 2 for valkey clusters")
		return
	case body.NumNodes > 1 && Sizes[body.Size] < 2:
		writeError(w, reqID, http.StatusUnprocessableEntity, "standby nodes require a plan with at least 2 GB of RAM")
		return
	}
	c.Status, c.polls = "resizing", s.ResizePolls
	c.pending = func() { c.Size, c.NumNodes = body.Size, body.NumNodes }
	w.WriteHeader(http.StatusAccepted)
}

func (s *Server) migrate(w http.ResponseWriter, r *http.Request, reqID string, c *Cluster) {
	var body struct {
		Region string `json:"region"`
		VPC    string `json:"private_network_uuid"`
	}
	if !decode(w, r, reqID, &body) || !online(w, reqID, c) {
		return
	}
	if !slices.Contains(Regions, body.Region) {
		writeError(w, reqID, http.StatusUnprocessableEntity, fmt.Sprintf("region %q is not available", body.Region))
		return
	}
	c.Status, c.polls = "migrating", s.MigratePolls
	c.pending = func() {
		c.Region = body.Region
		c.VPC = body.VPC
		if c.VPC == "" {
			c.VPC = defaultVPC(body.Region)
		}
	}
	w.WriteHeader(http.StatusAccepted)
}

func (s *Server) patchConfig(w http.ResponseWriter, r *http.Request, reqID string, c *Cluster) {
	var body struct {
		Config map[string]any `json:"config"`
	}
	if !decode(w, r, reqID, &body) {
		return
	}
	for k, v := range body.Config {
		switch k {
		case "valkey_persistence":
			if v != "rdb" && v != "off" {
				writeError(w, reqID, http.StatusUnprocessableEntity, fmt.Sprintf("valkey_persistence must be rdb or off, got %v", v))
				return
			}
			c.Persistence = v.(string)
		case "valkey_maxmemory_policy":
			p, _ := v.(string)
			c.EvictionPolicy = strings.ReplaceAll(p, "-", "_")
		}
	}
	w.WriteHeader(http.StatusOK)
	w.Write([]byte("{}"))
}

func (s *Server) rules(in []struct{ Type, Value string }) ([]Rule, string) {
	var out []Rule
	for _, r := range in {
		switch r.Type {
		case "ip_addr", "droplet", "k8s", "tag", "app":
		default:
			return nil, fmt.Sprintf("invalid firewall rule type %q", r.Type)
		}
		if r.Value == "" {
			return nil, "firewall rule value cannot be empty"
		}
		out = append(out, Rule{UUID: s.newUUID(), Type: r.Type, Value: r.Value})
	}
	return out, ""
}

func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	per, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
	if page < 1 {
		page = 1
	}
	if per < 1 || per > 200 {
		per = 20
	}
	var all []*Cluster
	for _, c := range s.clusters {
		all = append(all, c)
	}
	slices.SortFunc(all, func(a, b *Cluster) int { return a.CreatedAt.Compare(b.CreatedAt) })
	out := []any{}
	for i := (page - 1) * per; i < len(all) && i < page*per; i++ {
		out = append(out, wire(all[i]))
	}
	writeJSON(w, http.StatusOK, map[string]any{"databases": out, "meta": map[string]int{"total": len(all)}})
}

func (s *Server) tagRoute(w http.ResponseWriter, r *http.Request, reqID string, rest []string) {
	switch {
	case len(rest) == 0 && r.Method == http.MethodPost:
		var body struct{ Name string }
		if !decode(w, r, reqID, &body) {
			return
		}
		if !validTag(body.Name) {
			writeError(w, reqID, http.StatusUnprocessableEntity, fmt.Sprintf("invalid tag name %q: use letters, digits, ':', '-' and '_' (at most 255)", body.Name))
			return
		}
		s.tags[body.Name] = true
		writeJSON(w, http.StatusCreated, map[string]any{"tag": map[string]any{"name": body.Name}})
	case len(rest) == 2 && rest[1] == "resources" && (r.Method == http.MethodPost || r.Method == http.MethodDelete):
		name := rest[0]
		if !s.tags[name] {
			notFound(w, reqID)
			return
		}
		var body struct {
			Resources []struct {
				ID   string `json:"resource_id"`
				Type string `json:"resource_type"`
			} `json:"resources"`
		}
		if !decode(w, r, reqID, &body) {
			return
		}
		for _, res := range body.Resources {
			c, ok := s.clusters[res.ID]
			if res.Type != "database" || !ok {
				writeError(w, reqID, http.StatusUnprocessableEntity, fmt.Sprintf("resource %s %q not found", res.Type, res.ID))
				return
			}
			if r.Method == http.MethodPost && !slices.Contains(c.Tags, name) {
				c.Tags = append(c.Tags, name)
			}
			if r.Method == http.MethodDelete {
				c.Tags = slices.DeleteFunc(c.Tags, func(t string) bool { return t == name })
			}
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		notFound(w, reqID)
	}
}

type connection struct {
	Protocol string `json:"protocol"`
	URI      string `json:"uri"`
	Database string `json:"database"`
	Host     string `json:"host"`
	Port     int    `json:"port"`
	User     string `json:"user"`
	Password string `json:"password"`
	SSL      bool   `json:"ssl"`
}

func conn(host, password string) *connection {
	return &connection{Protocol: "rediss", URI: fmt.Sprintf("rediss://default:%s@%s:25061", password, host),
		Host: host, Port: 25061, User: "default", Password: password, SSL: true}
}

// wire renders a cluster the way GET /v2/databases/{id} does.
func wire(c *Cluster) map[string]any {
	host := fmt.Sprintf("%s-do-user-1234567-0.%s.db.ondigitalocean.com", c.Name, c.Region)
	d := map[string]any{
		"id": c.ID, "name": c.Name, "engine": c.Engine, "version": c.Version,
		"connection":         conn(host, c.Password),
		"private_connection": conn("private-"+host, c.Password),
		"users":              []map[string]string{{"name": "default", "role": "primary", "password": c.Password}},
		"num_nodes":          c.NumNodes, "size": c.Size, "region": c.Region, "status": c.Status,
		"maintenance_window":   map[string]any{"day": c.MaintenanceDay, "hour": c.MaintenanceHour, "pending": false, "description": []string{}},
		"created_at":           c.CreatedAt.Format(time.RFC3339),
		"private_network_uuid": c.VPC, "tags": nonNil(c.Tags), "project_id": c.Project,
		"db_names": nil, "storage_size_mib": 0,
	}
	if c.NumNodes > 1 {
		d["standby_connection"] = conn("replica-"+host, c.Password)
		d["standby_private_connection"] = conn("replica-private-"+host, c.Password)
	}
	return d
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func online(w http.ResponseWriter, reqID string, c *Cluster) bool {
	if c.Status != "online" {
		writeError(w, reqID, http.StatusUnprocessableEntity, fmt.Sprintf("cluster is %s; wait until it is online", c.Status))
		return false
	}
	return true
}

func decode(w http.ResponseWriter, r *http.Request, reqID string, v any) bool {
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		writeError(w, reqID, http.StatusBadRequest, "malformed JSON body: "+err.Error())
		return false
	}
	return true
}

var errorIDs = map[int]string{
	400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
	409: "conflict", 412: "precondition_failed", 422: "unprocessable_entity",
	429: "too_many_requests", 500: "server_error", 502: "bad_gateway", 503: "service_unavailable",
}

func writeError(w http.ResponseWriter, reqID string, status int, message string) {
	id := errorIDs[status]
	if id == "" {
		id = "error"
	}
	writeJSON(w, status, map[string]string{"id": id, "message": message, "request_id": reqID})
}

func notFound(w http.ResponseWriter, reqID string) {
	writeError(w, reqID, http.StatusNotFound, "The resource you were accessing could not be found.")
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func validDay(d string) bool {
	return slices.Contains([]string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}, d)
}

func validTag(t string) bool {
	return t != "" && len(t) <= 255 && strings.Trim(t, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:-_") == ""
}

func (s *Server) newUUID() string {
	s.seq++
	b := make([]byte, 16)
	rand.Read(b)
	h := hex.EncodeToString(b)
	return fmt.Sprintf("%s-%s-%s-%s-%s", h[:8], h[8:12], h[12:16], h[16:20], h[20:])
}

func (s *Server) requestID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return "req-" + hex.EncodeToString(b)
}

func newPassword() string {
	b := make([]byte, 12)
	rand.Read(b)
	return "AVNS_" + hex.EncodeToString(b)
}

// defaultVPC is the UUID the fake gives a region's default VPC network.
func defaultVPC(region string) string {
	h := hex.EncodeToString([]byte(region + "defaultvpc00000"))[:32]
	return fmt.Sprintf("%s-%s-%s-%s-%s", h[:8], h[8:12], h[12:16], h[16:20], h[20:32])
}
