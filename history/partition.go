package history

import (
	"hash/maphash"
	"math"
	"sort"
	"sync"

	"github.com/cairnhq/cairn"
)

// Layout of a partition (one account, region and category):
//
//   - Entries are stored once, in arrival (log) order, in chunks of chunkSize. An entry
//     is addressed by its logical index: its arrival number within the partition. Expired
//     chunks are dropped from the front, so logical indexes of live entries never move.
//   - main lists every live entry's logical index sorted by (time, seq) ascending; it
//     answers queries without a lookup attribute.
//   - For each lookup attribute except EventId, every distinct value gets a small integer
//     id (strings are interned once) and a posting list of logical indexes, sorted like
//     main, so a query with an attribute never scans events that do not match it.
//   - EventId values are unique, so they are not interned: a canonical UUID is stored in
//     the entry as 16 bytes (other ids in a side map), and an open-addressing hash table
//     of logical indexes finds an event by id.
//
// Every sorted list is binary searched on time for StartTime/EndTime and on the NextToken
// cursor, so the cost of a page does not depend on how deep it is. Lists are sorted by
// (time, seq), which is log order in the usual case: appending is O(1), and an event
// that arrives out of time order is inserted at its place.

const (
	chunkBits = 12
	chunkSize = 1 << chunkBits
)

// maxLogical bounds logical indexes; on reaching it a partition renumbers its live
// entries from zero. A variable so that a test can exercise renumbering.
var maxLogical uint32 = math.MaxUint32 - 1

// Attributes that have interned values and posting lists. The first numScalar are
// single-valued and stored in entry.vals; the resource attributes are per resource.
const (
	attrEventName = iota
	attrEventSource
	attrUsername
	attrAccessKeyID
	attrReadOnly
	attrResourceType
	attrResourceName
	numAttrs
	numScalar = attrResourceType
)

// entry is the compact form of one indexed event (64 bytes).
type entry struct {
	t      int64 // event time, unix nanoseconds
	seq    uint64
	id     [16]byte          // EventId as a UUID, when flagUUID is set
	vals   [numScalar]uint32 // interned value ids; 0 is ""
	resOff uint32            // first resource in the chunk's res
	resN   uint16
	flags  uint8
}

const flagUUID = 1

type resRef struct{ typ, name uint32 }

type chunk struct {
	ents []entry
	res  []resRef
	maxT int64
}

// plist is a sorted list of logical indexes; s[head:] is live. Expired indexes are
// dropped from the front by moving head, and the array is compacted in place once half
// of it is dead, so pruning costs O(1) amortized per dropped index.
type plist struct {
	s    []uint32
	head int
}

func (l *plist) live() []uint32 { return l.s[l.head:] }

// trim drops the first k live indexes.
func (l *plist) trim(k int) {
	if k == 0 {
		return
	}
	l.head += k
	n := len(l.s) - l.head
	switch {
	case n == 0:
		l.s, l.head = l.s[:0], 0
		if cap(l.s) > 64 {
			l.s = nil
		}
	case l.head >= n:
		if cap(l.s) > 4*n+64 { // mostly dead: give memory back
			s := make([]uint32, n, n+n/4)
			copy(s, l.s[l.head:])
			l.s = s
		} else {
			copy(l.s, l.s[l.head:])
			l.s = l.s[:n]
		}
		l.head = 0
	}
}

// attrIndex interns the values of one attribute and holds their posting lists.
type attrIndex struct {
	ids   map[string]uint32
	vals  []string // vals[id]; vals[0] is ""
	lists []plist  // lists[id]
	free  []uint32 // ids released by prune, for reuse
}

func (a *attrIndex) intern(s string) uint32 {
	if s == "" {
		return 0
	}
	if id, ok := a.ids[s]; ok {
		return id
	}
	if a.ids == nil {
		a.ids = map[string]uint32{}
		a.vals = []string{""}
		a.lists = []plist{{}}
	}
	var id uint32
	if n := len(a.free); n > 0 {
		id = a.free[n-1]
		a.free = a.free[:n-1]
		a.vals[id] = s
	} else {
		id = uint32(len(a.vals))
		a.vals = append(a.vals, s)
		a.lists = append(a.lists, plist{})
	}
	a.ids[s] = id
	return id
}

func (a *attrIndex) val(id uint32) string {
	if id == 0 {
		return ""
	}
	return a.vals[id]
}

func (a *attrIndex) release(id uint32) {
	delete(a.ids, a.vals[id])
	a.vals[id] = ""
	a.lists[id] = plist{}
	a.free = append(a.free, id)
}

// list returns the posting list of value s, or nil.
func (a *attrIndex) list(s string) []uint32 {
	id, ok := a.ids[s]
	if !ok {
		return nil
	}
	return a.lists[id].live()
}

type partition struct {
	mu   sync.RWMutex
	dead bool // removed from the Index by Prune; Add must look it up again
	store
}

// store is the data of a partition, apart from its lock.
type store struct {
	seed   maphash.Seed
	chunks []*chunk
	base   uint32 // logical index of chunks[0].ents[0]
	next   uint32 // logical index of the next entry
	cut    int64  // cutoff of the last prune: no live entry is older
	main   plist
	attrs  [numAttrs]attrIndex
	ids    idTable
	oddIDs map[uint32]string // EventIds that are not canonical UUIDs
}

func newPartition(seed maphash.Seed) *partition {
	return &partition{store: newStore(seed)}
}

func newStore(seed maphash.Seed) store {
	return store{seed: seed, cut: math.MinInt64, oddIDs: map[uint32]string{}}
}

func (s *store) ent(i uint32) *entry {
	off := i - s.base
	return &s.chunks[off>>chunkBits].ents[off&(chunkSize-1)]
}

// less reports whether the entry at logical index i sorts before (t, seq).
func (s *store) less(i uint32, t int64, seq uint64) bool {
	e := s.ent(i)
	return e.t < t || e.t == t && e.seq < seq
}

// insert adds logical index i, whose key is (t, seq), to the sorted list l.
func (s *store) insert(l *plist, i uint32, t int64, seq uint64) {
	live := l.live()
	n := len(live)
	if n == 0 || s.less(live[n-1], t, seq) {
		l.s = append(l.s, i)
		return
	}
	j := sort.Search(n, func(j int) bool { return !s.less(live[j], t, seq) })
	l.s = append(l.s, 0)
	live = l.live()
	copy(live[j+1:], live[j:])
	live[j] = i
}

// add indexes one event. It is a no-op for an event already indexed (same time and
// sequence) and for one older than the last prune's cutoff.
func (s *store) add(seq uint64, t int64, f *cairn.LookupFields) {
	if t < s.cut {
		return
	}
	if live := s.main.live(); len(live) > 0 && !s.less(live[len(live)-1], t, seq) {
		j := sort.Search(len(live), func(j int) bool { return !s.less(live[j], t, seq) })
		if e := s.ent(live[j]); e.t == t && e.seq == seq {
			return // replayed
		}
	}
	if s.next >= maxLogical {
		if len(s.main.live()) >= int(maxLogical/2) {
			return // two billion live events in one partition: beyond any RAM
		}
		s.renumber()
	}
	i := s.next

	var c *chunk
	if n := len(s.chunks); n > 0 && len(s.chunks[n-1].ents) < chunkSize {
		c = s.chunks[n-1]
	} else {
		c = &chunk{maxT: math.MinInt64}
		if n > 0 { // a busy partition: skip the small growth steps
			c.ents = make([]entry, 0, chunkSize)
		}
		if n == 0 {
			s.base = i
		}
		s.chunks = append(s.chunks, c)
	}

	e := entry{t: t, seq: seq, resOff: uint32(len(c.res))}
	if u, ok := parseUUID(f.EventID); ok {
		e.id, e.flags = u, flagUUID
	} else if f.EventID != "" {
		s.oddIDs[i] = f.EventID
	}
	e.vals[attrEventName] = s.attrs[attrEventName].intern(f.EventName)
	e.vals[attrEventSource] = s.attrs[attrEventSource].intern(f.EventSource)
	e.vals[attrUsername] = s.attrs[attrUsername].intern(f.Username)
	e.vals[attrAccessKeyID] = s.attrs[attrAccessKeyID].intern(f.AccessKeyID)
	e.vals[attrReadOnly] = s.attrs[attrReadOnly].intern(f.ReadOnly)
	res := f.Resources
	if len(res) > math.MaxUint16 {
		res = res[:math.MaxUint16]
	}
	for _, r := range res {
		c.res = append(c.res, resRef{
			typ:  s.attrs[attrResourceType].intern(r.Type),
			name: s.attrs[attrResourceName].intern(r.Name),
		})
	}
	e.resN = uint16(len(res))
	c.ents = append(c.ents, e)
	c.maxT = max(c.maxT, t)
	s.next++

	s.insert(&s.main, i, t, seq)
	for a, id := range e.vals {
		if id != 0 {
			s.insert(&s.attrs[a].lists[id], i, t, seq)
		}
	}
	refs := c.res[e.resOff:]
	for k, r := range refs {
		if r.typ != 0 && !hasType(refs[:k], r.typ) {
			s.insert(&s.attrs[attrResourceType].lists[r.typ], i, t, seq)
		}
		if r.name != 0 && !hasName(refs[:k], r.name) {
			s.insert(&s.attrs[attrResourceName].lists[r.name], i, t, seq)
		}
	}
	if e.flags&flagUUID != 0 || f.EventID != "" {
		s.ids.insert(s, i)
	}
}

func hasType(rs []resRef, id uint32) bool {
	for _, r := range rs {
		if r.typ == id {
			return true
		}
	}
	return false
}

func hasName(rs []resRef, id uint32) bool {
	for _, r := range rs {
		if r.name == id {
			return true
		}
	}
	return false
}

// searchTime returns the number of leading entries of l older than t.
func (s *store) searchTime(l []uint32, t int64) int {
	return sort.Search(len(l), func(j int) bool { return s.ent(l[j]).t >= t })
}

// prune drops every entry older than cut.
func (s *store) prune(cut int64) {
	if cut <= s.cut {
		return
	}
	s.cut = cut
	live := s.main.live()
	k := s.searchTime(live, cut)
	for _, i := range live[:k] {
		if s.ent(i).flags&flagUUID != 0 {
			s.ids.remove(s, i)
		} else if _, ok := s.oddIDs[i]; ok {
			s.ids.remove(s, i)
			delete(s.oddIDs, i)
		}
	}
	s.main.trim(k)
	for a := range s.attrs {
		ai := &s.attrs[a]
		for id := 1; id < len(ai.lists); id++ {
			l := &ai.lists[id]
			live := l.live()
			if len(live) == 0 || s.ent(live[0]).t >= cut {
				continue
			}
			l.trim(s.searchTime(live, cut))
			if len(l.live()) == 0 {
				ai.release(uint32(id))
			}
		}
	}
	// Drop leading chunks whose entries have all expired. Only a full chunk can be
	// followed by another, so base stays chunk-aligned; when every chunk goes, the
	// next entry starts a fresh one.
	n := 0
	for n < len(s.chunks) && s.chunks[n].maxT < cut {
		n++
	}
	if n == len(s.chunks) {
		s.chunks, s.base = nil, s.next
		return
	}
	if n > 0 {
		s.chunks = append(s.chunks[:0:0], s.chunks[n:]...)
		s.base += uint32(n) * chunkSize
	}
}

// renumber rebuilds the store with logical indexes from zero; it runs once every
// four billion additions to a partition.
func (s *store) renumber() {
	ns := newStore(s.seed)
	ns.cut = s.cut
	for _, i := range s.main.live() {
		e := s.ent(i)
		f := s.fields(e, i, nil)
		ns.add(e.seq, e.t, &f)
	}
	*s = ns
}

// fields rebuilds the lookup fields of the entry at logical index i. When buf is
// given, resources are appended to it, so that a page shares one backing array, and a
// UUID EventId is left for the caller to fill in.
func (s *store) fields(e *entry, i uint32, buf *[]cairn.LookupResource) cairn.LookupFields {
	f := cairn.LookupFields{
		EventName:   s.attrs[attrEventName].val(e.vals[attrEventName]),
		EventSource: s.attrs[attrEventSource].val(e.vals[attrEventSource]),
		Username:    s.attrs[attrUsername].val(e.vals[attrUsername]),
		AccessKeyID: s.attrs[attrAccessKeyID].val(e.vals[attrAccessKeyID]),
		ReadOnly:    s.attrs[attrReadOnly].val(e.vals[attrReadOnly]),
	}
	if e.flags&flagUUID == 0 {
		f.EventID = s.oddIDs[i]
	} else if buf == nil { // a page formats all its ids at once
		f.EventID = formatUUID(e.id)
	}
	if e.resN > 0 {
		c := s.chunks[(i-s.base)>>chunkBits]
		var rs []cairn.LookupResource
		if buf != nil {
			start := len(*buf)
			for _, r := range c.res[e.resOff : e.resOff+uint32(e.resN)] {
				*buf = append(*buf, s.resource(r))
			}
			rs = (*buf)[start:len(*buf):len(*buf)]
		} else {
			rs = make([]cairn.LookupResource, 0, e.resN)
			for _, r := range c.res[e.resOff : e.resOff+uint32(e.resN)] {
				rs = append(rs, s.resource(r))
			}
		}
		f.Resources = rs
	}
	return f
}

func (s *store) resource(r resRef) cairn.LookupResource {
	return cairn.LookupResource{
		Type: s.attrs[attrResourceType].val(r.typ),
		Name: s.attrs[attrResourceName].val(r.name),
	}
}
