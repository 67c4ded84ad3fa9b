package sigv4_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	kvs "github.com/aws/aws-sdk-go-v2/service/cloudfrontkeyvaluestore"
	kvstypes "github.com/aws/aws-sdk-go-v2/service/cloudfrontkeyvaluestore/types"
	smithyendpoints "github.com/aws/smithy-go/endpoints"

	"github.com/cairnhq/cairn"
	"github.com/cairnhq/cairn/awsproto/sigv4"
)

const testKvsARN = "arn:aws:cloudfront::111122223333:key-value-store/abc"

// captured is a request as the KVS test server received it.
type captured struct {
	req  *http.Request
	body []byte
}

// clone returns a copy of the request that a test may tamper with.
func (c captured) clone() (*http.Request, []byte) {
	r := c.req.Clone(context.Background())
	return r, bytes.Clone(c.body)
}

// kvsServer is a minimal CloudFront KeyValueStore endpoint: it verifies every
// request and, when the signature holds, answers with a valid response.
type kvsServer struct {
	*httptest.Server
	tamperBody func([]byte) []byte

	mu      sync.Mutex
	results []sigv4.Result
	errs    []error
	reqs    []captured
}

func newKVSServer(t testing.TB) *kvsServer {
	s := &kvsServer{}
	v := &sigv4.Verifier{Credentials: testStore(), Clock: cairn.SystemClock{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if s.tamperBody != nil {
			body = s.tamperBody(body)
		}
		res, err := v.Verify(r.Context(), r, body)
		s.mu.Lock()
		s.results = append(s.results, res)
		s.errs = append(s.errs, err)
		s.reqs = append(s.reqs, captured{req: r.Clone(context.Background()), body: body})
		s.mu.Unlock()
		if err != nil {
			w.Header().Set("X-Amzn-ErrorType", "AccessDeniedException")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, `{"Message":"denied"}`)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("ETag", "E1")
		switch {
		case r.Method == http.MethodGet && !strings.Contains(r.URL.Path, "/keys"):
			io.WriteString(w, `{"ItemCount":0,"TotalSizeInBytes":0,"KvsARN":"`+testKvsARN+`","Created":1700000000,"ETag":"E1"}`)
		case r.Method == http.MethodPut, r.Method == http.MethodPost:
			io.WriteString(w, `{"ItemCount":1,"TotalSizeInBytes":10}`)
		default:
			http.Error(w, "unexpected", http.StatusNotFound)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

// last returns the outcome of the last request.
func (s *kvsServer) last(t testing.TB) (sigv4.Result, error, captured) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.results) == 0 {
		t.Fatal("server received no request")
	}
	n := len(s.results) - 1
	return s.results[n], s.errs[n], s.reqs[n]
}

// kvsResolver resolves endpoints as the SDK does and points them at the test
// server (the SDK would prefix the account to the host). With plain set, the
// endpoint carries no auth properties, so the SDK signs for the client's region
// instead of the region set "*" the endpoint rules give.
type kvsResolver struct {
	url   *url.URL
	plain bool
}

func (k kvsResolver) ResolveEndpoint(ctx context.Context, p kvs.EndpointParameters) (smithyendpoints.Endpoint, error) {
	if k.plain {
		return smithyendpoints.Endpoint{URI: *k.url}, nil
	}
	ep, err := kvs.NewDefaultEndpointResolverV2().ResolveEndpoint(ctx, p)
	if err != nil {
		return ep, err
	}
	ep.URI = *k.url
	return ep, nil
}

func newKVSClient(t testing.TB, srv *kvsServer, secret string, optFns ...func(*kvs.Options)) *kvs.Client {
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	cfg := aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider(testAK, secret, ""),
		HTTPClient:       srv.Client(),
		RetryMaxAttempts: 1,
	}
	return kvs.NewFromConfig(cfg, append([]func(*kvs.Options){func(o *kvs.Options) {
		o.EndpointResolverV2 = kvsResolver{url: u}
	}}, optFns...)...)
}

func kvsCalls() []struct {
	name string
	call func(context.Context, *kvs.Client) error
} {
	return []struct {
		name string
		call func(context.Context, *kvs.Client) error
	}{
		{"DescribeKeyValueStore", func(ctx context.Context, c *kvs.Client) error {
			_, err := c.DescribeKeyValueStore(ctx, &kvs.DescribeKeyValueStoreInput{KvsARN: aws.String(testKvsARN)})
			return err
		}},
		{"PutKey", func(ctx context.Context, c *kvs.Client) error {
			_, err := c.PutKey(ctx, &kvs.PutKeyInput{KvsARN: aws.String(testKvsARN), Key: aws.String("some key/ü"),
				Value: aws.String("v1"), IfMatch: aws.String("E1")})
			return err
		}},
		{"UpdateKeys", func(ctx context.Context, c *kvs.Client) error {
			_, err := c.UpdateKeys(ctx, &kvs.UpdateKeysInput{KvsARN: aws.String(testKvsARN), IfMatch: aws.String("E1"),
				Puts:    []kvstypes.PutKeyRequestListItem{{Key: aws.String("a"), Value: aws.String("v1")}},
				Deletes: []kvstypes.DeleteKeyRequestListItem{{Key: aws.String("b")}}})
			return err
		}},
	}
}

// TestVerifier_Verify_SigV4A_KVS runs the real cloudfrontkeyvaluestore client,
// which signs every request with SigV4A, against a verifying server.
func TestVerifier_Verify_SigV4A_KVS(t *testing.T) {
	ctx := context.Background()
	for _, tc := range kvsCalls() {
		t.Run(tc.name, func(t *testing.T) {
			srv := newKVSServer(t)
			if err := tc.call(ctx, newKVSClient(t, srv, testSecret)); err != nil {
				_, verr, _ := srv.last(t)
				t.Fatalf("client: %v (Verify: %v)", err, verr)
			}
			res, err, c := srv.last(t)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if !strings.HasPrefix(c.req.Header.Get("Authorization"), sigv4.AlgorithmECDSA+" ") {
				t.Fatalf("not a SigV4A request: %q", c.req.Header.Get("Authorization"))
			}
			want := sigv4.Result{Principal: testPrincipal, AccessKeyID: testAK, Region: "", RegionSet: "*",
				Algorithm: sigv4.AlgorithmECDSA, Service: "cloudfront-keyvaluestore", SignedAt: res.SignedAt}
			if res != want {
				t.Errorf("Result = %+v\nwant     %+v", res, want)
			}
			if d := time.Since(res.SignedAt); d < -time.Minute || d > time.Minute {
				t.Errorf("SignedAt = %v", res.SignedAt)
			}
			// Scope reports the region set as sent.
			if ak, region, service, ok := sigv4.Scope(c.req); ak != testAK || region != "*" || service != "cloudfront-keyvaluestore" || !ok {
				t.Errorf("Scope = %q %q %q %v", ak, region, service, ok)
			}
		})
	}

	t.Run("wrong secret", func(t *testing.T) {
		for _, tc := range kvsCalls() {
			srv := newKVSServer(t)
			if err := tc.call(ctx, newKVSClient(t, srv, testSecret+"x")); err == nil {
				t.Errorf("%s: client succeeded", tc.name)
			}
			if _, err, _ := srv.last(t); sigv4.KindOf(err) != sigv4.KindSignatureDoesNotMatch {
				t.Errorf("%s: err = %v, want SignatureDoesNotMatch", tc.name, err)
			}
		}
	})

	t.Run("tampered body", func(t *testing.T) {
		for _, tc := range kvsCalls()[1:] {
			srv := newKVSServer(t)
			srv.tamperBody = func(b []byte) []byte { return bytes.Replace(b, []byte("v1"), []byte("v2"), 1) }
			if err := tc.call(ctx, newKVSClient(t, srv, testSecret)); err == nil {
				t.Errorf("%s: client succeeded", tc.name)
			}
			if _, err, c := srv.last(t); sigv4.KindOf(err) != sigv4.KindSignatureDoesNotMatch || !bytes.Contains(c.body, []byte("v2")) {
				t.Errorf("%s: err = %v, want SignatureDoesNotMatch", tc.name, err)
			}
		}
	})

	t.Run("region set from client region", func(t *testing.T) {
		srv := newKVSServer(t)
		u, _ := url.Parse(srv.URL)
		c := newKVSClient(t, srv, testSecret, func(o *kvs.Options) { o.EndpointResolverV2 = kvsResolver{url: u, plain: true} })
		if err := kvsCalls()[0].call(ctx, c); err != nil {
			t.Fatal(err)
		}
		res, _, _ := srv.last(t)
		if res.Region != "us-east-1" || res.RegionSet != "us-east-1" || res.Algorithm != sigv4.AlgorithmECDSA {
			t.Errorf("Result = %+v", res)
		}
	})

	t.Run("several regions", func(t *testing.T) {
		srv := newKVSServer(t)
		c := newKVSClient(t, srv, testSecret, kvs.WithSigV4ASigningRegions([]string{"us-east-1", "us-west-2"}))
		if err := kvsCalls()[1].call(ctx, c); err != nil {
			t.Fatal(err)
		}
		res, _, _ := srv.last(t)
		if res.Region != "" || res.RegionSet != "us-east-1,us-west-2" {
			t.Errorf("Result = %+v", res)
		}
	})
}

// captureKVS returns a request the SDK signed with SigV4A (a PutKey, with a
// body and an If-Match header) and the time it was signed.
func captureKVS(tb testing.TB) (captured, time.Time) {
	tb.Helper()
	srv := newKVSServer(tb)
	if err := kvsCalls()[1].call(context.Background(), newKVSClient(tb, srv, testSecret)); err != nil {
		tb.Fatal(err)
	}
	res, err, c := srv.last(tb)
	if err != nil {
		tb.Fatal(err)
	}
	return c, res.SignedAt
}

// TestVerifier_Verify_SigV4A_Tamper replays an SDK-signed SigV4A request with
// one thing changed at a time.
func TestVerifier_Verify_SigV4A_Tamper(t *testing.T) {
	c, at := captureKVS(t)
	ctx := context.Background()
	setAuthz := func(f func(string) string) func(r *http.Request) {
		return func(r *http.Request) { r.Header.Set("Authorization", f(r.Header.Get("Authorization"))) }
	}
	cases := []struct {
		name   string
		now    time.Time
		tamper func(r *http.Request)
		body   func([]byte) []byte
		kind   sigv4.Kind
	}{
		{name: "untouched"},
		{name: "clock 14 minutes ahead", now: at.Add(14 * time.Minute)},
		{name: "hex signature in upper case", tamper: setAuthz(func(a string) string {
			i := strings.Index(a, "Signature=") + len("Signature=")
			return a[:i] + strings.ToUpper(a[i:])
		})},
		{name: "region set", tamper: func(r *http.Request) { r.Header.Set("X-Amz-Region-Set", "us-east-1") }, kind: sigv4.KindSignatureDoesNotMatch},
		{name: "region set missing", tamper: func(r *http.Request) { r.Header.Del("X-Amz-Region-Set") }, kind: sigv4.KindIncompleteSignature},
		{name: "region set twice", tamper: func(r *http.Request) { r.Header.Add("X-Amz-Region-Set", "*") }, kind: sigv4.KindIncompleteSignature},
		{name: "region set malformed", tamper: func(r *http.Request) { r.Header.Set("X-Amz-Region-Set", "us-east-1,,") }, kind: sigv4.KindIncompleteSignature},
		{name: "region set not signed", tamper: setAuthz(func(a string) string { return withoutSignedHeader(a, "x-amz-region-set") }), kind: sigv4.KindSignatureDoesNotMatch},
		{name: "if-match", tamper: func(r *http.Request) { r.Header.Set("If-Match", "E2") }, kind: sigv4.KindSignatureDoesNotMatch},
		{name: "path", tamper: func(r *http.Request) { r.URL.Path += "x"; r.URL.RawPath = "" }, kind: sigv4.KindSignatureDoesNotMatch},
		{name: "method", tamper: func(r *http.Request) { r.Method = http.MethodPost }, kind: sigv4.KindSignatureDoesNotMatch},
		{name: "body", body: func(b []byte) []byte { return append(b, ' ') }, kind: sigv4.KindSignatureDoesNotMatch},
		{name: "service in scope", tamper: setAuthz(func(a string) string { return strings.Replace(a, "/cloudfront-keyvaluestore/", "/cloudfront/", 1) }), kind: sigv4.KindSignatureDoesNotMatch},
		{name: "region added to scope", tamper: setAuthz(func(a string) string {
			return strings.Replace(a, "/cloudfront-keyvaluestore/", "/us-east-1/cloudfront-keyvaluestore/", 1)
		}), kind: sigv4.KindIncompleteSignature},
		{name: "as sigv4", tamper: setAuthz(func(a string) string { return strings.Replace(a, sigv4.AlgorithmECDSA, sigv4.AlgorithmHMAC, 1) }), kind: sigv4.KindIncompleteSignature},
		{name: "signature byte flipped", tamper: setAuthz(func(a string) string {
			i := len(a) - 1
			b := []byte(a)
			if b[i] == '0' {
				b[i] = '1'
			} else {
				b[i] = '0'
			}
			return string(b)
		}), kind: sigv4.KindSignatureDoesNotMatch},
		{name: "signature truncated", tamper: setAuthz(func(a string) string { return a[:len(a)-2] }), kind: sigv4.KindSignatureDoesNotMatch},
		{name: "signature trailing data", tamper: setAuthz(func(a string) string { return a + "00" }), kind: sigv4.KindSignatureDoesNotMatch},
		{name: "signature not hex", tamper: setAuthz(func(a string) string { return a[:len(a)-2] + "zz" }), kind: sigv4.KindSignatureDoesNotMatch},
		{name: "signature HMAC-sized", tamper: setAuthz(func(a string) string {
			i := strings.Index(a, "Signature=") + len("Signature=")
			return a[:i] + strings.Repeat("ab", 32)
		}), kind: sigv4.KindSignatureDoesNotMatch},
		{name: "unknown key", tamper: setAuthz(func(a string) string { return strings.Replace(a, testAK, "AKIAUNKNOWNKEY000000", 1) }), kind: sigv4.KindUnrecognizedClient},
		{name: "inactive key", tamper: setAuthz(func(a string) string { return strings.Replace(a, testAK, inactiveAK, 1) }), kind: sigv4.KindUnrecognizedClient},
		{name: "clock 16 minutes ahead", now: at.Add(16 * time.Minute), kind: sigv4.KindSignatureExpired},
		{name: "clock 16 minutes behind", now: at.Add(-16 * time.Minute), kind: sigv4.KindSignatureExpired},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, body := c.clone()
			if tc.tamper != nil {
				tc.tamper(r)
			}
			if tc.body != nil {
				body = tc.body(body)
			}
			now := tc.now
			if now.IsZero() {
				now = at
			}
			res, err := newVerifier(now).Verify(ctx, r, body)
			if got := sigv4.KindOf(err); got != tc.kind {
				t.Fatalf("kind = %v (%v), want %v", got, err, tc.kind)
			}
			if err != nil {
				assertNoLeak(t, err, r)
				return
			}
			if res.Principal != testPrincipal || res.RegionSet != "*" || res.Region != "" || res.UnsignedPayload {
				t.Errorf("Result = %+v", res)
			}
		})
	}
}

// TestVerifier_Verify_SigV4A_Presign checks the presigned form's own rules.
func TestVerifier_Verify_SigV4A_Presign(t *testing.T) {
	const base = "X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256&X-Amz-Credential=" + testAK + "%2F20260101%2Fsts%2Faws4_request&X-Amz-Date=20260101T003000Z&X-Amz-SignedHeaders=host&X-Amz-Signature=3045022100ab"
	cases := []struct {
		name  string
		query string
		kind  sigv4.Kind
	}{
		{"no region set", base, sigv4.KindIncompleteSignature},
		{"empty region set", base + "&X-Amz-Region-Set=", sigv4.KindIncompleteSignature},
		{"two region sets", base + "&X-Amz-Region-Set=%2A&X-Amz-Region-Set=us-east-1", sigv4.KindIncompleteSignature},
		{"bad region set", base + "&X-Amz-Region-Set=us%20east", sigv4.KindIncompleteSignature},
		{"sigv4 credential", strings.Replace(base, "%2Fsts", "%2Fus-east-1%2Fsts", 1) + "&X-Amz-Region-Set=%2A", sigv4.KindIncompleteSignature},
		{"made-up signature", base + "&X-Amz-Region-Set=%2A", sigv4.KindSignatureDoesNotMatch},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := &http.Request{Method: http.MethodGet, URL: &url.URL{Path: "/", RawQuery: c.query}, Header: http.Header{}, Host: "localhost"}
			_, err := newVerifier(t0).Verify(context.Background(), r, nil)
			if got := sigv4.KindOf(err); got != c.kind {
				t.Fatalf("kind = %v (%v), want %v", got, err, c.kind)
			}
		})
	}
}
