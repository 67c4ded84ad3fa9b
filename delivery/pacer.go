package delivery

import (
	"context"
	"time"
)

// DefaultCPUShare is the share of wall time a delivery pass may spend building files.
const DefaultCPUShare = 0.25

// pacer keeps the building of log files to a share of wall time, so that a large
// window does not take the CPU from API calls: after each stretch of work it pauses
// in proportion. It measures real time on purpose (it schedules work, it does not
// date anything), so it does not use the injected clock.
type pacer struct {
	share float64
	since time.Time // start of the current stretch of work
	n     int
}

// pacerStretch is how much work goes between pauses: short enough that an API call
// waiting for a CPU waits little.
const pacerStretch = 500 * time.Microsecond

func newPacer(share float64) *pacer {
	return &pacer{share: share, since: time.Now()}
}

// tick is called for each event; now and then it pauses.
func (p *pacer) tick(ctx context.Context) {
	if p.share >= 1 {
		return
	}
	p.n++
	if p.n%16 != 0 {
		return
	}
	worked := time.Since(p.since)
	if worked < pacerStretch {
		return
	}
	pause := time.Duration(float64(worked) * (1 - p.share) / p.share)
	t := time.NewTimer(pause)
	select {
	case <-t.C:
	case <-ctx.Done():
		t.Stop()
	}
	p.since = time.Now()
}
