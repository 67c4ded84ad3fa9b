package gateway

import (
	"sync"
	"sync/atomic"
)

// Activity counts the API calls in flight, so that background work (trail
// delivery) can use the CPU between calls rather than during them. The zero value
// is ready to use; a nil *Activity counts nothing and is never busy.
type Activity struct {
	n  atomic.Int64
	mu sync.Mutex
	// idle is closed, and cleared, when the count drops to zero.
	idle chan struct{}
}

var closedChan = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

func (a *Activity) begin() {
	if a != nil {
		a.n.Add(1)
	}
}

func (a *Activity) end() {
	if a == nil || a.n.Add(-1) != 0 {
		return
	}
	a.mu.Lock()
	if a.idle != nil {
		close(a.idle)
		a.idle = nil
	}
	a.mu.Unlock()
}

// InFlight reports whether an API call is being served.
func (a *Activity) InFlight() bool { return a != nil && a.n.Load() > 0 }

// Idle returns a channel that is closed when no call is in flight (already closed
// if none is now).
func (a *Activity) Idle() <-chan struct{} {
	if a == nil {
		return closedChan
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.n.Load() == 0 {
		return closedChan
	}
	if a.idle == nil {
		a.idle = make(chan struct{})
	}
	return a.idle
}
