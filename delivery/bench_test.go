package delivery_test

import (
	"testing"
	"time"

	"github.com/cairnhq/cairn/delivery"
	"github.com/cairnhq/cairn/service/cloudtrail"
)

// BenchmarkScheduler_Window measures one window of 50,000 events through one
// multi-Region trail into a local bucket: scan, select, gzip, store.
func BenchmarkScheduler_Window(b *testing.B) {
	const events = 50_000
	var total time.Duration
	for range b.N {
		b.StopTimer()
		e := newEnv(b)
		e.bucket("logs")
		e.trail(east, "bench", "logs", cloudtrail.CreateTrailParams{IsMultiRegionTrail: ptr(true)})
		batch := make([]ev, 1000)
		for i := range batch {
			batch[i] = ev{region: []string{east, west}[i%2], at: time.Duration(i) * time.Millisecond}
		}
		for range events / len(batch) {
			e.appendEvents(batch...)
		}
		s := e.open(delivery.Config{})
		e.clock.set(t0.Add(time.Hour))
		start := time.Now()
		b.StartTimer()
		flush(b, s)
		b.StopTimer()
		total += time.Since(start)
		if st := s.Stats(); st.Records != events {
			b.Fatalf("delivered %d records, want %d", st.Records, events)
		}
	}
	b.ReportMetric(float64(events*b.N)/total.Seconds(), "events/s")
}
