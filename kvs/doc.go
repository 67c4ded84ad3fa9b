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
//   - "kvs-stores" holds one header document (JSON) per store under "<account>/<id>":
//     the control-plane metadata (name, comment, control-plane ETag, times), the data
//     plane's ETag, item count and total size, and the ordered list of the store's
//     pages (id, first key, item count, size).
//   - "kvs-pages" holds the keys and values, in immutable binary pages under
//     "<account>/<id>/<seq>-<rand>-<n>". A page holds a sorted, contiguous key range
//     of at most about PageBytes (32 KiB) of keys and values. A commit that finds more
//     than twice the pages the store's size needs rewrites them all, which bounds the
//     header (a few hundred KiB at worst, with 5 MB of 512-byte keys). No MetaStore
//     value comes near NATS's default 1 MiB payload limit.
//   - "kvs-index" holds one document per account under "<account>": the (name, id) of
//     every store, which makes name uniqueness and the per-account quota atomic.
//
// The header is the single commit point of a store. A data-plane write (PutKey,
// DeleteKey, UpdateKeys) reads the header, checks If-Match against its data ETag,
// rewrites only the pages its keys fall in (copy on write: new pages under fresh ids),
// then replaces the header with compare-and-set on its revision. All of a request's
// puts and deletes therefore become visible together or not at all, and of concurrent
// writers holding the same ETag exactly one wins; the others see the new ETag and fail
// with KindETagMismatch. Replaced pages are deleted after the commit; pages left by a
// crash are never referenced and are removed by Sweep. Readers that find a page
// already replaced simply re-read the header.
//
// Imports: the root package and the standard library (plus google/uuid).
package kvs
