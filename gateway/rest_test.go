package gateway_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cfsdk "github.com/aws/aws-sdk-go-v2/service/cloudfront"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
	kvssdk "github.com/aws/aws-sdk-go-v2/service/cloudfrontkeyvaluestore"
	kvstypes "github.com/aws/aws-sdk-go-v2/service/cloudfrontkeyvaluestore/types"
	smithyendpoints "github.com/aws/smithy-go/endpoints"
	"github.com/cairnhq/cairn"
	cfapi "github.com/cairnhq/cairn/api/cloudfront"
	kvsapi "github.com/cairnhq/cairn/api/cloudfrontkeyvaluestore"
	"github.com/cairnhq/cairn/awsproto"
	"github.com/cairnhq/cairn/awsproto/rest"
	"github.com/cairnhq/cairn/awsproto/sigv4"
	"github.com/cairnhq/cairn/capture"
	"github.com/cairnhq/cairn/eventlog"
	"github.com/cairnhq/cairn/gateway"
	"github.com/cairnhq/cairn/identity"
	"github.com/cairnhq/cairn/internal/memstore"
)

const testKVS = "arn:aws:cloudfront::111122223333:key-value-store/9f0e1d2c"

// cfProvider knows one distribution.
type cfProvider struct{ cfapi.UnimplementedService }

func (cfProvider) GetDistribution(_ context.Context, in *cfapi.GetDistributionRequest) (*cfapi.GetDistributionResult, error) {
	if aws.ToString(in.Id) != "E1" {
		return nil, cfapi.NewNoSuchDistribution("The specified distribution does not exist.")
	}
	return &cfapi.GetDistributionResult{ETag: aws.String("ETAG1"), Distribution: &cfapi.Distribution{
		Id: aws.String("E1"), Status: aws.String("Deployed"), ARN: aws.String("arn:aws:cloudfront::111122223333:distribution/E1")}}, nil
}

// kvsProvider knows one key value store.
type kvsProvider struct{ kvsapi.UnimplementedService }

func (kvsProvider) DescribeKeyValueStore(_ context.Context, in *kvsapi.DescribeKeyValueStoreRequest) (*kvsapi.DescribeKeyValueStoreResponse, error) {
	if aws.ToString(in.KvsARN) != testKVS {
		return nil, kvsapi.NewResourceNotFoundException("Key value store not found.")
	}
	return &kvsapi.DescribeKeyValueStoreResponse{KvsARN: in.KvsARN, ETag: aws.String("KV1"), ItemCount: aws.Int32(0), TotalSizeInBytes: aws.Int64(0)}, nil
}

// trustingAuth accepts every request as one principal: the KeyValueStore SDK signs
// with SigV4A, which this test does not exercise.
type trustingAuth struct{}

func (trustingAuth) Authenticate(context.Context, *http.Request, []byte) (gateway.Auth, error) {
	return gateway.Auth{Principal: cairn.Principal{Type: cairn.PrincipalIAMUser, AccountID: "111122223333",
		ARN: "arn:aws:iam::111122223333:user/test", AccessKeyID: "AKIAGATEWAYTEST00001"}, Region: "us-east-1"}, nil
}
func (trustingAuth) Peek(*http.Request) (string, string, string) { return "", "", "" }
func (trustingAuth) AuthError(err error, _ string) *awsproto.Error {
	return awsproto.AsError(err)
}

type restFixture struct {
	srv *httptest.Server
	rec *capture.Recorder
}

func newRESTFixture(t *testing.T, auth func(ids *identity.Store) gateway.Authenticator) *restFixture {
	t.Helper()
	ctx := context.Background()
	log, err := eventlog.Open(ctx, eventlog.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { log.Close(ctx) })
	clock := cairn.SystemClock{}
	ids := identity.New(memstore.New(), clock, "111122223333", "AKIAGATEWAYTEST00001", "secret")
	rec := &capture.Recorder{Log: log, Clock: clock, DefaultAccount: "111122223333"}
	cf, kvs := cfProvider{}, kvsProvider{}
	gw := &gateway.Gateway{
		Auth: auth(ids), Creds: ids, Recorder: rec, Clock: clock,
		Logger: slog.New(slog.DiscardHandler), Metrics: gateway.NewMetrics(),
		REST: []*gateway.RESTService{
			{
				Meta:       gateway.Meta{SigningName: cfapi.SigningName, EventSource: cfapi.EventSource, APIVersion: cfapi.APIVersion, GlobalRegion: "us-east-1"},
				Operations: gateway.Operations{NewInput: cfapi.NewInput, Invoke: func(ctx context.Context, op string, in any) (any, error) { return cfapi.Invoke(ctx, cf, op, in) }},
				PathPrefix: "/2020-05-31/", Router: rest.MustNewRouter(cfapi.Operations),
				Protocol: gateway.ProtocolRESTXML, XMLNamespace: cfapi.XMLNamespace,
			},
			{
				Meta:       gateway.Meta{SigningName: kvsapi.SigningName, EventSource: kvsapi.EventSource},
				Operations: gateway.Operations{NewInput: kvsapi.NewInput, Invoke: func(ctx context.Context, op string, in any) (any, error) { return kvsapi.Invoke(ctx, kvs, op, in) }},
				PathPrefix: "/key-value-stores/", Router: rest.MustNewRouter(kvsapi.Operations),
				Protocol: gateway.ProtocolRESTJSON,
			},
		},
	}
	f := &restFixture{srv: httptest.NewServer(gw), rec: rec}
	t.Cleanup(f.srv.Close)
	return f
}

func TestGateway_CloudFront(t *testing.T) {
	f := newRESTFixture(t, func(ids *identity.Store) gateway.Authenticator {
		return gateway.SigV4{Verifier: &sigv4.Verifier{Credentials: ids, Clock: cairn.SystemClock{}}}
	})
	c := cfsdk.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(f.srv.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("AKIAGATEWAYTEST00001", "secret", "")})
	ctx := context.Background()
	out, err := c.GetDistribution(ctx, &cfsdk.GetDistributionInput{Id: aws.String("E1")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.ETag) != "ETAG1" || aws.ToString(out.Distribution.Status) != "Deployed" {
		t.Fatalf("GetDistribution: %+v", out)
	}
	_, err = c.GetDistribution(ctx, &cfsdk.GetDistributionInput{Id: aws.String("E2")})
	var nsd *cftypes.NoSuchDistribution
	if !errors.As(err, &nsd) {
		t.Fatalf("GetDistribution of an unknown id: %v, want *types.NoSuchDistribution", err)
	}
	if n := f.rec.Recorded(); n != 2 {
		t.Fatalf("recorded %d events, want 2", n)
	}
	// A wrong signature is a rest-xml error with the query-style code.
	bad := cfsdk.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(f.srv.URL), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("AKIAGATEWAYTEST00001", "wrong", "")})
	_, err = bad.GetDistribution(ctx, &cfsdk.GetDistributionInput{Id: aws.String("E1")})
	var re *awshttp.ResponseError
	if !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusForbidden || !strings.Contains(err.Error(), "SignatureDoesNotMatch") {
		t.Fatalf("bad signature: %v", err)
	}
}

func TestGateway_RESTUnknownRoute(t *testing.T) {
	f := newRESTFixture(t, func(*identity.Store) gateway.Authenticator { return trustingAuth{} })
	for _, c := range []struct{ method, path, want string }{
		{"GET", "/2020-05-31/no-such-thing", `<ErrorResponse xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Error><Type>Sender</Type><Code>UnknownOperationException</Code>`},
		{"PATCH", "/2020-05-31/distribution/E1", `<Code>UnknownOperationException</Code>`},
		{"GET", "/key-value-stores/x/y/z", `{"message":"No operation matches GET /key-value-stores/x/y/z"}`},
	} {
		req, _ := http.NewRequest(c.method, f.srv.URL+c.path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound || !strings.Contains(string(b), c.want) {
			t.Errorf("%s %s: %d %s", c.method, c.path, resp.StatusCode, b)
		}
	}
}

type fixedEndpoint struct{ u url.URL }

func (f fixedEndpoint) ResolveEndpoint(context.Context, kvssdk.EndpointParameters) (smithyendpoints.Endpoint, error) {
	return smithyendpoints.Endpoint{URI: f.u}, nil
}

func TestGateway_KeyValueStore(t *testing.T) {
	f := newRESTFixture(t, func(*identity.Store) gateway.Authenticator { return trustingAuth{} })
	u, _ := url.Parse(f.srv.URL)
	c := kvssdk.NewFromConfig(aws.Config{Region: "us-east-1", RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("AKIAGATEWAYTEST00001", "secret", "")},
		func(o *kvssdk.Options) { o.EndpointResolverV2 = fixedEndpoint{u: *u} })
	ctx := context.Background()
	out, err := c.DescribeKeyValueStore(ctx, &kvssdk.DescribeKeyValueStoreInput{KvsARN: aws.String(testKVS)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.ETag) != "KV1" || aws.ToString(out.KvsARN) != testKVS {
		t.Fatalf("DescribeKeyValueStore: %+v", out)
	}
	_, err = c.DescribeKeyValueStore(ctx, &kvssdk.DescribeKeyValueStoreInput{KvsARN: aws.String(testKVS + "x")})
	var nf *kvstypes.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Fatalf("unknown store: %v, want *types.ResourceNotFoundException", err)
	}
	// The SDK's real host is <account>.cloudfront-kvs.global.api.aws: any Host is served.
	req, _ := http.NewRequest("GET", f.srv.URL+"/key-value-stores/"+url.PathEscape(testKVS), nil)
	req.Host = "111122223333.cloudfront-kvs.global.api.aws"
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("with the SDK's host: %d", resp.StatusCode)
	}
	if n := f.rec.Recorded(); n != 3 {
		t.Fatalf("recorded %d events, want 3", n)
	}
}
