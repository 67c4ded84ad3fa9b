package cloudfront

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/cairnhq/cairn"
	"github.com/cairnhq/cairn/api/cloudfront"
)

// slowStore delays each Update of one bucket, so that concurrent writers all read the
// same revision before any of them writes: the compare-and-set conflict path runs.
type slowStore struct {
	cairn.MetaStore
	bucket string
	delay  time.Duration
}

func (s slowStore) Update(ctx context.Context, bucket, key string, value []byte, rev uint64) (uint64, error) {
	if bucket == s.bucket {
		time.Sleep(s.delay)
	}
	return s.MetaStore.Update(ctx, bucket, key, value, rev)
}

// 32 writers race UpdateDistribution with the same ETag: exactly one wins, the others
// get PreconditionFailed, and the stored configuration is the winner's.
func TestConcurrentUpdateSameETag(t *testing.T) {
	p, _ := newTestProvider(t)
	p.Meta = slowStore{MetaStore: p.Meta, bucket: DistributionsBucket, delay: 2 * time.Millisecond}
	ctx := ctxFor(testAccount)
	out := mustCreate(t, p, ctx, testConfig("race"))
	id := deref(out.Distribution.Id)
	base := mustGetConfig(t, p, ctx, id)

	const writers = 32
	type result struct {
		i    int
		etag string
		err  error
	}
	results := make(chan result, writers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := mustGetConfig(t, p, ctxFor(testAccount), id).DistributionConfig
			c.Comment = ptr(fmt.Sprintf("writer-%d", i))
			<-start
			u, err := update(p, ctxFor(testAccount), id, base.ETag, c)
			r := result{i: i, err: err}
			if err == nil {
				r.etag = deref(u.ETag)
			}
			results <- r
		}()
	}
	close(start)
	wg.Wait()
	close(results)
	var winners []result
	for r := range results {
		if r.err == nil {
			winners = append(winners, r)
			continue
		}
		wantAPIError(t, r.err, "PreconditionFailed", 412)
	}
	if len(winners) != 1 {
		t.Fatalf("%d updates succeeded with the same ETag, want 1", len(winners))
	}
	final := mustGetConfig(t, p, ctx, id)
	if got, want := deref(final.DistributionConfig.Comment), fmt.Sprintf("writer-%d", winners[0].i); got != want {
		t.Errorf("stored Comment %q, winner wrote %q", got, want)
	}
	if deref(final.ETag) != winners[0].etag {
		t.Errorf("stored ETag %s, winner got %s", deref(final.ETag), winners[0].etag)
	}
}

// Writers each add their own origin, retrying on PreconditionFailed, while tags change
// concurrently: no update is lost.
func TestConcurrentDistinctUpdatesLoseNothing(t *testing.T) {
	p, _ := newTestProvider(t)
	p.Meta = slowStore{MetaStore: p.Meta, bucket: DistributionsBucket, delay: time.Millisecond}
	ctx := ctxFor(testAccount)
	out := mustCreate(t, p, ctx, testConfig("distinct"))
	id, arn := deref(out.Distribution.Id), deref(out.Distribution.ARN)

	const writers = 16
	var wg sync.WaitGroup
	retries := make([]int, writers)
	errs := make(chan error, writers+4)
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx := ctxFor(testAccount)
			for attempt := 0; ; attempt++ {
				cur, err := p.GetDistributionConfig(ctx, &cloudfront.GetDistributionConfigRequest{Id: ptr(id)})
				if err != nil {
					errs <- err
					return
				}
				c := cur.DistributionConfig
				o := c.Origins.Items[0]
				o.Id = ptr(fmt.Sprintf("origin-w%d", i))
				c.Origins.Items = append(c.Origins.Items, o)
				c.Origins.Quantity = ptr(int32(len(c.Origins.Items)))
				_, err = update(p, ctx, id, cur.ETag, c)
				if err == nil {
					retries[i] = attempt
					return
				}
				if !isAPIError(err, "PreconditionFailed") {
					errs <- err
					return
				}
			}
		}()
	}
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 20 {
				if _, err := p.TagResource(ctxFor(testAccount), &cloudfront.TagResourceRequest{Resource: ptr(arn), Tags: tags(fmt.Sprintf("t%d", i), fmt.Sprint(j))}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	final := mustGetConfig(t, p, ctx, id).DistributionConfig
	have := map[string]bool{}
	for _, o := range final.Origins.Items {
		have[deref(o.Id)] = true
	}
	for i := range writers {
		if !have[fmt.Sprintf("origin-w%d", i)] {
			t.Errorf("update of writer %d lost", i)
		}
	}
	if len(final.Origins.Items) != writers+1 {
		t.Errorf("%d origins, want %d", len(final.Origins.Items), writers+1)
	}
	if got := listTags(t, p, arn); len(got) != 4 || got["t0"] != "19" {
		t.Errorf("tags %v", got)
	}
	total := 0
	for _, r := range retries {
		total += r
	}
	t.Logf("%d writers needed %d retries in all", writers, total)
}

// Concurrent creates claiming the same alias: exactly one distribution gets it.
func TestConcurrentCNAMEClaims(t *testing.T) {
	p, _ := newTestProvider(t)
	const n = 16
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			acct := testAccount
			if i%2 == 1 {
				acct = otherAccount
			}
			_, err := p.CreateDistribution(ctxFor(acct), &cloudfront.CreateDistributionRequest{DistributionConfig: withAliases(testConfig(fmt.Sprint("c", i)), "shared.example.com")})
			if err == nil {
				mu.Lock()
				ok++
				mu.Unlock()
				return
			}
			if !isAPIError(err, "CNAMEAlreadyExists") {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if ok != 1 {
		t.Fatalf("%d distributions got the alias", ok)
	}
}

// percentile returns the q-quantile of ds (sorted in place).
func percentile(ds []time.Duration, q float64) time.Duration {
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds[int(float64(len(ds)-1)*q)]
}

// The benchmarks run over internal/memstore (an in-memory MetaStore): they measure the
// provider (validation, encoding, indexes, compare-and-set), not a durable store.

func BenchmarkProvider_CreateDistribution(b *testing.B) {
	p, _ := newTestProvider(b)
	ctx := ctxFor(testAccount)
	ds := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		cfg := withAliases(testConfig(fmt.Sprint("bench-", i)), fmt.Sprintf("h%d.example.com", i))
		t0 := time.Now()
		if _, err := p.CreateDistribution(ctx, &cloudfront.CreateDistributionRequest{DistributionConfig: cfg}); err != nil {
			b.Fatal(err)
		}
		ds = append(ds, time.Since(t0))
	}
	b.ReportMetric(float64(percentile(ds, 0.5).Microseconds()), "p50-µs")
	b.ReportMetric(float64(percentile(ds, 0.99).Microseconds()), "p99-µs")
}

func BenchmarkProvider_UpdateDistribution(b *testing.B) {
	p, _ := newTestProvider(b)
	ctx := ctxFor(testAccount)
	out := mustCreate(b, p, ctx, withAliases(testConfig("bench"), "www.example.com"))
	id, etag := deref(out.Distribution.Id), out.ETag
	cfg := mustGetConfig(b, p, ctx, id).DistributionConfig
	ds := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		cfg.Comment = ptr(fmt.Sprint("v", i))
		t0 := time.Now()
		u, err := update(p, ctx, id, etag, cfg)
		if err != nil {
			b.Fatal(err)
		}
		ds = append(ds, time.Since(t0))
		etag = u.ETag
	}
	b.ReportMetric(float64(percentile(ds, 0.5).Microseconds()), "p50-µs")
	b.ReportMetric(float64(percentile(ds, 0.99).Microseconds()), "p99-µs")
}

func benchList(b *testing.B, maxItems string) {
	p, _ := newTestProvider(b)
	ctx := ctxFor(testAccount)
	for i := range 1000 {
		mustCreate(b, p, ctx, testConfig(fmt.Sprint("list-", i)))
	}
	for i := range 200 { // other accounts' distributions share the bucket
		mustCreate(b, p, ctxFor(otherAccount), testConfig(fmt.Sprint("other-", i)))
	}
	ds := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		out, err := p.ListDistributions(ctx, &cloudfront.ListDistributionsRequest{MaxItems: ptr(maxItems)})
		if err != nil {
			b.Fatal(err)
		}
		ds = append(ds, time.Since(t0))
		if maxItems == "1000" && deref(out.DistributionList.Quantity) != 1000 {
			b.Fatalf("listed %d", deref(out.DistributionList.Quantity))
		}
	}
	b.ReportMetric(float64(percentile(ds, 0.5).Microseconds()), "p50-µs")
}

// BenchmarkProvider_ListDistributions1000 lists all of 1,000 distributions in one page.
func BenchmarkProvider_ListDistributions1000(b *testing.B) { benchList(b, "1000") }

// BenchmarkProvider_ListDistributions1000Page100 lists the first (default-size) page.
func BenchmarkProvider_ListDistributions1000Page100(b *testing.B) { benchList(b, "100") }

// The first list after a restart decodes the page's documents (no cache yet).
func benchListCold(b *testing.B, maxItems string) {
	p, _ := newTestProvider(b)
	ctx := ctxFor(testAccount)
	for i := range 1000 {
		mustCreate(b, p, ctx, testConfig(fmt.Sprint("list-", i)))
	}
	b.ResetTimer()
	for range b.N {
		p.cache = distCache{}
		if _, err := p.ListDistributions(ctx, &cloudfront.ListDistributionsRequest{MaxItems: ptr(maxItems)}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkProvider_ListDistributions1000Cold(b *testing.B)        { benchListCold(b, "1000") }
func BenchmarkProvider_ListDistributions1000ColdPage100(b *testing.B) { benchListCold(b, "100") }
