package armfake

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// Cluster is a Microsoft.Cache/redisEnterprise resource.
type Cluster struct {
	ID, Name, Location  string
	SKU                 string
	Zones               []string
	Tags                map[string]string
	HighAvailability    string
	MinimumTLSVersion   string
	PublicNetworkAccess string
	HostName            string
	ProvisioningState   string
	ResourceState       string
}

// Persistence is a database's persistence block.
type Persistence struct {
	AOFEnabled   bool   `json:"aofEnabled"`
	AOFFrequency string `json:"aofFrequency,omitempty"`
	RDBEnabled   bool   `json:"rdbEnabled"`
	RDBFrequency string `json:"rdbFrequency,omitempty"`
}

// Database is a Microsoft.Cache/redisEnterprise/databases resource.
type Database struct {
	ID, Name                 string
	ClientProtocol           string
	ClusteringPolicy         string
	EvictionPolicy           string
	AccessKeysAuthentication string
	Port                     int
	Persistence              Persistence
	ProvisioningState        string
	ResourceState            string
	PrimaryKey, SecondaryKey string
}

// managedSKUs are the SKU names the redisEnterprise API accepts.
var managedSKUs = func() []string {
	var out []string
	for _, n := range []string{"0", "1", "3", "5", "10", "20", "50", "100", "150", "250", "350", "500", "700", "1000"} {
		out = append(out, "Balanced_B"+n)
	}
	for _, n := range []string{"10", "20", "50", "100", "150", "250", "350", "500", "700", "1000", "1500", "2000"} {
		out = append(out, "MemoryOptimized_M"+n)
	}
	for _, n := range []string{"3", "5", "10", "20", "50", "100", "150", "250", "350", "500", "700"} {
		out = append(out, "ComputeOptimized_X"+n)
	}
	for _, n := range []string{"250", "500", "700", "1000", "1500", "2000", "4500"} {
		out = append(out, "FlashOptimized_A"+n)
	}
	return append(out, "Enterprise_E1", "Enterprise_E5", "Enterprise_E10", "Enterprise_E20", "Enterprise_E50",
		"Enterprise_E100", "Enterprise_E200", "Enterprise_E400", "EnterpriseFlash_F300", "EnterpriseFlash_F700", "EnterpriseFlash_F1500")
}()

func (c *Cluster) json() map[string]any {
	props := map[string]any{
		"provisioningState":   c.ProvisioningState,
		"resourceState":       c.ResourceState,
		"redisVersion":        "7.4",
		"minimumTlsVersion":   c.MinimumTLSVersion,
		"highAvailability":    c.HighAvailability,
		"publicNetworkAccess": c.PublicNetworkAccess,
	}
	if c.HostName != "" {
		props["hostName"] = c.HostName
	}
	out := map[string]any{
		"id": c.ID, "name": c.Name, "type": "Microsoft.Cache/redisEnterprise", "location": c.Location,
		"sku": map[string]any{"name": c.SKU}, "tags": sortedTags(c.Tags), "properties": props,
	}
	if len(c.Zones) > 0 {
		out["zones"] = c.Zones
	}
	return out
}

func (d *Database) json() map[string]any {
	return map[string]any{
		"id": d.ID, "name": d.Name, "type": "Microsoft.Cache/redisEnterprise/databases",
		"properties": map[string]any{
			"clientProtocol":           d.ClientProtocol,
			"port":                     d.Port,
			"provisioningState":        d.ProvisioningState,
			"resourceState":            d.ResourceState,
			"clusteringPolicy":         d.ClusteringPolicy,
			"evictionPolicy":           d.EvictionPolicy,
			"accessKeysAuthentication": d.AccessKeysAuthentication,
			"persistence":              d.Persistence,
			"modules":                  []any{},
			"redisVersion":             "7.4",
		},
	}
}

type clusterBody struct {
	Location *string                `json:"location"`
	SKU      *struct{ Name string } `json:"sku"`
	Zones    []string               `json:"zones"`
	Tags     map[string]string      `json:"tags"`
	Props    *struct {
		MinimumTLSVersion   *string `json:"minimumTlsVersion"`
		HighAvailability    *string `json:"highAvailability"`
		PublicNetworkAccess *string `json:"publicNetworkAccess"`
	} `json:"properties"`
}

func busy(state string) bool {
	switch state {
	case "Succeeded", "Failed", "Canceled":
		return false
	}
	return true
}

func (s *Server) listClusters(w http.ResponseWriter, req *http.Request, r route) {
	if req.Method != http.MethodGet {
		writeError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "%s is not allowed here.", req.Method)
		return
	}
	prefix := key(resourceID(r.sub, r.rg, "redisEnterprise", ""))
	var out []any
	for k, c := range s.clusters {
		if strings.HasPrefix(k, prefix) {
			out = append(out, c.json())
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": out})
}

func (s *Server) serveCluster(w http.ResponseWriter, req *http.Request, r route, body []byte) {
	id := resourceID(r.sub, r.rg, "redisEnterprise", r.name)
	c := s.clusters[key(id)]
	switch req.Method {
	case http.MethodGet:
		if c == nil {
			writeError(w, http.StatusNotFound, "ResourceNotFound", "The Resource 'Microsoft.Cache/redisEnterprise/%s' under resource group '%s' was not found.", r.name, r.rg)
			return
		}
		writeJSON(w, http.StatusOK, c.json())
	case http.MethodPut:
		s.putCluster(w, req, r, id, c, body)
	case http.MethodPatch:
		s.patchCluster(w, req, r, c, body)
	case http.MethodDelete:
		if c == nil {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if c.ProvisioningState == "Deleting" {
			writeError(w, http.StatusConflict, "Conflict", "The cluster '%s' is already being deleted.", c.Name)
			return
		}
		c.ProvisioningState, c.ResourceState = "Deleting", "Deleting"
		s.startOp(w, req, r.sub, c.Location, func() {
			delete(s.clusters, key(id))
			for k := range s.databases {
				if strings.HasPrefix(k, key(id)+"/") {
					delete(s.databases, k)
				}
			}
		})
		w.WriteHeader(http.StatusAccepted)
	default:
		writeError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "%s is not allowed here.", req.Method)
	}
}

func (s *Server) putCluster(w http.ResponseWriter, req *http.Request, r route, id string, c *Cluster, body []byte) {
	var b clusterBody
	if !decodeBody(w, body, &b) {
		return
	}
	if b.Location == nil || *b.Location == "" {
		writeError(w, http.StatusBadRequest, "LocationRequired", "The location property is required for this definition.")
		return
	}
	if b.SKU == nil || !slices.Contains(managedSKUs, b.SKU.Name) {
		name := ""
		if b.SKU != nil {
			name = b.SKU.Name
		}
		writeError(w, http.StatusBadRequest, "InvalidParameter", "The value '%s' is not a valid SKU name.", name)
		return
	}
	for _, z := range b.Zones {
		if z != "1" && z != "2" && z != "3" {
			writeError(w, http.StatusBadRequest, "InvalidParameter", "Availability zone '%s' is not valid; zones are 1, 2 and 3.", z)
			return
		}
	}
	if c != nil {
		if busy(c.ProvisioningState) {
			writeError(w, http.StatusConflict, "Conflict", "The cluster '%s' is busy (%s); retry when the operation in progress has finished.", c.Name, c.ProvisioningState)
			return
		}
		// PUT on an existing cluster updates what may change.
		s.patchCluster(w, req, r, c, body)
		return
	}
	c = &Cluster{
		ID: id, Name: r.name, Location: normLocation(*b.Location), SKU: b.SKU.Name, Zones: b.Zones, Tags: b.Tags,
		HighAvailability: "Enabled", MinimumTLSVersion: "1.2", PublicNetworkAccess: "Enabled",
		ProvisioningState: "Creating", ResourceState: "Creating",
	}
	if p := b.Props; p != nil {
		if p.HighAvailability != nil {
			c.HighAvailability = *p.HighAvailability
		}
		if p.MinimumTLSVersion != nil {
			c.MinimumTLSVersion = *p.MinimumTLSVersion
		}
		if p.PublicNetworkAccess != nil {
			c.PublicNetworkAccess = *p.PublicNetworkAccess
		}
	}
	if c.HighAvailability != "Enabled" && c.HighAvailability != "Disabled" {
		writeError(w, http.StatusBadRequest, "InvalidParameter", "highAvailability must be Enabled or Disabled, not '%s'.", c.HighAvailability)
		return
	}
	s.clusters[key(id)] = c
	op := s.startOp(w, req, r.sub, c.Location, func() {
		c.ProvisioningState, c.ResourceState = "Succeeded", "Running"
		c.HostName = fmt.Sprintf("%s.%s.redis.azure.net", c.Name, c.Location)
	})
	op.failed = func() { c.ProvisioningState, c.ResourceState = "Failed", "CreateFailed" }
	writeJSON(w, http.StatusCreated, c.json())
}

func (s *Server) patchCluster(w http.ResponseWriter, req *http.Request, r route, c *Cluster, body []byte) {
	if c == nil {
		writeError(w, http.StatusNotFound, "ResourceNotFound", "The Resource 'Microsoft.Cache/redisEnterprise/%s' under resource group '%s' was not found.", r.name, r.rg)
		return
	}
	if busy(c.ProvisioningState) {
		writeError(w, http.StatusConflict, "Conflict", "The cluster '%s' is busy (%s); retry when the operation in progress has finished.", c.Name, c.ProvisioningState)
		return
	}
	var b clusterBody
	if !decodeBody(w, body, &b) {
		return
	}
	if b.SKU != nil && !slices.Contains(managedSKUs, b.SKU.Name) {
		writeError(w, http.StatusBadRequest, "InvalidParameter", "The value '%s' is not a valid SKU name.", b.SKU.Name)
		return
	}
	if p := b.Props; p != nil && p.HighAvailability != nil && *p.HighAvailability != c.HighAvailability {
		writeError(w, http.StatusBadRequest, "BadRequest", "highAvailability cannot be changed after the cluster is created.")
		return
	}
	if b.Location != nil && normLocation(*b.Location) != c.Location {
		writeError(w, http.StatusBadRequest, "LocationCannotBeChanged", "The location of an existing resource cannot be changed.")
		return
	}
	apply := func() {
		if b.SKU != nil {
			c.SKU = b.SKU.Name
		}
		if b.Tags != nil {
			c.Tags = b.Tags
		}
		if p := b.Props; p != nil {
			if p.MinimumTLSVersion != nil {
				c.MinimumTLSVersion = *p.MinimumTLSVersion
			}
			if p.PublicNetworkAccess != nil {
				c.PublicNetworkAccess = *p.PublicNetworkAccess
			}
		}
		c.ProvisioningState, c.ResourceState = "Succeeded", "Running"
	}
	if b.SKU == nil && b.Props == nil {
		apply() // tags only: synchronous
		writeJSON(w, http.StatusOK, c.json())
		return
	}
	c.ProvisioningState, c.ResourceState = "Updating", "Updating"
	s.startOp(w, req, r.sub, c.Location, apply)
	w.WriteHeader(http.StatusAccepted)
}

type databaseBody struct {
	Props *struct {
		ClientProtocol           *string      `json:"clientProtocol"`
		ClusteringPolicy         *string      `json:"clusteringPolicy"`
		EvictionPolicy           *string      `json:"evictionPolicy"`
		AccessKeysAuthentication *string      `json:"accessKeysAuthentication"`
		Port                     *int         `json:"port"`
		Persistence              *Persistence `json:"persistence"`
	} `json:"properties"`
}

func (s *Server) serveDatabase(w http.ResponseWriter, req *http.Request, r route, body []byte) {
	cid := resourceID(r.sub, r.rg, "redisEnterprise", r.name)
	c := s.clusters[key(cid)]
	id := cid + "/databases/" + r.db
	d := s.databases[key(id)]
	notFound := func() {
		writeError(w, http.StatusNotFound, "ResourceNotFound", "The Resource 'Microsoft.Cache/redisEnterprise/%s/databases/%s' under resource group '%s' was not found.", r.name, r.db, r.rg)
	}
	if r.action != "" {
		if d == nil {
			notFound()
			return
		}
		s.databaseAction(w, req, r, c, d, body)
		return
	}
	switch req.Method {
	case http.MethodGet:
		if d == nil {
			notFound()
			return
		}
		writeJSON(w, http.StatusOK, d.json())
	case http.MethodPut, http.MethodPatch:
		if req.Method == http.MethodPatch && d == nil {
			notFound()
			return
		}
		if c == nil {
			writeError(w, http.StatusNotFound, "ParentResourceNotFound", "Can not perform requested operation on nested resource. Parent resource '%s' not found.", r.name)
			return
		}
		if busy(c.ProvisioningState) || (d != nil && busy(d.ProvisioningState)) {
			writeError(w, http.StatusConflict, "Conflict", "The cluster '%s' is busy; retry when the operation in progress has finished.", r.name)
			return
		}
		var b databaseBody
		if !decodeBody(w, body, &b) {
			return
		}
		s.writeDatabase(w, req, r, id, d, b)
	case http.MethodDelete:
		if d == nil {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		d.ProvisioningState, d.ResourceState = "Deleting", "Deleting"
		s.startOp(w, req, r.sub, c.Location, func() { delete(s.databases, key(id)) })
		w.WriteHeader(http.StatusAccepted)
	default:
		writeError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "%s is not allowed here.", req.Method)
	}
}

func (s *Server) writeDatabase(w http.ResponseWriter, req *http.Request, r route, id string, d *Database, b databaseBody) {
	creating := d == nil
	next := Database{ID: id, Name: r.db, ClientProtocol: "Encrypted", ClusteringPolicy: "OSSCluster",
		EvictionPolicy: "VolatileLRU", AccessKeysAuthentication: "Enabled", Port: 10000}
	if !creating {
		next = *d
	}
	if creating && r.db != "default" {
		writeError(w, http.StatusBadRequest, "BadRequest", "Only one database named 'default' is supported.")
		return
	}
	if p := b.Props; p != nil {
		if p.ClusteringPolicy != nil {
			if !creating && *p.ClusteringPolicy != d.ClusteringPolicy {
				writeError(w, http.StatusBadRequest, "BadRequest", "clusteringPolicy cannot be changed on an existing database; delete the database and create it again.")
				return
			}
			if !slices.Contains([]string{"OSSCluster", "EnterpriseCluster", "NoCluster"}, *p.ClusteringPolicy) {
				writeError(w, http.StatusBadRequest, "InvalidParameter", "clusteringPolicy '%s' is not valid.", *p.ClusteringPolicy)
				return
			}
			next.ClusteringPolicy = *p.ClusteringPolicy
		}
		if p.Port != nil {
			if !creating && *p.Port != d.Port {
				writeError(w, http.StatusBadRequest, "BadRequest", "port cannot be changed on an existing database.")
				return
			}
			next.Port = *p.Port
		}
		if p.ClientProtocol != nil {
			next.ClientProtocol = *p.ClientProtocol
		}
		if p.EvictionPolicy != nil {
			next.EvictionPolicy = *p.EvictionPolicy
		}
		if p.AccessKeysAuthentication != nil {
			next.AccessKeysAuthentication = *p.AccessKeysAuthentication
		}
		if p.Persistence != nil {
			next.Persistence = *p.Persistence
		}
	}
	if next.Persistence.AOFEnabled && next.Persistence.RDBEnabled {
		writeError(w, http.StatusBadRequest, "BadRequest", "Only one persistence method (AOF or RDB) can be enabled.")
		return
	}
	if next.Persistence.AOFEnabled && next.Persistence.AOFFrequency != "1s" {
		writeError(w, http.StatusBadRequest, "InvalidParameter", "aofFrequency '%s' is not supported; the supported value is 1s.", next.Persistence.AOFFrequency)
		return
	}
	if f := next.Persistence.RDBFrequency; next.Persistence.RDBEnabled && f != "1h" && f != "6h" && f != "12h" {
		writeError(w, http.StatusBadRequest, "InvalidParameter", "rdbFrequency '%s' is not supported; the supported values are 1h, 6h and 12h.", f)
		return
	}
	c := s.clusters[key(strings.SplitN(id, "/databases/", 2)[0])]
	if creating {
		d = &next
		d.ProvisioningState, d.ResourceState = "Creating", "Creating"
		d.PrimaryKey, d.SecondaryKey = fmt.Sprintf("pk-%s-%d", r.name, s.nextOp), fmt.Sprintf("sk-%s-%d", r.name, s.nextOp)
		s.databases[key(id)] = d
		op := s.startOp(w, req, r.sub, c.Location, func() { d.ProvisioningState, d.ResourceState = "Succeeded", "Running" })
		op.failed = func() { d.ProvisioningState, d.ResourceState = "Failed", "CreateFailed" }
		writeJSON(w, http.StatusCreated, d.json())
		return
	}
	d.ProvisioningState, d.ResourceState = "Updating", "Updating"
	s.startOp(w, req, r.sub, c.Location, func() {
		next.ProvisioningState, next.ResourceState = "Succeeded", "Running"
		*d = next
	})
	w.WriteHeader(http.StatusAccepted)
}

func (s *Server) databaseAction(w http.ResponseWriter, req *http.Request, r route, c *Cluster, d *Database, body []byte) {
	if req.Method != http.MethodPost {
		writeError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "%s is not allowed here.", req.Method)
		return
	}
	switch strings.ToLower(r.action) {
	case "listkeys":
		if d.AccessKeysAuthentication != "Enabled" {
			writeError(w, http.StatusBadRequest, "BadRequest", "Access keys authentication is disabled for this database.")
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"primaryKey": d.PrimaryKey, "secondaryKey": d.SecondaryKey})
	case "export":
		var b struct {
			SASURI string `json:"sasUri"`
		}
		if !decodeBody(w, body, &b) {
			return
		}
		if !strings.HasPrefix(b.SASURI, "https://") || !strings.Contains(b.SASURI, "sig=") {
			writeError(w, http.StatusBadRequest, "InvalidParameter", "sasUri must be an https URL with a SAS token (sig=...).")
			return
		}
		if busy(d.ProvisioningState) {
			writeError(w, http.StatusConflict, "Conflict", "The database is busy; retry when the operation in progress has finished.")
			return
		}
		id := d.ID
		s.startOp(w, req, r.sub, c.Location, func() { s.exports = append(s.exports, Export{ResourceID: id, Target: b.SASURI}) })
		w.WriteHeader(http.StatusAccepted)
	default:
		writeError(w, http.StatusNotFound, "InvalidResourceType", "Unknown action '%s'.", r.action)
	}
}

// Cluster returns a copy of a cluster (nil when it does not exist).
func (s *Server) Cluster(sub, rg, name string) *Cluster {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.clusters[key(resourceID(sub, rg, "redisEnterprise", name))]
	if c == nil {
		return nil
	}
	cp := *c
	return &cp
}

// Database returns a copy of a cluster's database (nil when it does not exist).
func (s *Server) Database(sub, rg, cluster, name string) *Database {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.databases[key(resourceID(sub, rg, "redisEnterprise", cluster)+"/databases/"+name)]
	if d == nil {
		return nil
	}
	cp := *d
	return &cp
}

// EditCluster changes a cluster as if someone did it outside redisctl.
func (s *Server) EditCluster(sub, rg, name string, edit func(*Cluster)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.clusters[key(resourceID(sub, rg, "redisEnterprise", name))]; c != nil {
		edit(c)
	}
}

// EditDatabase changes a database as if someone did it outside redisctl.
func (s *Server) EditDatabase(sub, rg, cluster, name string, edit func(*Database)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d := s.databases[key(resourceID(sub, rg, "redisEnterprise", cluster)+"/databases/"+name)]; d != nil {
		edit(d)
	}
}

// ClusterCount is how many redisEnterprise clusters exist.
func (s *Server) ClusterCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.clusters)
}

// AddManaged seeds an existing Azure Managed Redis cluster and its default
// database (both Succeeded and Running). Empty fields get the service's
// defaults.
func (s *Server) AddManaged(sub, rg string, c Cluster, d Database) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c.ID = resourceID(sub, rg, "redisEnterprise", c.Name)
	c.Location = normLocation(c.Location)
	c.ProvisioningState, c.ResourceState = "Succeeded", "Running"
	c.HostName = fmt.Sprintf("%s.%s.redis.azure.net", c.Name, c.Location)
	if c.HighAvailability == "" {
		c.HighAvailability = "Enabled"
	}
	if c.MinimumTLSVersion == "" {
		c.MinimumTLSVersion = "1.2"
	}
	if c.PublicNetworkAccess == "" {
		c.PublicNetworkAccess = "Enabled"
	}
	s.clusters[key(c.ID)] = &c
	d.ID, d.Name = c.ID+"/databases/default", "default"
	d.ProvisioningState, d.ResourceState = "Succeeded", "Running"
	if d.Port == 0 {
		d.Port = 10000
	}
	def := func(f *string, v string) {
		if *f == "" {
			*f = v
		}
	}
	def(&d.ClientProtocol, "Encrypted")
	def(&d.ClusteringPolicy, "OSSCluster")
	def(&d.EvictionPolicy, "VolatileLRU")
	def(&d.AccessKeysAuthentication, "Enabled")
	d.PrimaryKey, d.SecondaryKey = "pk-"+c.Name, "sk-"+c.Name
	s.databases[key(d.ID)] = &d
}

// RemoveManaged deletes a cluster and its databases at once, as if someone
// deleted them outside redisctl.
func (s *Server) RemoveManaged(sub, rg, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := key(resourceID(sub, rg, "redisEnterprise", name))
	delete(s.clusters, id)
	for k := range s.databases {
		if strings.HasPrefix(k, id+"/") {
			delete(s.databases, k)
		}
	}
}
