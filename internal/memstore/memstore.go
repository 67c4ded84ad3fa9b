// Package memstore is an in-memory cairn.MetaStore for tests and for components that
// need no durability. It imports only the root package.
package memstore

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/cairnhq/cairn"
)

// Store is an in-memory MetaStore. The zero value is not usable; call New.
type Store struct {
	mu      sync.Mutex
	rev     uint64
	buckets map[string]map[string]cairn.MetaEntry
}

var _ cairn.MetaStore = (*Store)(nil)

// New returns an empty store.
func New() *Store { return &Store{buckets: map[string]map[string]cairn.MetaEntry{}} }

func (s *Store) bucket(name string) map[string]cairn.MetaEntry {
	b := s.buckets[name]
	if b == nil {
		b = map[string]cairn.MetaEntry{}
		s.buckets[name] = b
	}
	return b
}

// Get implements cairn.MetaStore.
func (s *Store) Get(_ context.Context, bucket, key string) (cairn.MetaEntry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.bucket(bucket)[key]
	if !ok {
		return cairn.MetaEntry{}, fmt.Errorf("get %s/%s: %w", bucket, key, cairn.ErrNotFound)
	}
	e.Value = append([]byte(nil), e.Value...)
	return e, nil
}

// Create implements cairn.MetaStore.
func (s *Store) Create(_ context.Context, bucket, key string, value []byte) (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.bucket(bucket)
	if _, ok := b[key]; ok {
		return 0, fmt.Errorf("create %s/%s: %w", bucket, key, cairn.ErrExists)
	}
	s.rev++
	b[key] = cairn.MetaEntry{Key: key, Value: append([]byte(nil), value...), Revision: s.rev}
	return s.rev, nil
}

// Update implements cairn.MetaStore.
func (s *Store) Update(_ context.Context, bucket, key string, value []byte, rev uint64) (uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.bucket(bucket)
	e, ok := b[key]
	if !ok {
		return 0, fmt.Errorf("update %s/%s: %w", bucket, key, cairn.ErrNotFound)
	}
	if e.Revision != rev {
		return 0, fmt.Errorf("update %s/%s: %w", bucket, key, cairn.ErrRevisionMismatch)
	}
	s.rev++
	b[key] = cairn.MetaEntry{Key: key, Value: append([]byte(nil), value...), Revision: s.rev}
	return s.rev, nil
}

// Delete implements cairn.MetaStore.
func (s *Store) Delete(_ context.Context, bucket, key string, rev uint64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.bucket(bucket)
	e, ok := b[key]
	if !ok {
		return fmt.Errorf("delete %s/%s: %w", bucket, key, cairn.ErrNotFound)
	}
	if rev != 0 && e.Revision != rev {
		return fmt.Errorf("delete %s/%s: %w", bucket, key, cairn.ErrRevisionMismatch)
	}
	delete(b, key)
	return nil
}

// List implements cairn.MetaStore.
func (s *Store) List(_ context.Context, bucket, prefix string) ([]cairn.MetaEntry, error) {
	return s.list(bucket, prefix, true), nil
}

// ListRevisions implements cairn.MetaStore.
func (s *Store) ListRevisions(_ context.Context, bucket, prefix string) ([]cairn.MetaEntry, error) {
	return s.list(bucket, prefix, false), nil
}

func (s *Store) list(bucket, prefix string, values bool) []cairn.MetaEntry {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []cairn.MetaEntry
	for k, e := range s.bucket(bucket) {
		if strings.HasPrefix(k, prefix) {
			if values {
				e.Value = append([]byte(nil), e.Value...)
			} else {
				e.Value = nil
			}
			out = append(out, e)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}
