package server

import (
	"time"

	"golang.org/x/sys/unix"
)

// userHZ is the unit of /proc/stat's counters: USER_HZ, 100 on every
// architecture Go runs Linux on.
const userHZ = 100

// cpuIdleMeter measures how many of the machine's CPUs sat idle between
// two readings of /proc/stat (the idle and iowait time of all CPUs).
type cpuIdleMeter struct {
	last  uint64 // idle+iowait ticks at the previous reading
	valid bool   // last holds a reading
	buf   [256]byte
}

// idleCPUs returns the average number of idle CPUs over interval, the time
// since the previous call; negative when unknown (the first call, or
// /proc/stat unreadable).
func (m *cpuIdleMeter) idleCPUs(interval time.Duration) float64 {
	ticks, ok := m.read()
	prev, valid := m.last, m.valid
	m.last, m.valid = ticks, ok
	if !ok || !valid || ticks < prev || interval <= 0 {
		return -1
	}
	return float64(ticks-prev) / userHZ / interval.Seconds()
}

func (m *cpuIdleMeter) read() (uint64, bool) {
	fd, err := unix.Open("/proc/stat", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return 0, false
	}
	n, err := unix.Read(fd, m.buf[:])
	unix.Close(fd)
	if err != nil {
		return 0, false
	}
	return parseProcStatIdle(m.buf[:n])
}

// parseProcStatIdle returns idle+iowait from the aggregate first line of
// /proc/stat: "cpu  user nice system idle iowait irq ...".
func parseProcStatIdle(b []byte) (uint64, bool) {
	if len(b) < 4 || string(b[:4]) != "cpu " {
		return 0, false
	}
	var total uint64
	field, i := 0, 4
	for field < 5 {
		for i < len(b) && b[i] == ' ' {
			i++
		}
		start := i
		var v uint64
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			v = v*10 + uint64(b[i]-'0')
			i++
		}
		if i == start {
			return 0, false
		}
		if field >= 3 {
			total += v
		}
		field++
	}
	return total, true
}
