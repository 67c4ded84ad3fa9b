package kvs

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/cairnhq/cairn"
)

// Sweep deletes the pages no store references: those of deleted stores and those left
// by writers that stopped between writing pages and committing. It is safe to run at
// any time, alongside writers. It returns the number of pages deleted.
func (m *Manager) Sweep(ctx context.Context) (int, error) {
	es, err := m.Meta.ListRevisions(ctx, PagesBucket, "")
	if err != nil {
		return 0, fmt.Errorf("list key value store pages: %w", err)
	}
	stores := map[string]bool{}
	for _, e := range es {
		parts := strings.SplitN(e.Key, "/", 3)
		if len(parts) == 3 {
			stores[parts[0]+"/"+parts[1]] = true
		}
	}
	n := 0
	for s := range stores {
		account, id, _ := strings.Cut(s, "/")
		h, _, err := m.loadHeader(ctx, account, id)
		switch {
		case errors.Is(err, cairn.ErrNotFound):
			h = nil
		case err != nil:
			return n, fmt.Errorf("read key value store: %w", err)
		}
		k, err := m.sweepStore(ctx, account, id, h)
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// sweepStore deletes the pages of store id that h does not reference and that no
// writer can still commit: those of commits up to h.Seq. With h nil (the store is
// gone) it deletes every page.
func (m *Manager) sweepStore(ctx context.Context, account, id string, h *header) (int, error) {
	es, err := m.Meta.ListRevisions(ctx, PagesBucket, account+"/"+id+"/")
	if err != nil {
		return 0, fmt.Errorf("list key value store pages: %w", err)
	}
	live := map[string]bool{}
	if h != nil {
		for _, p := range h.Pages {
			live[p.ID] = true
		}
	}
	n := 0
	for _, e := range es {
		pid := e.Key[strings.LastIndexByte(e.Key, '/')+1:]
		if live[pid] {
			continue
		}
		if h != nil {
			if seq, ok := pageSeq(pid); !ok || seq > h.Seq {
				continue // a commit in flight
			}
		}
		m.cache.drop(e.Key)
		err := m.Meta.Delete(ctx, PagesBucket, e.Key, e.Revision)
		if err != nil && !errors.Is(err, cairn.ErrNotFound) && !errors.Is(err, cairn.ErrRevisionMismatch) {
			return n, fmt.Errorf("delete key value store page: %w", err)
		}
		if err == nil {
			n++
		}
	}
	return n, nil
}
