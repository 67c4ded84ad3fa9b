package capture_test

import (
	"testing"
	"time"

	"github.com/cairnhq/cairn"
	"github.com/cairnhq/cairn/capture"
)

func TestLimiter_Allow(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := cairn.ClockFunc(func() time.Time { return now })
	l := capture.NewLimiter(clock, 10, 5)
	allowed := 0
	for i := 0; i < 100; i++ {
		if l.Allow() {
			allowed++
		}
	}
	if allowed != 5 {
		t.Fatalf("burst allowed %d, want 5", allowed)
	}
	if l.Dropped() != 95 {
		t.Fatalf("dropped %d, want 95", l.Dropped())
	}
	now = now.Add(time.Second) // refills 10, capped at the burst of 5
	allowed = 0
	for i := 0; i < 100; i++ {
		if l.Allow() {
			allowed++
		}
	}
	if allowed != 5 {
		t.Fatalf("after 1s allowed %d, want 5 (burst cap)", allowed)
	}
}
