package providers

import (
	"maps"
	"slices"
	"strings"
)

// JoinPairs writes a map-valued attribute (labels, tags, parameters) as
// key=value pairs in key order, joined by commas, so that equal maps give
// equal attributes.
func JoinPairs(m map[string]string) string {
	parts := make([]string, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, k+"="+m[k])
	}
	return strings.Join(parts, ",")
}

// SplitPairs reads an attribute JoinPairs wrote ("" is an empty map).
func SplitPairs(s string) map[string]string {
	out := map[string]string{}
	if s == "" {
		return out
	}
	for _, kv := range strings.Split(s, ",") {
		k, v, _ := strings.Cut(kv, "=")
		out[k] = v
	}
	return out
}
