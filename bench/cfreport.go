package main

import (
	"fmt"
	"runtime"
	"strings"
	"time"
)

type writer func(format string, a ...any)

// bestPutKey is the PutKey configuration with the highest median rate.
func (r *CFResults) bestPutKey() (best *PutKeyConfig, rate float64) {
	for i := range r.PutKey {
		pr, _, _, _, _ := medianSDK(r.PutKey[i].Runs)
		if best == nil || pr > rate {
			best, rate = &r.PutKey[i], pr
		}
	}
	return best, rate
}

// summary writes the CloudFront suite's table against its targets. A latency target
// is judged on the wire latency (the CloudTrail suite's definition); the SDK call's
// own latency is shown beside it.
func (r *CFResults) summary(w writer) {
	w("## Summary against targets (CloudFront and KeyValueStore)\n\n")
	w("Latency targets are judged on the wire latency (signed request handed to the transport until the response body was read, as in the CloudTrail suite); the whole aws-sdk-go-v2 call is shown beside it.\n\n")
	w("| Figure | Wire | SDK call | Target | Result |\n|---|---|---|---|---|\n")
	lat := func(name string, runs []SDKRun, target time.Duration, note string) {
		_, wire, call, _, _ := medianSDK(runs)
		tgt, res := "(none given)", "–"
		if target > 0 {
			tgt = "< " + fmtDur(target) + note
			res = passFail(wire.N > 0 && wire.P50 < target)
			if wire.N > 0 && res == "PASS" && call.P50 >= target {
				res += " (SDK call over)"
			}
		}
		w("| %s p50 | %s | %s | %s | %s |\n", name, fmtDur(wire.P50), fmtDur(call.P50), tgt, res)
		w("| %s p99 | %s | %s | (none given) | – |\n", name, fmtDur(wire.P99), fmtDur(call.P99))
	}
	lat("CreateDistribution, c=1,", r.CreateIdle, 2*time.Millisecond, "")
	lat("UpdateDistribution, c=1,", r.UpdateIdle, 2*time.Millisecond, "")
	for _, t := range []struct {
		name string
		runs []SDKRun
	}{{"CreateDistribution", r.CreateLoad}, {"UpdateDistribution", r.UpdateLoad}} {
		rate, wire, call, _, _ := medianSDK(t.runs)
		w("| %s throughput, c=%d | %.0f calls/s (p50 %s, p99 %s) | p50 %s, p99 %s | (none given) | – |\n", t.name, r.Workers, rate, fmtDur(wire.P50), fmtDur(wire.P99), fmtDur(call.P50), fmtDur(call.P99))
	}
	lat(fmt.Sprintf("ListDistributions of %d, MaxItems 1000,", r.ListCount), r.ListAll, 20*time.Millisecond, " (moto: 74 ms for 50)")
	lat(fmt.Sprintf("ListDistributions of %d, MaxItems 1000, signed GET without SDK decoding,", r.ListCount), r.ListRaw, 20*time.Millisecond, "")
	lat(fmt.Sprintf("ListDistributions of %d, default page (100),", r.ListCount), r.ListPage, 20*time.Millisecond, "")
	lat(fmt.Sprintf("UpdateKeys of %d keys (store of %d keys), c=1,", 50, r.KVSKeys), r.UpdateKeys, 5*time.Millisecond, "")
	if best, rate := r.bestPutKey(); best != nil {
		_, wire, call, cp, sp := medianSDK(best.Runs)
		w("| PutKey sustained, every call recorded (best: %d store(s) × 1 worker; client CPU %.0f%%, server CPU %.0f%%) | %.0f calls/s (p50 %s) | p50 %s | ≥ 2,000 calls/s | %s |\n",
			best.Stores, cp, sp, rate, fmtDur(wire.P50), fmtDur(call.P50), passFail(rate >= 2000))
	}
	ok := r.Requests > 0 && r.Recorded >= float64(r.Requests)
	w("| Every call recorded: events recorded during the suite / SDK requests sent | %.0f / %d | | equal | %s |\n", r.Recorded, r.Requests, passFail(ok))
}

// markdown writes the CloudFront suite's detailed tables.
func (r *CFResults) markdown(w writer, o Options) {
	w("\n## 5. CloudFront control plane (aws-sdk-go-v2 cloudfront client)\n\n")
	w("Distributions: one custom origin, managed cache policy, no aliases; every update changes the Comment. Updates at c=1 go round robin over the distributions; at c=%d each worker updates its own share of the first %d, so no two writers race on an ETag. Wire = transport latency, call = whole SDK call; CPU is a percentage of one core.\n\n", r.Workers, o.Distributions)
	w("| Case | calls/s | wire p50 | wire p99 | wire max | SDK call p50 | SDK call p99 | errors | client CPU | server CPU | client CPU/call | server CPU/call |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	row := func(name string, runs []SDKRun, showRate bool) {
		if len(runs) == 0 {
			return
		}
		rate, wire, call, cp, sp := medianSDK(runs)
		errs, _ := sdkErrors(runs)
		var rates []string
		for _, x := range runs {
			rates = append(rates, fmt.Sprintf("%.0f", x.Load.Rate()))
		}
		rs := "–"
		if showRate {
			rs = fmt.Sprintf("%.0f", rate)
			if len(runs) > 1 {
				name += fmt.Sprintf(" (runs: %s calls/s)", strings.Join(rates, ", "))
			}
		}
		var ccpu, scpu time.Duration
		if rate > 0 {
			ccpu = time.Duration(cp / 100 * float64(time.Second) / rate)
			scpu = time.Duration(sp / 100 * float64(time.Second) / rate)
		}
		w("| %s | %s | %s | %s | %s | %s | %s | %d | %.0f%% | %.0f%% | %s | %s |\n", name, rs, fmtDur(wire.P50), fmtDur(wire.P99), fmtDur(wire.Max),
			fmtDur(call.P50), fmtDur(call.P99), errs, cp, sp, fmtDur(ccpu), fmtDur(scpu))
	}
	n := func(runs []SDKRun) string {
		if len(runs) == 0 {
			return "0"
		}
		return fmt.Sprintf("%d × %d calls", len(runs), runs[0].Load.Calls)
	}
	row("CreateDistribution c=1, "+n(r.CreateIdle), r.CreateIdle, true)
	row(fmt.Sprintf("CreateDistribution c=%d, fill to %d (%d calls)", r.Workers, r.ListCount, r.Fill.Load.Calls), []SDKRun{r.Fill}, true)
	row(fmt.Sprintf("CreateDistribution c=%d, %d × %s", r.Workers, len(r.CreateLoad), o.Duration), r.CreateLoad, true)
	row("UpdateDistribution c=1, "+n(r.UpdateIdle), r.UpdateIdle, true)
	row(fmt.Sprintf("UpdateDistribution c=%d, %d × %s", r.Workers, len(r.UpdateLoad), o.Duration), r.UpdateLoad, true)
	row(fmt.Sprintf("ListDistributions MaxItems 1000, %d distributions, c=1, %s", r.ListCount, n(r.ListAll)), r.ListAll, false)
	row(fmt.Sprintf("ListDistributions MaxItems 1000, %d distributions, signed GET without SDK decoding, c=1, %s", r.ListCount, n(r.ListRaw)), r.ListRaw, false)
	row(fmt.Sprintf("ListDistributions default page, %d distributions, c=1, %s", r.ListCount, n(r.ListPage)), r.ListPage, false)
	row(fmt.Sprintf("ListDistributions MaxItems 1000, %d distributions (after the throughput runs), c=1, %d calls", r.GrownCount, r.GrownAll.Load.Calls), []SDKRun{r.GrownAll}, false)
	row(fmt.Sprintf("ListDistributions default page, %d distributions (after the throughput runs), c=1, %d calls", r.GrownCount, r.GrownPage.Load.Calls), []SDKRun{r.GrownPage}, false)
	w("\nOrder: the c=1 figures, the lists of %d and the KeyValueStore phases (section 6) run first; the c=%d create and update runs come last and leave %d distributions, over which ListDistributions is timed again. Server RSS: %s at the start of the suite, %s after the throughput runs; server CPU with no calls in flight (5 s): %.0f%% after the KeyValueStore phases, %.0f%% after the throughput runs.\n",
		r.ListCount, r.Workers, r.GrownCount, fmtBytes(r.StartRSS), fmtBytes(r.GrownRSS), r.KVSIdleCPU, r.GrownIdleCPU)
	w("\nA MaxItems 1000 page of %d distributions is %s on the wire. Walking all %d distributions with the default page (%d pages, Marker/NextMarker, c=1, whole SDK calls): median %s over %d walks.\n",
		min(r.ListCount, 1000), fmtBytes(int64(r.ListBytes)), r.ListCount, r.ListPages, fmtDur(medianDur(r.ListWalk)), len(r.ListWalk))

	w("\n## 6. CloudFront KeyValueStore data plane (aws-sdk-go-v2 cloudfrontkeyvaluestore client, SigV4A)\n\n")
	w("UpdateKeys: 50 puts of random keys of a %d-key store, %d-byte values, each call with the ETag of the previous response. PutKey: N stores written in parallel, one worker per store chaining its store's ETag (a store serializes writes on its ETag, so more workers on one store only add ConflictExceptions), random keys of 1,000 per store, %d-byte values.\n\n", r.KVSKeys, cfValueBytes, cfValueBytes)
	w("| Case | calls/s | wire p50 | wire p99 | wire max | SDK call p50 | SDK call p99 | errors | client CPU | server CPU | client CPU/call | server CPU/call |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	row("UpdateKeys (50 keys) c=1, "+n(r.UpdateKeys), r.UpdateKeys, true)
	for _, pc := range r.PutKey {
		row(fmt.Sprintf("PutKey, %d store(s) × 1 worker, %d × %s", pc.Stores, len(pc.Runs), o.Duration), pc.Runs, true)
	}
	if best, rate := r.bestPutKey(); best != nil && rate > 0 {
		_, _, _, cp, sp := medianSDK(best.Runs)
		clientPer := time.Duration(cp / 100 * float64(time.Second) / rate)
		serverPer := time.Duration(sp / 100 * float64(time.Second) / rate)
		w("\nBest PutKey configuration: %d store(s), %.0f calls/s. Per call the client (SDK, SigV4A signing, TLS) used %s of CPU and the server %s: the client takes %.0f%% of the CPU the pair uses. ",
			best.Stores, rate, fmtDur(clientPer), fmtDur(serverPer), 100*cp/(cp+sp))
		if serverPer > 0 {
			perCore := float64(time.Second) / float64(serverPer)
			w("At %s of server CPU per call the server saturates one core at %.0f calls/s: even with all %d cores and a client that cost nothing, it would top out near %.0f calls/s.\n",
				fmtDur(serverPer), perCore, runtime.NumCPU(), perCore*float64(runtime.NumCPU()))
		} else {
			w("\n")
		}
	}
	w("\nEvents recorded during the CloudFront suite: %.0f; SDK requests sent (retries off, warm-up and setup included): %d.\n", r.Recorded, r.Requests)
}
