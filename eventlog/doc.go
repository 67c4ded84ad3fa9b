// Package eventlog is Cairn's durable event log and metadata store on NATS JetStream.
//
// Every recorded event is appended to the stream EVENTS (subjects events.<account>.<region>)
// with its event id as the JetStream message id, so a repeated append within the stream's
// duplicate window (DuplicateWindow) is acknowledged without being stored twice. Each
// message carries the record bytes as its payload and a compact Cairn-Meta header with
// the routing and Event history facts (cairn.LoggedEvent), so that followers read
// headers only and never parse records. Sinks either Follow the log (an ordered,
// headers-only consumer) or run a durable Consumer that acknowledges a batch only after
// the sink made it durable downstream.
//
// Metadata (trails, event data stores, identities, ...) lives in JetStream key-value
// buckets behind cairn.MetaStore (Log.Meta): compare-and-set on the key revision gives
// ETags and uniqueness.
//
// By default Open embeds a NATS server in the process (JetStream file store under
// <Dir>/jetstream, no network listener, an in-process client connection); with
// Config.URL it connects to an external NATS cluster instead.
//
// Dependencies: eventlog imports only the root package cairn, the standard library and
// NATS (nats-server, nats.go and its jetstream package).
package eventlog
