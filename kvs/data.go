package kvs

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

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

// loadPageBytes reads the encoded page ref of h names; errPageGone if a newer commit
// replaced it.
func (m *Manager) loadPageBytes(ctx context.Context, h *header, ref pageRef) ([]byte, error) {
	if ref.ID == "" {
		return h.Inline, nil
	}
	e, err := m.Meta.Get(ctx, PagesBucket, pageKey(h.Account, h.ID, ref.ID))
	if errors.Is(err, cairn.ErrNotFound) {
		return nil, errPageGone
	}
	if err != nil {
		return nil, fmt.Errorf("read key value store page: %w", err)
	}
	return e.Value, nil
}

// loadPage reads the entries of the page ref names (views into one buffer).
func (m *Manager) loadPage(ctx context.Context, h *header, ref pageRef) ([]entry, error) {
	b, err := m.loadPageBytes(ctx, h, ref)
	if err != nil {
		return nil, err
	}
	es, err := decodeEntries(b)
	if err != nil {
		return nil, fmt.Errorf("page %q of key value store %s: %w", ref.ID, h.ID, err)
	}
	return es, nil
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
		if len(h.Pages) == 0 {
			return errKeyNotFound(key)
		}
		ref := h.Pages[route(h.Pages, key)]
		b, err := m.loadPageBytes(ctx, h, ref)
		if err != nil {
			return err
		}
		v, found, err := findInPage(b, key)
		if err != nil {
			return fmt.Errorf("page %q of key value store %s: %w", ref.ID, id, err)
		}
		if !found {
			return errKeyNotFound(key)
		}
		it, in = Item{Key: key, Value: v}, m.info(h)
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
	after, hasAfter := "", token != ""
	if hasAfter {
		var err error
		if after, err = DecodeToken(token); err != nil {
			return nil, "", err
		}
	}
	var out []Item
	err := m.read(ctx, account, id, func(h *header) error {
		out = out[:0]
		start := 0
		if hasAfter && len(h.Pages) > 0 {
			start = route(h.Pages, after)
		}
		for p := start; p < len(h.Pages) && len(out) <= max; p++ {
			items, err := m.loadPage(ctx, h, h.Pages[p])
			if err != nil {
				return err
			}
			for _, e := range items {
				if hasAfter && string(e.k) <= after {
					continue
				}
				out = append(out, Item{Key: string(e.k), Value: string(e.v)})
				if len(out) > max {
					break
				}
			}
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
	seen := make(map[string]bool, n)
	for _, p := range puts {
		if err := m.checkKey(p.Key); err != nil {
			return nil, err
		}
		if len(p.Value) > l.MaxValueBytes {
			return nil, errorf(KindInvalid, "The value of key %s is %d bytes long; the maximum value size is %d bytes.", truncate(p.Key, 32), len(p.Value), l.MaxValueBytes)
		}
		if seen[p.Key] {
			return nil, errorf(KindInvalid, "Key %s appears more than once in the request.", truncate(p.Key, 32))
		}
		seen[p.Key] = true
		changes = append(changes, change{key: p.Key, value: p.Value})
	}
	for _, k := range deletes {
		if err := m.checkKey(k); err != nil {
			return nil, err
		}
		if seen[k] {
			return nil, errorf(KindInvalid, "Key %s appears more than once in the request.", truncate(k, 32))
		}
		seen[k] = true
		changes = append(changes, change{key: k, del: true})
	}
	sort.Slice(changes, func(i, j int) bool { return changes[i].key < changes[j].key })

	for range casMaxAttempts {
		h, rev, err := m.loadData(ctx, account, id)
		if err != nil {
			return nil, err
		}
		if in := m.info(h); in.Status != StatusReady {
			return nil, errorf(KindNotReady, "The key value store is %s; keys can be changed once it is %s.", in.Status, StatusReady)
		}
		if h.DataETag != ifMatch {
			return nil, errorf(KindETagMismatch, "The If-Match value %s does not match the current ETag of the key value store.", ifMatch)
		}
		pl, err := m.plan(ctx, h, changes)
		if errors.Is(err, errPageGone) {
			continue // the header moved on: re-read it (and If-Match fails if data changed)
		}
		if err != nil {
			return nil, err
		}
		if h.Size-pl.oldSize+pl.newSize > l.MaxStoreBytes {
			return nil, errorf(KindSizeLimit, "The key value store would hold %d bytes; the maximum size of a key value store is %d bytes.", h.Size-pl.oldSize+pl.newSize, l.MaxStoreBytes)
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
	pages   []pageRef // the store's new page list
	inline  []byte    // the new inline page, when pages is that one page
	writes  []pageWrite
	dropped []string // ids of the pages the commit replaces
	oldSize int64    // bytes of the replaced pages
	newSize int64    // bytes of the new pages
	oldN    int
	newN    int
}

type pageWrite struct {
	id   string
	data []byte
}

// run is a range [a, b] of consecutive pages rewritten together, with its items.
type run struct {
	a, b    int
	changes []change
	items   []entry
}

// plan applies changes (sorted by key) to the pages they fall in. It loads only those
// pages (and a neighbour when a run of pages shrinks too much), and lays the result out
// in new pages.
func (m *Manager) plan(ctx context.Context, h *header, changes []change) (*plan, error) {
	pl := &plan{}
	var runs []*run
	switch {
	case len(h.Pages) == 0:
		runs = []*run{{a: 0, b: -1, changes: changes}}
	case len(h.Pages) > m.maxPages(h):
		// Too many pages for the store's size (small pages left behind by deletes):
		// rewrite them all, which bounds the header's size.
		runs = []*run{{a: 0, b: len(h.Pages) - 1, changes: changes}}
	default:
		for _, c := range changes {
			i := route(h.Pages, c.key)
			if n := len(runs); n > 0 && i <= runs[n-1].b+1 {
				runs[n-1].b = i
				runs[n-1].changes = append(runs[n-1].changes, c)
				continue
			}
			runs = append(runs, &run{a: i, b: i, changes: []change{c}})
		}
	}
	claimed := map[int]bool{}
	for _, r := range runs {
		for i := r.a; i <= r.b; i++ {
			claimed[i] = true
		}
	}
	// Read the pages the changes fall in, concurrently.
	var idx []int
	for _, r := range runs {
		for i := r.a; i <= r.b; i++ {
			idx = append(idx, i)
		}
	}
	loaded := make([][]entry, len(idx))
	if err := parallel(len(idx), func(k int) (err error) {
		loaded[k], err = m.loadPage(ctx, h, h.Pages[idx[k]])
		return err
	}); err != nil {
		return nil, err
	}
	k := 0
	for _, r := range runs {
		for i := r.a; i <= r.b; i++ {
			r.items = append(r.items, loaded[k]...)
			k++
			pl.oldSize += h.Pages[i].Size
			pl.oldN += h.Pages[i].N
		}
		items, err := applyChanges(r.items, r.changes)
		if err != nil {
			return nil, err
		}
		r.items = items
	}
	// A run that shrank below a quarter page takes in a free neighbour page (its items
	// are rewritten, unchanged), so that pages do not dwindle into many tiny ones.
	small := m.pageBytes() / 4
	for _, r := range runs {
		if len(r.items) == 0 || pageWeight(r.items) >= small {
			continue
		}
		var j int
		switch {
		case r.b+1 < len(h.Pages) && !claimed[r.b+1]:
			j = r.b + 1
		case r.a-1 >= 0 && !claimed[r.a-1]:
			j = r.a - 1
		default:
			continue
		}
		items, err := m.loadPage(ctx, h, h.Pages[j])
		if err != nil {
			return nil, err
		}
		if j > r.b {
			r.b, r.items = j, append(r.items, items...)
		} else {
			r.a, r.items = j, append(items, r.items...)
		}
		claimed[j] = true
		pl.oldSize += h.Pages[j].Size
		pl.oldN += h.Pages[j].N
	}
	// Lay out the new page list: untouched pages stay, each run becomes new pages.
	nonce := randomUpper(8)
	emit := func(items []entry) {
		for _, c := range chunk(items, m.pageBytes()) {
			id := newPageID(h.Seq+1, nonce, len(pl.writes))
			pl.writes = append(pl.writes, pageWrite{id: id, data: encodePage(c)})
			ref := pageRef{ID: id, First: bytes.Clone(c[0].k), N: len(c), Size: sumSize(c)}
			pl.pages = append(pl.pages, ref)
			pl.newSize += ref.Size
			pl.newN += ref.N
		}
	}
	if len(h.Pages) == 0 {
		emit(runs[0].items)
		pl.inlineSingle()
		return pl, nil
	}
	ri := 0
	for i := 0; i < len(h.Pages); {
		if ri < len(runs) && runs[ri].a == i {
			r := runs[ri]
			emit(r.items)
			for j := r.a; j <= r.b; j++ {
				pl.dropped = append(pl.dropped, h.Pages[j].ID)
			}
			i = r.b + 1
			ri++
			continue
		}
		pl.pages = append(pl.pages, h.Pages[i])
		i++
	}
	pl.inlineSingle()
	return pl, nil
}

// inlineSingle keeps a store of one page in its header.
func (pl *plan) inlineSingle() {
	if len(pl.pages) == 1 && len(pl.writes) == 1 {
		pl.inline = pl.writes[0].data
		pl.writes = nil
		pl.pages[0].ID = ""
	}
}

// maxPages is the page count above which a commit compacts the whole store: twice
// what its bytes need, and some slack.
func (m *Manager) maxPages(h *header) int {
	need := (int(h.Size) + 8*h.Items + m.pageBytes() - 1) / m.pageBytes()
	return 2*need + 8
}

// applyChanges merges sorted changes into sorted entries. A delete of a key that is
// not there fails the whole write.
func applyChanges(items []entry, changes []change) ([]entry, error) {
	out := make([]entry, 0, len(items)+len(changes))
	i := 0
	for _, c := range changes {
		for i < len(items) && string(items[i].k) < c.key {
			out = append(out, items[i])
			i++
		}
		exists := i < len(items) && string(items[i].k) == c.key
		if exists {
			i++ // replaced or deleted
		}
		switch {
		case c.del && !exists:
			return nil, errKeyNotFound(c.key)
		case !c.del:
			out = append(out, entry{k: []byte(c.key), v: []byte(c.value)})
		}
	}
	return append(out, items[i:]...), nil
}

// commit writes the plan's pages, then swaps the header with compare-and-set. It
// returns the new header, or nil when another writer committed first (the caller
// re-reads and re-checks If-Match). Pages of a lost attempt are removed again; the
// pages a successful commit replaced are removed after it.
func (m *Manager) commit(ctx context.Context, h *header, rev uint64, pl *plan) (*header, error) {
	bg := context.WithoutCancel(ctx)
	del := func(ids []string) {
		_ = parallel(len(ids), func(i int) error {
			if ids[i] != "" {
				_ = m.Meta.Delete(bg, PagesBucket, pageKey(h.Account, h.ID, ids[i]), 0)
			}
			return nil
		})
	}
	ids := make([]string, len(pl.writes))
	for i, w := range pl.writes {
		ids[i] = w.id
	}
	cleanup := func() { del(ids) } // pages that were never written are simply not found
	if err := parallel(len(pl.writes), func(i int) error {
		_, err := m.Meta.Create(ctx, PagesBucket, pageKey(h.Account, h.ID, pl.writes[i].id), pl.writes[i].data)
		return err
	}); err != nil {
		cleanup()
		return nil, fmt.Errorf("write key value store page: %w", err)
	}
	nh := *h
	nh.Pages = pl.pages
	nh.Inline = pl.inline
	nh.Items = h.Items - pl.oldN + pl.newN
	nh.Size = h.Size - pl.oldSize + pl.newSize
	nh.Seq = h.Seq + 1
	nh.DataETag = newDataETag(h.DataETag)
	nh.DataModified = m.now()
	b, err := json.Marshal(&nh)
	if err != nil {
		cleanup()
		return nil, fmt.Errorf("encode key value store: %w", err)
	}
	_, err = m.Meta.Update(ctx, StoresBucket, headerKey(h.Account, h.ID), b, rev)
	switch {
	case err == nil:
		del(pl.dropped)
		return &nh, nil
	case errors.Is(err, cairn.ErrRevisionMismatch), errors.Is(err, cairn.ErrNotFound):
		cleanup()
		return nil, nil
	default:
		cleanup()
		return nil, fmt.Errorf("update key value store: %w", err)
	}
}

// maxParallel bounds the MetaStore calls one request makes at a time.
const maxParallel = 16

// parallel runs fn(0..n-1) on up to maxParallel goroutines and returns the first error.
func parallel(n int, fn func(i int) error) error {
	if n == 1 {
		return fn(0)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	sem := make(chan struct{}, maxParallel)
	for i := range n {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := fn(i); err != nil {
				mu.Lock()
				if first == nil {
					first = err
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return first
}

// Sweep deletes the pages no store references: those of deleted stores and those left
// by writers that stopped between writing pages and committing. It is safe to run at
// any time, alongside writers. It returns the number of pages deleted.
func (m *Manager) Sweep(ctx context.Context) (int, error) {
	es, err := m.Meta.List(ctx, PagesBucket, "")
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
	es, err := m.Meta.List(ctx, PagesBucket, account+"/"+id+"/")
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
