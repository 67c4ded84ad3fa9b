package cairn

import "context"

// MetaEntry is one value of a MetaStore with the revision it was written at.
type MetaEntry struct {
	Key      string
	Value    []byte
	Revision uint64
}

// MetaStore keeps small metadata documents (trails, identities, keys) in named buckets,
// with compare-and-set on a per-key revision. Keys use the characters [A-Za-z0-9._=/-].
// Implementations are safe for concurrent use.
type MetaStore interface {
	// Get returns the entry, or an error wrapping ErrNotFound.
	Get(ctx context.Context, bucket, key string) (MetaEntry, error)
	// Create writes a new key; it fails with ErrExists if the key is present.
	Create(ctx context.Context, bucket, key string, value []byte) (uint64, error)
	// Update replaces the value if the current revision is rev; otherwise it fails
	// with ErrRevisionMismatch (or ErrNotFound if the key is gone).
	Update(ctx context.Context, bucket, key string, value []byte, rev uint64) (uint64, error)
	// Delete removes the key if its revision is rev (0: whatever the revision).
	// Deleting a missing key returns ErrNotFound.
	Delete(ctx context.Context, bucket, key string, rev uint64) error
	// List returns the entries whose keys start with prefix, sorted by key.
	List(ctx context.Context, bucket, prefix string) ([]MetaEntry, error)
	// ListRevisions is List without the values (Value nil): the keys and their
	// revisions, for callers that keep decoded documents by revision and read only
	// the ones that changed.
	ListRevisions(ctx context.Context, bucket, prefix string) ([]MetaEntry, error)
}
