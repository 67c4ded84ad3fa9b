package eventlog_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/cairnhq/cairn"
	"github.com/cairnhq/cairn/eventlog"
)

// sinkRecorder is a handler that fails on demand and records what it was given.
type sinkRecorder struct {
	mu       sync.Mutex
	calls    [][]eventlog.Message
	acked    []eventlog.Message
	failNext int // calls to fail
	want     int // cancel once this many events were handled
	cancel   context.CancelFunc
}

func (r *sinkRecorder) handle(_ context.Context, batch []eventlog.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, append([]eventlog.Message(nil), batch...))
	if r.failNext > 0 {
		r.failNext--
		return errors.New("downstream unavailable")
	}
	r.acked = append(r.acked, batch...)
	if len(r.acked) >= r.want {
		r.cancel()
	}
	return nil
}

func runSink(t *testing.T, c *eventlog.Consumer, r *sinkRecorder) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctxT(t), 20*time.Second)
	defer cancel()
	r.cancel = cancel
	err := c.Run(ctx, r.handle)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, want context.Canceled (handled %d of %d)", err, len(r.acked), r.want)
	}
}

func TestConsumer_RedeliverAndResume(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx := ctxT(t)
	l, err := eventlog.Open(ctx, eventlog.Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	var events []*cairn.Event
	for i := range 10 {
		events = append(events, newEvent(i, "111111111111", "us-east-1"))
	}
	if err := l.Append(ctx, events...); err != nil {
		t.Fatal(err)
	}
	cfg := eventlog.ConsumerConfig{Name: "history", Batch: 4, RetryDelay: 20 * time.Millisecond}
	c, err := l.Consumer(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	r := &sinkRecorder{failNext: 2, want: 10}
	runSink(t, c, r)

	if len(r.calls) < 3 {
		t.Fatalf("handler called %d times", len(r.calls))
	}
	// The first batch failed twice and came again each time.
	first := r.calls[0][0]
	if first.Seq != 1 || first.Delivered != 1 {
		t.Fatalf("first delivery = seq %d delivered %d", first.Seq, first.Delivered)
	}
	if again := r.calls[2][0]; again.Seq != 1 || again.Delivered != 3 {
		t.Fatalf("third call starts with seq %d delivered %d, want seq 1 delivered 3", again.Seq, again.Delivered)
	}
	seen := map[uint64]bool{}
	for _, m := range r.acked {
		seen[m.Seq] = true
		e := events[m.Seq-1]
		checkLogged(t, m.LoggedEvent, m.Seq, e)
		if string(m.Raw) != string(e.Raw) {
			t.Fatalf("seq %d raw = %s", m.Seq, m.Raw)
		}
	}
	if len(seen) != 10 {
		t.Fatalf("handled %d distinct events, want 10", len(seen))
	}
	if n, err := c.Pending(ctx); err != nil || n != 0 {
		t.Fatalf("Pending = %d, %v", n, err)
	}

	// More events, then a restart: the consumer resumes after its last ack.
	for i := 10; i < 15; i++ {
		events = append(events, newEvent(i, "111111111111", "us-east-1"))
	}
	if err := l.Append(ctx, events[10:]...); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(ctx); err != nil {
		t.Fatal(err)
	}
	l2 := mustOpen(t, dir)
	c2, err := l2.Consumer(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	r2 := &sinkRecorder{want: 5}
	runSink(t, c2, r2)
	if len(r2.acked) != 5 || r2.acked[0].Seq != 11 || r2.acked[4].Seq != 15 {
		var seqs []uint64
		for _, m := range r2.acked {
			seqs = append(seqs, m.Seq)
		}
		t.Fatalf("after restart handled %v, want 11..15", seqs)
	}
}

func TestConsumer_HeadersOnlyFiltered(t *testing.T) {
	t.Parallel()
	l := mustOpen(t, t.TempDir())
	ctx := ctxT(t)
	for i := range 6 {
		acct := "111111111111"
		if i%2 == 1 {
			acct = "222222222222"
		}
		if err := l.Append(ctx, newEvent(i, acct, "us-east-1")); err != nil {
			t.Fatal(err)
		}
	}
	c, err := l.Consumer(ctx, eventlog.ConsumerConfig{
		Name:           "acct2",
		HeadersOnly:    true,
		FilterSubjects: []string{eventlog.SubjectPrefix + ".222222222222.>"},
		StartSeq:       3,
	})
	if err != nil {
		t.Fatal(err)
	}
	r := &sinkRecorder{want: 2}
	runSink(t, c, r)
	if len(r.acked) != 2 || r.acked[0].Seq != 4 || r.acked[1].Seq != 6 {
		t.Fatalf("handled %+v, want seqs 4 and 6", r.acked)
	}
	for _, m := range r.acked {
		if m.Raw != nil || m.Account != "222222222222" {
			t.Fatalf("message %+v", m)
		}
	}
}

func TestConsumer_CloseStopsRun(t *testing.T) {
	t.Parallel()
	ctx := ctxT(t)
	l, err := eventlog.Open(ctx, eventlog.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	c, err := l.Consumer(ctx, eventlog.ConsumerConfig{Name: "idle"})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		done <- c.Run(ctx, func(context.Context, []eventlog.Message) error { return nil })
	}()
	time.Sleep(50 * time.Millisecond)
	start := time.Now()
	if err := l.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-done; !errors.Is(err, cairn.ErrClosed) {
		t.Fatalf("Run after Close = %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("Close took %v with an idle consumer", d)
	}
}
