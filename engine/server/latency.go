package server

import (
	"fmt"
	"strings"
	"sync"
	"time"
)

// LATENCY.

type latencySample struct{ at, ms int64 }

type latencyEvent struct {
	samples []latencySample // oldest first, at most 160
	max     int64
}

type latencyMonitor struct {
	mu     sync.Mutex
	events map[string]*latencyEvent
}

func (l *latencyMonitor) add(event string, ms int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.events == nil {
		l.events = map[string]*latencyEvent{}
	}
	ev := l.events[event]
	if ev == nil {
		ev = &latencyEvent{}
		l.events[event] = ev
	}
	now := time.Now().Unix()
	if n := len(ev.samples); n > 0 && ev.samples[n-1].at == now {
		ev.samples[n-1].ms = max(ev.samples[n-1].ms, ms)
	} else {
		ev.samples = append(ev.samples, latencySample{now, ms})
		if len(ev.samples) > 160 {
			ev.samples = ev.samples[1:]
		}
	}
	ev.max = max(ev.max, ms)
}

func latencyCommand() *Command {
	f := "admin noscript loading stale"
	acl := "@admin @slow @dangerous"
	tips := []string{"nondeterministic_output", "request_policy:all_nodes", "response_policy:special"}
	return &Command{Name: "latency", Arity: -2, ACL: "@slow", Group: "server", Since: "2.8.13",
		Summary: "A container for latency diagnostics commands", Complexity: "Depends on subcommand.",
		Sub: []*Command{
			{Name: "latest", Arity: 2, Flags: f, ACL: acl, Tips: tips, Handler: latencyLatestCommand,
				Group: "server", Since: "2.8.13", Summary: "Return the latest latency samples for all events.", Complexity: "O(1)"},
			{Name: "history", Arity: 3, Flags: f, ACL: acl, Tips: tips, Handler: latencyHistoryCommand,
				Group: "server", Since: "2.8.13", Summary: "Return timestamp-latency samples for the event.", Complexity: "O(1)"},
			{Name: "reset", Arity: -2, Flags: f, ACL: acl, Tips: []string{"request_policy:all_nodes", "response_policy:all_succeeded"}, Handler: latencyResetCommand,
				Group: "server", Since: "2.8.13", Summary: "Reset latency data for one or more events.", Complexity: "O(1)"},
			{Name: "doctor", Arity: 2, Flags: f, ACL: acl, Tips: tips, Handler: latencyDoctorCommand,
				Group: "server", Since: "2.8.13", Summary: "Return a human readable latency analysis report.", Complexity: "O(1)"},
			{Name: "graph", Arity: 3, Flags: f, ACL: acl, Tips: tips, Handler: latencyGraphCommand,
				Group: "server", Since: "2.8.13", Summary: "Return a latency graph for the event.", Complexity: "O(1)"},
			{Name: "histogram", Arity: -2, Flags: f, ACL: acl, Tips: tips, Handler: latencyHistogramCommand,
				Group: "server", Since: "7.0.0", Summary: "Return the cumulative distribution of latencies of a subset of commands or all.", Complexity: "O(N) where N is the number of commands with latency information being retrieved."},
			{Name: "help", Arity: 2, Flags: "loading stale", ACL: "@slow", Handler: func(c *Client) {
				c.addHelp(
					"DOCTOR",
					"    Return a human readable latency analysis report.",
					"GRAPH <event>",
					"    Return an ASCII latency graph for the <event> class.",
					"HISTORY <event>",
					"    Return time-latency samples for the <event> class.",
					"LATEST",
					"    Return the latest latency samples for all events.",
					"RESET [<event> ...]",
					"    Reset latency data of one or more <event> classes.",
					"    (default: reset all data for all event classes)",
					"HISTOGRAM [COMMAND ...]",
					"    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
					"    If no commands are specified then all histograms are replied.",
				)
			}, Group: "server", Since: "2.8.13", Summary: "Show helpful text about the different subcommands.", Complexity: "O(1)"},
		}}
}

func latencyLatestCommand(c *Client) {
	l := &c.srv.latency
	l.mu.Lock()
	defer l.mu.Unlock()
	names := make([]string, 0, len(l.events))
	for n := range l.events {
		names = append(names, n)
	}
	c.addArrayLen(len(names))
	for _, n := range names {
		ev := l.events[n]
		last := ev.samples[len(ev.samples)-1]
		c.addArrayLen(4)
		c.addBulkStr(n)
		c.addInt(last.at)
		c.addInt(last.ms)
		c.addInt(ev.max)
	}
}

func latencyHistoryCommand(c *Client) {
	l := &c.srv.latency
	l.mu.Lock()
	defer l.mu.Unlock()
	ev := l.events[string(c.argv[2])]
	if ev == nil {
		c.addArrayLen(0)
		return
	}
	c.addArrayLen(len(ev.samples))
	for _, s := range ev.samples {
		c.addArrayLen(2)
		c.addInt(s.at)
		c.addInt(s.ms)
	}
}

func latencyResetCommand(c *Client) {
	l := &c.srv.latency
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	if len(c.argv) == 2 {
		n = len(l.events)
		l.events = nil
	} else {
		for _, a := range c.argv[2:] {
			if _, ok := l.events[string(a)]; ok {
				delete(l.events, string(a))
				n++
			}
		}
	}
	c.addInt(int64(n))
}

func latencyDoctorCommand(c *Client) {
	l := &c.srv.latency
	l.mu.Lock()
	n := len(l.events)
	l.mu.Unlock()
	var text string
	if n == 0 {
		if c.srv.cfg.Int("latency-monitor-threshold") == 0 {
			text = "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we weren't in a deep space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n"
		} else {
			text = "Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sleep tonight.\n"
		}
	} else {
		text = fmt.Sprintf("Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n%d event(s) were recorded; see LATENCY LATEST.\n", n)
	}
	c.addVerbatim([]byte(text))
}

func latencyGraphCommand(c *Client) {
	l := &c.srv.latency
	l.mu.Lock()
	defer l.mu.Unlock()
	ev := l.events[string(c.argv[2])]
	if ev == nil {
		c.addError("ERR No samples available for event '" + sanitize(c.argv[2]) + "'")
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s - high %d ms, low %d ms (all time high %d ms)\n", c.argv[2], ev.max, ev.samples[0].ms, ev.max)
	b.WriteString(strings.Repeat("-", 80) + "\n")
	for _, s := range ev.samples {
		fmt.Fprintf(&b, "%d %d\n", s.at, s.ms)
	}
	c.addVerbatim([]byte(b.String()))
}

func latencyHistogramCommand(c *Client) {
	var cmds []*Command
	if len(c.argv) == 2 {
		cmds = c.srv.cmds.all
	} else {
		for _, a := range c.argv[2:] {
			if cmd := c.srv.lookupFullName(string(a)); cmd != nil {
				cmds = append(cmds, cmd)
			}
		}
	}
	type row struct {
		name  string
		calls int64
		hist  [latencyBuckets]int64
	}
	var rows []row
	for _, cmd := range cmds {
		if calls, hist := c.srv.latencyHistogram(cmd); calls > 0 {
			rows = append(rows, row{cmd.fullName, calls, hist})
		}
	}
	c.addMapLen(len(rows))
	for _, r := range rows {
		c.addBulkStr(r.name)
		c.addMapLen(2)
		c.addBulkStr("calls")
		c.addInt(r.calls)
		c.addBulkStr("histogram_usec")
		// Cumulative counts at power-of-two microsecond bounds, as Redis
		// reports them.
		type point struct{ usec, n int64 }
		var pts []point
		var cum int64
		for b, n := range r.hist {
			cum += n
			if n == 0 {
				continue
			}
			usec := max(int64(uint64(1)<<uint(b))/1000, 1)
			if len(pts) > 0 && pts[len(pts)-1].usec == usec {
				pts[len(pts)-1].n = cum
				continue
			}
			pts = append(pts, point{usec, cum})
		}
		c.addMapLen(len(pts))
		for _, p := range pts {
			c.addInt(p.usec)
			c.addInt(p.n)
		}
	}
}
