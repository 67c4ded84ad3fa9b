package eventlog

import (
	"context"
	"errors"
	"sort"
	"strings"
	"sync"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/cairnhq/cairn"
)

// mirror is an in-memory copy of one KV bucket, fed by one long-lived watch, so that
// Get and List are local reads: no round trip, and no scan of the delete markers a
// bucket accumulates (a List by watch re-reads every key ever written). Writes still
// go to JetStream as compare-and-set and are applied to the mirror as soon as they
// succeed, so a node reads its own writes; other nodes' writes arrive through the
// watch within milliseconds, and a compare-and-set that fails on a stale revision
// refreshes the key from the bucket.
type mirror struct {
	ready chan struct{} // closed when the initial values are loaded (or the watch failed)

	mu      sync.RWMutex
	entries map[string]mirrorEntry
	failed  bool // the watch ended: reads fall back to the bucket
	// watched is the highest revision the watch has delivered: it delivers in
	// revision order, so no update older than that can still arrive through it.
	watched uint64
	// tombstones counts deleted entries; past tombstoneSlack (and pruneAt, which
	// keeps markers the watch has not passed from being rescanned on every change)
	// they are pruned.
	tombstones, pruneAt int
}

// tombstoneSlack is how many deletion markers the mirror keeps before pruning
// those the watch has passed (at least half the entries must be markers).
const tombstoneSlack = 1024

type mirrorEntry struct {
	value   []byte
	rev     uint64
	deleted bool
}

func newMirror() *mirror {
	return &mirror{ready: make(chan struct{}), entries: map[string]mirrorEntry{}}
}

// run feeds the mirror until ctx ends.
func (m *mirror) run(ctx context.Context, kv jetstream.KeyValue) {
	readyOnce := sync.OnceFunc(func() { close(m.ready) })
	defer func() {
		m.mu.Lock()
		m.failed = true
		m.mu.Unlock()
		readyOnce()
	}()
	w, err := kv.WatchAll(ctx)
	if err != nil {
		return
	}
	defer w.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case e, ok := <-w.Updates():
			if !ok {
				return
			}
			if e == nil {
				readyOnce()
				continue
			}
			key, err := decodeKey(e.Key())
			if err != nil {
				continue
			}
			m.mu.Lock()
			m.applyLocked(key, e.Revision(), e.Value(), e.Operation() != jetstream.KeyValuePut)
			m.watched = max(m.watched, e.Revision())
			m.mu.Unlock()
		}
	}
}

// apply records a value (or a deletion) at rev unless the mirror already holds a
// later revision of the key. A local deletion is applied at the revision it deleted
// (JetStream does not return the marker's), so a deletion wins over a value of the
// same revision, and the put it deleted, arriving late through the watch, is ignored.
func (m *mirror) apply(key string, rev uint64, value []byte, deleted bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.applyLocked(key, rev, value, deleted)
}

func (m *mirror) applyLocked(key string, rev uint64, value []byte, deleted bool) {
	if cur, ok := m.entries[key]; ok && (rev < cur.rev || rev == cur.rev && (!deleted || cur.deleted)) {
		return
	}
	if deleted {
		value = nil
	}
	m.put(key, mirrorEntry{value: value, rev: rev, deleted: deleted})
}

// put stores e under key, counting deletion markers and pruning them when they pile
// up. Called with mu held.
func (m *mirror) put(key string, e mirrorEntry) {
	cur, had := m.entries[key]
	m.entries[key] = e
	switch {
	case e.deleted && !(had && cur.deleted):
		m.tombstones++
	case !e.deleted && had && cur.deleted:
		m.tombstones--
	}
	if m.tombstones > max(tombstoneSlack, m.pruneAt) && m.tombstones*2 > len(m.entries) {
		m.prune()
		m.pruneAt = 2 * m.tombstones
	}
}

// prune drops the deletion markers at or below the watched revision: the puts they
// deleted were delivered before them, so none can arrive and resurrect a key; a key
// written again gets a newer revision. Called with mu held.
func (m *mirror) prune() {
	for k, e := range m.entries {
		if e.deleted && e.rev <= m.watched {
			delete(m.entries, k)
			m.tombstones--
		}
	}
}

// wait blocks until the initial values are loaded; false means fall back to the bucket.
func (m *mirror) wait(ctx context.Context) bool {
	select {
	case <-m.ready:
	case <-ctx.Done():
		return false
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	return !m.failed
}

func (m *mirror) get(key string) (cairn.MetaEntry, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	e, ok := m.entries[key]
	if !ok || e.deleted {
		return cairn.MetaEntry{}, false
	}
	return cairn.MetaEntry{Key: key, Value: append([]byte(nil), e.value...), Revision: e.rev}, true
}

func (m *mirror) list(prefix string, values bool) []cairn.MetaEntry {
	m.mu.RLock()
	var out []cairn.MetaEntry
	for k, e := range m.entries {
		if !e.deleted && strings.HasPrefix(k, prefix) {
			ce := cairn.MetaEntry{Key: k, Revision: e.rev}
			if values {
				ce.Value = append([]byte(nil), e.value...)
			}
			out = append(out, ce)
		}
	}
	m.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// refresh puts the result of reading key from the bucket into the mirror (after a
// failed compare-and-set).
func (m *mirror) refresh(key string, e jetstream.KeyValueEntry, err error) {
	switch {
	case err == nil:
		m.apply(key, e.Revision(), e.Value(), false)
	case errors.Is(err, jetstream.ErrKeyNotFound):
		m.mu.Lock()
		if cur, ok := m.entries[key]; ok && !cur.deleted {
			m.put(key, mirrorEntry{rev: cur.rev, deleted: true})
		}
		m.mu.Unlock()
	}
}
