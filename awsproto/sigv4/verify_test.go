package sigv4_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/cairnhq/cairn"
	"github.com/cairnhq/cairn/awsproto"
	"github.com/cairnhq/cairn/awsproto/sigv4"
)

// signCase is one request signed by the SDK's v4 signer, optionally tampered
// with after it crossed the wire, and the expected outcome.
type signCase struct {
	name    string
	method  string
	url     string
	body    string
	headers [][2]string // added in order with Header.Add
	service string
	region  string
	// payloadHash is what the signer is told; "" means the body's SHA-256.
	payloadHash string
	presign     bool
	expires     int // presign: X-Amz-Expires (default 900)
	noExpires   bool
	signAt      time.Time
	creds       *aws.Credentials
	// server-side tampering
	tamper     func(r *http.Request)
	tamperBody func([]byte) []byte

	wantKind      sigv4.Kind // 0: success
	wantJSON      string     // "Code/Status"
	wantQuery     string
	wantMsgPrefix string
	wantUnsigned  bool
}

var (
	jsonCT   = [2]string{"Content-Type", "application/x-amz-json-1.1"}
	ctTarget = [2]string{"X-Amz-Target", "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents"}
	formCT   = [2]string{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}
	stsBody  = "Action=GetCallerIdentity&Version=2011-06-15"
)

const (
	mismatchJSON = "InvalidSignatureException/400"
	mismatchQry  = "SignatureDoesNotMatch/403"
	unrecogJSON  = "UnrecognizedClientException/400"
	unrecogQry   = "InvalidClientTokenId/403"
	incompJSON   = "IncompleteSignatureException/400"
	incompQry    = "IncompleteSignature/400"
)

// signRequest builds and signs c with the SDK, then returns the request as the
// server sees it and its body.
func signRequest(t testing.TB, c signCase) (*http.Request, []byte) {
	t.Helper()
	method := c.method
	if method == "" {
		method = http.MethodPost
	}
	var body *bytes.Reader
	if c.body != "" {
		body = bytes.NewReader([]byte(c.body))
	}
	var req *http.Request
	var err error
	if body != nil {
		req, err = http.NewRequest(method, c.url, body)
	} else {
		req, err = http.NewRequest(method, c.url, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range c.headers {
		req.Header.Add(h[0], h[1])
	}
	creds := aws.Credentials{AccessKeyID: testAK, SecretAccessKey: testSecret}
	if c.creds != nil {
		creds = *c.creds
	}
	ph := c.payloadHash
	if ph == "" {
		ph = sha(c.body)
	}
	at := c.signAt
	if at.IsZero() {
		at = t0
	}
	signer := v4.NewSigner()
	if !c.presign {
		if err := signer.SignHTTP(context.Background(), creds, req, ph, c.service, c.region, at); err != nil {
			t.Fatal(err)
		}
		return wire(t, req)
	}
	exp := c.expires
	if exp == 0 {
		exp = 900
	}
	if !c.noExpires {
		q := req.URL.Query()
		q.Set("X-Amz-Expires", strconv.Itoa(exp))
		req.URL.RawQuery = q.Encode()
	}
	uri, hdr, err := signer.PresignHTTP(context.Background(), creds, req, ph, c.service, c.region, at)
	if err != nil {
		t.Fatal(err)
	}
	var pbody *bytes.Reader
	if c.body != "" {
		pbody = bytes.NewReader([]byte(c.body))
	}
	var preq *http.Request
	if pbody != nil {
		preq, err = http.NewRequest(method, uri, pbody)
	} else {
		preq, err = http.NewRequest(method, uri, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range hdr {
		if strings.EqualFold(k, "Host") {
			continue
		}
		for _, v := range vs {
			preq.Header.Add(k, v)
		}
	}
	return wire(t, preq)
}

func TestVerifier_Verify(t *testing.T) {
	otherSecret := aws.Credentials{AccessKeyID: testAK, SecretAccessKey: "not-the-secret"}
	unknown := aws.Credentials{AccessKeyID: "AKIAUNKNOWNKEY000000", SecretAccessKey: testSecret}
	inactive := aws.Credentials{AccessKeyID: inactiveAK, SecretAccessKey: testSecret}
	broken := aws.Credentials{AccessKeyID: brokenAK, SecretAccessKey: testSecret}
	withToken := aws.Credentials{AccessKeyID: testAK, SecretAccessKey: testSecret, SessionToken: "FwoGZXIvYXdzEXAMPLETOKEN"}
	ctBody := `{"LookupAttributes":[{"AttributeKey":"EventName","AttributeValue":"CreateTrail"}],"MaxResults":5}`

	cases := []signCase{
		// Successes.
		{name: "cloudtrail json", url: "https://cloudtrail.us-east-1.amazonaws.com/", body: ctBody,
			headers: [][2]string{jsonCT, ctTarget}, service: "cloudtrail", region: "us-east-1"},
		{name: "cloudtrail other region and port", url: "http://127.0.0.1:4566/", body: ctBody,
			headers: [][2]string{jsonCT, ctTarget}, service: "cloudtrail", region: "eu-west-3"},
		{name: "cloudtrail empty body", url: "http://localhost:4566", body: "",
			headers: [][2]string{jsonCT, ctTarget}, service: "cloudtrail", region: "us-east-1"},
		{name: "sts query form", url: "https://sts.amazonaws.com/", body: stsBody,
			headers: [][2]string{formCT}, service: "sts", region: "us-east-1"},
		{name: "sts session token", url: "https://sts.amazonaws.com/", body: stsBody, creds: &withToken,
			headers: [][2]string{formCT}, service: "sts", region: "us-east-1"},
		{name: "query string", method: http.MethodGet,
			url:     "http://localhost:4566/?b=2&a=1&a=0&c=x%20y&d=a+b&e=~-._&f=%2F%3D%26&empty=&novalue&%C3%BC=%E2%82%AC&Action=List",
			service: "sts", region: "us-east-1"},
		{name: "odd path", method: http.MethodGet,
			url:     "http://localhost:4566/a%20b/c%2Fd/%C3%BC/x!$'()*+,;=:@/~user/%25",
			service: "cloudtrail", region: "us-east-1"},
		{name: "dot segments and double slash", method: http.MethodGet,
			url:     "http://localhost:4566/a/./b/../c//d/",
			service: "cloudtrail", region: "us-east-1"},
		{name: "botocore-style normalized path", method: http.MethodGet,
			url: "http://localhost:4566/a/c/d/", service: "cloudtrail", region: "us-east-1",
			tamper: func(r *http.Request) { r.URL, _ = url.Parse("/a/./b/../c//d/") }},
		{name: "multiple header values", url: "http://localhost:4566/", body: ctBody,
			headers: [][2]string{jsonCT, ctTarget, {"X-Amz-Meta-Tag", "a"}, {"X-Amz-Meta-Tag", "  b    c  "}, {"X-Custom", "x   y\tz"}},
			service: "cloudtrail", region: "us-east-1"},
		{name: "x-amz-content-sha256 correct", url: "http://localhost:4566/", body: ctBody,
			headers: [][2]string{jsonCT, ctTarget, {"X-Amz-Content-Sha256", sha(ctBody)}}, service: "cloudtrail", region: "us-east-1"},
		{name: "x-amz-content-sha256 uppercase hex", url: "http://localhost:4566/", body: ctBody, payloadHash: strings.ToUpper(sha(ctBody)),
			headers: [][2]string{jsonCT, ctTarget, {"X-Amz-Content-Sha256", strings.ToUpper(sha(ctBody))}}, service: "cloudtrail", region: "us-east-1"},
		{name: "unsigned payload", url: "http://localhost:4566/", body: ctBody, payloadHash: "UNSIGNED-PAYLOAD",
			headers: [][2]string{jsonCT, ctTarget, {"X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD"}}, service: "cloudtrail", region: "us-east-1",
			tamperBody: func([]byte) []byte { return []byte(`{"anything":"goes"}`) }, wantUnsigned: true},
		{name: "streaming unsigned payload trailer", url: "http://localhost:4566/", body: ctBody, payloadHash: "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
			headers: [][2]string{jsonCT, ctTarget, {"X-Amz-Content-Sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER"}}, service: "cloudtrail", region: "us-east-1",
			wantUnsigned: true},
		{name: "skew -14m", url: "http://localhost:4566/", body: ctBody, headers: [][2]string{jsonCT, ctTarget},
			service: "cloudtrail", region: "us-east-1", signAt: t0.Add(-14 * time.Minute)},
		{name: "skew +14m", url: "http://localhost:4566/", body: ctBody, headers: [][2]string{jsonCT, ctTarget},
			service: "cloudtrail", region: "us-east-1", signAt: t0.Add(14 * time.Minute)},
		{name: "presign sts get", method: http.MethodGet, url: "https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15",
			service: "sts", region: "us-east-1", presign: true},
		{name: "presign unsigned payload", method: http.MethodGet, url: "https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15",
			service: "sts", region: "us-east-1", presign: true, payloadHash: "UNSIGNED-PAYLOAD", wantUnsigned: true},
		{name: "presign cloudtrail post hoisted header", url: "http://localhost:4566/", body: ctBody,
			headers: [][2]string{jsonCT, ctTarget}, service: "cloudtrail", region: "us-east-1", presign: true},
		{name: "presign old but within expiry", method: http.MethodGet, url: "https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15",
			service: "sts", region: "us-east-1", presign: true, expires: 7200, signAt: t0.Add(-time.Hour)},
		{name: "presign max expiry", method: http.MethodGet, url: "https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15",
			service: "sts", region: "us-east-1", presign: true, expires: 604800, signAt: t0.Add(-6 * 24 * time.Hour)},

		{name: "presign without X-Amz-Expires", method: http.MethodGet, url: "https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15",
			service: "sts", region: "us-east-1", presign: true, noExpires: true, signAt: t0.Add(-14 * time.Minute)},

		// Failures.
		{name: "tampered body", url: "http://localhost:4566/", body: ctBody, headers: [][2]string{jsonCT, ctTarget},
			service: "cloudtrail", region: "us-east-1",
			tamperBody: func(b []byte) []byte { return bytes.Replace(b, []byte("CreateTrail"), []byte("DeleteTrail"), 1) },
			wantKind:   sigv4.KindSignatureDoesNotMatch, wantJSON: mismatchJSON, wantQuery: mismatchQry},
		{name: "tampered header", url: "http://localhost:4566/", body: ctBody, headers: [][2]string{jsonCT, ctTarget},
			service: "cloudtrail", region: "us-east-1",
			tamper:   func(r *http.Request) { r.Header.Set("X-Amz-Target", "CloudTrail_20131101.DeleteTrail") },
			wantKind: sigv4.KindSignatureDoesNotMatch, wantJSON: mismatchJSON, wantQuery: mismatchQry},
		{name: "tampered query", method: http.MethodGet, url: "http://localhost:4566/?Action=ListUsers",
			service: "sts", region: "us-east-1",
			tamper:   func(r *http.Request) { r.URL.RawQuery = "Action=DeleteUser" },
			wantKind: sigv4.KindSignatureDoesNotMatch, wantJSON: mismatchJSON, wantQuery: mismatchQry},
		{name: "tampered path", method: http.MethodGet, url: "http://localhost:4566/a",
			service: "cloudtrail", region: "us-east-1",
			tamper:   func(r *http.Request) { r.URL.Path = "/b" },
			wantKind: sigv4.KindSignatureDoesNotMatch, wantJSON: mismatchJSON, wantQuery: mismatchQry},
		{name: "tampered method", method: http.MethodGet, url: "http://localhost:4566/",
			service: "cloudtrail", region: "us-east-1",
			tamper:   func(r *http.Request) { r.Method = http.MethodDelete },
			wantKind: sigv4.KindSignatureDoesNotMatch, wantJSON: mismatchJSON, wantQuery: mismatchQry},
		{name: "tampered host", url: "http://localhost:4566/", body: ctBody, headers: [][2]string{jsonCT, ctTarget},
			service: "cloudtrail", region: "us-east-1",
			tamper:   func(r *http.Request) { r.Host = "evil.example:4566" },
			wantKind: sigv4.KindSignatureDoesNotMatch, wantJSON: mismatchJSON, wantQuery: mismatchQry},
		{name: "tampered region in scope", url: "http://localhost:4566/", body: ctBody, headers: [][2]string{jsonCT, ctTarget},
			service: "cloudtrail", region: "us-east-1",
			tamper: func(r *http.Request) {
				r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/us-east-1/", "/us-west-2/", 1))
			},
			wantKind: sigv4.KindSignatureDoesNotMatch, wantJSON: mismatchJSON, wantQuery: mismatchQry},
		{name: "wrong secret", url: "https://sts.amazonaws.com/", body: stsBody, headers: [][2]string{formCT},
			service: "sts", region: "us-east-1", creds: &otherSecret,
			wantKind: sigv4.KindSignatureDoesNotMatch, wantJSON: mismatchJSON, wantQuery: mismatchQry,
			wantMsgPrefix: "The request signature we calculated does not match the signature you provided."},
		{name: "unknown key", url: "http://localhost:4566/", body: ctBody, headers: [][2]string{jsonCT, ctTarget},
			service: "cloudtrail", region: "us-east-1", creds: &unknown,
			wantKind: sigv4.KindUnrecognizedClient, wantJSON: unrecogJSON, wantQuery: unrecogQry,
			wantMsgPrefix: "The security token included in the request is invalid."},
		{name: "inactive key", url: "http://localhost:4566/", body: ctBody, headers: [][2]string{jsonCT, ctTarget},
			service: "cloudtrail", region: "us-east-1", creds: &inactive,
			wantKind: sigv4.KindUnrecognizedClient, wantJSON: unrecogJSON, wantQuery: unrecogQry},
		{name: "credential store failure", url: "http://localhost:4566/", body: ctBody, headers: [][2]string{jsonCT, ctTarget},
			service: "cloudtrail", region: "us-east-1", creds: &broken,
			wantKind: sigv4.KindInternal, wantJSON: "InternalFailure/500", wantQuery: "InternalFailure/500"},
		{name: "skew -16m", url: "http://localhost:4566/", body: ctBody, headers: [][2]string{jsonCT, ctTarget},
			service: "cloudtrail", region: "us-east-1", signAt: t0.Add(-16 * time.Minute),
			wantKind: sigv4.KindSignatureExpired, wantJSON: mismatchJSON, wantQuery: mismatchQry,
			wantMsgPrefix: "Signature expired: 20260101T001400Z is now earlier than 20260101T001500Z (20260101T003000Z - 15 min.)"},
		{name: "skew +16m", url: "https://sts.amazonaws.com/", body: stsBody, headers: [][2]string{formCT},
			service: "sts", region: "us-east-1", signAt: t0.Add(16 * time.Minute),
			wantKind: sigv4.KindSignatureExpired, wantJSON: mismatchJSON, wantQuery: mismatchQry,
			wantMsgPrefix: "Signature not yet current: 20260101T004600Z is still later than 20260101T004500Z (20260101T003000Z + 15 min.)"},
		{name: "missing host in signed headers", url: "http://localhost:4566/", body: ctBody, headers: [][2]string{jsonCT, ctTarget},
			service: "cloudtrail", region: "us-east-1",
			tamper: func(r *http.Request) {
				r.Header.Set("Authorization", withoutSignedHeader(r.Header.Get("Authorization"), "host"))
			},
			wantKind: sigv4.KindSignatureDoesNotMatch, wantJSON: mismatchJSON, wantQuery: mismatchQry,
			wantMsgPrefix: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."},
		{name: "x-amz-content-sha256 mismatch", url: "http://localhost:4566/", body: ctBody, payloadHash: sha("another body"),
			headers: [][2]string{jsonCT, ctTarget, {"X-Amz-Content-Sha256", sha("another body")}}, service: "cloudtrail", region: "us-east-1",
			wantKind: sigv4.KindContentSHA256Mismatch, wantJSON: "XAmzContentSHA256Mismatch/400", wantQuery: "XAmzContentSHA256Mismatch/400"},
		{name: "x-amz-content-sha256 not hex", url: "http://localhost:4566/", body: ctBody, payloadHash: "nothex",
			headers: [][2]string{jsonCT, ctTarget, {"X-Amz-Content-Sha256", "nothex"}}, service: "cloudtrail", region: "us-east-1",
			wantKind: sigv4.KindContentSHA256Mismatch, wantJSON: "XAmzContentSHA256Mismatch/400", wantQuery: "XAmzContentSHA256Mismatch/400"},
		{name: "streaming signed payload", url: "http://localhost:4566/", body: ctBody, payloadHash: "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
			headers: [][2]string{jsonCT, ctTarget, {"X-Amz-Content-Sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"}}, service: "cloudtrail", region: "us-east-1",
			wantKind: sigv4.KindUnsupported, wantJSON: incompJSON, wantQuery: incompQry},
		{name: "scope date differs from x-amz-date", url: "http://localhost:4566/", body: ctBody, headers: [][2]string{jsonCT, ctTarget},
			service: "cloudtrail", region: "us-east-1",
			tamper:   func(r *http.Request) { r.Header.Set("X-Amz-Date", "20251231T235959Z") },
			wantKind: sigv4.KindSignatureDoesNotMatch, wantJSON: mismatchJSON, wantQuery: mismatchQry,
			wantMsgPrefix: "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20260101' != '20251231'"},
		{name: "missing x-amz-date", url: "http://localhost:4566/", body: ctBody, headers: [][2]string{jsonCT, ctTarget},
			service: "cloudtrail", region: "us-east-1",
			tamper:   func(r *http.Request) { r.Header.Del("X-Amz-Date") },
			wantKind: sigv4.KindIncompleteSignature, wantJSON: incompJSON, wantQuery: incompQry,
			wantMsgPrefix: "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."},
		{name: "missing authentication", url: "http://localhost:4566/", body: ctBody, headers: [][2]string{jsonCT, ctTarget},
			service: "cloudtrail", region: "us-east-1",
			tamper:   func(r *http.Request) { r.Header.Del("Authorization") },
			wantKind: sigv4.KindMissingAuthenticationToken, wantJSON: "MissingAuthenticationTokenException/400", wantQuery: "MissingAuthenticationToken/403",
			wantMsgPrefix: "Missing Authentication Token"},
		{name: "malformed authorization", url: "http://localhost:4566/", body: ctBody, headers: [][2]string{jsonCT, ctTarget},
			service: "cloudtrail", region: "us-east-1",
			tamper: func(r *http.Request) {
				r.Header.Set("Authorization", "AWS4-HMAC-SHA256 SignedHeaders=host, Signature=00")
			},
			wantKind: sigv4.KindIncompleteSignature, wantJSON: incompJSON, wantQuery: incompQry,
			wantMsgPrefix: "Authorization header requires 'Credential' parameter. Authorization=AWS4-HMAC-SHA256 SignedHeaders=host, Signature=00"},
		{name: "both header and presign", method: http.MethodGet, url: "https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15",
			service: "sts", region: "us-east-1", presign: true,
			tamper:   func(r *http.Request) { r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=x") },
			wantKind: sigv4.KindIncompleteSignature, wantJSON: incompJSON, wantQuery: incompQry},
		{name: "expired presign", method: http.MethodGet, url: "https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15",
			service: "sts", region: "us-east-1", presign: true, expires: 3600, signAt: t0.Add(-2 * time.Hour),
			wantKind: sigv4.KindRequestExpired, wantJSON: "RequestExpired/400", wantQuery: "RequestExpired/400", wantMsgPrefix: "Request has expired."},
		{name: "presign from the future", method: http.MethodGet, url: "https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15",
			service: "sts", region: "us-east-1", presign: true, signAt: t0.Add(time.Hour),
			wantKind: sigv4.KindSignatureExpired, wantJSON: mismatchJSON, wantQuery: mismatchQry},
		{name: "presign without X-Amz-Expires too old", method: http.MethodGet, url: "https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15",
			service: "sts", region: "us-east-1", presign: true, noExpires: true, signAt: t0.Add(-16 * time.Minute),
			wantKind: sigv4.KindSignatureExpired, wantJSON: mismatchJSON, wantQuery: mismatchQry},
		{name: "presign expires too long", method: http.MethodGet, url: "https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15",
			service: "sts", region: "us-east-1", presign: true, expires: 604801,
			wantKind: sigv4.KindIncompleteSignature, wantJSON: incompJSON, wantQuery: incompQry},
		{name: "presign expires zero", method: http.MethodGet, url: "https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15",
			service: "sts", region: "us-east-1", presign: true, expires: -1,
			wantKind: sigv4.KindIncompleteSignature, wantJSON: incompJSON, wantQuery: incompQry},
		{name: "presign tampered query", method: http.MethodGet, url: "https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15",
			service: "sts", region: "us-east-1", presign: true,
			tamper: func(r *http.Request) {
				r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "GetCallerIdentity", "AssumeRole", 1)
			},
			wantKind: sigv4.KindSignatureDoesNotMatch, wantJSON: mismatchJSON, wantQuery: mismatchQry},
		{name: "presign wrong secret", method: http.MethodGet, url: "https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15",
			service: "sts", region: "us-east-1", presign: true, creds: &otherSecret,
			wantKind: sigv4.KindSignatureDoesNotMatch, wantJSON: mismatchJSON, wantQuery: mismatchQry},
		{name: "presign missing signature", method: http.MethodGet, url: "https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15",
			service: "sts", region: "us-east-1", presign: true,
			tamper: func(r *http.Request) {
				q := r.URL.Query()
				q.Del("X-Amz-Signature")
				r.URL.RawQuery = q.Encode()
			},
			wantKind: sigv4.KindIncompleteSignature, wantJSON: incompJSON, wantQuery: incompQry,
			wantMsgPrefix: "AWS query-string parameters must include 'X-Amz-Signature'."},
	}

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if c.expires == -1 {
				c.expires = 0
				// Sign with a valid expiry, then replace it with 0.
				c.expires = 900
				prev := c.tamper
				c.tamper = func(r *http.Request) {
					r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "X-Amz-Expires=900", "X-Amz-Expires=0", 1)
					if prev != nil {
						prev(r)
					}
				}
			}
			r, body := signRequest(t, c)
			if c.tamper != nil {
				c.tamper(r)
			}
			if c.tamperBody != nil {
				body = c.tamperBody(body)
			}
			v := newVerifier(t0)
			res, err := v.Verify(context.Background(), r, body)
			if c.wantKind == 0 {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				want := testPrincipal
				if c.creds != nil && c.creds.AccessKeyID != testAK {
					t.Fatalf("test bug: success case with another key")
				}
				if res.Principal != want {
					t.Errorf("Principal = %+v, want %+v", res.Principal, want)
				}
				if res.AccessKeyID != testAK || res.Service != c.service || res.Region != c.region {
					t.Errorf("Result = %q/%q/%q, want %q/%q/%q", res.AccessKeyID, res.Region, res.Service, testAK, c.region, c.service)
				}
				at := c.signAt
				if at.IsZero() {
					at = t0
				}
				if !res.SignedAt.Equal(at) {
					t.Errorf("SignedAt = %v, want %v", res.SignedAt, at)
				}
				if res.Presigned != c.presign {
					t.Errorf("Presigned = %v, want %v", res.Presigned, c.presign)
				}
				if res.UnsignedPayload != c.wantUnsigned {
					t.Errorf("UnsignedPayload = %v, want %v", res.UnsignedPayload, c.wantUnsigned)
				}
				return
			}
			if err == nil {
				t.Fatalf("Verify succeeded, want %v", c.wantKind)
			}
			var se *sigv4.Error
			if !errors.As(err, &se) {
				t.Fatalf("error %T %v is not *sigv4.Error", err, err)
			}
			if se.Kind != c.wantKind {
				t.Fatalf("Kind = %v, want %v (%v)", se.Kind, c.wantKind, err)
			}
			if got := codeStatus(se.For(sigv4.ProtocolJSON)); got != c.wantJSON {
				t.Errorf("JSON = %s, want %s", got, c.wantJSON)
			}
			if got := codeStatus(se.For(sigv4.ProtocolQuery)); got != c.wantQuery {
				t.Errorf("query = %s, want %s", got, c.wantQuery)
			}
			if c.wantMsgPrefix != "" && !strings.HasPrefix(se.Message, c.wantMsgPrefix) {
				t.Errorf("Message = %q, want prefix %q", se.Message, c.wantMsgPrefix)
			}
			assertNoLeak(t, err, r)
		})
	}
}

func codeStatus(e *awsproto.Error) string { return e.Code + "/" + strconv.Itoa(e.Status) }

// assertNoLeak checks that neither the error text nor the client message holds
// the secret, a canonical request (multi-line) or a computed signature.
func assertNoLeak(t *testing.T, err error, r *http.Request) {
	t.Helper()
	var se *sigv4.Error
	errors.As(err, &se)
	for _, s := range []string{err.Error(), se.For("json").Message, se.For("query").Message} {
		if strings.Contains(s, testSecret) || strings.Contains(s, "not-the-secret") {
			t.Errorf("error leaks the secret: %q", s)
		}
		if strings.Contains(s, "\n") {
			t.Errorf("error looks like it carries a canonical request: %q", s)
		}
	}
	// The only 64-hex string allowed is the signature the client sent.
	sent := r.Header.Get("Authorization") + " " + r.URL.RawQuery
	for _, w := range strings.FieldsFunc(err.Error(), func(c rune) bool {
		return !('0' <= c && c <= '9' || 'a' <= c && c <= 'f')
	}) {
		if len(w) == 64 && !strings.Contains(sent, w) {
			t.Errorf("error contains a hash or signature the client did not send: %s", w)
		}
	}
}

func TestError_For(t *testing.T) {
	cases := []struct {
		kind       sigv4.Kind
		json, qry  string
		jsonStatus int
		qryStatus  int
	}{
		{sigv4.KindMissingAuthenticationToken, "MissingAuthenticationTokenException", "MissingAuthenticationToken", 400, 403},
		{sigv4.KindIncompleteSignature, "IncompleteSignatureException", "IncompleteSignature", 400, 400},
		{sigv4.KindUnsupported, "IncompleteSignatureException", "IncompleteSignature", 400, 400},
		{sigv4.KindUnrecognizedClient, "UnrecognizedClientException", "InvalidClientTokenId", 400, 403},
		{sigv4.KindSignatureDoesNotMatch, "InvalidSignatureException", "SignatureDoesNotMatch", 400, 403},
		{sigv4.KindSignatureExpired, "InvalidSignatureException", "SignatureDoesNotMatch", 400, 403},
		{sigv4.KindRequestExpired, "RequestExpired", "RequestExpired", 400, 400},
		{sigv4.KindContentSHA256Mismatch, "XAmzContentSHA256Mismatch", "XAmzContentSHA256Mismatch", 400, 400},
		{sigv4.KindInternal, "InternalFailure", "InternalFailure", 500, 500},
	}
	for _, c := range cases {
		t.Run(c.kind.String(), func(t *testing.T) {
			e := &sigv4.Error{Kind: c.kind, Message: "m"}
			for _, p := range []string{"json", "awsJson1_1", "awsJson1_0", "restJson1"} {
				if got := e.For(p); got.Code != c.json || got.Status != c.jsonStatus {
					t.Errorf("For(%q) = %s/%d, want %s/%d", p, got.Code, got.Status, c.json, c.jsonStatus)
				}
			}
			for _, p := range []string{"query", "awsQuery", "ec2Query", "restXml"} {
				if got := e.For(p); got.Code != c.qry || got.Status != c.qryStatus {
					t.Errorf("For(%q) = %s/%d, want %s/%d", p, got.Code, got.Status, c.qry, c.qryStatus)
				}
			}
			if c.kind != sigv4.KindInternal && e.For("json").Message != "m" {
				t.Errorf("message not carried")
			}
			// awsproto.AsError sees the JSON form rather than InternalFailure.
			if got := awsproto.AsError(fmtWrap(e)); got.Code != c.json {
				t.Errorf("awsproto.AsError = %s, want %s", got.Code, c.json)
			}
			if sigv4.KindOf(fmtWrap(e)) != c.kind {
				t.Errorf("KindOf lost the kind")
			}
		})
	}
}

func fmtWrap(err error) error { return errors.Join(errors.New("verify"), err) }

// TestVerifier_Verify_KnownAnswers checks signatures from AWS's published
// examples, independently of the SDK signer.
func TestVerifier_Verify_KnownAnswers(t *testing.T) {
	const secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	store := memCreds{"AKIDEXAMPLE": {AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: secret, Principal: testPrincipal, Active: true}}
	at := time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC)
	v := &sigv4.Verifier{Credentials: store, Clock: cairn.ClockFunc(func() time.Time { return at })}
	cases := []struct {
		name    string
		url     string
		host    string
		headers map[string]string
		authz   string
	}{
		{
			name: "get-vanilla", url: "/", host: "example.amazonaws.com",
			authz: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
		},
		{
			name: "get-vanilla-query-order-key-case", url: "/?Param2=value2&Param1=value1", host: "example.amazonaws.com",
			authz: "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
		},
		{
			name: "iam ListUsers", url: "/?Action=ListUsers&Version=2010-05-08", host: "iam.amazonaws.com",
			headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
			authz:   "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			u, err := url.Parse(c.url)
			if err != nil {
				t.Fatal(err)
			}
			r := &http.Request{Method: http.MethodGet, URL: u, Host: c.host, Header: http.Header{}}
			r.Header.Set("X-Amz-Date", "20150830T123600Z")
			r.Header.Set("Authorization", c.authz)
			for k, val := range c.headers {
				r.Header.Set(k, val)
			}
			if _, err := v.Verify(context.Background(), r, nil); err != nil {
				t.Fatalf("Verify: %v", err)
			}
		})
	}
}
