package armfake

import (
	"fmt"
	"net/http"
	"strings"
)

// CacheSKU is a classic cache's SKU.
type CacheSKU struct {
	Name     string `json:"name"`   // Basic, Standard, Premium
	Family   string `json:"family"` // C or P
	Capacity int    `json:"capacity"`
}

// Cache is a classic Azure Cache for Redis (Microsoft.Cache/redis).
type Cache struct {
	ID, Name, Location string
	SKU                CacheSKU
	ShardCount         int
	ReplicasPerPrimary int
	EnableNonSSLPort   bool
	MinimumTLSVersion  string
	RedisConfiguration map[string]string
	Tags               map[string]string
	Zones              []string
	HostName           string
	ProvisioningState  string
	RedisVersion       string

	pendingGets  int
	pendingApply func()
}

func (c *Cache) json() map[string]any {
	props := map[string]any{
		"provisioningState":   c.ProvisioningState,
		"redisVersion":        c.RedisVersion,
		"sku":                 c.SKU,
		"enableNonSslPort":    c.EnableNonSSLPort,
		"minimumTlsVersion":   c.MinimumTLSVersion,
		"publicNetworkAccess": "Enabled",
		"redisConfiguration":  sortedTags(c.RedisConfiguration),
		"replicasPerMaster":   c.ReplicasPerPrimary,
		"replicasPerPrimary":  c.ReplicasPerPrimary,
		"hostName":            c.HostName,
		"port":                6379,
		"sslPort":             6380,
	}
	if c.ShardCount > 0 {
		props["shardCount"] = c.ShardCount
	}
	out := map[string]any{
		"id": c.ID, "name": c.Name, "type": "Microsoft.Cache/Redis", "location": c.Location,
		"tags": sortedTags(c.Tags), "properties": props,
	}
	if len(c.Zones) > 0 {
		out["zones"] = c.Zones
	}
	return out
}

// AddCache seeds an existing classic cache (it is Succeeded at once).
// Empty fields get the service's defaults.
func (s *Server) AddCache(sub, rg string, c Cache) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c.ID = resourceID(sub, rg, "Redis", c.Name)
	c.Location = normLocation(c.Location)
	if c.HostName == "" {
		c.HostName = c.Name + ".redis.cache.windows.net"
	}
	if c.ProvisioningState == "" {
		c.ProvisioningState = "Succeeded"
	}
	if c.RedisVersion == "" {
		c.RedisVersion = "6.0.20"
	}
	if c.MinimumTLSVersion == "" {
		c.MinimumTLSVersion = "1.2"
	}
	if c.RedisConfiguration == nil {
		c.RedisConfiguration = map[string]string{}
	}
	if c.RedisConfiguration["maxmemory-policy"] == "" {
		c.RedisConfiguration["maxmemory-policy"] = "volatile-lru"
	}
	c.RedisConfiguration["maxclients"] = "1000"
	if c.ReplicasPerPrimary == 0 && c.SKU.Name != "Basic" {
		c.ReplicasPerPrimary = 1
	}
	s.caches[key(c.ID)] = &c
}

// Cache returns a copy of a classic cache (nil when it does not exist).
func (s *Server) Cache(sub, rg, name string) *Cache {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.caches[key(resourceID(sub, rg, "Redis", name))]
	if c == nil {
		return nil
	}
	cp := *c
	return &cp
}

// EditCache changes a classic cache as if someone did it outside redisctl.
func (s *Server) EditCache(sub, rg, name string, edit func(*Cache)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.caches[key(resourceID(sub, rg, "Redis", name))]; c != nil {
		edit(c)
	}
}

type cacheUpdateBody struct {
	Props *struct {
		SKU                *CacheSKU         `json:"sku"`
		EnableNonSSLPort   *bool             `json:"enableNonSslPort"`
		MinimumTLSVersion  *string           `json:"minimumTlsVersion"`
		RedisConfiguration map[string]string `json:"redisConfiguration"`
		ReplicasPerPrimary *int              `json:"replicasPerPrimary"`
		ShardCount         *int              `json:"shardCount"`
	} `json:"properties"`
	Tags map[string]string `json:"tags"`
}

var tierRank = map[string]int{"Basic": 0, "Standard": 1, "Premium": 2}

func (s *Server) serveCache(w http.ResponseWriter, req *http.Request, r route, body []byte) {
	id := resourceID(r.sub, r.rg, "Redis", r.name)
	c := s.caches[key(id)]
	if c == nil && req.Method != http.MethodPut && req.Method != http.MethodDelete {
		writeError(w, http.StatusNotFound, "ResourceNotFound", "The Resource 'Microsoft.Cache/Redis/%s' under resource group '%s' was not found.", r.name, r.rg)
		return
	}
	if r.action != "" {
		s.cacheAction(w, req, r, c, body)
		return
	}
	switch req.Method {
	case http.MethodGet:
		if c.pendingGets > 0 {
			c.pendingGets--
			if c.pendingGets == 0 {
				c.pendingApply()
				c.pendingApply = nil
				c.ProvisioningState = "Succeeded"
			}
		}
		writeJSON(w, http.StatusOK, c.json())
	case http.MethodPut:
		// Azure Cache for Redis has accepted no new caches since October
		// 2026. The fake refuses every create so a test notices one; the
		// real service's wording is not modelled.
		writeError(w, http.StatusBadRequest, "BadRequest", "Azure Cache for Redis no longer accepts new caches; create an Azure Managed Redis instance instead.")
	case http.MethodPatch:
		s.patchCache(w, c, body)
	case http.MethodDelete:
		if c == nil {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		c.ProvisioningState = "Deleting"
		s.startOp(w, req, r.sub, c.Location, func() { delete(s.caches, key(id)) })
		w.WriteHeader(http.StatusAccepted)
	default:
		writeError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "%s is not allowed here.", req.Method)
	}
}

func (s *Server) patchCache(w http.ResponseWriter, c *Cache, body []byte) {
	if c.ProvisioningState != "Succeeded" {
		writeError(w, http.StatusConflict, "Conflict", "The cache '%s' is busy (%s); retry when the operation in progress has finished.", c.Name, c.ProvisioningState)
		return
	}
	var b cacheUpdateBody
	if !decodeBody(w, body, &b) {
		return
	}
	next := *c
	next.RedisConfiguration = map[string]string{}
	for k, v := range c.RedisConfiguration {
		next.RedisConfiguration[k] = v
	}
	scaling := false
	if p := b.Props; p != nil {
		if p.SKU != nil {
			if err := checkCacheSKU(c.SKU, *p.SKU); err != "" {
				writeError(w, http.StatusBadRequest, "BadRequest", "%s", err)
				return
			}
			scaling = scaling || *p.SKU != c.SKU
			next.SKU = *p.SKU
		}
		if p.ShardCount != nil {
			if next.SKU.Name != "Premium" {
				writeError(w, http.StatusBadRequest, "BadRequest", "Clustering (shardCount) is only available on Premium caches.")
				return
			}
			if c.ShardCount > 0 && *p.ShardCount == 0 {
				writeError(w, http.StatusBadRequest, "BadRequest", "Clustering cannot be disabled once enabled.")
				return
			}
			if *p.ShardCount < 0 || *p.ShardCount > 30 {
				writeError(w, http.StatusBadRequest, "InvalidParameter", "shardCount must be between 1 and 30.")
				return
			}
			scaling = scaling || *p.ShardCount != c.ShardCount
			next.ShardCount = *p.ShardCount
		}
		if p.ReplicasPerPrimary != nil {
			if *p.ReplicasPerPrimary != c.ReplicasPerPrimary && next.SKU.Name != "Premium" {
				writeError(w, http.StatusBadRequest, "BadRequest", "The number of replicas can only be changed on Premium caches.")
				return
			}
			scaling = scaling || *p.ReplicasPerPrimary != c.ReplicasPerPrimary
			next.ReplicasPerPrimary = *p.ReplicasPerPrimary
		}
		if p.EnableNonSSLPort != nil {
			next.EnableNonSSLPort = *p.EnableNonSSLPort
		}
		if p.MinimumTLSVersion != nil {
			next.MinimumTLSVersion = *p.MinimumTLSVersion
		}
		for k, v := range p.RedisConfiguration {
			next.RedisConfiguration[k] = v
		}
	}
	if b.Tags != nil {
		next.Tags = b.Tags
	}
	if !scaling {
		*c = next
		writeJSON(w, http.StatusOK, c.json())
		return
	}
	out := *c
	out.ProvisioningState = "Scaling"
	c.ProvisioningState = "Scaling"
	c.pendingGets = max(s.Polls, 1)
	c.pendingApply = func() {
		next.ProvisioningState = "Succeeded"
		*c = next
	}
	writeJSON(w, http.StatusOK, out.json())
}

// checkCacheSKU enforces the classic service's scaling rules.
func checkCacheSKU(from, to CacheSKU) string {
	wantFamily := "C"
	if to.Name == "Premium" {
		wantFamily = "P"
	}
	if _, ok := tierRank[to.Name]; !ok {
		return fmt.Sprintf("SKU name '%s' is not valid (Basic, Standard or Premium).", to.Name)
	}
	if to.Family != wantFamily {
		return fmt.Sprintf("SKU family '%s' does not match SKU name '%s'.", to.Family, to.Name)
	}
	if (to.Family == "C" && (to.Capacity < 0 || to.Capacity > 6)) || (to.Family == "P" && (to.Capacity < 1 || to.Capacity > 5)) {
		return fmt.Sprintf("Capacity %d is not valid for family %s.", to.Capacity, to.Family)
	}
	if tierRank[to.Name] < tierRank[from.Name] {
		return fmt.Sprintf("Scaling from %s to %s is not supported.", from.Name, to.Name)
	}
	return ""
}

func (s *Server) cacheAction(w http.ResponseWriter, req *http.Request, r route, c *Cache, body []byte) {
	if req.Method != http.MethodPost {
		writeError(w, http.StatusMethodNotAllowed, "MethodNotAllowed", "%s is not allowed here.", req.Method)
		return
	}
	switch strings.ToLower(r.action) {
	case "listkeys":
		writeJSON(w, http.StatusOK, map[string]any{"primaryKey": "classic-pk-" + c.Name, "secondaryKey": "classic-sk-" + c.Name})
	case "export":
		var b struct {
			Container string `json:"container"`
			Prefix    string `json:"prefix"`
		}
		if !decodeBody(w, body, &b) {
			return
		}
		if c.SKU.Name != "Premium" {
			writeError(w, http.StatusBadRequest, "BadRequest", "Export is only supported on Premium caches.")
			return
		}
		if !strings.HasPrefix(b.Container, "https://") || !strings.Contains(b.Container, "sig=") || b.Prefix == "" {
			writeError(w, http.StatusBadRequest, "InvalidParameter", "container must be an https SAS URL (sig=...) and prefix must be set.")
			return
		}
		id := c.ID
		s.startOp(w, req, r.sub, c.Location, func() { s.exports = append(s.exports, Export{ResourceID: id, Target: b.Container, Prefix: b.Prefix}) })
		w.WriteHeader(http.StatusAccepted)
	default:
		writeError(w, http.StatusNotFound, "InvalidResourceType", "Unknown action '%s'.", r.action)
	}
}
