package sigv4

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"strings"
	"sync"
)

// SigV4A (AWS4-ECDSA-P256-SHA256) signs the same canonical request as SigV4,
// plus the X-Amz-Region-Set header (or query parameter), with an ECDSA P-256
// key that client and server both derive from the access key pair:
//
//	string to sign = "AWS4-ECDSA-P256-SHA256" \n X-Amz-Date \n date/service/aws4_request \n hex(SHA-256(canonical request))
//	signature      = hex(DER(ECDSA-P256(d, SHA-256(string to sign))))
//
// d comes from the NIST SP 800-108 KDF in counter mode with HMAC-SHA256 (one
// block, since the output is 256 bits):
//
//	c = HMAC-SHA256("AWS4A" + secret, be32(1) || "AWS4-ECDSA-P256-SHA256" || 0x00 || accessKeyID || counter || be32(256))
//
// with the external one-byte counter starting at 1 and incremented while
// c >= n-2 (n the order of P-256); then d = c + 1. This follows FIPS 186-4
// B.4.2 except at c = n-2 exactly, which aws-sdk-go-v2 also skips (a 2^-256
// case). Verification needs only the public key dG, which keyCache keeps.

const (
	// maxRegionSetLen bounds the X-Amz-Region-Set value.
	maxRegionSetLen = 1024
	// maxECDSASigLen is the longest DER ECDSA P-256 signature: SEQUENCE of two
	// INTEGERs of at most 33 bytes each.
	maxECDSASigLen = 72
)

// p256NMinus2 is n-2 for P-256, big-endian.
var p256NMinus2 = [32]byte{
	0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x4f,
}

var errKeyCounter = errors.New("sigv4a: key derivation exhausted its counter")

// deriveKeyECDSA returns the SigV4A private key of an access key pair.
func deriveKeyECDSA(accessKeyID, secret string) (*ecdsa.PrivateKey, error) {
	const label = AlgorithmECDSA
	key := make([]byte, 0, 5+len(secret))
	key = append(key, "AWS4A"...)
	key = append(key, secret...)
	defer clear(key)

	// be32(i=1) || label || 0x00 || accessKeyID || counter || be32(L=256)
	msg := make([]byte, 0, 4+len(label)+1+len(accessKeyID)+1+4)
	msg = append(msg, 0, 0, 0, 1)
	msg = append(msg, label...)
	msg = append(msg, 0)
	msg = append(msg, accessKeyID...)
	ctr := len(msg)
	msg = append(msg, 0)
	msg = append(msg, 0, 0, 1, 0)

	for counter := 1; counter <= 0xff; counter++ {
		msg[ctr] = byte(counter)
		c := hmacSHA256(key, msg)
		if !lessThan(&c, &p256NMinus2) {
			clear(c[:])
			continue
		}
		// d = c + 1; no carry out of the top byte since c < n-2.
		carry := uint16(1)
		for i := len(c) - 1; i >= 0; i-- {
			sum := uint16(c[i]) + carry
			c[i], carry = byte(sum), sum>>8
		}
		priv, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), c[:])
		clear(c[:])
		return priv, err
	}
	return nil, errKeyCounter
}

// lessThan reports whether a < b as big-endian numbers, in constant time.
func lessThan(a, b *[32]byte) bool {
	borrow := 0
	for i := len(a) - 1; i >= 0; i-- {
		d := int(a[i]) - int(b[i]) - borrow
		borrow = (d >> 8) & 1
	}
	return borrow == 1
}

// keyCache keeps derived SigV4A public keys per access key, with a hash of the
// secret they came from so that a rotated secret derives a new key. It is
// shared by every Verifier: the derivation is a pure function of the pair.
type keyCache struct {
	mu   sync.RWMutex
	keys map[string]cachedKey
}

type cachedKey struct {
	secretSum [sha256.Size]byte
	pub       *ecdsa.PublicKey
}

// keyCacheSize bounds the cache; beyond it an arbitrary entry is evicted.
const keyCacheSize = 1024

var sigv4aKeys keyCache

// publicKey returns the SigV4A public key of the pair, deriving it on a miss.
func (kc *keyCache) publicKey(accessKeyID, secret string) (*ecdsa.PublicKey, error) {
	sum := secretSum(secret)
	kc.mu.RLock()
	e, ok := kc.keys[accessKeyID]
	kc.mu.RUnlock()
	if ok && subtle.ConstantTimeCompare(e.secretSum[:], sum[:]) == 1 {
		return e.pub, nil
	}
	priv, err := deriveKeyECDSA(accessKeyID, secret)
	if err != nil {
		return nil, err
	}
	// Keep only the public half; the private key becomes garbage.
	pub := &ecdsa.PublicKey{Curve: priv.Curve, X: priv.X, Y: priv.Y}
	kc.mu.Lock()
	if kc.keys == nil {
		kc.keys = make(map[string]cachedKey)
	}
	if _, ok := kc.keys[accessKeyID]; !ok && len(kc.keys) >= keyCacheSize {
		for k := range kc.keys {
			delete(kc.keys, k)
			break
		}
	}
	kc.keys[strings.Clone(accessKeyID)] = cachedKey{secretSum: sum, pub: pub}
	kc.mu.Unlock()
	return pub, nil
}

// secretSum is what the cache remembers of a secret: a domain-separated hash.
func secretSum(secret string) [sha256.Size]byte {
	return hmacSHA256([]byte("cairn sigv4a key cache"), []byte(secret))
}

// verifyECDSA reports whether sig is a valid SigV4A signature of the string to
// sign built from s and canonicalHash.
func verifyECDSA(pub *ecdsa.PublicKey, s *signature, canonicalHash [sha256.Size]byte, sig []byte) bool {
	var mb [maxInline]byte
	m := appendStringToSign(mb[:0], s, canonicalHash)
	digest := sha256.Sum256(m)
	return ecdsa.VerifyASN1(pub, digest[:], sig)
}

// appendStringToSign appends algorithm \n time \n scope \n hex(canonicalHash).
// The SigV4A scope has no region.
func appendStringToSign(m []byte, s *signature, canonicalHash [sha256.Size]byte) []byte {
	m = append(m, s.alg...)
	m = append(m, '\n')
	m = append(m, s.amzDate...)
	m = append(m, '\n')
	m = append(m, s.cred.Date...)
	m = append(m, '/')
	if s.alg != AlgorithmECDSA {
		m = append(m, s.cred.Region...)
		m = append(m, '/')
	}
	m = append(m, s.cred.Service...)
	m = append(m, '/')
	m = append(m, s.cred.Terminator...)
	m = append(m, '\n')
	return hex.AppendEncode(m, canonicalHash[:])
}

// decodeECDSASignature decodes the hex DER signature; ok is false when it
// cannot be one.
func decodeECDSASignature(dst *[maxECDSASigLen]byte, sig string) ([]byte, bool) {
	if len(sig) < 16 || len(sig)%2 != 0 || len(sig) > 2*maxECDSASigLen {
		return nil, false
	}
	n, err := hex.Decode(dst[:], []byte(sig))
	if err != nil {
		return nil, false
	}
	return dst[:n], true
}

// parseRegionSet checks an X-Amz-Region-Set value: a comma-separated list of
// region names or wildcard patterns ("*", "us-*"). It returns the single region
// the set names, or "" when it names none precisely (a wildcard or several
// regions), and whether the value is well formed.
func parseRegionSet(v string) (single string, ok bool) {
	if len(v) > maxRegionSetLen {
		return "", false
	}
	n := 0
	for rest, more := v, true; more; {
		var r string
		r, rest, more = strings.Cut(rest, ",")
		r = strings.TrimSpace(r)
		if r == "" {
			return "", false
		}
		for i := 0; i < len(r); i++ {
			c := r[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '*') {
				return "", false
			}
		}
		if n++; n == 1 {
			single = r
		}
	}
	if n != 1 || strings.IndexByte(single, '*') >= 0 {
		single = ""
	}
	return single, true
}
