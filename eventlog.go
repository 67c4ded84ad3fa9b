package cairn

import "context"

// EventLog is the durable, ordered log of every recorded event.
type EventLog interface {
	// Append makes the events durable, in order, before it returns. Appending an event
	// whose EventID was appended before is a no-op (deduplication by event id).
	Append(ctx context.Context, events ...*Event) error
	// Get returns the stored record bytes at sequence seq, or ErrNotFound.
	Get(ctx context.Context, seq uint64) ([]byte, error)
	// Follow calls fn for every stored event from sequence from (1 = the start), then
	// for each new one as it is appended, until ctx ends or fn returns an error. The
	// record bytes are not loaded: only the routing facts in LoggedEvent.
	Follow(ctx context.Context, from uint64, fn func(LoggedEvent) error) error
}

// LoggedEvent is the routing and index view of an event at a position in the log.
type LoggedEvent struct {
	Seq       uint64
	TimeNanos int64
	Account   string
	Region    string
	Lookup    LookupFields
}
