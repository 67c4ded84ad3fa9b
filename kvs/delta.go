package kvs

import (
	"bytes"
	"sort"
)

// deltaEntry is one change the header holds over the pages: a put of k (value v) or,
// with del, a tombstone that hides k in the pages. inBase tells whether the pages hold
// k: a put over the pages replaces their value, and deleting such a key must leave a
// tombstone, while deleting a key only the delta holds simply drops the entry. A
// tombstone is always inBase.
type deltaEntry struct {
	k, v   []byte
	del    bool
	inBase bool
}

// Delta entry flags, as encoded.
const (
	deltaDel    = 1 << 0
	deltaInBase = 1 << 1
)

func (d deltaEntry) flags() byte {
	var f byte
	if d.del {
		f |= deltaDel
	}
	if d.inBase {
		f |= deltaInBase
	}
	return f
}

func deltaFromFlags(f byte) deltaEntry {
	return deltaEntry{del: f&deltaDel != 0, inBase: f&(deltaInBase|deltaDel) != 0}
}

// weight is what the entry costs the header, as entry.weight does for a page.
func (d deltaEntry) weight() int { return len(d.k) + len(d.v) + 8 }

// size is what the entry adds to the store's size: nothing for a tombstone.
func (d deltaEntry) size() int64 {
	if d.del {
		return 0
	}
	return int64(len(d.k) + len(d.v))
}

func deltaWeight(ds []deltaEntry) int {
	w := 0
	for _, d := range ds {
		w += d.weight()
	}
	return w
}

// findDelta returns the index of key in ds (sorted), or -1.
func findDelta(ds []deltaEntry, key string) int {
	k := []byte(key)
	i := sort.Search(len(ds), func(i int) bool { return bytes.Compare(ds[i].k, k) >= 0 })
	if i < len(ds) && bytes.Equal(ds[i].k, k) {
		return i
	}
	return -1
}

// applyDelta merges sorted delta entries into the sorted entries of the pages they
// belong to: puts replace or add, tombstones remove.
func applyDelta(items []entry, ds []deltaEntry) []entry {
	if len(ds) == 0 {
		return items
	}
	out := make([]entry, 0, len(items)+len(ds))
	i := 0
	for _, d := range ds {
		for i < len(items) && bytes.Compare(items[i].k, d.k) < 0 {
			out = append(out, items[i])
			i++
		}
		if i < len(items) && bytes.Equal(items[i].k, d.k) {
			i++
		}
		if !d.del {
			out = append(out, entry{k: d.k, v: d.v})
		}
	}
	return append(out, items[i:]...)
}

// mergeVisible calls fn, in key order, with each entry of a page's entries overlaid
// with the delta entries in its key range whose keys are after after (all of them
// when hasAfter is false), until fn returns false. It returns false if fn did.
func mergeVisible(items []entry, ds []deltaEntry, after []byte, hasAfter bool, fn func(k, v []byte) bool) bool {
	i, j := 0, 0
	if hasAfter {
		i = sort.Search(len(items), func(x int) bool { return bytes.Compare(items[x].k, after) > 0 })
		j = sort.Search(len(ds), func(x int) bool { return bytes.Compare(ds[x].k, after) > 0 })
	}
	for i < len(items) || j < len(ds) {
		var c int
		switch {
		case j == len(ds):
			c = -1
		case i == len(items):
			c = 1
		default:
			c = bytes.Compare(items[i].k, ds[j].k)
		}
		if c < 0 {
			if !fn(items[i].k, items[i].v) {
				return false
			}
			i++
			continue
		}
		if c == 0 {
			i++ // the delta's version wins
		}
		d := ds[j]
		j++
		if !d.del && !fn(d.k, d.v) {
			return false
		}
	}
	return true
}
