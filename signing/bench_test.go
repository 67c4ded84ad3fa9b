package signing_test

import (
	"context"
	"testing"
	"time"

	"github.com/cairnhq/cairn/internal/memstore"
)

// BenchmarkKey_Sign is the cost of signing one digest: what delivery spends per
// region per digest interval, in its own goroutine (never on a request's path).
func BenchmarkKey_Sign(b *testing.B) {
	ring := newRing(memstore.New(), 0, nil)
	k, err := ring.Key(context.Background(), "us-east-1", time.Now())
	if err != nil {
		b.Fatal(err)
	}
	msg := []byte("2026-11-25T10:00:00Z\nbucket/AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/11/25/x.json.gz\n0123456789abcdef\nnull")
	b.ResetTimer()
	for range b.N {
		if _, err := k.Sign(msg); err != nil {
			b.Fatal(err)
		}
	}
}
