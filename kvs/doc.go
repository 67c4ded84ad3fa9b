// Package kvs is the domain of CloudFront KeyValueStore: the stores (the CloudFront
// control plane's CreateKeyValueStore … ListKeyValueStores) and their keys (the
// cloudfront-keyvaluestore data plane's GetKey … UpdateKeys), kept in a cairn.MetaStore
// with AWS's rules and limits. It knows no wire protocol: errors are *Error values with
// a Kind that each service maps to its own modeled error.
//
// # Storage
//
// Three MetaStore buckets:
//
//   - "kvs-stores" holds one header per store under "<account>/<id>": the control-plane
//     metadata (name, comment, tags, control-plane ETag, times), the data plane's ETag,
//     time, item count and total size, a commit sequence number, the ordered list of
//     the store's pages (id, first key, item count, size, MetaStore revision) and the
//     delta: the store's latest changes (puts, and tombstones of deleted keys the pages
//     still hold), sorted by key, of at most Manager.DeltaBytes (4 KiB) of keys and
//     values plus 8 bytes per entry.
//   - "kvs-pages" holds the rest of the keys and values, in immutable pages under
//     "<account>/<id>/<seq>-<rand>-<n>". A page holds a sorted, contiguous key range
//     of at most about PageBytes (32 KiB) of keys and values. A commit that finds more
//     than twice the pages the store's size needs rewrites them all, which bounds the
//     header (a few hundred KiB at worst, with 5 MB of 512-byte keys). No MetaStore
//     value comes near NATS's default 1 MiB payload limit.
//   - "kvs-index" holds one document (JSON) per account under "<account>": the (name,
//     id) of every store, which makes name uniqueness and the per-account quota atomic.
//
// A key's value is the delta's when the delta names the key (a tombstone: no value),
// else that of the page whose range holds it. A store whose keys and values (plus 8
// bytes each) fit in DeltaBytes lives in its header alone.
//
// The header is the single commit point of a store. A data-plane write (PutKey,
// DeleteKey, UpdateKeys) reads the header, checks If-Match against its data ETag,
// merges its changes into the delta, and replaces the header with compare-and-set on
// its revision: one MetaStore write. When the delta outgrows DeltaBytes, the same
// commit first moves the delta entries of the pages that gather the most of it into
// new pages (copy on write, under fresh ids), until the delta is down to half of
// DeltaBytes; a page that shrinks below a quarter of PageBytes takes in a neighbour.
// All of a request's puts and deletes therefore become visible together or not at
// all, and of concurrent writers holding the same ETag exactly one wins; the others
// see the new ETag and fail with KindETagMismatch. Pages a commit replaced are deleted
// after it (by revision: one write each); pages left by a crash (written before a
// compare-and-set that never happened, or replaced but not deleted) are never
// referenced and are removed by Sweep. Readers that find a page already replaced
// simply re-read the header. As pages never change under their key, a Manager keeps
// up to 4 MiB of recently used pages, parsed, in memory.
//
// # Header layout
//
// A header is binary: a version byte (1), then, with uvarint lengths before strings
// and byte strings and times as a varint of Unix seconds and a uvarint of nanoseconds:
// account, name, id, comment; the tag count and each tag's key and value; created,
// modified; control ETag, data ETag, data modified; item count, size, sequence; the
// page count and per page id, first key, item count, size, revision; the delta count
// and per entry a flag byte (1: tombstone, 2: the pages hold the key), the key, and
// unless a tombstone the value. A page is a version byte (1), the uvarint entry count,
// then per entry the uvarint key length, key, uvarint value length, value.
//
// Imports: the root package and the standard library (plus google/uuid).
package kvs
