package validate_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/cairnhq/cairn/internal/versitygw"
	s3store "github.com/cairnhq/cairn/objstore/s3"
)

var withAWSCLI = flag.Bool("awscli", false, "compare with the real AWS CLI (needs aws and versitygw)")

// TestRun_AWSCLI puts every scenario of TestRun into a real S3 server
// (versitygw) and runs both the AWS CLI v1's `aws cloudtrail validate-logs` and
// `cairn validate-logs` on it, with a fake CloudTrail API serving DescribeTrails
// and ListPublicKeys; their stdout, stderr and exit status must be identical.
// It needs the aws and versitygw binaries, takes a minute or two, and runs only
// with -awscli: go test ./validate -run AWSCLI -awscli.
func TestRun_AWSCLI(t *testing.T) {
	if !*withAWSCLI {
		t.Skip("run with -awscli to compare with the AWS CLI")
	}
	awsBin, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("aws (AWS CLI v1) not on PATH")
	}
	if out, err := exec.Command(awsBin, "--version").CombinedOutput(); err != nil || !strings.HasPrefix(string(out), "aws-cli/1.") {
		t.Skipf("aws --version: %s %v; want AWS CLI v1", out, err)
	}
	gw := versitygw.Start(t)
	cairnBin := filepath.Join(t.TempDir(), "cairn")
	if out, err := exec.Command("go", "build", "-o", cairnBin, "github.com/cairnhq/cairn/cmd/cairn").CombinedOutput(); err != nil {
		t.Fatalf("go build cmd/cairn: %v\n%s", err, out)
	}
	st, err := s3store.New(context.Background(), s3store.Config{Endpoint: gw.Endpoint, Region: gw.Region, PathStyle: true,
		AccessKeyID: gw.AccessKey, SecretAccessKey: gw.SecretKey, MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	makeBucket := func(t testing.TB, name string) {
		if _, err := st.Client().CreateBucket(context.Background(), &awss3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
			t.Fatalf("create bucket %s: %v", name, err)
		}
	}
	env := []string{"AWS_ACCESS_KEY_ID=" + gw.AccessKey, "AWS_SECRET_ACCESS_KEY=" + gw.SecretKey,
		"AWS_ENDPOINT_URL_S3=" + gw.Endpoint, "AWS_DEFAULT_REGION=" + fxRegion, "AWS_MAX_ATTEMPTS=1", "AWS_PAGER=",
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_EC2_METADATA_DISABLED=true"}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}

	// cairn validate-logs --bucket-root reads a local bucket directory.
	t.Run("bucket-root", func(t *testing.T) {
		t.Parallel()
		f := newFileFixture(t)
		tamper := scenarios(t)
		for _, sc := range tamper {
			if sc.name == "tamper" {
				sc.tamper(t, f)
			}
		}
		ct := httptest.NewServer(fakeCloudTrail(t, f))
		defer ct.Close()
		cmd := exec.Command(cairnBin, "validate-logs", "--endpoint-url", ct.URL, "--trail-arn", fxARN, "--verbose",
			"--start-time", "2026-11-25T10:00:00Z", "--end-time", "2026-11-25T16:30:00Z", "--bucket-root", filepath.Dir(f.bucketDir))
		cmd.Env = env
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 1 {
			t.Errorf("exit: %v, want status 1", err)
		}
		golden(t, filepath.Join("testdata", "tamper.golden"), out.String())
	})

	// Runs that stop before or while validating.
	t.Run("fatal", func(t *testing.T) {
		t.Parallel()
		makeBucket(t, "cli-fatal")
		f := newFixture(t, st, "cli-fatal")
		ct := httptest.NewServer(fakeCloudTrail(t, f))
		defer ct.Close()
		noKeys := newFixture(t, st, "cli-fatal")
		noKeys.keys = &fakeKeys{region: fxRegion}
		ctNoKeys := httptest.NewServer(fakeCloudTrail(t, noKeys))
		defer ctNoKeys.Close()
		for _, tc := range []struct {
			name string
			args []string
		}{
			{"invalid-arn", []string{"--endpoint-url", ct.URL, "--trail-arn", "arn:aws:cloudtrail:us-east-1:1234:trail/main", "--start-time", "2026-11-25T10:00:00Z", "--end-time", "2026-11-26"}},
			{"time-range", []string{"--endpoint-url", ct.URL, "--trail-arn", fxARN, "--start-time", "2026-11-25T10:00:00Z", "--end-time", "2026-11-25T09:00:00Z"}},
			{"bad-time", []string{"--endpoint-url", ct.URL, "--trail-arn", fxARN, "--start-time", "garbage"}},
			{"offset-ignored", []string{"--endpoint-url", ct.URL, "--trail-arn", fxARN, "--start-time", "2026-11-25T10:00:00+05:00", "--end-time", "2026-11-25 16:30"}},
			{"unknown-trail", []string{"--endpoint-url", ct.URL, "--trail-arn", fxARN + "x", "--start-time", "2026-11-25T10:00:00Z", "--end-time", "2026-11-26"}},
			{"no-public-keys", []string{"--endpoint-url", ctNoKeys.URL, "--trail-arn", fxARN, "--start-time", "2026-11-25T10:00:00Z", "--end-time", "2026-11-25T16:30:00Z"}},
			{"other-region", []string{"--endpoint-url", ct.URL, "--trail-arn", fxARN, "--start-time", "2026-11-25", "--end-time", "2026-11-26", "--region", "us-west-2"}},
			{"explicit-bucket", []string{"--endpoint-url", ct.URL, "--trail-arn", fxARN, "--start-time", "2026-11-25", "--end-time", "2026-11-26",
				"--s3-bucket", "cli-fatal", "--s3-prefix", fxPrefix, "--region", fxRegion, "--account-id", fxAccount}},
		} {
			awsOut, awsErr, awsCode := runCmd(t, env, awsBin, append([]string{"cloudtrail", "validate-logs"}, tc.args...)...)
			cOut, cErr, cCode := runCmd(t, env, cairnBin, append([]string{"validate-logs"}, tc.args...)...)
			t.Logf("%s: exit %d, stderr %q, stdout %q", tc.name, awsCode, awsErr, firstLines(awsOut, 2))
			if cOut != awsOut || cErr != awsErr || cCode != awsCode {
				t.Errorf("%s: cairn and the AWS CLI differ\n--- aws (exit %d) stdout:\n%s\n--- stderr:\n%s\n--- cairn (exit %d) stdout:\n%s\n--- stderr:\n%s",
					tc.name, awsCode, awsOut, awsErr, cCode, cOut, cErr)
			}
		}
	})

	for _, tt := range scenarios(t) {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			bucket := "cli-" + tt.name
			makeBucket(t, bucket)
			f := newFixture(t, st, bucket)
			f.makeBucket = func(name string) { makeBucket(t, name) }
			if tt.tamper != nil {
				tt.tamper(t, f)
			}
			o := defaultOptions(f, nil)
			if tt.opts != nil {
				tt.opts(&o)
			}
			ct := httptest.NewServer(fakeCloudTrail(t, f))
			defer ct.Close()
			args := []string{"--endpoint-url", ct.URL, "--trail-arn", fxARN,
				"--start-time", o.Start.Format(time.RFC3339), "--end-time", o.End.Format(time.RFC3339)}
			if o.Verbose {
				args = append(args, "--verbose")
			}
			awsOut, awsErr, awsCode := runCmd(t, env, awsBin, append([]string{"cloudtrail", "validate-logs"}, args...)...)
			cOut, cErr, cCode := runCmd(t, env, cairnBin, append([]string{"validate-logs"}, args...)...)
			if cOut != awsOut || cErr != awsErr || cCode != awsCode {
				t.Errorf("cairn and the AWS CLI differ\n--- aws (exit %d) stdout:\n%s\n--- stderr:\n%s\n--- cairn (exit %d) stdout:\n%s\n--- stderr:\n%s",
					awsCode, awsOut, awsErr, cCode, cOut, cErr)
			}
			if awsCode != tt.exit {
				t.Errorf("aws exit status %d, want %d\n%s%s", awsCode, tt.exit, awsOut, awsErr)
			}
		})
	}
}

func firstLines(s string, n int) string {
	l := strings.SplitN(s, "\n", n+1)
	return strings.Join(l[:min(n, len(l))], "\n")
}

func runCmd(t *testing.T, env []string, name string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = env
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return out.String(), errOut.String(), code
}

var scopeRegion = regexp.MustCompile(`Credential=[^/]+/\d{8}/([^/]+)/`)

// fakeCloudTrail serves the two CloudTrail operations validate-logs calls:
// DescribeTrails (the fixture's trail) and ListPublicKeys (its key source, in
// the region of the request's SigV4 scope).
func fakeCloudTrail(t *testing.T, f *fixture) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in struct{ StartTime, EndTime float64 }
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		var out any
		switch op := r.Header.Get("X-Amz-Target"); op[strings.LastIndexByte(op, '.')+1:] {
		case "DescribeTrails":
			out = map[string]any{"trailList": []map[string]any{{
				"Name": fxTrail, "TrailARN": fxARN, "HomeRegion": fxRegion, "S3BucketName": f.bucket, "S3KeyPrefix": f.prefix,
				"IsMultiRegionTrail": false, "IsOrganizationTrail": false, "LogFileValidationEnabled": true,
			}}}
		case "ListPublicKeys":
			region := ""
			if m := scopeRegion.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
				region = m[1]
			}
			ks, _ := f.keys.PublicKeys(r.Context(), region, epoch(in.StartTime), epoch(in.EndTime))
			list := []map[string]any{}
			for _, k := range ks {
				list = append(list, map[string]any{"Value": base64.StdEncoding.EncodeToString(k.Value), "Fingerprint": k.Fingerprint,
					"ValidityStartTime": k.ValidityStart.Unix(), "ValidityEndTime": k.ValidityEnd.Unix()})
			}
			out = map[string]any{"PublicKeyList": list}
		default:
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"__type":"UnknownOperationException"}`))
			return
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		json.NewEncoder(w).Encode(out)
	})
}

func epoch(f float64) time.Time {
	return time.Unix(0, int64(f*1e9)).UTC()
}
