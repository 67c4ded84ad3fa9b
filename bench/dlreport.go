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
	dlMinSamples     = 200              // below this the final-window p99 is thin
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

// catchUp is how long after the ingest its events' files were written.
func (r *DeliveryResults) catchUp() string {
	if !r.CatchUpDone {
		return "not seen"
	}
	return fmtDur(r.CatchUpDur)
}

// summary writes the delivery suite's table against the targets.
func (r *DeliveryResults) summary(w writer, o Options) {
	w("## Summary against targets (trail delivery to S3)\n\n")
	mean, peak := loadStats(r.LoadDuring)
	w("%d events through one multi-Region trail to versitygw, delivery interval %s. Load average (1 min) before the suite %s; during ingest and delivery mean %.1f, peak %.1f.\n\n",
		r.Ingest.Calls, r.Interval, r.LoadBefore, mean, peak)
	w("| Figure | Measured | Target | Result |\n|---|---|---|---|\n")
	done := fmtDur(r.DoneAfter)
	if !r.Done {
		done = "not within " + fmtDur(r.DoneAfter)
	}
	w("| Last window (events %d–%d) delivered, after the interval closed | %s (planned %s after; %d records in %d files in %s = %.0f records/s) | ≤ 60 s | %s |\n",
		r.Final.FirstSeq, r.Final.LastSeq, done, fmtDur(r.PlannedAfter), r.Final.Records, r.Final.Files, fmtDur(r.Final.Dur), r.Final.Rate(),
		passFail(r.Done && r.DoneAfter <= dlTargetDone))
	thin := ""
	if r.During.N < dlMinSamples {
		thin = fmt.Sprintf(" — only %d samples (< %d): see the whole-period row", r.During.N, dlMinSamples)
	}
	catchUp := r.catchUp()
	w("| GetTrail p99 (c=1) while delivery works on the ingest's events after it ended (its files written up to the last event %s after it ended, then the last window closed, finished and stored) / idle | %s / %s = %.2f× (n=%d / %d) | ≤ 1.2× | %s |\n",
		catchUp, fmtDur(r.After.P99), fmtDur(r.Idle.P99), ratio(r.After.P99, r.Idle.P99), r.After.N, r.Idle.N,
		passFail(r.After.N > 0 && r.Idle.N > 0 && ratio(r.After.P99, r.Idle.P99) <= dlTargetP99Ratio))
	w("| GetTrail p99 (c=1) while the last window is delivered (boundary → delivered) / idle | %s / %s = %.2f× (n=%d / %d)%s | ≤ 1.2× | %s |\n",
		fmtDur(r.During.P99), fmtDur(r.Idle.P99), ratio(r.During.P99, r.Idle.P99), r.During.N, r.Idle.N, thin,
		passFail(r.During.N > 0 && r.Idle.N > 0 && ratio(r.During.P99, r.Idle.P99) <= dlTargetP99Ratio))
	stretch := func(what string, c StretchCompare) {
		if c.Stretch == 0 {
			w("| GetTrail p99 (c=1), %s, against stretches of as many calls of the idle around it | – (the idle around it has fewer than %d calls) | ≤ 1.2× | – |\n", what, c.N)
			return
		}
		w("| GetTrail p99 (c=1), %s, against stretches of as many calls (%d) of the idle around it (after the ingest, before the boundary and after the delivery: the same minutes, the same heap) | %s against a median of %s over %d stretches = %.2f×; %d of the %d stretches had a p99 at least as high | ≤ 1.2× | %s |\n",
			what, c.N, fmtDur(c.P99), fmtDur(c.Median), c.Stretch, c.Ratio(), c.AtLeast, c.Stretch, passFail(c.Ratio() <= dlTargetP99Ratio))
	}
	stretch("catch-up and the last window together", r.AfterVsQuiet)
	stretch("the last window alone", r.DuringVsQuiet)
	w("| GetTrail p50 (c=1) while the last window is delivered / idle | %s / %s = %.2f× | (none given) | – |\n",
		fmtDur(r.During.P50), fmtDur(r.Idle.P50), ratio(r.During.P50, r.Idle.P50))
	if r.During.N < dlMinSamples {
		w("| GetTrail p99 (c=1) over the whole ingest + delivery (probe paced 1 call per %s during the ingest, which runs at c=%d) / idle | %s / %s = %.2f× (n=%d) | (information) | – |\n",
			r.ProbePause, o.Concurrency, fmtDur(r.Whole.P99), fmtDur(r.Idle.P99), ratio(r.Whole.P99, r.Idle.P99), r.Whole.N)
	}
	growth := r.RSSPeak - r.RSSStart
	w("| Server RSS growth, start of ingest → peak through the end of delivery | +%s (%s → %s) | < 512 MiB | %s |\n",
		fmtBytes(growth), fmtBytes(r.RSSStart), fmtBytes(r.RSSPeak), passFail(r.RSSStart > 0 && growth < dlTargetRSS))
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
	w("The ingest is %d calls of root at c=%d over %s weighted %d/%d/%d %% (%s); delivery runs in the background, as the server schedules it. ",
		o.Events, o.Concurrency, strings.Join(regions[:], ", "), regionWeights[0], regionWeights[1], regionWeights[2], dlMixString(r.IngestMix))
	w("A c=1 GetTrail probe runs beside it (one call, then a %s pause). When the ingest ends the harness reads the log position (`cairn_delivery_planned_seq` + `cairn_delivery_unplanned_events`) and waits, with only the probe calling GetTrail back to back, until the next multiple of the interval: the window holding the last events closes then. The server writes the open window's log files as events arrive (once a second); until `cairn_delivery_built_seq` covers the ingest's last event the probe's calls count as catch-up, after that as idle after the ingest. ", r.ProbePause)
	w("From that boundary the probe calls GetTrail back to back while `/_cairn/metrics` is polled every 200 ms; the last window counts as delivered at the first poll where the planned cursor covers the last event and no job is pending. ")
	w("Then the probe's own events are delivered at the next boundary and the harness lists the bucket, reads every file back (gunzip, JSON), checks each key against AWS's layout and the request id of every call it made after StartLogging against the records' `requestID`.\n\n")

	w("| Figure | Value |\n|---|---|\n")
	mean, peak := loadStats(r.LoadDuring)
	w("| Load average | before the suite %s (1/5/15 min); during ingest + delivery mean %.1f, peak %.1f (%d samples, every 5 s) |\n", r.LoadBefore, mean, peak, len(r.LoadDuring))
	trunc := ""
	if r.Truncated {
		trunc = " — stopped by -max-ingest"
	}
	w("| Ingest | %d calls in %s = %.0f events/s at c=%d (%d errors)%s; regions %d/%d/%d calls |\n", r.Ingest.Calls, r.Ingest.Elapsed.Round(time.Millisecond),
		r.Ingest.Rate(), o.Concurrency, r.Ingest.Errors, trunc, r.RegionCounts[0], r.RegionCounts[1], r.RegionCounts[2])
	w("| Ingest call latency | p50 %s, p99 %s, max %s; client CPU %.0f%%, server CPU %.0f%% of one core |\n", fmtDur(r.Ingest.Lat.P50), fmtDur(r.Ingest.Lat.P99), fmtDur(r.Ingest.Lat.Max),
		cpuPct(r.Ingest.ClientCPU, r.Ingest.Elapsed), cpuPct(r.Ingest.ServerCPU, r.Ingest.Elapsed))
	w("| Log position | %d after StartLogging, %d when the ingest ended |\n", r.SeqStart, r.SeqEnd)
	w("| Last window | closed %s UTC, %s after the ingest ended; planned %s after it (first poll that saw it); events %d–%d (%d) |\n",
		r.Boundary.UTC().Format("15:04:05"), fmtDur(r.WaitToBoundary), fmtDur(r.PlannedAfter), r.Final.FirstSeq, r.Final.LastSeq, int64(r.Final.LastSeq)-int64(r.Final.FirstSeq)+1)
	done := fmtDur(r.DoneAfter)
	if !r.Done {
		done = "**not delivered** within " + fmtDur(r.DoneAfter)
	}
	w("| Last window delivered after it closed | %s; its delivery: %d records in %d files in %s = %.0f records/s |\n", done, r.Final.Records, r.Final.Files, fmtDur(r.Final.Dur), r.Final.Rate())
	span := r.DoneAfter
	w("| CPU from the boundary until delivered | server %.0f%%, versitygw %.0f%%, harness %.0f%% of one core |\n",
		cpuPct(r.FinalServerCPU, span), cpuPct(r.FinalGWCPU, span), cpuPct(r.FinalClientCPU, span))
	w("| Server RSS | start of ingest %s, end of ingest %s, peak %s, when the last window was delivered %s (sampled every 1 s) |\n",
		fmtBytes(r.RSSStart), fmtBytes(r.RSSIngestEnd), fmtBytes(r.RSSPeak), fmtBytes(r.RSSEnd))
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

	w("\nGetTrail at c=1 (us-east-1, by name), latency as in section 1:\n\n| When | calls | p50 | p99 | max | p99 / idle p99 |\n|---|---|---|---|---|---|\n")
	row := func(name string, s Summary) {
		w("| %s | %d | %s | %s | %s | %.2f× |\n", name, s.N, fmtDur(s.P50), fmtDur(s.P99), fmtDur(s.Max), ratio(s.P99, r.Idle.P99))
	}
	row(fmt.Sprintf("Idle (no ingest, no delivery pass), median of %d runs", len(r.IdleRuns)), r.Idle)
	for i, s := range r.IdleRuns {
		row(fmt.Sprintf("Idle run %d", i+1), s)
	}
	row(fmt.Sprintf("After the ingest, while its events' files are still written (catch-up, %s)", r.catchUp()), r.CatchUp)
	row("Idle after the ingest (files written up to its last event; before the last window closes)", r.Quiet)
	row("**While the last window is delivered** (boundary → delivered, no other calls)", r.During)
	row("Idle after the last window was delivered (until 3 s before the next window closes)", r.QuietAfter)
	row("**Catch-up and the last window together** (all delivery work on the ingest's events after it ended)", r.After)
	row(fmt.Sprintf("During the ingest (c=%d beside it), a delivery job pending", o.Concurrency), r.IngestPass)
	row(fmt.Sprintf("During the ingest (c=%d beside it), no delivery job pending", o.Concurrency), r.IngestNoPass)
	row("Whole ingest + delivery (all probe calls)", r.Whole)
	w("\nThe server's garbage collector (go_gc_* on /_cairn/metrics): idle after the ingest, %s; while the last window is delivered, %s.\n", r.QuietGC, r.DuringGC)

	if len(r.Windows) > 0 {
		w("\nWindows as the metrics poller saw them (planned = first poll that saw the cursor move; delivered = first poll with no job pending; 200 ms resolution):\n\n")
		w("| Planned (UTC) | events | records delivered | files | delivery time | records/s | server RSS before → peak while delivering | |\n|---|---|---|---|---|---|---|---|\n")
		for _, win := range r.Windows {
			note := ""
			if win.FirstSeq == r.Final.FirstSeq {
				note = "last window of the ingest"
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
