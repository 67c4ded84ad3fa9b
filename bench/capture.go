package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"time"
)

// Regions the harness calls in; the first is where capture and lookups run.
var regions = [3]string{"us-east-1", "us-west-2", "eu-west-1"}

const benchTrail = "bench"

// Buckets of the benchmark's trails, created in the server's bucket root before it starts.
const (
	benchBucket    = "bench-bucket"     // benchTrail's
	benchTmpBucket = "bench-tmp-bucket" // ingest's CreateTrail+DeleteTrail churn
)

// CaptureResults are the figures of phase 1.
type CaptureResults struct {
	SignCost time.Duration // client CPU per signature
	IdleRuns []Summary     // GetTrail at concurrency 1, one per run
	Idle     Summary       // median of IdleRuns
	LoadRuns []LoadResult  // GetTrail at -concurrency, signed per request
	Reuse    *LoadResult   // same, signatures reused for up to 1 s
	Workers  int
	Durable  string // what "durable" means for the server as started
}

// Capture measures the overhead of a cheap call (GetTrail on an existing trail).
func (b *Bench) Capture(ctx context.Context) error {
	r := &b.res.Capture
	r.Workers = b.o.Concurrency
	r.Durable = "acknowledged by the embedded JetStream stream before the response (file store, default sync)"
	if b.o.SyncAlways {
		r.Durable = "fsynced by the embedded JetStream stream before the response (--sync-always)"
	}
	root := &User{Name: "root", Creds: b.srv.Root}
	for i, region := range regions {
		body := fmt.Appendf(nil, `{"Name":%q,"S3BucketName":%q}`, benchTrail, benchBucket)
		resp, err := b.client.CloudTrail(ctx, root, region, "CreateTrail", body)
		if err != nil {
			return err
		}
		if err := resp.Err("CreateTrail"); err != nil {
			return err
		}
		var out struct{ TrailARN string }
		if err := json.Unmarshal(resp.Body, &out); err != nil || out.TrailARN == "" {
			return fmt.Errorf("CreateTrail: no TrailARN in %s", resp.Body)
		}
		b.trailARN[i] = out.TrailARN
	}

	r.SignCost = SignCost(2000, 5)
	log.Printf("signing one request costs %s of client CPU", r.SignCost)

	getTrail := getTrailStep(b.client, root)
	// Warm up connections and the server.
	RunLoad(ctx, b.srv, LoadSpec{Name: "warm-up", Workers: b.o.Concurrency, Total: 2000}, getTrail)

	for run := range b.o.Runs {
		res := RunLoad(ctx, b.srv, LoadSpec{Name: "GetTrail c=1", Workers: 1, Total: int64(5 * b.o.Samples)}, getTrail)
		if res.Errors > 0 {
			return fmt.Errorf("GetTrail c=1: %d errors, first: %s", res.Errors, res.FirstError)
		}
		r.IdleRuns = append(r.IdleRuns, res.Lat)
		log.Printf("GetTrail c=1 run %d: %s", run+1, fmtSummary(res.Lat))
	}
	r.Idle = MedianSummary(r.IdleRuns)

	for run := range b.o.Runs {
		var perf *Perf
		if run == 0 {
			perf = b.StartPerf("capture", b.srv.Pid())
		}
		res := RunLoad(ctx, b.srv, LoadSpec{Name: "GetTrail c=N", Workers: b.o.Concurrency, Duration: b.o.Duration}, getTrail)
		perf.Stop()
		r.LoadRuns = append(r.LoadRuns, res)
		log.Printf("GetTrail c=%d run %d: %.0f calls/s, %s, errors %d, client CPU %.0f%%, server CPU %.0f%%",
			b.o.Concurrency, run+1, res.Rate(), fmtSummary(res.Lat), res.Errors, cpuPct(res.ClientCPU, res.Elapsed), cpuPct(res.ServerCPU, res.Elapsed))
	}

	reuse := NewClient(b.srv.URL, b.o.Concurrency+2)
	reuse.ReuseSignatures = true
	res := RunLoad(ctx, b.srv, LoadSpec{Name: "GetTrail c=N reused signatures", Workers: b.o.Concurrency, Duration: b.o.Duration}, getTrailStep(reuse, root))
	r.Reuse = &res
	log.Printf("GetTrail c=%d, signatures reused: %.0f calls/s, %s, client CPU %.0f%%, server CPU %.0f%%",
		b.o.Concurrency, res.Rate(), fmtSummary(res.Lat), cpuPct(res.ClientCPU, res.Elapsed), cpuPct(res.ServerCPU, res.Elapsed))
	return nil
}

func getTrailStep(c *Client, u *User) Step {
	body := fmt.Appendf(nil, `{"Name":%q}`, benchTrail)
	return func(ctx context.Context, _ int, lat *Latencies) (int, error) {
		resp, err := c.CloudTrail(ctx, u, regions[0], "GetTrail", body)
		if err != nil {
			return 0, err
		}
		if err := resp.Err("GetTrail"); err != nil {
			return 1, err
		}
		lat.Add(resp.Latency)
		return 1, nil
	}
}

// cpuPct is CPU time as a percentage of one core over elapsed.
func cpuPct(cpu, elapsed time.Duration) float64 {
	if elapsed <= 0 {
		return 0
	}
	return 100 * cpu.Seconds() / elapsed.Seconds()
}
