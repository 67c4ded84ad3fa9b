package restxml_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cfapi "github.com/cairnhq/cairn/api/cloudfront"
	"github.com/cairnhq/cairn/awsproto"
	"github.com/cairnhq/cairn/awsproto/restxml"
)

// distributionList is a ListDistributions page of n summaries shaped like the ones
// service/cloudfront returns for the bench's distributions (AWS's defaults filled
// in): about 3 KiB of XML each.
func distributionList(n int) *cfapi.DistributionList {
	l := &cfapi.DistributionList{
		IsTruncated: aws.Bool(false), Marker: aws.String(""), MaxItems: aws.Int32(int32(n)),
		Quantity: aws.Int32(int32(n)), Items: make([]cfapi.DistributionSummary, 0, n),
	}
	t0 := time.Date(2024, 2, 2, 19, 26, 1, 0, time.UTC)
	for i := range n {
		l.Items = append(l.Items, distributionSummary(i, t0.Add(time.Duration(i)*time.Second)))
	}
	return l
}

func distributionSummary(i int, modified time.Time) cfapi.DistributionSummary {
	id := fmt.Sprintf("E%013d", i)
	zero := func() *int32 { return aws.Int32(0) }
	return cfapi.DistributionSummary{
		ARN: aws.String("arn:aws:cloudfront::111122223333:distribution/" + id), Id: aws.String(id),
		ETag: aws.String(fmt.Sprintf("E%013dT", i)), Status: aws.String("Deployed"),
		LastModifiedTime: awsproto.NewTimestamp(modified), DomainName: aws.String(fmt.Sprintf("d%012d.cloudfront.net", i)),
		Aliases: &cfapi.Aliases{Quantity: zero()}, CacheBehaviors: &cfapi.CacheBehaviors{Quantity: zero()},
		Comment:              aws.String(fmt.Sprintf("created by cairn bench <%d> & co", i)),
		CustomErrorResponses: &cfapi.CustomErrorResponses{Quantity: zero()},
		DefaultCacheBehavior: &cfapi.DefaultCacheBehavior{
			AllowedMethods: &cfapi.AllowedMethods{
				CachedMethods: &cfapi.CachedMethods{Items: []cfapi.Method{"HEAD", "GET"}, Quantity: aws.Int32(2)},
				Items:         []cfapi.Method{"HEAD", "GET"}, Quantity: aws.Int32(2),
			},
			CachePolicyId: aws.String("658327ea-f89d-4fab-a63d-7e88639e58f6"), Compress: aws.Bool(true),
			FieldLevelEncryptionId: aws.String(""), FunctionAssociations: &cfapi.FunctionAssociations{Quantity: zero()},
			LambdaFunctionAssociations: &cfapi.LambdaFunctionAssociations{Quantity: zero()}, SmoothStreaming: aws.Bool(false),
			TargetOriginId:       aws.String("origin-1"),
			TrustedKeyGroups:     &cfapi.TrustedKeyGroups{Enabled: aws.Bool(false), Quantity: zero()},
			TrustedSigners:       &cfapi.TrustedSigners{Enabled: aws.Bool(false), Quantity: zero()},
			ViewerProtocolPolicy: cfapi.ViewerProtocolPolicyRedirectToHttps,
		},
		Enabled: aws.Bool(true), HttpVersion: cfapi.HttpVersionHttp2and3, IsIPV6Enabled: aws.Bool(true),
		OriginGroups: &cfapi.OriginGroups{Quantity: zero()},
		Origins: &cfapi.Origins{Quantity: aws.Int32(1), Items: []cfapi.Origin{{
			ConnectionAttempts: aws.Int32(3), ConnectionTimeout: aws.Int32(10), CustomHeaders: &cfapi.CustomHeaders{Quantity: zero()},
			CustomOriginConfig: &cfapi.CustomOriginConfig{
				HTTPPort: aws.Int32(80), HTTPSPort: aws.Int32(443), OriginKeepaliveTimeout: aws.Int32(5),
				OriginProtocolPolicy: cfapi.OriginProtocolPolicyHttpsOnly, OriginReadTimeout: aws.Int32(30),
				OriginSslProtocols: &cfapi.OriginSslProtocols{Items: []cfapi.SslProtocol{"TLSv1", "TLSv1.1", "TLSv1.2"}, Quantity: aws.Int32(3)},
			},
			DomainName: aws.String("origin.bench.example.com"), Id: aws.String("origin-1"),
			OriginAccessControlId: aws.String(""), OriginPath: aws.String(""), OriginShield: &cfapi.OriginShield{Enabled: aws.Bool(false)},
		}}},
		PriceClass:   cfapi.PriceClassPriceClass100,
		Restrictions: &cfapi.Restrictions{GeoRestriction: &cfapi.GeoRestriction{Quantity: zero(), RestrictionType: "none"}},
		Staging:      aws.Bool(false),
		ViewerCertificate: &cfapi.ViewerCertificate{CertificateSource: "cloudfront", CloudFrontDefaultCertificate: aws.Bool(true),
			MinimumProtocolVersion: "TLSv1", SSLSupportMethod: "vip"},
		WebACLId: aws.String(""),
	}
}

func TestMarshal_ListDistributions(t *testing.T) {
	t.Parallel()
	l := distributionList(20)
	l.Items[3].Comment = aws.String("tab\tquote\"apostrophe'é\xff")
	l.Items[4].Aliases = &cfapi.Aliases{Quantity: aws.Int32(2), Items: []string{"a.example", "b.example"}}
	want, err := restxml.ReferenceMarshal("DistributionList", ns, l)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		got, err := restxml.Marshal("DistributionList", ns, l)
		if err != nil || string(got) != string(want) {
			t.Fatalf("err %v, got\n%s\nwant\n%s", err, got, want)
		}
	}
	w := httptest.NewRecorder()
	restxml.WriteResponse(w, "rid", cfapi.Operations["ListDistributions"], ns, &cfapi.ListDistributionsResult{DistributionList: l})
	if w.Code != 200 || w.Body.String() != string(want) {
		t.Fatalf("WriteResponse: %d\n%s\nwant\n%s", w.Code, w.Body, want)
	}
}

// TestMarshal_WireBody: a summary whose WireBody caches AppendMembers' bytes is
// written exactly as without it; whatever WireBody holds is written verbatim.
func TestMarshal_WireBody(t *testing.T) {
	t.Parallel()
	l := distributionList(5)
	want, err := restxml.Marshal("DistributionList", ns, l)
	if err != nil {
		t.Fatal(err)
	}
	for i := range l.Items {
		if l.Items[i].WireBody, err = restxml.AppendMembers(nil, &l.Items[i]); err != nil {
			t.Fatal(err)
		}
	}
	// AppendMembers ignores a WireBody already set.
	again, err := restxml.AppendMembers(nil, l.Items[0])
	if err != nil || string(again) != string(l.Items[0].WireBody) {
		t.Fatalf("AppendMembers with WireBody set: err %v\n%s\nwant\n%s", err, again, l.Items[0].WireBody)
	}
	got, err := restxml.Marshal("DistributionList", ns, l)
	if err != nil || string(got) != string(want) {
		t.Fatalf("with WireBody: err %v, got\n%s\nwant\n%s", err, got, want)
	}
	l.Items[2].WireBody = []byte("<Id>cached</Id>")
	got, err = restxml.Marshal("DistributionList", ns, l)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(got), "<DistributionSummary><Id>cached</Id></DistributionSummary>") {
		t.Fatalf("WireBody not written verbatim:\n%s", got)
	}
	if _, err := restxml.AppendMembers(nil, 42); err == nil {
		t.Fatal("AppendMembers(42): no error")
	}
}

// BenchmarkMarshal_ListDistributions encodes a ListDistributions page of 1,000
// summaries (MaxItems 1000, about 3 MiB) and of 100 (the default page): with
// Marshal, with WriteResponse (pooled buffer), and with the reflective encoder
// Marshal replaced.
func BenchmarkMarshal_ListDistributions(b *testing.B) {
	op := cfapi.Operations["ListDistributions"]
	w := &discard{h: http.Header{}}
	for _, n := range []int{1000, 100} {
		out := &cfapi.ListDistributionsResult{DistributionList: distributionList(n)}
		body, err := restxml.Marshal("DistributionList", ns, out.DistributionList)
		if err != nil {
			b.Fatal(err)
		}
		for _, c := range []struct {
			name string
			run  func() error
		}{
			{"Marshal", func() error {
				_, err := restxml.Marshal("DistributionList", ns, out.DistributionList)
				return err
			}},
			{"WriteResponse", func() error {
				restxml.WriteResponse(w, "rid", op, ns, out)
				return nil
			}},
			{"reflective", func() error {
				_, err := restxml.ReferenceMarshal("DistributionList", ns, out.DistributionList)
				return err
			}},
		} {
			b.Run(fmt.Sprintf("%d/%s", n, c.name), func(b *testing.B) {
				b.SetBytes(int64(len(body)))
				b.ReportAllocs()
				for b.Loop() {
					if err := c.run(); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// discard is a ResponseWriter that drops the body (its headers are overwritten
// by every response).
type discard struct{ h http.Header }

func (d *discard) Header() http.Header       { return d.h }
func (*discard) Write(p []byte) (int, error) { return len(p), nil }
func (*discard) WriteHeader(int)             {}
