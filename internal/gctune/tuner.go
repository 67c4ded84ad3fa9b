package gctune

import (
	"context"
	"log/slog"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// MinPercent is the lowest GOGC a Tuner sets: below it collections would come so
// often, on a very large heap, that they would cost more CPU than memory is worth.
const MinPercent = 25

// DefaultEvery is how often a Tuner looks at the live heap.
const DefaultEvery = time.Second

// Percent is the GOGC that lets a heap of live bytes grow by headroom bytes before
// the next collection: 100 (Go's default) while headroom is at least as much as is
// live, and never below MinPercent.
func Percent(live, headroom uint64) int {
	if headroom == 0 || live <= headroom {
		return 100
	}
	return max(int(headroom*100/live), MinPercent)
}

// Tuner sets GOGC from the live heap, every Every, until its context ends.
type Tuner struct {
	Headroom uint64        // bytes; 0 leaves GOGC alone
	Every    time.Duration // DefaultEvery when zero
	Log      *slog.Logger  // nil: no logging

	// live reads the live heap and setPercent sets GOGC (returning the old value);
	// the runtime's by default, replaced in tests.
	live       func() uint64
	setPercent func(int) int
}

// Run adjusts GOGC until ctx ends, then restores the GOGC it found.
func (t *Tuner) Run(ctx context.Context) {
	if t.Headroom == 0 {
		return
	}
	live, set := t.live, t.setPercent
	if live == nil {
		live = liveHeap
	}
	if set == nil {
		set = debug.SetGCPercent
	}
	every := t.Every
	if every <= 0 {
		every = DefaultEvery
	}
	cur := 100
	orig := set(cur)
	defer set(orig)
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		if p := Percent(live(), t.Headroom); p != cur {
			set(p)
			if t.Log != nil {
				t.Log.Debug("gc percent", "from", cur, "to", p)
			}
			cur = p
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// liveHeap is the heap the last collection found live.
func liveHeap() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}
