package kvs

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Item is one key and its value.
type Item struct {
	Key   string
	Value string
}

// entry is an item inside the store's code: key and value as byte slices, usually
// views into a page buffer, so that reading a page allocates one slice, not two
// strings per item.
type entry struct{ k, v []byte }

func (e entry) size() int64 { return int64(len(e.k) + len(e.v)) }
func (e entry) weight() int { return len(e.k) + len(e.v) + 8 }

const pageVersion = 1

// encodePage writes entries (sorted by key) as: version byte, uvarint count, then per
// entry uvarint key length, key, uvarint value length, value.
func encodePage(es []entry) []byte {
	n := 1 + binary.MaxVarintLen64
	for _, e := range es {
		n += e.weight() + 2*binary.MaxVarintLen32
	}
	b := make([]byte, 0, n)
	b = append(b, pageVersion)
	b = binary.AppendUvarint(b, uint64(len(es)))
	for _, e := range es {
		b = binary.AppendUvarint(b, uint64(len(e.k)))
		b = append(b, e.k...)
		b = binary.AppendUvarint(b, uint64(len(e.v)))
		b = append(b, e.v...)
	}
	return b
}

// pageReader walks the entries of an encoded page without copying them.
type pageReader struct {
	b []byte
	n uint64 // entries left
}

func newPageReader(b []byte) (pageReader, error) {
	if len(b) == 0 || b[0] != pageVersion {
		return pageReader{}, errBadPage
	}
	b = b[1:]
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)) {
		return pageReader{}, errBadPage
	}
	return pageReader{b: b[k:], n: n}, nil
}

func (r *pageReader) field() ([]byte, bool) {
	l, k := binary.Uvarint(r.b)
	if k <= 0 || l > uint64(len(r.b)-k) {
		return nil, false
	}
	f := r.b[k : k+int(l) : k+int(l)]
	r.b = r.b[k+int(l):]
	return f, true
}

// next returns the next entry; ok is false at the end, err set if the page is corrupt.
func (r *pageReader) next() (e entry, ok bool, err error) {
	if r.n == 0 {
		if len(r.b) != 0 {
			return entry{}, false, errBadPage
		}
		return entry{}, false, nil
	}
	r.n--
	k, ok1 := r.field()
	v, ok2 := r.field()
	if !ok1 || !ok2 {
		return entry{}, false, errBadPage
	}
	return entry{k: k, v: v}, true, nil
}

// page is a parsed page: its encoding and where each entry starts, which lets a
// lookup binary-search it. A page is immutable; entries are views into b.
type page struct {
	b    []byte
	offs []uint32
}

// parsePage checks page b and indexes its entries.
func parsePage(b []byte) (*page, error) {
	r, err := newPageReader(b)
	if err != nil {
		return nil, err
	}
	p := &page{b: b, offs: make([]uint32, 0, r.n)}
	for {
		start := len(b) - len(r.b)
		_, ok, err := r.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			return p, nil
		}
		p.offs = append(p.offs, uint32(start))
	}
}

func (p *page) len() int { return len(p.offs) }

// at returns entry i.
func (p *page) at(i int) entry {
	r := pageReader{b: p.b[p.offs[i]:], n: 1}
	e, _, _ := r.next() // checked by parsePage
	return e
}

// find returns the value of key, if the page holds it.
func (p *page) find(key string) ([]byte, bool) {
	i := sort.Search(p.len(), func(i int) bool { return string(p.at(i).k) >= key })
	if i < p.len() {
		if e := p.at(i); string(e.k) == key {
			return e.v, true
		}
	}
	return nil, false
}

// entries returns views of the page's entries.
func (p *page) entries() []entry {
	es := make([]entry, p.len())
	for i := range es {
		es[i] = p.at(i)
	}
	return es
}

// memory is what the page costs a cache.
func (p *page) memory() int { return len(p.b) + 4*len(p.offs) + 64 }

// decodeEntries returns views of the entries of page b.
func decodeEntries(b []byte) ([]entry, error) {
	p, err := parsePage(b)
	if err != nil {
		return nil, err
	}
	return p.entries(), nil
}

// findInPage returns the value of key in page b.
func findInPage(b []byte, key string) (value string, found bool, err error) {
	p, err := parsePage(b)
	if err != nil {
		return "", false, err
	}
	v, found := p.find(key)
	return string(v), found, nil
}

var errBadPage = errors.New("corrupt key value store page")

// decodePage returns the items of page b as strings.
func decodePage(b []byte) ([]Item, error) {
	es, err := decodeEntries(b)
	if err != nil {
		return nil, err
	}
	items := make([]Item, len(es))
	for i, e := range es {
		items[i] = Item{Key: string(e.k), Value: string(e.v)}
	}
	return items, nil
}

// pageKey is the MetaStore key of a page. Ids are "<seq>-<rand>-<n>" with seq the
// data commit that wrote the page, in fixed-width hex.
func pageKey(account, storeID, pageID string) string {
	return account + "/" + storeID + "/" + pageID
}

func newPageID(seq uint64, nonce string, n int) string {
	return fmt.Sprintf("%016x-%s-%d", seq, nonce, n)
}

// pageSeq returns the commit sequence number in a page id.
func pageSeq(pageID string) (uint64, bool) {
	s, _, ok := strings.Cut(pageID, "-")
	if !ok {
		return 0, false
	}
	v, err := strconv.ParseUint(s, 16, 64)
	return v, err == nil
}

// route returns the index of the page whose range holds key: the last page whose
// first key is ≤ key, or 0. pages must not be empty.
func route(pages []pageRef, key []byte) int {
	i := sort.Search(len(pages), func(i int) bool { return bytes.Compare(pages[i].First, key) > 0 })
	if i == 0 {
		return 0
	}
	return i - 1
}

// chunk splits sorted entries into pages of at most about target bytes each, of even
// sizes. No entries, no pages.
func chunk(items []entry, target int) [][]entry {
	total := 0
	for _, it := range items {
		total += it.weight()
	}
	if total == 0 {
		return nil
	}
	n := (total + target - 1) / target
	per := (total + n - 1) / n
	out := make([][]entry, 0, n)
	start, acc := 0, 0
	for i, it := range items {
		acc += it.weight()
		if acc >= per && len(out) < n-1 {
			out = append(out, items[start:i+1])
			start, acc = i+1, 0
		}
	}
	if start < len(items) {
		out = append(out, items[start:])
	}
	return out
}

func sumSize(items []entry) int64 {
	var s int64
	for _, it := range items {
		s += it.size()
	}
	return s
}

func pageWeight(items []entry) int {
	w := 0
	for _, it := range items {
		w += it.weight()
	}
	return w
}
