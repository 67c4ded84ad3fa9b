package kvs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/cairnhq/cairn"
)

// status is the store's status at the current time.
func (m *Manager) status(h *header) string {
	if m.ProvisioningDelay > 0 && m.now().Before(h.Created.Add(m.ProvisioningDelay)) {
		return StatusProvisioning
	}
	return StatusReady
}

func (m *Manager) info(h *header) *Info {
	status := m.status(h)
	return &Info{
		Account: h.Account, Name: h.Name, ID: h.ID, ARN: ARN(h.Account, h.ID), Comment: h.Comment,
		Status: status, Tags: slices.Clone(h.Tags),
		Created: h.Created, LastModified: h.Modified, ETag: h.ETag,
		DataETag: h.DataETag, DataModified: h.DataModified, ItemCount: h.Items, TotalSizeInBytes: h.Size,
	}
}

func errStoreNotFound() *Error {
	return errorf(KindStoreNotFound, "The specified key value store does not exist.")
}

// --- the per-account index ---

// indexGrace is how old an index entry without a header must be before it is taken for
// the leftover of a crashed create (and not a create in flight).
const indexGrace = time.Minute

type index struct {
	Stores []indexEntry `json:"stores"`
}

type indexEntry struct {
	Name  string    `json:"name"`
	ID    string    `json:"id"`
	Since time.Time `json:"since"`
}

func (ix *index) find(name string) int {
	for i, e := range ix.Stores {
		if e.Name == name {
			return i
		}
	}
	return -1
}

func (m *Manager) loadIndex(ctx context.Context, account string) (index, uint64, bool, error) {
	var ix index
	e, err := m.Meta.Get(ctx, IndexBucket, account)
	switch {
	case errors.Is(err, cairn.ErrNotFound):
		return ix, 0, false, nil
	case err != nil:
		return ix, 0, false, fmt.Errorf("read key value store index: %w", err)
	}
	if err := json.Unmarshal(e.Value, &ix); err != nil {
		return ix, 0, false, fmt.Errorf("decode key value store index: %w", err)
	}
	return ix, e.Revision, true, nil
}

// editIndex applies fn to the account's index with compare-and-set. fn reports whether
// it changed the index; an error from fn aborts without writing.
func (m *Manager) editIndex(ctx context.Context, account string, fn func(ix *index) (bool, error)) error {
	for range casMaxAttempts {
		ix, rev, found, err := m.loadIndex(ctx, account)
		if err != nil {
			return err
		}
		changed, err := fn(&ix)
		if err != nil || !changed {
			return err
		}
		b, err := json.Marshal(&ix)
		if err != nil {
			return fmt.Errorf("encode key value store index: %w", err)
		}
		if found {
			_, err = m.Meta.Update(ctx, IndexBucket, account, b, rev)
		} else {
			_, err = m.Meta.Create(ctx, IndexBucket, account, b)
		}
		switch {
		case err == nil:
			return nil
		case errors.Is(err, cairn.ErrRevisionMismatch), errors.Is(err, cairn.ErrNotFound), errors.Is(err, cairn.ErrExists):
			if err := ctx.Err(); err != nil {
				return err
			}
		default:
			return fmt.Errorf("write key value store index: %w", err)
		}
	}
	return errBusy()
}

func errBusy() *Error {
	return errorf(KindBusy, "The key value store is being modified by another request. Try again.")
}

// stale reports whether entry e is the leftover of a crashed create or delete: old
// enough, and without a header.
func (m *Manager) stale(ctx context.Context, account string, e indexEntry) (bool, error) {
	if m.now().Sub(e.Since) < indexGrace {
		return false, nil
	}
	_, _, err := m.loadHeader(ctx, account, e.ID)
	switch {
	case errors.Is(err, cairn.ErrNotFound):
		return true, nil
	case err != nil:
		return false, err
	}
	return false, nil
}

// resolveName finds the id of the store name in account.
func (m *Manager) resolveName(ctx context.Context, account, name string) (string, error) {
	ix, _, _, err := m.loadIndex(ctx, account)
	if err != nil {
		return "", err
	}
	i := ix.find(name)
	if i < 0 {
		return "", errStoreNotFound()
	}
	return ix.Stores[i].ID, nil
}

// --- control plane ---

// CreateParams are the members of CreateKeyValueStore.
type CreateParams struct {
	Name    string
	Comment string
	Tags    []Tag
}

var namePattern = func(s string) bool {
	if len(s) < 1 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// Create creates an empty store in account. Names are unique per account; an account
// holds at most Limits.MaxStoresPerAccount stores.
func (m *Manager) Create(ctx context.Context, account string, p CreateParams) (*Info, error) {
	if !namePattern(p.Name) {
		return nil, errorf(KindInvalid, "The key value store name %q is invalid: it must be 1 to 64 characters of [a-zA-Z0-9-_].", p.Name)
	}
	if len([]rune(p.Comment)) > 128 {
		return nil, errorf(KindInvalid, "The comment must be at most 128 characters long.")
	}
	now := m.now()
	h := &header{
		Account: account, Name: p.Name, ID: uuid.NewString(), Comment: p.Comment, Tags: slices.Clone(p.Tags),
		Created: now, Modified: now, ETag: newControlETag(""),
		DataETag: newDataETag(""), DataModified: now,
	}
	limit := m.limits().MaxStoresPerAccount
	err := m.editIndex(ctx, account, func(ix *index) (bool, error) {
		if err := m.prune(ctx, account, ix, p.Name, limit); err != nil {
			return false, err
		}
		if ix.find(p.Name) >= 0 {
			return false, errorf(KindNameExists, "A key value store named %s already exists in this account.", p.Name)
		}
		if len(ix.Stores) >= limit {
			return false, errorf(KindStoreLimit, "Your account already has the maximum number of key value stores (%d).", limit)
		}
		ix.Stores = append(ix.Stores, indexEntry{Name: h.Name, ID: h.ID, Since: now})
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	_, err = m.Meta.Create(ctx, StoresBucket, headerKey(account, h.ID), encodeHeader(h))
	if err != nil {
		_ = m.indexRemove(context.WithoutCancel(ctx), account, h.ID)
		return nil, fmt.Errorf("create key value store: %w", err)
	}
	return m.info(h), nil
}

// prune removes stale entries from ix when they stand in the way of name or of the
// quota. It only reads; the caller writes ix.
func (m *Manager) prune(ctx context.Context, account string, ix *index, name string, limit int) error {
	if ix.find(name) < 0 && len(ix.Stores) < limit {
		return nil
	}
	kept := ix.Stores[:0]
	for _, e := range ix.Stores {
		st, err := m.stale(ctx, account, e)
		if err != nil {
			return err
		}
		if !st {
			kept = append(kept, e)
		}
	}
	ix.Stores = kept
	return nil
}

func (m *Manager) indexRemove(ctx context.Context, account, id string) error {
	return m.editIndex(ctx, account, func(ix *index) (bool, error) {
		for i, e := range ix.Stores {
			if e.ID == id {
				ix.Stores = slices.Delete(ix.Stores, i, i+1)
				return true, nil
			}
		}
		return false, nil
	})
}

// Describe returns the store name of account.
func (m *Manager) Describe(ctx context.Context, account, name string) (*Info, error) {
	id, err := m.resolveName(ctx, account, name)
	if err != nil {
		return nil, err
	}
	h, _, err := m.loadHeader(ctx, account, id)
	if errors.Is(err, cairn.ErrNotFound) {
		return nil, errStoreNotFound()
	}
	if err != nil {
		return nil, fmt.Errorf("read key value store: %w", err)
	}
	return m.info(h), nil
}

// checkControlIfMatch applies the control plane's If-Match rules.
func checkControlIfMatch(h *header, ifMatch string) error {
	if ifMatch == "" {
		return errorf(KindIfMatchMissing, "The If-Match version is missing or not valid for the key value store.")
	}
	if ifMatch != h.ETag {
		return errorf(KindETagMismatch, "The If-Match version %s does not match the current version of the key value store.", ifMatch)
	}
	return nil
}

// UpdateComment implements UpdateKeyValueStore: it replaces the comment if ifMatch is
// the store's control-plane ETag, and rotates that ETag.
func (m *Manager) UpdateComment(ctx context.Context, account, name, ifMatch, comment string) (*Info, error) {
	if ifMatch == "" {
		return nil, checkControlIfMatch(nil, "")
	}
	if len([]rune(comment)) > 128 {
		return nil, errorf(KindInvalid, "The comment must be at most 128 characters long.")
	}
	id, err := m.resolveName(ctx, account, name)
	if err != nil {
		return nil, err
	}
	for range casMaxAttempts {
		h, rev, err := m.loadHeader(ctx, account, id)
		if errors.Is(err, cairn.ErrNotFound) {
			return nil, errStoreNotFound()
		}
		if err != nil {
			return nil, fmt.Errorf("read key value store: %w", err)
		}
		if err := checkControlIfMatch(h, ifMatch); err != nil {
			return nil, err
		}
		h.Comment = comment
		h.Modified = m.now()
		h.ETag = newControlETag(h.ETag)
		_, err = m.Meta.Update(ctx, StoresBucket, headerKey(account, id), encodeHeader(h), rev)
		switch {
		case err == nil:
			return m.info(h), nil
		case errors.Is(err, cairn.ErrRevisionMismatch), errors.Is(err, cairn.ErrNotFound):
			// A data write (or a competing update) committed; re-check If-Match.
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("update key value store: %w", err)
		}
	}
	return nil, errBusy()
}

// Delete implements DeleteKeyValueStore: it deletes the store and its keys if ifMatch
// is the store's control-plane ETag, and returns the store as it was.
func (m *Manager) Delete(ctx context.Context, account, name, ifMatch string) (*Info, error) {
	if ifMatch == "" {
		return nil, checkControlIfMatch(nil, "")
	}
	id, err := m.resolveName(ctx, account, name)
	if err != nil {
		return nil, err
	}
	for range casMaxAttempts {
		h, rev, err := m.loadHeader(ctx, account, id)
		if errors.Is(err, cairn.ErrNotFound) {
			return nil, errStoreNotFound()
		}
		if err != nil {
			return nil, fmt.Errorf("read key value store: %w", err)
		}
		if err := checkControlIfMatch(h, ifMatch); err != nil {
			return nil, err
		}
		err = m.Meta.Delete(ctx, StoresBucket, headerKey(account, id), rev)
		switch {
		case err == nil:
			bg := context.WithoutCancel(ctx)
			if err := m.indexRemove(bg, account, id); err != nil {
				return nil, fmt.Errorf("delete key value store: %w", err)
			}
			_, _ = m.sweepStore(bg, account, id, nil)
			return m.info(h), nil
		case errors.Is(err, cairn.ErrRevisionMismatch), errors.Is(err, cairn.ErrNotFound):
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("delete key value store: %w", err)
		}
	}
	return nil, errBusy()
}

// ListParams are the members of ListKeyValueStores. Stores are listed by name.
type ListParams struct {
	Marker   string // list the stores whose names sort after Marker
	MaxItems int    // ≤ 0: 100
	Status   string // "" or a status to filter on
}

// List implements ListKeyValueStores. next is the marker of the following page, or ""
// when the listing is complete.
func (m *Manager) List(ctx context.Context, account string, p ListParams) (stores []*Info, next string, err error) {
	if p.MaxItems <= 0 {
		p.MaxItems = 100
	}
	ix, _, _, err := m.loadIndex(ctx, account)
	if err != nil {
		return nil, "", err
	}
	entries := ix.Stores
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name < entries[j].Name })
	for _, e := range entries {
		if e.Name <= p.Marker {
			continue
		}
		h, _, err := m.loadHeader(ctx, account, e.ID)
		if errors.Is(err, cairn.ErrNotFound) {
			continue // a create in flight or a crashed one
		}
		if err != nil {
			return nil, "", fmt.Errorf("read key value store: %w", err)
		}
		in := m.info(h)
		if p.Status != "" && !strings.EqualFold(p.Status, in.Status) {
			continue
		}
		if len(stores) == p.MaxItems {
			return stores, stores[len(stores)-1].Name, nil
		}
		stores = append(stores, in)
	}
	return stores, "", nil
}
