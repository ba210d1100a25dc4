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

// notifyEvent is notifyKeyspaceEvent with the class check, for events in a
// database other than the client's.
func (s *Server) notifyEvent(class int, event string, key []byte, db int) {
	if s.notifyFlags.Load()&int32(class) == 0 {
		return
	}
	s.notifyKeyspaceEvent(class, event, key, db)
}
