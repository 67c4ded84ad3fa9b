package kvs

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/cairnhq/cairn"
)

// The benchmarks run on the JetStream MetaStore Cairn serves from (embedded NATS,
// file store, the metadata mirror), without the gateway or event recording.
// cpu-µs/op is the process's CPU time (the NATS server's included) per operation: on a
// shared machine it measures the code where wall time measures the machine.

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// countingMeta counts the writes made to a MetaStore and the bytes written.
type countingMeta struct {
	cairn.MetaStore
	writes, bytes atomic.Int64
}

func (c *countingMeta) Create(ctx context.Context, bucket, key string, value []byte) (uint64, error) {
	c.writes.Add(1)
	c.bytes.Add(int64(len(value)))
	return c.MetaStore.Create(ctx, bucket, key, value)
}

func (c *countingMeta) Update(ctx context.Context, bucket, key string, value []byte, rev uint64) (uint64, error) {
	c.writes.Add(1)
	c.bytes.Add(int64(len(value)))
	return c.MetaStore.Update(ctx, bucket, key, value, rev)
}

func (c *countingMeta) Delete(ctx context.Context, bucket, key string, rev uint64) error {
	c.writes.Add(1)
	return c.MetaStore.Delete(ctx, bucket, key, rev)
}

// measure runs the benchmark's loop and reports CPU time, MetaStore writes and bytes
// written per operation.
func measure(b *testing.B, cm *countingMeta, loop func()) {
	b.ReportAllocs()
	b.ResetTimer()
	c0, w0, b0 := cpuTime(), cm.writes.Load(), cm.bytes.Load()
	loop()
	b.StopTimer()
	n := float64(b.N)
	b.ReportMetric(float64((cpuTime()-c0).Microseconds())/n, "cpu-µs/op")
	b.ReportMetric(float64(cm.writes.Load()-w0)/n, "writes/op")
	b.ReportMetric(float64(cm.bytes.Load()-b0)/n, "written-B/op")
}

// benchStore creates a store holding keys key-00000… with 100-byte values and returns
// its id and ETag.
func benchStore(b *testing.B, m *Manager, name string, keys int) (string, string) {
	b.Helper()
	ctx := context.Background()
	s, err := m.Create(ctx, acct, CreateParams{Name: name})
	if err != nil {
		b.Fatal(err)
	}
	etag := s.DataETag
	v := strings.Repeat("v", 100)
	for i := 0; i < keys; i += 50 {
		var puts []Item
		for j := i; j < min(i+50, keys); j++ {
			puts = append(puts, Item{Key: fmt.Sprintf("key-%05d", j), Value: v})
		}
		in, err := m.Update(ctx, acct, s.ID, etag, puts, nil)
		if err != nil {
			b.Fatal(err)
		}
		etag = in.DataETag
	}
	return s.ID, etag
}

// BenchmarkStore_PutKey is one writer putting random keys of a store of n keys (100-byte
// values, like bench's PutKey phase), each put with the ETag of the previous one.
func BenchmarkStore_PutKey(b *testing.B) {
	for _, n := range []int{100, 1000, 5000} {
		b.Run(fmt.Sprintf("keys=%d", n), func(b *testing.B) {
			ctx := context.Background()
			m := openNATS(b)
			cm := &countingMeta{MetaStore: m.Meta}
			m.Meta = cm
			id, etag := benchStore(b, m, "bench", n)
			v := strings.Repeat("p", 100)
			rng := rand.New(rand.NewPCG(1, 1))
			measure(b, cm, func() {
				for range b.N {
					in, err := m.Put(ctx, acct, id, etag, fmt.Sprintf("key-%05d", rng.IntN(n)), v)
					if err != nil {
						b.Fatal(err)
					}
					etag = in.DataETag
				}
			})
		})
	}
}

// BenchmarkStore_PutKeyStores is 16 writers, one per store of 1,000 keys, putting
// random keys in parallel (bench's PutKey phase with 16 stores).
func BenchmarkStore_PutKeyStores(b *testing.B) {
	const stores, keys = 16, 1000
	ctx := context.Background()
	m := openNATS(b)
	cm := &countingMeta{MetaStore: m.Meta}
	m.Meta = cm
	ids, etags := make([]string, stores), make([]string, stores)
	for i := range stores {
		ids[i], etags[i] = benchStore(b, m, fmt.Sprintf("bench-%02d", i), keys)
	}
	v := strings.Repeat("p", 100)
	measure(b, cm, func() {
		work := make(chan struct{})
		var wg sync.WaitGroup
		for w := range stores {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rng := rand.New(rand.NewPCG(uint64(w), 1))
				for range work {
					in, err := m.Put(ctx, acct, ids[w], etags[w], fmt.Sprintf("key-%05d", rng.IntN(keys)), v)
					if err != nil {
						b.Error(err)
						return
					}
					etags[w] = in.DataETag
				}
			}()
		}
		for range b.N {
			work <- struct{}{}
		}
		close(work)
		wg.Wait()
	})
}

// BenchmarkStore_GetKey reads random keys of a store of 1,000 keys.
func BenchmarkStore_GetKey(b *testing.B) {
	ctx := context.Background()
	m := openNATS(b)
	id, _ := benchStore(b, m, "bench", 1000)
	rng := rand.New(rand.NewPCG(1, 1))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, _, err := m.GetKey(ctx, acct, id, fmt.Sprintf("key-%05d", rng.IntN(1000))); err != nil {
			b.Fatal(err)
		}
	}
}
