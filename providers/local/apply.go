package local

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/redisctl/redisctl/providers"
	"github.com/redisctl/redisctl/templates"
	"github.com/redisctl/redisctl/topology"
)

// Apply performs one change.
func (p *Provider) Apply(ctx context.Context, req providers.ApplyRequest) (*providers.ApplyResponse, error) {
	c := req.Change
	if (c.After != nil && c.After.Type == typeCluster) || (c.Before != nil && c.Before.Type == typeCluster) {
		return p.applyCluster(ctx, req)
	}
	switch c.Action {
	case providers.ActionCreate:
		r, err := p.create(ctx, req, *c.After)
		return &providers.ApplyResponse{Resource: r}, err
	case providers.ActionUpdate:
		r, err := p.update(ctx, req)
		return &providers.ApplyResponse{Resource: r}, err
	case providers.ActionReplace:
		if err := p.stop(ctx, *c.Before, c.After.Type == typeNode && !keepsData(req.Spec)); err != nil {
			return nil, err
		}
		r, err := p.create(ctx, req, *c.After)
		return &providers.ApplyResponse{Resource: r}, err
	case providers.ActionDelete:
		if err := p.stop(ctx, *c.Before, true); err != nil {
			return nil, err
		}
		return &providers.ApplyResponse{}, nil
	}
	panic(fmt.Sprintf("local: impossible action %q", c.Action))
}

func keepsData(spec *topology.Spec) bool {
	return spec.Persistence.Mode == topology.PersistenceRDB || spec.Persistence.Mode == topology.PersistenceAOF
}

// create writes the node's config and starts it, or adopts the process an
// interrupted earlier attempt already started. The data directory of a node
// that existed before is kept.
func (p *Provider) create(ctx context.Context, req providers.ApplyRequest, want providers.Resource) (*providers.Resource, error) {
	nodeDir := want.Private[privDir]
	if nodeDir == "" {
		panic("local: desired resource without a directory")
	}
	if err := os.MkdirAll(filepath.Join(nodeDir, dataDir), 0o700); err != nil {
		return nil, fmt.Errorf("create node directory: %w", err)
	}
	conf, err := p.renderConfig(req, want, nodeDir)
	if err != nil {
		return nil, err
	}
	port, _ := strconv.Atoi(want.Attrs["port"])
	host := connectHost(want.Attrs["bind"])

	pid := runningPID(nodeDir, "")
	var exited <-chan error
	if pid == 0 {
		if err := writePrivate(filepath.Join(nodeDir, confFile), conf); err != nil {
			return nil, err
		}
		bin, argv0, args, err := p.command(req.Spec, want.Type, nodeDir)
		if err != nil {
			return nil, err
		}
		req.Progress(fmt.Sprintf("starting %s on port %d", filepath.Base(argv0), port))
		pid, exited, err = startDetached(bin, argv0, args, nodeDir)
		if err != nil {
			return nil, err
		}
	} else {
		req.Progress(fmt.Sprintf("adopting running process %d", pid))
	}
	if err := req.Record(privPID, strconv.Itoa(pid)); err != nil {
		return nil, err
	}
	cl := dial(host, port, req.Secrets.Password)
	defer cl.Close()
	if err := ping(ctx, cl, p.StartTimeout, exited); err != nil {
		return nil, fmt.Errorf("node did not come up: %v\n%s", err, indent(logTail(nodeDir, 8)))
	}
	out := want.Clone()
	out.ID = nodeDir
	out.Private[privPID] = strconv.Itoa(pid)
	out.Attrs["password"] = req.Fingerprint(req.Secrets.Password)
	return &out, nil
}

// command is how a node is started: the binary, the name it runs under
// (argv[0]) and its arguments. The bundled engine is this very binary,
// always run as "redisctl" whatever its file is called.
func (p *Provider) command(spec *topology.Spec, typ, nodeDir string) (bin, argv0 string, args []string, err error) {
	conf := filepath.Join(nodeDir, confFile)
	if bin := settings(spec).EngineBinary; bin != "" {
		if typ == typeSentinel {
			return bin, bin, []string{conf, "--sentinel"}, nil
		}
		return bin, bin, []string{conf}, nil
	}
	exe, err := p.Executable()
	if err != nil {
		return "", "", nil, fmt.Errorf("find the redisctl binary: %w", err)
	}
	if typ == typeSentinel {
		return exe, "redisctl", []string{"sentinel", conf}, nil
	}
	return exe, "redisctl", []string{"server", conf}, nil
}

// renderConfig renders the config file a node runs with.
func (p *Provider) renderConfig(req providers.ApplyRequest, want providers.Resource, nodeDir string) ([]byte, error) {
	spec := req.Spec
	port, _ := strconv.Atoi(want.Attrs["port"])
	if want.Type == typeSentinel {
		master := strings.Fields(want.Attrs["master"])
		if len(master) != 2 {
			panic("local: sentinel without a master")
		}
		phost, pport, err := splitHostPort(master[1])
		if err != nil {
			return nil, err
		}
		quorum, _ := strconv.Atoi(want.Attrs["quorum"])
		return templates.RenderSentinelConfig(templates.SentinelConfig{
			Deployment: spec.Name, Name: want.Name, Bind: want.Attrs["bind"], Port: port, Dir: nodeDir,
			PIDFile: filepath.Join(nodeDir, pidFile), LogFile: filepath.Join(nodeDir, logFile),
			MasterName: master[0], PrimaryHost: phost, PrimaryPort: pport,
			Quorum: quorum, Password: req.Secrets.Password, DownAfterMillis: 5000,
		})
	}
	cfg := templates.NodeConfig{
		Deployment: spec.Name, Name: want.Name, Bind: want.Attrs["bind"], Port: port,
		Dir: filepath.Join(nodeDir, dataDir), PIDFile: filepath.Join(nodeDir, pidFile), LogFile: filepath.Join(nodeDir, logFile),
		MaxMemory: spec.Memory.Bytes, Policy: want.Attrs["maxmemory_policy"], Cluster: want.Attrs["cluster_enabled"] == "yes",
		Persistence: want.Attrs["persistence"], Fsync: want.Attrs["appendfsync"], Password: req.Secrets.Password,
	}
	if addr := want.Attrs["replicaof"]; addr != "" {
		host, port, err := splitHostPort(addr)
		if err != nil {
			return nil, err
		}
		cfg.ReplicaOf = fmt.Sprintf("%s %d", host, port)
	}
	return templates.RenderNodeConfig(cfg)
}

// update applies in-place changes with CONFIG SET, then rewrites the config
// file so a restart keeps them.
func (p *Provider) update(ctx context.Context, req providers.ApplyRequest) (*providers.Resource, error) {
	before, want := *req.Change.Before, *req.Change.After
	nodeDir := before.Private[privDir]
	port, _ := strconv.Atoi(before.Attrs["port"])
	cl := dial(connectHost(before.Attrs["bind"]), port, nodePassword(nodeDir))
	defer cl.Close()
	var sets [][2]string
	for _, a := range req.Change.Attrs {
		switch a.Name {
		case "maxmemory":
			sets = append(sets, [2]string{"maxmemory", strconv.FormatInt(req.Spec.Memory.Bytes, 10)})
		case "maxmemory_policy":
			sets = append(sets, [2]string{"maxmemory-policy", a.After})
		case "persistence":
			switch topology.PersistenceMode(a.After) {
			case topology.PersistenceAOF:
				sets = append(sets, [2]string{"appendonly", "yes"}, [2]string{"save", ""})
			case topology.PersistenceRDB:
				sets = append(sets, [2]string{"appendonly", "no"}, [2]string{"save", "3600 1 300 100 60 10000"})
			default:
				sets = append(sets, [2]string{"appendonly", "no"}, [2]string{"save", ""})
			}
		case "appendfsync":
			if a.After != "" {
				sets = append(sets, [2]string{"appendfsync", a.After})
			}
		case "password":
			// Last: once it is set, this connection stays authenticated.
		case "role", "replicaof":
			req.Progress("REPLICAOF " + want.Attrs["replicaof"])
			if err := setReplicaOf(ctx, cl, want); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("local: cannot update %s in place", a.Name)
		}
	}
	for _, a := range req.Change.Attrs {
		if a.Name == "password" {
			sets = append(sets, [2]string{"requirepass", req.Secrets.Password})
		}
	}
	for _, kv := range sets {
		req.Progress(fmt.Sprintf("CONFIG SET %s", kv[0]))
		if err := cl.ConfigSet(ctx, kv[0], kv[1]).Err(); err != nil {
			return nil, fmt.Errorf("CONFIG SET %s: %w", kv[0], err)
		}
	}
	conf, err := p.renderConfig(req, want, nodeDir)
	if err != nil {
		return nil, err
	}
	if err := writePrivate(filepath.Join(nodeDir, confFile), conf); err != nil {
		return nil, err
	}
	out := want.Clone()
	out.ID = before.ID
	out.Private[privPID] = before.Private[privPID]
	out.Attrs["password"] = req.Fingerprint(req.Secrets.Password)
	return &out, nil
}

// setReplicaOf points a node at its new primary, or promotes it.
func setReplicaOf(ctx context.Context, cl *redis.Client, want providers.Resource) error {
	host, port := "no", "one"
	if addr := want.Attrs["replicaof"]; addr != "" {
		var err error
		host, port, err = net.SplitHostPort(addr)
		if err != nil {
			return fmt.Errorf("replicaof %q: %w", addr, err)
		}
	}
	if err := cl.SlaveOf(ctx, host, port).Err(); err != nil {
		return fmt.Errorf("REPLICAOF %s %s: %w", host, port, err)
	}
	return nil
}

// stop stops a node and, when wipe is set, removes its directory.
func (p *Provider) stop(ctx context.Context, r providers.Resource, wipe bool) error {
	nodeDir := r.Private[privDir]
	if nodeDir == "" {
		return nil
	}
	if pid := runningPID(nodeDir, r.Private[privPID]); pid != 0 {
		if err := stopProcess(ctx, pid, nodeDir, p.StopGrace); err != nil {
			return err
		}
	}
	if wipe {
		if err := os.RemoveAll(nodeDir); err != nil {
			return fmt.Errorf("remove node directory: %w", err)
		}
		_ = os.Remove(filepath.Dir(nodeDir)) // the deployment's folder, once its last node is gone
	}
	return nil
}

func splitHostPort(addr string) (string, int, error) {
	h, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, fmt.Errorf("address %q: %w", addr, err)
	}
	port, err := strconv.Atoi(p)
	return h, port, err
}

// writePrivate writes a file only its owner can read (it may hold a password).
func writePrivate(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func indent(s string) string {
	if s == "" {
		return "  (the node wrote no log)"
	}
	return "  " + strings.ReplaceAll(s, "\n", "\n  ")
}
