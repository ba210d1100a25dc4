package providers

import (
	"context"
	"time"
)

// DefaultPollInterval is how often a provider polls a long-running operation
// when REDISCTL_POLL_INTERVAL does not say.
const DefaultPollInterval = 10 * time.Second

// Sleep waits for d, or until ctx is done, when it returns ctx's error.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// PollWait waits between two polls of a long-running operation: one
// PollInterval (DefaultPollInterval when unset), or until ctx is done.
func (d Deployment) PollWait(ctx context.Context) error {
	if d.PollInterval <= 0 {
		return Sleep(ctx, DefaultPollInterval)
	}
	return Sleep(ctx, d.PollInterval)
}
