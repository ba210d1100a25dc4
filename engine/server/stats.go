package server

import (
	"math"
	"math/bits"
	"strings"
	"sync/atomic"
	"time"
)

// loopStats are the counters of one network loop (or of the std driver),
// kept apart so loops never share a cache line on the hot path; INFO sums
// them.
type loopStats struct {
	commands atomic.Int64 // total_commands_processed
	netIn    atomic.Int64
	netOut   atomic.Int64
	dirty    atomic.Int64 // changes since the last save
	cmds     []cmdStat    // by Command.id
}

type cmdStat struct {
	calls, usec, rejected, failed atomic.Int64
	// hist counts calls by latency: bucket b holds durations in
	// [2^(b-1), 2^b) ns, bucket 0 zero.
	hist [latencyBuckets]atomic.Int64
}

const latencyBuckets = 48

func (s *Server) newLoopStats() *loopStats {
	ls := &loopStats{cmds: make([]cmdStat, len(s.cmds.all))}
	s.loops = append(s.loops, ls)
	return ls
}

func (s *Server) commandDone(c *Client, cmd *Command, dur time.Duration) {
	s.countCommand(c, cmd, dur)
	s.feedMonitors(c, cmd)
}

// countCommand feeds the command statistics and the slowlog.
func (s *Server) countCommand(c *Client, cmd *Command, dur time.Duration) {
	st := &c.stats.cmds[cmd.id]
	st.calls.Add(1)
	st.usec.Add(int64(dur / time.Microsecond))
	if s.latencyTracking.Load() {
		st.hist[min(bits.Len64(uint64(dur)), latencyBuckets-1)].Add(1)
	}
	if c.flags&flagErrored != 0 {
		st.failed.Add(1)
	}
	c.stats.commands.Add(1)
	s.slowlogAdd(c, cmd, dur)
}

// commandRejected counts a command refused before it ran (arity, auth,
// OOM...): its rejected_calls, but, as in Redis, not total_commands_processed.
func (s *Server) commandRejected(ls *loopStats, cmd *Command) {
	ls.cmds[cmd.id].rejected.Add(1)
}

// countError feeds INFO errorstats: errors are counted by their code, the
// first word of the message.
func (s *Server) countError(msg string) {
	code := msg
	if i := strings.IndexByte(msg, ' '); i >= 0 {
		code = msg[:i]
	}
	s.errMu.Lock()
	if _, ok := s.errCounts[code]; ok || len(s.errCounts) < 128 {
		s.errCounts[code]++
	}
	s.errMu.Unlock()
}

// totals sums the per-loop counters.
func (s *Server) totals() (commands, netIn, netOut, dirty int64) {
	for _, l := range s.loops {
		commands += l.commands.Load()
		netIn += l.netIn.Load()
		netOut += l.netOut.Load()
		dirty += l.dirty.Load()
	}
	return
}

func (s *Server) resetStats() {
	for _, l := range s.loops {
		l.commands.Store(0)
		l.netIn.Store(0)
		l.netOut.Store(0)
		for i := range l.cmds {
			for b := range l.cmds[i].hist {
				l.cmds[i].hist[b].Store(0)
			}
			l.cmds[i].calls.Store(0)
			l.cmds[i].usec.Store(0)
			l.cmds[i].rejected.Store(0)
			l.cmds[i].failed.Store(0)
		}
	}
	s.errMu.Lock()
	s.errCounts = map[string]int64{}
	s.errMu.Unlock()
	s.stats.connections.Store(0)
	s.stats.rejected.Store(0)
	s.ks.ResetStats()
}

// Instantaneous rates (INFO's instantaneous_*), from the last 16 samples
// the cron takes, like Redis's trackInstantaneousMetric.
type rateSamples struct {
	last      [3]int64 // commands, net in, net out at the previous sample
	lastAt    time.Time
	samples   [3][16]float64
	idx       int
	instOps   atomic.Int64
	instInKB  atomic.Int64 // kbps * 100
	instOutKB atomic.Int64
}

func (s *Server) sampleStats(now time.Time) {
	r := &s.rates
	commands, in, out, _ := s.totals()
	cur := [3]int64{commands, in, out}
	if !r.lastAt.IsZero() {
		dt := now.Sub(r.lastAt).Seconds()
		if dt > 0 {
			for i := range cur {
				r.samples[i][r.idx%16] = float64(cur[i]-r.last[i]) / dt
			}
			r.idx++
			avg := func(i int) float64 {
				n := min(r.idx, 16)
				sum := 0.0
				for _, v := range r.samples[i][:n] {
					sum += v
				}
				return sum / float64(n)
			}
			r.instOps.Store(int64(avg(0)))
			r.instInKB.Store(int64(avg(1) / 1024 * 100))
			r.instOutKB.Store(int64(avg(2) / 1024 * 100))
		}
	}
	r.last, r.lastAt = cur, now
}

// latencyHistogram sums cmd's latency buckets over the loops.
func (s *Server) latencyHistogram(cmd *Command) (calls int64, hist [latencyBuckets]int64) {
	for _, l := range s.loops {
		st := &l.cmds[cmd.id]
		for b := range hist {
			n := st.hist[b].Load()
			hist[b] += n
			calls += n
		}
	}
	return calls, hist
}

// latencyPercentile returns the latency in µs below which p percent of
// the calls fell, at the resolution of the buckets (their upper bound).
func latencyPercentile(hist [latencyBuckets]int64, calls int64, p float64) float64 {
	if calls == 0 {
		return 0
	}
	want := int64(math.Ceil(float64(calls) * p / 100))
	var seen int64
	for b, n := range hist {
		seen += n
		if seen >= max(want, 1) {
			return float64(uint64(1)<<uint(b)) / 1000
		}
	}
	return float64(uint64(1)<<(latencyBuckets-1)) / 1000
}
