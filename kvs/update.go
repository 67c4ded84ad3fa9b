package kvs

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"unicode/utf8"

	"github.com/cairnhq/cairn"
)

// change is one put or delete of a write, in key order.
type change struct {
	key   string
	value string
	del   bool
}

func (m *Manager) checkKey(key string) error {
	l := m.limits()
	switch {
	case key == "":
		return errorf(KindInvalid, "Key must be at least 1 byte long.")
	case len(key) > l.MaxKeyBytes:
		return errorf(KindInvalid, "Key %s... is %d bytes long; the maximum key size is %d bytes.", truncate(key, 32), len(key), l.MaxKeyBytes)
	case !utf8.ValidString(key):
		return errorf(KindInvalid, "Key must be valid UTF-8.")
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// Put writes one key (PutKey). ifMatch must be the store's data ETag.
func (m *Manager) Put(ctx context.Context, account, id, ifMatch, key, value string) (*Info, error) {
	return m.Update(ctx, account, id, ifMatch, []Item{{Key: key, Value: value}}, nil)
}

// DeleteKey deletes one key (DeleteKey); a missing key is KindKeyNotFound.
func (m *Manager) DeleteKey(ctx context.Context, account, id, ifMatch, key string) (*Info, error) {
	return m.Update(ctx, account, id, ifMatch, nil, []string{key})
}

// Update applies puts and deletes atomically (UpdateKeys) if ifMatch is the store's
// data ETag, and returns the store after the change, with a new data ETag. Nothing is
// changed when any put or delete breaks a rule: a key or value too long, a key named
// twice, a delete of a missing key, or a store that would outgrow its quota.
func (m *Manager) Update(ctx context.Context, account, id, ifMatch string, puts []Item, deletes []string) (*Info, error) {
	l := m.limits()
	if ifMatch == "" {
		return nil, errorf(KindIfMatchMissing, "If-Match is required: give the ETag of the key value store.")
	}
	n := len(puts) + len(deletes)
	if n == 0 {
		return nil, errorf(KindInvalid, "The request must put or delete at least one key.")
	}
	if n > l.MaxBatchKeys {
		return nil, errorf(KindInvalid, "The request puts and deletes %d keys; at most %d are allowed in one request.", n, l.MaxBatchKeys)
	}
	changes := make([]change, 0, n)
	for _, p := range puts {
		if err := m.checkKey(p.Key); err != nil {
			return nil, err
		}
		if len(p.Value) > l.MaxValueBytes {
			return nil, errorf(KindInvalid, "The value of key %s is %d bytes long; the maximum value size is %d bytes.", truncate(p.Key, 32), len(p.Value), l.MaxValueBytes)
		}
		changes = append(changes, change{key: p.Key, value: p.Value})
	}
	for _, k := range deletes {
		if err := m.checkKey(k); err != nil {
			return nil, err
		}
		changes = append(changes, change{key: k, del: true})
	}
	if len(changes) > 1 {
		sort.Slice(changes, func(i, j int) bool { return changes[i].key < changes[j].key })
		for i := 1; i < len(changes); i++ {
			if changes[i].key == changes[i-1].key {
				return nil, errorf(KindInvalid, "Key %s appears more than once in the request.", truncate(changes[i].key, 32))
			}
		}
	}

	for range casMaxAttempts {
		h, rev, err := m.loadData(ctx, account, id)
		if err != nil {
			return nil, err
		}
		if st := m.status(h); st != StatusReady {
			return nil, errorf(KindNotReady, "The key value store is %s; keys can be changed once it is %s.", st, StatusReady)
		}
		if h.DataETag != ifMatch {
			return nil, errorf(KindETagMismatch, "The If-Match value %s does not match the current ETag of the key value store.", ifMatch)
		}
		pl, err := m.plan(ctx, h, changes, l.MaxStoreBytes)
		if errors.Is(err, errPageGone) {
			continue // the header moved on: re-read it (and If-Match fails if data changed)
		}
		if err != nil {
			return nil, err
		}
		done, err := m.commit(ctx, h, rev, pl)
		if err != nil {
			return nil, err
		}
		if done != nil {
			return m.info(done), nil
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	return nil, errBusy()
}

// plan is a data commit prepared against one header.
type plan struct {
	pages   []pageRef    // the store's new page list
	delta   []deltaEntry // the store's new delta
	writes  []pageWrite  // the new pages to write before the header
	dropped []pageRef    // the pages the commit replaces
	items   int
	size    int64
}

// pageWrite is a new page; at is its index in plan.pages.
type pageWrite struct {
	id   string
	at   int
	data []byte
}

// basePages holds the pages of one header a plan has read, by index.
type basePages struct {
	m     *Manager
	h     *header
	pages map[int]*page
}

// load reads the pages of indexes idx that are not loaded yet: from the cache, else
// from the MetaStore, concurrently.
func (b *basePages) load(ctx context.Context, idx []int) error {
	var need []int
	for _, i := range idx {
		if _, ok := b.pages[i]; ok || slices.Contains(need, i) {
			continue
		}
		if p, ok := b.m.cache.get(pageKey(b.h.Account, b.h.ID, b.h.Pages[i].ID)); ok {
			b.pages[i] = p
			continue
		}
		need = append(need, i)
	}
	got := make([]*page, len(need))
	if err := parallel(len(need), func(k int) (err error) {
		got[k], err = b.m.loadPage(ctx, b.h, b.h.Pages[need[k]])
		return err
	}); err != nil {
		return err
	}
	for k, i := range need {
		b.pages[i] = got[k]
	}
	return nil
}

// plan applies changes (sorted by key) to the store's delta, checks the store's size
// quota, and when the delta outgrows deltaBytes writes part of it into new pages.
func (m *Manager) plan(ctx context.Context, h *header, changes []change, maxSize int64) (*plan, error) {
	base := &basePages{m: m, h: h, pages: map[int]*page{}}
	if len(h.Pages) > 0 {
		var idx []int
		for _, c := range changes {
			if findDelta(h.Delta, c.key) < 0 {
				idx = append(idx, route(h.Pages, []byte(c.key)))
			}
		}
		if err := base.load(ctx, idx); err != nil {
			return nil, err
		}
	}
	pl, err := stage(h, changes, base)
	if err != nil {
		return nil, err
	}
	if pl.size > maxSize {
		return nil, errorf(KindSizeLimit, "The key value store would hold %d bytes; the maximum size of a key value store is %d bytes.", pl.size, maxSize)
	}
	if err := m.flush(ctx, h, pl, base); err != nil {
		return nil, err
	}
	return pl, nil
}

// stage merges changes into the header's delta and counts the store's new items and
// size. A key the delta does not hold is looked up in its page (loaded in base). A
// delete of a key that is not there fails the whole write.
func stage(h *header, changes []change, base *basePages) (*plan, error) {
	pl := &plan{pages: h.Pages, items: h.Items, size: h.Size}
	out := make([]deltaEntry, 0, len(h.Delta)+len(changes))
	i := 0
	for _, c := range changes {
		for i < len(h.Delta) && string(h.Delta[i].k) < c.key {
			out = append(out, h.Delta[i])
			i++
		}
		var exists, inBase bool
		var old int64
		if i < len(h.Delta) && string(h.Delta[i].k) == c.key {
			d := h.Delta[i]
			i++
			exists, inBase, old = !d.del, d.inBase, d.size()
		} else if len(h.Pages) > 0 {
			if v, found := base.pages[route(h.Pages, []byte(c.key))].find(c.key); found {
				exists, inBase, old = true, true, int64(len(c.key)+len(v))
			}
		}
		if c.del {
			if !exists {
				return nil, errKeyNotFound(c.key)
			}
			pl.items--
			pl.size -= old
			if inBase {
				out = append(out, deltaEntry{k: []byte(c.key), del: true, inBase: true})
			}
			continue
		}
		if !exists {
			pl.items++
		}
		pl.size += int64(len(c.key)+len(c.value)) - old
		out = append(out, deltaEntry{k: []byte(c.key), v: []byte(c.value), inBase: inBase})
	}
	pl.delta = append(out, h.Delta[i:]...)
	return pl, nil
}

// commit writes the plan's pages, then swaps the header with compare-and-set. It
// returns the new header, or nil when another writer committed first (the caller
// re-reads and re-checks If-Match). Pages of a lost attempt are removed again; the
// pages a successful commit replaced are removed after it.
func (m *Manager) commit(ctx context.Context, h *header, rev uint64, pl *plan) (*header, error) {
	bg := context.WithoutCancel(ctx)
	del := func(refs []pageRef) {
		_ = parallel(len(refs), func(i int) error {
			key := pageKey(h.Account, h.ID, refs[i].ID)
			m.cache.drop(key)
			_ = m.Meta.Delete(bg, PagesBucket, key, refs[i].Rev)
			return nil
		})
	}
	written := func() []pageRef {
		refs := make([]pageRef, len(pl.writes))
		for i, w := range pl.writes {
			refs[i] = pl.pages[w.at] // Rev 0 (never written): the delete finds nothing
		}
		return refs
	}
	if err := parallel(len(pl.writes), func(i int) error {
		w := pl.writes[i]
		r, err := m.Meta.Create(ctx, PagesBucket, pageKey(h.Account, h.ID, w.id), w.data)
		pl.pages[w.at].Rev = r
		return err
	}); err != nil {
		del(written())
		return nil, fmt.Errorf("write key value store page: %w", err)
	}
	nh := *h
	nh.Pages = pl.pages
	nh.Delta = pl.delta
	nh.Items = pl.items
	nh.Size = pl.size
	nh.Seq = h.Seq + 1
	nh.DataETag = newDataETag(h.DataETag)
	nh.DataModified = m.now()
	_, err := m.Meta.Update(ctx, StoresBucket, headerKey(h.Account, h.ID), encodeHeader(&nh), rev)
	switch {
	case err == nil:
		for _, w := range pl.writes {
			if p, err := parsePage(w.data); err == nil {
				m.cache.put(pageKey(h.Account, h.ID, w.id), p)
			}
		}
		del(pl.dropped)
		return &nh, nil
	case errors.Is(err, cairn.ErrRevisionMismatch), errors.Is(err, cairn.ErrNotFound):
		del(written())
		return nil, nil
	default:
		del(written())
		return nil, fmt.Errorf("update key value store: %w", err)
	}
}
