package eventlog

import (
	"fmt"
	"testing"
)

// TestMirror_PrunesTombstones: deletion markers the watch has passed are dropped once
// they pile up; those it has not passed are kept (a late put must not resurrect the
// key), and pruning never loses a live key.
func TestMirror_PrunesTombstones(t *testing.T) {
	m := newMirror()
	const n = 3 * tombstoneSlack
	rev := uint64(0)
	for i := range n {
		rev++
		m.apply(fmt.Sprintf("k%d", i), rev, []byte("v"), false)
	}
	m.apply("live", rev+1, []byte("kept"), false)
	rev++
	m.watched = rev
	// Delete every k through the watch (marker revisions above the puts').
	for i := range n {
		rev++
		m.apply(fmt.Sprintf("k%d", i), rev, nil, true)
		m.watched = rev
	}
	if len(m.entries) > tombstoneSlack+1+2 {
		t.Fatalf("%d entries after deleting %d of %d keys: tombstones not pruned", len(m.entries), n, n+1)
	}
	if e, ok := m.get("live"); !ok || string(e.Value) != "kept" {
		t.Fatalf("live key lost: %v %v", e, ok)
	}
	if m.tombstones < 0 || m.tombstones > len(m.entries) {
		t.Fatalf("tombstones %d with %d entries", m.tombstones, len(m.entries))
	}
	// A key written again after its marker was pruned is visible.
	rev++
	m.apply("k0", rev, []byte("again"), false)
	if e, ok := m.get("k0"); !ok || string(e.Value) != "again" {
		t.Fatalf("recreated key: %v %v", e, ok)
	}

	// Local deletions the watch has not passed are kept: their old puts may still
	// arrive and must be ignored.
	m2 := newMirror()
	for i := range n {
		m2.apply(fmt.Sprintf("k%d", i), uint64(i+1), []byte("v"), false)
	}
	for i := range n {
		m2.apply(fmt.Sprintf("k%d", i), uint64(i+1), nil, true) // local delete at the put's revision
	}
	m2.apply("k5", 6, []byte("late put"), false) // the watch delivers the deleted put late
	if _, ok := m2.get("k5"); ok {
		t.Fatal("a late put resurrected a deleted key")
	}
	if m2.tombstones != n {
		t.Fatalf("tombstones %d, want %d (none passed by the watch)", m2.tombstones, n)
	}
}
