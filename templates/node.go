package templates

// NodeConfig is everything a data node's config file says. The local,
// docker and VM providers render it for the bundled engine (which reads
// redis.conf syntax) and for redis-server alike.
type NodeConfig struct {
	Deployment string
	Name       string
	Bind       string
	Port       int
	Dir        string // data directory
	PIDFile    string // "" for none (containers)
	LogFile    string // "" logs to stdout
	MaxMemory  int64  // bytes
	Policy     string // maxmemory-policy
	// Persistence is none, rdb or aof.
	Persistence string
	Fsync       string // appendfsync, when aof
	Password    string // written only to this file, which is mode 0600
	// ReplicaOf is "host port" of the primary, for replicas.
	ReplicaOf string
	Cluster   bool
}

// SentinelConfig is a sentinel's config file.
type SentinelConfig struct {
	Deployment  string
	Name        string
	Bind        string
	Port        int
	Dir         string
	PIDFile     string
	LogFile     string
	MasterName  string
	PrimaryHost string
	PrimaryPort int
	Quorum      int
	Password    string // the data nodes' password (auth-pass)
	// DownAfterMillis is how long a primary may be silent before it is
	// considered down.
	DownAfterMillis int
}

// RenderNodeConfig renders node.conf.tmpl.
func RenderNodeConfig(c NodeConfig) ([]byte, error) { return Render("node.conf.tmpl", c) }

// RenderSentinelConfig renders sentinel.conf.tmpl.
func RenderSentinelConfig(c SentinelConfig) ([]byte, error) { return Render("sentinel.conf.tmpl", c) }
