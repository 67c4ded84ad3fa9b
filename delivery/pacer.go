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
// at most maxCredit of unused share carried) is within the share, or servingShare of
// it while the server serves calls. Only when a wait for the calls to end lasts
// maxYield (constant load, where the server is never idle) does delivery stop
// yielding, until a wait ends in an idle server again, so that it still gets its
// share. It measures real time on purpose (it schedules work, it does not date
// anything), so it does not use the injected clock.
type pacer struct {
	share float64
	act   Activity // nil: no yielding
	// maxYield bounds one wait for the API calls to end (defaultMaxYield).
	maxYield time.Duration
	start    time.Time     // the share is counted from here
	worked   time.Duration // work since start
	since    time.Time     // start of the current stretch
	// busy: the last wait for the calls to end lasted maxYield. forced: the current
	// stretch does not yield (it began while busy and calls were in flight).
	busy, forced bool
	// lastCall is when a tick last saw a call in flight; cur the share in effect.
	lastCall time.Time
	cur      float64
	// gentleUntil ends the use of servingShare (zero: never used).
	gentleUntil time.Time
	// stop, if set, cuts a pause short when it reports true (looked at every
	// stopEvery); stopped records that it did.
	stop    func() bool
	stopped bool
}

// stopEvery is how often a pause looks at its pacer's stop condition.
const stopEvery = 50 * time.Millisecond

// pacerStretch is the most contiguous work between pauses: short enough that an API
// call waiting for a CPU waits little.
const pacerStretch = 500 * time.Microsecond

// defaultMaxYield bounds one wait for the API calls to end.
const defaultMaxYield = 2 * time.Millisecond

// maxCredit is the most unused share (time not worked while waiting for events,
// or yielding) that later work may use without pausing.
const maxCredit = 2 * time.Millisecond

// servingShare is the part of its share delivery uses while the server serves calls
// (one was in flight within callMemory) without being busy throughout: then every
// stretch of delivery's work may delay a call, and spreading the work thinner
// delays fewer. An idle server (no calls), a busy one (never idle: delivery must
// keep up) and work more than gentleLag late get the whole share.
const servingShare = 0.25

// callMemory is how long after a call was seen the server counts as serving calls.
const callMemory = 100 * time.Millisecond

func newPacer(share float64, act Activity) *pacer {
	now := time.Now()
	return &pacer{share: share, act: act, maxYield: defaultMaxYield, start: now, since: now}
}

// tick is called for each event; now and then it pauses.
func (p *pacer) tick(ctx context.Context) {
	if p.act != nil && !p.forced && p.act.InFlight() {
		p.lastCall = time.Now()
		p.worked += p.lastCall.Sub(p.since)
		t := time.NewTimer(p.maxYield)
		select {
		case <-p.act.Idle():
			p.busy = false
		case <-t.C:
			p.busy, p.forced = true, true
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
	share := p.current(now)
	// Work allowed so far is share × elapsed; carry at most maxCredit unused.
	allowed := time.Duration(share * float64(now.Sub(p.start)))
	if allowed-p.worked > maxCredit {
		p.start = now.Add(-time.Duration(float64(p.worked+maxCredit) / share))
	}
	if pause := time.Duration(float64(p.worked)/share) - now.Sub(p.start); pause > 0 {
		p.sleep(ctx, pause)
	}
	// A stretch after a pause yields again unless the server has been busy throughout:
	// forcing every stretch that happens to begin during a call would make a call
	// share the CPU with delivery after each pause.
	p.forced = p.busy && p.act.InFlight() // busy only with an Activity
	p.since = time.Now()
}

// sleep pauses for d, or until ctx ends or stop reports true.
func (p *pacer) sleep(ctx context.Context, d time.Duration) {
	for d > 0 {
		step := d
		if p.stop != nil {
			step = min(d, stopEvery)
		}
		t := time.NewTimer(step)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return
		}
		d -= step
		if p.stop != nil && p.stop() {
			p.stopped = true
			return
		}
	}
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

// current returns the share in effect at now (see servingShare). When it changes,
// the count starts afresh from the work done so far: no debt from a larger share
// before, no credit from a smaller one.
func (p *pacer) current(now time.Time) float64 {
	if p.act != nil && p.act.InFlight() {
		p.lastCall = now
	}
	share := p.share
	if !p.busy && now.Before(p.gentleUntil) && now.Sub(p.lastCall) < callMemory {
		share *= servingShare
	}
	if share != p.cur {
		if p.cur != 0 {
			p.start = now.Add(-time.Duration(float64(p.worked) / share))
		}
		p.cur = share
	}
	return share
}
