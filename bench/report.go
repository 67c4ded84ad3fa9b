package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// Results is everything one run measured.
type Results struct {
	Opts              Options
	Command           string
	Machine           Machine
	Started, Finished time.Time
	Capture           CaptureResults
	Ingest            IngestResults
	Visibility        VisibilityResults
	Lookup            LookupResults
	Restart           RestartResults
	CloudFront        *CFResults       // nil unless the CloudFront suite ran
	Delivery          *DeliveryResults // nil unless the delivery suite ran
	Validate          *ValidateResult  // nil unless the validate suite ran
	LoadDuring        []float64        // 1-minute load average, sampled every 15 s during the run
	Failures          []string
}

// Machine describes where the run happened.
type Machine struct {
	NProc      string
	CPU        string
	GoVersion  string
	Kernel     string
	MemTotal   string
	GitCommit  string
	GitDirty   bool
	LoadBefore string
}

// Summary is a one-line description.
func (m Machine) Summary() string {
	return fmt.Sprintf("nproc %s, %s, %s, %s, load %s", m.NProc, m.CPU, m.GoVersion, m.Kernel, m.LoadBefore)
}

func machineInfo(root string) Machine {
	m := Machine{NProc: cmdOut("", "nproc"), GoVersion: cmdOut(root, "go", "version"), Kernel: cmdOut("", "uname", "-srm")}
	if m.NProc == "" {
		m.NProc = fmt.Sprint(runtime.NumCPU())
	}
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), "model name"); ok {
				m.CPU = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
				break
			}
		}
		f.Close()
	}
	if f, err := os.Open("/proc/meminfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), "MemTotal:"); ok {
				m.MemTotal = strings.TrimSpace(v)
				break
			}
		}
		f.Close()
	}
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		m.LoadBefore = strings.Join(strings.Fields(string(b))[:3], " ")
	}
	m.GitCommit = cmdOut(root, "git", "rev-parse", "--short=12", "HEAD")
	m.GitDirty = cmdOut(root, "git", "status", "--porcelain", "--untracked-files=no") != ""
	return m
}

func cmdOut(dir, name string, args ...string) string {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

func fmtDur(d time.Duration) string {
	switch {
	case d == 0:
		return "–"
	case d < time.Millisecond:
		return fmt.Sprintf("%.0f µs", float64(d)/1e3)
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.2f ms", float64(d)/1e6)
	case d < time.Second:
		return fmt.Sprintf("%.1f ms", float64(d)/1e6)
	}
	return fmt.Sprintf("%.2f s", d.Seconds())
}

func fmtSummary(s Summary) string {
	return fmt.Sprintf("p50 %s p99 %s max %s (n=%d)", fmtDur(s.P50), fmtDur(s.P99), fmtDur(s.Max), s.N)
}

func fmtBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d KiB", n>>10)
}

func passFail(ok bool) string {
	if ok {
		return "PASS"
	}
	return "**FAIL**"
}

// loadMedians are the medians over runs of rate, p50 and p99, plus the spread of rates.
func loadMedians(runs []LoadResult) (rate float64, lat Summary, spread string, clientPct, serverPct float64) {
	var rates, cp, sp []float64
	var sums []Summary
	var parts []string
	for _, r := range runs {
		rates = append(rates, r.Rate())
		sums = append(sums, r.Lat)
		cp = append(cp, cpuPct(r.ClientCPU, r.Elapsed))
		sp = append(sp, cpuPct(r.ServerCPU, r.Elapsed))
		parts = append(parts, fmt.Sprintf("%.0f", r.Rate()))
	}
	return medianF(rates), MedianSummary(sums), strings.Join(parts, ", "), medianF(cp), medianF(sp)
}

// Markdown renders the report.
func (r *Results) Markdown() string {
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	o := r.Opts
	w("# Cairn benchmark results\n\n")
	w("- Command: `%s`\n", r.Command)
	w("- Started: %s, took %s\n", r.Started.UTC().Format(time.RFC3339), r.Finished.Sub(r.Started).Round(time.Second))
	dirty := ""
	if r.Machine.GitDirty {
		dirty = " (working tree has uncommitted changes)"
	}
	w("- Source: commit %s%s\n", r.Machine.GitCommit, dirty)
	w("- Machine: nproc %s, %s, %s RAM, %s; load average before the run %s\n", r.Machine.NProc, r.Machine.CPU, r.Machine.MemTotal, r.Machine.Kernel, r.Machine.LoadBefore)
	w("- Go: %s (harness built with %s)\n", r.Machine.GoVersion, runtime.Version())
	ct := o.runs("cloudtrail")
	if len(r.LoadDuring) > 0 {
		var sum, peak float64
		for _, x := range r.LoadDuring {
			sum += x
			peak = max(peak, x)
		}
		w("- Load average (1 min) during the run: mean %.1f, peak %.1f over %d samples\n", sum/float64(len(r.LoadDuring)), peak, len(r.LoadDuring))
	}
	if lb := strings.Fields(r.Machine.LoadBefore); len(lb) > 0 {
		if l1, err := strconv.ParseFloat(lb[0], 64); err == nil && l1 > 4 {
			w("- **Machine overloaded**: the 1-minute load average was %.2f (> 4) when the run began; figures are depressed by other work on the machine\n", l1)
		}
	}
	w("- Server: `cairn serve` (embedded NATS/JetStream), fresh temp data dir (each suite its own server), loopback HTTP (and HTTPS for the CloudFront suite); client and server share the machine's %s cores\n", r.Machine.NProc)
	if ct {
		w("- CloudTrail client: one process, hand-signed SigV4 requests (aws-sdk-go-v2 v4 signer, every request signed unless noted), keep-alive transport with MaxIdleConnsPerHost = concurrency; latency = request sent to response body read\n")
	}
	if r.CloudFront != nil {
		w("- CloudFront client: %s; AWS's host names kept, the dialer points at Cairn's TLS listener; wire latency = signed request handed to the transport until the response body was read (as for CloudTrail), SDK call = the whole SDK call (serialize, sign, send, parse)\n", r.CloudFront.SDKTransport)
	}
	if r.Delivery != nil {
		w("- Delivery suite: the server delivers trail log files to a local versitygw S3 server (`--s3-endpoint`, path-style) every `-delivery-interval` (%s); the harness signs its calls as the CloudTrail client does\n", o.DeliveryInterval)
	}
	durable := "acknowledged by the embedded JetStream stream before the response (file store, default sync)"
	if o.SyncAlways {
		durable = "fsynced by the embedded JetStream stream before the response (--sync-always)"
	}
	w("- Durability: every call's event is %s\n", durable)
	w("- Medians: where a figure has several runs (-runs %d), the table shows the median of the runs' values\n\n", o.Runs)
	if len(r.Failures) > 0 {
		w("**Failures:** %s\n\n", strings.Join(r.Failures, "; "))
	}
	wc := func(format string, a ...any) {
		if ct {
			w(format, a...)
		}
	}

	c, in, v, l, rs := &r.Capture, &r.Ingest, &r.Visibility, &r.Lookup, &r.Restart
	rate, lat, spread, cpct, spct := loadMedians(c.LoadRuns)
	wc("## Summary against targets (CloudTrail)\n\n")
	wc("| # | Figure | Measured | Target | Result |\n|---|---|---|---|---|\n")
	wc("| 1 | GetTrail p50, idle (c=1) | %s | < 1 ms | %s |\n", fmtDur(c.Idle.P50), passFail(c.Idle.N > 0 && c.Idle.P50 < time.Millisecond))
	wc("| 1 | GetTrail p99, idle (c=1) | %s | < 5 ms | %s |\n", fmtDur(c.Idle.P99), passFail(c.Idle.N > 0 && c.Idle.P99 < 5*time.Millisecond))
	wc("| 1 | GetTrail throughput, c=%d, every event durable | %.0f calls/s | ≥ 3,000 calls/s | %s |\n", c.Workers, rate, passFail(rate >= 3000))
	wc("| 1 | GetTrail p50 / p99 at c=%d | %s / %s | < 1 ms / < 5 ms | %s |\n", c.Workers, fmtDur(lat.P50), fmtDur(lat.P99), passFail(lat.N > 0 && lat.P50 < time.Millisecond && lat.P99 < 5*time.Millisecond))
	wc("| 2 | Ingest: peak server RSS over %d events | %s | < 1 GB | %s |\n", in.Load.Calls, fmtBytes(in.PeakRSS), passFail(in.PeakRSS > 0 && in.PeakRSS < 1e9))
	wc("| 2 | Ingest rate (c=%d, mixed calls) | %.0f events/s | (≥ 2,000/s to be usable) | %s |\n", o.Concurrency, in.Load.Rate(), passFail(in.Load.Rate() >= 2000))
	wc("| 2 | Visible in LookupEvents: p50 / max | %s / %s | < 1 s | %s |\n", fmtDur(v.Lat.P50), fmtDur(v.Lat.Max), passFail(v.Lat.N > 0 && v.Missed == 0 && v.Lat.Max < time.Second))
	var worstP50, worstP99 time.Duration
	var worstP50Name, worstP99Name string
	for _, a := range l.Attrs {
		for _, s := range []struct {
			name string
			sum  Summary
		}{{attrName(a.Key) + " first", a.First}, {attrName(a.Key) + " deep", a.Deep}} {
			if s.sum.N == 0 {
				continue
			}
			if s.sum.P50 > worstP50 {
				worstP50, worstP50Name = s.sum.P50, s.name
			}
			if s.sum.P99 > worstP99 {
				worstP99, worstP99Name = s.sum.P99, s.name
			}
		}
	}
	lrate, llat, lspread, lcpct, lspct := loadMedians(l.Runs)
	wc("| 3 | LookupEvents p50, worst attribute/page (c=1) | %s (%s) | < 20 ms | %s |\n", fmtDur(worstP50), worstP50Name, passFail(worstP50 > 0 && worstP50 < 20*time.Millisecond))
	wc("| 3 | LookupEvents p99, worst attribute/page (c=1) | %s (%s) | < 100 ms | %s |\n", fmtDur(worstP99), worstP99Name, passFail(worstP99 > 0 && worstP99 < 100*time.Millisecond))
	wc("| 3 | LookupEvents throughput, c=%d, mixed | %.0f lookups/s | ≥ 200 lookups/s | %s |\n", o.LookupConcurrency, lrate, passFail(lrate >= 200))
	wc("| 3 | LookupEvents p50 / p99 under load (c=%d) | %s / %s | < 20 ms / < 100 ms | %s |\n", o.LookupConcurrency, fmtDur(llat.P50), fmtDur(llat.P99), passFail(llat.N > 0 && llat.P50 < 20*time.Millisecond && llat.P99 < 100*time.Millisecond))
	wc("| 4 | Restart: SIGTERM to healthy again (replay of %.0f events) | %s | (none given) | – |\n", rs.HistoryBefore, fmtDur(rs.TimeToHealthy))
	wc("| 4 | Restart: RSS after replay | %s | < 1 GB | %s |\n", fmtBytes(rs.RSSAfter), passFail(rs.RSSAfter > 0 && rs.RSSAfter < 1e9))

	if r.CloudFront != nil {
		if ct {
			w("\n")
		}
		r.CloudFront.summary(w)
	}
	if r.Delivery != nil {
		if ct || r.CloudFront != nil {
			w("\n")
		}
		r.Delivery.summary(w, o)
	}
	if r.Validate != nil {
		w("\n")
		r.Validate.summary(w)
	}
	wc("\n## 1. Capture overhead of a cheap call (GetTrail)\n\n")
	wc("| Case | calls/s | p50 | p99 | max | errors | client CPU | server CPU |\n|---|---|---|---|---|---|---|---|\n")
	wc("| c=1 (idle), median of %d runs × %d calls | – | %s | %s | %s | 0 | – | – |\n", len(c.IdleRuns), 5*o.Samples, fmtDur(c.Idle.P50), fmtDur(c.Idle.P99), fmtDur(c.Idle.Max))
	for i, run := range c.IdleRuns {
		wc("| c=1 run %d | – | %s | %s | %s | 0 | – | – |\n", i+1, fmtDur(run.P50), fmtDur(run.P99), fmtDur(run.Max))
	}
	var errs int64
	for _, run := range c.LoadRuns {
		errs += run.Errors
	}
	wc("| c=%d, signed per request, median of %d × %s (runs: %s calls/s) | %.0f | %s | %s | %s | %d | %.0f%% | %.0f%% |\n",
		c.Workers, len(c.LoadRuns), o.Duration, spread, rate, fmtDur(lat.P50), fmtDur(lat.P99), fmtDur(lat.Max), errs, cpct, spct)
	if c.Reuse != nil {
		u := c.Reuse
		wc("| c=%d, signature reused ≤ 1 s (server still verifies each), 1 × %s | %.0f | %s | %s | %s | %d | %.0f%% | %.0f%% |\n",
			c.Workers, o.Duration, u.Rate(), fmtDur(u.Lat.P50), fmtDur(u.Lat.P99), fmtDur(u.Lat.Max), u.Errors, cpuPct(u.ClientCPU, u.Elapsed), cpuPct(u.ServerCPU, u.Elapsed))
	}
	wc("\nCPU is a percentage of one core (the machine has %s). ", r.Machine.NProc)
	if len(c.LoadRuns) > 0 && rate > 0 {
		clientPerCall := time.Duration(cpct / 100 * float64(time.Second) / rate)
		serverPerCall := time.Duration(spct / 100 * float64(time.Second) / rate)
		share := 100 * float64(c.SignCost) / float64(clientPerCall)
		wc("Per call: client %s CPU, server %s CPU. Signing one request costs %s of client CPU (measured alone), "+
			"about %.0f%% of the client's CPU per call; the client as a whole takes %.0f%% of the CPU the pair uses.\n",
			fmtDur(clientPerCall), fmtDur(serverPerCall), fmtDur(c.SignCost), share, 100*cpct/(cpct+spct))
	}

	wc("\n## 2. Ingest\n\n")
	wc("| Figure | Value |\n|---|---|\n")
	wc("| Events (API calls) | %d in %s (%d errors)%s |\n", in.Load.Calls, in.Load.Elapsed.Round(time.Millisecond), in.Load.Errors, map[bool]string{true: " — stopped by -max-ingest", false: ""}[in.Truncated])
	wc("| Ingest rate | %.0f events/s at c=%d |\n", in.Load.Rate(), o.Concurrency)
	wc("| Call latency during ingest | p50 %s, p99 %s, max %s |\n", fmtDur(in.Load.Lat.P50), fmtDur(in.Load.Lat.P99), fmtDur(in.Load.Lat.Max))
	wc("| Server RSS | start %s, peak %s, end %s (sampled every 1 s) |\n", fmtBytes(in.StartRSS), fmtBytes(in.PeakRSS), fmtBytes(in.EndRSS))
	wc("| CPU | client %.0f%%, server %.0f%% of one core; server %s CPU per event |\n", cpuPct(in.Load.ClientCPU, in.Load.Elapsed), cpuPct(in.Load.ServerCPU, in.Load.Elapsed), fmtDur(perCall(in.Load.ServerCPU, in.Load.Calls)))
	if in.Load.Calls > 0 {
		wc("| Data dir on disk | %s (%.0f bytes/event over all events) |\n", fmtBytes(in.DiskBytes), float64(in.DiskBytes)/max(in.Recorded, 1))
	}
	wc("| Events recorded / in history (all phases so far) | %.0f / %.0f |\n", in.Recorded, in.HistoryLen)
	wc("| Callers | root + %d IAM users, regions %s weighted %d/%d/%d %% (calls: %d/%d/%d) |\n", in.Users,
		strings.Join(regions[:], ", "), regionWeights[0], regionWeights[1], regionWeights[2], in.RegionCounts[0], in.RegionCounts[1], in.RegionCounts[2])
	var mix []string
	for _, m := range ingestMix {
		mix = append(mix, fmt.Sprintf("%s %d", m.op, in.OpCounts[m.op]))
	}
	wc("| Operation mix (steps) | %s |\n", strings.Join(mix, ", "))
	wc("| Temporary trails created and deleted | %d |\n", in.TmpTrails)
	wc("| Visible in LookupEvents | %d probes: p50 %s, p99 %s, max %s; over 1 s: %d; never seen in 10 s: %d; %d LookupEvents polls; EventId lookup found the event %d/%d |\n",
		v.Lat.N, fmtDur(v.Lat.P50), fmtDur(v.Lat.P99), fmtDur(v.Lat.Max), v.Over1s, v.Missed, v.Polls, v.EventIDs, v.Lat.N)

	if len(in.OpLat) > 0 {
		wc("\nCall latency by operation during the ingest (c=%d, all operations mixed):\n\n| Operation | calls | p50 | p99 | max |\n|---|---|---|---|---|\n", o.Concurrency)
		names := []string{}
		for _, m := range ingestMix {
			names = append(names, m.op)
		}
		for _, n := range append(names, "DeleteTrail") {
			s := in.OpLat[n]
			if n == "CreateTrail+DeleteTrail" {
				n = "CreateTrail"
			}
			wc("| %s | %d | %s | %s | %s |\n", n, s.N, fmtDur(s.P50), fmtDur(s.P99), fmtDur(s.Max))
		}
	}
	if len(in.OpsBefore) > 0 || len(in.OpsAfter) > 0 {
		wc("\nEach cheap operation alone at c=%d for %s, as bench-user-00 in us-east-1, before and after the ingest (server CPU per call = the server's CPU time / calls):\n\n", o.Concurrency, max(o.Duration/4, 3*time.Second))
		wc("| Operation | calls/s before | p50 / p99 before | server CPU/call before | calls/s after | p50 / p99 after | server CPU/call after |\n|---|---|---|---|---|---|---|\n")
		for i, op := range opCostOps {
			var bc, ac LoadResult
			if i < len(in.OpsBefore) {
				bc = in.OpsBefore[i].Result
			}
			if i < len(in.OpsAfter) {
				ac = in.OpsAfter[i].Result
			}
			wc("| %s | %.0f | %s / %s | %s | %.0f | %s / %s | %s |\n", op, bc.Rate(), fmtDur(bc.Lat.P50), fmtDur(bc.Lat.P99), fmtDur(perCall(bc.ServerCPU, bc.Calls)),
				ac.Rate(), fmtDur(ac.Lat.P50), fmtDur(ac.Lat.P99), fmtDur(perCall(ac.ServerCPU, ac.Calls)))
		}
	}

	wc("\n## 3. LookupEvents (region %s, root caller, MaxResults 50)\n\n", l.Region)
	wc("History held %.0f events (all regions) when the phase began; the first region got %d%% of the ingest calls. ", l.Events, regionWeights[0])
	wc("Sequential requests (c=1): %d first-page and %d deep-page samples per attribute; deep pages are pages %d–%d reached by following NextToken, re-requested with the saved tokens.\n\n", o.Samples, o.Samples, o.DeepPages+2, o.DeepPages+deepTokens+2)
	wc("| Attribute | Value | First page p50 | p99 | Walk p50 (pages 2–%d) | Deep page p50 | p99 | events/page | bytes/page | mismatches |\n|---|---|---|---|---|---|---|---|---|---|\n", o.DeepPages+1)
	for _, a := range l.Attrs {
		deep50, deep99 := fmtDur(a.Deep.P50), fmtDur(a.Deep.P99)
		if a.Key == "EventId" {
			deep50, deep99 = "n/a", "n/a"
		} else if a.Deep.N == 0 {
			deep50, deep99 = fmt.Sprintf("only %d pages", a.Depth), "–"
		}
		wc("| %s | %s | %s | %s | %s | %s | %s | %d | %d | %d |\n", attrName(a.Key), trimValue(a.Value), fmtDur(a.First.P50), fmtDur(a.First.P99),
			fmtDur(a.Walk.P50), deep50, deep99, a.PageEvents, a.PageBytes, a.Mismatch)
	}
	var lerrs int64
	for _, run := range l.Runs {
		lerrs += run.Errors
	}
	wc("\nMixed load (random attribute, first or deep page), c=%d, median of %d × %s (runs: %s lookups/s): **%.0f lookups/s**, p50 %s, p99 %s, max %s, errors %d, client CPU %.0f%%, server CPU %.0f%%.\n",
		o.LookupConcurrency, len(l.Runs), o.Duration, lspread, lrate, fmtDur(llat.P50), fmtDur(llat.P99), fmtDur(llat.Max), lerrs, lcpct, lspct)

	wc("\n## 4. Restart\n\n")
	wc("| Figure | Value |\n|---|---|\n")
	wc("| RSS before SIGTERM | %s |\n", fmtBytes(rs.RSSBefore))
	wc("| SIGTERM to exit | %s |\n", fmtDur(rs.Shutdown))
	wc("| Start to /_cairn/health 200 (replay into the history index) | %s |\n", fmtDur(rs.TimeToHealthy))
	wc("| History events before / after | %.0f / %.0f |\n", rs.HistoryBefore, rs.HistoryAfter)
	wc("| RSS at first 200 / 5 s later | %s / %s |\n", fmtBytes(rs.RSSAfter), fmtBytes(rs.RSSSettled))
	wc("| First LookupEvents after restart | ok=%v, %s |\n", rs.FirstLookupOK, fmtDur(rs.FirstLookupTime))
	if r.CloudFront != nil {
		r.CloudFront.markdown(w, o)
	}
	if r.Delivery != nil {
		r.Delivery.markdown(w, o)
	}
	if r.Validate != nil {
		r.Validate.markdown(w)
	}
	return b.String()
}

func attrName(k string) string {
	if k == "" {
		return "(none)"
	}
	return k
}

func trimValue(v string) string {
	if len(v) > 60 {
		return "…" + v[len(v)-57:]
	}
	return v
}
