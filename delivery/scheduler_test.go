package delivery_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cairnhq/cairn"
	"github.com/cairnhq/cairn/delivery"
	"github.com/cairnhq/cairn/eventlog"
	"github.com/cairnhq/cairn/objstore/file"
	"github.com/cairnhq/cairn/service/cloudtrail"
)

const (
	acct  = "111122223333"
	other = "444455556666"
	east  = "us-east-1"
	west  = "us-west-2"
)

// t0 is when the test trails start logging.
var t0 = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

// clock is a settable clock shared by the trail store and the scheduler.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// env is a real event log (with its metadata store), a file object store and a trail
// store, as the server wires them.
type env struct {
	t      testing.TB
	ctx    context.Context
	log    *eventlog.Log
	store  *file.Store
	root   string
	trails *cloudtrail.TrailStore
	clock  *clock
	spool  string
}

func newEnv(t testing.TB) *env {
	return newEnvWith(t, eventlog.Config{Dir: t.TempDir()})
}

// newEnvWith is newEnv with the event log opened from cfg.
func newEnvWith(t testing.TB, cfg eventlog.Config) *env {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	cfg.Logger = slog.New(slog.DiscardHandler)
	l, err := eventlog.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = l.Close(context.Background()) })
	root := t.TempDir()
	st, err := file.New(root)
	if err != nil {
		t.Fatal(err)
	}
	clk := &clock{t: t0}
	e := &env{t: t, ctx: ctx, log: l, store: st, root: root, clock: clk, spool: t.TempDir()}
	e.trails = &cloudtrail.TrailStore{Meta: l.Meta(), Clock: clk, Buckets: cloudtrail.StoreBuckets{Store: st}}
	return e
}

func (e *env) bucket(name string) {
	e.t.Helper()
	if err := os.MkdirAll(filepath.Join(e.root, name), 0o755); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) open(cfg delivery.Config) *delivery.Scheduler {
	e.t.Helper()
	cfg.Log, cfg.Meta, cfg.Store, cfg.Clock = e.log, e.log.Meta(), e.store, e.clock
	if cfg.SpoolDir == "" {
		cfg.SpoolDir = e.spool
	}
	if cfg.Interval == 0 {
		cfg.Interval = time.Hour // the tests close windows with Flush
	}
	if cfg.RetryDelay == 0 {
		cfg.RetryDelay = time.Hour
	}
	s, err := delivery.Open(e.ctx, cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { _ = s.Close(context.Background()) })
	return s
}

func (e *env) trail(region, name, bucket string, p cloudtrail.CreateTrailParams) *cloudtrail.Trail {
	e.t.Helper()
	p.Name, p.S3BucketName = name, bucket
	tr, err := e.trails.Create(e.ctx, acct, region, p)
	if err != nil {
		e.t.Fatalf("create trail %s: %v", name, err)
	}
	if err := e.trails.StartLogging(e.ctx, acct, region, name); err != nil {
		e.t.Fatal(err)
	}
	return tr
}

// ev describes an event to append.
type ev struct {
	account, region, source, name, category string
	readOnly                                bool
	at                                      time.Duration // after t0
	resources                               []cairn.Resource
	id                                      string // eventID (default: a new one)
}

// appendEvents appends events shaped like capture's and returns their event ids.
func (e *env) appendEvents(evs ...ev) []string {
	e.t.Helper()
	var out []*cairn.Event
	var ids []string
	for _, x := range evs {
		if x.account == "" {
			x.account = acct
		}
		if x.region == "" {
			x.region = east
		}
		if x.source == "" {
			x.source = "cloudtrail.amazonaws.com"
		}
		if x.name == "" {
			x.name = "DescribeTrails"
		}
		if x.category == "" {
			x.category = cairn.EventCategoryManagement
		}
		if x.at == 0 {
			x.at = time.Second
		}
		at := t0.Add(x.at)
		id := x.id
		if id == "" {
			id = uuid.NewString()
		}
		rec := cairn.Record{
			EventVersion: cairn.EventVersion, EventTime: cairn.FormatEventTime(at),
			UserIdentity: cairn.UserIdentity{Type: "IAMUser", ARN: "arn:aws:iam::" + x.account + ":user/alice", AccountID: x.account},
			EventSource:  x.source, EventName: x.name, AWSRegion: x.region, SourceIPAddress: "127.0.0.1",
			RequestParameters: json.RawMessage("null"), ResponseElements: json.RawMessage("null"),
			EventID: id, ReadOnly: &x.readOnly, Resources: x.resources, EventType: cairn.EventTypeAPICall,
			RecipientAccountID: x.account, EventCategory: x.category,
		}
		raw, err := json.Marshal(&rec)
		if err != nil {
			e.t.Fatal(err)
		}
		out = append(out, &cairn.Event{Record: &rec, Raw: raw, Time: at, Account: x.account, Region: x.region,
			Lookup: cairn.LookupFields{EventID: id, EventName: x.name, EventSource: x.source,
				ReadOnly: fmt.Sprint(x.readOnly), Category: x.category}})
		ids = append(ids, id)
	}
	if err := e.log.Append(e.ctx, out...); err != nil {
		e.t.Fatal(err)
	}
	return ids
}

var keyRE = regexp.MustCompile(`^(?:(.+)/)?AWSLogs/(\d{12})/CloudTrail/([a-z0-9-]+)/(\d{4})/(\d{2})/(\d{2})/(\d{12})_CloudTrail_([a-z0-9-]+)_(\d{8}T\d{4}Z)_([A-Za-z0-9]{16})\.json\.gz$`)

// delivered is one log file read back from the bucket.
type delivered struct {
	key     string
	raw     []byte // decompressed
	records []map[string]any
}

// files reads every log file in bucket, checking its key against AWS's layout.
func (e *env) files(bucket string) []delivered {
	e.t.Helper()
	infos, err := e.store.List(e.ctx, bucket, "", "", 1000)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []delivered
	for _, oi := range infos {
		if strings.Contains(oi.Key, "/CloudTrail-Digest/") {
			continue
		}
		m := keyRE.FindStringSubmatch(oi.Key)
		if m == nil {
			e.t.Fatalf("key %q does not follow the CloudTrail layout", oi.Key)
		}
		if m[2] != m[7] || m[3] != m[8] || m[4]+m[5]+m[6] != m[9][:8] {
			e.t.Fatalf("key %q: account, region or date parts disagree", oi.Key)
		}
		rc, info, err := e.store.Get(e.ctx, bucket, oi.Key)
		if err != nil {
			e.t.Fatal(err)
		}
		if info.ContentType != "application/json" {
			e.t.Errorf("%s: content type %q", oi.Key, info.ContentType)
		}
		zr, err := gzip.NewReader(rc)
		if err != nil {
			e.t.Fatalf("%s: not gzip: %v", oi.Key, err)
		}
		raw, err := io.ReadAll(zr)
		rc.Close()
		if err != nil {
			e.t.Fatal(err)
		}
		var doc struct {
			Records []map[string]any
		}
		if err := json.Unmarshal(raw, &doc); err != nil {
			e.t.Fatalf("%s: %v", oi.Key, err)
		}
		if len(doc.Records) == 0 {
			e.t.Fatalf("%s: no records", oi.Key)
		}
		for _, r := range doc.Records {
			if r["awsRegion"] != m[3] || r["recipientAccountId"] != m[2] {
				e.t.Fatalf("%s holds a record of %v/%v", oi.Key, r["recipientAccountId"], r["awsRegion"])
			}
		}
		out = append(out, delivered{key: oi.Key, raw: raw, records: doc.Records})
	}
	return out
}

func eventIDs(fs []delivered) []string {
	var ids []string
	for _, f := range fs {
		for _, r := range f.records {
			ids = append(ids, r["eventID"].(string))
		}
	}
	sort.Strings(ids)
	return ids
}

func sorted(ids ...[]string) []string {
	var out []string
	for _, x := range ids {
		out = append(out, x...)
	}
	sort.Strings(out)
	return out
}

func flush(t testing.TB, s *delivery.Scheduler) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestScheduler_DeliversInAWSLayout(t *testing.T) {
	e := newEnv(t)
	e.bucket("logs")
	e.bucket("multi")
	e.bucket("noglobal")
	e.trail(east, "single", "logs", cloudtrail.CreateTrailParams{S3KeyPrefix: ptr("pre/fix")})
	e.trail(east, "multi", "multi", cloudtrail.CreateTrailParams{IsMultiRegionTrail: ptr(true)})
	e.trail(east, "noglobal", "noglobal", cloudtrail.CreateTrailParams{IncludeGlobalServiceEvents: ptr(false)})
	s := e.open(delivery.Config{})

	eastIDs := e.appendEvents(ev{}, ev{name: "GetTrail", readOnly: true})
	westIDs := e.appendEvents(ev{region: west})
	otherIDs := e.appendEvents(ev{account: other})
	globalIDs := e.appendEvents(ev{source: "cloudfront.amazonaws.com", name: "UpdateDistribution"})
	dataIDs := e.appendEvents(ev{source: "edgekeyvaluestore.amazonaws.com", name: "UpdateKeys", category: cairn.EventCategoryData,
		resources: []cairn.Resource{{AccountID: acct, Type: "AWS::CloudFront::KeyValueStore", ARN: "arn:aws:cloudfront::" + acct + ":key-value-store/k1"}}})
	_ = otherIDs
	_ = dataIDs
	e.clock.set(t0.Add(5 * time.Minute))
	flush(t, s)

	single := e.files("logs")
	if got, want := eventIDs(single), sorted(eastIDs, globalIDs); !slices.Equal(got, want) {
		t.Errorf("single-region trail got %v, want %v", got, want)
	}
	for _, f := range single {
		if !strings.HasPrefix(f.key, "pre/fix/AWSLogs/"+acct+"/CloudTrail/us-east-1/2026/11/25/"+acct+"_CloudTrail_us-east-1_20261125T1005Z_") {
			t.Errorf("key %s", f.key)
		}
	}
	multi := e.files("multi")
	if got, want := eventIDs(multi), sorted(eastIDs, westIDs, globalIDs); !slices.Equal(got, want) {
		t.Errorf("multi-region trail got %v, want %v", got, want)
	}
	if len(multi) != 2 {
		t.Errorf("multi-region trail wrote %d files, want one per region", len(multi))
	}
	if got, want := eventIDs(e.files("noglobal")), sorted(eastIDs); !slices.Equal(got, want) {
		t.Errorf("trail without global service events got %v, want %v", got, want)
	}

	st, err := e.trails.Status(e.ctx, acct, east, "single")
	if err != nil {
		t.Fatal(err)
	}
	if !st.LatestDeliveryTime.Equal(t0.Add(5*time.Minute)) || st.LatestDeliveryError != "" ||
		st.LatestDeliveryAttemptSucceeded != "2026-11-25T10:05:00Z" || st.LatestDeliveryAttemptTime != "2026-11-25T10:05:00Z" {
		t.Errorf("status after delivery = %+v", st)
	}
	if got := s.Stats(); got.PendingJobs != 0 || got.Files != 4 {
		t.Errorf("stats = %+v", got)
	}

	// A second window delivers only what is new, into new files.
	more := e.appendEvents(ev{at: 6 * time.Minute})
	e.clock.set(t0.Add(10 * time.Minute))
	flush(t, s)
	if got, want := eventIDs(e.files("logs")), sorted(eastIDs, globalIDs, more); !slices.Equal(got, want) {
		t.Errorf("after the second window: %v, want %v", got, want)
	}
	if n := len(e.files("logs")); n != 2 {
		t.Errorf("%d files after two windows, want 2", n)
	}
}

func TestScheduler_Selectors(t *testing.T) {
	e := newEnv(t)
	kvsARN := "arn:aws:cloudfront::" + acct + ":key-value-store/k1"
	kvsRes := []cairn.Resource{{AccountID: acct, Type: "AWS::CloudFront::KeyValueStore", ARN: kvsARN}}
	for _, b := range []string{"def", "wonly", "data", "adv", "nomgmt"} {
		e.bucket(b)
	}
	e.trail(east, "def", "def", cloudtrail.CreateTrailParams{})
	e.trail(east, "wonly", "wonly", cloudtrail.CreateTrailParams{})
	e.trail(east, "data", "data", cloudtrail.CreateTrailParams{})
	e.trail(east, "adv", "adv", cloudtrail.CreateTrailParams{})
	e.trail(east, "nomgmt", "nomgmt", cloudtrail.CreateTrailParams{})
	put := func(name string, sel []cloudtrail.EventSelector, adv []cloudtrail.AdvancedEventSelector) {
		if _, err := e.trails.PutEventSelectors(e.ctx, acct, east, name, sel, adv, adv == nil, adv != nil); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	put("wonly", []cloudtrail.EventSelector{{ReadWriteType: "WriteOnly"}}, nil)
	put("data", []cloudtrail.EventSelector{{DataResources: []cloudtrail.DataResource{{Type: "AWS::CloudFront::KeyValueStore", Values: []string{kvsARN}}}}}, nil)
	put("nomgmt", []cloudtrail.EventSelector{{IncludeManagementEvents: ptr(false), DataResources: []cloudtrail.DataResource{{Type: "AWS::CloudFront::KeyValueStore", Values: []string{"arn:aws:cloudfront"}}}}}, nil)
	put("adv", nil, []cloudtrail.AdvancedEventSelector{{Name: "kvs puts", FieldSelectors: []cloudtrail.AdvancedFieldSelector{
		{Field: "eventCategory", Equals: []string{"Data"}},
		{Field: "resources.type", Equals: []string{"AWS::CloudFront::KeyValueStore"}},
		{Field: "eventName", Equals: []string{"PutKey"}},
	}}})
	s := e.open(delivery.Config{})

	write := e.appendEvents(ev{name: "CreateTrail"})
	read := e.appendEvents(ev{name: "GetTrail", readOnly: true})
	put1 := e.appendEvents(ev{source: "edgekeyvaluestore.amazonaws.com", name: "PutKey", category: "Data", resources: kvsRes})
	get1 := e.appendEvents(ev{source: "edgekeyvaluestore.amazonaws.com", name: "GetKey", category: "Data", readOnly: true, resources: kvsRes})
	otherKVS := e.appendEvents(ev{source: "edgekeyvaluestore.amazonaws.com", name: "PutKey", category: "Data",
		resources: []cairn.Resource{{AccountID: acct, Type: "AWS::CloudFront::KeyValueStore", ARN: kvsARN + "0"}}})
	e.clock.set(t0.Add(5 * time.Minute))
	flush(t, s)

	tests := []struct {
		bucket string
		want   []string
	}{
		{"def", sorted(write, read)},              // management only: data events need a selector
		{"wonly", sorted(write)},                  // WriteOnly
		{"data", sorted(write, read, put1, get1)}, // management + the one store's data events
		{"nomgmt", sorted(put1, get1, otherKVS)},  // every store's data events, no management
		{"adv", sorted(put1, otherKVS)},           // advanced: PutKey data events only
	}
	for _, tc := range tests {
		if got := eventIDs(e.files(tc.bucket)); !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %d events %v, want %d %v", tc.bucket, len(got), got, len(tc.want), tc.want)
		}
	}
}

func TestScheduler_StopLoggingLeavesAGap(t *testing.T) {
	e := newEnv(t)
	e.bucket("logs")
	e.trail(east, "trail1", "logs", cloudtrail.CreateTrailParams{}) // logging from t0
	s := e.open(delivery.Config{})
	before := e.appendEvents(ev{at: time.Minute})
	e.clock.set(t0.Add(2 * time.Minute))
	if err := e.trails.StopLogging(e.ctx, acct, east, "trail1"); err != nil {
		t.Fatal(err)
	}
	e.appendEvents(ev{at: 3 * time.Minute}) // while stopped: never delivered
	e.clock.set(t0.Add(4 * time.Minute))
	if err := e.trails.StartLogging(e.ctx, acct, east, "trail1"); err != nil {
		t.Fatal(err)
	}
	after := e.appendEvents(ev{at: 5 * time.Minute})
	e.clock.set(t0.Add(6 * time.Minute))
	flush(t, s)
	if got, want := eventIDs(e.files("logs")), sorted(before, after); !slices.Equal(got, want) {
		t.Errorf("got %v, want %v (nothing from the stopped gap)", got, want)
	}
	// A deleted trail delivers nothing more.
	if err := e.trails.Delete(e.ctx, acct, east, "trail1"); err != nil {
		t.Fatal(err)
	}
	e.appendEvents(ev{at: 7 * time.Minute})
	e.clock.set(t0.Add(8 * time.Minute))
	flush(t, s)
	if got, want := eventIDs(e.files("logs")), sorted(before, after); !slices.Equal(got, want) {
		t.Errorf("after DeleteTrail: got %v, want %v", got, want)
	}
}

func TestScheduler_SplitsLargeFiles(t *testing.T) {
	e := newEnv(t)
	e.bucket("logs")
	e.trail(east, "trail1", "logs", cloudtrail.CreateTrailParams{})
	const max = 4096
	s := e.open(delivery.Config{MaxFileBytes: max})
	var evs []ev
	for range 60 {
		evs = append(evs, ev{})
	}
	ids := e.appendEvents(evs...)
	e.clock.set(t0.Add(5 * time.Minute))
	flush(t, s)
	fs := e.files("logs")
	if len(fs) < 3 {
		t.Fatalf("%d files, want the events split into several", len(fs))
	}
	for _, f := range fs {
		if len(f.raw) > max {
			t.Errorf("%s: %d bytes uncompressed, more than %d", f.key, len(f.raw), max)
		}
	}
	if got := eventIDs(fs); !slices.Equal(got, sorted(ids)) {
		t.Errorf("split files hold %d events, want %d, each once", len(got), len(ids))
	}
}

func TestScheduler_OutageRetriesAndCatchesUp(t *testing.T) {
	e := newEnv(t)
	e.bucket("logs")
	e.trail(east, "trail1", "logs", cloudtrail.CreateTrailParams{})
	// The bucket disappears after the trail was created: delivery fails until it is back.
	if err := os.RemoveAll(filepath.Join(e.root, "logs")); err != nil {
		t.Fatal(err)
	}
	s := e.open(delivery.Config{})
	first := e.appendEvents(ev{})
	e.clock.set(t0.Add(5 * time.Minute))
	flush(t, s)
	st, err := e.trails.Status(e.ctx, acct, east, "trail1")
	if err != nil {
		t.Fatal(err)
	}
	if st.LatestDeliveryError != "NoSuchBucket" || st.LatestDeliveryAttemptTime == "" || !st.LatestDeliveryTime.IsZero() {
		t.Fatalf("status during the outage = %+v", st)
	}
	second := e.appendEvents(ev{at: 6 * time.Minute})
	e.clock.set(t0.Add(10 * time.Minute))
	flush(t, s) // still failing; the second window is planned behind the first
	if got := s.Stats(); got.PendingJobs == 0 || got.Failures < 2 {
		t.Fatalf("stats during the outage = %+v", got)
	}
	e.bucket("logs")
	e.clock.set(t0.Add(15 * time.Minute))
	flush(t, s)
	if got, want := eventIDs(e.files("logs")), sorted(first, second); !slices.Equal(got, want) {
		t.Errorf("after the outage: got %v, want %v", got, want)
	}
	st, err = e.trails.Status(e.ctx, acct, east, "trail1")
	if err != nil {
		t.Fatal(err)
	}
	if st.LatestDeliveryError != "" || st.LatestDeliveryTime.IsZero() {
		t.Errorf("status after recovery = %+v", st)
	}
	if got := s.Stats(); got.PendingJobs != 0 {
		t.Errorf("stats after recovery = %+v", got)
	}
}

// TestScheduler_RetryRewritesSameFiles replays a job that had stored its files but
// not yet recorded it (a crash at the worst moment): the same keys get the same bytes.
func TestScheduler_RetryRewritesSameFiles(t *testing.T) {
	e := newEnv(t)
	e.bucket("logs")
	e.trail(east, "trail1", "logs", cloudtrail.CreateTrailParams{IsMultiRegionTrail: ptr(true)})
	s := e.open(delivery.Config{MaxFileBytes: 2048})
	var evs []ev
	for i := range 30 {
		evs = append(evs, ev{region: []string{east, west}[i%2]})
	}
	ids := e.appendEvents(evs...)
	e.clock.set(t0.Add(5 * time.Minute))
	// Capture the state document as it is once the job is planned and started.
	var started []byte
	meta := e.log.Meta()
	flushUntil := func() {
		flush(t, s)
	}
	flushUntil()
	first := e.files("logs")
	if got := eventIDs(first); !slices.Equal(got, sorted(ids)) {
		t.Fatalf("delivered %d events, want %d", len(got), len(ids))
	}
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Rebuild the "crashed" state: the job back in the list, marked started.
	cur, err := meta.Get(e.ctx, delivery.StateBucket, "state")
	if err != nil {
		t.Fatal(err)
	}
	var st map[string]any
	if err := json.Unmarshal(cur.Value, &st); err != nil {
		t.Fatal(err)
	}
	trail, err := e.trails.Get(e.ctx, acct, east, "trail1")
	if err != nil {
		t.Fatal(err)
	}
	st["Jobs"] = []any{map[string]any{"Trail": trail, "From": 1, "To": st["Cursor"], "Time": t0.Add(5 * time.Minute), "Started": true}}
	started, _ = json.Marshal(st)
	if _, err := meta.Update(e.ctx, delivery.StateBucket, "state", started, cur.Revision); err != nil {
		t.Fatal(err)
	}
	// Tamper with nothing; change the clock: the replayed job must not use it.
	e.clock.set(t0.Add(7 * time.Minute))
	s2 := e.open(delivery.Config{MaxFileBytes: 2048})
	flush(t, s2)
	again := e.files("logs")
	if len(again) != len(first) {
		t.Fatalf("replay left %d files, want the same %d", len(again), len(first))
	}
	for i := range first {
		if again[i].key != first[i].key || !bytes.Equal(again[i].raw, first[i].raw) {
			t.Errorf("file %d changed on replay: %s -> %s", i, first[i].key, again[i].key)
		}
	}
}

func TestScheduler_Notifications(t *testing.T) {
	var (
		mu    sync.Mutex
		got   [][]byte
		fails = 1
	)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if fails > 0 {
			fails--
			http.Error(w, "not now", http.StatusServiceUnavailable)
			return
		}
		if r.Header.Get("x-amz-sns-topic-arn") != "arn:aws:sns:us-east-1:"+acct+":audit" {
			t.Errorf("topic header %q", r.Header.Get("x-amz-sns-topic-arn"))
		}
		b, _ := io.ReadAll(r.Body)
		got = append(got, b)
	}))
	defer hook.Close()
	targets, err := delivery.ParseTargets("audit="+hook.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t)
	e.trails.Topics = targets
	e.bucket("logs")
	if _, err := e.trails.Create(e.ctx, acct, east, cloudtrail.CreateTrailParams{Name: "trail1", S3BucketName: "logs", SnsTopicName: ptr("nope")}); err == nil ||
		!strings.Contains(err.Error(), "InsufficientSnsTopicPolicyException") {
		t.Fatalf("unknown topic: %v", err)
	}
	e.trail(east, "trail1", "logs", cloudtrail.CreateTrailParams{SnsTopicName: ptr("audit")})
	s := e.open(delivery.Config{Notifier: targets})
	e.appendEvents(ev{})
	e.clock.set(t0.Add(5 * time.Minute))
	flush(t, s) // delivered; the notification fails once
	st, _ := e.trails.Status(e.ctx, acct, east, "trail1")
	if st.LatestNotificationError == "" || !st.LatestNotificationTime.IsZero() {
		t.Fatalf("status after a failed notification = %+v", st)
	}
	flush(t, s) // retried
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 {
		t.Fatalf("%d notifications, want 1", len(got))
	}
	var msg struct {
		S3Bucket    string   `json:"s3Bucket"`
		S3ObjectKey []string `json:"s3ObjectKey"`
	}
	if err := json.Unmarshal(got[0], &msg); err != nil {
		t.Fatal(err)
	}
	fs := e.files("logs")
	if msg.S3Bucket != "logs" || len(msg.S3ObjectKey) != 1 || msg.S3ObjectKey[0] != fs[0].key {
		t.Errorf("notification %s, delivered %s", got[0], fs[0].key)
	}
	st, _ = e.trails.Status(e.ctx, acct, east, "trail1")
	if st.LatestNotificationError != "" || st.LatestNotificationTime.IsZero() || st.LatestNotificationAttemptSucceeded == "" {
		t.Errorf("status after notification = %+v", st)
	}
}

func ptr[T any](v T) *T { return &v }

// TestScheduler_DeletedTrailDropsFailingJob: a trail deleted while its bucket is
// unreachable does not retry forever.
func TestScheduler_DeletedTrailDropsFailingJob(t *testing.T) {
	e := newEnv(t)
	e.bucket("logs")
	e.trail(east, "trail1", "logs", cloudtrail.CreateTrailParams{})
	if err := os.RemoveAll(filepath.Join(e.root, "logs")); err != nil {
		t.Fatal(err)
	}
	s := e.open(delivery.Config{})
	e.appendEvents(ev{})
	e.clock.set(t0.Add(5 * time.Minute))
	flush(t, s)
	if st := s.Stats(); st.PendingJobs != 1 {
		t.Fatalf("stats while failing = %+v", st)
	}
	if err := e.trails.Delete(e.ctx, acct, east, "trail1"); err != nil {
		t.Fatal(err)
	}
	flush(t, s)
	if st := s.Stats(); st.PendingJobs != 0 {
		t.Fatalf("stats after DeleteTrail = %+v", st)
	}
}
