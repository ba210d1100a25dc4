package rdb

// Kind is a decoded value's type.
type Kind uint8

// Value kinds.
const (
	KindString Kind = iota + 1
	KindList
	KindSet
	KindZSet
	KindHash
	KindStream
)

var kindNames = [...]string{"", "string", "list", "set", "zset", "hash", "stream"}

func (k Kind) String() string { return kindNames[k] }

// Value is a decoded value. Which fields are set depends on Kind:
//
//	string: Str, or Int when IsInt (stored with an integer encoding)
//	list:   Elems, head to tail
//	set:    Elems (intsets yield decimal strings)
//	hash:   Elems as field, value, field, value...
//	zset:   Z, in ascending order
//	stream: Stream
//
// Enc is the RDB type byte the value was stored with. A Value handed to a
// Handler is reused for the next key: byte slices in it stay valid after
// the call only when the Handler's Key method says it keeps them (Str may
// alias the decoder's buffer; element slices are always fresh).
type Value struct {
	Kind   Kind
	Enc    byte
	Str    []byte
	Int    int64
	IsInt  bool
	Elems  [][]byte
	Z      []ZEntry
	Stream *Stream
}

// ZEntry is a sorted set member.
type ZEntry struct {
	Member []byte
	Score  float64
}

func (v *Value) reset(kind Kind, enc byte) {
	v.Kind, v.Enc = kind, enc
	v.Str, v.Int, v.IsInt, v.Stream = nil, 0, false, nil
	v.Elems, v.Z = v.Elems[:0], v.Z[:0]
}

// StreamID is a stream entry ID.
type StreamID struct{ Ms, Seq uint64 }

// Stream is a decoded stream: its radix tree nodes (each a master ID and a
// listpack in Redis's stream node layout, validated) and metadata.
type Stream struct {
	Nodes        []StreamNode
	Length       uint64
	LastID       StreamID
	FirstID      StreamID
	MaxDeletedID StreamID
	EntriesAdded uint64
	Groups       []StreamGroup
}

// StreamNode is one listpack of entries; Master is the ID the entries'
// IDs are relative to.
type StreamNode struct {
	Master   StreamID
	Listpack []byte
}

// StreamGroup is a consumer group.
type StreamGroup struct {
	Name        []byte
	LastID      StreamID
	EntriesRead int64 // -1 when unknown
	PEL         []StreamPending
	Consumers   []StreamConsumer
}

// StreamPending is an entry delivered to a consumer and not acknowledged.
type StreamPending struct {
	ID            StreamID
	DeliveryTime  int64 // unix ms
	DeliveryCount uint64
	Consumer      int // index in Consumers, -1 until a consumer claims it
}

// StreamConsumer is a consumer of a group; PEL lists the IDs it owns,
// each present in the group's PEL.
type StreamConsumer struct {
	Name       []byte
	SeenTime   int64
	ActiveTime int64 // -1 when the file has none (before RDB 11)
	PEL        []StreamID
}
