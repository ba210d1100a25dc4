package azure

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"

	"github.com/redisctl/redisctl/providers"
)

// Journal keys: the resume token of each long-running operation a change
// starts, recorded before waiting so a re-run resumes instead of starting it
// again.
const (
	jCreate     = "create_op"
	jUpdate     = "update_op"
	jDelete     = "delete_op"
	jExport     = "export_op"
	jExportDone = "export_done"
)

// Private keys kept in state.
const (
	privState     = "provisioning" // provisioningState when last read
	privResume    = "resume_op"    // token of an operation still running when last read
	privResumeFor = "resume_kind"  // what that operation does (jCreate, jUpdate, jDelete)
	privTagKeys   = "tag_keys"     // the tags redisctl manages, comma-separated
	privSub       = "subscription"
)

// op drives one long-running operation: it journals the resume token and
// polls at the deployment's interval, reporting each state change.
type op struct {
	req  providers.ApplyRequest
	what string // "creating cluster", for progress lines
}

// start records a new poller's resume token under key.
func start[T any](o op, key string, p *runtime.Poller[T], err error) (*runtime.Poller[T], error) {
	if err != nil {
		return nil, explain(o.what, err)
	}
	if !p.Done() {
		tok, err := p.ResumeToken()
		if err != nil {
			return nil, fmt.Errorf("%s: resume token: %w", o.what, err)
		}
		if err := o.req.Record(key, tok); err != nil {
			return nil, err
		}
	}
	o.req.Progress(o.what + ": accepted by Azure")
	return p, nil
}

// startAndWait records a new operation's resume token under key, then waits
// for the operation to end.
func startAndWait[T any](ctx context.Context, o op, key string, p *runtime.Poller[T], err error) error {
	if p, err = start(o, key, p, err); err != nil {
		return err
	}
	_, err = wait(ctx, o, p)
	return err
}

// resumed waits for an operation an earlier run started: p is its poller,
// rebuilt from the resume token (err is Begin's error).
func resumed[T any](ctx context.Context, o op, p *runtime.Poller[T], err error) error {
	o.req.Progress(o.what + ": resuming the wait for the operation an earlier run started")
	if err != nil {
		return explain(o.what, err)
	}
	_, err = wait(ctx, o, p)
	return err
}

// wait polls until the operation ends and returns its result.
func wait[T any](ctx context.Context, o op, p *runtime.Poller[T]) (T, error) {
	begin := time.Now()
	last := ""
	for !p.Done() {
		if err := o.req.PollWait(ctx); err != nil {
			var zero T
			return zero, err
		}
		resp, err := p.Poll(ctx)
		if err != nil {
			var zero T
			return zero, explain(o.what, err)
		}
		if st := pollStatus(resp); st != "" && st != last {
			o.req.Progress(fmt.Sprintf("%s: %s [%s elapsed]", o.what, st, time.Since(begin).Round(time.Second)))
			last = st
		}
	}
	out, err := p.Result(ctx)
	if err != nil {
		return out, explain(o.what, err)
	}
	return out, nil
}

// settle polls get until the resource leaves a transitional state (an
// operation started by an interrupted run, or by someone else).
func settle(ctx context.Context, o op, get func() (string, error)) error {
	begin := time.Now()
	last := ""
	for {
		st, err := get()
		if err != nil {
			return err
		}
		if !busy(st) {
			if st == "Failed" {
				return fmt.Errorf("%s: Azure reports provisioningState Failed; look at the resource's activity log for the cause; the next plan replaces the failed resource", o.what)
			}
			return nil
		}
		if st != last {
			o.req.Progress(fmt.Sprintf("%s: waiting for the operation in progress: %s [%s elapsed]", o.what, st, time.Since(begin).Round(time.Second)))
			last = st
		}
		if err := o.req.PollWait(ctx); err != nil {
			return err
		}
	}
}

// busy reports whether a provisioningState is transitional.
func busy(state string) bool {
	switch state {
	case "", "Succeeded", "Failed", "Canceled":
		return false
	}
	return true
}

// pollStatus reads the state a poll response reports: an operation's status
// or a resource's provisioningState.
func pollStatus(resp *http.Response) string {
	if resp == nil {
		return ""
	}
	b, err := runtime.Payload(resp)
	if err != nil || len(b) == 0 {
		return ""
	}
	var v struct {
		Status     string `json:"status"`
		Properties struct {
			ProvisioningState string `json:"provisioningState"`
		} `json:"properties"`
	}
	if json.Unmarshal(b, &v) != nil {
		return ""
	}
	if v.Status != "" {
		return v.Status
	}
	return v.Properties.ProvisioningState
}
