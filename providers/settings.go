package providers

import (
	"errors"

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
