package cloudfront

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"

	"github.com/cairnhq/cairn/awsproto"
)

// Small helpers shared by every file of the package.

// ptr returns a pointer to v.
func ptr[T any](v T) *T { return &v }

// deref returns *p, or the zero value when p is nil.
func deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

// callerAccount returns the caller's account from the request context ("" when the
// context carries no authenticated principal).
func callerAccount(ctx context.Context) string {
	rc := awsproto.FromContext(ctx)
	if rc == nil || rc.Principal == nil {
		return ""
	}
	return rc.Principal.AccountID
}

const (
	upperAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	lowerAlnum = "abcdefghijklmnopqrstuvwxyz0123456789"
)

// randomString returns n characters drawn uniformly from alphabet (crypto/rand, with
// rejection sampling so that every character is equally likely).
func randomString(alphabet string, n int) string {
	out := make([]byte, 0, n)
	limit := 256 - 256%len(alphabet)
	buf := make([]byte, n+n/4+4)
	for len(out) < n {
		if _, err := rand.Read(buf); err != nil {
			panic("crypto/rand: " + err.Error()) // never fails on supported platforms
		}
		for _, c := range buf {
			if int(c) < limit && len(out) < n {
				out = append(out, alphabet[int(c)%len(alphabet)])
			}
		}
	}
	return string(out)
}

// newResourceID returns an AWS-looking CloudFront id: prefix and 13 uppercase
// alphanumerics ("E2QWRUHAPOMQZL" for distributions, OACs and ETags, "I…" for
// invalidations).
func newResourceID(prefix string) string { return prefix + randomString(upperAlnum, 13) }

// newETag returns a fresh ETag in CloudFront's style (E + 13 uppercase alphanumerics).
func newETag() string { return newResourceID("E") }

// encodeKeyPart makes an arbitrary string usable inside a MetaStore key
// ([A-Za-z0-9._=/-]): letters, digits, '-' and '.' stay, other bytes become =XX. Long
// results are replaced by "=h" and the SHA-256 of the value, which no escaped form can
// collide with ('=' is always followed by an uppercase hex digit there).
func encodeKeyPart(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' {
			b.WriteByte(c)
			continue
		}
		const hexd = "0123456789ABCDEF"
		b.WriteByte('=')
		b.WriteByte(hexd[c>>4])
		b.WriteByte(hexd[c&15])
	}
	if b.Len() > 100 {
		sum := sha256.Sum256([]byte(s))
		return "=h" + hex.EncodeToString(sum[:])
	}
	return b.String()
}

// isAPIError reports whether err is an *awsproto.Error with the given code.
func isAPIError(err error, code string) bool {
	var e *awsproto.Error
	return errors.As(err, &e) && e.Code == code
}
