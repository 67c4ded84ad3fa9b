package cloudfront

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/cairnhq/cairn"
	"github.com/cairnhq/cairn/api/cloudfront"
	"github.com/cairnhq/cairn/awsproto"
	"github.com/cairnhq/cairn/internal/memstore"
)

const (
	testAccount  = "111122223333"
	otherAccount = "444455556666"
	testDelay    = 30 * time.Second
)

// testClock is a clock tests move by hand.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newTestProvider(t testing.TB) (*Provider, *testClock) {
	t.Helper()
	clk := &testClock{t: time.Date(2024, 2, 2, 19, 26, 1, 0, time.UTC)}
	return &Provider{Meta: memstore.New(), Clock: clk, DeployDelay: testDelay}, clk
}

func ctxFor(account string) context.Context {
	return awsproto.WithRequestContext(context.Background(), &awsproto.RequestContext{
		Principal: &cairn.Principal{AccountID: account, Type: "Root"}, Region: "us-east-1",
	})
}

// testConfig is a small valid distribution configuration with a custom origin.
func testConfig(ref string) *cloudfront.DistributionConfig {
	return &cloudfront.DistributionConfig{
		CallerReference: ptr(ref),
		Comment:         ptr("test distribution"),
		Enabled:         ptr(true),
		Origins: &cloudfront.Origins{Quantity: ptr(int32(1)), Items: []cloudfront.Origin{{
			Id: ptr("origin-1"), DomainName: ptr("example.com"),
			CustomOriginConfig: &cloudfront.CustomOriginConfig{HTTPPort: ptr(int32(80)), HTTPSPort: ptr(int32(443)), OriginProtocolPolicy: "https-only"},
		}}},
		DefaultCacheBehavior: &cloudfront.DefaultCacheBehavior{
			TargetOriginId:       ptr("origin-1"),
			ViewerProtocolPolicy: "redirect-to-https",
			CachePolicyId:        ptr("658327ea-f89d-4fab-a63d-7e88639e58f6"),
		},
	}
}

// withAliases gives cfg aliases and an ACM certificate.
func withAliases(cfg *cloudfront.DistributionConfig, aliases ...string) *cloudfront.DistributionConfig {
	cfg.Aliases = &cloudfront.Aliases{Quantity: ptr(int32(len(aliases))), Items: aliases}
	cfg.ViewerCertificate = &cloudfront.ViewerCertificate{
		ACMCertificateArn: ptr("arn:aws:acm:us-east-1:111122223333:certificate/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"),
		SSLSupportMethod:  "sni-only", MinimumProtocolVersion: "TLSv1.2_2021",
	}
	return cfg
}

func mustCreate(t testing.TB, p *Provider, ctx context.Context, cfg *cloudfront.DistributionConfig) *cloudfront.CreateDistributionResult {
	t.Helper()
	out, err := p.CreateDistribution(ctx, &cloudfront.CreateDistributionRequest{DistributionConfig: cfg})
	if err != nil {
		t.Fatalf("CreateDistribution: %v", err)
	}
	return out
}

func mustGetConfig(t testing.TB, p *Provider, ctx context.Context, id string) *cloudfront.GetDistributionConfigResult {
	t.Helper()
	out, err := p.GetDistributionConfig(ctx, &cloudfront.GetDistributionConfigRequest{Id: ptr(id)})
	if err != nil {
		t.Fatalf("GetDistributionConfig: %v", err)
	}
	return out
}

// update sends the current configuration changed by fn with ifMatch.
func update(p *Provider, ctx context.Context, id string, ifMatch *string, cfg *cloudfront.DistributionConfig) (*cloudfront.UpdateDistributionResult, error) {
	return p.UpdateDistribution(ctx, &cloudfront.UpdateDistributionRequest{Id: ptr(id), IfMatch: ifMatch, DistributionConfig: cfg})
}

// wantAPIError checks that err is the CloudFront error code with the HTTP status.
func wantAPIError(t testing.TB, err error, code string, status int) {
	t.Helper()
	var e *awsproto.Error
	if !errors.As(err, &e) {
		t.Fatalf("error = %v, want %s (%d)", err, code, status)
	}
	if e.Code != code || e.Status != status {
		t.Fatalf("error = %s (%d) %q, want %s (%d)", e.Code, e.Status, e.Message, code, status)
	}
}
