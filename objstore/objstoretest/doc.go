// Package objstoretest is the conformance suite of cairn.ObjectStore: Run
// drives one implementation through the contract the delivery layer relies on
// (round trips with metadata, atomic replacement, exact S3 key order, paging,
// not-found errors, concurrency, cancellation). Every implementation's tests
// call it, litestream-style, so the file and S3 stores cannot drift apart.
//
// Package objstoretest imports only the root package, the standard library and
// testing.
package objstoretest
