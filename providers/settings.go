package providers

import (
	"errors"
	"fmt"

	"github.com/redisctl/redisctl/topology"
)

// DecodeSettings strictly decodes the spec's provider block into out, a
// pointer to the provider's settings struct (see topology.DecodeSettings).
// Mistakes in the block come back as the response Validate gives for them,
// with a nil error; (nil, nil) means out holds the settings.
func DecodeSettings(spec *topology.Spec, out any) (*ValidateResponse, error) {
	err := topology.DecodeSettings(spec, out)
	var probs topology.Problems
	if errors.As(err, &probs) {
		return &ValidateResponse{Problems: probs}, nil
	}
	return nil, err
}

// Findings collects what a provider's Validate reports about Spec into
// Response.
type Findings struct {
	Spec     *topology.Spec
	Response *ValidateResponse
}

// Problemf reports a mistake in the field at path, positioned where the spec
// file writes it.
func (f Findings) Problemf(path, format string, args ...any) {
	f.Response.Problems = append(f.Response.Problems, f.Spec.Problemf(path, format, args...))
}

// Warnf reports something that does not stop the plan.
func (f Findings) Warnf(format string, args ...any) {
	f.Response.Warnings = append(f.Response.Warnings, fmt.Sprintf(format, args...))
}
