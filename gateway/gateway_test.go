package gateway_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	ctsdk "github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/smithy-go"
	"github.com/cairnhq/cairn"
	ctapi "github.com/cairnhq/cairn/api/cloudtrail"
	"github.com/cairnhq/cairn/awsproto/sigv4"
	"github.com/cairnhq/cairn/capture"
	"github.com/cairnhq/cairn/eventlog"
	"github.com/cairnhq/cairn/gateway"
	"github.com/cairnhq/cairn/identity"
	"github.com/cairnhq/cairn/internal/memstore"
)

// provider is a CloudTrail provider whose GetTrail panics and whose ListTrails
// answers one trail: the gateway's behaviour around a provider is under test.
type provider struct {
	ctapi.UnimplementedService
}

func (provider) GetTrail(context.Context, *ctapi.GetTrailRequest) (*ctapi.GetTrailResponse, error) {
	panic("boom")
}

func (provider) ListTrails(context.Context, *ctapi.ListTrailsRequest) (*ctapi.ListTrailsResponse, error) {
	n := "t1"
	return &ctapi.ListTrailsResponse{Trails: []ctapi.TrailInfo{{Name: &n}}}, nil
}

type fixture struct {
	log    *eventlog.Log
	rec    *capture.Recorder
	srv    *httptest.Server
	client *ctsdk.Client
	ready  error
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	log, err := eventlog.Open(ctx, eventlog.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { log.Close(ctx) })
	clock := cairn.SystemClock{}
	ids := identity.New(memstore.New(), clock, "111122223333", "AKIAGATEWAYTEST00001", "secret")
	f := &fixture{log: log}
	f.rec = &capture.Recorder{Log: log, Clock: clock, DefaultAccount: "111122223333"}
	p := provider{}
	gw := &gateway.Gateway{
		Auth: gateway.SigV4{Verifier: &sigv4.Verifier{Credentials: ids, Clock: clock}}, Creds: ids,
		Recorder: f.rec, Clock: clock, Logger: slog.New(slog.DiscardHandler), Metrics: gateway.NewMetrics(),
		JSON: []*gateway.JSONService{{
			Meta:         gateway.Meta{SigningName: "cloudtrail", EventSource: ctapi.EventSource},
			TargetPrefix: ctapi.TargetPrefix,
			Operations: gateway.Operations{NewInput: ctapi.NewInput,
				Invoke: func(ctx context.Context, op string, in any) (any, error) { return ctapi.Invoke(ctx, p, op, in) }},
		}},
		Ready: func() error { return f.ready },
	}
	f.srv = httptest.NewServer(gw)
	t.Cleanup(f.srv.Close)
	f.client = ctsdk.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(f.srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("AKIAGATEWAYTEST00001", "secret", ""), RetryMaxAttempts: 1})
	return f
}

func code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func TestGateway_PanicIsInternalFailure(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.client.GetTrail(ctx, &ctsdk.GetTrailInput{Name: aws.String("x")}); code(err) != "InternalFailure" {
		t.Fatalf("panicking provider: %v, want InternalFailure", err)
	}
	out, err := f.client.ListTrails(ctx, &ctsdk.ListTrailsInput{})
	if err != nil || len(out.Trails) != 1 {
		t.Fatalf("after a panic the gateway must keep serving: %v", err)
	}
	if n := f.rec.Recorded(); n != 2 {
		t.Fatalf("recorded %d events, want 2 (the failed call is recorded as InternalFailure too)", n)
	}
}

func TestGateway_UnrecordableCallFails(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.client.ListTrails(ctx, &ctsdk.ListTrailsInput{}); err != nil {
		t.Fatal(err)
	}
	if err := f.log.Close(ctx); err != nil {
		t.Fatal(err)
	}
	_, err := f.client.ListTrails(ctx, &ctsdk.ListTrailsInput{})
	if code(err) != "ServiceUnavailable" {
		t.Fatalf("with the event log gone: %v, want ServiceUnavailable (never a success)", err)
	}
}

func TestGateway_Routes(t *testing.T) {
	f := newFixture(t)
	get := func(path string) (int, string) {
		resp, err := http.Get(f.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if c, b := get("/_cairn/health"); c != 200 || !strings.Contains(b, "ok") {
		t.Errorf("health: %d %s", c, b)
	}
	f.ready = errors.New("replaying")
	if c, b := get("/_cairn/health"); c != 503 || !strings.Contains(b, "replaying") {
		t.Errorf("health while not ready: %d %s", c, b)
	}
	if c, b := get("/nowhere"); c != 404 || !strings.Contains(b, "UnknownOperationException") {
		t.Errorf("unknown path: %d %s", c, b)
	}
	if c, b := get("/_cairn/metrics"); c != 200 || !strings.Contains(b, "cairn_request_duration_seconds") {
		t.Errorf("metrics: %d %s", c, b)
	}
	// A request with a garbled Authorization header gets IncompleteSignatureException.
	req, _ := http.NewRequest(http.MethodPost, f.srv.URL+"/", strings.NewReader("{}"))
	req.Header.Set("X-Amz-Target", "CloudTrail_20131101.ListTrails")
	req.Header.Set("X-Amz-Date", time.Now().UTC().Format("20060102T150405Z"))
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 garbage")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || !strings.Contains(string(b), "IncompleteSignatureException") {
		t.Errorf("garbled auth: %d %s", resp.StatusCode, b)
	}
}
