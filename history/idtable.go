package history

import (
	"encoding/hex"
	"hash/maphash"
)

// idTable finds entries by EventId: an open-addressing hash table (linear probing) of
// logical indexes plus one, keyed by the EventId stored in the entry itself, so it
// costs a few bytes per event. Equal EventIds may repeat; the table is a multiset.
type idTable struct {
	slots []uint32 // logical index + 1; 0 is empty
	n     int
}

const minIDSlots = 16

func (s *store) hashEntry(i uint32) uint64 {
	e := s.ent(i)
	if e.flags&flagUUID != 0 {
		return maphash.Bytes(s.seed, e.id[:])
	}
	return maphash.String(s.seed, s.oddIDs[i])
}

func (t *idTable) insert(s *store, i uint32) {
	if (t.n+1)*4 > len(t.slots)*3 {
		t.grow(s)
	}
	t.place(s.hashEntry(i), i)
	t.n++
}

func (t *idTable) place(h uint64, i uint32) {
	mask := uint64(len(t.slots) - 1)
	p := h & mask
	for t.slots[p] != 0 {
		p = (p + 1) & mask
	}
	t.slots[p] = i + 1
}

func (t *idTable) grow(s *store) {
	old := t.slots
	t.slots = make([]uint32, max(minIDSlots, 2*len(old)))
	for _, v := range old {
		if v != 0 {
			t.place(s.hashEntry(v-1), v-1)
		}
	}
}

// remove deletes logical index i, keeping every probe sequence intact by shifting
// later entries back (no tombstones).
func (t *idTable) remove(s *store, i uint32) {
	if len(t.slots) == 0 {
		return
	}
	mask := uint64(len(t.slots) - 1)
	p := s.hashEntry(i) & mask
	for t.slots[p] != i+1 {
		if t.slots[p] == 0 {
			return // not present
		}
		p = (p + 1) & mask
	}
	for j := p; ; {
		j = (j + 1) & mask
		v := t.slots[j]
		if v == 0 {
			break
		}
		home := s.hashEntry(v-1) & mask
		// v stays if its home lies cyclically in (p, j].
		if p <= j {
			if p < home && home <= j {
				continue
			}
		} else if p < home || home <= j {
			continue
		}
		t.slots[p] = v
		p = j
	}
	t.slots[p] = 0
	t.n--
}

// find appends to dst the logical indexes of the entries whose EventId is id.
func (t *idTable) find(s *store, id string, dst []uint32) []uint32 {
	if len(t.slots) == 0 || id == "" {
		return dst
	}
	u, isUUID := parseUUID(id)
	var h uint64
	if isUUID {
		h = maphash.Bytes(s.seed, u[:])
	} else {
		h = maphash.String(s.seed, id)
	}
	mask := uint64(len(t.slots) - 1)
	for p := h & mask; t.slots[p] != 0; p = (p + 1) & mask {
		i := t.slots[p] - 1
		e := s.ent(i)
		if isUUID {
			if e.flags&flagUUID != 0 && e.id == u {
				dst = append(dst, i)
			}
		} else if e.flags&flagUUID == 0 && s.oddIDs[i] == id {
			dst = append(dst, i)
		}
	}
	return dst
}

// parseUUID decodes a canonical UUID: 36 characters, lowercase hex, dashes at 8, 13,
// 18 and 23. Only that form is stored as bytes, so formatUUID gives back the exact
// string; any other EventId is kept as a string.
func parseUUID(s string) (u [16]byte, ok bool) {
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return u, false
	}
	j := 0
	for i := 0; i < 36; {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			i++
			continue
		}
		hi, ok1 := lowerHex(s[i])
		lo, ok2 := lowerHex(s[i+1])
		if !ok1 || !ok2 {
			return u, false
		}
		u[j] = hi<<4 | lo
		j++
		i += 2
	}
	return u, true
}

func lowerHex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}

func formatUUID(u [16]byte) string {
	return string(appendUUID(make([]byte, 0, 36), u))
}

func appendUUID(dst []byte, u [16]byte) []byte {
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:], u[10:])
	return append(dst, b[:]...)
}
