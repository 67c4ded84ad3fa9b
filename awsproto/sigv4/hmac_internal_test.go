package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"strings"
	"testing"
)

func refHMAC(key, msg []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(msg)
	return m.Sum(nil)
}

func TestHMACSHA256_MatchesCryptoHMAC(t *testing.T) {
	lengths := []int{0, 1, 31, 32, 63, 64, 65, 127, 128, 255, 256, 257, 1000}
	for _, kl := range lengths {
		for _, ml := range lengths {
			key := []byte(strings.Repeat("k", kl))
			msg := []byte(strings.Repeat("m", ml))
			got := hmacSHA256(key, msg)
			if want := refHMAC(key, msg); !hmac.Equal(got[:], want) {
				t.Fatalf("key %d msg %d: %x != %x", kl, ml, got, want)
			}
		}
	}
}

func FuzzHMACSHA256(f *testing.F) {
	f.Add([]byte("AWS4secret"), []byte("20260101"))
	f.Add([]byte(strings.Repeat("x", 100)), []byte(strings.Repeat("y", 300)))
	f.Fuzz(func(t *testing.T, key, msg []byte) {
		got := hmacSHA256(key, msg)
		if want := refHMAC(key, msg); !hmac.Equal(got[:], want) {
			t.Fatalf("mismatch for key %q msg %q", key, msg)
		}
	})
}

func TestSigningKey_LongSecret(t *testing.T) {
	c := CredentialScope{Date: "20260101", Region: "us-east-1", Service: "sts", Terminator: terminator}
	for _, n := range []int{0, 40, 60, 61, 124, 125, 500} {
		secret := strings.Repeat("s", n)
		k := refHMAC([]byte("AWS4"+secret), []byte(c.Date))
		k = refHMAC(k, []byte(c.Region))
		k = refHMAC(k, []byte(c.Service))
		k = refHMAC(k, []byte(terminator))
		got := signingKey(secret, c)
		if !hmac.Equal(got[:], k) {
			t.Fatalf("secret length %d: signing key differs", n)
		}
	}
}

func TestNormalizePath(t *testing.T) {
	cases := map[string]string{
		"/":               "/",
		"":                "/",
		"/a/b":            "/a/b",
		"/a/./b/../c//d/": "/a/c/d/",
		"//":              "/",
		"/..":             "/",
		"/a/..":           "/",
		"/a/b/..":         "/a",
		"/%2e%2e/x":       "/%2e%2e/x",
		"a/b":             "a/b",
	}
	for in, want := range cases {
		if got := normalizePath(in); got != want {
			t.Errorf("normalizePath(%q) = %q, want %q", in, got, want)
		}
		if got := normalizePath(in); got != in && !needsNormalize(in) {
			t.Errorf("needsNormalize(%q) = false but normalizing changes it", in)
		}
	}
}
