package cloudtrail

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/cairnhq/cairn"
)

// indexGrace is how old an index entry without a trail document must be before it is
// treated as the leftover of a crashed request (and not as a create in flight).
const indexGrace = time.Minute

// trailIndex is the per-account registry of trails. Every change of the set of names or
// of a trail's multi-Region flag goes through it with compare-and-set, so the naming
// and quota rules hold under concurrent requests.
type trailIndex struct {
	Entries []indexEntry `json:"entries"`
}

type indexEntry struct {
	Name  string    `json:"name"`
	Home  string    `json:"home"`
	Multi bool      `json:"multi"`
	Since time.Time `json:"since"`
}

func (ix *trailIndex) find(name, home string) int {
	for i, e := range ix.Entries {
		if e.Name == name && e.Home == home {
			return i
		}
	}
	return -1
}

// editIndex applies fn to the account's index with compare-and-set. fn reports whether it
// changed the index; an error from fn aborts without writing.
func (s *TrailStore) editIndex(ctx context.Context, account string, fn func(ix *trailIndex) (bool, error)) error {
	for range casMaxAttempts {
		var ix trailIndex
		var rev uint64
		found := false
		e, err := s.Meta.Get(ctx, TrailIndexBucket, account)
		switch {
		case err == nil:
			if err := json.Unmarshal(e.Value, &ix); err != nil {
				return fmt.Errorf("decode trail index: %w", err)
			}
			rev, found = e.Revision, true
		case errors.Is(err, cairn.ErrNotFound):
		default:
			return fmt.Errorf("read trail index: %w", err)
		}
		changed, err := fn(&ix)
		if err != nil || !changed {
			return err
		}
		b, err := json.Marshal(&ix)
		if err != nil {
			return fmt.Errorf("encode trail index: %w", err)
		}
		if found {
			_, err = s.Meta.Update(ctx, TrailIndexBucket, account, b, rev)
		} else {
			_, err = s.Meta.Create(ctx, TrailIndexBucket, account, b)
		}
		switch {
		case err == nil:
			return nil
		case errors.Is(err, cairn.ErrRevisionMismatch), errors.Is(err, cairn.ErrNotFound), errors.Is(err, cairn.ErrExists):
			if err := ctx.Err(); err != nil {
				return err
			}
		default:
			return fmt.Errorf("write trail index: %w", err)
		}
	}
	return errConflict()
}

// admit checks that cand may join the entries (with entry skip, if ≥ 0, replaced by cand):
// its name must not be visible twice in any region, and no region may exceed the quota.
func (s *TrailStore) admit(account string, entries []indexEntry, cand indexEntry, skip int) error {
	for i, e := range entries {
		if i != skip && e.Name == cand.Name && (e.Home == cand.Home || e.Multi || cand.Multi) {
			return errTrailExists(cand.Name, account)
		}
	}
	regions := map[string]bool{cand.Home: true}
	if cand.Multi {
		for _, e := range entries {
			regions[e.Home] = true
		}
	}
	sorted := make([]string, 0, len(regions))
	for r := range regions {
		sorted = append(sorted, r)
	}
	sort.Strings(sorted)
	limit := s.maxTrails()
	for _, r := range sorted {
		before, after := 0, 0
		for i, e := range entries {
			if e.Multi || e.Home == r {
				before++
				if i != skip {
					after++
				}
			}
		}
		if cand.Multi || cand.Home == r {
			after++
		}
		if after > limit && after > before {
			return ctError(CodeMaximumNumberOfTrailsExceeded, "User: %s already has %d trails in %s.", account, limit, r)
		}
	}
	return nil
}

// prune drops entries older than indexGrace whose trail document does not exist (left
// by a crash between the index write and the document write). It reports whether it
// dropped any.
func (s *TrailStore) prune(ctx context.Context, account string, ix *trailIndex) (bool, error) {
	cutoff := s.now().Add(-indexGrace)
	kept := ix.Entries[:0:0]
	for _, e := range ix.Entries {
		if e.Since.Before(cutoff) {
			_, err := s.Meta.Get(ctx, TrailsBucket, trailKey(account, e.Home, e.Name))
			if errors.Is(err, cairn.ErrNotFound) {
				continue
			}
			if err != nil {
				return false, fmt.Errorf("read trail: %w", err)
			}
		}
		kept = append(kept, e)
	}
	dropped := len(kept) != len(ix.Entries)
	ix.Entries = kept
	return dropped, nil
}

// admitPruning is admit, retried once after pruning stale entries when it fails.
func (s *TrailStore) admitPruning(ctx context.Context, account string, ix *trailIndex, cand indexEntry, skip func() int) error {
	err := s.admit(account, ix.Entries, cand, skip())
	if err == nil {
		return nil
	}
	dropped, perr := s.prune(ctx, account, ix)
	if perr != nil {
		return perr
	}
	if !dropped {
		return err
	}
	return s.admit(account, ix.Entries, cand, skip())
}

// indexAdd reserves a new trail's name and quota slot.
func (s *TrailStore) indexAdd(ctx context.Context, account string, cand indexEntry) error {
	return s.editIndex(ctx, account, func(ix *trailIndex) (bool, error) {
		if err := s.admitPruning(ctx, account, ix, cand, func() int { return -1 }); err != nil {
			return false, err
		}
		ix.Entries = append(ix.Entries, cand)
		return true, nil
	})
}

// indexRemove forgets a trail.
func (s *TrailStore) indexRemove(ctx context.Context, account, name, home string) error {
	return s.editIndex(ctx, account, func(ix *trailIndex) (bool, error) {
		i := ix.find(name, home)
		if i < 0 {
			return false, nil
		}
		ix.Entries = append(ix.Entries[:i], ix.Entries[i+1:]...)
		return true, nil
	})
}

// indexSetMulti records a change of a trail's multi-Region flag; turning it on is
// admitted like a new multi-Region trail.
func (s *TrailStore) indexSetMulti(ctx context.Context, account, name, home string, multi bool) error {
	return s.editIndex(ctx, account, func(ix *trailIndex) (bool, error) {
		i := ix.find(name, home)
		if i >= 0 && ix.Entries[i].Multi == multi {
			return false, nil
		}
		if !multi {
			if i < 0 {
				return false, nil
			}
			ix.Entries[i].Multi = false
			return true, nil
		}
		cand := indexEntry{Name: name, Home: home, Multi: true, Since: s.now()}
		if err := s.admitPruning(ctx, account, ix, cand, func() int { return ix.find(name, home) }); err != nil {
			return false, err
		}
		if i = ix.find(name, home); i >= 0 {
			ix.Entries[i].Multi = true
		} else {
			ix.Entries = append(ix.Entries, cand)
		}
		return true, nil
	})
}
