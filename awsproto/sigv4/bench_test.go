package sigv4_test

import (
	"context"
	"net/http"
	"testing"
)

func BenchmarkVerifier_Verify(b *testing.B) {
	body := `{"LookupAttributes":[{"AttributeKey":"EventName","AttributeValue":"CreateTrail"}],"MaxResults":5}`
	cases := []struct {
		name string
		c    signCase
	}{
		{"header/cloudtrail", signCase{url: "http://localhost:4566/", body: body, headers: [][2]string{jsonCT, ctTarget}, service: "cloudtrail", region: "us-east-1"}},
		{"header/sts", signCase{url: "http://localhost:4566/", body: stsBody, headers: [][2]string{formCT}, service: "sts", region: "us-east-1"}},
		{"presign/sts", signCase{method: http.MethodGet, url: "http://localhost:4566/?Action=GetCallerIdentity&Version=2011-06-15", service: "sts", region: "us-east-1", presign: true}},
	}
	for _, bc := range cases {
		b.Run(bc.name, func(b *testing.B) {
			r, raw := signRequest(b, bc.c)
			v := newVerifier(t0)
			ctx := context.Background()
			if _, err := v.Verify(ctx, r, raw); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.SetBytes(int64(len(raw)))
			for b.Loop() {
				if _, err := v.Verify(ctx, r, raw); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkVerifier_VerifySigV4A verifies a PutKey the cloudfrontkeyvaluestore
// client signed with SigV4A; the derived key is cached after the first call.
func BenchmarkVerifier_VerifySigV4A(b *testing.B) {
	c, at := captureKVS(b)
	r, raw := c.clone()
	v := newVerifier(at)
	ctx := context.Background()
	if _, err := v.Verify(ctx, r, raw); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if _, err := v.Verify(ctx, r, raw); err != nil {
			b.Fatal(err)
		}
	}
}
