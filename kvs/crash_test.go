package kvs

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"sync"
	"testing"

	"github.com/cairnhq/cairn"
	"github.com/cairnhq/cairn/internal/memstore"
)

var errCrashed = errors.New("crashed")

// crashStore is a MetaStore that dies at its limit-th write, as a process killed with
// kill -9 would: the write is lost (or, with applied, made but never acknowledged),
// and every later call fails, so nothing is cleaned up.
type crashStore struct {
	cairn.MetaStore
	limit   int
	applied bool

	mu     sync.Mutex
	writes int
	dead   bool
}

func (s *crashStore) alive() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.dead
}

// write runs fn unless the store is dead or dies now.
func (s *crashStore) write(fn func() error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dead {
		return errCrashed
	}
	s.writes++
	if s.writes < s.limit {
		return fn()
	}
	s.dead = true
	if s.applied {
		_ = fn()
	}
	return errCrashed
}

func (s *crashStore) Get(ctx context.Context, bucket, key string) (cairn.MetaEntry, error) {
	if !s.alive() {
		return cairn.MetaEntry{}, errCrashed
	}
	return s.MetaStore.Get(ctx, bucket, key)
}

func (s *crashStore) List(ctx context.Context, bucket, prefix string) ([]cairn.MetaEntry, error) {
	if !s.alive() {
		return nil, errCrashed
	}
	return s.MetaStore.List(ctx, bucket, prefix)
}

func (s *crashStore) Create(ctx context.Context, bucket, key string, value []byte) (rev uint64, err error) {
	err = s.write(func() (err error) { rev, err = s.MetaStore.Create(ctx, bucket, key, value); return err })
	return rev, err
}

func (s *crashStore) Update(ctx context.Context, bucket, key string, value []byte, rev uint64) (n uint64, err error) {
	err = s.write(func() (err error) { n, err = s.MetaStore.Update(ctx, bucket, key, value, rev); return err })
	return n, err
}

func (s *crashStore) Delete(ctx context.Context, bucket, key string, rev uint64) error {
	return s.write(func() error { return s.MetaStore.Delete(ctx, bucket, key, rev) })
}

// TestUpdate_Crash kills the writer at every write of an UpdateKeys that moves its
// delta into pages (and of one that only rewrites the header): the store then holds
// either the whole change or none of it, and once the next commit is made, Sweep
// leaves exactly the pages the store references.
func TestUpdate_Crash(t *testing.T) {
	for _, tc := range []struct {
		name  string
		delta int
		flush bool
	}{
		{"flush", 400, true},
		{"delta only", 1 << 20, false},
		{"no delta", -1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// setup returns a store of 60 keys in pages and delta, and the change to make.
			setup := func(t *testing.T) (*Manager, *crashStore, string, string, map[string]string) {
				m, ms, _ := newManager(t)
				m.PageBytes, m.DeltaBytes = 300, tc.delta
				cs := &crashStore{MetaStore: ms, limit: 1 << 30}
				m.Meta = cs
				s, err := m.Create(context.Background(), acct, CreateParams{Name: "c"})
				if err != nil {
					t.Fatal(err)
				}
				model := map[string]string{}
				etag := s.DataETag
				for b := range 6 {
					var puts []Item
					for i := range 10 {
						k := fmt.Sprintf("k%03d", (i*6+b)%60) // spread over the key range
						puts = append(puts, Item{Key: k, Value: strings.Repeat("v", 10+i)})
						model[k] = puts[len(puts)-1].Value
					}
					in, err := m.Update(context.Background(), acct, s.ID, etag, puts, nil)
					if err != nil {
						t.Fatal(err)
					}
					etag = in.DataETag
				}
				return m, cs, s.ID, etag, model
			}
			puts := []Item{{"k001", strings.Repeat("x", 60)}, {"k030", "y"}, {"new", strings.Repeat("z", 300)}}
			dels := []string{"k002", "k059"}
			apply := func(model map[string]string) map[string]string {
				after := maps.Clone(model)
				for _, p := range puts {
					after[p.Key] = p.Value
				}
				for _, d := range dels {
					delete(after, d)
				}
				return after
			}
			// A clean run counts the writes.
			m, cs, id, etag, _ := setup(t)
			h0, _, _ := m.loadHeader(context.Background(), acct, id)
			w0 := cs.writes
			if _, err := m.Update(context.Background(), acct, id, etag, puts, dels); err != nil {
				t.Fatal(err)
			}
			h1, _, _ := m.loadHeader(context.Background(), acct, id)
			writes := cs.writes - w0
			if flushed := !pagesEqual(h0.Pages, h1.Pages); flushed != tc.flush || !tc.flush && writes != 1 {
				t.Fatalf("%d writes, pages rewritten %v", writes, flushed)
			}
			for limit := 1; limit <= writes; limit++ {
				for _, applied := range []bool{false, true} {
					t.Run(fmt.Sprintf("write %d applied %v", limit, applied), func(t *testing.T) {
						ctx := context.Background()
						m, cs, id, etag, model := setup(t)
						cs.limit, cs.applied = cs.writes+limit, applied
						// A crash while it deletes the pages it replaced comes after the
						// commit: the write succeeds.
						_, err := m.Update(ctx, acct, id, etag, puts, dels)
						if err != nil && !errors.Is(err, errCrashed) {
							t.Fatalf("Update: %v", err)
						}
						// Restart on the surviving data.
						m.Meta = cs.MetaStore
						d, err := m.DescribeData(ctx, acct, id)
						if err != nil {
							t.Fatal(err)
						}
						if d.DataETag != etag {
							model = apply(model)
						}
						in, err := m.Put(ctx, acct, id, d.DataETag, "after", "crash")
						if err != nil {
							t.Fatal(err)
						}
						model["after"] = "crash"
						if _, err := m.Sweep(ctx); err != nil {
							t.Fatal(err)
						}
						checkStore(t, m, cs.MetaStore.(*memstore.Store), id, model)
						_ = in
					})
				}
			}
		})
	}
}

func pagesEqual(a, b []pageRef) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].ID != b[i].ID {
			return false
		}
	}
	return true
}
