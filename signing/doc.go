// Package signing keeps the RSA keys that sign trail digest files (log file
// integrity validation, spec §6): one RSA-2048 key per region and rotation period,
// created lazily in a cairn.MetaStore, with the private half sealed under a
// key-encryption key (AES-256-GCM) that never leaves the process. KeyRing signs
// digests and serves ListPublicKeys as a cairn.KeySource.
//
// It imports only the root package and the standard library.
package signing
