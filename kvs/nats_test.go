package kvs

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cairnhq/cairn/eventlog"
)

// Over the JetStream-backed MetaStore Cairn runs on (embedded NATS server, file store).

func openNATS(t testing.TB) *Manager {
	t.Helper()
	l, err := eventlog.Open(context.Background(), eventlog.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatalf("open event log: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = l.Close(ctx)
	})
	return &Manager{Meta: l.Meta()}
}

// TestOverNATS runs a store's life on the NATS MetaStore, with a full 5 MB store of
// maximum-size keys (the largest header and pages Cairn writes).
func TestOverNATS(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a NATS server")
	}
	ctx := context.Background()
	m := openNATS(t)
	s, err := m.Create(ctx, acct, CreateParams{Name: "nats"})
	if err != nil {
		t.Fatal(err)
	}
	etag := s.DataETag
	// 5 MB of 512-byte keys and 1 KB values, keys sharing a long prefix (long page
	// boundaries in the header).
	prefix := strings.Repeat("p", 500)
	n := 0
	var last *Info
	for {
		var puts []Item
		for range 50 {
			puts = append(puts, Item{Key: fmt.Sprintf("%s%012d", prefix, n), Value: strings.Repeat("v", 1024)})
			n++
		}
		in, err := m.Update(ctx, acct, s.ID, etag, puts, nil)
		if KindOf(err) == KindSizeLimit {
			break
		}
		if err != nil {
			t.Fatalf("after %d keys: %v", n, err)
		}
		etag, last = in.DataETag, in
	}
	h, _, err := m.loadHeader(ctx, acct, s.ID)
	if err != nil {
		t.Fatal(err)
	}
	e, _ := m.Meta.Get(ctx, StoresBucket, headerKey(acct, s.ID))
	t.Logf("full store: %d items, %d bytes, %d pages, header %d bytes", last.ItemCount, last.TotalSizeInBytes, len(h.Pages), len(e.Value))
	if last.TotalSizeInBytes > DefaultMaxStoreBytes || last.TotalSizeInBytes < DefaultMaxStoreBytes-50*1536 {
		t.Fatalf("full store holds %d bytes", last.TotalSizeInBytes)
	}
	items, next, err := m.ListKeys(ctx, acct, s.ID, "", 50)
	if err != nil || len(items) != 50 || next == "" || !strings.HasPrefix(items[0].Key, prefix) {
		t.Fatalf("ListKeys: %d items, %v", len(items), err)
	}
	// Delete every other key, one UpdateKeys of 50 at a time, then check.
	var dels []string
	for i := 0; i < last.ItemCount; i += 2 {
		dels = append(dels, fmt.Sprintf("%s%012d", prefix, i))
	}
	for c := range slices.Chunk(dels, 50) {
		in, err := m.Update(ctx, acct, s.ID, etag, nil, c)
		if err != nil {
			t.Fatal(err)
		}
		etag = in.DataETag
	}
	d, err := m.DescribeData(ctx, acct, s.ID)
	if err != nil || d.ItemCount != last.ItemCount-len(dels) {
		t.Fatalf("after deletes: %+v, %v", d, err)
	}
	if it, _, err := m.GetKey(ctx, acct, s.ID, fmt.Sprintf("%s%012d", prefix, 1)); err != nil || len(it.Value) != 1024 {
		t.Fatalf("GetKey: %v", err)
	}
	if _, err := m.Delete(ctx, acct, "nats", s.ETag); err != nil {
		t.Fatal(err)
	}
	if left, _ := m.Meta.List(ctx, PagesBucket, acct+"/"+s.ID+"/"); len(left) != 0 {
		t.Fatalf("%d pages left", len(left))
	}
}

// BenchmarkNATSPutKey is one client putting keys back to back on the NATS MetaStore.
func BenchmarkNATSPutKey(b *testing.B) {
	ctx := context.Background()
	m := openNATS(b)
	s, _ := m.Create(ctx, acct, CreateParams{Name: "bench"})
	etag := s.DataETag
	v := strings.Repeat("p", 100)
	b.ResetTimer()
	for i := range b.N {
		in, err := m.Put(ctx, acct, s.ID, etag, fmt.Sprintf("key-%05d", i%5000), v)
		if err != nil {
			b.Fatal(err)
		}
		etag = in.DataETag
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "puts/s")
}

// BenchmarkNATSUpdateKeys50 is UpdateKeys of 50 random puts on a 2,000-key store on the
// NATS MetaStore.
func BenchmarkNATSUpdateKeys50(b *testing.B) {
	ctx := context.Background()
	m := openNATS(b)
	s, _ := m.Create(ctx, acct, CreateParams{Name: "bench"})
	etag := s.DataETag
	v := strings.Repeat("w", 100)
	rng := rand.New(rand.NewPCG(1, 1))
	batch := func() []Item {
		used := map[int]bool{}
		var puts []Item
		for len(puts) < 50 {
			k := rng.IntN(2000)
			if !used[k] {
				used[k] = true
				puts = append(puts, Item{Key: fmt.Sprintf("key-%05d", k), Value: v})
			}
		}
		return puts
	}
	for range 100 {
		in, err := m.Update(ctx, acct, s.ID, etag, batch(), nil)
		if err != nil {
			b.Fatal(err)
		}
		etag = in.DataETag
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		puts := batch()
		start := time.Now()
		in, err := m.Update(ctx, acct, s.ID, etag, puts, nil)
		lat = append(lat, time.Since(start))
		if err != nil {
			b.Fatal(err)
		}
		etag = in.DataETag
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
}

// TestNoLostUpdatesOverNATS: writers increment a counter with read, Update (If-Match)
// and retry on KindETagMismatch, on small pages and a small delta so that many commits
// move the delta into pages; every increment survives, and in each round of writers
// racing with the same ETag exactly one wins.
func TestNoLostUpdatesOverNATS(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a NATS server")
	}
	ctx := context.Background()
	m := openNATS(t)
	m.PageBytes, m.DeltaBytes = 256, 200
	s, err := m.Create(ctx, acct, CreateParams{Name: "race"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Put(ctx, acct, s.ID, s.DataETag, "counter", "0"); err != nil {
		t.Fatal(err)
	}
	const writers, per = 8, 15
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < per; {
				it, in, err := m.GetKey(ctx, acct, s.ID, "counter")
				if err != nil {
					t.Error(err)
					return
				}
				var c int
				fmt.Sscan(it.Value, &c)
				_, err = m.Update(ctx, acct, s.ID, in.DataETag, []Item{{"counter", fmt.Sprint(c + 1)}, {fmt.Sprintf("w%d-%02d", w, j), strings.Repeat("x", 20)}}, nil)
				switch KindOf(err) {
				case 0:
					if err != nil {
						t.Error(err)
						return
					}
					j++
				case KindETagMismatch:
				default:
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	it, in, err := m.GetKey(ctx, acct, s.ID, "counter")
	if err != nil || it.Value != fmt.Sprint(writers*per) || in.ItemCount != writers*per+1 {
		t.Fatalf("counter %q, %d items, %v; want %d, %d", it.Value, in.ItemCount, err, writers*per, writers*per+1)
	}
	h, _, _ := m.loadHeader(ctx, acct, s.ID)
	if len(h.Pages) < 2 {
		t.Fatalf("%d pages: the delta was never moved into pages", len(h.Pages))
	}
	// Rounds of writers holding the same ETag.
	for round := range 10 {
		d, _ := m.DescribeData(ctx, acct, s.ID)
		wins := make([]bool, writers)
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := m.Put(ctx, acct, s.ID, d.DataETag, fmt.Sprintf("w%d-%02d", w, round), "won")
				switch KindOf(err) {
				case 0:
					wins[w] = err == nil
				case KindETagMismatch:
				default:
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if n := len(slices.DeleteFunc(wins, func(b bool) bool { return !b })); n != 1 {
			t.Fatalf("round %d: %d winners", round, n)
		}
	}
}
