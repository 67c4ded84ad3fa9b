package eventlog

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/cairnhq/cairn"
)

const (
	directGetSubject = "$JS.API.DIRECT.GET." + StreamName
	// defaultGetTimeout bounds a get whose context has no deadline.
	defaultGetTimeout = 10 * time.Second
	// getWindow is how many direct gets GetMany keeps in flight.
	getWindow = 256
)

// Get returns the record bytes stored at sequence seq, read with a JetStream direct
// get. A sequence that is not stored (never written, or removed by retention) gives
// an error wrapping ErrNotFound (and cairn.ErrNotFound).
func (l *Log) Get(ctx context.Context, seq uint64) ([]byte, error) {
	out, err := l.GetMany(ctx, []uint64{seq})
	if err != nil {
		return nil, err
	}
	if out[0] == nil {
		return nil, fmt.Errorf("get %d: %w", seq, ErrNotFound)
	}
	return out[0], nil
}

// GetMany returns the record bytes for each sequence, in the order of seqs. A
// sequence that is not stored yields a nil element, not an error, so that one aged-out
// record does not fail a page. All gets are sent at once (up to 256 in flight) and
// answered on one subscription, so 50 records cost about one round trip.
func (l *Log) GetMany(ctx context.Context, seqs []uint64) ([][]byte, error) {
	if len(seqs) == 0 {
		return nil, nil
	}
	if !l.enter() {
		return nil, cairn.ErrClosed
	}
	defer l.wg.Done()
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, defaultGetTimeout)
		defer cancel()
	}

	inbox := nats.NewInbox()
	// Our own channel, sized to the window: SubscribeSync would allocate one of the
	// connection's default length (64k entries) per call.
	ch := make(chan *nats.Msg, min(len(seqs), getWindow))
	sub, err := l.nc.ChanSubscribe(inbox+".*", ch)
	if err != nil {
		return nil, fmt.Errorf("get: subscribe: %w", err)
	}
	defer sub.Unsubscribe()
	prefix := len(inbox) + 1

	out := make([][]byte, len(seqs))
	var req []byte
	for start := 0; start < len(seqs); start += getWindow {
		end := min(start+getWindow, len(seqs))
		sent := 0
		for i := start; i < end; i++ {
			if seqs[i] == 0 { // sequences start at 1
				continue
			}
			sent++
			req = append(req[:0], `{"seq":`...)
			req = strconv.AppendUint(req, seqs[i], 10)
			req = append(req, `,"no_hdr":true}`...)
			reply := inbox + "." + strconv.Itoa(i)
			if err := l.nc.PublishRequest(directGetSubject, reply, req); err != nil {
				return nil, fmt.Errorf("get: %w", err)
			}
		}
		for range sent {
			var m *nats.Msg
			select {
			case m = <-ch:
			case <-ctx.Done():
				return nil, fmt.Errorf("get: %w", ctx.Err())
			}
			i, err := strconv.Atoi(m.Subject[prefix:])
			if err != nil || i < start || i >= end {
				return nil, fmt.Errorf("get: unexpected reply subject %q", m.Subject)
			}
			data, err := directGetData(m)
			if err != nil {
				return nil, fmt.Errorf("get %d: %w", seqs[i], err)
			}
			out[i] = data
		}
	}
	return out, nil
}

// directGetData interprets a direct get reply: the payload, nil for a missing
// message, or an error for any other status.
func directGetData(m *nats.Msg) ([]byte, error) {
	if len(m.Header) == 0 {
		if m.Data == nil {
			return []byte{}, nil
		}
		return m.Data, nil
	}
	switch status := m.Header.Get("Status"); status {
	case "":
		return m.Data, nil
	case "404":
		return nil, nil
	case "503":
		return nil, errors.New("direct get: no responders (is the stream available?)")
	default:
		return nil, fmt.Errorf("direct get: status %s %s", status, m.Header.Get("Description"))
	}
}
