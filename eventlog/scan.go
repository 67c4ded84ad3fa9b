package eventlog

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/cairnhq/cairn"
)

// scanBatch is how many records a scan asks for at a time.
const scanBatch = 128

// Scan calls fn, in sequence order, for every stored event with a sequence in
// [from, to], record bytes included, and returns when it has passed to. Events the
// log no longer holds (removed by retention) are skipped. Scan never waits for new
// events: a range whose end is beyond the last appended event ends at that event.
// The Message passed to fn, and its Raw, are valid only during the call. It returns
// fn's error, ctx.Err(), or cairn.ErrClosed.
func (l *Log) Scan(ctx context.Context, from, to uint64, fn func(Message) error) error {
	if from == 0 {
		from = 1
	}
	st, err := l.State(ctx)
	if err != nil {
		return fmt.Errorf("scan: %w", err)
	}
	if from < st.FirstSeq {
		from = st.FirstSeq
	}
	to = min(to, st.LastSeq)
	if st.Msgs == 0 || from > to {
		return nil
	}
	if !l.enter() {
		return cairn.ErrClosed
	}
	defer l.wg.Done()
	ctx, cancel := l.withLog(ctx)
	defer cancel()

	it, err := l.ordered(ctx, from, false, scanBatch)
	if err != nil {
		return fmt.Errorf("scan: %w", err)
	}
	defer it.stop()
	for {
		m, err := it.Next(jetstream.NextContext(ctx))
		if err != nil {
			if ctx.Err() != nil {
				return l.doneErr(ctx)
			}
			return fmt.Errorf("scan: %w", err)
		}
		ev, err := loggedEvent(m)
		if err != nil {
			return fmt.Errorf("scan: %w", err)
		}
		if ev.Seq > to {
			return nil
		}
		if err := fn(Message{LoggedEvent: ev, Raw: m.Data(), Delivered: 1}); err != nil {
			return err
		}
		if ev.Seq == to {
			return nil
		}
		// Nothing pending after this message means everything up to the last
		// appended event (which is at least to) was delivered: the rest of the range
		// was removed from the log.
		if pending, ok := numPending(m.Reply()); ok && pending == 0 {
			return nil
		}
	}
}

// numPending reads the pending count of a JetStream ack subject (see ackSeqs).
func numPending(reply string) (uint64, bool) {
	var i int
	switch n := strings.Count(reply, ".") + 1; {
	case n == 9:
		i = 8
	case n >= 11:
		i = 10
	default:
		return 0, false
	}
	// The i-th dot-separated token, without splitting the whole subject.
	rest := reply
	for range i {
		_, rest, _ = strings.Cut(rest, ".")
	}
	tok, _, _ := strings.Cut(rest, ".")
	n, err := strconv.ParseUint(tok, 10, 64)
	return n, err == nil
}
