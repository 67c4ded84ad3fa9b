package delivery

import "context"

// uploadShare is the part of a job's CPU share its upload gets. Storing the files
// costs the store (receiving, hashing, writing every byte) CPU too, on the same
// machine when the store is local, so uploads are spread out more than building: a
// window of 250,000–310,000 events (5 files, about 15 MB) took 1–2.5 s to store to a
// local versitygw at this share (the bench's delivery suite); at servingShare of it,
// while the server serves calls, such windows are delivered 4–8 s after they close.
// Whether this part alone spares API calls did not show through the bench's noise
// (bench/README.md, section 7); a late job's share grows as its building's does.
const uploadShare = 0.25

// maxQueuedUploads bounds the jobs waiting for the uploader; the run goroutine waits
// when it is full.
const maxQueuedUploads = 64

// upload is a job's files handed to the uploader, which removes them when done;
// or, with done set instead, a marker the uploader closes done at (see
// waitUploads).
type upload struct {
	job   *Job
	files []LogFile
	done  chan struct{}
}

// handOver gives a job's files to the uploader. It reports false if ctx ended
// first; the files are then still the caller's.
func (s *Scheduler) handOver(ctx context.Context, j *Job, files []LogFile) bool {
	if ctx.Err() != nil {
		return false
	}
	s.mu.Lock()
	s.uploading[j.id()] = true
	s.mu.Unlock()
	select {
	case s.uploads <- upload{job: j, files: files}:
		return true
	case <-ctx.Done():
		s.uploaded(j)
		return false
	}
}

// uploaded marks a job handed to the uploader as no longer in its hands.
func (s *Scheduler) uploaded(j *Job) {
	s.mu.Lock()
	delete(s.uploading, j.id())
	s.mu.Unlock()
}

// waitUploads returns once the uploader is done with everything handed to it so far
// (or ctx ended): it hands over a marker, which the uploader reaches after them.
func (s *Scheduler) waitUploads(ctx context.Context) {
	done := make(chan struct{})
	select {
	case s.uploads <- upload{done: done}:
	case <-ctx.Done():
		return
	}
	select {
	case <-done:
	case <-ctx.Done():
	}
}

// uploader stores the files handed to it, in the order they came, until the run
// goroutine closes s.uploads. After ctx ends it only removes them: the jobs stay in
// the state and are delivered after the next Open.
func (s *Scheduler) uploader(ctx context.Context) {
	defer close(s.upDone)
	for u := range s.uploads {
		if u.done != nil {
			close(u.done)
			continue
		}
		if ctx.Err() == nil {
			s.deliver(ctx, u.job, u.files)
		}
		removeFiles(u.files)
		s.uploaded(u.job)
	}
}
