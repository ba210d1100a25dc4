package cmd

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/redisctl/redisctl/cmd/iostreams"
)

// TestApplyAsksOnATerminal: apply shows the plan and applies only after
// "yes"; anything else cancels; without a terminal it needs --auto-approve.
func TestApplyAsksOnATerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server process; skipped with -short")
	}
	dir := t.TempDir()
	t.Cleanup(func() { killUnder(dir) })
	base, err := freePorts(1)
	if err != nil {
		t.Fatal(err)
	}
	spec := writeSpec(t, fmt.Sprintf("%smemory: 32Mi\nnetwork:\n  basePort: %d\n", specHeader, base))
	stateDir := filepath.Join(dir, "state")
	run := func(tty bool, answer string, args ...string) (int, string, string) {
		ios, in, out, errOut := iostreams.Test()
		ios.SetTTY(tty, tty, tty)
		in.WriteString(answer)
		code := Run(context.Background(), append(args, "-f", spec, "--state-dir", stateDir), ios)
		return code, out.String(), errOut.String()
	}

	code, out, errOut := run(false, "", "apply")
	if code != 1 || !strings.Contains(errOut, "apply needs confirmation") || !strings.Contains(out, "1 to add") {
		t.Errorf("no terminal: exit %d\n%s\n%s", code, out, errOut)
	}
	code, _, errOut = run(true, "no\n", "apply")
	if code != exitCancelled || !strings.Contains(errOut, "Only 'yes' will be accepted") {
		t.Errorf("answered no: exit %d\n%s", code, errOut)
	}
	code, out, errOut = run(true, "yes\n", "apply")
	if code != 0 || !strings.Contains(out, "Apply complete! Resources: 1 added") {
		t.Fatalf("answered yes: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, _ = run(true, "", "plan", "--detailed-exitcode")
	if code != 0 || !strings.Contains(out, "No changes.") {
		t.Errorf("plan after apply: exit %d\n%s", code, out)
	}
	code, _, errOut = run(true, "nope\n", "destroy")
	if code != exitCancelled {
		t.Errorf("destroy answered nope: exit %d %s", code, errOut)
	}
	code, out, errOut = run(true, "yes\n", "destroy")
	if code != 0 || !strings.Contains(out, "1 destroyed") {
		t.Errorf("destroy answered yes: exit %d\n%s\n%s", code, out, errOut)
	}
}
