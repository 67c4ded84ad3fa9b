package eventlog_test

import (
	"context"
	"errors"
	"flag"
	"math/rand/v2"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cairnhq/cairn"
	"github.com/cairnhq/cairn/eventlog"
)

var benchReplayEvents = flag.Int("eventlog.replay", 1_000_000, "events in the log BenchmarkLog_Follow replays")

// BenchmarkLog_Append measures single-event Appends from 16 concurrent goroutines
// (capture appends one event per API call).
func BenchmarkLog_Append(b *testing.B) {
	for _, bc := range []struct {
		name string
		sync bool
	}{{"default", false}, {"SyncAlways", true}} {
		b.Run(bc.name, func(b *testing.B) {
			l, err := eventlog.Open(context.Background(), eventlog.Config{Dir: b.TempDir(), SyncAlways: bc.sync})
			if err != nil {
				b.Fatal(err)
			}
			defer l.Close(context.Background())
			// Build the events up front so that the benchmark measures the log.
			events := make([]*cairn.Event, b.N)
			for i := range events {
				events[i] = newEvent(i, "111111111111", "us-east-1")
			}
			b.SetBytes(int64(len(events[0].Raw)))
			b.ReportAllocs()
			b.SetParallelism(max(1, 16/runtime.GOMAXPROCS(0)))
			var next atomic.Int64
			ctx := context.Background()
			b.ResetTimer()
			start, cpu := time.Now(), cpuTime()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					e := events[next.Add(1)-1]
					if err := l.Append(ctx, e); err != nil {
						b.Error(err)
						return
					}
				}
			})
			reportRate(b, b.N, start, cpu)
		})
	}
}

// reportRate reports events/s (wall) and the process's CPU µs per event.
func reportRate(b *testing.B, events int, start time.Time, cpu time.Duration) {
	b.ReportMetric(float64(events)/time.Since(start).Seconds(), "events/s")
	if c := cpuTime() - cpu; c > 0 {
		b.ReportMetric(float64(c.Microseconds())/float64(events), "cpu-µs/event")
	}
}

// BenchmarkLog_AppendBatch measures Appends of 100 events from one goroutine.
func BenchmarkLog_AppendBatch(b *testing.B) {
	l, err := eventlog.Open(context.Background(), eventlog.Config{Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close(context.Background())
	const size = 100
	ctx := context.Background()
	batches := make([][]*cairn.Event, b.N)
	for i := range batches {
		batches[i] = make([]*cairn.Event, size)
		for j := range batches[i] {
			batches[i][j] = newEvent(i*size+j, "111111111111", "us-east-1")
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	start, cpu := time.Now(), cpuTime()
	for _, batch := range batches {
		if err := l.Append(ctx, batch...); err != nil {
			b.Fatal(err)
		}
	}
	reportRate(b, b.N*size, start, cpu)
}

// fillLog appends n events in batches.
func fillLog(b *testing.B, l *eventlog.Log, n int) {
	b.Helper()
	ctx := context.Background()
	const batch = 1000
	events := make([]*cairn.Event, 0, batch)
	for i := 0; i < n; i++ {
		events = append(events, newEvent(i, "111111111111", []string{"us-east-1", "eu-west-1"}[i%2]))
		if len(events) == batch || i == n-1 {
			if err := l.Append(ctx, events...); err != nil {
				b.Fatal(err)
			}
			events = events[:0]
		}
	}
}

// BenchmarkLog_Follow replays a log of -eventlog.replay events (1M by default) from
// the start, headers only, after reopening it (as a sink does after a restart), and
// reports the replay rate.
func BenchmarkLog_Follow(b *testing.B) {
	n := *benchReplayEvents
	if testing.Short() {
		n = min(n, 50_000)
	}
	dir := b.TempDir()
	l, err := eventlog.Open(context.Background(), eventlog.Config{Dir: dir})
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	fillLog(b, l, n)
	b.Logf("filled %d events in %v", n, time.Since(start))
	// Replay as after a restart, long after the events were appended: a fresh server
	// reading the stored log, whose deduplication window has passed (a short window
	// stands in for the wait; otherwise the server also holds 1M recent event ids,
	// whose garbage collection cost would be counted as replay cost).
	if err := l.Close(context.Background()); err != nil {
		b.Fatal(err)
	}
	start = time.Now()
	l, err = eventlog.Open(context.Background(), eventlog.Config{Dir: dir, DuplicateWindow: time.Second})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close(context.Background())
	b.Logf("reopened in %v", time.Since(start))
	stop := errors.New("done")
	b.ReportAllocs()
	runtime.GC()
	b.ResetTimer()
	start, cpu := time.Now(), cpuTime()
	for range b.N {
		seen := 0
		err := l.Follow(context.Background(), 1, func(e cairn.LoggedEvent) error {
			seen++
			if seen == n {
				return stop
			}
			return nil
		})
		if !errors.Is(err, stop) {
			b.Fatal(err)
		}
	}
	reportRate(b, b.N*n, start, cpu)
}

// BenchmarkLog_GetMany50 fetches a LookupEvents page: 50 records at random
// sequences, or 50 consecutive ones (one account dominating the log).
func BenchmarkLog_GetMany50(b *testing.B) {
	const stored = 100_000
	l, err := eventlog.Open(context.Background(), eventlog.Config{Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close(context.Background())
	fillLog(b, l, stored)
	runtime.GC()
	for _, mode := range []string{"random", "consecutive"} {
		b.Run(mode, func(b *testing.B) {
			r := rand.New(rand.NewPCG(1, 2))
			seqs := make([]uint64, 50)
			ctx := context.Background()
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				base := 1 + r.Uint64N(stored-50)
				for i := range seqs {
					if mode == "random" {
						seqs[i] = 1 + r.Uint64N(stored)
					} else {
						seqs[i] = base + 49 - uint64(i) // newest first, as a page is
					}
				}
				out, err := l.GetMany(ctx, seqs)
				if err != nil {
					b.Fatal(err)
				}
				for i, o := range out {
					if o == nil {
						b.Fatalf("seq %d missing", seqs[i])
					}
				}
			}
		})
	}
}

// BenchmarkLog_Get fetches one record.
func BenchmarkLog_Get(b *testing.B) {
	const stored = 10_000
	l, err := eventlog.Open(context.Background(), eventlog.Config{Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close(context.Background())
	fillLog(b, l, stored)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if _, err := l.Get(ctx, uint64(1+i%stored)); err != nil {
			b.Fatal(err)
		}
	}
}
