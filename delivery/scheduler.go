package delivery

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cairnhq/cairn"
	"github.com/cairnhq/cairn/eventlog"
	"github.com/cairnhq/cairn/service/cloudtrail"
)

// Defaults of Config.
const (
	DefaultInterval      = 5 * time.Minute
	DefaultRetryDelay    = time.Second
	DefaultMaxRetryDelay = time.Minute
)

// Log is the part of the event log delivery reads.
type Log interface {
	// Scan calls fn for every event in [from, to], in order (see eventlog.Log.Scan).
	Scan(ctx context.Context, from, to uint64, fn func(eventlog.Message) error) error
	// LastSeq is the sequence of the last appended event.
	LastSeq(ctx context.Context) (uint64, error)
}

// Notifier sends a delivery notification to a trail's notification target.
type Notifier interface {
	// Notify delivers message to the target named by topicARN and returns nil once
	// the target acknowledged it. It is retried until it does.
	Notify(ctx context.Context, topicARN string, message []byte) error
}

// Config configures a Scheduler.
type Config struct {
	Log   Log
	Meta  cairn.MetaStore
	Store cairn.ObjectStore
	// Notifier sends notifications; nil drops them.
	Notifier Notifier
	// Interval is the delivery interval (DefaultInterval); windows close on its
	// multiples of wall-clock time.
	Interval time.Duration
	// MaxFileBytes splits log files before this many uncompressed bytes
	// (DefaultMaxFileBytes).
	MaxFileBytes int64
	// CPUShare is the share of wall time building log files may take
	// (DefaultCPUShare; 1: no pauses), which keeps API latency steady while a large
	// window is delivered.
	CPUShare float64
	// Activity, if set, tells when API calls are in flight: delivery then steps
	// aside until they end (see pacer).
	Activity Activity
	// SpoolDir holds log files while they are built (created if missing).
	SpoolDir string
	// Signer signs digest files; nil writes none.
	Signer Signer
	// DigestInterval is how often digests are written (DefaultDigestInterval), on
	// its multiples of wall-clock time.
	DigestInterval time.Duration
	// RetryDelay is the first pause after a failed delivery; it doubles up to
	// MaxRetryDelay.
	RetryDelay, MaxRetryDelay time.Duration
	Clock                     cairn.Clock
	Logger                    *slog.Logger
}

// Stats are the scheduler's counters, for metrics.
type Stats struct {
	Cursor        uint64 // last planned event sequence
	Built         uint64 // last event whose log files are written (planned or not)
	PrebuiltFiles uint64 // files written while their window was open, since start
	PendingJobs   int
	PendingNotify int
	Files         uint64 // log files written since start
	Records       uint64 // records in them
	Failures      uint64 // failed delivery attempts since start
	Digests       uint64 // digest files written since start
	PendingDigest int
}

// Scheduler delivers trail log files. It runs two goroutines, started by Open and
// drained by Close: one plans windows and writes log files, the other (see
// uploader) stores them, so that a slow store never holds up the writing of the
// open window's files. Only one Scheduler should run against a MetaStore at a time.
type Scheduler struct {
	cfg    Config
	log    *slog.Logger
	cancel context.CancelFunc
	done   chan struct{}
	kick   chan chan struct{}

	// uploads carries jobs' files from the run goroutine to the uploader, which
	// closes upDone when it exits; uploading (under mu) holds the ids of the jobs
	// handed over and not yet done.
	uploads   chan upload
	upDone    chan struct{}
	uploading map[string]bool

	mu    sync.Mutex // guards st, stats
	st    *state
	rev   uint64
	stats Stats

	// retry state of jobs and notifications, by id (not persisted: a restart retries
	// at once).
	backoff map[string]retry

	// pre is the open window's prebuild, and prebuilt the files it gave to planned
	// jobs, by job id; both are used by the run goroutine only.
	pre      *prebuild
	prebuilt map[string][]LogFile
	builtSeq atomic.Uint64 // the last event whose files are written (metrics)
	// prebuiltFiles counts the files written ahead that jobs took.
	prebuiltFiles atomic.Uint64
	noPrebuild    atomic.Bool // tests compare files built both ways

	files, records, failures, digests atomic.Uint64
}

type retry struct {
	failures int
	next     time.Time
}

// Open loads the delivery state and starts the scheduler.
func Open(ctx context.Context, cfg Config) (*Scheduler, error) {
	if cfg.Log == nil || cfg.Meta == nil || cfg.Store == nil {
		return nil, errors.New("delivery: Log, Meta and Store are required")
	}
	if cfg.Interval <= 0 {
		cfg.Interval = DefaultInterval
	}
	if cfg.CPUShare <= 0 || cfg.CPUShare > 1 {
		cfg.CPUShare = DefaultCPUShare
	}
	if cfg.DigestInterval <= 0 {
		cfg.DigestInterval = DefaultDigestInterval
	}
	if cfg.MaxFileBytes <= 0 {
		cfg.MaxFileBytes = DefaultMaxFileBytes
	}
	if cfg.RetryDelay <= 0 {
		cfg.RetryDelay = DefaultRetryDelay
	}
	if cfg.MaxRetryDelay <= 0 {
		cfg.MaxRetryDelay = DefaultMaxRetryDelay
	}
	if cfg.Clock == nil {
		cfg.Clock = cairn.SystemClock{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.SpoolDir == "" {
		return nil, errors.New("delivery: SpoolDir is required")
	}
	if err := os.MkdirAll(cfg.SpoolDir, 0o700); err != nil {
		return nil, fmt.Errorf("delivery: spool dir: %w", err)
	}
	// Files left by a crash are rebuilt from the log.
	if old, err := os.ReadDir(cfg.SpoolDir); err == nil {
		for _, e := range old {
			_ = os.Remove(cfg.SpoolDir + string(os.PathSeparator) + e.Name())
		}
	}
	st, rev, err := loadState(ctx, cfg.Meta)
	if err != nil {
		return nil, err
	}
	rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s := &Scheduler{
		cfg: cfg, log: cfg.Logger, cancel: cancel, done: make(chan struct{}),
		kick: make(chan chan struct{}), st: st, rev: rev, backoff: map[string]retry{},
		prebuilt: map[string][]LogFile{},
		uploads:  make(chan upload, maxQueuedUploads), upDone: make(chan struct{}), uploading: map[string]bool{},
	}
	go s.uploader(rctx)
	go s.run(rctx)
	return s, nil
}

// Close stops the scheduler and waits for it. Work in progress is abandoned and
// redone after the next Open.
func (s *Scheduler) Close(ctx context.Context) error {
	s.cancel()
	select {
	case <-s.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Flush closes the current delivery window and digest period now (as if both
// intervals had ended), delivers what is due, and returns when that pass is over.
// Tests use it.
func (s *Scheduler) Flush(ctx context.Context) error {
	ack := make(chan struct{})
	select {
	case s.kick <- ack:
	case <-s.done:
		return cairn.ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-ack:
		return nil
	case <-s.done:
		return cairn.ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Stats returns the scheduler's counters.
func (s *Scheduler) Stats() Stats {
	s.mu.Lock()
	st := Stats{Cursor: s.st.Cursor, PendingJobs: len(s.st.Jobs), PendingNotify: len(s.st.Notifications), PendingDigest: len(s.st.DigestJobs)}
	s.mu.Unlock()
	st.Files, st.Records, st.Failures, st.Digests = s.files.Load(), s.records.Load(), s.failures.Load(), s.digests.Load()
	st.Built = max(s.builtSeq.Load(), st.Cursor)
	st.PrebuiltFiles = s.prebuiltFiles.Load()
	return st
}

func (s *Scheduler) run(ctx context.Context) {
	defer close(s.done)
	defer func() {
		close(s.uploads)
		<-s.upDone
	}()
	defer func() {
		s.dropPrebuild()
		for _, files := range s.prebuilt {
			removeFiles(files)
		}
	}()
	next := s.boundaryAfter(s.cfg.Clock.Now())
	nextDigest := s.cfg.Clock.Now().Truncate(s.cfg.DigestInterval).Add(s.cfg.DigestInterval)
	for {
		now := s.cfg.Clock.Now()
		var ack chan struct{}
		if !now.Before(next) {
			// Plan first, so that the window ends at the log position of its boundary;
			// adopt then brings the prebuild up to that position.
			s.plan(ctx, next)
			s.adopt(ctx)
			next = s.boundaryAfter(now)
		}
		s.pass(ctx)
		s.notify(ctx)
		s.storeDigests(ctx)
		s.prebuildStep(ctx, next)
		if !now.Before(nextDigest) {
			s.planDigests(ctx, nextDigest)
			nextDigest = now.Truncate(s.cfg.DigestInterval).Add(s.cfg.DigestInterval)
			s.storeDigests(ctx)
		}
		wake := next
		if nextDigest.Before(wake) {
			wake = nextDigest
		}
		if r, ok := s.nextRetry(); ok && r.Before(wake) {
			wake = r
		}
		timer := time.NewTimer(min(max(wake.Sub(s.cfg.Clock.Now()), time.Millisecond), prebuildEvery))
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-timer.C:
		case ack = <-s.kick:
			timer.Stop()
			s.prebuildStep(ctx, time.Time{})
			s.plan(ctx, s.cfg.Clock.Now())
			s.adopt(ctx)
			s.clearBackoff()
			s.pass(ctx)
			// The pass handed its files to the uploader: wait until they are stored,
			// then send their notifications.
			s.waitUploads(ctx)
			s.notify(ctx)
			s.planDigests(ctx, s.cfg.Clock.Now())
			s.storeDigests(ctx)
			close(ack)
		}
	}
}

// boundaryAfter is the first multiple of the interval after t.
func (s *Scheduler) boundaryAfter(t time.Time) time.Time {
	return t.Truncate(s.cfg.Interval).Add(s.cfg.Interval)
}

// save stores the state, reloading it if another writer changed it.
func (s *Scheduler) save(ctx context.Context) error {
	rev, err := storeState(ctx, s.cfg.Meta, s.st, s.rev)
	if err != nil {
		if errors.Is(err, cairn.ErrRevisionMismatch) || errors.Is(err, cairn.ErrExists) || errors.Is(err, cairn.ErrNotFound) {
			s.log.Warn("delivery state changed by another writer; reloading")
			if st, r, lerr := loadState(ctx, s.cfg.Meta); lerr == nil {
				s.st, s.rev = st, r
			}
		}
		return err
	}
	s.rev = rev
	return nil
}

// plan closes the window ending now: one job per trail that may have events in it.
func (s *Scheduler) plan(ctx context.Context, at time.Time) {
	last, err := s.cfg.Log.LastSeq(ctx)
	if err != nil {
		s.log.Warn("delivery: read event log position", "err", err)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	from := s.st.Cursor + 1
	if last < from {
		s.st.PlanTime = at
		return
	}
	trails, err := s.loggingTrails(ctx, s.st.PlanTime.Add(-time.Minute))
	if err != nil {
		s.log.Warn("delivery: list trails", "err", err)
		return
	}
	prev := *s.st
	prev.Jobs = append([]*Job(nil), s.st.Jobs...)
	for _, t := range trails {
		if j := s.lastJob(t.Key()); j != nil && !j.Started && j.To == from-1 && sameConfig(&j.Trail, t) {
			merged := *j
			merged.To, merged.Time = last, at
			s.replaceJob(j, &merged)
			continue
		}
		s.st.Jobs = append(s.st.Jobs, &Job{Trail: *t, From: from, To: last, Time: at})
	}
	s.st.Cursor, s.st.PlanTime = last, at
	if err := s.save(ctx); err != nil {
		s.log.Warn("delivery: store planned window", "err", err)
		*s.st = prev
	}
}

func (s *Scheduler) lastJob(trailKey string) *Job {
	for i := len(s.st.Jobs) - 1; i >= 0; i-- {
		if s.st.Jobs[i].Trail.Key() == trailKey {
			return s.st.Jobs[i]
		}
	}
	return nil
}

func (s *Scheduler) replaceJob(old, nw *Job) {
	for i, j := range s.st.Jobs {
		if j == old {
			s.st.Jobs[i] = nw
		}
	}
}

// loggingTrails returns the trails that were logging at some time after since (all
// that ever logged when since is zero).
func (s *Scheduler) loggingTrails(ctx context.Context, since time.Time) ([]*cloudtrail.Trail, error) {
	entries, err := s.cfg.Meta.List(ctx, cloudtrail.TrailsBucket, "")
	if err != nil {
		return nil, err
	}
	var out []*cloudtrail.Trail
	for _, e := range entries {
		t := new(cloudtrail.Trail)
		if err := json.Unmarshal(e.Value, t); err != nil {
			s.log.Warn("delivery: undecodable trail", "key", e.Key, "err", err)
			continue
		}
		n := len(t.LoggingPeriods)
		if n == 0 {
			continue
		}
		if lp := t.LoggingPeriods[n-1]; !lp.Stop.IsZero() && !since.IsZero() && lp.Stop.Before(since) {
			continue
		}
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key() < out[j].Key() })
	return out, nil
}

func (s *Scheduler) nextRetry() (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var first time.Time
	for _, r := range s.backoff {
		if first.IsZero() || r.next.Before(first) {
			first = r.next
		}
	}
	return first, !first.IsZero()
}

func (s *Scheduler) clearBackoff() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, r := range s.backoff {
		r.next = time.Time{}
		s.backoff[id] = r
	}
}

func (s *Scheduler) ready(id string, now time.Time) bool {
	r, ok := s.backoff[id]
	return !ok || !now.Before(r.next)
}

func (s *Scheduler) failed(id string, now time.Time) time.Duration {
	r := s.backoff[id]
	r.failures++
	d := min(s.cfg.RetryDelay<<min(r.failures-1, 16), s.cfg.MaxRetryDelay)
	r.next = now.Add(d)
	s.backoff[id] = r
	return d
}
