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
}

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
			m.apply(key, e.Revision(), e.Value(), e.Operation() != jetstream.KeyValuePut)
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
	if cur, ok := m.entries[key]; ok && (rev < cur.rev || rev == cur.rev && (!deleted || cur.deleted)) {
		return
	}
	if deleted {
		value = nil
	}
	m.entries[key] = mirrorEntry{value: value, rev: rev, deleted: deleted}
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
			m.entries[key] = mirrorEntry{rev: cur.rev, deleted: true}
		}
		m.mu.Unlock()
	}
}
