//go:build e2e

package e2e

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"

	"github.com/cairnhq/cairn"
	"github.com/cairnhq/cairn/internal/versitygw"
	s3store "github.com/cairnhq/cairn/objstore/s3"
)

// startServerWithKeys starts cairn whose root credentials are key/secret, so that one
// set of AWS credentials reaches both Cairn and the S3 server, as with AWS.
func startServerWithKeys(t *testing.T, key, secret string, extraEnv ...string) *Server {
	t.Helper()
	s := &Server{t: t, DataDir: t.TempDir(), Account: testAccount, Key: key, Secret: secret}
	s.env = append([]string{
		"CAIRN_ACCOUNT_ID=" + s.Account,
		"CAIRN_ROOT_ACCESS_KEY_ID=" + s.Key,
		"CAIRN_ROOT_SECRET_ACCESS_KEY=" + s.Secret,
	}, extraEnv...)
	s.start()
	t.Cleanup(s.Stop)
	return s
}

// vlDigest is a digest file as the test reads it back.
type vlDigest struct {
	Key  string
	Body []byte // decompressed
	Meta map[string]string
	Doc  struct {
		DigestEndTime              string
		DigestPublicKeyFingerprint string
		LogFiles                   []struct{ S3Object string }
	}
}

func vlDigests(t *testing.T, st *s3store.Store, bucket, region string) []vlDigest {
	t.Helper()
	infos, err := st.List(ctx(t), bucket, "AWSLogs/"+testAccount+"/CloudTrail-Digest/"+region+"/", "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []vlDigest
	for _, oi := range infos {
		rc, info, err := st.Get(ctx(t), bucket, oi.Key)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(rc)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(zr)
		rc.Close()
		d := vlDigest{Key: oi.Key, Body: body, Meta: info.Metadata}
		if err := json.Unmarshal(body, &d.Doc); err != nil {
			t.Fatal(err)
		}
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Doc.DigestEndTime < out[j].Doc.DigestEndTime })
	return out
}

func vlGzip(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

// vlRun runs a validator (the AWS CLI or cairn) with the S3 endpoint in the
// environment as the CLI needs it; it returns the combined output and exit code.
func vlRun(t *testing.T, gw *versitygw.Server, name string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(cleanEnv(), "AWS_ACCESS_KEY_ID="+gw.AccessKey, "AWS_SECRET_ACCESS_KEY="+gw.SecretKey,
		"AWS_ENDPOINT_URL_S3="+gw.Endpoint, "AWS_MAX_ATTEMPTS=1", "AWS_PAGER=", "AWS_CONFIG_FILE=/dev/null",
		"AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_DEFAULT_REGION=us-east-1")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return out.String(), code
}

// TestValidateLogs has the real `aws cloudtrail validate-logs` (and `cairn
// validate-logs`) check Cairn's digests over several digest intervals and a key
// rotation, then catches each kind of tampering.
func TestValidateLogs(t *testing.T) {
	gw := versitygw.Start(t)
	s := startServerWithKeys(t, gw.AccessKey, gw.SecretKey,
		"CAIRN_DELIVERY_INTERVAL=1s", "CAIRN_DIGEST_INTERVAL=3s", "CAIRN_SIGNING_KEY_ROTATION=8s",
		"CAIRN_S3_ENDPOINT="+gw.Endpoint, "CAIRN_S3_ACCESS_KEY_ID="+gw.AccessKey,
		"CAIRN_S3_SECRET_ACCESS_KEY="+gw.SecretKey, "CAIRN_S3_REGION="+gw.Region)
	s3c, err := s3store.New(ctx(t), s3store.Config{Endpoint: gw.Endpoint, Region: gw.Region, PathStyle: true,
		AccessKeyID: gw.AccessKey, SecretAccessKey: gw.SecretKey, MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	const bucket = "validated-logs"
	if _, err := dlS3(t, gw, "s3", "mb", "s3://"+bucket); err != nil {
		t.Fatal(err)
	}
	trCLI(t, s, "us-east-1", "cloudtrail", "create-trail", "--name", "validated", "--s3-bucket-name", bucket,
		"--is-multi-region-trail", "--enable-log-file-validation")
	trCLIQuiet(t, s, "us-east-1", "cloudtrail", "start-logging", "--name", "validated")
	arn := "arn:aws:cloudtrail:us-east-1:" + testAccount + ":trail/validated"
	start := time.Now().UTC().Add(-2 * time.Second).Truncate(time.Second)

	// About 24 s of calls in two regions: several digest periods, all with log files.
	east, west := s.CloudTrail(s.Root(), "us-east-1"), s.CloudTrail(s.Root(), "us-west-2")
	for end := time.Now().Add(24 * time.Second); time.Now().Before(end); {
		for _, c := range []*cloudtrail.Client{east, west} {
			if _, err := c.GetTrail(ctx(t), &cloudtrail.GetTrailInput{Name: aws.String(arn)}); err != nil {
				t.Fatal(err)
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	lastCall := time.Now()
	var ds []vlDigest
	dlWait(t, 30*time.Second, func() string {
		ds = vlDigests(t, s3c, bucket, "us-east-1")
		if len(ds) == 0 {
			return "no digests"
		}
		if last, _ := time.Parse("2006-01-02T15:04:05Z", ds[len(ds)-1].Doc.DigestEndTime); last.Before(lastCall.Add(2 * time.Second)) {
			return "the last digest ends at " + ds[len(ds)-1].Doc.DigestEndTime
		}
		return ""
	})
	end := time.Now().UTC().Add(time.Second).Truncate(time.Second)
	fps := map[string]bool{}
	for _, d := range ds {
		fps[d.Doc.DigestPublicKeyFingerprint] = true
	}
	if len(ds) < 7 || len(fps) < 2 {
		t.Fatalf("%d digests signed by %d keys; want ≥ 7 digests and a key rotation", len(ds), len(fps))
	}
	t.Logf("%d digests in us-east-1, %d signing keys", len(ds), len(fps))

	timeArgs := []string{"--trail-arn", arn, "--start-time", start.Format(time.RFC3339), "--end-time", end.Format(time.RFC3339), "--verbose"}
	cli := func(region string) (string, int) {
		return vlRun(t, gw, "aws", append([]string{"cloudtrail", "validate-logs", "--endpoint-url", s.URL, "--region", region}, timeArgs...)...)
	}
	cairnV := func(region string) (string, int) {
		return vlRun(t, gw, binPath, append([]string{"validate-logs", "--endpoint-url", s.URL, "--region", region}, timeArgs...)...)
	}
	for _, region := range []string{"us-east-1", "us-west-2"} {
		for name, run := range map[string]func(string) (string, int){"aws": cli, "cairn": cairnV} {
			out, code := run(region)
			if code != 0 || strings.Contains(out, "INVALID") || !strings.Contains(out, " digest files valid") || !strings.Contains(out, " log files valid") {
				t.Fatalf("%s validate-logs --region %s: exit %d\n%s", name, region, code, out)
			}
			t.Logf("%s validate-logs --region %s: %s", name, region, vlSummary(out))
		}
	}

	// Tampering, one kind per digest period (skipping the first and last periods).
	pick := func(i int) vlDigest {
		if len(ds[i].Doc.LogFiles) == 0 {
			t.Fatalf("digest %s lists no log files", ds[i].Key)
		}
		return ds[i]
	}
	modifiedLog := pick(1).Doc.LogFiles[0].S3Object
	if err := s3c.Put(ctx(t), bucket, modifiedLog, bytes.NewReader(vlGzip([]byte(`{"Records":[]}`))), -1, cairn.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	deletedLog := pick(2).Doc.LogFiles[0].S3Object
	if err := s3c.Delete(ctx(t), bucket, deletedLog); err != nil {
		t.Fatal(err)
	}
	// A digest deleted: the next one's link finds nothing (its own checks pass).
	deletedDigest := ds[3]
	if err := s3c.Delete(ctx(t), bucket, deletedDigest.Key); err != nil {
		t.Fatal(err)
	}
	modifiedDigest := ds[5]
	body := bytes.Replace(modifiedDigest.Body, []byte(`"digestSignatureAlgorithm":"SHA256withRSA"`), []byte(`"digestSignatureAlgorithm": "SHA256withRSA"`), 1)
	if bytes.Equal(body, modifiedDigest.Body) {
		t.Fatal("could not modify the digest")
	}
	if err := s3c.Put(ctx(t), bucket, modifiedDigest.Key, bytes.NewReader(vlGzip(body)), -1, cairn.PutOptions{Metadata: modifiedDigest.Meta}); err != nil {
		t.Fatal(err)
	}
	resigned := ds[6]
	meta := map[string]string{"signature-algorithm": resigned.Meta["signature-algorithm"]}
	sig := []byte(resigned.Meta["signature"])
	sig[10] = "0123456789abcdef"[(strings.IndexByte("0123456789abcdef", sig[10])+1)%16]
	meta["signature"] = string(sig)
	if err := s3c.Put(ctx(t), bucket, resigned.Key, bytes.NewReader(vlGzip(resigned.Body)), -1, cairn.PutOptions{Metadata: meta}); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"Log file\ts3://" + bucket + "/" + modifiedLog + "\tINVALID: hash value doesn't match",
		"Log file\ts3://" + bucket + "/" + deletedLog + "\tINVALID: not found",
		"Digest file\ts3://" + bucket + "/" + modifiedDigest.Key + "\tINVALID: signature verification failed",
		"Digest file\ts3://" + bucket + "/" + deletedDigest.Key + "\tINVALID: not found",
		"Digest file\ts3://" + bucket + "/" + resigned.Key + "\tINVALID: signature verification failed",
	}
	for name, run := range map[string]func(string) (string, int){"aws": cli, "cairn": cairnV} {
		out, code := run("us-east-1")
		if code == 0 {
			t.Errorf("%s validate-logs after tampering exited 0\n%s", name, out)
		}
		for _, w := range want {
			if !strings.Contains(out, w) {
				t.Errorf("%s validate-logs does not report %q\n%s", name, w, out)
			}
		}
		t.Logf("%s validate-logs after tampering: %s", name, vlSummary(out))
	}
}

// vlSummary is the summary lines of a validate-logs output.
func vlSummary(out string) string {
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, " files valid") || strings.Contains(l, " files INVALID") {
			lines = append(lines, strings.TrimSpace(l))
		}
	}
	return strings.Join(lines, "; ")
}
