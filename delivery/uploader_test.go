package delivery_test

import (
	"context"
	"io"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/cairnhq/cairn"
	"github.com/cairnhq/cairn/delivery"
	"github.com/cairnhq/cairn/service/cloudtrail"
)

// gatedStore holds every Put until gate is closed; entered is closed at the first.
type gatedStore struct {
	cairn.ObjectStore
	once    sync.Once
	entered chan struct{}
	gate    chan struct{}
}

func (g *gatedStore) Put(ctx context.Context, bucket, key string, body io.Reader, size int64, opts cairn.PutOptions) error {
	g.once.Do(func() { close(g.entered) })
	select {
	case <-g.gate:
	case <-ctx.Done():
		return ctx.Err()
	}
	return g.ObjectStore.Put(ctx, bucket, key, body, size, opts)
}

// TestScheduler_WritesWhileUploading: while a closed window's upload waits on a slow
// store, the open window's files go on being written; when the store answers, both
// windows are delivered, each event once.
func TestScheduler_WritesWhileUploading(t *testing.T) {
	e := newEnv(t)
	e.bucket("logs")
	e.trail(east, "trl", "logs", cloudtrail.CreateTrailParams{})
	g := &gatedStore{ObjectStore: e.store, entered: make(chan struct{}), gate: make(chan struct{})}
	s, err := delivery.Open(e.ctx, delivery.Config{Log: e.log, Meta: e.log.Meta(), Store: g, Clock: e.clock,
		SpoolDir: e.spool, Interval: time.Hour, RetryDelay: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })

	first := e.appendEvents(ev{}, ev{name: "GetTrail", readOnly: true})
	e.clock.set(t0.Add(time.Hour)) // the window closes at the run loop's next turn
	select {
	case <-g.entered:
	case <-time.After(30 * time.Second):
		t.Fatalf("the first window's upload did not start: %+v", s.Stats())
	}
	second := e.appendEvents(ev{at: time.Hour + time.Minute}, ev{name: "ListTrails", readOnly: true, at: time.Hour + 2*time.Minute})
	last, err := e.log.LastSeq(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for s.Stats().Built < last {
		if time.Now().After(deadline) {
			t.Fatalf("the open window's files were not written while the upload waited: built to %d, want %d", s.Stats().Built, last)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if got := s.Stats(); got.Files != 0 || got.PendingJobs != 1 {
		t.Fatalf("stats while the upload waits = %+v, want no file stored and one job pending", got)
	}

	close(g.gate)
	e.clock.set(t0.Add(2 * time.Hour))
	flush(t, s)
	if got, want := eventIDs(e.files("logs")), sorted(first, second); !slices.Equal(got, want) {
		t.Fatalf("delivered %v, want %v", got, want)
	}
	if got := s.Stats(); got.PendingJobs != 0 || got.Records != 4 {
		t.Fatalf("stats after delivery = %+v", got)
	}
}
