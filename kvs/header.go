package kvs

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

// header is the stored document of one store: its metadata, the list of its pages and
// its delta. It is the commit point of every change of the store.
type header struct {
	Account string
	Name    string
	ID      string
	Comment string
	Tags    []Tag

	Created  time.Time
	Modified time.Time
	ETag     string

	DataETag     string
	DataModified time.Time
	Items        int   // keys in the store (pages and delta together)
	Size         int64 // bytes of keys and values in the store
	// Seq numbers data commits; the pages a commit writes carry Seq+1 in their ids.
	Seq   uint64
	Pages []pageRef
	// Delta holds the store's latest changes, sorted by key, over the pages: a key
	// found here is read here (a tombstone hides the pages' value).
	Delta []deltaEntry
}

// pageRef locates one page. First is the page's smallest key; pages are sorted by
// First and hold disjoint key ranges. Rev is the MetaStore revision the page was
// written at (pages are never rewritten in place), which lets a delete skip a read.
type pageRef struct {
	ID    string
	First []byte
	N     int
	Size  int64
	Rev   uint64
}

func headerKey(account, id string) string { return account + "/" + id }

// headerVersion is the first byte of an encoded header.
const headerVersion = 1

var errBadHeader = errors.New("corrupt key value store header")

// encodeHeader writes h in the binary layout of the package documentation.
func encodeHeader(h *header) []byte {
	n := 128 + len(h.Account) + len(h.Name) + len(h.ID) + len(h.Comment) + len(h.ETag) + len(h.DataETag)
	for _, t := range h.Tags {
		n += len(t.Key) + len(t.Value) + 4
	}
	for _, p := range h.Pages {
		n += len(p.ID) + len(p.First) + 4*binary.MaxVarintLen32
	}
	for _, d := range h.Delta {
		n += d.weight() + 1
	}
	b := make([]byte, 0, n)
	b = append(b, headerVersion)
	b = appendString(b, h.Account)
	b = appendString(b, h.Name)
	b = appendString(b, h.ID)
	b = appendString(b, h.Comment)
	b = binary.AppendUvarint(b, uint64(len(h.Tags)))
	for _, t := range h.Tags {
		b = appendString(b, t.Key)
		b = appendString(b, t.Value)
	}
	b = appendTime(b, h.Created)
	b = appendTime(b, h.Modified)
	b = appendString(b, h.ETag)
	b = appendString(b, h.DataETag)
	b = appendTime(b, h.DataModified)
	b = binary.AppendUvarint(b, uint64(h.Items))
	b = binary.AppendUvarint(b, uint64(h.Size))
	b = binary.AppendUvarint(b, h.Seq)
	b = binary.AppendUvarint(b, uint64(len(h.Pages)))
	for _, p := range h.Pages {
		b = appendString(b, p.ID)
		b = appendBytes(b, p.First)
		b = binary.AppendUvarint(b, uint64(p.N))
		b = binary.AppendUvarint(b, uint64(p.Size))
		b = binary.AppendUvarint(b, p.Rev)
	}
	b = binary.AppendUvarint(b, uint64(len(h.Delta)))
	for _, d := range h.Delta {
		b = append(b, d.flags())
		b = appendBytes(b, d.k)
		if !d.del {
			b = appendBytes(b, d.v)
		}
	}
	return b
}

// decodeHeader reads an encoded header. Page first keys and delta keys and values are
// views into b, which the caller must not modify afterwards.
func decodeHeader(b []byte) (*header, error) {
	if len(b) == 0 || b[0] != headerVersion {
		return nil, errBadHeader
	}
	r := decoder{b: b[1:]}
	h := &header{Account: r.string(), Name: r.string(), ID: r.string(), Comment: r.string()}
	if n := r.count(2); n > 0 {
		h.Tags = make([]Tag, n)
		for i := range h.Tags {
			h.Tags[i] = Tag{Key: r.string(), Value: r.string()}
		}
	}
	h.Created, h.Modified = r.time(), r.time()
	h.ETag, h.DataETag = r.string(), r.string()
	h.DataModified = r.time()
	h.Items, h.Size, h.Seq = int(r.uvarint()), int64(r.uvarint()), r.uvarint()
	if n := r.count(5); n > 0 {
		h.Pages = make([]pageRef, n)
		for i := range h.Pages {
			h.Pages[i] = pageRef{ID: r.string(), First: r.bytes(), N: int(r.uvarint()), Size: int64(r.uvarint()), Rev: r.uvarint()}
		}
	}
	if n := r.count(2); n > 0 {
		h.Delta = make([]deltaEntry, n)
		for i := range h.Delta {
			d := deltaFromFlags(r.byte())
			d.k = r.bytes()
			if !d.del {
				d.v = r.bytes()
			}
			h.Delta[i] = d
		}
	}
	if r.bad || len(r.b) != 0 {
		return nil, errBadHeader
	}
	return h, nil
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendBytes(b, p []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(p)))
	return append(b, p...)
}

// appendTime writes t as Unix seconds and nanoseconds (any time, the zero one too).
func appendTime(b []byte, t time.Time) []byte {
	b = binary.AppendVarint(b, t.Unix())
	return binary.AppendUvarint(b, uint64(t.Nanosecond()))
}

// decoder reads the fields of an encoded header; bad is set at the first malformed
// one, after which every read returns a zero value.
type decoder struct {
	b   []byte
	bad bool
}

func (r *decoder) uvarint() uint64 {
	if r.bad {
		return 0
	}
	v, k := binary.Uvarint(r.b)
	if k <= 0 {
		r.bad = true
		return 0
	}
	r.b = r.b[k:]
	return v
}

func (r *decoder) varint() int64 {
	if r.bad {
		return 0
	}
	v, k := binary.Varint(r.b)
	if k <= 0 {
		r.bad = true
		return 0
	}
	r.b = r.b[k:]
	return v
}

// count reads a number of elements, each at least min bytes long.
func (r *decoder) count(min int) int {
	n := r.uvarint()
	if n > uint64(len(r.b)/min) {
		r.bad = true
		return 0
	}
	return int(n)
}

func (r *decoder) byte() byte {
	if r.bad || len(r.b) == 0 {
		r.bad = true
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

// bytes returns a view of the next length-prefixed field, capped so that appending
// to it cannot overwrite what follows.
func (r *decoder) bytes() []byte {
	n := r.uvarint()
	if r.bad || n > uint64(len(r.b)) {
		r.bad = true
		return nil
	}
	f := r.b[:n:n]
	r.b = r.b[n:]
	return f
}

func (r *decoder) string() string { return string(r.bytes()) }

func (r *decoder) time() time.Time {
	s, ns := r.varint(), r.uvarint()
	if ns >= 1e9 {
		r.bad = true
		return time.Time{}
	}
	return time.Unix(s, int64(ns)).UTC()
}

// loadHeader reads a store's header; the error wraps cairn.ErrNotFound when it is absent.
func (m *Manager) loadHeader(ctx context.Context, account, id string) (*header, uint64, error) {
	e, err := m.Meta.Get(ctx, StoresBucket, headerKey(account, id))
	if err != nil {
		return nil, 0, err
	}
	h, err := decodeHeader(e.Value)
	if err != nil {
		return nil, 0, fmt.Errorf("decode key value store %s: %w", e.Key, err)
	}
	return h, e.Revision, nil
}
