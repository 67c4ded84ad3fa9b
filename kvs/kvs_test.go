package kvs

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cairnhq/cairn"
	"github.com/cairnhq/cairn/internal/memstore"
)

const acct = "111122223333"

// stepClock is a settable clock.
type stepClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *stepClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *stepClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newManager(t testing.TB) (*Manager, *memstore.Store, *stepClock) {
	t.Helper()
	ms := memstore.New()
	clk := &stepClock{t: time.Date(2024, 2, 2, 19, 26, 1, 0, time.UTC)}
	return &Manager{Meta: ms, Clock: clk}, ms, clk
}

func wantKind(t *testing.T, err error, k Kind) {
	t.Helper()
	if KindOf(err) != k {
		t.Fatalf("error %v: kind %d, want %d", err, KindOf(err), k)
	}
}

func TestPageCodec(t *testing.T) {
	for _, items := range [][]Item{
		{},
		{{Key: "a", Value: ""}},
		{{Key: "a", Value: "1"}, {Key: "b\x00\xff", Value: strings.Repeat("v", 1024)}, {Key: "ü", Value: "\n"}},
	} {
		got, err := decodePage(encodePage(entriesOf(items)))
		if err != nil || !slices.Equal(got, items) {
			t.Fatalf("round trip %q: %q, %v", items, got, err)
		}
	}
	for _, bad := range [][]byte{nil, {9}, {1, 5}, {1, 1, 3, 'a'}, append(encodePage(entriesOf([]Item{{Key: "k"}})), 0)} {
		if _, err := decodePage(bad); err == nil {
			t.Fatalf("decodePage(%q) accepted", bad)
		}
	}
}

func TestChunk(t *testing.T) {
	var items []entry
	for i := range 100 {
		items = append(items, entry{k: fmt.Appendf(nil, "k%03d", i), v: bytes.Repeat([]byte("x"), 50)})
	}
	for _, target := range []int{100, 500, 1000, 100000} {
		cs := chunk(items, target)
		var all []entry
		for _, c := range cs {
			if len(c) == 0 {
				t.Fatalf("target %d: empty chunk", target)
			}
			if w := pageWeight(c); w > target+items[0].weight() {
				t.Fatalf("target %d: chunk of %d bytes", target, w)
			}
			all = append(all, c...)
		}
		if len(all) != len(items) {
			t.Fatalf("target %d: chunks lose items", target)
		}
		for i := range all {
			if !bytes.Equal(all[i].k, items[i].k) {
				t.Fatalf("target %d: item %d is %s", target, i, all[i].k)
			}
		}
	}
	if chunk(nil, 100) != nil {
		t.Fatal("chunk(nil) not empty")
	}
}

func TestParseARN(t *testing.T) {
	for _, tc := range []struct {
		in       string
		acct, id string
		ok       bool
	}{
		{"arn:aws:cloudfront::111122223333:key-value-store/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111", "", "", false}, // not hex
		{"arn:aws:cloudfront::111122223333:key-value-store/a1b2c3d4-5678-90ab-cdef-0123456789ab", acct, "a1b2c3d4-5678-90ab-cdef-0123456789ab", true},
		{"arn:aws:cloudfront::11112222333:key-value-store/a1b2c3d4-5678-90ab-cdef-0123456789ab", "", "", false},
		{"arn:aws:cloudfront::111122223333:distribution/EDFDVBD6EXAMPLE", "", "", false},
		{"a1b2c3d4-5678-90ab-cdef-0123456789ab", "", "", false},
	} {
		a, id, ok := ParseARN(tc.in)
		if a != tc.acct || id != tc.id || ok != tc.ok {
			t.Errorf("ParseARN(%q) = %q, %q, %v", tc.in, a, id, ok)
		}
	}
	if e := newDataETag(""); len(e) != 15 || !strings.HasPrefix(e, "KV") || strings.ToUpper(e) != e {
		t.Errorf("data ETag %q", e)
	}
	if e := newControlETag(""); len(e) != 14 || e[0] != 'E' {
		t.Errorf("control ETag %q", e)
	}
}

func TestControlPlane(t *testing.T) {
	ctx := context.Background()
	m, _, clk := newManager(t)
	m.Limits.MaxStoresPerAccount = 3

	a, err := m.Create(ctx, acct, CreateParams{Name: "alpha", Comment: "first"})
	if err != nil {
		t.Fatal(err)
	}
	if !IsID(a.ID) || a.ARN != ARN(acct, a.ID) || a.Status != StatusReady || a.ETag == "" || a.DataETag == "" || a.ItemCount != 0 {
		t.Fatalf("created %+v", a)
	}
	for _, tc := range []struct {
		name string
		p    CreateParams
		kind Kind
	}{
		{"duplicate name", CreateParams{Name: "alpha"}, KindNameExists},
		{"empty name", CreateParams{Name: ""}, KindInvalid},
		{"bad character", CreateParams{Name: "a.b"}, KindInvalid},
		{"name too long", CreateParams{Name: strings.Repeat("n", 65)}, KindInvalid},
		{"comment too long", CreateParams{Name: "c", Comment: strings.Repeat("c", 129)}, KindInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := m.Create(ctx, acct, tc.p)
			wantKind(t, err, tc.kind)
		})
	}
	// Names are per account.
	if _, err := m.Create(ctx, "444455556666", CreateParams{Name: "alpha"}); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"beta", "gamma"} {
		if _, err := m.Create(ctx, acct, CreateParams{Name: n}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = m.Create(ctx, acct, CreateParams{Name: "delta"})
	wantKind(t, err, KindStoreLimit)

	// Update: If-Match rules, ETag rotation.
	_, err = m.UpdateComment(ctx, acct, "alpha", "", "x")
	wantKind(t, err, KindIfMatchMissing)
	_, err = m.UpdateComment(ctx, acct, "alpha", "ESTALE", "x")
	wantKind(t, err, KindETagMismatch)
	_, err = m.UpdateComment(ctx, acct, "nope", a.ETag, "x")
	wantKind(t, err, KindStoreNotFound)
	clk.Add(time.Minute)
	u, err := m.UpdateComment(ctx, acct, "alpha", a.ETag, "second")
	if err != nil {
		t.Fatal(err)
	}
	if u.ETag == a.ETag || u.Comment != "second" || !u.LastModified.After(a.LastModified) || u.DataETag != a.DataETag {
		t.Fatalf("updated %+v (was %+v)", u, a)
	}
	_, err = m.UpdateComment(ctx, acct, "alpha", a.ETag, "third")
	wantKind(t, err, KindETagMismatch)

	// List: by name, paginated, per account.
	var names []string
	marker := ""
	for {
		page, next, err := m.List(ctx, acct, ListParams{Marker: marker, MaxItems: 2})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range page {
			names = append(names, s.Name)
		}
		if next == "" {
			break
		}
		marker = next
	}
	if !slices.Equal(names, []string{"alpha", "beta", "gamma"}) {
		t.Fatalf("listed %v", names)
	}

	// Delete: If-Match rules; frees the name and the quota; drops the keys.
	d, _ := m.Describe(ctx, acct, "beta")
	if _, err := m.Put(ctx, acct, d.ID, d.DataETag, "k", "v"); err != nil {
		t.Fatal(err)
	}
	_, err = m.Delete(ctx, acct, "beta", "")
	wantKind(t, err, KindIfMatchMissing)
	_, err = m.Delete(ctx, acct, "beta", "ESTALE")
	wantKind(t, err, KindETagMismatch)
	if _, err := m.Delete(ctx, acct, "beta", d.ETag); err != nil {
		t.Fatal(err)
	}
	_, err = m.Describe(ctx, acct, "beta")
	wantKind(t, err, KindStoreNotFound)
	_, err = m.DescribeData(ctx, acct, d.ID)
	wantKind(t, err, KindStoreNotFound)
	if pages, _ := m.Meta.List(ctx, PagesBucket, acct+"/"+d.ID+"/"); len(pages) != 0 {
		t.Fatalf("%d pages left after delete", len(pages))
	}
	if _, err := m.Create(ctx, acct, CreateParams{Name: "beta"}); err != nil {
		t.Fatalf("re-create after delete: %v", err)
	}
}

func TestStaleIndexEntryIsPruned(t *testing.T) {
	ctx := context.Background()
	m, ms, clk := newManager(t)
	m.Limits.MaxStoresPerAccount = 1
	a, err := m.Create(ctx, acct, CreateParams{Name: "a"})
	if err != nil {
		t.Fatal(err)
	}
	// A crash between the index entry and the header: the header is gone.
	if err := ms.Delete(ctx, StoresBucket, headerKey(acct, a.ID), 0); err != nil {
		t.Fatal(err)
	}
	_, err = m.Create(ctx, acct, CreateParams{Name: "a"})
	wantKind(t, err, KindNameExists) // could be a create in flight
	clk.Add(2 * indexGrace)
	if _, err := m.Create(ctx, acct, CreateParams{Name: "a"}); err != nil {
		t.Fatalf("after the grace period: %v", err)
	}
}

func TestProvisioningDelay(t *testing.T) {
	ctx := context.Background()
	m, _, clk := newManager(t)
	m.ProvisioningDelay = 30 * time.Second
	s, err := m.Create(ctx, acct, CreateParams{Name: "p"})
	if err != nil {
		t.Fatal(err)
	}
	if s.Status != StatusProvisioning {
		t.Fatalf("status %s", s.Status)
	}
	_, err = m.Put(ctx, acct, s.ID, s.DataETag, "k", "v")
	wantKind(t, err, KindNotReady)
	clk.Add(30 * time.Second)
	if d, _ := m.Describe(ctx, acct, "p"); d.Status != StatusReady {
		t.Fatalf("status %s", d.Status)
	}
	if _, err := m.Put(ctx, acct, s.ID, s.DataETag, "k", "v"); err != nil {
		t.Fatal(err)
	}
}

func TestUpdateRules(t *testing.T) {
	ctx := context.Background()
	m, _, _ := newManager(t)
	s, _ := m.Create(ctx, acct, CreateParams{Name: "s"})
	big := strings.Repeat("v", DefaultMaxValueBytes)
	for _, tc := range []struct {
		name    string
		ifMatch string
		puts    []Item
		deletes []string
		kind    Kind
	}{
		{"no If-Match", "", []Item{{"k", "v"}}, nil, KindIfMatchMissing},
		{"stale If-Match", "KVSTALE", []Item{{"k", "v"}}, nil, KindETagMismatch},
		{"nothing to do", s.DataETag, nil, nil, KindInvalid},
		{"empty key", s.DataETag, []Item{{"", "v"}}, nil, KindInvalid},
		{"key too long", s.DataETag, []Item{{strings.Repeat("k", DefaultMaxKeyBytes+1), "v"}}, nil, KindInvalid},
		{"key not UTF-8", s.DataETag, []Item{{"\xff", "v"}}, nil, KindInvalid},
		{"value too long", s.DataETag, []Item{{"k", big + "v"}}, nil, KindInvalid},
		{"key twice", s.DataETag, []Item{{"k", "1"}, {"k", "2"}}, nil, KindInvalid},
		{"put and delete", s.DataETag, []Item{{"k", "1"}}, []string{"k"}, KindInvalid},
		{"delete missing key", s.DataETag, nil, []string{"nope"}, KindKeyNotFound},
		{"too many keys", s.DataETag, manyItems(DefaultMaxBatchKeys + 1), nil, KindInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := m.Update(ctx, acct, s.ID, tc.ifMatch, tc.puts, tc.deletes)
			wantKind(t, err, tc.kind)
		})
	}
	_, err := m.Update(ctx, acct, "00000000-0000-0000-0000-000000000000", s.DataETag, []Item{{"k", "v"}}, nil)
	wantKind(t, err, KindStoreNotFound)
	_, err = m.Update(ctx, "444455556666", s.ID, s.DataETag, []Item{{"k", "v"}}, nil)
	wantKind(t, err, KindStoreNotFound)

	// Limits are inclusive.
	in, err := m.Update(ctx, acct, s.ID, s.DataETag, []Item{{strings.Repeat("k", DefaultMaxKeyBytes), big}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if in.ItemCount != 1 || in.TotalSizeInBytes != int64(DefaultMaxKeyBytes+DefaultMaxValueBytes) {
		t.Fatalf("after max-size put: %+v", in)
	}
	if in, err = m.Update(ctx, acct, s.ID, in.DataETag, manyItems(DefaultMaxBatchKeys), nil); err != nil || in.ItemCount != 1+DefaultMaxBatchKeys {
		t.Fatalf("max batch: %+v, %v", in, err)
	}
}

func manyItems(n int) []Item {
	out := make([]Item, n)
	for i := range out {
		out[i] = Item{Key: fmt.Sprintf("batch-%04d", i), Value: "v"}
	}
	return out
}

func TestStoreSizeQuotaIsAtomic(t *testing.T) {
	ctx := context.Background()
	m, _, _ := newManager(t)
	m.Limits.MaxStoreBytes = 1000
	s, _ := m.Create(ctx, acct, CreateParams{Name: "s"})
	in, err := m.Update(ctx, acct, s.ID, s.DataETag, []Item{{"a", strings.Repeat("x", 499)}}, nil) // 500 bytes
	if err != nil {
		t.Fatal(err)
	}
	// The second put would make it 1001 bytes: nothing changes.
	_, err = m.Update(ctx, acct, s.ID, in.DataETag, []Item{{"b", strings.Repeat("x", 400)}, {"c", strings.Repeat("x", 99)}}, []string{})
	wantKind(t, err, KindSizeLimit)
	after, _ := m.DescribeData(ctx, acct, s.ID)
	if after.DataETag != in.DataETag || after.ItemCount != 1 || after.TotalSizeInBytes != 500 {
		t.Fatalf("failed update changed the store: %+v", after)
	}
	if _, _, err := m.GetKey(ctx, acct, s.ID, "b"); KindOf(err) != KindKeyNotFound {
		t.Fatalf("b: %v", err)
	}
	// Replacing a value counts the difference; exactly the limit is allowed.
	if in, err = m.Update(ctx, acct, s.ID, in.DataETag, []Item{{"a", strings.Repeat("y", 99)}, {"b", strings.Repeat("x", 899)}}, nil); err != nil || in.TotalSizeInBytes != 1000 {
		t.Fatalf("%+v, %v", in, err)
	}
}

// TestRandomizedAgainstModel drives random writes against small pages and checks the
// store against a map after every step: contents, counts, sizes, the page layout, and
// that no page is left unreferenced.
func TestRandomizedAgainstModel(t *testing.T) {
	for _, delta := range []int{-1, 150, 1000, 0} {
		t.Run(fmt.Sprintf("delta=%d", delta), func(t *testing.T) { testRandomized(t, delta) })
	}
}

func testRandomized(t *testing.T, delta int) {
	ctx := context.Background()
	m, ms, _ := newManager(t)
	m.PageBytes = 300
	m.DeltaBytes = delta
	s, _ := m.Create(ctx, acct, CreateParams{Name: "r"})
	model := map[string]string{}
	etag := s.DataETag
	rng := rand.New(rand.NewPCG(1, 2))
	key := func() string { return fmt.Sprintf("key-%03d", rng.IntN(400)) }
	for step := range 1500 {
		var puts []Item
		var dels []string
		used := map[string]bool{}
		for range 1 + rng.IntN(12) {
			k := key()
			if used[k] {
				continue
			}
			used[k] = true
			if _, ok := model[k]; ok && rng.IntN(100) < 45 {
				dels = append(dels, k)
			} else {
				puts = append(puts, Item{Key: k, Value: strings.Repeat(string(rune('a'+rng.IntN(26))), rng.IntN(60))})
			}
		}
		// Phase changes: grow, then mostly shrink, then grow again.
		if step > 500 && step < 1000 && len(puts) > 0 && rng.IntN(4) > 0 {
			puts = puts[:0]
		}
		if len(puts)+len(dels) == 0 {
			continue
		}
		in, err := m.Update(ctx, acct, s.ID, etag, puts, dels)
		if err != nil {
			t.Fatalf("step %d: %v", step, err)
		}
		if in.DataETag == etag {
			t.Fatalf("step %d: ETag did not change", step)
		}
		etag = in.DataETag
		for _, p := range puts {
			model[p.Key] = p.Value
		}
		for _, d := range dels {
			delete(model, d)
		}
		if step%25 == 0 || step > 1450 {
			checkStore(t, m, ms, s.ID, model)
		}
	}
}

func checkStore(t *testing.T, m *Manager, ms *memstore.Store, id string, model map[string]string) {
	t.Helper()
	ctx := context.Background()
	h, _, err := m.loadHeader(ctx, acct, id)
	if err != nil {
		t.Fatal(err)
	}
	var size int64
	for k, v := range model {
		size += int64(len(k) + len(v))
	}
	if h.Items != len(model) || h.Size != size {
		t.Fatalf("header counts %d items %d bytes, model %d items %d bytes", h.Items, h.Size, len(model), size)
	}
	// Pages: sorted, disjoint, non-empty, accurate, and the only pages stored.
	live := map[string]bool{}
	var all []entry
	for i, p := range h.Pages {
		e, err := ms.Get(ctx, PagesBucket, pageKey(acct, id, p.ID)) // not the cache: what is stored
		if err != nil {
			t.Fatalf("page %d: %v", i, err)
		}
		items, err := decodeEntries(e.Value)
		if err != nil {
			t.Fatalf("page %d: %v", i, err)
		}
		if len(items) == 0 || !bytes.Equal(p.First, items[0].k) || p.N != len(items) || p.Size != sumSize(items) {
			t.Fatalf("page %d ref %+v does not match its %d items", i, p, len(items))
		}
		if i > 0 && bytes.Compare(items[0].k, all[len(all)-1].k) <= 0 {
			t.Fatalf("page %d overlaps the previous one", i)
		}
		if !sort.SliceIsSorted(items, func(a, b int) bool { return bytes.Compare(items[a].k, items[b].k) < 0 }) {
			t.Fatalf("page %d unsorted", i)
		}
		all = append(all, items...)
		live[p.ID] = true
		if e, err := ms.Get(ctx, PagesBucket, pageKey(acct, id, p.ID)); err != nil || e.Revision != p.Rev {
			t.Fatalf("page %d: revision %d, ref says %d (%v)", i, e.Revision, p.Rev, err)
		}
	}
	// Delta: sorted, within its bound, its flags true to the pages.
	inPages := map[string]bool{}
	for _, e := range all {
		inPages[string(e.k)] = true
	}
	for i, d := range h.Delta {
		if i > 0 && bytes.Compare(h.Delta[i-1].k, d.k) >= 0 {
			t.Fatalf("delta unsorted at %d", i)
		}
		if d.inBase != inPages[string(d.k)] || d.del && !d.inBase {
			t.Fatalf("delta entry %q: del %v inBase %v, in pages %v", d.k, d.del, d.inBase, inPages[string(d.k)])
		}
	}
	if w := deltaWeight(h.Delta); w > m.deltaBytes() {
		t.Fatalf("delta of %d bytes, bound %d", w, m.deltaBytes())
	}

	stored, _ := ms.List(ctx, PagesBucket, acct+"/"+id+"/")
	if len(stored) != len(live) {
		t.Fatalf("%d pages stored, %d referenced", len(stored), len(live))
	}
	// Contents, through ListKeys pagination and GetKey.
	var listed []Item
	tok := ""
	for {
		items, next, err := m.ListKeys(ctx, acct, id, tok, 7)
		if err != nil {
			t.Fatal(err)
		}
		listed = append(listed, items...)
		if next == "" {
			break
		}
		tok = next
	}
	keys := make([]string, 0, len(model))
	for k := range model {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if len(listed) != len(keys) {
		t.Fatalf("listed %d keys, model has %d", len(listed), len(keys))
	}
	for i, k := range keys {
		if listed[i].Key != k || listed[i].Value != model[k] {
			t.Fatalf("item %d: %q=%q, want %q=%q", i, listed[i].Key, listed[i].Value, k, model[k])
		}
	}
	if len(keys) > 0 {
		k := keys[len(keys)/2]
		if it, _, err := m.GetKey(ctx, acct, id, k); err != nil || it.Value != model[k] {
			t.Fatalf("GetKey(%s) = %q, %v", k, it.Value, err)
		}
	}
	// Small stores must not fragment: at most one page below a quarter of the target.
	if n := len(h.Pages); n > 1 {
		smallPages := 0
		for _, p := range h.Pages {
			if int(p.Size)+8*p.N < m.pageBytes()/4 {
				smallPages++
			}
		}
		if smallPages > n/2+1 {
			t.Fatalf("%d of %d pages are tiny", smallPages, n)
		}
	}
}

func TestListKeysToken(t *testing.T) {
	ctx := context.Background()
	m, _, _ := newManager(t)
	s, _ := m.Create(ctx, acct, CreateParams{Name: "s"})
	if _, _, err := m.ListKeys(ctx, acct, s.ID, "", 0); err != nil {
		t.Fatalf("empty store: %v", err)
	}
	_, _, err := m.ListKeys(ctx, acct, s.ID, "!!not base64", 0)
	wantKind(t, err, KindInvalid)
	_, _, err = m.ListKeys(ctx, acct, s.ID, "", MaxListMax+1)
	wantKind(t, err, KindInvalid)
	if k, err := DecodeToken(EncodeToken("a/b ü")); err != nil || k != "a/b ü" {
		t.Fatalf("token round trip: %q %v", k, err)
	}
}

func TestSweep(t *testing.T) {
	ctx := context.Background()
	m, ms, _ := newManager(t)
	s, _ := m.Create(ctx, acct, CreateParams{Name: "s"})
	in, err := m.Put(ctx, acct, s.ID, s.DataETag, "k", "v")
	if err != nil {
		t.Fatal(err)
	}
	h, _, _ := m.loadHeader(ctx, acct, s.ID)
	// A writer that died after writing its page (seq ≤ h.Seq), one in flight (seq
	// h.Seq+1), and the leftovers of a deleted store.
	dead := pageKey(acct, s.ID, newPageID(h.Seq, "DEAD0000", 0))
	inflight := pageKey(acct, s.ID, newPageID(h.Seq+1, "LIVE0000", 0))
	gone := pageKey(acct, "00000000-0000-0000-0000-000000000000", newPageID(1, "GONE0000", 0))
	for _, k := range []string{dead, inflight, gone} {
		if _, err := ms.Create(ctx, PagesBucket, k, encodePage(entriesOf([]Item{{Key: "x", Value: "y"}}))); err != nil {
			t.Fatal(err)
		}
	}
	n, err := m.Sweep(ctx)
	if err != nil || n != 2 {
		t.Fatalf("Sweep = %d, %v; want 2", n, err)
	}
	for k, want := range map[string]bool{dead: false, gone: false, inflight: true} {
		if _, err := ms.Get(ctx, PagesBucket, k); (err == nil) != want {
			t.Errorf("%s present=%v, want %v", k, err == nil, want)
		}
	}
	if it, _, err := m.GetKey(ctx, acct, s.ID, "k"); err != nil || it.Value != "v" {
		t.Fatalf("live key lost: %v", err)
	}
	_ = in
}

// TestReadersSurviveConcurrentWrites reads while writers replace pages under them.
func TestReadersSurviveConcurrentWrites(t *testing.T) {
	for _, delta := range []int{-1, 100} {
		t.Run(fmt.Sprintf("delta=%d", delta), func(t *testing.T) { testReadersSurvive(t, delta) })
	}
}

func testReadersSurvive(t *testing.T, delta int) {
	ctx := context.Background()
	m, _, _ := newManager(t)
	m.PageBytes = 200
	m.DeltaBytes = delta
	s, _ := m.Create(ctx, acct, CreateParams{Name: "s"})
	etag := s.DataETag
	var puts []Item
	for i := range 40 {
		puts = append(puts, Item{Key: fmt.Sprintf("k%02d", i), Value: "0000000000"})
	}
	in, err := m.Update(ctx, acct, s.ID, etag, puts, nil)
	if err != nil {
		t.Fatal(err)
	}
	etag = in.DataETag
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			in, err := m.Put(ctx, acct, s.ID, etag, fmt.Sprintf("k%02d", i%40), fmt.Sprintf("%010d", i))
			if err != nil {
				t.Error(err)
				return
			}
			etag = in.DataETag
		}
	}()
	for range 2000 {
		items, _, err := m.ListKeys(ctx, acct, s.ID, "", 50)
		if err != nil || len(items) != 40 {
			t.Fatalf("ListKeys: %d items, %v", len(items), err)
		}
		if _, _, err := m.GetKey(ctx, acct, s.ID, "k17"); err != nil {
			t.Fatalf("GetKey: %v", err)
		}
	}
	close(stop)
	wg.Wait()
}

var _ cairn.MetaStore = (*memstore.Store)(nil)

func entriesOf(items []Item) []entry {
	es := make([]entry, len(items))
	for i, it := range items {
		es[i] = entry{k: []byte(it.Key), v: []byte(it.Value)}
	}
	return es
}

func TestFindInPage(t *testing.T) {
	page := encodePage(entriesOf([]Item{{"a", "1"}, {"c", ""}, {"e", "5"}}))
	for _, tc := range []struct {
		key, value string
		found      bool
	}{{"a", "1", true}, {"b", "", false}, {"c", "", true}, {"e", "5", true}, {"f", "", false}, {"", "", false}} {
		v, found, err := findInPage(page, tc.key)
		if err != nil || found != tc.found || v != tc.value {
			t.Errorf("findInPage(%q) = %q, %v, %v", tc.key, v, found, err)
		}
	}
	if _, _, err := findInPage(page[:len(page)-1], "z"); err == nil {
		t.Error("truncated page accepted")
	}
}

// TestCompaction: a store with far more pages than its size needs is rewritten whole
// by its next commit.
func TestCompaction(t *testing.T) {
	ctx := context.Background()
	m, ms, _ := newManager(t)
	m.PageBytes = 100
	m.DeltaBytes = -1
	s, _ := m.Create(ctx, acct, CreateParams{Name: "c"})
	model := map[string]string{}
	etag := s.DataETag
	for b := range 4 {
		var puts []Item
		for i := range 50 {
			k := fmt.Sprintf("k%03d", b*50+i)
			puts = append(puts, Item{Key: k, Value: "0123456789"})
			model[k] = "0123456789"
		}
		in, err := m.Update(ctx, acct, s.ID, etag, puts, nil)
		if err != nil {
			t.Fatal(err)
		}
		etag = in.DataETag
	}
	h, _, _ := m.loadHeader(ctx, acct, s.ID)
	before := len(h.Pages)
	m.PageBytes = 4096 // the same pages are now far too many
	if _, err := m.Put(ctx, acct, s.ID, etag, "k000", "x"); err != nil {
		t.Fatal(err)
	}
	model["k000"] = "x"
	h, _, _ = m.loadHeader(ctx, acct, s.ID)
	if before < 40 || len(h.Pages) > 2 {
		t.Fatalf("pages: %d before, %d after", before, len(h.Pages))
	}
	checkStore(t, m, ms, s.ID, model)
}
