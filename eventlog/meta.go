package eventlog

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/cairnhq/cairn"
)

// defaultMetaTimeout bounds a List whose context has no deadline.
const defaultMetaTimeout = 30 * time.Second

// Meta returns the metadata store kept in JetStream KV buckets. A MetaStore bucket B
// is the KV bucket BucketName(B), created on first use with history 1. Revisions are
// the KV revisions (per-bucket sequence numbers).
func (l *Log) Meta() cairn.MetaStore { return l.meta }

// metaStore implements cairn.MetaStore on JetStream KV.
type metaStore struct {
	l       *Log
	mu      sync.Mutex // guards buckets and mirrors; held while a bucket is created
	buckets map[string]jetstream.KeyValue
	mirrors map[string]*mirror
}

var _ cairn.MetaStore = (*metaStore)(nil)

func newMetaStore(l *Log) *metaStore {
	return &metaStore{l: l, buckets: map[string]jetstream.KeyValue{}, mirrors: map[string]*mirror{}}
}

// BucketName maps a MetaStore bucket name to a valid KV bucket name: letters, digits
// and '-' stay, every other byte (and '_') becomes _XX (hex), so distinct names stay
// distinct.
func BucketName(bucket string) string {
	var b strings.Builder
	for i := 0; i < len(bucket); i++ {
		c := bucket[i]
		if isAlnum(c) || c == '-' {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "_%02X", c)
	}
	return b.String()
}

// encodeKey maps a MetaStore key to a KV key. Each '/'-separated segment becomes
// one subject token, so that a List prefix ending in '/' is filtered by the server
// (prefix "trails/123/" watches trails.123.>). Within a segment letters, digits, '-'
// and '_' stay, every other byte becomes =XX (hex); an empty segment becomes "=".
func encodeKey(key string) string {
	var b strings.Builder
	b.Grow(len(key) + 8)
	seg := 0 // length of the current segment
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case c == '/':
			if seg == 0 {
				b.WriteByte('=')
			}
			b.WriteByte('.')
			seg = 0
			continue
		case isAlnum(c) || c == '-' || c == '_':
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "=%02X", c)
		}
		seg++
	}
	if seg == 0 {
		b.WriteByte('=')
	}
	return b.String()
}

// decodeKey inverts encodeKey.
func decodeKey(s string) (string, error) {
	var b strings.Builder
	b.Grow(len(s))
	for i, tok := range strings.Split(s, ".") {
		if i > 0 {
			b.WriteByte('/')
		}
		if tok == "=" {
			continue
		}
		for j := 0; j < len(tok); j++ {
			c := tok[j]
			if c != '=' {
				b.WriteByte(c)
				continue
			}
			if j+2 >= len(tok) {
				return "", fmt.Errorf("bad key %q", s)
			}
			hi, ok1 := unhex(tok[j+1])
			lo, ok2 := unhex(tok[j+2])
			if !ok1 || !ok2 {
				return "", fmt.Errorf("bad key %q", s)
			}
			b.WriteByte(hi<<4 | lo)
			j += 2
		}
	}
	return b.String(), nil
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}

// bucket returns the KV bucket for name, creating it on first use.
func (s *metaStore) bucket(ctx context.Context, name string) (jetstream.KeyValue, error) {
	if name == "" {
		return nil, errors.New("meta: empty bucket name")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if kv, ok := s.buckets[name]; ok {
		return kv, nil
	}
	kvName := BucketName(name)
	kv, err := s.l.js.KeyValue(ctx, kvName)
	if errors.Is(err, jetstream.ErrBucketNotFound) {
		kv, err = s.l.js.CreateKeyValue(ctx, jetstream.KeyValueConfig{
			Bucket:      kvName,
			Description: "Cairn metadata: " + name,
			History:     1,
			Storage:     jetstream.FileStorage,
			Replicas:    s.l.cfg.Replicas,
		})
		if errors.Is(err, jetstream.ErrBucketExists) {
			kv, err = s.l.js.KeyValue(ctx, kvName)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("meta bucket %s: %w", name, err)
	}
	s.buckets[name] = kv
	m := newMirror()
	s.mirrors[name] = m
	if s.l.enter() {
		go func() {
			defer s.l.wg.Done()
			m.run(s.l.ctx, kv)
		}()
	} else {
		close(m.ready)
		m.failed = true
	}
	return kv, nil
}

// mirrorOf returns the bucket's mirror once it is loaded, or nil to read the bucket.
func (s *metaStore) mirrorOf(ctx context.Context, bucket string) *mirror {
	s.mu.Lock()
	m := s.mirrors[bucket]
	s.mu.Unlock()
	if m == nil || !m.wait(ctx) {
		return nil
	}
	return m
}

// begin registers the call with the Log and returns the bucket.
func (s *metaStore) begin(ctx context.Context, bucket string) (jetstream.KeyValue, func(), error) {
	if !s.l.enter() {
		return nil, nil, cairn.ErrClosed
	}
	kv, err := s.bucket(ctx, bucket)
	if err != nil {
		s.l.wg.Done()
		return nil, nil, err
	}
	return kv, s.l.wg.Done, nil
}

func isWrongLastSeq(err error) bool {
	var apiErr *jetstream.APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	return apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence ||
		apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequenceConstant
}

// Get implements cairn.MetaStore.
func (s *metaStore) Get(ctx context.Context, bucket, key string) (cairn.MetaEntry, error) {
	kv, done, err := s.begin(ctx, bucket)
	if err != nil {
		return cairn.MetaEntry{}, err
	}
	defer done()
	if m := s.mirrorOf(ctx, bucket); m != nil {
		if e, ok := m.get(key); ok {
			return e, nil
		}
		return cairn.MetaEntry{}, fmt.Errorf("get %s/%s: %w", bucket, key, cairn.ErrNotFound)
	}
	e, err := kv.Get(ctx, encodeKey(key))
	if err != nil {
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			return cairn.MetaEntry{}, fmt.Errorf("get %s/%s: %w", bucket, key, cairn.ErrNotFound)
		}
		return cairn.MetaEntry{}, fmt.Errorf("get %s/%s: %w", bucket, key, err)
	}
	return cairn.MetaEntry{Key: key, Value: e.Value(), Revision: e.Revision()}, nil
}

// Create implements cairn.MetaStore.
func (s *metaStore) Create(ctx context.Context, bucket, key string, value []byte) (uint64, error) {
	kv, done, err := s.begin(ctx, bucket)
	if err != nil {
		return 0, err
	}
	defer done()
	rev, err := kv.Create(ctx, encodeKey(key), value)
	if err != nil {
		if errors.Is(err, jetstream.ErrKeyExists) || isWrongLastSeq(err) {
			return 0, fmt.Errorf("create %s/%s: %w", bucket, key, cairn.ErrExists)
		}
		return 0, fmt.Errorf("create %s/%s: %w", bucket, key, err)
	}
	s.applied(bucket, key, rev, value, false)
	return rev, nil
}

// applied puts a successful write into the bucket's mirror.
func (s *metaStore) applied(bucket, key string, rev uint64, value []byte, deleted bool) {
	s.mu.Lock()
	m := s.mirrors[bucket]
	s.mu.Unlock()
	if m != nil {
		m.apply(key, rev, append([]byte(nil), value...), deleted)
	}
}

// stale refreshes a key whose compare-and-set failed.
// It reads the key once and returns that read's error (jetstream.ErrKeyNotFound
// when the key is gone), so callers tell a stale revision from a missing key
// without reading again.
func (s *metaStore) stale(ctx context.Context, kv jetstream.KeyValue, bucket, key string) error {
	e, err := kv.Get(ctx, encodeKey(key))
	s.mu.Lock()
	m := s.mirrors[bucket]
	s.mu.Unlock()
	if m != nil {
		m.refresh(key, e, err)
	}
	return err
}

// Update implements cairn.MetaStore.
func (s *metaStore) Update(ctx context.Context, bucket, key string, value []byte, rev uint64) (uint64, error) {
	kv, done, err := s.begin(ctx, bucket)
	if err != nil {
		return 0, err
	}
	defer done()
	k := encodeKey(key)
	if rev != 0 { // revision 0 would mean "must not exist" to JetStream
		n, err := kv.Update(ctx, k, value, rev)
		if err == nil {
			s.applied(bucket, key, n, value, false)
			return n, nil
		}
		if !isWrongLastSeq(err) {
			return 0, fmt.Errorf("update %s/%s: %w", bucket, key, err)
		}
	}
	// Tell a missing key from a stale revision.
	if err := s.stale(ctx, kv, bucket, key); err != nil {
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			return 0, fmt.Errorf("update %s/%s: %w", bucket, key, cairn.ErrNotFound)
		}
		return 0, fmt.Errorf("update %s/%s: %w", bucket, key, err)
	}
	return 0, fmt.Errorf("update %s/%s: %w", bucket, key, cairn.ErrRevisionMismatch)
}

// Delete implements cairn.MetaStore. JetStream deletes unconditionally, so the key
// is read first to report ErrNotFound; with rev 0 the delete is still conditional on
// the revision read, and retried if the key changed in between.
func (s *metaStore) Delete(ctx context.Context, bucket, key string, rev uint64) error {
	kv, done, err := s.begin(ctx, bucket)
	if err != nil {
		return err
	}
	defer done()
	k := encodeKey(key)
	for {
		want := rev
		if want == 0 {
			e, err := kv.Get(ctx, k)
			if err != nil {
				if errors.Is(err, jetstream.ErrKeyNotFound) {
					return fmt.Errorf("delete %s/%s: %w", bucket, key, cairn.ErrNotFound)
				}
				return fmt.Errorf("delete %s/%s: %w", bucket, key, err)
			}
			want = e.Revision()
		}
		err := kv.Delete(ctx, k, jetstream.LastRevision(want))
		if err == nil {
			s.applied(bucket, key, want, nil, true)
			return nil
		}
		if !isWrongLastSeq(err) {
			return fmt.Errorf("delete %s/%s: %w", bucket, key, err)
		}
		if rev == 0 {
			continue // changed since we read it: delete whatever is there now
		}
		if err := s.stale(ctx, kv, bucket, key); errors.Is(err, jetstream.ErrKeyNotFound) {
			return fmt.Errorf("delete %s/%s: %w", bucket, key, cairn.ErrNotFound)
		}
		return fmt.Errorf("delete %s/%s: %w", bucket, key, cairn.ErrRevisionMismatch)
	}
}

// List implements cairn.MetaStore. It watches the last value of every key under the
// longest '/'-bounded part of prefix (filtered by the server) and keeps the keys
// that start with prefix.
func (s *metaStore) List(ctx context.Context, bucket, prefix string) ([]cairn.MetaEntry, error) {
	return s.list(ctx, bucket, prefix, true)
}

// ListRevisions implements cairn.MetaStore.
func (s *metaStore) ListRevisions(ctx context.Context, bucket, prefix string) ([]cairn.MetaEntry, error) {
	return s.list(ctx, bucket, prefix, false)
}

func (s *metaStore) list(ctx context.Context, bucket, prefix string, values bool) ([]cairn.MetaEntry, error) {
	kv, done, err := s.begin(ctx, bucket)
	if err != nil {
		return nil, err
	}
	defer done()
	if m := s.mirrorOf(ctx, bucket); m != nil {
		return m.list(prefix, values), nil
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, defaultMetaTimeout)
		defer cancel()
	}
	filter := jetstream.AllKeys
	if i := strings.LastIndexByte(prefix, '/'); i >= 0 {
		filter = encodeKey(prefix[:i]) + ".>"
	}
	w, err := kv.Watch(ctx, filter, jetstream.IgnoreDeletes())
	if err != nil {
		return nil, fmt.Errorf("list %s/%s: %w", bucket, prefix, err)
	}
	defer w.Stop()
	var out []cairn.MetaEntry
	for {
		var e jetstream.KeyValueEntry
		select {
		case u, ok := <-w.Updates():
			if !ok {
				return nil, fmt.Errorf("list %s/%s: watcher closed", bucket, prefix)
			}
			e = u
		case <-ctx.Done():
			return nil, fmt.Errorf("list %s/%s: %w", bucket, prefix, ctx.Err())
		}
		if e == nil {
			break // initial values delivered
		}
		key, err := decodeKey(e.Key())
		if err != nil {
			return nil, fmt.Errorf("list %s/%s: %w", bucket, prefix, err)
		}
		if strings.HasPrefix(key, prefix) {
			ce := cairn.MetaEntry{Key: key, Revision: e.Revision()}
			if values {
				ce.Value = e.Value()
			}
			out = append(out, ce)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}
