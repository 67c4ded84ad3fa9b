package sigv4_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/cairnhq/cairn/awsproto/sigv4"
)

func FuzzSigV4ParseAuthorization(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=" + testAK + "/20260101/us-east-1/cloudtrail/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" + goodSig)
	f.Add("AWS4-HMAC-SHA256 Credential=AK/20260101/us-east-1/sts/aws4_request,SignedHeaders=host,Signature=00")
	f.Add("AWS4-ECDSA-P256-SHA256 Credential=AK/20260101/cloudtrail/aws4_request, SignedHeaders=host;x-amz-region-set, Signature=3045")
	f.Add("AWS4-HMAC-SHA256 Credential=AK /20260101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=00")
	f.Add("AWS4-HMAC-SHA256 Credential=, SignedHeaders=;;, Signature==")
	f.Add("AWS AKID:sig")
	f.Add("")
	f.Add("AWS4-HMAC-SHA256 \x00=\xff, Credential=a/b/c/d/e/f")

	v := newVerifier(t0)
	f.Fuzz(func(t *testing.T, h string) {
		a, err := sigv4.ParseAuthorization(h)
		if err == nil {
			if a.Algorithm != sigv4.AlgorithmHMAC && a.Algorithm != sigv4.AlgorithmECDSA {
				t.Fatalf("accepted algorithm %q", a.Algorithm)
			}
			if len(a.SignedHeaders) == 0 || len(a.SignedHeaders) > sigv4.MaxSignedHeaders || a.Signature == "" {
				t.Fatalf("accepted %+v", a)
			}
			for _, n := range a.SignedHeaders {
				if n == "" || n != strings.ToLower(n) {
					t.Fatalf("signed header %q", n)
				}
			}
			c := a.Credential
			if c.AccessKeyID == "" || c.Date == "" || c.Service == "" || c.Terminator == "" ||
				(a.Algorithm == sigv4.AlgorithmHMAC && c.Region == "") {
				t.Fatalf("accepted credential %+v", c)
			}
		} else if sigv4.KindOf(err) != sigv4.KindIncompleteSignature {
			t.Fatalf("error kind %v: %v", sigv4.KindOf(err), err)
		}

		r := &http.Request{Method: http.MethodPost, URL: &url.URL{Path: "/"}, Header: http.Header{}, Host: "localhost"}
		r.Header.Set("Authorization", h)
		r.Header.Set("X-Amz-Date", "20260101T003000Z")
		sigv4.Scope(r)
		if _, err := v.Verify(context.Background(), r, []byte("{}")); err == nil {
			t.Fatalf("a made-up Authorization header verified: %q", h)
		}
	})
}

func FuzzPresignedQuery(f *testing.F) {
	// A genuine presigned query, so that mutations explore the deep paths.
	r0, _ := signRequest(f, signCase{method: http.MethodGet,
		url: "https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15", service: "sts", region: "us-east-1", presign: true})
	f.Add(r0.URL.RawQuery, r0.URL.EscapedPath())
	f.Add("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AK%2F20260101%2Fus-east-1%2Fsts%2Faws4_request&X-Amz-Date=20260101T003000Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature="+goodSig, "/")
	f.Add("X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256&X-Amz-Credential=AK%2F20260101%2Fsts%2Faws4_request&X-Amz-Region-Set=*", "/a/../b")
	f.Add("X-Amz-Signature=&&&=&%zz=%&X-Amz-Expires=99999999999999999999", "//")
	f.Add("a=1;b=2&c", "/%2e%2e/")

	v := newVerifier(t0)
	f.Fuzz(func(t *testing.T, rawQuery, path string) {
		u := &url.URL{RawQuery: rawQuery, Path: path}
		if p, err := url.PathUnescape(path); err == nil {
			u.Path, u.RawPath = p, path
		}
		r := &http.Request{Method: http.MethodGet, URL: u, Header: http.Header{}, Host: r0.Host}
		sigv4.Scope(r)
		res, err := v.Verify(context.Background(), r, nil)
		if err == nil {
			// Only the genuine signature, in an equivalent spelling, can pass.
			if res.AccessKeyID != testAK || res.Principal != testPrincipal || !res.Presigned {
				t.Fatalf("unexpected success: %+v", res)
			}
			return
		}
		if sigv4.KindOf(err) == 0 {
			t.Fatalf("error is not a *sigv4.Error: %v", err)
		}
	})
}

// FuzzSigV4AAuthorization mutates the Authorization and X-Amz-Region-Set
// headers of a request the SDK signed with SigV4A. Only the genuine signature
// may verify, in an equivalent spelling.
func FuzzSigV4AAuthorization(f *testing.F) {
	c, at := captureKVS(f)
	authz0 := c.req.Header.Get("Authorization")
	set0 := c.req.Header.Get("X-Amz-Region-Set")
	a0, err := sigv4.ParseAuthorization(authz0)
	if err != nil {
		f.Fatal(err)
	}
	sig0, err := hex.DecodeString(a0.Signature)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(authz0, set0)
	f.Add(strings.ReplaceAll(authz0, ", ", ","), " "+set0+" ")
	f.Add(authz0, "us-east-1,us-west-2")
	f.Add(strings.Replace(authz0, "Signature=30", "Signature=31", 1), set0)
	f.Add("AWS4-ECDSA-P256-SHA256 Credential="+testAK+"/20260101/svc/aws4_request, SignedHeaders=host;x-amz-region-set, Signature=3006020101020101", "*")
	f.Add("AWS4-ECDSA-P256-SHA256 Credential=a/b/c/d, SignedHeaders=x-amz-region-set, Signature=zz", "us-*,*")

	v := newVerifier(at)
	f.Fuzz(func(t *testing.T, authz, set string) {
		r, body := c.clone()
		r.Header.Set("Authorization", authz)
		r.Header.Set("X-Amz-Region-Set", set)
		sigv4.Scope(r)
		res, err := v.Verify(context.Background(), r, body)
		if err != nil {
			if k := sigv4.KindOf(err); k == 0 || k == sigv4.KindInternal {
				t.Fatalf("error kind %v: %v", k, err)
			}
			return
		}
		a, perr := sigv4.ParseAuthorization(authz)
		if perr != nil {
			t.Fatalf("verified an Authorization header that does not parse: %v", perr)
		}
		sig, _ := hex.DecodeString(a.Signature)
		if a.Algorithm != a0.Algorithm || a.Credential != a0.Credential || !slices.Equal(a.SignedHeaders, a0.SignedHeaders) ||
			!bytes.Equal(sig, sig0) || strings.TrimSpace(set) != set0 || res.RegionSet != set0 {
			t.Fatalf("verified a changed request: %q, region set %q", authz, set)
		}
	})
}
