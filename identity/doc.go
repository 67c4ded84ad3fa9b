// Package identity keeps Cairn's accounts, IAM users and access keys in the
// MetaStore, and resolves access keys to principals for SigV4 verification.
//
// It imports the root package, awsproto and the standard library.
package identity
