package sigv4_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/cairnhq/cairn"
	"github.com/cairnhq/cairn/awsproto/sigv4"
)

// verifyServer verifies every request it receives with the system clock and
// records the outcome; it answers 500 so that clients do not need a valid body.
type verifyServer struct {
	*httptest.Server
	mu      sync.Mutex
	results []sigv4.Result
	errs    []error
}

func newVerifyServer(t *testing.T) *verifyServer {
	s := &verifyServer{}
	v := &sigv4.Verifier{Credentials: testStore(), Clock: cairn.SystemClock{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		res, err := v.Verify(r.Context(), r, body)
		s.mu.Lock()
		s.results = append(s.results, res)
		s.errs = append(s.errs, err)
		s.mu.Unlock()
		http.Error(w, "recorded", http.StatusInternalServerError)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *verifyServer) last(t *testing.T) sigv4.Result {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.results) == 0 {
		t.Fatal("server received no request")
	}
	if err := s.errs[len(s.errs)-1]; err != nil {
		t.Fatalf("Verify: %v", err)
	}
	return s.results[len(s.results)-1]
}

func sdkConfig(srv *verifyServer, region string) aws.Config {
	return aws.Config{
		Region:           region,
		Credentials:      credentials.NewStaticCredentialsProvider(testAK, testSecret, ""),
		HTTPClient:       srv.Client(),
		RetryMaxAttempts: 1,
	}
}

// TestVerifier_Verify_SDKClients signs through the full SDK client stacks, sent
// over a real HTTP connection.
func TestVerifier_Verify_SDKClients(t *testing.T) {
	ctx := context.Background()

	t.Run("cloudtrail LookupEvents", func(t *testing.T) {
		srv := newVerifyServer(t)
		c := cloudtrail.NewFromConfig(sdkConfig(srv, "ap-southeast-2"), func(o *cloudtrail.Options) { o.BaseEndpoint = aws.String(srv.URL) })
		_, _ = c.LookupEvents(ctx, &cloudtrail.LookupEventsInput{MaxResults: aws.Int32(5)})
		res := srv.last(t)
		if res.Service != "cloudtrail" || res.Region != "ap-southeast-2" || res.Principal != testPrincipal || res.Presigned {
			t.Errorf("Result = %+v", res)
		}
	})

	t.Run("cloudtrail with path prefix", func(t *testing.T) {
		srv := newVerifyServer(t)
		c := cloudtrail.NewFromConfig(sdkConfig(srv, "us-east-1"), func(o *cloudtrail.Options) {
			o.BaseEndpoint = aws.String(srv.URL + "/cairn/a b/")
		})
		_, _ = c.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{})
		if res := srv.last(t); res.Service != "cloudtrail" {
			t.Errorf("Result = %+v", res)
		}
	})

	t.Run("sts GetCallerIdentity", func(t *testing.T) {
		srv := newVerifyServer(t)
		c := sts.NewFromConfig(sdkConfig(srv, "us-east-1"), func(o *sts.Options) { o.BaseEndpoint = aws.String(srv.URL) })
		_, _ = c.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		res := srv.last(t)
		if res.Service != "sts" || res.Region != "us-east-1" || res.Presigned {
			t.Errorf("Result = %+v", res)
		}
	})

	t.Run("sts presigned GetCallerIdentity", func(t *testing.T) {
		srv := newVerifyServer(t)
		c := sts.NewFromConfig(sdkConfig(srv, "eu-central-1"), func(o *sts.Options) { o.BaseEndpoint = aws.String(srv.URL) })
		p, err := sts.NewPresignClient(c).PresignGetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			t.Fatal(err)
		}
		req, err := http.NewRequest(p.Method, p.URL, nil)
		if err != nil {
			t.Fatal(err)
		}
		for k, vs := range p.SignedHeader {
			if k == "Host" {
				continue
			}
			req.Header[k] = vs
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		res := srv.last(t)
		if res.Service != "sts" || res.Region != "eu-central-1" || !res.Presigned {
			t.Errorf("Result = %+v", res)
		}
	})
}
