// Package file implements cairn.ObjectStore on a local directory tree, for trails
// that deliver to disk instead of S3.
//
// # Layout
//
// The store has a root directory (Cairn's --bucket-root, by default
// <data-dir>/buckets). Bucket B is the directory <root>/B and the object with key
// K is the regular file <root>/B/K, '/' in K separating directories. Cairn never
// creates buckets: an operator makes the directory, and a missing directory is
// cairn.ErrNoSuchBucket. A bucket name is a single path element (no '/', '\',
// NUL, "." or "..").
//
// Everything Cairn keeps besides the objects lives in the hidden directory
// <root>/B/.cairn, which is never listed and never a key:
//
//	<root>/B/.cairn/meta/<K>.json   metadata sidecar of object K
//	<root>/B/.cairn/tmp/            files being written (safe to delete while Cairn is stopped)
//
// # Metadata sidecar
//
// Each object written by Cairn has a JSON sidecar at <root>/B/.cairn/meta/<K>.json
// (for key "AWSLogs/1/x.json.gz": <root>/B/.cairn/meta/AWSLogs/1/x.json.gz.json).
// It is one JSON object; absent members mean "not set":
//
//	{
//	  "version": 1,
//	  "size": 1234,                       // bytes of the object
//	  "etag": "\"<hex MD5 of content>\"",  // with the quotes, as S3 sends it
//	  "contentType": "application/json",
//	  "contentEncoding": "gzip",
//	  "metadata": {                       // user metadata: lowercase names without x-amz-meta-
//	    "signature": "…",                 // e.g. on CloudTrail digest files
//	    "signature-algorithm": "SHA256withRSA"
//	  }
//	}
//
// Readers must ignore unknown members. The sidecar is written atomically (temp
// file, fsync, rename, fsync of its directory) before the object itself is
// renamed into place, so a visible object always has its sidecar. When an object
// is replaced the new sidecar lands a moment before the new content; readers in
// this process never see that window (Put, Get, Head and Delete serialize per
// key), other processes may. CloudTrail never replaces an object (every key is
// unique), so for trail files the pair is always consistent. If the sidecar's
// size differs from the file's, the file was changed outside Cairn and the
// sidecar is ignored.
//
// Files placed in a bucket by other tools are objects too: they are listed and
// readable, with no content type or metadata and an empty ETag.
//
// # Writes
//
// Put writes the content to a temp file in <root>/B/.cairn/tmp, fsyncs it,
// renames it to <root>/B/K (creating and fsyncing missing parent directories)
// and fsyncs the parent directory: the object appears whole or not at all and
// survives a crash once Put returns. Delete removes the object, then its
// sidecar, and leaves empty directories in place.
//
// # Keys
//
// A key must be 1 to 1024 bytes, must not start with '/', must not contain NUL,
// empty, "." or ".." elements, and its first element must not be ".cairn".
// Because objects are files, a key cannot be both an object and a "directory" of
// other keys ("a/b" and "a/b/c"): the second Put fails.
//
// # Listing
//
// List returns keys in S3 order (byte-wise lexicographic order of the whole key,
// not the order of a directory walk: "a-b" < "a/b" < "a0"), reading only the
// directories that can hold keys with the prefix, after startAfter. Symbolic
// links and other non-regular files are not objects. List fills Key, Size,
// LastModified (the file's mtime) and ETag, like S3's ListObjectsV2.
//
// # Bucket checks
//
// Local directories have no bucket policies: CheckBucket only checks that the
// bucket directory exists.
//
// # Errors
//
// Failures are *cairn.StoreError with S3-like codes, which GetTrailStatus
// reports as LatestDeliveryError: NoSuchBucket (also wrapping
// cairn.ErrNoSuchBucket), NoSuchKey (wrapping cairn.ErrNoSuchKey),
// InvalidArgument for an invalid key, InvalidBucketName, AccessDenied for
// permission errors, IncompleteBody when the body is shorter than its size,
// RequestCanceled or RequestTimeout when the context ends, InternalError for
// any other I/O error.
//
// All methods are safe for concurrent use.
//
// Package file imports only the root package and the standard library.
package file
