package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"math/rand/v2"
	"time"
)

// AttrResult holds the LookupEvents figures of one lookup attribute.
type AttrResult struct {
	Key, Value string
	First      Summary // first page (MaxResults 50)
	Walk       Summary // pages 2..DeepPages+1 while following NextToken
	Deep       Summary // pages DeepPages+2.. , re-requested with saved tokens
	DeepFrom   int     // page number of the first timed deep page (0: no deep page)
	Depth      int     // pages that existed when the walk stopped (capped)
	PageEvents int     // events on the first page
	PageBytes  int     // response size of the first page
	Mismatch   int     // events on a first page that did not match the attribute
	tokens     []string
}

// LookupResults are the figures of phase 3.
type LookupResults struct {
	Region string
	Events float64 // cairn_history_events (all regions) at the start of the phase
	Attrs  []*AttrResult
	Runs   []LoadResult // mixed lookups at -lookup-concurrency
}

// deepTokens is how many saved NextTokens the deep-page timing cycles through.
const deepTokens = 10

// Lookup measures LookupEvents per attribute and mixed throughput.
func (b *Bench) Lookup(ctx context.Context) error {
	r := &b.res.Lookup
	r.Region = regions[0]
	r.Events, _ = b.srv.Metric("cairn_history_events")
	root := &User{Name: "root", Creds: b.srv.Root}
	user, keyUser := b.users[0], b.users[1%len(b.users)]
	r.Attrs = []*AttrResult{
		{Key: "", Value: ""},
		{Key: "EventId"},
		{Key: "EventName", Value: "GetTrail"},
		{Key: "ReadOnly", Value: "true"},
		{Key: "Username", Value: user.Name},
		{Key: "ResourceType", Value: "AWS::CloudTrail::Trail"},
		{Key: "ResourceName", Value: b.trailARN[0]},
		{Key: "EventSource", Value: "cloudtrail.amazonaws.com"},
		{Key: "AccessKeyId", Value: keyUser.Key},
	}
	call := func(body []byte) (*Response, *lookupPage, error) {
		resp, err := b.client.CloudTrail(ctx, root, regions[0], "LookupEvents", body)
		if err != nil {
			return nil, nil, err
		}
		if err := resp.Err("LookupEvents"); err != nil {
			return nil, nil, err
		}
		var p lookupPage
		if err := json.Unmarshal(resp.Body, &p); err != nil {
			return nil, nil, fmt.Errorf("decode LookupEvents: %w", err)
		}
		return resp, &p, nil
	}
	for _, a := range r.Attrs {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		name := a.Key
		if name == "" {
			name = "(none)"
		}
		if a.Key == "EventId" {
			if len(b.lookupIDs) == 0 {
				return fmt.Errorf("no EventIds collected for EventId lookups")
			}
			first := &Latencies{}
			for i := range b.o.Samples {
				id := b.lookupIDs[i*7919%len(b.lookupIDs)]
				resp, p, err := call(lookupBody("EventId", id, "", 50))
				if err != nil {
					return err
				}
				first.Add(resp.Latency)
				a.PageEvents, a.PageBytes = len(p.Events), len(resp.Body)
				if len(p.Events) != 1 || p.Events[0].EventId != id {
					a.Mismatch++
				}
			}
			a.First, a.Value = first.Summary(), fmt.Sprintf("%d ids seen while paging", len(b.lookupIDs))
			log.Printf("lookup %s: first %s, mismatches %d", name, fmtSummary(a.First), a.Mismatch)
			continue
		}

		// Follow NextToken DeepPages pages, then save the next deepTokens tokens.
		token := ""
		walk := &Latencies{}
		for page := 1; page <= b.o.DeepPages+deepTokens+1; page++ {
			resp, p, err := call(lookupBody(a.Key, a.Value, token, 50))
			if err != nil {
				return err
			}
			if page == 1 {
				a.PageEvents, a.PageBytes = len(p.Events), len(resp.Body)
				for _, e := range p.Events {
					if (a.Key == "EventName" && e.EventName != a.Value) || (a.Key == "Username" && e.Username != a.Value) {
						a.Mismatch++
					}
				}
			} else if page <= b.o.DeepPages+1 {
				walk.Add(resp.Latency)
			}
			if a.Key == "" && len(b.lookupIDs) < 5000 {
				for _, e := range p.Events {
					b.lookupIDs = append(b.lookupIDs, e.EventId)
				}
			}
			a.Depth = page
			if p.NextToken == "" {
				break
			}
			token = p.NextToken
			if page >= b.o.DeepPages+1 {
				a.tokens = append(a.tokens, token)
				if a.DeepFrom == 0 {
					a.DeepFrom = page + 1
				}
			}
		}
		a.Walk = walk.Summary()

		first, deep := &Latencies{}, &Latencies{}
		firstBody := lookupBody(a.Key, a.Value, "", 50)
		for i := range b.o.Samples {
			resp, err := b.client.CloudTrail(ctx, root, regions[0], "LookupEvents", firstBody)
			if err != nil {
				return err
			}
			if err := resp.Err("LookupEvents"); err != nil {
				return err
			}
			first.Add(resp.Latency)
			if len(a.tokens) == 0 {
				continue
			}
			resp, err = b.client.CloudTrail(ctx, root, regions[0], "LookupEvents", lookupBody(a.Key, a.Value, a.tokens[i%len(a.tokens)], 50))
			if err != nil {
				return err
			}
			if err := resp.Err("LookupEvents (deep)"); err != nil {
				return err
			}
			deep.Add(resp.Latency)
		}
		a.First, a.Deep = first.Summary(), deep.Summary()
		log.Printf("lookup %s: first %s; walk %s; deep (page %d+) %s; %d events/%d bytes per page",
			name, fmtSummary(a.First), fmtSummary(a.Walk), a.DeepFrom, fmtSummary(a.Deep), a.PageEvents, a.PageBytes)
	}

	// Mixed throughput: random attribute, first or deep page.
	rngs := make([]*rand.Rand, b.o.LookupConcurrency)
	for w := range rngs {
		rngs[w] = rand.New(rand.NewPCG(uint64(w)+101, 0xbeef))
	}
	step := func(ctx context.Context, w int, lat *Latencies) (int, error) {
		rng := rngs[w]
		a := r.Attrs[rng.IntN(len(r.Attrs))]
		var body []byte
		switch {
		case a.Key == "EventId":
			body = lookupBody("EventId", b.lookupIDs[rng.IntN(len(b.lookupIDs))], "", 50)
		case len(a.tokens) > 0 && rng.IntN(2) == 0:
			body = lookupBody(a.Key, a.Value, a.tokens[rng.IntN(len(a.tokens))], 50)
		default:
			body = lookupBody(a.Key, a.Value, "", 50)
		}
		resp, err := b.client.CloudTrail(ctx, root, regions[0], "LookupEvents", body)
		if err != nil {
			return 0, err
		}
		if err := resp.Err("LookupEvents"); err != nil {
			return 1, err
		}
		lat.Add(resp.Latency)
		return 1, nil
	}
	for run := range b.o.Runs {
		var perf *Perf
		if run == 0 {
			perf = b.StartPerf("lookup", b.srv.Pid())
		}
		res := RunLoad(ctx, b.srv, LoadSpec{Name: "lookups", Workers: b.o.LookupConcurrency, Duration: b.o.Duration}, step)
		perf.Stop()
		r.Runs = append(r.Runs, res)
		log.Printf("lookups c=%d run %d: %.0f/s, %s, errors %d, client CPU %.0f%%, server CPU %.0f%%", b.o.LookupConcurrency, run+1,
			res.Rate(), fmtSummary(res.Lat), res.Errors, cpuPct(res.ClientCPU, res.Elapsed), cpuPct(res.ServerCPU, res.Elapsed))
	}
	return nil
}

// RestartResults are the figures of phase 4.
type RestartResults struct {
	RSSBefore       int64
	Shutdown        time.Duration
	TimeToHealthy   time.Duration
	RSSAfter        int64 // at the first 200
	RSSSettled      int64 // 5 s later
	HistoryBefore   float64
	HistoryAfter    float64
	FirstLookupOK   bool
	FirstLookupTime time.Duration
}

// Restart stops the server with SIGTERM, starts it on the same data dir and times
// the replay of the event log into the history index.
func (b *Bench) Restart(ctx context.Context) error {
	r := &b.res.Restart
	r.RSSBefore, _ = b.srv.RSS()
	// Let the history follower catch up with the log, so before/after compare.
	for i := 0; i < 50; i++ {
		h, _ := b.srv.Metric("cairn_history_events")
		if i > 0 && h == r.HistoryBefore {
			break
		}
		r.HistoryBefore = h
		time.Sleep(100 * time.Millisecond)
	}
	d, err := b.srv.Stop(60 * time.Second)
	r.Shutdown = d
	if err != nil {
		return err
	}
	log.Printf("restart: stopped in %s; starting again on %s", d.Round(time.Millisecond), b.srv.DataDir)
	var perf *Perf
	b.srv.OnStart = func(pid int) { perf = b.StartPerf("restart", pid) }
	r.TimeToHealthy, err = b.srv.Start(ctx, 10*time.Minute)
	b.srv.OnStart = nil
	perf.Stop()
	if err != nil {
		return err
	}
	r.RSSAfter, _ = b.srv.RSS()
	r.HistoryAfter, _ = b.srv.Metric("cairn_history_events")
	root := &User{Name: "root", Creds: b.srv.Root}
	resp, err := b.client.CloudTrail(ctx, root, regions[0], "LookupEvents", lookupBody("", "", "", 50))
	if err == nil && resp.OK() {
		r.FirstLookupOK, r.FirstLookupTime = true, resp.Latency
	}
	select {
	case <-time.After(5 * time.Second):
	case <-ctx.Done():
	}
	r.RSSSettled, _ = b.srv.RSS()
	log.Printf("restart: healthy after %s, RSS %s (5 s later %s), history %0.f -> %0.f events",
		r.TimeToHealthy.Round(time.Millisecond), fmtBytes(r.RSSAfter), fmtBytes(r.RSSSettled), r.HistoryBefore, r.HistoryAfter)
	return nil
}
