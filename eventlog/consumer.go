package eventlog

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/cairnhq/cairn"
)

// Defaults of ConsumerConfig.
const (
	DefaultConsumerBatch = 256
	DefaultAckWait       = time.Minute
	DefaultRetryDelay    = time.Second
	// MaxRetryDelay caps the pause after repeated handler failures.
	MaxRetryDelay = time.Minute
	// fetchWait is how long one idle fetch waits for the first message.
	fetchWait = 30 * time.Second
)

// ConsumerConfig describes a durable consumer of the log, the basis of a sink.
type ConsumerConfig struct {
	// Name is the durable consumer name ([A-Za-z0-9_-]); nodes using the same name
	// share the work.
	Name string
	// FilterSubjects restricts the consumer to some subjects, e.g.
	// Subject("123456789012", "us-east-1") or "events.123456789012.>". Empty: all.
	FilterSubjects []string
	// HeadersOnly delivers Messages without Raw (the record bytes).
	HeadersOnly bool
	// StartSeq is where a new consumer starts (0 or 1: the start of the log). An
	// existing consumer resumes after its last acknowledged message.
	StartSeq uint64
	// Batch is the largest batch handed to the handler (DefaultConsumerBatch).
	Batch int
	// AckWait is how long the handler may take before the batch is redelivered
	// (DefaultAckWait).
	AckWait time.Duration
	// RetryDelay is the pause after a failed batch before it is fetched again
	// (DefaultRetryDelay); it doubles with each consecutive failure up to MaxRetryDelay.
	RetryDelay time.Duration
}

// Message is one event delivered to a consumer.
type Message struct {
	cairn.LoggedEvent
	// Raw is the record bytes (nil with HeadersOnly).
	Raw []byte
	// Delivered counts deliveries of this event to the consumer (1 the first time).
	Delivered uint64
}

// Consumer is a durable pull consumer: it hands batches to a handler and
// acknowledges them only after the handler returned nil, so a sink loses nothing on
// failure or restart (delivery is at least once).
type Consumer struct {
	l    *Log
	cfg  ConsumerConfig
	cons jetstream.Consumer
}

// Consumer creates the named durable consumer, or binds to it if it exists (its
// position is kept; the StartSeq, FilterSubjects, HeadersOnly and AckWait of an
// existing consumer are not changed). Several processes may bind to the same name:
// JetStream divides the events between them.
func (l *Log) Consumer(ctx context.Context, cfg ConsumerConfig) (*Consumer, error) {
	if cfg.Name == "" {
		return nil, errors.New("consumer: name is required")
	}
	if cfg.Batch <= 0 {
		cfg.Batch = DefaultConsumerBatch
	}
	if cfg.AckWait <= 0 {
		cfg.AckWait = DefaultAckWait
	}
	if cfg.RetryDelay <= 0 {
		cfg.RetryDelay = DefaultRetryDelay
	}
	if !l.enter() {
		return nil, cairn.ErrClosed
	}
	defer l.wg.Done()

	cons, err := l.stream.Consumer(ctx, cfg.Name)
	if errors.Is(err, jetstream.ErrConsumerNotFound) {
		cc := jetstream.ConsumerConfig{
			Durable:        cfg.Name,
			AckPolicy:      jetstream.AckExplicitPolicy,
			AckWait:        cfg.AckWait,
			MaxDeliver:     -1,
			MaxAckPending:  max(4*cfg.Batch, 1024),
			DeliverPolicy:  jetstream.DeliverAllPolicy,
			HeadersOnly:    cfg.HeadersOnly,
			FilterSubjects: cfg.FilterSubjects,
			Replicas:       l.cfg.Replicas,
		}
		if cfg.StartSeq > 1 {
			cc.DeliverPolicy = jetstream.DeliverByStartSequencePolicy
			cc.OptStartSeq = cfg.StartSeq
		}
		cons, err = l.stream.CreateConsumer(ctx, cc)
		if errors.Is(err, jetstream.ErrConsumerExists) {
			cons, err = l.stream.Consumer(ctx, cfg.Name)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("consumer %s: %w", cfg.Name, err)
	}
	return &Consumer{l: l, cfg: cfg, cons: cons}, nil
}

// Run fetches batches and calls fn with each, until ctx ends or the Log closes
// (returning ctx.Err() or cairn.ErrClosed). When fn returns nil the batch is
// acknowledged; when it fails, the batch is logged and negatively acknowledged and
// the consumer pauses: the same events are redelivered first, in order. Delivery is
// at least once, so fn must be idempotent: a batch may come again after a crash or
// an expired AckWait. The batch slice is reused between calls.
func (c *Consumer) Run(ctx context.Context, fn func(ctx context.Context, batch []Message) error) error {
	l := c.l
	if !l.enter() {
		return cairn.ErrClosed
	}
	defer l.wg.Done()
	ctx, cancel := l.withLog(ctx)
	defer cancel()

	var (
		msgs     []jetstream.Msg
		batch    []Message
		failures int
	)
	for {
		var err error
		msgs, err = c.fetch(ctx, msgs[:0])
		if err != nil {
			if ctx.Err() != nil {
				return l.doneErr(ctx)
			}
			l.logger.Warn("consumer fetch", "consumer", c.cfg.Name, "err", err)
			if !sleep(ctx, c.cfg.RetryDelay) {
				return l.doneErr(ctx)
			}
			continue
		}
		if len(msgs) == 0 {
			continue
		}
		batch = batch[:0]
		good := msgs[:0]
		for _, m := range msgs {
			ev, err := loggedEvent(m)
			if err != nil {
				// A message that is not an event cannot be handled, ever: say so
				// and step over it rather than block the sink.
				l.logger.Error("consumer: undecodable message", "consumer", c.cfg.Name, "err", err)
				_ = m.Term()
				continue
			}
			_, delivered, _ := ackSeqs(m.Reply())
			msg := Message{LoggedEvent: ev, Delivered: delivered}
			if !c.cfg.HeadersOnly {
				msg.Raw = m.Data()
			}
			batch = append(batch, msg)
			good = append(good, m)
		}
		msgs = good
		if len(batch) > 0 {
			if err := fn(ctx, batch); err != nil {
				l.logger.Warn("consumer handler failed; batch will be redelivered",
					"consumer", c.cfg.Name, "first_seq", batch[0].Seq, "events", len(batch), "err", err)
				// Nak without delay puts the batch at the front of the consumer's
				// redelivery queue, so it comes back first and in order; the pause
				// (doubling up to MaxRetryDelay) is taken here.
				for _, m := range msgs {
					_ = m.Nak()
				}
				failures++
				delay := min(c.cfg.RetryDelay<<min(failures-1, 16), MaxRetryDelay)
				if !sleep(ctx, delay) {
					return l.doneErr(ctx)
				}
				continue
			}
		}
		failures = 0
		if err := c.ack(msgs); err != nil {
			l.logger.Warn("consumer ack; batch may be redelivered", "consumer", c.cfg.Name, "err", err)
		}
	}
}

// ack acknowledges a handled batch. All but the last ack are sent without waiting;
// the last is confirmed by the server, and since one consumer's acks are processed
// in order, so are the others: a clean restart resumes right after the batch.
func (c *Consumer) ack(msgs []jetstream.Msg) error {
	if len(msgs) == 0 {
		return nil
	}
	for _, m := range msgs[:len(msgs)-1] {
		if err := m.Ack(); err != nil {
			return err
		}
	}
	// Not the Run context: the batch is done and its ack should not be abandoned
	// because Close began.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return msgs[len(msgs)-1].DoubleAck(ctx)
}

// fetch returns the messages available now, waiting for the first one if none is.
func (c *Consumer) fetch(ctx context.Context, dst []jetstream.Msg) ([]jetstream.Msg, error) {
	b, err := c.cons.FetchNoWait(c.cfg.Batch)
	if dst, err = collect(dst, b, err); err != nil || len(dst) > 0 {
		return dst, err
	}
	wctx, cancel := context.WithTimeout(ctx, fetchWait)
	defer cancel()
	b, err = c.cons.Fetch(1, jetstream.FetchContext(wctx))
	dst, err = collect(dst, b, err)
	if ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
		err = nil
	}
	if err != nil || len(dst) == 0 || c.cfg.Batch == 1 {
		return dst, err
	}
	b, err = c.cons.FetchNoWait(c.cfg.Batch - 1)
	return collect(dst, b, err)
}

func collect(dst []jetstream.Msg, b jetstream.MessageBatch, err error) ([]jetstream.Msg, error) {
	if err != nil {
		return dst, err
	}
	for m := range b.Messages() {
		dst = append(dst, m)
	}
	return dst, b.Error()
}

// Pending returns how many events the consumer has not yet been delivered.
func (c *Consumer) Pending(ctx context.Context) (uint64, error) {
	info, err := c.cons.Info(ctx)
	if err != nil {
		return 0, fmt.Errorf("consumer %s: %w", c.cfg.Name, err)
	}
	return info.NumPending, nil
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
