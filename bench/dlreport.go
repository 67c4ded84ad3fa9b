package main

import (
	"fmt"
	"strings"
	"time"
)

// Targets of the delivery suite.
const (
	dlTargetDone     = 60 * time.Second // last window delivered after the interval closed
	dlTargetP99Ratio = 1.2              // GetTrail p99 while delivering / idle
	dlTargetRSS      = 512 << 20        // RSS growth
)

func ratio(a, b time.Duration) float64 {
	if b <= 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func loadStats(v []float64) (mean, peak float64) {
	if len(v) == 0 {
		return 0, 0
	}
	var sum float64
	for _, x := range v {
		sum += x
		peak = max(peak, x)
	}
	return sum / float64(len(v)), peak
}

// catchUp is how long after the pulse its events' files were written.
func (p *dlPulse) catchUp() string {
	if !p.CatchUpDone {
		return "not seen"
	}
	return fmtDur(p.CatchUpDur)
}

// pulseRatios are the pulses' own ratios of catch-up + delivery p99 to the median
// p99 of as many calls of their own idle.
func (r *DeliveryResults) pulseRatios() []float64 {
	var out []float64
	for _, p := range r.Pulses {
		if p.AfterVsQuiet.Stretch > 0 {
			out = append(out, p.AfterVsQuiet.Ratio())
		}
	}
	return out
}

// summary writes the delivery suite's table against the targets.
func (r *DeliveryResults) summary(w writer, o Options) {
	w("## Summary against targets (trail delivery to S3)\n\n")
	mean, peak := loadStats(r.LoadDuring)
	w("%d events through one multi-Region trail to versitygw in %d pulses, delivery interval %s. Load average (1 min) before the suite %s; during ingest and delivery mean %.1f, peak %.1f.\n\n",
		r.Ingest.Calls, len(r.Pulses), r.Interval, r.LoadBefore, mean, peak)
	w("| Figure | Measured | Target | Result |\n|---|---|---|---|\n")
	if wp := r.worst(); wp != nil {
		done := fmtDur(wp.DoneAfter)
		if !wp.Done {
			done = "not within " + fmtDur(wp.DoneAfter)
		}
		var each []string
		for _, p := range r.Pulses {
			each = append(each, fmtDur(p.DoneAfter))
		}
		w("| Every window holding a pulse's last events delivered, after its interval closed: the slowest (events %d–%d, %d records in %d files) | %s (each pulse: %s) | ≤ 60 s | %s |\n",
			wp.Window.FirstSeq, wp.Window.LastSeq, wp.Window.Records, wp.Window.Files, done, strings.Join(each, ", "), passFail(r.allDone()))
	}
	w("| GetTrail p99 (c=1) while delivery works on a pulse's events after it ended (its files written up to its last event, then its window closed, finished and stored), all pulses pooled / idle before the ingest | %s / %s = %.2f× (n=%d / %d) | ≤ 1.2× | %s |\n",
		fmtDur(r.After.P99), fmtDur(r.Idle.P99), ratio(r.After.P99, r.Idle.P99), r.After.N, r.Idle.N,
		passFail(r.After.N > 0 && r.Idle.N > 0 && ratio(r.After.P99, r.Idle.P99) <= dlTargetP99Ratio))
	w("| GetTrail p99 (c=1) while the windows are delivered (boundary → delivered), all pulses pooled / idle before the ingest | %s / %s = %.2f× (n=%d / %d) | ≤ 1.2× | %s |\n",
		fmtDur(r.During.P99), fmtDur(r.Idle.P99), ratio(r.During.P99, r.Idle.P99), r.During.N, r.Idle.N,
		passFail(r.During.N > 0 && r.Idle.N > 0 && ratio(r.During.P99, r.Idle.P99) <= dlTargetP99Ratio))
	w("| GetTrail p99 (c=1), the same pooled catch-up and delivery, against the idle around them (after each catch-up until the boundary, and after each delivery: the same minutes, the same heap) | %s / %s = %.2f× (n=%d / %d) | ≤ 1.2× | %s |\n",
		fmtDur(r.After.P99), fmtDur(r.Quiet.P99), ratio(r.After.P99, r.Quiet.P99), r.After.N, r.Quiet.N,
		passFail(r.After.N > 0 && r.Quiet.N > 0 && ratio(r.After.P99, r.Quiet.P99) <= dlTargetP99Ratio))
	w("| GetTrail p99 (c=1), the windows delivered (boundary → delivered) alone, against the idle around them | %s / %s = %.2f× (n=%d / %d) | ≤ 1.2× | %s |\n",
		fmtDur(r.During.P99), fmtDur(r.Quiet.P99), ratio(r.During.P99, r.Quiet.P99), r.During.N, r.Quiet.N,
		passFail(r.During.N > 0 && r.Quiet.N > 0 && ratio(r.During.P99, r.Quiet.P99) <= dlTargetP99Ratio))
	stretch := func(what string, c StretchCompare) {
		if c.Stretch == 0 {
			w("| GetTrail p99 (c=1), %s, against stretches of as many calls of the idle around them | – (the idle around them has fewer than %d calls) | (information) | – |\n", what, c.N)
			return
		}
		w("| GetTrail p99 (c=1), %s, against consecutive stretches of as many calls (%d) of the idle around them | %s against a median of %s over %d stretches = %.2f×; %d of the %d stretches had a p99 at least as high | (information) | – |\n",
			what, c.N, fmtDur(c.P99), fmtDur(c.Median), c.Stretch, c.Ratio(), c.AtLeast, c.Stretch)
	}
	stretch("catch-up and delivery pooled", r.AfterVsQuiet)
	stretch("the deliveries alone pooled", r.DuringVsQuiet)
	if rs := r.pulseRatios(); len(rs) > 0 {
		var each []string
		for _, x := range rs {
			each = append(each, fmt.Sprintf("%.2f", x))
		}
		w("| Each pulse alone: its catch-up and delivery p99 against stretches of as many calls of its own idle (median of the pulses) | %.2f× (each: %s) | (information) | – |\n",
			medianF(rs), strings.Join(each, ", "))
	}
	w("| GetTrail p50 (c=1) while the windows are delivered / idle before the ingest | %s / %s = %.2f× | (none given) | – |\n",
		fmtDur(r.During.P50), fmtDur(r.Idle.P50), ratio(r.During.P50, r.Idle.P50))
	// From before the idle figure, not from the start of the ingest: the idle
	// figure's own calls (some 70,000 events with its warm-up) grow the server too.
	growth := r.RSSPeak - r.RSSBeforeIdle
	w("| Server RSS growth, before the idle figure (the trail logging, no events yet) → peak through the end of delivery | +%s (%s → %s) | < 512 MiB | %s |\n",
		fmtBytes(growth), fmtBytes(r.RSSBeforeIdle), fmtBytes(r.RSSPeak), passFail(r.RSSBeforeIdle > 0 && growth < dlTargetRSS))
	v := &r.Verify
	want := v.RecordedDelta
	if v.StartLoggingIncluded {
		want++
	}
	w("| Every event delivered exactly once: records in the bucket / events recorded after StartLogging | %d / %.0f (%d files; missing %d, duplicated %d, extra %d; duplicate eventIDs %d) | equal | %s |\n",
		v.Records, want, v.Objects, v.Missing, v.Duplicated, v.Extra, v.DupEventIDs, passFail(v.OK()))
}

// markdown writes the delivery suite's details.
func (r *DeliveryResults) markdown(w writer, o Options) {
	w("\n## 7. Trail delivery to S3 (versitygw)\n\n")
	w("The server runs with `--delivery-interval %s --s3-endpoint <versitygw> --s3-region us-east-1` (path-style) and delivers to a local versitygw (%s, posix backend%s). ",
		r.Interval, r.GW, map[bool]string{true: ", metadata in a sidecar dir: the temp dir has no user xattrs", false: ""}[r.GWSidecar])
	w("One trail, `%s`, multi-Region (home us-east-1), all management events, bucket `%s`, logging from before the idle figure. ", dlTrail, dlBucket)
	w("The ingest is %d calls of root at c=%d over %s weighted %d/%d/%d %% (%s), in pulses: each runs until %s before a window closes (leaving it at least %s), the last until the calls are made; delivery runs in the background, as the server schedules it. ",
		o.Events, o.Concurrency, strings.Join(regions[:], ", "), regionWeights[0], regionWeights[1], regionWeights[2], dlMixString(r.IngestMix), r.Lead, r.Lead)
	w("A c=1 GetTrail probe runs beside it (one call, then a %s pause), and back to back from the end of each pulse: until `cairn_delivery_built_seq` covers the pulse's last event (the server writes the open window's log files as events arrive, once a second) its calls count as catch-up, then as idle until the window closes. ", r.ProbePause)
	w("From that boundary `/_cairn/metrics` is polled every 200 ms; the window counts as delivered at the first poll where the planned cursor covers the pulse's last event and no job is pending. ")
	w("The probe's calls from the boundary until then count as delivery, and after it as idle again for as long as the delivery took and at least min(5 s, interval/8) (10 s after the last pulse); then the next pulse begins. ")
	w("The judged figures pool every pulse's samples: catch-up and delivery against the idle before the ingest (the issue's \"idle figure\") and against the idle around them (the same minutes and heap). ")
	w("Then the probe's own events are delivered at the next boundary and the harness lists the bucket, reads every file back (gunzip, JSON), checks each key against AWS's layout and the request id of every call it made after StartLogging against the records' `requestID`.\n\n")

	w("| Figure | Value |\n|---|---|\n")
	mean, peak := loadStats(r.LoadDuring)
	w("| Load average | before the suite %s (1/5/15 min); during ingest + delivery mean %.1f, peak %.1f (%d samples, every 5 s) |\n", r.LoadBefore, mean, peak, len(r.LoadDuring))
	w("| Machine before the idle figure | %.0f%% of CPU idle over a second, after waiting %s for %.0f%% (at most 1 min) |\n", 100*r.QuietIdle, fmtDur(r.QuietWait), 100*quietIdle)
	trunc := ""
	if r.Truncated {
		trunc = " — stopped by -max-ingest"
	}
	w("| Ingest | %d calls in %d pulses, %s of ingest in all = %.0f events/s at c=%d (%d errors)%s; regions %d/%d/%d calls |\n", r.Ingest.Calls, len(r.Pulses), r.Ingest.Elapsed.Round(time.Millisecond),
		r.Ingest.Rate(), o.Concurrency, r.Ingest.Errors, trunc, r.RegionCounts[0], r.RegionCounts[1], r.RegionCounts[2])
	w("| Ingest call latency | p50 %s, p99 %s, max %s; client CPU %.0f%%, server CPU %.0f%% of one core |\n", fmtDur(r.Ingest.Lat.P50), fmtDur(r.Ingest.Lat.P99), fmtDur(r.Ingest.Lat.Max),
		cpuPct(r.Ingest.ClientCPU, r.Ingest.Elapsed), cpuPct(r.Ingest.ServerCPU, r.Ingest.Elapsed))
	w("| Log position | %d after StartLogging, %d when the last pulse ended |\n", r.SeqStart, r.SeqEnd)
	w("| Server RSS | before the idle figure %s, start of ingest %s, end of the last pulse %s, peak %s, when its window was delivered %s (sampled every 1 s) |\n",
		fmtBytes(r.RSSBeforeIdle), fmtBytes(r.RSSStart), fmtBytes(r.RSSIngestEnd), fmtBytes(r.RSSPeak), fmtBytes(r.RSSEnd))
	var rise int64
	riseAt := ""
	for _, win := range r.Windows {
		if d := win.RSSPeak - win.RSSBefore; win.RSSBefore > 0 && d > rise {
			rise, riseAt = d, win.Seen.UTC().Format("15:04:05")
		}
	}
	if riseAt != "" {
		w("| Largest RSS rise while a window was delivered | +%s (window planned %s UTC; see the windows table) |\n", fmtBytes(rise), riseAt)
	}
	w("| cairn_delivery_failures_total at the end | %.0f |\n", r.FailuresTotal)

	w("\nEach pulse and the delivery of the window holding its last events (delivered: from the window's close until a poll saw every event of the pulse delivered; CPU from the close until then, as %% of one core):\n\n")
	w("| Pulse | calls | ingest | events/s | window closed (UTC) | after the pulse | catch-up | window: events, records, files | delivered after | CPU server / versitygw / harness: before the boundary; while delivering | GC idle before; while delivering |\n|---|---|---|---|---|---|---|---|---|---|---|\n")
	for i, p := range r.Pulses {
		done := fmtDur(p.DoneAfter)
		if !p.Done {
			done = "**not delivered** within " + done
		}
		w("| %d | %d | %s | %.0f | %s | %s | %s | %d–%d, %d, %d | %s | %.0f%% / %.0f%% / %.0f%%; %.0f%% / %.0f%% / %.0f%% | %s; %s |\n", i+1, p.Ingest.Calls, p.Ingest.Elapsed.Round(100*time.Millisecond), p.Ingest.Rate(),
			p.Boundary.UTC().Format("15:04:05"), fmtDur(p.WaitToBoundary), p.catchUp(), p.Window.FirstSeq, p.Window.LastSeq, p.Window.Records, p.Window.Files, done,
			cpuPct(p.QuietServerCPU, p.QuietGC.Dur), cpuPct(p.QuietGWCPU, p.QuietGC.Dur), cpuPct(p.QuietClientCPU, p.QuietGC.Dur),
			cpuPct(p.ServerCPU, p.DoneAfter), cpuPct(p.GWCPU, p.DoneAfter), cpuPct(p.ClientCPU, p.DoneAfter), p.QuietGC, p.DuringGC)
	}

	w("\nGetTrail at c=1 (us-east-1, by name), latency as in section 1:\n\n| When | calls | p50 | p99 | max | p99 / idle p99 |\n|---|---|---|---|---|---|\n")
	row := func(name string, s Summary) {
		w("| %s | %d | %s | %s | %s | %.2f× |\n", name, s.N, fmtDur(s.P50), fmtDur(s.P99), fmtDur(s.Max), ratio(s.P99, r.Idle.P99))
	}
	row(fmt.Sprintf("Idle before the ingest (no ingest, no delivery pass), median of %d runs", len(r.IdleRuns)), r.Idle)
	for i, s := range r.IdleRuns {
		row(fmt.Sprintf("Idle run %d", i+1), s)
	}
	row("**Catch-up and delivery, all pulses pooled**", r.After)
	row("Catch-up alone (after each pulse, while its files are still written), pooled", r.CatchUp)
	row("Delivery alone (boundary → delivered, no other calls), pooled", r.During)
	row("**Idle around them** (before each boundary after the catch-up, and after each delivery), pooled", r.Quiet)
	for i, p := range r.Pulses {
		row(fmt.Sprintf("Pulse %d: catch-up (%s) and delivery (%s)", i+1, p.catchUp(), fmtDur(p.DoneAfter)), p.After)
		row(fmt.Sprintf("Pulse %d: idle before the boundary / after the delivery / both", i+1), p.Quiet)
	}
	row(fmt.Sprintf("During the pulses (c=%d beside it), a delivery job pending", o.Concurrency), r.IngestPass)
	row(fmt.Sprintf("During the pulses (c=%d beside it), no delivery job pending", o.Concurrency), r.IngestNoPass)
	row("All probe calls", r.Whole)

	if len(r.Windows) > 0 {
		w("\nWindows as the metrics poller saw them (planned = first poll that saw the cursor move; delivered = first poll with no job pending; 200 ms resolution):\n\n")
		w("| Planned (UTC) | events | records delivered | files | delivery time | records/s | server RSS before → peak while delivering | |\n|---|---|---|---|---|---|---|---|\n")
		for _, win := range r.Windows {
			note := ""
			for i, p := range r.Pulses {
				if win.FirstSeq == p.Window.FirstSeq {
					note = fmt.Sprintf("holds the last events of pulse %d", i+1)
				}
			}
			if !win.Done {
				note = strings.TrimPrefix(note+"; next window planned before a poll saw no job pending", "; ")
			}
			rate := "–"
			if win.Dur > 0 {
				rate = fmt.Sprintf("%.0f", win.Rate())
			}
			w("| %s | %d–%d (%d) | %d | %d | %s | %s | %s → %s | %s |\n", win.Seen.UTC().Format("15:04:05.0"), win.FirstSeq, win.LastSeq, win.LastSeq-win.FirstSeq+1,
				win.Records, win.Files, fmtDur(win.Dur), rate, fmtBytes(win.RSSBefore), fmtBytes(win.RSSPeak), note)
		}
	}

	v := &r.Verify
	w("\n**Read back.** ")
	if !v.Ran {
		w("Not run.\n")
		return
	}
	w("%d objects (%s) listed and read in %s: %d records (`cairn_delivery_records_total` %.0f); events recorded after StartLogging %.0f; StartLogging's own event delivered: %v. ",
		v.Objects, fmtBytes(v.Bytes), v.Elapsed.Round(time.Millisecond), v.Records, v.MetricRecords, v.RecordedDelta, v.StartLoggingIncluded)
	w("Keys off AWS's layout (or with account/region/date parts that disagree): %d%s; records whose region or account disagree with their key: %d; duplicate eventIDs: %d. ",
		v.BadKeys, map[bool]string{true: " (first: `" + v.BadKey + "`)", false: ""}[v.BadKey != ""], v.Mismatch, v.DupEventIDs)
	w("Of the %d calls the harness made after StartLogging (every answered call's `x-amzn-RequestId`), %d are in no file and %d in more than one; %d records are of no such call; %d calls got no answer. ",
		v.Issued, v.Missing, v.Duplicated, v.Extra, v.Unanswered)
	if v.Problem != "" {
		w("Problem: %s. ", v.Problem)
	}
	w("Verdict: %s.\n", passFail(v.OK()))
}

func dlMixString(counts map[string]int64) string {
	var parts []string
	for _, m := range dlMix {
		parts = append(parts, fmt.Sprintf("%s %d", m.op, counts[m.op]))
	}
	return strings.Join(parts, ", ")
}
