package cloudfront

import (
	"fmt"
	"testing"

	"github.com/cairnhq/cairn/api/cloudfront"
)

func tags(kv ...string) *cloudfront.Tags {
	t := &cloudfront.Tags{Items: []cloudfront.Tag{}}
	for i := 0; i+1 < len(kv); i += 2 {
		t.Items = append(t.Items, cloudfront.Tag{Key: ptr(kv[i]), Value: ptr(kv[i+1])})
	}
	return t
}

func listTags(t *testing.T, p *Provider, arn string) map[string]string {
	t.Helper()
	out, err := p.ListTagsForResource(ctxFor(testAccount), &cloudfront.ListTagsForResourceRequest{Resource: ptr(arn)})
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, tg := range out.Tags.Items {
		m[deref(tg.Key)] = deref(tg.Value)
	}
	return m
}

func TestTagging(t *testing.T) {
	p, _ := newTestProvider(t)
	ctx := ctxFor(testAccount)
	out, err := p.CreateDistributionWithTags(ctx, &cloudfront.CreateDistributionWithTagsRequest{DistributionConfigWithTags: &cloudfront.DistributionConfigWithTags{
		DistributionConfig: testConfig("tagged"), Tags: tags("env", "prod", "team", "web"),
	}})
	if err != nil {
		t.Fatal(err)
	}
	arn := deref(out.Distribution.ARN)
	if got := listTags(t, p, arn); len(got) != 2 || got["env"] != "prod" {
		t.Fatalf("tags %v", got)
	}
	if _, err := p.TagResource(ctx, &cloudfront.TagResourceRequest{Resource: ptr(arn), Tags: tags("env", "dev", "cost", "42")}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.UntagResource(ctx, &cloudfront.UntagResourceRequest{Resource: ptr(arn), TagKeys: &cloudfront.TagKeys{Items: []string{"team", "absent"}}}); err != nil {
		t.Fatal(err)
	}
	if got := listTags(t, p, arn); len(got) != 2 || got["env"] != "dev" || got["cost"] != "42" {
		t.Fatalf("tags %v", got)
	}
	// Tagging is not a configuration change.
	g, _ := p.GetDistribution(ctx, &cloudfront.GetDistributionRequest{Id: out.Distribution.Id})
	if deref(g.ETag) != deref(out.ETag) {
		t.Error("tagging changed the ETag")
	}

	var many []string
	for i := range 49 {
		many = append(many, fmt.Sprint("k", i), "v")
	}
	_, err = p.TagResource(ctx, &cloudfront.TagResourceRequest{Resource: ptr(arn), Tags: tags(many...)})
	wantAPIError(t, err, "InvalidTagging", 400)
	_, err = p.TagResource(ctx, &cloudfront.TagResourceRequest{Resource: ptr(arn), Tags: tags("aws:reserved", "x")})
	wantAPIError(t, err, "InvalidTagging", 400)
	_, err = p.TagResource(ctx, &cloudfront.TagResourceRequest{Resource: ptr(arn), Tags: tags("bad#key", "x")})
	if err == nil {
		t.Error("a key with # was accepted")
	}
	_, err = p.TagResource(ctx, &cloudfront.TagResourceRequest{Resource: ptr("arn:aws:cloudfront::111122223333:distribution/E0000000000000"), Tags: tags("a", "b")})
	wantAPIError(t, err, "NoSuchResource", 404)
	_, err = p.ListTagsForResource(ctx, &cloudfront.ListTagsForResourceRequest{Resource: ptr("arn:aws:s3:::bucket")})
	wantAPIError(t, err, "InvalidArgument", 400)

	_, err = p.CreateDistributionWithTags(ctx, &cloudfront.CreateDistributionWithTagsRequest{DistributionConfigWithTags: &cloudfront.DistributionConfigWithTags{
		DistributionConfig: testConfig("bad-tags"), Tags: tags("aws:x", "y"),
	}})
	wantAPIError(t, err, "InvalidTagging", 400)
}
