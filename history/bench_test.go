package history_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cairnhq/cairn"
	"github.com/cairnhq/cairn/history"
)

// The synthetic workload: 1M management events over the last 80 days, two accounts,
// three regions, ~200 event names, ~20 sources, ~50 users, ~100 access keys, ~1000
// resources (30 types), Zipf-distributed as real traffic is, times slightly out of
// order, 70% read-only.
const benchEvents = 1_000_000

var (
	benchAccounts = []string{"111111111111", "222222222222"}
	benchRegions  = []string{"us-east-1", "eu-west-1", "ap-southeast-2"}
	benchNow      = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
)

type benchGen struct {
	rng                               *rand.Rand
	names, sources, users, keys, res  *rand.Zipf
	nameV, sourceV, userV, keyV, resV []string
	resType                           []string
}

func newBenchGen(seed uint64) *benchGen {
	rng := rand.New(rand.NewPCG(seed, 99))
	g := &benchGen{
		rng:     rng,
		names:   rand.NewZipf(rng, 1.1, 1, 199),
		sources: rand.NewZipf(rng, 1.2, 1, 19),
		users:   rand.NewZipf(rng, 1.1, 1, 49),
		keys:    rand.NewZipf(rng, 1.1, 1, 99),
		res:     rand.NewZipf(rng, 1.05, 1, 999),
	}
	verbs := []string{"Describe", "List", "Get", "Create", "Update", "Delete", "Put", "Start", "Stop", "Attach"}
	for i := range 200 {
		g.nameV = append(g.nameV, fmt.Sprintf("%sThing%d", verbs[i%len(verbs)], i))
	}
	for i := range 20 {
		g.sourceV = append(g.sourceV, fmt.Sprintf("service%d.amazonaws.com", i))
	}
	for i := range 50 {
		g.userV = append(g.userV, fmt.Sprintf("user-%d", i))
	}
	for i := range 100 {
		g.keyV = append(g.keyV, fmt.Sprintf("ASIA%016d", i))
	}
	for i := range 1000 {
		g.resV = append(g.resV, fmt.Sprintf("arn:aws:svc:us-east-1:111111111111:thing/resource-%d", i))
		g.resType = append(g.resType, fmt.Sprintf("AWS::Svc%d::Thing", i%30))
	}
	return g
}

func (g *benchGen) event(seq uint64, t time.Time) cairn.LoggedEvent {
	r := g.rng
	f := cairn.LookupFields{
		EventID:     fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", r.Uint32(), r.Uint32()&0xffff, r.Uint32()&0xfff, r.Uint32()&0xfff, r.Uint64()&0xffffffffffff),
		EventName:   g.nameV[g.names.Uint64()],
		EventSource: g.sourceV[g.sources.Uint64()],
		ReadOnly:    "true",
		Username:    g.userV[g.users.Uint64()],
		Category:    cairn.EventCategoryManagement,
	}
	if r.IntN(10) < 3 {
		f.ReadOnly = "false"
	}
	if r.IntN(10) != 0 {
		f.AccessKeyID = g.keyV[g.keys.Uint64()]
	}
	for range r.IntN(3) {
		k := g.res.Uint64()
		f.Resources = append(f.Resources, cairn.LookupResource{Type: g.resType[k], Name: g.resV[k]})
	}
	jitter := time.Duration(r.IntN(2000)) * time.Millisecond // slightly out of order
	return cairn.LoggedEvent{
		Seq: seq, TimeNanos: t.Add(-jitter).UnixNano(),
		Account: benchAccounts[r.IntN(len(benchAccounts))], Region: benchRegions[r.IntN(len(benchRegions))],
		Lookup: f,
	}
}

func benchIndex(n int) (*history.Index, *benchGen) {
	g := newBenchGen(1)
	ix := history.New(history.Config{Clock: cairn.ClockFunc(func() time.Time { return benchNow }), TokenKey: []byte("bench")})
	start := benchNow.Add(-80 * 24 * time.Hour)
	step := 80 * 24 * time.Hour / time.Duration(n)
	for i := range n {
		ix.Add(g.event(uint64(i+1), start.Add(time.Duration(i)*step)))
	}
	return ix, g
}

var (
	benchOnce sync.Once
	benchIx   *history.Index
	benchG    *benchGen
)

func sharedIndex(b *testing.B) (*history.Index, *benchGen) {
	benchOnce.Do(func() { benchIx, benchG = benchIndex(benchEvents) })
	return benchIx, benchG
}

// benchCases are the query shapes measured: every attribute with its most frequent
// value (so that deep pages exist), and no attribute.
func benchCases(g *benchGen) []struct {
	name  string
	attrs []history.Attribute
} {
	return []struct {
		name  string
		attrs []history.Attribute
	}{
		{"None", nil},
		{"EventId", nil}, // filled in with a real id below
		{"EventName", attr("EventName", g.nameV[0])},
		{"ReadOnly", attr("ReadOnly", "false")},
		{"Username", attr("Username", g.userV[0])},
		{"ResourceType", attr("ResourceType", g.resType[0])},
		{"ResourceName", attr("ResourceName", g.resV[0])},
		{"EventSource", attr("EventSource", g.sourceV[0])},
		{"AccessKeyId", attr("AccessKeyId", g.keyV[0])},
		{"RareEventName", attr("EventName", g.nameV[199])},
		{"Missing", attr("Username", "nobody")},
	}
}

// follow pages from q up to depth pages and returns the query for the next page
// and how many pages were followed.
func follow(tb testing.TB, ix *history.Index, q history.Query, depth int) (history.Query, int) {
	for d := 0; d < depth; d++ {
		p := mustLookup(tb, ix, q)
		if p.NextToken == "" {
			return q, d
		}
		q.NextToken = p.NextToken
	}
	return q, depth
}

func BenchmarkIndex_Lookup(b *testing.B) {
	ix, g := sharedIndex(b)
	base := history.Query{Account: benchAccounts[0], Region: benchRegions[0]}
	for _, c := range benchCases(g) {
		q := base
		q.Attributes = c.attrs
		if c.name == "EventId" {
			p := mustLookup(b, ix, history.Query{Account: base.Account, Region: base.Region, StartTime: ptr(benchNow.Add(-40 * 24 * time.Hour))})
			q.Attributes = attr("EventId", p.Events[0].Lookup.EventID)
		}
		b.Run(c.name+"/first", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				mustLookup(b, ix, q)
			}
		})
		if c.name == "EventId" || c.name == "Missing" {
			continue
		}
		deep, depth := follow(b, ix, q, 200)
		b.Run(c.name+"/deep", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				mustLookup(b, ix, deep)
			}
			b.ReportMetric(float64(depth), "depth")
		})
	}
}

// BenchmarkIndex_LookupLatency replays a mix of queries: a random attribute (or
// none) with a value drawn from the workload's distribution, random time windows,
// and random depths up to 200 pages, and reports latency percentiles.
func BenchmarkIndex_LookupLatency(b *testing.B) {
	ix, _ := sharedIndex(b)
	g := newBenchGen(7)
	rng := rand.New(rand.NewPCG(5, 6))
	keys := []string{"", "EventId", "EventName", "ReadOnly", "Username", "ResourceType", "ResourceName", "EventSource", "AccessKeyId"}
	var qs []history.Query
	for len(qs) < 400 {
		e := g.event(0, benchNow)
		q := history.Query{Account: e.Account, Region: e.Region, MaxResults: 50}
		switch k := keys[rng.IntN(len(keys))]; k {
		case "":
		case "EventId":
			p := mustLookup(b, ix, history.Query{Account: e.Account, Region: e.Region, StartTime: ptr(benchNow.Add(-time.Duration(rng.IntN(80*24)) * time.Hour))})
			q.Attributes = attr(k, p.Events[len(p.Events)-1].Lookup.EventID)
		case "EventName":
			q.Attributes = attr(k, e.Lookup.EventName)
		case "ReadOnly":
			q.Attributes = attr(k, e.Lookup.ReadOnly)
		case "Username":
			q.Attributes = attr(k, e.Lookup.Username)
		case "EventSource":
			q.Attributes = attr(k, e.Lookup.EventSource)
		case "AccessKeyId":
			q.Attributes = attr(k, g.keyV[g.keys.Uint64()])
		case "ResourceType", "ResourceName":
			r := g.res.Uint64()
			q.Attributes = attr(k, map[string]string{"ResourceType": g.resType[r], "ResourceName": g.resV[r]}[k])
		}
		if rng.IntN(3) == 0 {
			s := benchNow.Add(-time.Duration(rng.IntN(80*24)) * time.Hour)
			q.StartTime = &s
			if rng.IntN(2) == 0 {
				e := s.Add(time.Duration(rng.IntN(30*24)) * time.Hour)
				q.EndTime = &e
			}
		}
		q, _ = follow(b, ix, q, rng.IntN(201))
		qs = append(qs, q)
	}
	lat := make([]time.Duration, 0, 1<<16)
	i := 0
	for b.Loop() {
		start := time.Now()
		mustLookup(b, ix, qs[i%len(qs)])
		if len(lat) < cap(lat) {
			lat = append(lat, time.Since(start))
		}
		i++
	}
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Nanoseconds()) }
	b.ReportMetric(pct(0.50), "p50-ns")
	b.ReportMetric(pct(0.99), "p99-ns")
	b.ReportMetric(float64(lat[len(lat)-1].Nanoseconds()), "max-ns")
}

func BenchmarkIndex_Add(b *testing.B) {
	g := newBenchGen(2)
	start := benchNow.Add(-80 * 24 * time.Hour)
	evs := make([]cairn.LoggedEvent, 1<<16)
	for i := range evs {
		evs[i] = g.event(0, start)
	}
	ix := history.New(history.Config{Clock: cairn.ClockFunc(func() time.Time { return benchNow })})
	step := time.Second
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		e := evs[i&(len(evs)-1)]
		e.Seq = uint64(i + 1)
		e.TimeNanos = start.Add(time.Duration(i)*step).UnixNano() - e.TimeNanos%int64(2*time.Second)
		ix.Add(e)
		i++
	}
}

// BenchmarkIndex_Memory builds the 1M-event index and reports the live heap it
// holds per event and the process RSS (run it alone: -run XXX -bench Memory
// -benchtime 1x).
func BenchmarkIndex_Memory(b *testing.B) {
	for b.Loop() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		ix, _ := benchIndex(benchEvents)
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/benchEvents, "heap-B/event")
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "heap-MiB")
		b.ReportMetric(float64(rssBytes())/(1<<20), "rss-MiB")
		b.ReportMetric(float64(after.Sys)/(1<<20), "sys-MiB")
		runtime.KeepAlive(ix)
	}
}

func rssBytes() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// BenchmarkIndex_Prune measures the periodic Prune of a 1M-event index: each
// operation advances the clock by one minute, expiring ~210 events (the workload
// spreads 1M events over 80 days), and prunes.
func BenchmarkIndex_Prune(b *testing.B) {
	g := newBenchGen(3)
	clk := &testClock{t: benchNow}
	ix := history.New(history.Config{Clock: clk, Retention: 80 * 24 * time.Hour})
	start := benchNow.Add(-80 * 24 * time.Hour)
	step := 80 * 24 * time.Hour / benchEvents
	for i := range benchEvents {
		ix.Add(g.event(uint64(i+1), start.Add(time.Duration(i)*step+2*time.Second)))
	}
	before := ix.Len()
	now := benchNow
	b.ResetTimer()
	for b.Loop() {
		now = now.Add(time.Minute)
		clk.Set(now)
		ix.Prune()
	}
	b.ReportMetric(float64(before-ix.Len())/float64(b.N), "dropped/op")
}
