package local

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/topology"
)

var _ providers.Backuper = (*Provider)(nil)

// primaries lists the data nodes that hold data of their own.
func primaries(d providers.Deployment, rs []providers.Resource) []providers.Resource {
	shards := map[string]topology.Node{}
	for _, n := range d.Nodes.Nodes {
		shards[n.Name] = n
	}
	var out []providers.Resource
	for _, r := range rs {
		if r.Type == typeNode && r.Attrs["role"] == string(topology.RolePrimary) {
			out = append(out, r)
		}
	}
	return out
}

// Backup takes a BGSAVE on every primary and copies each RDB file out.
func (p *Provider) Backup(ctx context.Context, req providers.BackupRequest) (*providers.BackupResponse, error) {
	resp := &providers.BackupResponse{}
	nodes := map[string]topology.Node{}
	for _, n := range req.Nodes.Nodes {
		nodes[n.Name] = n
	}
	for _, r := range primaries(req.Deployment, req.Resources) {
		nodeDir := r.Private[privDir]
		port, _ := strconv.Atoi(r.Attrs["port"])
		c := dial(connectHost(r.Attrs["bind"]), port, nodePassword(nodeDir))
		rdb, err := snapshot(ctx, c, req.Progress, r.Name, p.StartTimeout*6)
		c.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.Name, err)
		}
		name := r.Name + ".rdb"
		size, sum, err := copyFile(rdb, filepath.Join(req.Dir, name))
		if err != nil {
			return nil, fmt.Errorf("%s: copy snapshot: %w", r.Name, err)
		}
		n := nodes[r.Name]
		resp.Files = append(resp.Files, providers.BackupFile{Node: r.Name, Shard: n.Shard, Slots: formatSlots(n.Slots), File: name, Bytes: size, SHA256: sum})
		req.Progress(fmt.Sprintf("%s: %d bytes", r.Name, size))
	}
	return resp, nil
}

// snapshot runs BGSAVE, waits for it to finish and returns the RDB's path.
func snapshot(ctx context.Context, c *redis.Client, progress func(string), name string, timeout time.Duration) (string, error) {
	before, err := c.LastSave(ctx).Result()
	if err != nil {
		return "", fmt.Errorf("LASTSAVE: %w", err)
	}
	// LASTSAVE counts whole seconds: start in a later second than the last
	// save, so this one is told apart from it.
	if wait := time.Until(time.Unix(before+1, 0)); wait > 0 {
		if err := providers.Sleep(ctx, wait); err != nil {
			return "", err
		}
	}
	if err := c.BgSave(ctx).Err(); err != nil && !strings.Contains(err.Error(), "already in progress") {
		return "", fmt.Errorf("BGSAVE: %w", err)
	}
	progress(name + ": BGSAVE")
	deadline := time.Now().Add(timeout)
	for {
		info, err := c.Info(ctx, "persistence").Result()
		if err != nil {
			return "", fmt.Errorf("INFO persistence: %w", err)
		}
		f := infoFields(info)
		last, _ := strconv.ParseInt(f["rdb_last_save_time"], 10, 64)
		if f["rdb_bgsave_in_progress"] == "0" && last > before {
			if f["rdb_last_bgsave_status"] != "ok" {
				return "", fmt.Errorf("BGSAVE failed (rdb_last_bgsave_status:%s); see the node's log", f["rdb_last_bgsave_status"])
			}
			break
		}
		if time.Now().After(deadline) {
			return "", fmt.Errorf("BGSAVE did not finish within %s", timeout)
		}
		if err := providers.Sleep(ctx, 20*time.Millisecond); err != nil {
			return "", err
		}
	}
	dir, err := configGet(ctx, c, "dir")
	if err != nil {
		return "", err
	}
	file, err := configGet(ctx, c, "dbfilename")
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, file), nil
}

func copyFile(src, dst string) (int64, string, error) {
	in, err := os.Open(src)
	if err != nil {
		return 0, "", err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return 0, "", err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(out, h), in)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return n, hex.EncodeToString(h.Sum(nil)), err
}

// Restore stops each primary, puts its backup in place of its data and
// starts it again; replicas resynchronise from their primary.
func (p *Provider) Restore(ctx context.Context, req providers.RestoreRequest) (*providers.RestoreResponse, error) {
	byNode := map[string]providers.BackupFile{}
	byShard := map[int]providers.BackupFile{}
	for _, f := range req.Files {
		byNode[f.Node] = f
		byShard[f.Shard] = f
	}
	nodes := map[string]topology.Node{}
	for _, n := range req.Nodes.Nodes {
		nodes[n.Name] = n
	}
	prims := primaries(req.Deployment, req.Resources)
	// Check everything before touching anything.
	plan := map[string]providers.BackupFile{}
	for _, r := range prims {
		f, ok := byNode[r.Name]
		if !ok {
			f, ok = byShard[nodes[r.Name].Shard]
		}
		if !ok {
			return nil, fmt.Errorf("the backup has no snapshot for %s (shard %d)", r.Name, nodes[r.Name].Shard)
		}
		if want := formatSlots(nodes[r.Name].Slots); f.Slots != want {
			return nil, fmt.Errorf("%s serves slots %s but its snapshot %s holds slots %s: restore into the same cluster layout", r.Name, want, f.File, f.Slots)
		}
		if err := verify(filepath.Join(req.Dir, f.File), f); err != nil {
			return nil, err
		}
		plan[r.Name] = f
	}
	resp := &providers.RestoreResponse{}
	for _, r := range prims {
		if err := p.restoreNode(ctx, req, r, plan[r.Name]); err != nil {
			return resp, fmt.Errorf("%s: %w", r.Name, err)
		}
		resp.Restored = append(resp.Restored, r.Name)
	}
	return resp, nil
}

func verify(path string, f providers.BackupFile) error {
	in, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("snapshot for %s: %w", f.Node, err)
	}
	defer in.Close()
	h := sha256.New()
	if _, err := io.Copy(h, in); err != nil {
		return err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != f.SHA256 {
		return fmt.Errorf("snapshot %s is corrupt (sha256 %s, manifest says %s)", path, got[:12], f.SHA256[:12])
	}
	return nil
}

func (p *Provider) restoreNode(ctx context.Context, req providers.RestoreRequest, r providers.Resource, f providers.BackupFile) error {
	nodeDir := r.Private[privDir]
	port, _ := strconv.Atoi(r.Attrs["port"])
	host := connectHost(r.Attrs["bind"])
	c := dial(host, port, nodePassword(nodeDir))
	dir, err := configGet(ctx, c, "dir")
	if err == nil {
		var file string
		if file, err = configGet(ctx, c, "dbfilename"); err == nil {
			dir = filepath.Join(dir, file)
		}
	}
	c.Close()
	if err != nil {
		return err
	}
	rdbPath := dir
	if pid := runningPID(nodeDir, r.Private[privPID]); pid != 0 {
		req.Progress(r.Name + ": stopping")
		if err := stopProcess(ctx, pid, nodeDir, p.StopGrace); err != nil {
			return err
		}
	}
	tmp := rdbPath + ".restore"
	os.Remove(tmp)
	if _, _, err := copyFile(filepath.Join(req.Dir, f.File), tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, rdbPath); err != nil {
		return err
	}
	aof := r.Attrs["persistence"] == string(topology.PersistenceAOF)
	if aof {
		// The AOF would win over the RDB at start-up: drop it, start from the
		// RDB with AOF off, then turn AOF on, which rewrites it from memory.
		os.RemoveAll(filepath.Join(filepath.Dir(rdbPath), "appendonlydir"))
	}
	bin, argv0, args, err := p.command(req.Spec, r.Type, nodeDir)
	if err != nil {
		return err
	}
	if aof {
		args = append(args, "--appendonly", "no")
	}
	req.Progress(r.Name + ": starting from the snapshot")
	_, exited, err := startDetached(bin, argv0, args, nodeDir)
	if err != nil {
		return err
	}
	c = dial(host, port, req.Secrets.Password)
	defer c.Close()
	if err := ping(ctx, c, p.StartTimeout, exited); err != nil {
		return fmt.Errorf("did not come back: %v\n%s", err, indent(logTail(nodeDir, 8)))
	}
	if aof {
		if err := c.ConfigSet(ctx, "appendonly", "yes").Err(); err != nil {
			return fmt.Errorf("turn AOF back on: %w", err)
		}
	}
	return nil
}
