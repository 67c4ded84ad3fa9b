//go:build e2e

package e2e

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmw "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/smithy-go/middleware"

	"github.com/cairnhq/cairn/internal/versitygw"
	s3store "github.com/cairnhq/cairn/objstore/s3"
)

// dlKeyRE is AWS's log file key layout (spec §5.1), prefix optional.
var dlKeyRE = regexp.MustCompile(`^(?:(.+)/)?AWSLogs/(\d{12})/CloudTrail/([a-z0-9-]+)/(\d{4})/(\d{2})/(\d{2})/(\d{12})_CloudTrail_([a-z0-9-]+)_(\d{8}T\d{4}Z)_([A-Za-z0-9]{16})\.json\.gz$`)

// dlFile is a delivered log file, read back.
type dlFile struct {
	Key     string
	Records []map[string]any
}

// dlParse gunzips and parses a log file and checks its key and records agree.
func dlParse(t *testing.T, key string, gz []byte) dlFile {
	t.Helper()
	m := dlKeyRE.FindStringSubmatch(key)
	if m == nil {
		t.Fatalf("key %q does not follow the CloudTrail layout", key)
	}
	if m[2] != m[7] || m[3] != m[8] || m[4]+m[5]+m[6] != m[9][:8] {
		t.Fatalf("key %q: account, region or date parts disagree", key)
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatalf("%s: not gzip: %v", key, err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	var doc struct{ Records []map[string]any }
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	if len(doc.Records) == 0 {
		t.Fatalf("%s: no records", key)
	}
	for _, r := range doc.Records {
		if r["awsRegion"] != m[3] || r["recipientAccountId"] != m[2] {
			t.Fatalf("%s holds a record of %v in %v", key, r["recipientAccountId"], r["awsRegion"])
		}
	}
	return dlFile{Key: key, Records: doc.Records}
}

// dlLocalFiles reads every log file of a local bucket directory.
func dlLocalFiles(t *testing.T, dir string) []dlFile {
	t.Helper()
	var out []dlFile
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			if rel == ".cairn" {
				return filepath.SkipDir
			}
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out = append(out, dlParse(t, filepath.ToSlash(rel), b))
		return nil
	})
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	return out
}

// dlCount counts, by field value (eventID or requestID), the records in files.
func dlCount(files []dlFile, field string) map[string]int {
	n := map[string]int{}
	for _, f := range files {
		for _, r := range f.Records {
			if v, ok := r[field].(string); ok {
				n[v]++
			}
		}
	}
	return n
}

// dlWait polls fn until it returns "" or the deadline passes, then fails with its
// last complaint.
func dlWait(t *testing.T, within time.Duration, fn func() string) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		msg := fn()
		if msg == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %s", within, msg)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// dlRequestIDs makes n SDK calls (GetTrail, DescribeTrails) in region and returns the
// request ids of the answered ones: each is the requestID of the call's event.
func dlRequestIDs(t *testing.T, ct *cloudtrail.Client, trail string, n int) []string {
	t.Helper()
	var ids []string
	for i := range n {
		var md middleware.Metadata
		if i%2 == 0 {
			out, err := ct.GetTrail(ctx(t), &cloudtrail.GetTrailInput{Name: aws.String(trail)})
			if err != nil {
				t.Fatal(err)
			}
			md = out.ResultMetadata
		} else {
			out, err := ct.DescribeTrails(ctx(t), &cloudtrail.DescribeTrailsInput{})
			if err != nil {
				t.Fatal(err)
			}
			md = out.ResultMetadata
		}
		id, ok := awsmw.GetRequestIDMetadata(md)
		if !ok || id == "" {
			t.Fatal("response without a request id")
		}
		ids = append(ids, id)
	}
	return ids
}

// dlMissing says which ids are not delivered exactly once ("" when all are).
func dlMissing(ids []string, count map[string]int) string {
	var bad []string
	for _, id := range ids {
		if count[id] != 1 {
			bad = append(bad, fmt.Sprintf("%s×%d", id, count[id]))
		}
	}
	if len(bad) == 0 {
		return ""
	}
	if len(bad) > 5 {
		bad = append(bad[:5], "…")
	}
	return fmt.Sprintf("%d of %d events not delivered exactly once: %v", len(bad), len(ids), bad)
}

// TestDelivery_LocalDirectory is the default a newcomer gets: a trail delivering to
// <data-dir>/buckets/<bucket>, files in AWS's layout, per region, with every event
// of the trail's regions exactly once, and GetTrailStatus telling the truth.
func TestDelivery_LocalDirectory(t *testing.T) {
	s := StartServer(t, "CAIRN_DELIVERY_INTERVAL=1s")
	s.Bucket(t, "trail-logs", "east-only")
	trCLI(t, s, "us-east-1", "cloudtrail", "create-trail", "--name", "everything", "--s3-bucket-name", "trail-logs",
		"--s3-key-prefix", "org/prod", "--is-multi-region-trail")
	trCLI(t, s, "us-east-1", "cloudtrail", "create-trail", "--name", "east", "--s3-bucket-name", "east-only",
		"--no-include-global-service-events")
	trCLIErr(t, s, "us-east-1", "S3BucketDoesNotExistException", "CreateTrail",
		"cloudtrail", "create-trail", "--name", "nowhere", "--s3-bucket-name", "no-such-bucket")
	trCLIQuiet(t, s, "us-east-1", "cloudtrail", "start-logging", "--name", "everything")
	trCLIQuiet(t, s, "us-east-1", "cloudtrail", "start-logging", "--name", "east")

	east := dlRequestIDs(t, s.CloudTrail(s.Root(), "us-east-1"), "everything", 20)
	west := dlRequestIDs(t, s.CloudTrail(s.Root(), "us-west-2"), "arn:aws:cloudtrail:us-east-1:"+testAccount+":trail/everything", 20)

	bucket := filepath.Join(s.DataDir, "buckets", "trail-logs")
	dlWait(t, 30*time.Second, func() string {
		return dlMissing(append(append([]string{}, east...), west...), dlCount(dlLocalFiles(t, bucket), "requestID"))
	})
	files := dlLocalFiles(t, bucket)
	regions := map[string]bool{}
	for _, f := range files {
		if !strings.HasPrefix(f.Key, "org/prod/AWSLogs/"+testAccount+"/CloudTrail/") {
			t.Errorf("key %s lacks the prefix", f.Key)
		}
		regions[f.Records[0]["awsRegion"].(string)] = true
	}
	if !regions["us-east-1"] || !regions["us-west-2"] {
		t.Errorf("multi-region trail delivered regions %v", regions)
	}
	// DuckDB reads the delivered files as the README shows.
	records := 0
	for _, f := range files {
		records += len(f.Records)
	}
	rows := dlDuckDB(t, `SELECT count(*) AS n, count(DISTINCT r.eventID) AS ids, count(*) FILTER (r.eventName = 'GetTrail') AS gets
		FROM (SELECT unnest(Records) AS r FROM read_json('`+bucket+`/org/prod/AWSLogs/*/CloudTrail/*/*/*/*/*.json.gz', maximum_object_size = 104857600))`)
	if len(rows) != 1 || rows[0]["n"] != fmt.Sprint(records) || rows[0]["ids"] != fmt.Sprint(records) || rows[0]["gets"] == "0" {
		t.Errorf("DuckDB over the delivered files: %v; the files hold %d records", rows, records)
	}

	// The single-region trail has its region's events only.
	eastFiles := dlLocalFiles(t, filepath.Join(s.DataDir, "buckets", "east-only"))
	dlWait(t, 30*time.Second, func() string {
		eastFiles = dlLocalFiles(t, filepath.Join(s.DataDir, "buckets", "east-only"))
		return dlMissing(east, dlCount(eastFiles, "requestID"))
	})
	if n := dlCount(eastFiles, "requestID"); n[west[0]] != 0 {
		t.Errorf("single-region trail has a us-west-2 event")
	}

	var st struct {
		IsLogging                      bool
		LatestDeliveryTime             float64
		LatestDeliveryAttemptTime      string
		LatestDeliveryAttemptSucceeded string
		LatestDeliveryError            *string
		TimeLoggingStarted             string
	}
	s.MustAWS(t, s.Root(), "us-east-1", &st, "cloudtrail", "get-trail-status", "--name", "everything")
	if !st.IsLogging || st.LatestDeliveryTime == 0 || st.LatestDeliveryAttemptSucceeded == "" ||
		st.LatestDeliveryAttemptTime == "" || st.LatestDeliveryError != nil || st.TimeLoggingStarted == "" {
		t.Errorf("get-trail-status = %+v", st)
	}

	// StopLogging stops delivery; StartLogging resumes without the gap.
	trCLIQuiet(t, s, "us-east-1", "cloudtrail", "stop-logging", "--name", "east")
	gap := dlRequestIDs(t, s.CloudTrail(s.Root(), "us-east-1"), "east", 6)
	trCLIQuiet(t, s, "us-east-1", "cloudtrail", "start-logging", "--name", "east")
	resumed := dlRequestIDs(t, s.CloudTrail(s.Root(), "us-east-1"), "east", 6)
	dlWait(t, 30*time.Second, func() string {
		return dlMissing(resumed, dlCount(dlLocalFiles(t, filepath.Join(s.DataDir, "buckets", "east-only")), "requestID"))
	})
	n := dlCount(dlLocalFiles(t, filepath.Join(s.DataDir, "buckets", "east-only")), "requestID")
	for _, id := range gap {
		if n[id] != 0 {
			t.Errorf("event %s of the stopped gap was delivered", id)
		}
	}
	// Everything delivered is also in the multi-region trail, which never stopped.
	if msg := dlMissing(gap, dlCount(dlLocalFiles(t, bucket), "requestID")); msg != "" {
		dlWait(t, 30*time.Second, func() string { return dlMissing(gap, dlCount(dlLocalFiles(t, bucket), "requestID")) })
	}
}

// dlS3 runs the AWS CLI's s3 commands against a versitygw server.
func dlS3(t *testing.T, gw *versitygw.Server, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command("aws", append([]string{"--region", gw.Region, "--output", "json"}, args...)...)
	cmd.Env = append(cleanEnv(), "AWS_ACCESS_KEY_ID="+gw.AccessKey, "AWS_SECRET_ACCESS_KEY="+gw.SecretKey,
		"AWS_ENDPOINT_URL_S3="+gw.Endpoint, "AWS_MAX_ATTEMPTS=1", "AWS_PAGER=", "AWS_CONFIG_FILE=/dev/null",
		"AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("aws %s: %v: %s", strings.Join(args, " "), err, errb.String())
	}
	return out.String(), nil
}

// dlS3Files copies the bucket with one `aws s3 cp --recursive` and parses every
// object: the AWS CLI reads what was delivered.
func dlS3Files(t *testing.T, gw *versitygw.Server, bucket string) []dlFile {
	t.Helper()
	dir := t.TempDir()
	if _, err := dlS3(t, gw, "s3", "cp", "--recursive", "--quiet", "s3://"+bucket, dir); err != nil {
		t.Fatal(err)
	}
	return dlLocalFiles(t, dir)
}

// dlS3Poll reads the bucket through the SDK (fast enough to poll).
func dlS3Poll(t *testing.T, st *s3store.Store, bucket string) []dlFile {
	t.Helper()
	var files []dlFile
	after := ""
	for {
		infos, err := st.List(ctx(t), bucket, "", after, 1000)
		if err != nil {
			t.Logf("list %s: %v", bucket, err)
			return files
		}
		for _, oi := range infos {
			rc, _, err := st.Get(ctx(t), bucket, oi.Key)
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, dlParse(t, oi.Key, b))
		}
		if len(infos) < 1000 {
			return files
		}
		after = infos[len(infos)-1].Key
	}
}

// TestDelivery_S3 delivers to a real S3 server (versitygw) and reads the files back
// with the AWS CLI; then takes the bucket away and brings it back: delivery reports
// the error, waits and catches up, each event exactly once.
func TestDelivery_S3(t *testing.T) {
	gw := versitygw.Start(t)
	s3c, err := s3store.New(ctx(t), s3store.Config{Endpoint: gw.Endpoint, Region: gw.Region, PathStyle: true,
		AccessKeyID: gw.AccessKey, SecretAccessKey: gw.SecretKey, MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	s := StartServer(t, "CAIRN_DELIVERY_INTERVAL=1s", "CAIRN_S3_ENDPOINT="+gw.Endpoint,
		"CAIRN_S3_ACCESS_KEY_ID="+gw.AccessKey, "CAIRN_S3_SECRET_ACCESS_KEY="+gw.SecretKey, "CAIRN_S3_REGION="+gw.Region)
	if _, err := dlS3(t, gw, "s3", "mb", "s3://audit-logs"); err != nil {
		t.Fatal(err)
	}
	trCLIErr(t, s, "us-east-1", "S3BucketDoesNotExistException", "CreateTrail",
		"cloudtrail", "create-trail", "--name", "nowhere", "--s3-bucket-name", "no-such-bucket")
	trCLI(t, s, "us-east-1", "cloudtrail", "create-trail", "--name", "s3-trail", "--s3-bucket-name", "audit-logs", "--is-multi-region-trail")
	trCLIQuiet(t, s, "us-east-1", "cloudtrail", "start-logging", "--name", "s3-trail")
	ct := s.CloudTrail(s.Root(), "eu-west-1")
	arn := "arn:aws:cloudtrail:us-east-1:" + testAccount + ":trail/s3-trail"
	first := dlRequestIDs(t, ct, arn, 10)
	dlWait(t, 30*time.Second, func() string { return dlMissing(first, dlCount(dlS3Poll(t, s3c, "audit-logs"), "requestID")) })
	// The AWS CLI reads the same files.
	if msg := dlMissing(first, dlCount(dlS3Files(t, gw, "audit-logs"), "requestID")); msg != "" {
		t.Fatalf("through the AWS CLI: %s", msg)
	}

	// Outage: the S3 server goes away; calls go on and are acknowledged.
	gw.Stop()
	during := dlRequestIDs(t, ct, arn, 10)
	var st struct {
		LatestDeliveryError       *string
		LatestDeliveryAttemptTime string
	}
	dlWait(t, 30*time.Second, func() string {
		s.MustAWS(t, s.Root(), "us-east-1", &st, "cloudtrail", "get-trail-status", "--name", "s3-trail")
		if st.LatestDeliveryError == nil {
			return "GetTrailStatus shows no delivery error during the outage"
		}
		return ""
	})
	t.Logf("LatestDeliveryError during the outage: %s", *st.LatestDeliveryError)
	gw.Restart()
	after := dlRequestIDs(t, ct, arn, 10)
	all := append(append(append([]string{}, first...), during...), after...)
	dlWait(t, 60*time.Second, func() string { return dlMissing(all, dlCount(dlS3Poll(t, s3c, "audit-logs"), "requestID")) })
	st.LatestDeliveryError = nil
	dlWait(t, 30*time.Second, func() string {
		s.MustAWS(t, s.Root(), "us-east-1", &st, "cloudtrail", "get-trail-status", "--name", "s3-trail")
		if st.LatestDeliveryError != nil {
			return "GetTrailStatus still shows " + *st.LatestDeliveryError
		}
		return ""
	})
	// No event is in two files.
	for id, n := range dlCount(dlS3Files(t, gw, "audit-logs"), "eventID") {
		if n != 1 {
			t.Errorf("event %s delivered %d times", id, n)
		}
	}
}

// TestDelivery_Kill9 kills the server again and again while clients call it and
// delivery runs every second: after the last restart every acknowledged call's event
// is in exactly one delivered file.
func TestDelivery_Kill9(t *testing.T) {
	s := StartServer(t, "CAIRN_DELIVERY_INTERVAL=1s", "CAIRN_MAX_LOG_FILE_BYTES=4096")
	s.Bucket(t, "kill-logs")
	trCLI(t, s, "us-east-1", "cloudtrail", "create-trail", "--name", "kill-trail", "--s3-bucket-name", "kill-logs", "--is-multi-region-trail")
	trCLIQuiet(t, s, "us-east-1", "cloudtrail", "start-logging", "--name", "kill-trail")
	arn := "arn:aws:cloudtrail:us-east-1:" + testAccount + ":trail/kill-trail"

	var (
		mu    sync.Mutex
		acked []string
	)
	for round := range 3 {
		stop := make(chan struct{})
		var wg sync.WaitGroup
		var calls atomic.Int64
		for w := range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ct := s.CloudTrail(s.Root(), []string{"us-east-1", "us-west-2", "eu-west-1"}[w%3])
				for {
					select {
					case <-stop:
						return
					default:
					}
					c, cancel := context.WithTimeout(context.Background(), 5*time.Second)
					out, err := ct.GetTrail(c, &cloudtrail.GetTrailInput{Name: aws.String(arn)}, func(o *cloudtrail.Options) { o.RetryMaxAttempts = 1 })
					cancel()
					if err != nil {
						continue // the server is down: not acknowledged
					}
					if id, ok := awsmw.GetRequestIDMetadata(out.ResultMetadata); ok {
						mu.Lock()
						acked = append(acked, id)
						mu.Unlock()
						calls.Add(1)
					}
				}
			}()
		}
		// Let a few windows be planned and delivered, then kill in the middle of one.
		time.Sleep(time.Duration(2500+700*round) * time.Millisecond)
		s.Kill()
		close(stop)
		wg.Wait()
		t.Logf("round %d: %d calls acknowledged before kill -9", round, calls.Load())
		s.Restart()
	}
	mu.Lock()
	ids := append([]string(nil), acked...)
	mu.Unlock()
	if len(ids) < 50 {
		t.Fatalf("only %d acknowledged calls; the test proves nothing", len(ids))
	}
	bucket := filepath.Join(s.DataDir, "buckets", "kill-logs")
	dlWait(t, 60*time.Second, func() string { return dlMissing(ids, dlCount(dlLocalFiles(t, bucket), "requestID")) })
	files := dlLocalFiles(t, bucket)
	for id, n := range dlCount(files, "eventID") {
		if n != 1 {
			t.Errorf("event %s delivered %d times", id, n)
		}
	}
	t.Logf("%d acknowledged calls, all delivered exactly once in %d files", len(ids), len(files))
}

// TestDelivery_Notifications posts CloudTrail's notification message to a webhook
// named by the trail's SnsTopicName after each delivery.
func TestDelivery_Notifications(t *testing.T) {
	var (
		mu   sync.Mutex
		msgs []map[string]any
	)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m map[string]any
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		mu.Lock()
		msgs = append(msgs, m)
		mu.Unlock()
	}))
	defer hook.Close()
	s := StartServer(t, "CAIRN_DELIVERY_INTERVAL=1s", "CAIRN_NOTIFICATION_TARGETS=audit-topic="+hook.URL)
	s.Bucket(t, "notified")
	trCLIErr(t, s, "us-east-1", "InsufficientSnsTopicPolicyException", "CreateTrail",
		"cloudtrail", "create-trail", "--name", "unknown-topic", "--s3-bucket-name", "notified", "--sns-topic-name", "nope")
	trCLI(t, s, "us-east-1", "cloudtrail", "create-trail", "--name", "notifying", "--s3-bucket-name", "notified", "--sns-topic-name", "audit-topic")
	trCLIQuiet(t, s, "us-east-1", "cloudtrail", "start-logging", "--name", "notifying")
	ids := dlRequestIDs(t, s.CloudTrail(s.Root(), "us-east-1"), "notifying", 4)
	bucket := filepath.Join(s.DataDir, "buckets", "notified")
	dlWait(t, 30*time.Second, func() string { return dlMissing(ids, dlCount(dlLocalFiles(t, bucket), "requestID")) })
	dlWait(t, 30*time.Second, func() string {
		mu.Lock()
		defer mu.Unlock()
		keys := map[string]bool{}
		for _, m := range msgs {
			if m["s3Bucket"] != "notified" {
				return fmt.Sprintf("notification for bucket %v", m["s3Bucket"])
			}
			for _, k := range m["s3ObjectKey"].([]any) {
				keys[k.(string)] = true
			}
		}
		for _, f := range dlLocalFiles(t, bucket) {
			if !keys[f.Key] {
				return "no notification names " + f.Key
			}
		}
		return ""
	})
	var st struct {
		LatestNotificationTime             float64
		LatestNotificationAttemptSucceeded string
	}
	s.MustAWS(t, s.Root(), "us-east-1", &st, "cloudtrail", "get-trail-status", "--name", "notifying")
	if st.LatestNotificationTime == 0 || st.LatestNotificationAttemptSucceeded == "" {
		t.Errorf("get-trail-status after notifications = %+v", st)
	}
	keys := make([]string, 0)
	for _, f := range dlLocalFiles(t, bucket) {
		keys = append(keys, f.Key)
	}
	sort.Strings(keys)
	t.Logf("delivered %v", keys)
}

// dlDuckDB runs sql with DuckDB (the @duckdb/node-api package that scripts/test.sh
// installs into $CAIRN_DUCKDB_NODE_DIR) and returns the rows.
func dlDuckDB(t *testing.T, sql string) []map[string]any {
	t.Helper()
	dir := os.Getenv("CAIRN_DUCKDB_NODE_DIR")
	if dir == "" || !dlExists(filepath.Join(dir, "node_modules", "@duckdb", "node-api")) {
		if os.Getenv("CAIRN_REQUIRE_DUCKDB") == "1" {
			t.Fatal("DuckDB for node is not installed in $CAIRN_DUCKDB_NODE_DIR (scripts/test.sh installs it)")
		}
		t.Skip("DuckDB for node is not installed: set CAIRN_DUCKDB_NODE_DIR to a directory with `npm install @duckdb/node-api@1.5.6-r.1`")
	}
	script, err := os.ReadFile(filepath.Join("testdata", "duckdb-query.mjs"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "cairn-e2e-query.mjs")
	if err := os.WriteFile(path, script, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("node", path, sql)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("duckdb %s: %v: %s", sql, err, errb.String())
	}
	var rows []map[string]any
	if err := json.Unmarshal(out.Bytes(), &rows); err != nil {
		t.Fatalf("duckdb output: %v: %s", err, out.String())
	}
	return rows
}

func dlExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
