package eventlog

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/cairnhq/cairn"
)

// followBatch is how many messages a follower asks for at a time; headers are small,
// so a large window keeps replay streaming.
const followBatch = 8192

// Follow calls fn for every event from sequence from (0 or 1: the start of the log)
// in sequence order, then for each new one as it is appended, until ctx ends, fn
// returns an error, or the Log closes. Only headers are delivered (an ordered,
// headers-only consumer), so the record bytes are never loaded. It returns fn's
// error, ctx.Err(), or cairn.ErrClosed.
func (l *Log) Follow(ctx context.Context, from uint64, fn func(cairn.LoggedEvent) error) error {
	if !l.enter() {
		return cairn.ErrClosed
	}
	defer l.wg.Done()
	ctx, cancel := l.withLog(ctx)
	defer cancel()

	it, err := l.ordered(ctx, from, true, followBatch)
	if err != nil {
		return fmt.Errorf("follow: %w", err)
	}
	defer it.stop()
	for {
		msg, err := it.Next(jetstream.NextContext(ctx))
		if err != nil {
			if ctx.Err() != nil {
				return l.doneErr(ctx)
			}
			return fmt.Errorf("follow: %w", err)
		}
		ev, err := loggedEvent(msg)
		if err != nil {
			return fmt.Errorf("follow: %w", err)
		}
		if err := fn(ev); err != nil {
			return err
		}
	}
}

// loggedEvent reads the routing facts of a delivered event message.
func loggedEvent(msg jetstream.Msg) (cairn.LoggedEvent, error) {
	seq, _, ok := ackSeqs(msg.Reply())
	if !ok {
		return cairn.LoggedEvent{}, fmt.Errorf("not a JetStream message (reply %q)", msg.Reply())
	}
	ev := cairn.LoggedEvent{Seq: seq}
	h := msg.Headers()[HeaderMeta]
	if len(h) == 0 {
		return ev, fmt.Errorf("message %d has no %s header", ev.Seq, HeaderMeta)
	}
	var m meta
	if err := decodeMeta(h[0], &m); err != nil {
		return ev, fmt.Errorf("message %d: decode %s: %w", ev.Seq, HeaderMeta, err)
	}
	ev.TimeNanos, ev.Account, ev.Region, ev.Lookup = m.TimeNanos, m.Account, m.Region, m.Lookup
	return ev, nil
}

// State describes the stored part of the log.
type State struct {
	Msgs      uint64    // events stored
	Bytes     uint64    // bytes stored
	FirstSeq  uint64    // first stored sequence
	LastSeq   uint64    // last assigned sequence (0: nothing appended yet)
	FirstTime time.Time // when the first stored event was appended
	LastTime  time.Time // when the last event was appended
}

// State returns the current state of the stream. A follower that has delivered
// LastSeq (as read before it started) has caught up.
func (l *Log) State(ctx context.Context) (State, error) {
	if !l.enter() {
		return State{}, cairn.ErrClosed
	}
	defer l.wg.Done()
	info, err := l.stream.Info(ctx)
	if err != nil {
		return State{}, fmt.Errorf("event log state: %w", err)
	}
	s := info.State
	return State{
		Msgs: s.Msgs, Bytes: s.Bytes, FirstSeq: s.FirstSeq, LastSeq: s.LastSeq,
		FirstTime: s.FirstTime, LastTime: s.LastTime,
	}, nil
}

// LastSeq returns the sequence of the last appended event (0 when empty).
func (l *Log) LastSeq(ctx context.Context) (uint64, error) {
	s, err := l.State(ctx)
	return s.LastSeq, err
}

// ackSeqs reads the stream sequence and delivery count from a JetStream ack subject
// without allocating (jetstream.Msg.Metadata allocates a struct per message):
// $JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<cseq>.<time>.<pending> (9 tokens) or
// $JS.ACK.<domain>.<hash>.<stream>.<consumer>.<delivered>.<sseq>.... (11 or more).
func ackSeqs(reply string) (seq, delivered uint64, ok bool) {
	if !strings.HasPrefix(reply, "$JS.ACK.") {
		return 0, 0, false
	}
	n := strings.Count(reply, ".") + 1
	var first int // index of the delivered token
	switch {
	case n == 9:
		first = 4
	case n >= 11:
		first = 6
	default:
		return 0, 0, false
	}
	var tok [2]string
	rest := reply
	for i := 0; i <= first+1; i++ {
		var t string
		t, rest, _ = strings.Cut(rest, ".")
		if i >= first {
			tok[i-first] = t
		}
	}
	d, err1 := strconv.ParseUint(tok[0], 10, 64)
	s, err2 := strconv.ParseUint(tok[1], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, 0, false
	}
	return s, d, true
}

// ordered iterates over the stream from sequence from (0 or 1: the start) with an
// ordered consumer fetching batch messages at a time. A ctx that ends is reported
// as the Log's done error.
func (l *Log) ordered(ctx context.Context, from uint64, headersOnly bool, batch int) (*orderedIter, error) {
	cfg := jetstream.OrderedConsumerConfig{
		HeadersOnly:       headersOnly,
		DeliverPolicy:     jetstream.DeliverAllPolicy,
		InactiveThreshold: time.Minute,
	}
	if from > 1 {
		cfg.DeliverPolicy = jetstream.DeliverByStartSequencePolicy
		cfg.OptStartSeq = from
	}
	// Record bodies (Scan) go through the read connection; headers (Follow, which
	// keeps up with every append) stay on the main one.
	stream := l.stream
	if !headersOnly {
		stream = l.readStream
	}
	cons, err := stream.OrderedConsumer(ctx, cfg)
	if err != nil {
		if ctx.Err() != nil {
			return nil, l.doneErr(ctx)
		}
		return nil, err
	}
	it, err := cons.Messages(jetstream.PullMaxMessages(batch))
	if err != nil {
		return nil, err
	}
	return &orderedIter{MessagesContext: it, stream: stream, cons: cons}, nil
}

// orderedIter is an ordered consumer's iterator.
type orderedIter struct {
	jetstream.MessagesContext
	stream jetstream.Stream
	cons   jetstream.Consumer
}

// deleteTimeout bounds the deletion of a stopped consumer.
const deleteTimeout = 5 * time.Second

// stop stops the iterator and deletes its consumer on the server. Stopping alone
// leaves the consumer until its inactive threshold, and the server does work for
// every live consumer on every append: a scan a second would keep dozens alive.
func (it *orderedIter) stop() {
	it.Stop()
	info := it.cons.CachedInfo()
	if info == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), deleteTimeout)
	defer cancel()
	_ = it.stream.DeleteConsumer(ctx, info.Name)
}
