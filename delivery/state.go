package delivery

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cairnhq/cairn"
	"github.com/cairnhq/cairn/service/cloudtrail"
)

// MetaStore location of the delivery state document.
const (
	StateBucket = "delivery"
	stateKey    = "state"
)

// state is the delivery state document (see the package documentation).
type state struct {
	// Cursor is the last event sequence planned into jobs.
	Cursor uint64
	// PlanTime is when the last window was planned.
	PlanTime      time.Time      `json:",omitzero"`
	Jobs          []*Job         `json:",omitempty"`
	Notifications []Notification `json:",omitempty"`
	// Chains are the digest chains, by trail key and region; DigestJobs the signed
	// digests not yet stored; DigestTime the end of the last planned digest period.
	Chains     map[string]*chain `json:",omitempty"`
	DigestJobs []*DigestJob      `json:",omitempty"`
	DigestTime time.Time         `json:",omitzero"`
}

// Job is the delivery of one trail's events in a range of the event log. It holds
// everything its files depend on, so executing it again writes the same files.
type Job struct {
	// Trail is the trail as it was when the job was planned.
	Trail cloudtrail.Trail
	// From and To are the first and last event sequence of the range.
	From, To uint64
	// Time is the delivery time that names the job's files.
	Time time.Time
	// Started is set (and stored) before the job's first file is written; from then
	// on the job is never merged and its files' names are fixed.
	Started bool `json:",omitempty"`
}

func (j *Job) id() string { return jobID(j.Trail.Key(), j.From, j.To) }

// Notification is a pending message to a trail's notification target.
type Notification struct {
	TrailKey string
	TopicARN string
	Bucket   string
	Keys     []string
	Time     time.Time
}

// loadState reads the state document, or returns a new one.
func loadState(ctx context.Context, meta cairn.MetaStore) (*state, uint64, error) {
	e, err := meta.Get(ctx, StateBucket, stateKey)
	if errors.Is(err, cairn.ErrNotFound) {
		return &state{}, 0, nil
	}
	if err != nil {
		return nil, 0, fmt.Errorf("read delivery state: %w", err)
	}
	st := new(state)
	if err := json.Unmarshal(e.Value, st); err != nil {
		return nil, 0, fmt.Errorf("decode delivery state: %w", err)
	}
	return st, e.Revision, nil
}

// storeState writes st over revision rev (0: a new document) and returns the new
// revision.
func storeState(ctx context.Context, meta cairn.MetaStore, st *state, rev uint64) (uint64, error) {
	b, err := json.Marshal(st)
	if err != nil {
		return 0, fmt.Errorf("encode delivery state: %w", err)
	}
	if rev == 0 {
		rev, err = meta.Create(ctx, StateBucket, stateKey, b)
	} else {
		rev, err = meta.Update(ctx, StateBucket, stateKey, b, rev)
	}
	if err != nil {
		return 0, fmt.Errorf("write delivery state: %w", err)
	}
	return rev, nil
}

// sameConfig reports whether two snapshots of a trail deliver the same way, so that
// their jobs may be merged.
func sameConfig(a, b *cloudtrail.Trail) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(x) == string(y)
}
