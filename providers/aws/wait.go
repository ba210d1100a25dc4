package aws

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/elasticache"
	"github.com/aws/aws-sdk-go-v2/service/elasticache/types"
)

// reporter prints a waiting line when the status changes, and otherwise at
// most once a minute, with the time waited so far.
type reporter struct {
	progress func(string)
	target   string
	start    time.Time
	last     string
	printed  time.Time
}

func newReporter(progress func(string), target string) *reporter {
	return &reporter{progress: progress, target: target, start: time.Now()}
}

func (r *reporter) see(status string) {
	now := time.Now()
	if status == r.last && now.Sub(r.printed) < time.Minute {
		return
	}
	r.last, r.printed = status, now
	r.progress(fmt.Sprintf("%s → %s [%s elapsed]", status, r.target, now.Sub(r.start).Round(time.Second)))
}

func (p *Provider) maxWait() time.Duration {
	if p.MaxWait > 0 {
		return p.MaxWait
	}
	return 4 * time.Hour
}

func pollDelay(poll time.Duration) time.Duration {
	if poll <= 0 {
		return 10 * time.Second
	}
	return poll
}

// waitAvailable polls the replication group with the SDK's waiter, at the
// deployment's poll interval, until it is available.
func (p *Provider) waitAvailable(ctx context.Context, api *elasticache.Client, id string, poll time.Duration, progress func(string)) (*types.ReplicationGroup, error) {
	rep := newReporter(progress, statusAvailable)
	var group *types.ReplicationGroup
	w := elasticache.NewReplicationGroupAvailableWaiter(api, func(o *elasticache.ReplicationGroupAvailableWaiterOptions) {
		o.MinDelay, o.MaxDelay = pollDelay(poll), pollDelay(poll)
		o.Retryable = func(_ context.Context, _ *elasticache.DescribeReplicationGroupsInput, out *elasticache.DescribeReplicationGroupsOutput, err error) (bool, error) {
			var nf *types.ReplicationGroupNotFoundFault
			switch {
			case errors.As(err, &nf):
				return false, fmt.Errorf("replication group %s disappeared while redisctl waited for it (deleted outside redisctl?)", id)
			case err != nil:
				return false, explain("describe replication group "+id, err)
			case len(out.ReplicationGroups) == 0:
				return false, fmt.Errorf("replication group %s disappeared while redisctl waited for it", id)
			}
			group = &out.ReplicationGroups[0]
			status := normalStatus(aws.ToString(group.Status))
			switch status {
			case statusAvailable:
				return false, nil
			case "create-failed":
				return false, fmt.Errorf("ElastiCache could not create replication group %s (status create-failed): see its events (aws elasticache describe-events --source-type replication-group --source-identifier %s), then run redisctl destroy and apply again", id, id)
			case statusDeleting:
				return false, fmt.Errorf("replication group %s is being deleted (outside redisctl?)", id)
			}
			rep.see(status)
			return true, nil
		}
	})
	if _, err := w.WaitForOutput(ctx, &elasticache.DescribeReplicationGroupsInput{ReplicationGroupId: aws.String(id)}, p.maxWait()); err != nil {
		return nil, fmt.Errorf("wait for replication group %s: %w", id, err)
	}
	return group, nil
}

// waitDeleted polls until the replication group is gone.
func (p *Provider) waitDeleted(ctx context.Context, api *elasticache.Client, id string, poll time.Duration, progress func(string)) error {
	rep := newReporter(progress, "deleted")
	w := elasticache.NewReplicationGroupDeletedWaiter(api, func(o *elasticache.ReplicationGroupDeletedWaiterOptions) {
		o.MinDelay, o.MaxDelay = pollDelay(poll), pollDelay(poll)
		o.Retryable = func(_ context.Context, _ *elasticache.DescribeReplicationGroupsInput, out *elasticache.DescribeReplicationGroupsOutput, err error) (bool, error) {
			var nf *types.ReplicationGroupNotFoundFault
			switch {
			case errors.As(err, &nf):
				return false, nil
			case err != nil:
				return false, explain("describe replication group "+id, err)
			case len(out.ReplicationGroups) == 0:
				return false, nil
			}
			rep.see(aws.ToString(out.ReplicationGroups[0].Status))
			return true, nil
		}
	})
	if err := w.Wait(ctx, &elasticache.DescribeReplicationGroupsInput{ReplicationGroupId: aws.String(id)}, p.maxWait()); err != nil {
		return fmt.Errorf("wait for replication group %s to be deleted: %w", id, err)
	}
	return nil
}
