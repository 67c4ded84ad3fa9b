package delivery

import (
	"context"
	"errors"
	"time"
)

// prebuildEvery is how often the open window's log files are brought up to date
// with the log.
const prebuildEvery = time.Second

// prebuild is the open window's log files, written while its events arrive, so that
// when the window closes only the last events and the upload are left: delivery's
// reading and compressing is spread over the window at the pace events come in,
// instead of falling on the API all at once when a large window closes.
//
// It is a cache, never a source of truth. It holds a file set per trail that was
// logging when it began, written from the first unplanned event on. When the window
// is planned, a job whose range starts where the prebuild started and whose trail
// snapshot is the same as the set's takes the set's files; any other job is built
// from the log as before. The files are the same either way (same events, same
// order, same names), so a crash, which loses the prebuild, changes nothing but
// the work done after it.
type prebuild struct {
	from, pos uint64     // the files hold the selected events of [from, pos]
	sets      []*fileSet // one per trail, sorted by trail key
	// at is the time of the event at pos (when the prebuild began, before any):
	// how far behind the log the files are.
	at time.Time
}

func (p *prebuild) abort() {
	for _, set := range p.sets {
		set.abort()
	}
}

func (p *prebuild) set(trailKey string) *fileSet {
	for _, set := range p.sets {
		if set.trail.Key() == trailKey {
			return set
		}
	}
	return nil
}

// prebuildStep writes the events appended since the last step into the open
// window's files, starting a prebuild if none is running. It stops early when the
// clock reaches until (the window's boundary; zero: no limit), so that a step
// slowed by the share never holds up the planning of a closed window.
func (s *Scheduler) prebuildStep(ctx context.Context, until time.Time) {
	if s.noPrebuild.Load() {
		s.dropPrebuild()
		return
	}
	last, err := s.cfg.Log.LastSeq(ctx)
	if err != nil {
		return
	}
	s.mu.Lock()
	cursor, planTime := s.st.Cursor, s.st.PlanTime
	s.mu.Unlock()
	if s.pre != nil && s.pre.from != cursor+1 {
		// The state moved under it (another writer): start again.
		s.dropPrebuild()
	}
	if last <= cursor {
		return
	}
	if s.pre == nil {
		trails, err := s.loggingTrails(ctx, planTime.Add(-time.Minute))
		if err != nil || len(trails) == 0 {
			return
		}
		p := &prebuild{from: cursor + 1, pos: cursor, at: s.cfg.Clock.Now()}
		for _, t := range trails {
			p.sets = append(p.sets, newFileSet(t, s.cfg.SpoolDir, s.cfg.MaxFileBytes))
		}
		s.pre = p
	}
	s.extend(ctx, last, s.prebuildBudget(), until)
}

// prebuildBudget is the budget of writing the open window's files: the configured
// share while they keep up with the log (a step behind), growing like a late job's
// with how far behind the events they have reached are.
func (s *Scheduler) prebuildBudget() budget {
	return s.lateBudget(s.pre.at.Add(prebuildEvery))
}

// extend writes the events up to to into the prebuild's files, within budget b,
// stopping early (and reporting success) when the clock reaches until, if it is not
// zero. A failure drops the prebuild (its jobs will be built from the log).
func (s *Scheduler) extend(ctx context.Context, to uint64, b budget, until time.Time) bool {
	p := s.pre
	if p.pos >= to {
		return true
	}
	err := s.write(ctx, p.pos+1, to, b, until, p.sets, func(c *candidate) {
		p.pos, p.at = c.Seq, c.time()
		s.builtSeq.Store(c.Seq)
	})
	if errors.Is(err, errUntil) {
		return true // p.pos is the last event written
	}
	if err != nil {
		if ctx.Err() == nil {
			s.log.Warn("delivery: write open window's files; they will be built when it closes", "err", err)
		}
		s.dropPrebuild()
		return false
	}
	// Scan ends at the last stored event: the rest of the range no longer exists.
	p.pos = to
	s.builtSeq.Store(to)
	return true
}

func (s *Scheduler) dropPrebuild() {
	if s.pre != nil {
		s.pre.abort()
		s.pre = nil
	}
}

// adopt, after a window was planned, gives the prebuild's files to the window's jobs
// that match them, and ends the prebuild.
func (s *Scheduler) adopt(ctx context.Context) {
	p := s.pre
	if p == nil {
		return
	}
	s.mu.Lock()
	cursor := s.st.Cursor
	var mine []*Job
	for _, j := range s.st.Jobs {
		if j.From == p.from && j.To == cursor {
			mine = append(mine, j)
		}
	}
	s.mu.Unlock()
	if cursor < p.from {
		return // nothing planned since it began
	}
	if len(mine) == 0 || p.pos > cursor || !s.extend(ctx, cursor, s.budget(mine).more(s.prebuildBudget()), time.Time{}) {
		s.dropPrebuild()
		return
	}
	s.pre = nil
	defer p.abort() // the sets no job took
	for _, j := range mine {
		set := p.set(j.Trail.Key())
		if set == nil || !sameConfig(set.trail, &j.Trail) {
			continue
		}
		files, err := set.finish(j)
		if err != nil {
			s.log.Warn("delivery: finish prebuilt files; building them from the log", "trail", j.Trail.ARN(), "err", err)
			continue
		}
		s.prebuilt[j.id()] = files // the set is now empty
		s.prebuiltFiles.Add(uint64(len(files)))
	}
}
