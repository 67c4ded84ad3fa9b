package capture

import (
	"sync"
	"time"

	"github.com/cairnhq/cairn"
)

// Limiter is a token bucket bounding how many events of one kind are recorded per
// second (failed authentications: a flood must not exhaust memory or disk).
type Limiter struct {
	mu      sync.Mutex
	clock   cairn.Clock
	rate    float64
	burst   float64
	tokens  float64
	last    time.Time
	dropped uint64
}

// NewLimiter allows rate events per second with bursts of burst.
func NewLimiter(clock cairn.Clock, rate, burst float64) *Limiter {
	return &Limiter{clock: clock, rate: rate, burst: burst, tokens: burst, last: clock.Now()}
}

// Allow takes a token if one is available; otherwise it counts a drop.
func (l *Limiter) Allow() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock.Now()
	if el := now.Sub(l.last).Seconds(); el > 0 {
		l.tokens = min(l.burst, l.tokens+el*l.rate)
		l.last = now
	}
	if l.tokens >= 1 {
		l.tokens--
		return true
	}
	l.dropped++
	return false
}

// Dropped is how many events were refused so far.
func (l *Limiter) Dropped() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.dropped
}
