package server

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Snapshots are written to temp files named after the writing process
// (temp-<pid>.rdb, temp-bg-<pid>.rdb, temp-rewriteaof-bg-<pid>.aof) and
// renamed when complete. A process killed mid-snapshot leaves its temp
// file, as large as the dataset; with no fork, the snapshot dies with the
// process, so nothing will ever finish it. removeStaleTempFiles deletes
// those of processes that are gone (or of this pid: a restarted container
// reuses it, and no snapshot of ours runs yet) before the data is loaded.
func (p *persistence) removeStaleTempFiles() {
	s := p.s
	p.removeTemps(filepath.Dir(s.rdbPath()), "temp-", ".rdb", "bg-")
	p.removeTemps(s.aofDir(), "temp-rewriteaof-bg-", ".aof", "")
}

// removeTemps removes prefix[extra]<pid>suffix files in dir whose pid is
// stale.
func (p *persistence) removeTemps(dir, prefix, suffix, extra string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		name := e.Name()
		mid, ok := strings.CutPrefix(name, prefix)
		if !ok || !strings.HasSuffix(mid, suffix) || !e.Type().IsRegular() {
			continue
		}
		mid = strings.TrimPrefix(strings.TrimSuffix(mid, suffix), extra)
		pid, err := strconv.Atoi(mid)
		if err != nil || pid <= 0 || !staleOwner(pid) {
			continue
		}
		if err := os.Remove(filepath.Join(dir, name)); err == nil {
			p.s.logf(levelNotice, "Removed the temp file %s left by a stopped server (pid %d)", name, pid)
		}
	}
}
