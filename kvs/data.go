package kvs

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"sort"

	"github.com/cairnhq/cairn"
)

// errPageGone means a page the header names was already replaced by a newer commit:
// the caller re-reads the header.
var errPageGone = errors.New("key value store page replaced")

// readMaxAttempts bounds how often a reader re-reads the header because the pages it
// named were replaced under it.
const readMaxAttempts = 100

// loadData reads the header of store id for the data plane.
func (m *Manager) loadData(ctx context.Context, account, id string) (*header, uint64, error) {
	h, rev, err := m.loadHeader(ctx, account, id)
	if errors.Is(err, cairn.ErrNotFound) {
		return nil, 0, errStoreNotFound()
	}
	if err != nil {
		return nil, 0, fmt.Errorf("read key value store: %w", err)
	}
	return h, rev, nil
}

// loadPage reads the page ref of h names; errPageGone if a newer commit replaced it.
func (m *Manager) loadPage(ctx context.Context, h *header, ref pageRef) (*page, error) {
	key := pageKey(h.Account, h.ID, ref.ID)
	if p, ok := m.cache.get(key); ok {
		return p, nil
	}
	e, err := m.Meta.Get(ctx, PagesBucket, key)
	if errors.Is(err, cairn.ErrNotFound) {
		return nil, errPageGone
	}
	if err != nil {
		return nil, fmt.Errorf("read key value store page: %w", err)
	}
	p, err := parsePage(e.Value)
	if err != nil {
		return nil, fmt.Errorf("page %q of key value store %s: %w", ref.ID, h.ID, err)
	}
	m.cache.put(key, p)
	return p, nil
}

// read runs fn on a consistent snapshot of the store, re-reading the header when fn
// finds a page already replaced.
func (m *Manager) read(ctx context.Context, account, id string, fn func(h *header) error) error {
	var lastRev uint64
	for range readMaxAttempts {
		h, rev, err := m.loadData(ctx, account, id)
		if err != nil {
			return err
		}
		err = fn(h)
		if !errors.Is(err, errPageGone) {
			return err
		}
		if rev == lastRev {
			return fmt.Errorf("key value store %s: a page of the current version is missing", id)
		}
		lastRev = rev
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return errBusy()
}

// DescribeData returns the store's data-plane view (DescribeKeyValueStore of the
// cloudfront-keyvaluestore API). The store is found by id in the caller's account only.
func (m *Manager) DescribeData(ctx context.Context, account, id string) (*Info, error) {
	h, _, err := m.loadData(ctx, account, id)
	if err != nil {
		return nil, err
	}
	return m.info(h), nil
}

func errKeyNotFound(key string) *Error {
	return errorf(KindKeyNotFound, "Key %s was not found in the key value store.", key)
}

// GetKey returns the value of key and the store it was read from.
func (m *Manager) GetKey(ctx context.Context, account, id, key string) (Item, *Info, error) {
	var it Item
	var in *Info
	err := m.read(ctx, account, id, func(h *header) error {
		if i := findDelta(h.Delta, key); i >= 0 {
			if h.Delta[i].del {
				return errKeyNotFound(key)
			}
			it, in = Item{Key: key, Value: string(h.Delta[i].v)}, m.info(h)
			return nil
		}
		if len(h.Pages) == 0 {
			return errKeyNotFound(key)
		}
		ref := h.Pages[route(h.Pages, []byte(key))]
		p, err := m.loadPage(ctx, h, ref)
		if err != nil {
			return err
		}
		v, found := p.find(key)
		if !found {
			return errKeyNotFound(key)
		}
		it, in = Item{Key: key, Value: string(v)}, m.info(h)
		return nil
	})
	if err != nil {
		return Item{}, nil, err
	}
	return it, in, nil
}

// DefaultListMax and MaxListMax bound ListKeys pages (the model's MaxResults: 1–50,
// default 10).
const (
	DefaultListMax = 10
	MaxListMax     = 50
)

// EncodeToken returns the ListKeys NextToken that resumes after key.
func EncodeToken(key string) string { return base64.RawURLEncoding.EncodeToString([]byte("k" + key)) }

// DecodeToken returns the key a NextToken resumes after.
func DecodeToken(tok string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(b) < 2 || b[0] != 'k' {
		return "", errorf(KindInvalid, "The NextToken %q is not valid.", tok)
	}
	return string(b[1:]), nil
}

// ListKeys returns up to max items (DefaultListMax when ≤ 0) in key order, starting
// after the key token names (from the start when token is ""), and the token of the
// next page ("" at the end). One call reads one version of the store.
func (m *Manager) ListKeys(ctx context.Context, account, id, token string, max int) ([]Item, string, error) {
	if max <= 0 {
		max = DefaultListMax
	}
	if max > MaxListMax {
		return nil, "", errorf(KindInvalid, "MaxResults must be between 1 and %d.", MaxListMax)
	}
	var after []byte
	hasAfter := token != ""
	if hasAfter {
		k, err := DecodeToken(token)
		if err != nil {
			return nil, "", err
		}
		after = []byte(k)
	}
	var out []Item
	add := func(k, v []byte) bool {
		out = append(out, Item{Key: string(k), Value: string(v)})
		return len(out) <= max
	}
	err := m.read(ctx, account, id, func(h *header) error {
		out = out[:0]
		if len(h.Pages) == 0 {
			mergeVisible(nil, h.Delta, after, hasAfter, add)
			return nil
		}
		start := 0
		if hasAfter {
			start = route(h.Pages, after)
		}
		// Page p and the delta entries routed to it: those below the next page's first
		// key (and, for page 0, those below its own).
		lo := 0
		for p := start; p < len(h.Pages); p++ {
			hi := len(h.Delta)
			if p+1 < len(h.Pages) {
				first := h.Pages[p+1].First
				hi = sort.Search(len(h.Delta), func(i int) bool { return bytes.Compare(h.Delta[i].k, first) >= 0 })
			}
			pg, err := m.loadPage(ctx, h, h.Pages[p])
			if err != nil {
				return err
			}
			if !mergeVisible(pg.entries(), h.Delta[lo:hi], after, hasAfter, add) {
				break
			}
			lo = hi
		}
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	if len(out) > max {
		out = out[:max]
		return out, EncodeToken(out[len(out)-1].Key), nil
	}
	return out, "", nil
}
