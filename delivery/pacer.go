package delivery

import (
	"context"
	"os"
	"time"
)

// DefaultCPUShare is the share of wall time a delivery pass may spend building files
// (while it keeps up: see Scheduler.share).
const DefaultCPUShare = 0.15

// Activity reports the API calls in flight (gateway.Activity implements it).
type Activity interface {
	// InFlight reports whether a call is being served.
	InFlight() bool
	// Idle returns a channel closed when no call is in flight.
	Idle() <-chan struct{}
}

// pacer keeps the building of log files from taking the CPU from API calls. It
// checks, between events, whether a call is in flight; if so it steps aside until
// the server is idle again (at most maxYield), so that delivery runs in the gaps
// between calls. And it keeps delivery's work to its share of wall time: after each
// stretch of contiguous work it pauses until the work done since the pass began (with
// at most maxCredit of unused share carried) is within the share. A stretch that
// begins while calls are in flight (under constant load) does not yield, so delivery
// still gets its share. It measures real time on purpose (it schedules work, it does
// not date anything), so it does not use the injected clock.
type pacer struct {
	share float64
	act   Activity // nil: no yielding
	// maxYield bounds one wait for the API calls to end (defaultMaxYield).
	maxYield time.Duration
	start    time.Time     // the share is counted from here
	worked   time.Duration // work since start
	since    time.Time     // start of the current stretch
	// forced: the stretch began while calls were in flight, or after waiting
	// maxYield for them: it does not yield.
	forced bool
}

// pacerStretch is the most contiguous work between pauses: short enough that an API
// call waiting for a CPU waits little.
const pacerStretch = 500 * time.Microsecond

// defaultMaxYield bounds one wait for the API calls to end.
const defaultMaxYield = 2 * time.Millisecond

// maxCredit is the most unused share (time not worked while waiting for events,
// or yielding) that later work may use without pausing.
const maxCredit = 2 * time.Millisecond

func newPacer(share float64, act Activity) *pacer {
	now := time.Now()
	return &pacer{share: share, act: act, maxYield: defaultMaxYield, start: now, since: now}
}

// tick is called for each event; now and then it pauses.
func (p *pacer) tick(ctx context.Context) {
	if p.act != nil && !p.forced && p.act.InFlight() {
		p.worked += time.Since(p.since)
		t := time.NewTimer(p.maxYield)
		select {
		case <-p.act.Idle():
		case <-t.C:
			p.forced = true
		case <-ctx.Done():
		}
		t.Stop()
		p.since = time.Now()
		return
	}
	if p.share >= 1 {
		return
	}
	now := time.Now()
	stretch := now.Sub(p.since)
	if stretch < pacerStretch {
		return
	}
	p.worked += stretch
	// Work allowed so far is share × elapsed; carry at most maxCredit unused.
	allowed := time.Duration(p.share * float64(now.Sub(p.start)))
	if allowed-p.worked > maxCredit {
		p.start = now.Add(-time.Duration(float64(p.worked+maxCredit) / p.share))
	}
	if pause := time.Duration(float64(p.worked)/p.share) - now.Sub(p.start); pause > 0 {
		t := time.NewTimer(pause)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
		}
	}
	p.forced = p.act != nil && p.act.InFlight()
	p.since = time.Now()
}

// rest starts a new stretch without counting the time since the last tick as work:
// the caller was waiting (for a store's answer, say), not working.
func (p *pacer) rest() { p.since = time.Now() }

// pacedChunk is the most a pacedFile reads between pacer ticks.
const pacedChunk = 32 << 10

// pacedFile reads a file in chunks, calling the pacer before each: an upload's
// reads (and so its checksums and its sending) keep to delivery's share. Its first
// read rests the pacer instead: what came before it (the previous file's upload
// waiting for the store's answer, a connection being made) was waiting, not work.
type pacedFile struct {
	f       *os.File
	ctx     context.Context
	pace    *pacer
	started bool
}

func (p *pacedFile) step() {
	if !p.started {
		p.started = true
		p.pace.rest()
		return
	}
	p.pace.tick(p.ctx)
}

func (p *pacedFile) Read(b []byte) (int, error) {
	p.step()
	return p.f.Read(b[:min(len(b), pacedChunk)])
}

func (p *pacedFile) ReadAt(b []byte, off int64) (int, error) {
	var n int
	for n < len(b) {
		p.step()
		m, err := p.f.ReadAt(b[n:min(len(b), n+pacedChunk)], off+int64(n))
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

func (p *pacedFile) Seek(offset int64, whence int) (int64, error) {
	return p.f.Seek(offset, whence)
}
