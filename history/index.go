package history

import (
	"crypto/rand"
	"hash/maphash"
	"sync"
	"time"

	"github.com/cairnhq/cairn"
)

// DefaultRetention is how far back Event history reaches: AWS keeps 90 days.
const DefaultRetention = 90 * 24 * time.Hour

// Config configures an Index.
type Config struct {
	// Clock is the source of "now" for default time ranges and retention.
	// Nil means cairn.SystemClock.
	Clock cairn.Clock
	// Retention is how long events stay visible; zero means DefaultRetention.
	Retention time.Duration
	// TokenKey is the HMAC-SHA256 key NextTokens are signed with. Empty means a random
	// key per Index, so tokens do not survive a restart.
	TokenKey []byte
}

// Index is the Event history index. It is safe for concurrent use: Add, Lookup, Len
// and Prune may be called from any goroutine.
type Index struct {
	clock     cairn.Clock
	retention time.Duration
	tokenKey  []byte
	seed      maphash.Seed

	mu    sync.RWMutex
	parts map[partKey]*partition
}

// partKey selects a partition: Event history is per account and region, and
// management and Insights events never answer the same query.
type partKey struct {
	account, region string
	insight         bool
}

// New returns an empty Index.
func New(cfg Config) *Index {
	ix := &Index{
		clock:     cfg.Clock,
		retention: cfg.Retention,
		tokenKey:  append([]byte(nil), cfg.TokenKey...),
		seed:      maphash.MakeSeed(),
		parts:     map[partKey]*partition{},
	}
	if ix.clock == nil {
		ix.clock = cairn.SystemClock{}
	}
	if ix.retention <= 0 {
		ix.retention = DefaultRetention
	}
	if len(ix.tokenKey) == 0 {
		ix.tokenKey = make([]byte, 32)
		rand.Read(ix.tokenKey) // never fails (crypto/rand panics instead)
	}
	return ix
}

// cutoff is the oldest event time (unix nanoseconds) still inside the retention window.
func (ix *Index) cutoff(now time.Time) int64 {
	return now.Add(-ix.retention).UnixNano()
}

// Add indexes one logged event. The event log's follower calls it in log order, so
// sequences ascend; event times usually ascend too, but need not. Events whose
// category is neither Management nor Insight (data and network activity events) never
// enter Event history and are ignored, as are events already older than the retention
// window.
func (ix *Index) Add(e cairn.LoggedEvent) {
	var insight bool
	switch e.Lookup.Category {
	case cairn.EventCategoryManagement:
	case cairn.EventCategoryInsight:
		insight = true
	default:
		return
	}
	if e.TimeNanos < ix.cutoff(ix.clock.Now()) {
		return
	}
	k := partKey{account: e.Account, region: e.Region, insight: insight}
	for {
		p := ix.partition(k, true)
		p.mu.Lock()
		if p.dead { // pruned away between the map read and the lock
			p.mu.Unlock()
			continue
		}
		p.add(e.Seq, e.TimeNanos, &e.Lookup)
		p.mu.Unlock()
		return
	}
}

func (ix *Index) partition(k partKey, create bool) *partition {
	ix.mu.RLock()
	p := ix.parts[k]
	ix.mu.RUnlock()
	if p != nil || !create {
		return p
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if p = ix.parts[k]; p == nil {
		p = newPartition(ix.seed)
		ix.parts[k] = p
	}
	return p
}

// Len returns the number of events the index holds inside the retention window as of
// the last Prune.
func (ix *Index) Len() int {
	ix.mu.RLock()
	parts := make([]*partition, 0, len(ix.parts))
	for _, p := range ix.parts {
		parts = append(parts, p)
	}
	ix.mu.RUnlock()
	n := 0
	for _, p := range parts {
		p.mu.RLock()
		n += len(p.main.live())
		p.mu.RUnlock()
	}
	return n
}

// Prune drops the events older than the retention window. Lookups never return such
// events even before Prune runs; Prune reclaims their memory. It costs O(log n) per
// posting list plus O(1) amortized per dropped event, so it is cheap to call every
// minute or so.
func (ix *Index) Prune() {
	cut := ix.cutoff(ix.clock.Now())
	ix.mu.RLock()
	keys := make([]partKey, 0, len(ix.parts))
	parts := make([]*partition, 0, len(ix.parts))
	for k, p := range ix.parts {
		keys = append(keys, k)
		parts = append(parts, p)
	}
	ix.mu.RUnlock()
	for i, p := range parts {
		p.mu.Lock()
		p.prune(cut)
		empty := len(p.main.live()) == 0
		p.mu.Unlock()
		if !empty {
			continue
		}
		ix.mu.Lock()
		p.mu.Lock()
		if len(p.main.live()) == 0 && ix.parts[keys[i]] == p {
			delete(ix.parts, keys[i])
			p.dead = true
		}
		p.mu.Unlock()
		ix.mu.Unlock()
	}
}
