package capture_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cairnhq/cairn"
	"github.com/cairnhq/cairn/awsproto"
	"github.com/cairnhq/cairn/capture"
)

var update = flag.Bool("update", false, "rewrite golden files")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Indent(&buf, got, "", "  "); err != nil {
		t.Fatal(err)
	}
	buf.WriteByte('\n')
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run with -update): %v", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("%s differs from golden:\n%s\nwant:\n%s", name, buf.Bytes(), want)
	}
}

// maskVolatile replaces the event id, which is random, keeping the field order.
func maskVolatile(ev *cairn.Event) []byte {
	return bytes.Replace(ev.Raw, []byte(ev.Record.EventID), []byte("EVENT-ID"), 1)
}

func TestRecorder_Build(t *testing.T) {
	clock := cairn.ClockFunc(func() time.Time { return time.Date(2026, 11, 25, 1, 2, 3, 400e6, time.UTC) })
	rec := &capture.Recorder{Clock: clock, DefaultAccount: "111122223333"}
	user := &cairn.Principal{Type: cairn.PrincipalIAMUser, AccountID: "444455556666", PrincipalID: "AIDAEXAMPLE", ARN: "arn:aws:iam::444455556666:user/alice", UserName: "alice", AccessKeyID: "AKIAEXAMPLE"}
	type createIn struct {
		Name         *string `json:"Name,omitempty"`
		S3BucketName *string `json:"S3BucketName,omitempty"`
	}
	type createOut struct {
		TrailARN *string `json:"TrailARN,omitempty"`
	}
	tests := []struct {
		name string
		rc   *awsproto.RequestContext
	}{
		{"write_call", &awsproto.RequestContext{
			RequestID: "req-1", Service: "cloudtrail", EventSource: "cloudtrail.amazonaws.com", Operation: "CreateTrail",
			Region: "eu-west-1", Principal: user, SourceIP: "127.0.0.1:5555", UserAgent: "aws-cli/1.45.11",
			Category: cairn.EventCategoryManagement, Management: true,
			Input:  &createIn{Name: ptr("t1"), S3BucketName: ptr("b")},
			Output: &createOut{TrailARN: ptr("arn:aws:cloudtrail:eu-west-1:444455556666:trail/t1")},
		}},
		{"read_call_has_null_response", &awsproto.RequestContext{
			RequestID: "req-2", EventSource: "cloudtrail.amazonaws.com", Operation: "GetTrail", Region: "eu-west-1",
			Principal: user, ReadOnly: true, Category: cairn.EventCategoryManagement, Management: true,
			Input: &createIn{Name: ptr("t1")}, Output: &createOut{TrailARN: ptr("x")},
		}},
		{"error_call", &awsproto.RequestContext{
			RequestID: "req-3", EventSource: "cloudtrail.amazonaws.com", Operation: "GetTrail", Region: "eu-west-1",
			Principal: user, ReadOnly: true, Category: cairn.EventCategoryManagement, Management: true,
			Input: &createIn{Name: ptr("nope")}, Err: awsproto.NewError("TrailNotFoundException", 400, "Unknown trail: nope for the user: 444455556666"),
			TLS: &cairn.TLSDetails{TLSVersion: "TLSv1.3", CipherSuite: "TLS_AES_128_GCM_SHA256", ClientProvidedHostHeader: "localhost:4580"},
		}},
		{"failed_authentication", &awsproto.RequestContext{
			RequestID: "req-4", EventSource: "cloudtrail.amazonaws.com", Operation: "ListTrails", Region: "us-east-1",
			Principal: &cairn.Principal{Type: cairn.PrincipalUnknown, AccessKeyID: "AKIAUNKNOWN"}, Unauthenticated: true,
			Category: cairn.EventCategoryManagement, Management: true, Input: &createIn{Name: ptr("x")},
			Err: awsproto.NewError("UnrecognizedClientException", 400, "The security token included in the request is invalid."),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := rec.Build(tt.rc)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, "record_"+tt.name, maskVolatile(ev))
			if ev.Lookup.EventID != ev.Record.EventID || ev.Lookup.EventName != tt.rc.Operation {
				t.Errorf("lookup fields %+v do not match the record", ev.Lookup)
			}
			if !ev.Time.Equal(clock.Now()) {
				t.Errorf("event time %v, want %v", ev.Time, clock.Now())
			}
		})
	}
}
