package server

// Pub/Sub and keyspace notifications.

type subscriptions struct{}

type pubsubRegistry struct{}

func (r *pubsubRegistry) init() {}

func (r *pubsubRegistry) numChannels() int      { return 0 }
func (r *pubsubRegistry) numPatterns() int      { return 0 }
func (r *pubsubRegistry) numShardChannels() int { return 0 }

func (c *Client) unsubscribeAll() {}

// notifyKeyspaceEvent publishes a keyspace notification when
// notify-keyspace-events enables its class.
func (s *Server) notifyKeyspaceEvent(class int, event string, key []byte, db int) {}
