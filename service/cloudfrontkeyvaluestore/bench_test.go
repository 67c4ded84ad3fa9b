package cloudfrontkeyvaluestore_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	api "github.com/cairnhq/cairn/api/cloudfrontkeyvaluestore"
)

// The benchmarks measure the provider over internal/memstore: no gateway, codec,
// signature check or event recording, and no NATS round trips.

// cpuTime is the CPU time (user and system, all threads) the process has used. The
// benchmarks report it per operation besides wall time, which on a loaded machine
// measures the machine more than the code.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func reportCPU(b *testing.B, start time.Duration) {
	cpu := cpuTime() - start
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/op")
	b.ReportMetric(float64(b.N)/cpu.Seconds(), "ops/cpu-s")
}

// fill puts keys key-00000… with values of valueBytes bytes, 50 per UpdateKeys, and
// returns the ETag.
func fill(b *testing.B, f *fixture, keys, valueBytes int) string {
	b.Helper()
	etag := f.etag(b)
	v := strings.Repeat("v", valueBytes)
	for i := 0; i < keys; i += 50 {
		in := &api.UpdateKeysRequest{KvsARN: &f.arn, IfMatch: &etag}
		for j := i; j < min(i+50, keys); j++ {
			in.Puts = append(in.Puts, api.PutKeyRequestListItem{Key: s(fmt.Sprintf("key-%05d", j)), Value: &v})
		}
		ctx, _ := callCtx(acct)
		out, err := f.p.UpdateKeys(ctx, in)
		if err != nil {
			b.Fatal(err)
		}
		etag = *out.ETag
	}
	return etag
}

// BenchmarkUpdateKeys50 times UpdateKeys of 50 random keys (puts of 100-byte values
// and deletes) on stores of several sizes; p50-ms and p99-ms are per call.
func BenchmarkUpdateKeys50(b *testing.B) {
	for _, size := range []struct {
		name        string
		keys, value int
	}{
		{"empty", 0, 100},
		{"2k-keys-200KB", 2000, 100},
		{"5k-keys-5MB-full", 4900, 1000},
	} {
		b.Run(size.name, func(b *testing.B) {
			f := newFixture(b)
			etag := fill(b, f, size.keys, size.value)
			present := map[string]bool{}
			for i := range size.keys {
				present[fmt.Sprintf("key-%05d", i)] = true
			}
			space := max(size.keys, 2000)
			rng := rand.New(rand.NewPCG(1, 1))
			v := strings.Repeat("w", size.value)
			lat := make([]time.Duration, 0, b.N)
			var cpu time.Duration
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				in := &api.UpdateKeysRequest{KvsARN: &f.arn, IfMatch: &etag}
				used := map[string]bool{}
				for len(used) < 50 {
					k := fmt.Sprintf("key-%05d", rng.IntN(space))
					if used[k] {
						continue
					}
					used[k] = true
					// Keep a full store full: delete as often as put when at the limit.
					if present[k] && (size.keys >= 4900 || rng.IntN(2) == 0) {
						in.Deletes = append(in.Deletes, api.DeleteKeyRequestListItem{Key: &k})
					} else {
						in.Puts = append(in.Puts, api.PutKeyRequestListItem{Key: &k, Value: &v})
					}
				}
				ctx, _ := callCtx(acct)
				b.StartTimer()
				c0, start := cpuTime(), time.Now()
				out, err := f.p.UpdateKeys(ctx, in)
				lat = append(lat, time.Since(start))
				cpu += cpuTime() - c0
				if err != nil {
					b.Fatal(err)
				}
				etag = *out.ETag
				for _, p := range in.Puts {
					present[*p.Key] = true
				}
				for _, d := range in.Deletes {
					delete(present, *d.Key)
				}
			}
			b.StopTimer()
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
			b.ReportMetric(float64(cpu.Microseconds())/float64(b.N)/1000, "cpu-ms/op")
		})
	}
}

// BenchmarkPutKey is one client putting keys back to back, each with the ETag of its
// previous response.
func BenchmarkPutKey(b *testing.B) {
	f := newFixture(b)
	etag := fill(b, f, 1000, 100)
	v := strings.Repeat("p", 100)
	b.ResetTimer()
	c0 := cpuTime()
	for i := range b.N {
		ctx, _ := callCtx(acct)
		k := fmt.Sprintf("key-%05d", i%5000)
		out, err := f.p.PutKey(ctx, &api.PutKeyRequest{KvsARN: &f.arn, Key: &k, Value: &v, IfMatch: &etag})
		if err != nil {
			b.Fatal(err)
		}
		etag = *out.ETag
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "puts/s")
	reportCPU(b, c0)
}

// BenchmarkPutKeyParallel is many clients on one store, each doing DescribeKeyValueStore
// then PutKey, retrying on ConflictException; puts/s counts successful puts.
func BenchmarkPutKeyParallel(b *testing.B) {
	f := newFixture(b)
	fill(b, f, 1000, 100)
	v := strings.Repeat("p", 100)
	var n, conflicts atomic.Int64
	b.ResetTimer()
	c0 := cpuTime()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			k := fmt.Sprintf("key-%05d", n.Add(1)%5000)
			for {
				ctx, _ := callCtx(acct)
				d, err := f.p.DescribeKeyValueStore(ctx, &api.DescribeKeyValueStoreRequest{KvsARN: &f.arn})
				if err != nil {
					b.Fatal(err)
				}
				_, err = f.p.PutKey(ctx, &api.PutKeyRequest{KvsARN: &f.arn, Key: &k, Value: &v, IfMatch: d.ETag})
				if err == nil {
					break
				}
				if code(err) != "ConflictException" {
					b.Fatal(err)
				}
				conflicts.Add(1)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "puts/s")
	b.ReportMetric(float64(conflicts.Load())/float64(b.N), "conflicts/put")
	reportCPU(b, c0)
}

// BenchmarkGetKey reads random keys of a 2,000-key store.
func BenchmarkGetKey(b *testing.B) {
	f := newFixture(b)
	fill(b, f, 2000, 100)
	b.ResetTimer()
	c0 := cpuTime()
	defer reportCPU(b, c0)
	b.RunParallel(func(pb *testing.PB) {
		rng := rand.New(rand.NewPCG(rand.Uint64(), 0))
		for pb.Next() {
			ctx, _ := callCtx(acct)
			k := fmt.Sprintf("key-%05d", rng.IntN(2000))
			if _, err := f.p.GetKey(ctx, &api.GetKeyRequest{KvsARN: &f.arn, Key: &k}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
