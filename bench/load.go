package main

import (
	"context"
	"log"
	"sync"
	"sync/atomic"
	"time"
)

// Step is one unit of work of a load worker: it makes one or more calls, records
// their latencies in lat and returns the number of calls (events) it made.
type Step func(ctx context.Context, worker int, lat *Latencies) (calls int, err error)

// LoadSpec bounds a closed-loop load run: it stops after Total calls (if > 0) or
// after Duration (if > 0), whichever comes first.
type LoadSpec struct {
	Name     string
	Workers  int
	Total    int64
	Duration time.Duration
	// Tick, if set, is called about every second with the calls made so far.
	Tick func(calls int64, elapsed time.Duration)
	// Until, if set, stops the run at that time: no call starts after it, and the
	// calls in flight are answered (unlike a deadline on ctx, which abandons them).
	Until time.Time
	// Keep, if set, receives every latency sample of the run, in no particular order.
	Keep *Latencies
}

// LoadResult is the outcome of a run.
type LoadResult struct {
	Calls, Errors int64
	FirstError    string
	Elapsed       time.Duration
	Lat           Summary
	ClientCPU     time.Duration
	ServerCPU     time.Duration
}

// Rate is calls per second.
func (r LoadResult) Rate() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Calls) / r.Elapsed.Seconds()
}

// RunLoad runs spec.Workers goroutines calling step in a loop.
func RunLoad(ctx context.Context, srv *Server, spec LoadSpec, step Step) LoadResult {
	if spec.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, spec.Duration)
		defer cancel()
	}
	var (
		claimed, calls, errs atomic.Int64
		firstErr             atomic.Value
		wg                   sync.WaitGroup
	)
	lats := make([]*Latencies, spec.Workers)
	cpu0, scpu0 := selfCPU(), srv.CPU()
	start := time.Now()
	tickDone := make(chan struct{})
	if spec.Tick != nil {
		go func() {
			t := time.NewTicker(time.Second)
			defer t.Stop()
			for {
				select {
				case <-tickDone:
					return
				case <-t.C:
					spec.Tick(calls.Load(), time.Since(start))
				}
			}
		}()
	}
	for w := range spec.Workers {
		lats[w] = &Latencies{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				if !spec.Until.IsZero() && !time.Now().Before(spec.Until) {
					return
				}
				if spec.Total > 0 && claimed.Add(1) > spec.Total {
					return
				}
				n, err := step(ctx, w, lats[w])
				calls.Add(int64(n))
				if spec.Total > 0 && n > 1 {
					claimed.Add(int64(n - 1))
				}
				if err != nil && ctx.Err() == nil {
					if errs.Add(1) == 1 {
						firstErr.Store(err.Error())
						log.Printf("%s: first error: %v", spec.Name, err)
					}
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(tickDone)
	all := &Latencies{}
	all.Merge(lats...)
	if spec.Keep != nil {
		spec.Keep.Merge(lats...)
	}
	r := LoadResult{Calls: calls.Load(), Errors: errs.Load(), Elapsed: elapsed, Lat: all.Summary(),
		ClientCPU: selfCPU() - cpu0, ServerCPU: srv.CPU() - scpu0}
	if s, ok := firstErr.Load().(string); ok {
		r.FirstError = s
	}
	return r
}
