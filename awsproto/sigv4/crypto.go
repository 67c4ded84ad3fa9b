package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
)

// The key derivation and string-to-sign MACs use this allocation-free HMAC-SHA256
// (RFC 2104) rather than crypto/hmac, which allocates two digests per key: a
// request needs five MACs under five different keys. hmac_internal_test.go
// checks it against crypto/hmac. Signatures are still compared with hmac.Equal.

const (
	blockSize = 64  // SHA-256 block size
	maxInline = 256 // messages up to this size are hashed from the stack
)

// hmacSHA256 returns HMAC-SHA256(key, msg).
func hmacSHA256(key, msg []byte) [sha256.Size]byte {
	var k [blockSize]byte
	if len(key) > blockSize {
		sum := sha256.Sum256(key)
		copy(k[:], sum[:])
	} else {
		copy(k[:], key)
	}
	var stack [blockSize + maxInline]byte
	var inner []byte
	if len(msg) <= maxInline {
		inner = stack[:blockSize+len(msg)]
	} else {
		inner = make([]byte, blockSize+len(msg))
	}
	for i := range blockSize {
		inner[i] = k[i] ^ 0x36
	}
	copy(inner[blockSize:], msg)
	isum := sha256.Sum256(inner)

	var outer [blockSize + sha256.Size]byte
	for i := range blockSize {
		outer[i] = k[i] ^ 0x5c
	}
	copy(outer[blockSize:], isum[:])
	return sha256.Sum256(outer[:])
}

// signingKey derives kSigning = HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region), service), "aws4_request").
func signingKey(secret string, c CredentialScope) [sha256.Size]byte {
	var kb [4 + 124]byte
	var k0 []byte
	if len(secret) <= len(kb)-4 {
		k0 = append(kb[:0], "AWS4"...)
		k0 = append(k0, secret...)
	} else {
		k0 = append([]byte("AWS4"), secret...)
	}
	var mb [maxInline]byte
	k := hmacSHA256(k0, append(mb[:0], c.Date...))
	clear(kb[:])
	k = hmacSHA256(k[:], append(mb[:0], c.Region...))
	k = hmacSHA256(k[:], append(mb[:0], c.Service...))
	return hmacSHA256(k[:], append(mb[:0], terminator...))
}

// signatureOf is HMAC(kSigning, stringToSign), where the string to sign is
// algorithm, request time, scope and the hex hash of the canonical request.
func signatureOf(key *[sha256.Size]byte, s *signature, canonicalHash [sha256.Size]byte) [sha256.Size]byte {
	var mb [maxInline]byte
	return hmacSHA256(key[:], appendStringToSign(mb[:0], s, canonicalHash))
}

// hashMatches reports whether declared is the hex SHA-256 of body (either case).
func hashMatches(declared string, body []byte) bool {
	var want [sha256.Size]byte
	if len(declared) != hex.EncodedLen(len(want)) {
		return false
	}
	if _, err := hex.Decode(want[:], []byte(declared)); err != nil {
		return false
	}
	got := sha256.Sum256(body)
	return hmac.Equal(got[:], want[:])
}
