package delivery

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"time"

	"github.com/cairnhq/cairn"
	"github.com/cairnhq/cairn/service/cloudtrail"
)

// pass executes every job that is due (see execute).
func (s *Scheduler) pass(ctx context.Context) {
	for _, group := range s.dueGroups() {
		if ctx.Err() != nil {
			return
		}
		s.execute(ctx, group)
	}
}

// dueGroups returns the jobs that are due, grouped by log range so that each range is
// scanned once for all its trails.
func (s *Scheduler) dueGroups() [][]*Job {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.Clock.Now()
	byRange := map[[2]uint64][]*Job{}
	var ranges [][2]uint64
	for _, j := range s.st.Jobs {
		if !s.ready(j.id(), now) || s.uploading[j.id()] {
			continue
		}
		r := [2]uint64{j.From, j.To}
		if _, ok := byRange[r]; !ok {
			ranges = append(ranges, r)
		}
		byRange[r] = append(byRange[r], j)
	}
	sort.Slice(ranges, func(a, b int) bool { return ranges[a][0] < ranges[b][0] })
	out := make([][]*Job, 0, len(ranges))
	for _, r := range ranges {
		out = append(out, byRange[r])
	}
	return out
}

// execute builds the files of jobs, which share one log range, and hands them to the
// uploader. Jobs whose files were written as their events arrived (see prebuild) are
// not built.
func (s *Scheduler) execute(ctx context.Context, jobs []*Job) {
	if err := s.markStarted(ctx, jobs); err != nil {
		s.log.Warn("delivery: mark jobs started", "err", err)
		return
	}
	files := make([][]LogFile, len(jobs))
	defer func() {
		for _, fs := range files {
			removeFiles(fs)
		}
	}()
	var unbuilt []*Job
	var at []int // unbuilt[k] is jobs[at[k]]
	for i, j := range jobs {
		if f, ok := s.prebuilt[j.id()]; ok {
			files[i] = f
			delete(s.prebuilt, j.id())
		} else {
			unbuilt, at = append(unbuilt, j), append(at, i)
		}
	}
	if len(unbuilt) > 0 {
		built, err := s.build(ctx, unbuilt)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			s.log.Error("delivery: build log files", "first_seq", jobs[0].From, "last_seq", jobs[0].To, "err", err)
			s.mu.Lock()
			for _, j := range jobs {
				s.failed(j.id(), s.cfg.Clock.Now())
			}
			s.mu.Unlock()
			return
		}
		for k, i := range at {
			files[i] = built[k]
		}
	}
	for i, j := range jobs {
		if !s.handOver(ctx, j, files[i]) {
			return
		}
		files[i] = nil // the uploader's now
	}
}

func (s *Scheduler) markStarted(ctx context.Context, jobs []*Job) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	changed := false
	for _, j := range jobs {
		if !j.Started {
			j.Started, changed = true, true
		}
	}
	if !changed {
		return nil
	}
	return s.save(ctx)
}

// budget is the budget of a pass over jobs: the configured share while delivery
// keeps up, growing with how late the jobs' window is (twice the share a whole
// interval after the window closed, three times after two...), so that delivery
// that fell behind under load catches up.
func (s *Scheduler) budget(jobs []*Job) budget {
	oldest := jobs[0].Time
	for _, j := range jobs[1:] {
		if j.Time.Before(oldest) {
			oldest = j.Time
		}
	}
	return s.lateBudget(oldest)
}

// budget is what a piece of delivery work may spend: a CPU share, and for how much
// longer it keeps to servingShare of it while the server serves calls: until
// gentleLag after it was due, so that work later than that makes up time at the
// whole share.
type budget struct {
	share  float64
	gentle time.Duration
}

// gentleLag is how long after it was due delivery work stays gentle (see budget).
const gentleLag = 15 * time.Second

// lateBudget is the budget of work due at due: the configured CPU share grown with
// how long ago due was, by one share per interval, and gentle until gentleLag after it.
func (s *Scheduler) lateBudget(due time.Time) budget {
	lag := s.cfg.Clock.Now().Sub(due)
	share := s.cfg.CPUShare
	if lag > 0 && s.cfg.Interval > 0 {
		share *= 1 + float64(lag)/float64(s.cfg.Interval)
	}
	return budget{share: min(share, 1), gentle: gentleLag - lag}
}

// more is the larger of two budgets: the larger share, the shorter gentleness.
func (b budget) more(o budget) budget {
	return budget{share: max(b.share, o.share), gentle: min(b.gentle, o.gentle)}
}

// newPacer returns a pacer that keeps to b.
func (s *Scheduler) newPacer(b budget) *pacer {
	p := newPacer(b.share, s.cfg.Activity)
	if b.gentle > 0 {
		p.gentleUntil = time.Now().Add(b.gentle)
	}
	return p
}

// build scans the jobs' range once and writes each job's files into the spool.
func (s *Scheduler) build(ctx context.Context, jobs []*Job) ([][]LogFile, error) {
	sets := make([]*fileSet, len(jobs))
	for i, j := range jobs {
		sets[i] = newFileSet(&j.Trail, s.cfg.SpoolDir, s.cfg.MaxFileBytes)
	}
	abort := func() {
		for _, set := range sets {
			set.abort()
		}
	}
	from, to := jobs[0].From, jobs[0].To
	if err := s.write(ctx, from, to, s.budget(jobs), time.Time{}, sets, nil); err != nil {
		abort()
		return nil, fmt.Errorf("scan events %d-%d: %w", from, to, err)
	}
	files := make([][]LogFile, len(jobs))
	for i, j := range jobs {
		var err error
		if files[i], err = sets[i].finish(j); err != nil {
			abort()
			for _, fs := range files {
				removeFiles(fs)
			}
			return nil, err
		}
	}
	return files, nil
}

// deliver stores a job's files; when all are stored the job is done. It runs on the
// uploader goroutine.
func (s *Scheduler) deliver(ctx context.Context, j *Job, files []LogFile) {
	t := &j.Trail
	var keys []string
	b := s.budget([]*Job{j})
	b.share *= uploadShare
	pace := s.newPacer(b)
	for _, f := range files {
		if err := s.put(ctx, t.S3BucketName, f, pace); err != nil {
			if ctx.Err() != nil {
				return
			}
			s.failures.Add(1)
			code := errorCode(err)
			if s.trailGone(ctx, t) {
				// DeleteTrail stops delivery for good, also of what could not be stored.
				s.log.Warn("delivery failed for a deleted trail; dropping its pending files", "trail", t.ARN(), "code", code)
				s.dropJob(ctx, j)
				return
			}
			s.mu.Lock()
			d := s.failed(j.id(), s.cfg.Clock.Now())
			s.mu.Unlock()
			s.log.Warn("delivery failed; will retry", "trail", t.ARN(), "bucket", t.S3BucketName, "key", f.Key, "code", code, "retry_in", d, "err", err)
			s.status(ctx, t, func(st *cloudtrail.DeliveryStatus) {
				st.LatestDeliveryAttemptTime = s.cfg.Clock.Now()
				st.LatestDeliveryError = code
			})
			return
		}
		s.files.Add(1)
		s.records.Add(uint64(f.Records))
		keys = append(keys, f.Key)
	}
	now := s.cfg.Clock.Now()
	s.mu.Lock()
	delete(s.backoff, j.id())
	prev := *s.st
	prev.Jobs = append([]*Job(nil), s.st.Jobs...)
	prev.Notifications = append([]Notification(nil), s.st.Notifications...)
	jobs := s.st.Jobs[:0:0]
	for _, x := range s.st.Jobs {
		if x != j {
			jobs = append(jobs, x)
		}
	}
	s.st.Jobs = jobs
	prevChains := map[string]*chain{}
	for k, c := range s.st.Chains {
		cp := *c
		prevChains[k] = &cp
	}
	s.addToChains(t, files)
	if len(keys) > 0 && t.SnsTopicARN != "" && s.cfg.Notifier != nil {
		s.st.Notifications = append(s.st.Notifications, Notification{
			TrailKey: t.Key(), TopicARN: t.SnsTopicARN, Bucket: t.S3BucketName, Keys: keys, Time: now,
		})
	}
	err := s.save(ctx)
	if err != nil {
		*s.st = prev
		s.st.Chains = prevChains
	}
	s.mu.Unlock()
	if err != nil {
		// The files are stored; the job runs again and stores the same files.
		s.log.Warn("delivery: store finished job", "trail", t.ARN(), "err", err)
		return
	}
	if len(files) > 0 {
		s.log.Debug("delivered", "trail", t.ARN(), "files", len(files), "first_seq", j.From, "last_seq", j.To)
	}
	s.status(ctx, t, func(st *cloudtrail.DeliveryStatus) {
		st.LatestDeliveryAttemptTime = now
		st.LatestDeliveryAttemptSucceeded = now
		st.LatestDeliveryError = ""
		if len(files) > 0 {
			st.LatestDeliveryTime = now
		}
	})
}

// trailGone reports whether the trail of a snapshot has been deleted since.
func (s *Scheduler) trailGone(ctx context.Context, t *cloudtrail.Trail) bool {
	e, err := s.cfg.Meta.Get(ctx, cloudtrail.TrailsBucket, t.Key())
	if errors.Is(err, cairn.ErrNotFound) {
		return true
	}
	if err != nil {
		return false
	}
	var cur cloudtrail.Trail
	return json.Unmarshal(e.Value, &cur) == nil && !cur.CreatedTime.Equal(t.CreatedTime)
}

// dropJob removes job j from the state without delivering it.
func (s *Scheduler) dropJob(ctx context.Context, j *Job) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.backoff, j.id())
	prev := s.st.Jobs
	jobs := prev[:0:0]
	for _, x := range prev {
		if x != j {
			jobs = append(jobs, x)
		}
	}
	s.st.Jobs = jobs
	if err := s.save(ctx); err != nil {
		s.st.Jobs = prev
		s.log.Warn("delivery: drop job", "err", err)
	}
}

// put stores a log file, reading it at the pacer's pace: the store's checksums and
// the upload take CPU like building the file did.
func (s *Scheduler) put(ctx context.Context, bucket string, f LogFile, pace *pacer) error {
	fh, err := os.Open(f.Path)
	if err != nil {
		return fmt.Errorf("open spool file: %w", err)
	}
	defer fh.Close()
	return s.cfg.Store.Put(ctx, bucket, f.Key, &pacedFile{f: fh, ctx: ctx, pace: pace}, f.Size, cairn.PutOptions{
		ContentType: "application/json", ContentEncoding: "gzip",
	})
}

// status records a delivery outcome in the trail's status document.
func (s *Scheduler) status(ctx context.Context, t *cloudtrail.Trail, fn func(*cloudtrail.DeliveryStatus)) {
	if err := cloudtrail.UpdateDeliveryStatus(ctx, s.cfg.Meta, t.Key(), fn); err != nil && ctx.Err() == nil {
		s.log.Warn("delivery: update trail status", "trail", t.ARN(), "err", err)
	}
}

// errorCode is the code GetTrailStatus reports for a failed delivery: the store's
// own error code where it has one.
func errorCode(err error) string {
	var se *cairn.StoreError
	switch {
	case errors.As(err, &se) && se.Code != "":
		return se.Code
	case errors.Is(err, cairn.ErrNoSuchBucket):
		return "NoSuchBucket"
	case errors.Is(err, os.ErrPermission):
		return "AccessDenied"
	}
	return "InternalError"
}

// notificationMessage is the message CloudTrail publishes after delivering files.
type notificationMessage struct {
	S3Bucket    string   `json:"s3Bucket"`
	S3ObjectKey []string `json:"s3ObjectKey"`
}

// notify sends the due notifications, oldest first.
func (s *Scheduler) notify(ctx context.Context) {
	if s.cfg.Notifier == nil {
		return
	}
	s.mu.Lock()
	pending := append([]Notification(nil), s.st.Notifications...)
	s.mu.Unlock()
	for _, n := range pending {
		if ctx.Err() != nil {
			return
		}
		id := "notify/" + n.TrailKey + "/" + n.Keys[0]
		s.mu.Lock()
		due := s.ready(id, s.cfg.Clock.Now())
		s.mu.Unlock()
		if !due {
			continue
		}
		msg, _ := json.Marshal(notificationMessage{S3Bucket: n.Bucket, S3ObjectKey: n.Keys})
		err := s.cfg.Notifier.Notify(ctx, n.TopicARN, msg)
		now := s.cfg.Clock.Now()
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			s.mu.Lock()
			d := s.failed(id, now)
			s.mu.Unlock()
			s.log.Warn("notification failed; will retry", "topic", n.TopicARN, "retry_in", d, "err", err)
			s.statusKey(ctx, n.TrailKey, func(st *cloudtrail.DeliveryStatus) {
				st.LatestNotificationAttemptTime = now
				st.LatestNotificationError = err.Error()
			})
			continue
		}
		s.mu.Lock()
		delete(s.backoff, id)
		prev := s.st.Notifications
		kept := make([]Notification, 0, len(prev))
		for _, x := range prev {
			if !(x.TrailKey == n.TrailKey && x.Keys[0] == n.Keys[0]) {
				kept = append(kept, x)
			}
		}
		s.st.Notifications = kept
		if err := s.save(ctx); err != nil {
			s.st.Notifications = prev
			s.log.Warn("delivery: store sent notification", "err", err)
		}
		s.mu.Unlock()
		s.statusKey(ctx, n.TrailKey, func(st *cloudtrail.DeliveryStatus) {
			st.LatestNotificationTime = now
			st.LatestNotificationAttemptTime = now
			st.LatestNotificationAttemptSucceeded = now
			st.LatestNotificationError = ""
		})
	}
}

func (s *Scheduler) statusKey(ctx context.Context, trailKey string, fn func(*cloudtrail.DeliveryStatus)) {
	if err := cloudtrail.UpdateDeliveryStatus(ctx, s.cfg.Meta, trailKey, fn); err != nil && ctx.Err() == nil {
		s.log.Warn("delivery: update trail status", "trail", trailKey, "err", err)
	}
}
