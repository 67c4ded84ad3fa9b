package cairn

import (
	"context"
	"time"
)

// PublicKey is a public key that signs trail digest files, as ListPublicKeys returns
// it: the DER encoding of a PKCS#1 RSAPublicKey, its validity window, and its
// fingerprint (the lowercase hex MD5 of Value).
type PublicKey struct {
	Value         []byte
	ValidityStart time.Time
	ValidityEnd   time.Time
	Fingerprint   string
}

// KeySource serves the digest signing keys of each region.
type KeySource interface {
	// PublicKeys returns every key of region whose validity window overlaps
	// [start, end], oldest first; with zero times, the key valid now.
	PublicKeys(ctx context.Context, region string, start, end time.Time) ([]PublicKey, error)
}
