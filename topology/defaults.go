package topology

// Defaults that do not depend on the layout.
const (
	DefaultProvider       = "local"
	DefaultLayout         = LayoutSingle
	DefaultMemory         = "256Mi"
	DefaultEvictionPolicy = NoEviction
	DefaultPersistence    = PersistenceNone
	DefaultFsync          = FsyncEverySec
	DefaultBasePort       = 6379
	DefaultEngine         = EngineRedis
)

// Layout-dependent defaults.
const (
	DefaultHAReplicas      = 1
	DefaultHASentinels     = 3
	DefaultClusterShards   = 3
	DefaultClusterReplicas = 1
)

// Default fills in what the spec left unset. For a spec read by Load or
// Parse, "unset" means absent from the file, so an explicit `replicas: 0`
// stays 0; for a Spec built in code a zero value counts as unset. Bind is
// left empty: each provider picks its own (local uses 127.0.0.1).
func Default(s *Spec) {
	if s.Provider.Name == "" {
		s.Provider.Name = DefaultProvider
	}
	if s.Layout == "" {
		s.Layout = DefaultLayout
	}
	switch s.Layout {
	case LayoutHA:
		if !s.given("replicas", s.Replicas != 0) {
			s.Replicas = DefaultHAReplicas
		}
		if !s.given("sentinels", s.Sentinels != 0) {
			s.Sentinels = DefaultHASentinels
		}
	case LayoutCluster:
		if !s.given("shards", s.Shards != 0) {
			s.Shards = DefaultClusterShards
		}
		if !s.given("replicas", s.Replicas != 0) {
			s.Replicas = DefaultClusterReplicas
		}
	}
	if s.Memory.IsZero() {
		s.Memory = MustParseQuantity(DefaultMemory)
	}
	if s.EvictionPolicy == "" {
		s.EvictionPolicy = DefaultEvictionPolicy
	}
	if s.Persistence.Mode == "" {
		s.Persistence.Mode = DefaultPersistence
	}
	if s.Persistence.Mode == PersistenceAOF && s.Persistence.Fsync == "" {
		s.Persistence.Fsync = DefaultFsync
	}
	if !s.given("network.basePort", s.Network.BasePort != 0) {
		s.Network.BasePort = DefaultBasePort
	}
	if s.Engine.Name == "" {
		s.Engine.Name = DefaultEngine
	}
}
