package elasticachefake

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// versions are the engine versions the fake offers, by engine, as
// DescribeCacheClusters reports them.
var versions = map[string][]string{
	"redis":  {"5.0.6", "6.0.5", "6.2.6", "7.0.7", "7.1.0"},
	"valkey": {"7.2.6", "8.0.1", "8.1.0"},
}

// fullVersion resolves a requested version ("7.1", "7.1.0", "5.0.6") to the
// full version the fake runs, or "" when the engine has no such version.
func fullVersion(engine, v string) string {
	for _, full := range versions[engine] {
		if full == v || strings.HasPrefix(full, v+".") {
			return full
		}
	}
	return ""
}

// family is the parameter group family of an engine version.
func family(engine, full string) string {
	major, minor := versionParts(full)
	if engine == "valkey" {
		return fmt.Sprintf("valkey%d", major)
	}
	switch {
	case major >= 7:
		return "redis7"
	case major == 6:
		return "redis6.x"
	}
	return fmt.Sprintf("redis%d.%d", major, minor)
}

var families = map[string]bool{"redis5.0": true, "redis6.x": true, "redis7": true, "valkey7": true, "valkey8": true}

// familyEngine is the engine a family belongs to.
func familyEngine(f string) string {
	if strings.HasPrefix(f, "valkey") {
		return "valkey"
	}
	return "redis"
}

func versionParts(v string) (major, minor int) {
	parts := strings.SplitN(v, ".", 3)
	major, _ = strconv.Atoi(parts[0])
	if len(parts) > 1 {
		minor, _ = strconv.Atoi(parts[1])
	}
	return major, minor
}

// older reports whether version a is older than b (valkey 7.2 counts as
// newer than every redis version, since redis can be upgraded to it).
func older(engineA, a, engineB, b string) bool {
	if engineA != engineB {
		return engineA == "redis"
	}
	ma, na := versionParts(a)
	mb, nb := versionParts(b)
	return ma < mb || (ma == mb && na < nb)
}

// transitInPlace reports whether encryption in transit can be turned on or
// off in place (Redis OSS 7.0.5 and later, every Valkey).
func transitInPlace(engine, full string) bool {
	major, _ := versionParts(full)
	return engine == "valkey" || major >= 7
}

var nodeTypePattern = regexp.MustCompile(`^cache\.[a-z][a-z0-9]*\.[a-z0-9]+$`)

// defaultParameters are the parameters of every family the fake knows, with
// their defaults. maxmemory-policy's default is volatile-lru, as on the service.
var defaultParameters = []xParameter{
	{ParameterName: "activedefrag", ParameterValue: "no", DataType: "string", AllowedValues: "yes,no", ChangeType: "immediate"},
	{ParameterName: "cluster-enabled", ParameterValue: "no", DataType: "string", AllowedValues: "yes,no", ChangeType: "requires-reboot"},
	{ParameterName: "lazyfree-lazy-eviction", ParameterValue: "no", DataType: "string", AllowedValues: "yes,no", ChangeType: "immediate"},
	{ParameterName: "maxmemory-policy", ParameterValue: "volatile-lru", DataType: "string", AllowedValues: "volatile-lru,allkeys-lru,volatile-lfu,allkeys-lfu,volatile-random,allkeys-random,volatile-ttl,noeviction", ChangeType: "immediate"},
	{ParameterName: "maxmemory-samples", ParameterValue: "3", DataType: "integer", AllowedValues: "1-", ChangeType: "immediate"},
	{ParameterName: "notify-keyspace-events", ParameterValue: "", DataType: "string", ChangeType: "immediate"},
	{ParameterName: "reserved-memory-percent", ParameterValue: "25", DataType: "integer", AllowedValues: "0-100", ChangeType: "immediate"},
	{ParameterName: "tcp-keepalive", ParameterValue: "300", DataType: "integer", AllowedValues: "0-", ChangeType: "immediate"},
	{ParameterName: "timeout", ParameterValue: "0", DataType: "integer", AllowedValues: "0,20-", ChangeType: "immediate"},
}

func defaultParameter(name string) (xParameter, bool) {
	for _, p := range defaultParameters {
		if p.ParameterName == name {
			return p, true
		}
	}
	return xParameter{}, false
}

// checkParameterValue applies a parameter's AllowedValues.
func checkParameterValue(p xParameter, v string) *apiError {
	switch p.DataType {
	case "integer":
		if _, err := strconv.Atoi(v); err != nil {
			return invalid("parameter %s takes an integer, got %q", p.ParameterName, v)
		}
	case "string":
		if p.AllowedValues == "" {
			return nil
		}
		for _, a := range strings.Split(p.AllowedValues, ",") {
			if a == v {
				return nil
			}
		}
		return invalid("%q is not a valid value for parameter %s (allowed: %s)", v, p.ParameterName, p.AllowedValues)
	}
	return nil
}

var (
	snapshotWindow    = regexp.MustCompile(`^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$`)
	maintenanceWindow = regexp.MustCompile(`^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d-(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d$`)
)

// checkAuthToken applies the service's AUTH token rules.
func checkAuthToken(t string) *apiError {
	if len(t) < 16 || len(t) > 128 {
		return invalid("Invalid AuthToken provided: it must be 16 to 128 characters long")
	}
	for _, c := range t {
		if c < 0x20 || c > 0x7e || strings.ContainsRune(`/"@%`, c) {
			return invalid("Invalid AuthToken provided: only printable ASCII characters other than /, \", @ and %% are allowed")
		}
	}
	return nil
}
