package providers

import "fmt"

// Impact classifies what a change does to clients and data, from harmless to
// destructive. The order matters: a plan's impact is its worst change's.
type Impact int

// The impact classes, in increasing order of disruption.
const (
	// ImpactNone: nothing running is touched (e.g. a new resource).
	ImpactNone Impact = iota
	// ImpactMetadata: only labels, tags or descriptions change.
	ImpactMetadata
	// ImpactOnline: applied live; clients keep their connections.
	ImpactOnline
	// ImpactReconnect: clients are disconnected or must change how they connect.
	ImpactReconnect
	// ImpactRollingFailover: nodes restart or fail over one at a time.
	ImpactRollingFailover
	// ImpactDataLoss: data is deleted or cannot survive the change.
	ImpactDataLoss
)

var impactNames = [...]string{"none", "metadata", "online", "reconnect", "rolling-failover", "data-loss"}

// String returns the impact's name as plans print it.
func (i Impact) String() string {
	if i < 0 || int(i) >= len(impactNames) {
		panic(fmt.Sprintf("providers: impossible impact %d", int(i)))
	}
	return impactNames[i]
}

// ParseImpact reads an impact name.
func ParseImpact(s string) (Impact, error) {
	for i, n := range impactNames {
		if n == s {
			return Impact(i), nil
		}
	}
	return 0, fmt.Errorf("unknown impact %q (want one of none, metadata, online, reconnect, rolling-failover, data-loss)", s)
}

// Disruptive reports whether clients notice the change.
func (i Impact) Disruptive() bool { return i >= ImpactReconnect }

// MarshalText writes the impact's name.
func (i Impact) MarshalText() ([]byte, error) { return []byte(i.String()), nil }

// UnmarshalText reads an impact name.
func (i *Impact) UnmarshalText(b []byte) error {
	v, err := ParseImpact(string(b))
	*i = v
	return err
}

// Worst returns the more disruptive of two impacts.
func Worst(a, b Impact) Impact {
	if b > a {
		return b
	}
	return a
}

// Action is what a change does to a resource.
type Action string

// The actions a plan can hold.
const (
	ActionCreate  Action = "create"
	ActionUpdate  Action = "update"
	ActionReplace Action = "replace"
	ActionDelete  Action = "delete"
)

// Symbol is the action's sign in a human plan.
func (a Action) Symbol() string {
	switch a {
	case ActionCreate:
		return "+"
	case ActionUpdate:
		return "~"
	case ActionReplace:
		return "-/+"
	case ActionDelete:
		return "-"
	}
	panic(fmt.Sprintf("providers: impossible action %q", string(a)))
}

// UpdateMode says how a provider applies a change to one attribute.
type UpdateMode string

// The ways an attribute change can be applied.
const (
	// InPlace: the running resource takes the new value.
	InPlace UpdateMode = "in-place"
	// Failover: applied node by node with a failover (rolling).
	Failover UpdateMode = "failover"
	// Replace: the resource is destroyed and created again.
	Replace UpdateMode = "replace"
	// Unsupported: the provider cannot make this change at all.
	Unsupported UpdateMode = "unsupported"
)
