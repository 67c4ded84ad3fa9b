package sigv4_test

import (
	"context"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/cairnhq/cairn/awsproto/sigv4"
)

const goodSig = "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"

func TestParseAuthorization(t *testing.T) {
	manyHeaders := make([]string, 65)
	for i := range manyHeaders {
		manyHeaders[i] = "x-h" + strings.Repeat("a", i)
	}
	cases := []struct {
		name    string
		in      string
		want    sigv4.Authorization
		wantMsg string // prefix; "" means success
	}{
		{
			name: "sdk form",
			in:   "AWS4-HMAC-SHA256 Credential=AK/20260101/us-east-1/cloudtrail/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=" + goodSig,
			want: sigv4.Authorization{
				Algorithm:     sigv4.AlgorithmHMAC,
				Credential:    sigv4.CredentialScope{AccessKeyID: "AK", Date: "20260101", Region: "us-east-1", Service: "cloudtrail", Terminator: "aws4_request"},
				SignedHeaders: []string{"content-type", "host", "x-amz-date"},
				Signature:     goodSig,
			},
		},
		{
			name: "no spaces, other order, uppercase names, unknown param",
			in:   "AWS4-HMAC-SHA256 Signature=" + goodSig + ",Foo=bar,SignedHeaders=Host;X-Amz-Date,Credential=AK/20260101/eu-west-1/sts/aws4_request",
			want: sigv4.Authorization{
				Algorithm:     sigv4.AlgorithmHMAC,
				Credential:    sigv4.CredentialScope{AccessKeyID: "AK", Date: "20260101", Region: "eu-west-1", Service: "sts", Terminator: "aws4_request"},
				SignedHeaders: []string{"host", "x-amz-date"},
				Signature:     goodSig,
			},
		},
		{
			name: "sigv4a",
			in:   "AWS4-ECDSA-P256-SHA256 Credential=AK/20260101/cloudtrail/aws4_request, SignedHeaders=host;x-amz-date;x-amz-region-set, Signature=3045022100ab",
			want: sigv4.Authorization{
				Algorithm:     sigv4.AlgorithmECDSA,
				Credential:    sigv4.CredentialScope{AccessKeyID: "AK", Date: "20260101", Service: "cloudtrail", Terminator: "aws4_request"},
				SignedHeaders: []string{"host", "x-amz-date", "x-amz-region-set"},
				Signature:     "3045022100ab",
			},
		},
		{name: "empty", in: "", wantMsg: "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization="},
		{name: "sigv2", in: "AWS AKID:c2lnbmF0dXJl", wantMsg: "Authorization header requires 'Credential' parameter."},
		{name: "bearer", in: "Bearer eyJhbGciOi", wantMsg: "Authorization header requires 'Credential' parameter."},
		{name: "unknown aws4 algorithm", in: "AWS4-HMAC-SHA512 Credential=AK/20260101/us-east-1/s/aws4_request, SignedHeaders=host, Signature=00", wantMsg: "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512'."},
		{name: "missing equal sign", in: "AWS4-HMAC-SHA256 Credential=AK /20260101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=00",
			wantMsg: "'/20260101/us-east-1/sts/aws4_request' not a valid key=value pair (missing equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 Credential=AK /20260101"},
		{name: "missing signature", in: "AWS4-HMAC-SHA256 Credential=AK/20260101/us-east-1/sts/aws4_request, SignedHeaders=host",
			wantMsg: "Authorization header requires 'Signature' parameter. Authorization=AWS4-HMAC-SHA256 Credential=AK/"},
		{name: "empty values", in: "AWS4-HMAC-SHA256 Credential=, SignedHeaders=, Signature=",
			wantMsg: "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter."},
		{name: "short credential", in: "AWS4-HMAC-SHA256 Credential=AK/20260101/us-east-1, SignedHeaders=host, Signature=00", wantMsg: "Credential 'AK/20260101/us-east-1' is malformed"},
		{name: "long credential", in: "AWS4-HMAC-SHA256 Credential=AK/20260101/us-east-1/sts/aws4_request/x, SignedHeaders=host, Signature=00", wantMsg: "Credential 'AK/20260101/us-east-1/sts/aws4_request/x' is malformed"},
		{name: "empty credential part", in: "AWS4-HMAC-SHA256 Credential=AK//us-east-1/sts/aws4_request, SignedHeaders=host, Signature=00", wantMsg: "Credential 'AK//us-east-1/sts/aws4_request' is malformed"},
		{name: "duplicate parameter", in: "AWS4-HMAC-SHA256 Credential=AK/20260101/us-east-1/sts/aws4_request, Credential=AK/20260101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=00",
			wantMsg: "Authorization header has a duplicate 'Credential' parameter."},
		{name: "duplicate signed header", in: "AWS4-HMAC-SHA256 Credential=AK/20260101/us-east-1/sts/aws4_request, SignedHeaders=host;Host, Signature=00", wantMsg: "SignedHeaders contains a duplicate header name."},
		{name: "empty signed header", in: "AWS4-HMAC-SHA256 Credential=AK/20260101/us-east-1/sts/aws4_request, SignedHeaders=host;;x-amz-date, Signature=00", wantMsg: "SignedHeaders contains an invalid header name."},
		{name: "trailing semicolon", in: "AWS4-HMAC-SHA256 Credential=AK/20260101/us-east-1/sts/aws4_request, SignedHeaders=host;, Signature=00", wantMsg: "SignedHeaders contains an invalid header name."},
		{name: "bad header name", in: "AWS4-HMAC-SHA256 Credential=AK/20260101/us-east-1/sts/aws4_request, SignedHeaders=host;x@y, Signature=00", wantMsg: "SignedHeaders contains an invalid header name."},
		{name: "too many signed headers", in: "AWS4-HMAC-SHA256 Credential=AK/20260101/us-east-1/sts/aws4_request, SignedHeaders=" + strings.Join(manyHeaders, ";") + ", Signature=00",
			wantMsg: "SignedHeaders lists more than 64 headers."},
		{name: "too long", in: "AWS4-HMAC-SHA256 Credential=AK/20260101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=" + strings.Repeat("0", 9000), wantMsg: "Authorization header is too long."},
		{name: "too many params", in: "AWS4-HMAC-SHA256 " + strings.Repeat("a=b,", 20), wantMsg: "Authorization header has too many parameters."},
		{name: "control characters echoed safely", in: "AWS4-HMAC-SHA256 Credential\x00\x01", wantMsg: "'Credential??' not a valid key=value pair"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := sigv4.ParseAuthorization(c.in)
			if c.wantMsg == "" {
				if err != nil {
					t.Fatalf("ParseAuthorization: %v", err)
				}
				if !reflect.DeepEqual(got, c.want) {
					t.Fatalf("got %+v\nwant %+v", got, c.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("ParseAuthorization succeeded: %+v", got)
			}
			se, ok := err.(*sigv4.Error)
			if !ok || se.Kind != sigv4.KindIncompleteSignature {
				t.Fatalf("error = %#v, want KindIncompleteSignature", err)
			}
			if !strings.HasPrefix(se.Message, c.wantMsg) {
				t.Errorf("Message = %q\nwant prefix %q", se.Message, c.wantMsg)
			}
			if len(se.Message) > 2200 {
				t.Errorf("message is %d bytes; echo is not bounded", len(se.Message))
			}
		})
	}
}

func TestScope(t *testing.T) {
	cases := []struct {
		name                string
		header              map[string]string
		query               string
		ak, region, service string
		ok                  bool
	}{
		{name: "header", header: map[string]string{"Authorization": "AWS4-HMAC-SHA256 Credential=AK1/20260101/us-east-1/cloudtrail/aws4_request, SignedHeaders=host, Signature=00"},
			ak: "AK1", region: "us-east-1", service: "cloudtrail", ok: true},
		{name: "header with broken signature part", header: map[string]string{"Authorization": "AWS4-HMAC-SHA256 Credential=AK1/20260101/us-west-2/sts/aws4_request, SignedHeaders=host"},
			ak: "AK1", region: "us-west-2", service: "sts", ok: true},
		{name: "sigv4a header", header: map[string]string{
			"Authorization":    "AWS4-ECDSA-P256-SHA256 Credential=AK2/20260101/cloudtrail/aws4_request, SignedHeaders=host;x-amz-region-set, Signature=3045",
			"X-Amz-Region-Set": "us-east-1,us-west-2"},
			ak: "AK2", region: "us-east-1,us-west-2", service: "cloudtrail", ok: true},
		{name: "presigned", query: "Action=GetCallerIdentity&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AK3%2F20260101%2Feu-west-1%2Fsts%2Faws4_request&X-Amz-Date=20260101T000000Z",
			ak: "AK3", region: "eu-west-1", service: "sts", ok: true},
		{name: "presigned sigv4a", query: "X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256&X-Amz-Credential=AK4%2F20260101%2Fsts%2Faws4_request&X-Amz-Region-Set=%2A",
			ak: "AK4", region: "*", service: "sts", ok: true},
		{name: "none"},
		{name: "garbage header", header: map[string]string{"Authorization": "Bearer abc"}},
		{name: "garbage query", query: "X-Amz-Credential=%zz&X-Amz-Credential=a/b"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := &http.Request{Method: http.MethodGet, URL: &url.URL{Path: "/", RawQuery: c.query}, Header: http.Header{}, Host: "localhost"}
			for k, v := range c.header {
				r.Header.Set(k, v)
			}
			ak, region, service, ok := sigv4.Scope(r)
			if ak != c.ak || region != c.region || service != c.service || ok != c.ok {
				t.Errorf("Scope = %q %q %q %v, want %q %q %q %v", ak, region, service, ok, c.ak, c.region, c.service, c.ok)
			}
		})
	}
	if _, _, _, ok := sigv4.Scope(nil); ok {
		t.Error("Scope(nil) ok")
	}
}

// TestVerifier_Verify_SigV4A checks made-up SigV4A headers: they are verified
// (no longer rejected as unsupported) and fail as SigV4 would.
func TestVerifier_Verify_SigV4A(t *testing.T) {
	const authz = "AWS4-ECDSA-P256-SHA256 Credential=" + testAK + "/20260101/cloudtrail/aws4_request, SignedHeaders=host;x-amz-date;x-amz-region-set, Signature=3045022100ab"
	cases := []struct {
		name      string
		authz     string
		regionSet []string
		kind      sigv4.Kind
		code      string
	}{
		{"made-up signature", authz, []string{"*"}, sigv4.KindSignatureDoesNotMatch, "InvalidSignatureException"},
		{"no region set", authz, nil, sigv4.KindIncompleteSignature, "IncompleteSignatureException"},
		{"blank region set", authz, []string{" "}, sigv4.KindIncompleteSignature, "IncompleteSignatureException"},
		{"region set not signed", withoutSignedHeader(authz, "x-amz-region-set"), []string{"*"}, sigv4.KindSignatureDoesNotMatch, "InvalidSignatureException"},
		{"region with a space", authz, []string{"us east 1"}, sigv4.KindIncompleteSignature, "IncompleteSignatureException"},
		{"streaming payload", authz, []string{"*"}, sigv4.KindUnsupported, "IncompleteSignatureException"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := &http.Request{Method: http.MethodPost, URL: &url.URL{Path: "/"}, Header: http.Header{}, Host: "localhost"}
			r.Header.Set("Authorization", c.authz)
			r.Header.Set("X-Amz-Date", "20260101T003000Z")
			for _, v := range c.regionSet {
				r.Header.Add("X-Amz-Region-Set", v)
			}
			if c.kind == sigv4.KindUnsupported {
				r.Header.Set("X-Amz-Content-Sha256", "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD")
			}
			_, err := newVerifier(t0).Verify(context.Background(), r, nil)
			if sigv4.KindOf(err) != c.kind {
				t.Fatalf("err = %v, want %v", err, c.kind)
			}
			if got := err.(*sigv4.Error).For("awsJson1_1").Code; got != c.code {
				t.Errorf("code = %s", got)
			}
		})
	}
}

// TestVerifier_Verify_Bounds checks inputs that must be rejected cheaply.
func TestVerifier_Verify_Bounds(t *testing.T) {
	base := func() *http.Request {
		r := &http.Request{Method: http.MethodGet, URL: &url.URL{Path: "/"}, Header: http.Header{}, Host: "localhost"}
		r.Header.Set("X-Amz-Date", "20260101T003000Z")
		return r
	}
	cases := []struct {
		name string
		mod  func(r *http.Request)
		kind sigv4.Kind
	}{
		{"nil URL", func(r *http.Request) { r.URL = nil }, sigv4.KindMissingAuthenticationToken},
		{"empty authorization", func(r *http.Request) { r.Header.Set("Authorization", "  ") }, sigv4.KindMissingAuthenticationToken},
		{"two authorization headers", func(r *http.Request) {
			r.Header.Add("Authorization", "a")
			r.Header.Add("Authorization", "b")
		}, sigv4.KindIncompleteSignature},
		{"huge query", func(r *http.Request) { r.URL.RawQuery = strings.Repeat("a=b&", 5000) }, sigv4.KindIncompleteSignature},
		{"huge authorization", func(r *http.Request) { r.Header.Set("Authorization", "AWS4-HMAC-SHA256 "+strings.Repeat("x", 1<<20)) }, sigv4.KindIncompleteSignature},
		{"bad x-amz-date", func(r *http.Request) {
			r.Header.Set("X-Amz-Date", "2026-01-01T00:30:00Z")
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+testAK+"/20260101/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date, Signature="+goodSig)
		}, sigv4.KindIncompleteSignature},
		{"short signature", func(r *http.Request) {
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+testAK+"/20260101/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date, Signature=abcd")
		}, sigv4.KindSignatureDoesNotMatch},
		{"non-hex signature", func(r *http.Request) {
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+testAK+"/20260101/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date, Signature="+strings.Repeat("zz", 32))
		}, sigv4.KindSignatureDoesNotMatch},
		{"bad terminator", func(r *http.Request) {
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+testAK+"/20260101/us-east-1/sts/aws5_request, SignedHeaders=host;x-amz-date, Signature="+goodSig)
		}, sigv4.KindSignatureDoesNotMatch},
		{"http Date header accepted as date source", func(r *http.Request) {
			r.Header.Del("X-Amz-Date")
			r.Header.Set("Date", "Thu, 01 Jan 2026 00:30:00 GMT")
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+testAK+"/20260101/us-east-1/sts/aws4_request, SignedHeaders=date;host, Signature="+goodSig)
		}, sigv4.KindSignatureDoesNotMatch},
		{"presign bad algorithm", func(r *http.Request) {
			r.URL.RawQuery = "X-Amz-Algorithm=HMAC&X-Amz-Credential=a%2Fb%2Fc%2Fd%2Faws4_request&X-Amz-Date=20260101T003000Z&X-Amz-SignedHeaders=host&X-Amz-Signature=00"
		}, sigv4.KindIncompleteSignature},
		{"presign duplicate signature", func(r *http.Request) {
			r.URL.RawQuery = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=a%2F20260101%2Fc%2Fd%2Faws4_request&X-Amz-Date=20260101T003000Z&X-Amz-SignedHeaders=host&X-Amz-Signature=00&X-Amz-Signature=01"
		}, sigv4.KindIncompleteSignature},
		{"presign sigv4a without region set", func(r *http.Request) {
			r.URL.RawQuery = "X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256&X-Amz-Credential=a%2F20260101%2Fd%2Faws4_request&X-Amz-Date=20260101T003000Z&X-Amz-SignedHeaders=host&X-Amz-Signature=00"
		}, sigv4.KindIncompleteSignature},
		{"presign sigv4a short signature", func(r *http.Request) {
			r.URL.RawQuery = "X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256&X-Amz-Credential=" + testAK + "%2F20260101%2Fd%2Faws4_request&X-Amz-Date=20260101T003000Z&X-Amz-SignedHeaders=host&X-Amz-Region-Set=%2A&X-Amz-Signature=00"
		}, sigv4.KindSignatureDoesNotMatch},
		{"sigv4a huge region set", func(r *http.Request) {
			r.Header.Set("X-Amz-Region-Set", strings.Repeat("us-east-1,", 1000))
			r.Header.Set("Authorization", "AWS4-ECDSA-P256-SHA256 Credential="+testAK+"/20260101/d/aws4_request, SignedHeaders=host;x-amz-date;x-amz-region-set, Signature=3045")
		}, sigv4.KindIncompleteSignature},
		{"sigv4a long signature", func(r *http.Request) {
			r.Header.Set("X-Amz-Region-Set", "*")
			r.Header.Set("Authorization", "AWS4-ECDSA-P256-SHA256 Credential="+testAK+"/20260101/d/aws4_request, SignedHeaders=host;x-amz-date;x-amz-region-set, Signature="+strings.Repeat("30", 73))
		}, sigv4.KindSignatureDoesNotMatch},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := base()
			c.mod(r)
			_, err := newVerifier(t0).Verify(context.Background(), r, nil)
			if got := sigv4.KindOf(err); got != c.kind {
				t.Fatalf("kind = %v (%v), want %v", got, err, c.kind)
			}
		})
	}
	t.Run("nil request", func(t *testing.T) {
		if _, err := newVerifier(t0).Verify(context.Background(), nil, nil); sigv4.KindOf(err) != sigv4.KindMissingAuthenticationToken {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("nil store", func(t *testing.T) {
		r := base()
		r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+testAK+"/20260101/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date, Signature="+goodSig)
		v := &sigv4.Verifier{Clock: newVerifier(t0).Clock}
		if _, err := v.Verify(context.Background(), r, nil); sigv4.KindOf(err) != sigv4.KindInternal {
			t.Fatalf("err = %v", err)
		}
	})
}
