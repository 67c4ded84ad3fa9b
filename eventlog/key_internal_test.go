package eventlog

import (
	"math/rand/v2"
	"regexp"
	"testing"
)

// validKVKey is the NATS KV key syntax.
var validKVKey = regexp.MustCompile(`^[-/_=.a-zA-Z0-9]+$`)

func checkKey(t *testing.T, k string) {
	t.Helper()
	enc := encodeKey(k)
	if !validKVKey.MatchString(enc) || enc[0] == '.' || enc[len(enc)-1] == '.' {
		t.Fatalf("encodeKey(%q) = %q: not a valid KV key", k, enc)
	}
	for i := 0; i+1 < len(enc); i++ {
		if enc[i] == '.' && enc[i+1] == '.' {
			t.Fatalf("encodeKey(%q) = %q: empty token", k, enc)
		}
	}
	dec, err := decodeKey(enc)
	if err != nil || dec != k {
		t.Fatalf("decodeKey(encodeKey(%q)) = %q, %v", k, dec, err)
	}
}

func TestEncodeKey(t *testing.T) {
	for _, k := range []string{
		"a", "a/b", "/", "//", "a/", "/a", ".", "..", "a.b", "=", "=2E", "_", "x y", "é", "a/./b",
		"trails/123456789012/arn:aws:cloudtrail:us-east-1:123456789012:trail/main",
	} {
		checkKey(t, k)
	}
	if got := encodeKey("trails/123/main"); got != "trails.123.main" {
		t.Fatalf("encodeKey = %q", got)
	}
	const alphabet = "ab.=/-_Z9"
	r := rand.New(rand.NewPCG(1, 2))
	for range 5000 {
		b := make([]byte, 1+r.IntN(10))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		checkKey(t, string(b))
	}
}

func TestBucketName(t *testing.T) {
	seen := map[string]string{}
	for _, b := range []string{"trails", "a.b", "a_b", "a_2Eb", "x y", "Trails-1"} {
		n := BucketName(b)
		if !regexp.MustCompile(`^[a-zA-Z0-9_-]+$`).MatchString(n) {
			t.Fatalf("BucketName(%q) = %q", b, n)
		}
		if prev, ok := seen[n]; ok {
			t.Fatalf("BucketName(%q) = BucketName(%q) = %q", b, prev, n)
		}
		seen[n] = b
	}
}

func TestAckSeqs(t *testing.T) {
	for _, tc := range []struct {
		reply          string
		seq, delivered uint64
		ok             bool
	}{
		{"$JS.ACK.EVENTS.c1.3.42.40.1764000000000000000.7", 42, 3, true},
		{"$JS.ACK._.HASH.EVENTS.c1.2.43.41.1764000000000000000.0.rand", 43, 2, true},
		{"$JS.ACK.dom.HASH.EVENTS.c1.1.44.42.1764000000000000000.0", 44, 1, true},
		{"$JS.ACK.EVENTS.c1.x.42.40.1.7", 0, 0, false},
		{"_INBOX.abc", 0, 0, false},
		{"$JS.ACK.a.b.c", 0, 0, false},
	} {
		seq, d, ok := ackSeqs(tc.reply)
		if seq != tc.seq || d != tc.delivered || ok != tc.ok {
			t.Errorf("ackSeqs(%q) = %d, %d, %v; want %d, %d, %v", tc.reply, seq, d, ok, tc.seq, tc.delivered, tc.ok)
		}
	}
}

func TestNumPending(t *testing.T) {
	for _, tc := range []struct {
		reply   string
		pending uint64
		ok      bool
	}{
		{"$JS.ACK.EVENTS.c1.3.42.40.1764000000000000000.7", 7, true},
		{"$JS.ACK._.HASH.EVENTS.c1.2.43.41.1764000000000000000.12.rand", 12, true},
		{"$JS.ACK.dom.HASH.EVENTS.c1.1.44.42.1764000000000000000.0", 0, true},
		{"$JS.ACK.EVENTS.c1.3.42.40.1764000000000000000.x", 0, false},
		{"$JS.ACK.a.b.c", 0, false},
		{"", 0, false},
	} {
		n, ok := numPending(tc.reply)
		if n != tc.pending || ok != tc.ok {
			t.Errorf("numPending(%q) = %d, %v; want %d, %v", tc.reply, n, ok, tc.pending, tc.ok)
		}
	}
}
