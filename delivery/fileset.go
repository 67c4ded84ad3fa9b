package delivery

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"sort"
	"time"

	"github.com/cairnhq/cairn/eventlog"
	"github.com/cairnhq/cairn/service/cloudtrail"
)

// fileSet is the log files of one trail over one log range while they are written:
// a writer per region, each split before maxBytes. Its files are named only when it
// is finished for a job, so a set may be written before the job's range is known
// (see prebuild).
type fileSet struct {
	trail    *cloudtrail.Trail
	spool    string
	maxBytes int64
	open     map[string]*regionFile
	files    []LogFile // finished parts
}

type regionFile struct {
	w    *logFileWriter
	part int
}

func newFileSet(t *cloudtrail.Trail, spool string, maxBytes int64) *fileSet {
	return &fileSet{trail: t, spool: spool, maxBytes: maxBytes, open: map[string]*regionFile{}}
}

// addEvent writes event c into every set whose trail selects it. An event a trail's
// selectors cannot evaluate (an undecodable record) is left out of that trail's files.
func addEvent(log *slog.Logger, sets []*fileSet, c *candidate) error {
	for _, set := range sets {
		ok, err := selects(set.trail, c)
		if err != nil {
			log.Warn("delivery: skipping undecodable event", "seq", c.Seq, "trail", set.trail.ARN(), "err", err)
			continue
		}
		if !ok {
			continue
		}
		if err := set.add(c); err != nil {
			return err
		}
	}
	return nil
}

// errUntil ends a write that reached its until time.
var errUntil = errors.New("delivery: stopped at its time limit")

// untilCheckEvery is how many events a write takes between looks at the clock (a
// pacing pause also ends early once the clock reaches until).
const untilCheckEvery = 64

// write scans the log range [from, to] within budget b and writes each event
// into the sets whose trails select it; done, if set, is called after each event.
// A non-zero until stops it, with errUntil, once the clock reaches until: the events
// done was called for are written, the rest are not.
func (s *Scheduler) write(ctx context.Context, from, to uint64, b budget, until time.Time, sets []*fileSet, done func(*candidate)) error {
	pace := s.newPacer(b)
	if !until.IsZero() {
		pace.stop = func() bool { return !s.cfg.Clock.Now().Before(until) }
	}
	c := new(candidate) // reused: one per event would be most of delivery's garbage
	n := 0
	return s.cfg.Log.Scan(ctx, from, to, func(m eventlog.Message) error {
		if n++; n == 1 {
			pace.rest() // the scan was starting, not working
		} else {
			pace.tick(ctx)
		}
		if pace.stopped || pace.stop != nil && n%untilCheckEvery == 0 && pace.stop() {
			return errUntil
		}
		*c = candidate{Message: m}
		if err := addEvent(s.log, sets, c); err != nil {
			return err
		}
		if done != nil {
			done(c)
		}
		return nil
	})
}

// add writes the event's record into its region's file.
func (fs *fileSet) add(c *candidate) error {
	rf := fs.open[c.Region]
	if rf == nil {
		rf = &regionFile{}
		fs.open[c.Region] = rf
	}
	if rf.w != nil && !rf.w.fits(len(c.Raw), fs.maxBytes) {
		f, err := rf.w.finish()
		rf.w = nil
		if err != nil {
			return err
		}
		fs.files = append(fs.files, f)
		rf.part++
	}
	if rf.w == nil {
		w, err := newLogFileWriter(fs.spool, LogFile{Region: c.Region, Part: rf.part})
		if err != nil {
			return err
		}
		rf.w = w
	}
	return rf.w.add(c.Raw, c.time())
}

// finish closes the set's files and names them for job j, in region and part order.
// On error every file is removed.
func (fs *fileSet) finish(j *Job) ([]LogFile, error) {
	for _, rf := range fs.open {
		if rf.w == nil {
			continue
		}
		f, err := rf.w.finish()
		rf.w = nil
		if err != nil {
			fs.abort()
			return nil, err
		}
		fs.files = append(fs.files, f)
	}
	files := fs.files
	fs.files = nil
	for i := range files {
		f := &files[i]
		f.Key = LogFileKey(j.Trail.S3KeyPrefix, j.Trail.Account, f.Region, j.Time,
			uniqueString(j.Trail.ARN(), f.Region, j.From, j.To, f.Part))
	}
	sort.Slice(files, func(a, b int) bool {
		if files[a].Region != files[b].Region {
			return files[a].Region < files[b].Region
		}
		return files[a].Part < files[b].Part
	})
	return files, nil
}

// abort removes the set's files, finished or not.
func (fs *fileSet) abort() {
	for _, rf := range fs.open {
		if rf.w != nil {
			rf.w.abort()
			rf.w = nil
		}
	}
	removeFiles(fs.files)
	fs.files = nil
}

func removeFiles(files []LogFile) {
	for _, f := range files {
		_ = os.Remove(f.Path)
	}
}
