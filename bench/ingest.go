package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"time"
)

// IngestResults are the figures of phase 2.
type IngestResults struct {
	Users        int
	Load         LoadResult
	PeakRSS      int64
	EndRSS       int64
	StartRSS     int64
	DiskBytes    int64
	HistoryLen   float64 // cairn_history_events after ingest
	Recorded     float64 // cairn_events_recorded_total after ingest
	OpCounts     map[string]int64
	OpLat        map[string]Summary // call latency by operation during the ingest
	OpsBefore    []OpCost           // each operation alone, before the ingest
	OpsAfter     []OpCost           // the same after it
	TmpTrails    int64              // temporary trails created and deleted
	RegionCounts [3]int64
	Truncated    bool // stopped by -max-ingest
}

// VisibilityResults are the figures of the "visible in LookupEvents" check.
type VisibilityResults struct {
	Lat      Summary
	Polls    int // LookupEvents polls made in total
	Missed   int // probes not visible within the 10 s bound
	Over1s   int
	EventIDs int // probes whose EventId lookup returned the event
}

// Ingest operation mix, in parts per 1000 calls. CreateTrail/DeleteTrail come as a
// pair (two calls) on a temporary trail.
var ingestMix = []struct {
	op     string
	weight int
}{
	{"GetTrail", 250},
	{"GetTrailStatus", 200},
	{"DescribeTrails", 150},
	{"ListTrails", 150},
	{"GetCallerIdentity", 245},
	{"CreateTrail+DeleteTrail", 5},
}

// Region weights (percent) of the ingest: most traffic in the first region, where the
// lookups run.
var regionWeights = [3]int{60, 25, 15}

// tmpTrailSlots bounds the temporary trails per region (CloudTrail allows 5 trails
// per region; one is the bench trail).
const tmpTrailSlots = 3

func (b *Bench) setupUsers(ctx context.Context) error {
	var key struct {
		AccessKey struct{ AccessKeyId, SecretAccessKey string }
	}
	for i := range b.o.Users + 1 {
		name := fmt.Sprintf("bench-user-%02d", i)
		if i == b.o.Users {
			name = "bench-probe"
		}
		if err := b.srv.Admin(ctx, nil, "create-user", "--user-name", name); err != nil {
			return err
		}
		if err := b.srv.Admin(ctx, &key, "create-access-key", "--user-name", name); err != nil {
			return err
		}
		u := User{Name: name, Creds: Creds{key.AccessKey.AccessKeyId, key.AccessKey.SecretAccessKey}}
		if u.Key == "" || u.Secret == "" {
			return fmt.Errorf("create-access-key %s: no key in output", name)
		}
		if i == b.o.Users {
			b.probe = u
		} else {
			b.users = append(b.users, u)
		}
	}
	return nil
}

// Ingest drives -events cheap calls from several users in three regions while
// sampling the server's RSS.
func (b *Bench) Ingest(ctx context.Context) error {
	r := &b.res.Ingest
	log.Printf("creating %d IAM users with cairn admin", b.o.Users+1)
	if err := b.setupUsers(ctx); err != nil {
		return err
	}
	r.Users = len(b.users)
	ingestMix[0].weight += ingestMix[len(ingestMix)-1].weight - b.o.Churn
	ingestMix[len(ingestMix)-1].weight = b.o.Churn
	r.OpsBefore = b.MeasureOps(ctx, "before ingest")
	callers := append([]User{{Name: "root", Creds: b.srv.Root}}, b.users...)

	var slots [3]chan struct{}
	for i := range slots {
		slots[i] = make(chan struct{}, tmpTrailSlots)
	}
	var tmpSeq atomic.Int64
	var opCounts [8]atomic.Int64
	var regionCounts [3]atomic.Int64
	opLats := make([][]*Latencies, b.o.Concurrency) // [worker][op]
	for w := range opLats {
		opLats[w] = []*Latencies{}
		for range len(ingestMix) + 1 {
			opLats[w] = append(opLats[w], &Latencies{})
		}
	}
	rngs := make([]*rand.Rand, b.o.Concurrency)
	for w := range rngs {
		rngs[w] = rand.New(rand.NewPCG(uint64(w)+1, 0xcafe))
	}
	getBody := fmt.Appendf(nil, `{"Name":%q}`, benchTrail)
	describeBody := fmt.Appendf(nil, `{"trailNameList":[%q]}`, benchTrail)

	step := func(ctx context.Context, w int, lat *Latencies) (int, error) {
		rng := rngs[w]
		u := &callers[rng.IntN(len(callers))]
		ri, x := 0, rng.IntN(100)
		for x >= regionWeights[ri] {
			x -= regionWeights[ri]
			ri++
		}
		region := regions[ri]
		regionCounts[ri].Add(1)
		oi, y := 0, rng.IntN(1000)
		for y >= ingestMix[oi].weight {
			y -= ingestMix[oi].weight
			oi++
		}
		opCounts[oi].Add(1)
		ol := opLats[w][oi]
		call := func(op string, body []byte) error {
			resp, err := b.client.CloudTrail(ctx, u, region, op, body)
			if err != nil {
				return err
			}
			lat.Add(resp.Latency)
			if op == "DeleteTrail" {
				opLats[w][len(ingestMix)].Add(resp.Latency)
			} else {
				ol.Add(resp.Latency)
			}
			return resp.Err(op)
		}
		switch op := ingestMix[oi].op; op {
		case "GetCallerIdentity":
			resp, err := b.client.STSGetCallerIdentity(ctx, u, region)
			if err != nil {
				return 0, err
			}
			lat.Add(resp.Latency)
			ol.Add(resp.Latency)
			return 1, resp.Err(op)
		case "GetTrail", "GetTrailStatus":
			return 1, call(op, getBody)
		case "DescribeTrails":
			return 1, call(op, describeBody)
		case "ListTrails":
			return 1, call(op, []byte("{}"))
		default:
			select {
			case slots[ri] <- struct{}{}:
			case <-ctx.Done():
				return 0, nil
			}
			defer func() { <-slots[ri] }()
			name := fmt.Sprintf("bench-tmp-%d", tmpSeq.Add(1))
			if err := call("CreateTrail", fmt.Appendf(nil, `{"Name":%q,"S3BucketName":%q}`, name, benchTmpBucket)); err != nil {
				return 1, err
			}
			return 2, call("DeleteTrail", fmt.Appendf(nil, `{"Name":%q}`, name))
		}
	}

	r.StartRSS, _ = b.srv.RSS()
	rss := SampleRSS(b.srv, time.Second)
	perf := b.StartPerf("ingest", b.srv.Pid())
	perfStop := time.AfterFunc(b.o.Duration, perf.Stop)
	ictx, cancel := context.WithTimeout(ctx, b.o.MaxIngest)
	defer cancel()
	var last int64
	var lastT time.Duration
	r.Load = RunLoad(ictx, b.srv, LoadSpec{Name: "ingest", Workers: b.o.Concurrency, Total: int64(b.o.Events),
		Tick: func(calls int64, el time.Duration) {
			if el-lastT < 10*time.Second && calls < int64(b.o.Events) {
				return
			}
			log.Printf("ingest: %d/%d events, %.0f/s (last %.0fs: %.0f/s), RSS %s",
				calls, b.o.Events, float64(calls)/el.Seconds(), (el - lastT).Seconds(),
				float64(calls-last)/(el-lastT).Seconds(), fmtBytes(rss.Current()))
			last, lastT = calls, el
		}}, step)
	if perfStop.Stop() {
		perf.Stop()
	}
	r.PeakRSS, r.EndRSS = rss.Stop()
	r.Truncated = r.Load.Calls < int64(b.o.Events)
	r.DiskBytes = b.srv.DiskBytes()
	r.HistoryLen, _ = b.srv.Metric("cairn_history_events")
	r.Recorded, _ = b.srv.Metric("cairn_events_recorded_total")
	r.OpCounts = map[string]int64{}
	for i, m := range ingestMix {
		r.OpCounts[m.op] = opCounts[i].Load()
	}
	r.OpLat = map[string]Summary{}
	for i := range len(ingestMix) + 1 {
		all := &Latencies{}
		for w := range opLats {
			all.Merge(opLats[w][i])
		}
		name := "DeleteTrail"
		if i < len(ingestMix) {
			name = ingestMix[i].op
		}
		r.OpLat[name] = all.Summary()
	}
	r.TmpTrails = tmpSeq.Load()
	for i := range regionCounts {
		r.RegionCounts[i] = regionCounts[i].Load()
	}
	log.Printf("ingest: %d events in %s = %.0f/s, %s, errors %d, peak RSS %s, disk %s",
		r.Load.Calls, r.Load.Elapsed.Round(time.Millisecond), r.Load.Rate(), fmtSummary(r.Load.Lat), r.Load.Errors, fmtBytes(r.PeakRSS), fmtBytes(r.DiskBytes))
	r.OpsAfter = b.MeasureOps(ctx, "after ingest")
	if r.Load.Errors > r.Load.Calls/1000 {
		return fmt.Errorf("ingest: %d errors, first: %s", r.Load.Errors, r.Load.FirstError)
	}
	return nil
}

// lookupPage is the part of a LookupEvents response the harness reads.
type lookupPage struct {
	Events []struct {
		EventId, EventName, Username, CloudTrailEvent string
	}
	NextToken string
}

func lookupBody(key, value, token string, maxResults int) []byte {
	m := map[string]any{"MaxResults": maxResults}
	if key != "" {
		m["LookupAttributes"] = []map[string]string{{"AttributeKey": key, "AttributeValue": value}}
	}
	if token != "" {
		m["NextToken"] = token
	}
	b, _ := json.Marshal(m)
	return b
}

// Visibility times, for fresh calls, the delay from the call's response to its
// event being returned by LookupEvents (polled every 5 ms).
func (b *Bench) Visibility(ctx context.Context) error {
	r := &b.res.Visibility
	root := &User{Name: "root", Creds: b.srv.Root}
	getBody := fmt.Appendf(nil, `{"Name":%q}`, benchTrail)
	// The probe user makes the call; root polls Username=bench-probe, so that the
	// polls (themselves recorded under root) never hide the probe's event.
	poll := lookupBody("Username", b.probe.Name, "", 1)
	lat := &Latencies{}
	for i := range b.o.Probes {
		resp, err := b.client.CloudTrail(ctx, &b.probe, regions[0], "GetTrail", getBody)
		if err != nil {
			return err
		}
		if err := resp.Err("GetTrail"); err != nil {
			return err
		}
		answered := time.Now()
		needle := `"requestID":"` + resp.RequestID + `"`
		var found string
		for time.Since(answered) < 10*time.Second && ctx.Err() == nil {
			r.Polls++
			pr, err := b.client.CloudTrail(ctx, root, regions[0], "LookupEvents", poll)
			if err != nil {
				return err
			}
			if err := pr.Err("LookupEvents"); err != nil {
				return err
			}
			var p lookupPage
			if err := json.Unmarshal(pr.Body, &p); err != nil {
				return fmt.Errorf("decode LookupEvents: %w", err)
			}
			if len(p.Events) > 0 && strings.Contains(p.Events[0].CloudTrailEvent, needle) {
				found = p.Events[0].EventId
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		if found == "" {
			r.Missed++
			continue
		}
		d := time.Since(answered)
		lat.Add(d)
		if d > time.Second {
			r.Over1s++
		}
		// The same event by EventId (not timed).
		er, err := b.client.CloudTrail(ctx, root, regions[0], "LookupEvents", lookupBody("EventId", found, "", 50))
		if err == nil && er.OK() {
			var p lookupPage
			if json.Unmarshal(er.Body, &p) == nil && len(p.Events) == 1 && p.Events[0].EventId == found {
				r.EventIDs++
			}
		}
		if i%10 == 9 {
			log.Printf("visibility: %d/%d probes", i+1, b.o.Probes)
		}
		time.Sleep(20 * time.Millisecond)
	}
	r.Lat = lat.Summary()
	log.Printf("visibility: %s, missed %d, >1s %d, EventId lookups ok %d/%d", fmtSummary(r.Lat), r.Missed, r.Over1s, r.EventIDs, b.o.Probes)
	if r.Missed > 0 {
		return fmt.Errorf("%d of %d probe events were not visible within 10 s", r.Missed, b.o.Probes)
	}
	return nil
}
