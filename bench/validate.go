package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/cairnhq/cairn"
	"github.com/cairnhq/cairn/delivery"
	"github.com/cairnhq/cairn/eventlog"
	"github.com/cairnhq/cairn/objstore/file"
	"github.com/cairnhq/cairn/service/cloudtrail"
	"github.com/cairnhq/cairn/signing"
)

// ValidateResult is the log file validation figure: `cairn validate-logs` over 30
// days of hourly digests of a trail that delivered Events events.
type ValidateResult struct {
	Events, Hours       int
	Digests, LogFiles   int
	Generate            time.Duration // building the trail's history (not a target)
	Runs                []time.Duration
	Median              time.Duration
	Summary             string // the validator's summary lines
	LoadBefore, LoadMid string
}

// stepClock is a settable clock for generating a trail's history.
type stepClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *stepClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *stepClock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// bridge adapts signing.KeyRing to delivery.Signer, as cmd/cairn does.
type bridge struct{ keys *signing.KeyRing }

func (b bridge) SigningKey(ctx context.Context, region string, at time.Time) (delivery.SigningKey, error) {
	k, err := b.keys.Key(ctx, region, at)
	if err != nil {
		return nil, err
	}
	return bridgeKey{k}, nil
}

type bridgeKey struct{ *signing.Key }

func (k bridgeKey) Fingerprint() string { return k.Key.Fingerprint }

// generateHistory writes, into dataDir, what a cairn data dir holds after a trail with
// log file validation delivered events over hours hours: the event log, the trail, the
// signing keys (with the KEK file cairn serve reads), and the bucket with one log file
// and one signed digest per hour. It runs the real delivery code with a stepping clock.
func generateHistory(ctx context.Context, dataDir, bucket string, events, hours int, t0 time.Time) (digests, logFiles int, err error) {
	kek := make([]byte, signing.KEKSize)
	if _, err := rand.Read(kek); err != nil {
		return 0, 0, err
	}
	if err := os.MkdirAll(filepath.Join(dataDir, "buckets", bucket), 0o755); err != nil {
		return 0, 0, err
	}
	if err := os.WriteFile(filepath.Join(dataDir, "signing-kek"), []byte(hex.EncodeToString(kek)+"\n"), 0o600); err != nil {
		return 0, 0, err
	}
	l, err := eventlog.Open(ctx, eventlog.Config{Dir: dataDir, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return 0, 0, err
	}
	defer l.Close(context.Background())
	store, err := file.New(filepath.Join(dataDir, "buckets"))
	if err != nil {
		return 0, 0, err
	}
	clk := &stepClock{t: t0}
	keys := &signing.KeyRing{Meta: l.Meta(), KEK: kek, Clock: clk}
	trails := &cloudtrail.TrailStore{Meta: l.Meta(), Clock: clk}
	if _, err := trails.Create(ctx, benchAccount, "us-east-1", cloudtrail.CreateTrailParams{
		Name: "validated", S3BucketName: bucket, EnableLogFileValidation: ptrTo(true),
	}); err != nil {
		return 0, 0, err
	}
	if err := trails.StartLogging(ctx, benchAccount, "us-east-1", "validated"); err != nil {
		return 0, 0, err
	}
	sched, err := delivery.Open(ctx, delivery.Config{
		Log: l, Meta: l.Meta(), Store: store, Signer: bridge{keys}, Clock: clk,
		Interval: 365 * 24 * time.Hour, DigestInterval: 365 * 24 * time.Hour, // windows closed by Flush only
		SpoolDir: filepath.Join(dataDir, "spool"),
	})
	if err != nil {
		return 0, 0, err
	}
	defer sched.Close(context.Background())
	perHour := events / hours
	batch := make([]*cairn.Event, 0, 500)
	for h := range hours {
		n := perHour
		if h == hours-1 {
			n = events - perHour*(hours-1)
		}
		for i := range n {
			at := t0.Add(time.Duration(h)*time.Hour + time.Duration(i+1)*(time.Hour-time.Second)/time.Duration(n+1))
			batch = append(batch, benchEvent(at, i))
			if len(batch) == cap(batch) || i == n-1 {
				if err := l.Append(ctx, batch...); err != nil {
					return 0, 0, err
				}
				batch = batch[:0]
			}
		}
		clk.set(t0.Add(time.Duration(h+1) * time.Hour))
		if err := sched.Flush(ctx); err != nil {
			return 0, 0, err
		}
		if h%100 == 99 {
			log.Printf("validate: generated %d of %d hours", h+1, hours)
		}
	}
	st := sched.Stats()
	if st.PendingJobs != 0 || st.PendingDigest != 0 {
		return 0, 0, fmt.Errorf("generate: %d jobs and %d digests left undelivered", st.PendingJobs, st.PendingDigest)
	}
	return int(st.Digests), int(st.Files), nil
}

func ptrTo[T any](v T) *T { return &v }

// benchEvent is a management event shaped like capture's (a GetTrail call).
func benchEvent(at time.Time, i int) *cairn.Event {
	id := uuid.NewString()
	ro := true
	rec := &cairn.Record{
		EventVersion: cairn.EventVersion, EventTime: cairn.FormatEventTime(at),
		UserIdentity: cairn.UserIdentity{Type: "IAMUser", PrincipalID: "AIDABENCHUSER0000001", ARN: "arn:aws:iam::" + benchAccount + ":user/bench",
			AccountID: benchAccount, AccessKeyID: "AKIABENCHUSERKEY0001", UserName: "bench"},
		EventSource: "cloudtrail.amazonaws.com", EventName: "GetTrail", AWSRegion: "us-east-1",
		SourceIPAddress: "127.0.0.1", UserAgent: "aws-sdk-go-v2/1.48.0 bench",
		RequestParameters: json.RawMessage(fmt.Sprintf(`{"name":"trail-%d"}`, i%50)),
		ResponseElements:  json.RawMessage("null"),
		RequestID:         uuid.NewString(), EventID: id, ReadOnly: &ro, EventType: cairn.EventTypeAPICall,
		ManagementEvent: &ro, RecipientAccountID: benchAccount, EventCategory: cairn.EventCategoryManagement,
	}
	raw, _ := json.Marshal(rec)
	return &cairn.Event{Record: rec, Raw: raw, Time: at, Account: benchAccount, Region: "us-east-1",
		Lookup: cairn.LookupFields{EventID: id, EventName: "GetTrail", EventSource: "cloudtrail.amazonaws.com",
			ReadOnly: "true", Username: "bench", AccessKeyID: "AKIABENCHUSERKEY0001", Category: cairn.EventCategoryManagement}}
}

// runValidate builds the history, starts cairn serve on it (for ListPublicKeys and
// DescribeTrails), and times `cairn validate-logs` over the whole range.
func runValidate(ctx context.Context, bin, dir, logPath string, events, days, runs int) (*ValidateResult, error) {
	const bucket = "validated-logs"
	hours := days * 24
	r := &ValidateResult{Events: events, Hours: hours, LoadBefore: loadAvg()}
	t0 := time.Now().UTC().Truncate(time.Hour).Add(-time.Duration(hours+2) * time.Hour)
	dataDir := filepath.Join(dir, "validate-data")
	start := time.Now()
	var err error
	r.Digests, r.LogFiles, err = generateHistory(ctx, dataDir, bucket, events, hours, t0)
	if err != nil {
		return nil, fmt.Errorf("generate history: %w", err)
	}
	r.Generate = time.Since(start)
	log.Printf("validate: %d events, %d log files, %d digests generated in %s", events, r.LogFiles, r.Digests, r.Generate.Round(time.Second))

	srv, err := NewServer(bin, dataDir, logPath, false, false)
	if err != nil {
		return nil, err
	}
	if _, err := srv.Start(ctx, 5*time.Minute); err != nil {
		return nil, err
	}
	defer srv.Stop(30 * time.Second)
	r.LoadMid = loadAvg()
	arn := "arn:aws:cloudtrail:us-east-1:" + benchAccount + ":trail/validated"
	for range runs {
		cmd := exec.CommandContext(ctx, bin, "validate-logs", "--trail-arn", arn,
			"--start-time", t0.Format(time.RFC3339), "--end-time", t0.Add(time.Duration(hours)*time.Hour).Format(time.RFC3339),
			"--endpoint-url", srv.URL, "--region", "us-east-1", "--bucket-root", filepath.Join(dataDir, "buckets"))
		cmd.Env = append(cleanEnv(), "AWS_ACCESS_KEY_ID="+srv.Root.Key, "AWS_SECRET_ACCESS_KEY="+srv.Root.Secret, "AWS_REGION=us-east-1")
		t := time.Now()
		out, err := cmd.CombinedOutput()
		d := time.Since(t)
		if err != nil {
			return nil, fmt.Errorf("cairn validate-logs: %w\n%s", err, tailLines(string(out), 20))
		}
		var sum []string
		for _, line := range strings.Split(string(out), "\n") {
			if strings.Contains(line, " files valid") || strings.Contains(line, "INVALID") {
				sum = append(sum, strings.TrimSpace(line))
			}
		}
		r.Summary = strings.Join(sum, "; ")
		r.Runs = append(r.Runs, d)
		log.Printf("validate: cairn validate-logs over %d hours took %s (%s)", hours, d.Round(time.Millisecond), r.Summary)
	}
	r.Median = medianDur(r.Runs)
	return r, nil
}

func tailLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// loadAvg is /proc/loadavg's 1, 5 and 15 minute averages.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

func (r *ValidateResult) summary(w func(string, ...any)) {
	w("## Summary against targets (log file validation)\n\n")
	w("| Figure | Measured | Target | Result |\n|---|---|---|---|\n")
	res := "PASS"
	if r.Median >= 30*time.Second {
		res = "**FAIL**"
	}
	w("| `cairn validate-logs` over %d days of hourly digests (%d digests, %d log files, %d events), median of %d | %s | < 30 s | %s |\n",
		r.Hours/24, r.Digests, r.LogFiles, r.Events, len(r.Runs), fmtDur(r.Median), res)
}

func (r *ValidateResult) markdown(w func(string, ...any)) {
	w("\n## 8. Log file validation\n\n")
	w("The harness builds a data dir in-process with Cairn's own delivery code and a stepping clock: one single-region trail with log file validation, %d events spread over %d hours, one log file and one signed digest (RSA-2048, aligned 30-day key periods) per hour, in a local bucket. It then starts `cairn serve` on that data dir (for DescribeTrails and ListPublicKeys) and runs `cairn validate-logs --bucket-root …` over the whole range.\n\n", r.Events, r.Hours)
	w("| Figure | Value |\n|---|---|\n")
	w("| Load average | before %s; when validating %s |\n", r.LoadBefore, r.LoadMid)
	w("| Generated | %d events, %d log files, %d digests in %s |\n", r.Events, r.LogFiles, r.Digests, fmtDur(r.Generate))
	var runs []string
	for _, d := range r.Runs {
		runs = append(runs, fmtDur(d))
	}
	w("| `cairn validate-logs` runs | %s (median %s) |\n", strings.Join(runs, ", "), fmtDur(r.Median))
	w("| Validator's summary | %s |\n", r.Summary)
}
