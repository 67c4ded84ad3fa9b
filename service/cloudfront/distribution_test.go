package cloudfront

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/cairnhq/cairn/api/cloudfront"
	"github.com/cairnhq/cairn/awsproto"
	"github.com/cairnhq/cairn/awsproto/restxml"
)

var (
	reDistID = regexp.MustCompile(`^E[A-Z0-9]{13}$`)
	reDomain = regexp.MustCompile(`^d[a-z0-9]{13}\.cloudfront\.net$`)
	reETag   = regexp.MustCompile(`^E[A-Z0-9]{13}$`)
)

func TestCreateDistribution(t *testing.T) {
	p, clk := newTestProvider(t)
	ctx := ctxFor(testAccount)
	cfg := testConfig("ref-1")
	sent, _ := json.Marshal(cfg)
	out := mustCreate(t, p, ctx, cfg)

	if after, _ := json.Marshal(cfg); string(after) != string(sent) {
		t.Errorf("the request was modified:\n%s\n%s", sent, after)
	}
	d := out.Distribution
	id := deref(d.Id)
	if !reDistID.MatchString(id) {
		t.Errorf("Id = %q", id)
	}
	if !reDomain.MatchString(deref(d.DomainName)) {
		t.Errorf("DomainName = %q", deref(d.DomainName))
	}
	if !reETag.MatchString(deref(out.ETag)) {
		t.Errorf("ETag = %q", deref(out.ETag))
	}
	if got, want := deref(d.ARN), "arn:aws:cloudfront::111122223333:distribution/"+id; got != want {
		t.Errorf("ARN = %q, want %q", got, want)
	}
	if got, want := deref(out.Location), "https://cloudfront.amazonaws.com/2020-05-31/distribution/"+id; got != want {
		t.Errorf("Location = %q, want %q", got, want)
	}
	if deref(d.Status) != "InProgress" || deref(d.InProgressInvalidationBatches) != 0 || !d.LastModifiedTime.Equal(clk.Now()) {
		t.Errorf("Status %q, InProgressInvalidationBatches %d, LastModifiedTime %v", deref(d.Status), deref(d.InProgressInvalidationBatches), d.LastModifiedTime)
	}
	if s := d.ActiveTrustedSigners; s == nil || deref(s.Enabled) || deref(s.Quantity) != 0 {
		t.Errorf("ActiveTrustedSigners = %+v", s)
	}
	if g := d.ActiveTrustedKeyGroups; g == nil || deref(g.Enabled) || deref(g.Quantity) != 0 {
		t.Errorf("ActiveTrustedKeyGroups = %+v", g)
	}
	// Every required member of the output shapes is present.
	if err := (&cloudfront.DistributionConfig{}).Validate(); err == nil {
		t.Fatal("an empty config validates")
	}
	if err := d.DistributionConfig.Validate(); err != nil {
		t.Errorf("returned config does not validate: %v", err)
	}
	c := d.DistributionConfig
	checks := []struct {
		name string
		ok   bool
	}{
		{"Aliases", c.Aliases != nil && deref(c.Aliases.Quantity) == 0},
		{"CacheBehaviors", c.CacheBehaviors != nil && deref(c.CacheBehaviors.Quantity) == 0},
		{"CustomErrorResponses", c.CustomErrorResponses != nil && deref(c.CustomErrorResponses.Quantity) == 0},
		{"OriginGroups", c.OriginGroups != nil && deref(c.OriginGroups.Quantity) == 0},
		{"ViewerCertificate", c.ViewerCertificate != nil && deref(c.ViewerCertificate.CloudFrontDefaultCertificate) &&
			c.ViewerCertificate.CertificateSource == "cloudfront" && c.ViewerCertificate.MinimumProtocolVersion == "TLSv1" && c.ViewerCertificate.SSLSupportMethod == "vip"},
		{"Restrictions", c.Restrictions != nil && c.Restrictions.GeoRestriction.RestrictionType == "none" && deref(c.Restrictions.GeoRestriction.Quantity) == 0},
		{"Logging", c.Logging != nil && !deref(c.Logging.Enabled) && c.Logging.Bucket != nil},
		{"PriceClass", c.PriceClass == "PriceClass_All"},
		{"HttpVersion", c.HttpVersion == "http2"},
		{"WebACLId", c.WebACLId != nil && *c.WebACLId == ""},
		{"DefaultRootObject", c.DefaultRootObject != nil},
		{"Origin defaults", deref(c.Origins.Items[0].ConnectionAttempts) == 3 && deref(c.Origins.Items[0].ConnectionTimeout) == 10 &&
			deref(c.Origins.Items[0].CustomOriginConfig.OriginReadTimeout) == 30 && deref(c.Origins.Items[0].CustomHeaders.Quantity) == 0},
		{"Behavior defaults", deref(c.DefaultCacheBehavior.AllowedMethods.Quantity) == 2 && deref(c.DefaultCacheBehavior.TrustedSigners.Quantity) == 0 &&
			c.DefaultCacheBehavior.TrustedKeyGroups != nil && deref(c.DefaultCacheBehavior.FunctionAssociations.Quantity) == 0 && c.DefaultCacheBehavior.MinTTL == nil},
	}
	for _, ch := range checks {
		if !ch.ok {
			t.Errorf("default %s not filled as AWS does", ch.name)
		}
	}
	rc := awsproto.FromContext(ctx)
	if len(rc.LookupResources) != 1 || rc.LookupResources[0].Type != "AWS::CloudFront::Distribution" || rc.LookupResources[0].Name != deref(d.ARN) {
		t.Errorf("LookupResources = %+v", rc.LookupResources)
	}

	get, err := p.GetDistribution(ctxFor(testAccount), &cloudfront.GetDistributionRequest{Id: ptr(id)})
	if err != nil {
		t.Fatal(err)
	}
	if deref(get.ETag) != deref(out.ETag) || deref(get.Distribution.DomainName) != deref(d.DomainName) {
		t.Errorf("GetDistribution = %+v", get)
	}
}

func TestCreateDistribution_LegacyCacheSettings(t *testing.T) {
	p, _ := newTestProvider(t)
	cfg := testConfig("legacy")
	cfg.DefaultCacheBehavior.CachePolicyId = nil
	cfg.DefaultCacheBehavior.ForwardedValues = &cloudfront.ForwardedValues{QueryString: ptr(false), Cookies: &cloudfront.CookiePreference{Forward: "none"}}
	out := mustCreate(t, p, ctxFor(testAccount), cfg)
	b := out.Distribution.DistributionConfig.DefaultCacheBehavior
	if deref(b.MinTTL) != 0 || deref(b.DefaultTTL) != 86400 || deref(b.MaxTTL) != 31536000 || deref(b.ForwardedValues.Headers.Quantity) != 0 {
		t.Errorf("TTL defaults: %v %v %v", deref(b.MinTTL), deref(b.DefaultTTL), deref(b.MaxTTL))
	}
}

func TestStatusDeploysWithClock(t *testing.T) {
	p, clk := newTestProvider(t)
	ctx := ctxFor(testAccount)
	out := mustCreate(t, p, ctx, testConfig("ref"))
	id := deref(out.Distribution.Id)
	status := func() string {
		g, err := p.GetDistribution(ctx, &cloudfront.GetDistributionRequest{Id: ptr(id)})
		if err != nil {
			t.Fatal(err)
		}
		return deref(g.Distribution.Status)
	}
	clk.Advance(testDelay - 1)
	if s := status(); s != "InProgress" {
		t.Fatalf("before the delay: %s", s)
	}
	clk.Advance(1)
	if s := status(); s != "Deployed" {
		t.Fatalf("after the delay: %s", s)
	}
	cfg := mustGetConfig(t, p, ctx, id)
	cfg.DistributionConfig.Comment = ptr("changed")
	up, err := update(p, ctx, id, cfg.ETag, cfg.DistributionConfig)
	if err != nil {
		t.Fatal(err)
	}
	if deref(up.Distribution.Status) != "InProgress" || status() != "InProgress" {
		t.Fatal("an update did not go back to InProgress")
	}
	clk.Advance(testDelay)
	if s := status(); s != "Deployed" {
		t.Fatalf("after the update's delay: %s", s)
	}
	// The list reports the same status.
	l, err := p.ListDistributions(ctx, &cloudfront.ListDistributionsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if deref(l.DistributionList.Items[0].Status) != "Deployed" {
		t.Errorf("summary Status = %s", deref(l.DistributionList.Items[0].Status))
	}
}

func TestDeployDelayDefaults(t *testing.T) {
	clk := &testClock{}
	if d := (&Provider{Clock: clk}).deployDelay(); d != DefaultDeployDelay {
		t.Errorf("zero DeployDelay = %v", d)
	}
	if d := (&Provider{Clock: clk, DeployDelay: -1}).deployDelay(); d != 0 {
		t.Errorf("negative DeployDelay = %v", d)
	}
}

func TestCallerReferenceIdempotency(t *testing.T) {
	p, _ := newTestProvider(t)
	ctx := ctxFor(testAccount)
	first := mustCreate(t, p, ctx, testConfig("same-ref"))

	again := mustCreate(t, p, ctx, testConfig("same-ref"))
	if deref(again.Distribution.Id) != deref(first.Distribution.Id) || deref(again.ETag) != deref(first.ETag) {
		t.Errorf("identical repeat created %s, want %s", deref(again.Distribution.Id), deref(first.Distribution.Id))
	}

	diff := testConfig("same-ref")
	diff.Comment = ptr("another comment")
	_, err := p.CreateDistribution(ctx, &cloudfront.CreateDistributionRequest{DistributionConfig: diff})
	wantAPIError(t, err, "DistributionAlreadyExists", 409)

	// Another account has its own CallerReferences.
	other := mustCreate(t, p, ctxFor(otherAccount), testConfig("same-ref"))
	if deref(other.Distribution.Id) == deref(first.Distribution.Id) {
		t.Error("another account got the first account's distribution")
	}

	l, err := p.ListDistributions(ctx, &cloudfront.ListDistributionsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	if n := deref(l.DistributionList.Quantity); n != 1 {
		t.Errorf("%d distributions, want 1", n)
	}
}

func TestCallerReferenceReusableAfterDelete(t *testing.T) {
	p, clk := newTestProvider(t)
	ctx := ctxFor(testAccount)
	cfg := testConfig("reuse")
	cfg.Enabled = ptr(false)
	out := mustCreate(t, p, ctx, cfg)
	clk.Advance(testDelay)
	if _, err := p.DeleteDistribution(ctx, &cloudfront.DeleteDistributionRequest{Id: out.Distribution.Id, IfMatch: out.ETag}); err != nil {
		t.Fatal(err)
	}
	again := mustCreate(t, p, ctx, testConfig("reuse"))
	if deref(again.Distribution.Id) == deref(out.Distribution.Id) {
		t.Error("the deleted distribution came back")
	}
}

func TestConcurrentCreateSameCallerReference(t *testing.T) {
	p, _ := newTestProvider(t)
	const n = 16
	ids := make(chan string, n)
	errs := make(chan error, n)
	start := make(chan struct{})
	for range n {
		go func() {
			<-start
			out, err := p.CreateDistribution(ctxFor(testAccount), &cloudfront.CreateDistributionRequest{DistributionConfig: testConfig("race")})
			if err != nil {
				errs <- err
				return
			}
			ids <- deref(out.Distribution.Id)
		}()
	}
	close(start)
	seen := map[string]bool{}
	for range n {
		select {
		case err := <-errs:
			t.Errorf("create: %v", err)
		case id := <-ids:
			seen[id] = true
		}
	}
	if len(seen) != 1 {
		t.Errorf("%d distributions for one CallerReference: %v", len(seen), seen)
	}
}

func TestCreateDistributionValidation(t *testing.T) {
	type mod func(c *cloudfront.DistributionConfig)
	cases := []struct {
		name   string
		mod    mod
		code   string
		status int
	}{
		{"missing comment", func(c *cloudfront.DistributionConfig) { c.Comment = nil }, "MalformedXML", 400},
		{"missing enabled", func(c *cloudfront.DistributionConfig) { c.Enabled = nil }, "MalformedXML", 400},
		{"missing default cache behavior", func(c *cloudfront.DistributionConfig) { c.DefaultCacheBehavior = nil }, "MalformedXML", 400},
		{"empty caller reference", func(c *cloudfront.DistributionConfig) { c.CallerReference = ptr("") }, "InvalidArgument", 400},
		{"no origins", func(c *cloudfront.DistributionConfig) { c.Origins = &cloudfront.Origins{Quantity: ptr(int32(0))} }, "MalformedXML", 400},
		{"empty origin list", func(c *cloudfront.DistributionConfig) {
			c.Origins = &cloudfront.Origins{Quantity: ptr(int32(0)), Items: []cloudfront.Origin{}}
		}, "MalformedXML", 400},
		{"origin quantity mismatch", func(c *cloudfront.DistributionConfig) { c.Origins.Quantity = ptr(int32(2)) }, "InconsistentQuantities", 400},
		{"alias quantity mismatch", func(c *cloudfront.DistributionConfig) {
			c.Aliases = &cloudfront.Aliases{Quantity: ptr(int32(3)), Items: []string{"a.example.com"}}
		}, "InconsistentQuantities", 400},
		{"nested quantity mismatch", func(c *cloudfront.DistributionConfig) {
			c.Origins.Items[0].CustomOriginConfig.OriginSslProtocols = &cloudfront.OriginSslProtocols{Quantity: ptr(int32(2)), Items: []cloudfront.SslProtocol{"TLSv1.2"}}
		}, "InconsistentQuantities", 400},
		{"unknown target origin", func(c *cloudfront.DistributionConfig) { c.DefaultCacheBehavior.TargetOriginId = ptr("nope") }, "NoSuchOrigin", 404},
		{"cache behavior unknown target", func(c *cloudfront.DistributionConfig) {
			c.CacheBehaviors = &cloudfront.CacheBehaviors{Quantity: ptr(int32(1)), Items: []cloudfront.CacheBehavior{{
				PathPattern: ptr("/img/*"), TargetOriginId: ptr("nope"), ViewerProtocolPolicy: "allow-all", CachePolicyId: ptr("x"),
			}}}
		}, "NoSuchOrigin", 404},
		{"duplicate origin id", func(c *cloudfront.DistributionConfig) {
			c.Origins.Items = append(c.Origins.Items, c.Origins.Items[0])
			c.Origins.Quantity = ptr(int32(2))
		}, "InvalidArgument", 400},
		{"origin without type", func(c *cloudfront.DistributionConfig) { c.Origins.Items[0].CustomOriginConfig = nil }, "InvalidOrigin", 400},
		{"empty origin domain", func(c *cloudfront.DistributionConfig) { c.Origins.Items[0].DomainName = ptr("") }, "InvalidArgument", 400},
		{"too many origins", func(c *cloudfront.DistributionConfig) {
			o := c.Origins.Items[0]
			c.Origins.Items = nil
			for i := range 26 {
				o.Id = ptr(fmt.Sprintf("o%d", i))
				c.Origins.Items = append(c.Origins.Items, o)
			}
			c.Origins.Quantity = ptr(int32(26))
			c.DefaultCacheBehavior.TargetOriginId = ptr("o0")
		}, "TooManyOrigins", 400},
		{"no cache settings", func(c *cloudfront.DistributionConfig) { c.DefaultCacheBehavior.CachePolicyId = nil }, "InvalidArgument", 400},
		{"ttl order", func(c *cloudfront.DistributionConfig) {
			c.DefaultCacheBehavior.CachePolicyId = nil
			c.DefaultCacheBehavior.ForwardedValues = &cloudfront.ForwardedValues{QueryString: ptr(false), Cookies: &cloudfront.CookiePreference{Forward: "none"}}
			c.DefaultCacheBehavior.MinTTL, c.DefaultCacheBehavior.DefaultTTL = ptr(int64(100)), ptr(int64(10))
		}, "InvalidTTLOrder", 400},
		{"bad allowed methods", func(c *cloudfront.DistributionConfig) {
			c.DefaultCacheBehavior.AllowedMethods = &cloudfront.AllowedMethods{Quantity: ptr(int32(1)), Items: []cloudfront.Method{"GET"}}
		}, "InvalidArgument", 400},
		{"alias with default certificate", func(c *cloudfront.DistributionConfig) {
			c.Aliases = &cloudfront.Aliases{Quantity: ptr(int32(1)), Items: []string{"www.example.com"}}
		}, "InvalidViewerCertificate", 400},
		{"two certificates", func(c *cloudfront.DistributionConfig) {
			withAliases(c, "www.example.com")
			c.ViewerCertificate.CloudFrontDefaultCertificate = ptr(true)
		}, "InvalidViewerCertificate", 400},
		{"ACM certificate outside us-east-1", func(c *cloudfront.DistributionConfig) {
			withAliases(c, "www.example.com")
			c.ViewerCertificate.ACMCertificateArn = ptr("arn:aws:acm:eu-west-1:111122223333:certificate/abc")
		}, "InvalidViewerCertificate", 400},
		{"invalid CNAME", func(c *cloudfront.DistributionConfig) { withAliases(c, "not a host") }, "InvalidArgument", 400},
		{"single-label CNAME", func(c *cloudfront.DistributionConfig) { withAliases(c, "localhost") }, "InvalidArgument", 400},
		{"duplicate CNAME", func(c *cloudfront.DistributionConfig) { withAliases(c, "a.example.com", "A.example.com") }, "InvalidArgument", 400},
		{"too many CNAMEs", func(c *cloudfront.DistributionConfig) {
			var as []string
			for i := range 101 {
				as = append(as, fmt.Sprintf("h%d.example.com", i))
			}
			withAliases(c, as...)
		}, "TooManyDistributionCNAMEs", 400},
		{"comment too long", func(c *cloudfront.DistributionConfig) { c.Comment = ptr(string(make([]byte, 129))) }, "InvalidArgument", 400},
		{"default root object with slash", func(c *cloudfront.DistributionConfig) { c.DefaultRootObject = ptr("/index.html") }, "InvalidDefaultRootObject", 400},
		{"bad error code", func(c *cloudfront.DistributionConfig) {
			c.CustomErrorResponses = &cloudfront.CustomErrorResponses{Quantity: ptr(int32(1)), Items: []cloudfront.CustomErrorResponse{{ErrorCode: ptr(int32(200))}}}
		}, "InvalidErrorCode", 400},
		{"geo whitelist without locations", func(c *cloudfront.DistributionConfig) {
			c.Restrictions = &cloudfront.Restrictions{GeoRestriction: &cloudfront.GeoRestriction{RestrictionType: "whitelist", Quantity: ptr(int32(0))}}
		}, "InvalidGeoRestrictionParameter", 400},
		{"bad location code", func(c *cloudfront.DistributionConfig) {
			c.Restrictions = &cloudfront.Restrictions{GeoRestriction: &cloudfront.GeoRestriction{RestrictionType: "blacklist", Quantity: ptr(int32(1)), Items: []string{"usa"}}}
		}, "InvalidLocationCode", 400},
		{"unknown origin access control", func(c *cloudfront.DistributionConfig) {
			c.Origins.Items[0].OriginAccessControlId = ptr("E000000000000X")
		}, "InvalidOriginAccessControl", 400},
		{"read timeout", func(c *cloudfront.DistributionConfig) {
			c.Origins.Items[0].CustomOriginConfig.OriginReadTimeout = ptr(int32(500))
		}, "InvalidOriginReadTimeout", 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, _ := newTestProvider(t)
			cfg := testConfig("ref")
			tc.mod(cfg)
			_, err := p.CreateDistribution(ctxFor(testAccount), &cloudfront.CreateDistributionRequest{DistributionConfig: cfg})
			wantAPIError(t, err, tc.code, tc.status)
			// Nothing was created or reserved.
			l, err := p.ListDistributions(ctxFor(testAccount), &cloudfront.ListDistributionsRequest{})
			if err != nil || deref(l.DistributionList.Quantity) != 0 {
				t.Errorf("after a failed create: %v, %+v", err, l)
			}
			mustCreate(t, p, ctxFor(testAccount), testConfig("ref"))
		})
	}
}

func TestValidCNAME(t *testing.T) {
	for s, want := range map[string]bool{
		"www.example.com": true, "*.example.com": true, "a_b.example.com": true, "x-1.example.co.uk": true,
		"example": false, "*.": false, "a..b": false, "-a.example.com": false, "a*.example.com": false, "ex ample.com": false, "": false,
	} {
		if got := validCNAME(s); got != want {
			t.Errorf("validCNAME(%q) = %v", s, got)
		}
	}
}

func TestUpdateDistribution(t *testing.T) {
	p, _ := newTestProvider(t)
	ctx := ctxFor(testAccount)
	out := mustCreate(t, p, ctx, testConfig("upd"))
	id := deref(out.Distribution.Id)
	etag0 := deref(out.ETag)

	cfg := mustGetConfig(t, p, ctx, id)
	if deref(cfg.ETag) != etag0 {
		t.Fatalf("GetDistributionConfig ETag %s, want %s", deref(cfg.ETag), etag0)
	}
	c := cfg.DistributionConfig
	c.Comment = ptr("v2")

	_, err := update(p, ctx, id, nil, c)
	wantAPIError(t, err, "InvalidIfMatchVersion", 400)
	_, err = update(p, ctx, id, ptr(""), c)
	wantAPIError(t, err, "InvalidIfMatchVersion", 400)
	_, err = update(p, ctx, id, ptr("E000WRONGETAG0"), c)
	wantAPIError(t, err, "PreconditionFailed", 412)
	_, err = update(p, ctx, "E0000000000000", ptr(etag0), c)
	wantAPIError(t, err, "NoSuchDistribution", 404)

	up, err := update(p, ctx, id, ptr(etag0), c)
	if err != nil {
		t.Fatal(err)
	}
	etag1 := deref(up.ETag)
	if etag1 == etag0 || !reETag.MatchString(etag1) {
		t.Fatalf("ETag after update %q (before %q)", etag1, etag0)
	}
	if deref(up.Distribution.DistributionConfig.Comment) != "v2" {
		t.Error("update not applied")
	}
	// The old ETag is now stale.
	_, err = update(p, ctx, id, ptr(etag0), c)
	wantAPIError(t, err, "PreconditionFailed", 412)
	// Even an update that changes nothing is a new version.
	up2, err := update(p, ctx, id, ptr(etag1), c)
	if err != nil {
		t.Fatal(err)
	}
	if deref(up2.ETag) == etag1 {
		t.Error("ETag unchanged by an update")
	}
	got := mustGetConfig(t, p, ctx, id)
	if deref(got.ETag) != deref(up2.ETag) || deref(got.DistributionConfig.Comment) != "v2" {
		t.Errorf("GetDistributionConfig after updates: %s %q", deref(got.ETag), deref(got.DistributionConfig.Comment))
	}

	// The CallerReference cannot change; invalid configs are rejected.
	bad := mustGetConfig(t, p, ctx, id)
	bad.DistributionConfig.CallerReference = ptr("other")
	_, err = update(p, ctx, id, bad.ETag, bad.DistributionConfig)
	wantAPIError(t, err, "IllegalUpdate", 400)
	bad = mustGetConfig(t, p, ctx, id)
	bad.DistributionConfig.DefaultCacheBehavior.TargetOriginId = ptr("gone")
	_, err = update(p, ctx, id, bad.ETag, bad.DistributionConfig)
	wantAPIError(t, err, "NoSuchOrigin", 404)
	if e := mustGetConfig(t, p, ctx, id); deref(e.ETag) != deref(up2.ETag) {
		t.Error("a failed update changed the ETag")
	}
}

func TestDeleteDistribution(t *testing.T) {
	p, clk := newTestProvider(t)
	ctx := ctxFor(testAccount)
	out := mustCreate(t, p, ctx, withAliases(testConfig("del"), "www.example.com"))
	id := deref(out.Distribution.Id)

	del := func(ifMatch *string) error {
		_, err := p.DeleteDistribution(ctx, &cloudfront.DeleteDistributionRequest{Id: ptr(id), IfMatch: ifMatch})
		return err
	}
	wantAPIError(t, del(nil), "InvalidIfMatchVersion", 400)
	wantAPIError(t, del(ptr("E000WRONGETAG0")), "PreconditionFailed", 412)
	wantAPIError(t, del(out.ETag), "DistributionNotDisabled", 409)
	clk.Advance(testDelay)
	wantAPIError(t, del(out.ETag), "DistributionNotDisabled", 409)

	// Disable: still not deletable while the change deploys.
	cfg := mustGetConfig(t, p, ctx, id)
	cfg.DistributionConfig.Enabled = ptr(false)
	up, err := update(p, ctx, id, cfg.ETag, cfg.DistributionConfig)
	if err != nil {
		t.Fatal(err)
	}
	wantAPIError(t, del(out.ETag), "PreconditionFailed", 412)
	wantAPIError(t, del(up.ETag), "DistributionNotDisabled", 409)
	clk.Advance(testDelay)
	if err := del(up.ETag); err != nil {
		t.Fatalf("delete of a disabled, deployed distribution: %v", err)
	}
	_, err = p.GetDistribution(ctx, &cloudfront.GetDistributionRequest{Id: ptr(id)})
	wantAPIError(t, err, "NoSuchDistribution", 404)
	wantAPIError(t, del(up.ETag), "NoSuchDistribution", 404)
	// Its alias is free again, for any account.
	mustCreate(t, p, ctxFor(otherAccount), withAliases(testConfig("x"), "www.example.com"))
}

func TestCNAMEUniqueness(t *testing.T) {
	p, _ := newTestProvider(t)
	ctx := ctxFor(testAccount)
	a := mustCreate(t, p, ctx, withAliases(testConfig("a"), "www.example.com", "img.example.com"))

	// Unique across accounts, case-insensitively.
	_, err := p.CreateDistribution(ctxFor(otherAccount), &cloudfront.CreateDistributionRequest{DistributionConfig: withAliases(testConfig("b"), "WWW.example.com")})
	wantAPIError(t, err, "CNAMEAlreadyExists", 409)
	_, err = p.CreateDistribution(ctx, &cloudfront.CreateDistributionRequest{DistributionConfig: withAliases(testConfig("c"), "new.example.com", "img.example.com")})
	wantAPIError(t, err, "CNAMEAlreadyExists", 409)
	// The failed create did not keep new.example.com.
	mustCreate(t, p, ctxFor(otherAccount), withAliases(testConfig("d"), "new.example.com"))

	// An update may keep its own aliases; adding another's fails.
	id := deref(a.Distribution.Id)
	cfg := mustGetConfig(t, p, ctx, id)
	cfg.DistributionConfig.Comment = ptr("keeps aliases")
	up, err := update(p, ctx, id, cfg.ETag, cfg.DistributionConfig)
	if err != nil {
		t.Fatal(err)
	}
	cfg = mustGetConfig(t, p, ctx, id)
	withAliases(cfg.DistributionConfig, "www.example.com", "new.example.com")
	_, err = update(p, ctx, id, up.ETag, cfg.DistributionConfig)
	wantAPIError(t, err, "CNAMEAlreadyExists", 409)

	// Dropping an alias frees it at once.
	cfg = mustGetConfig(t, p, ctx, id)
	withAliases(cfg.DistributionConfig, "www.example.com")
	if _, err := update(p, ctx, id, cfg.ETag, cfg.DistributionConfig); err != nil {
		t.Fatal(err)
	}
	mustCreate(t, p, ctxFor(otherAccount), withAliases(testConfig("e"), "img.example.com"))
}

func TestStaleClaimsAreTakenOver(t *testing.T) {
	p, clk := newTestProvider(t)
	ctx := ctxFor(testAccount)
	// A crashed create left claims for a distribution that was never written.
	ghost := claim{Account: testAccount, ID: "EGHOST00000000", Claimed: clk.Now()}
	for bucket, key := range map[string]string{CNAMEsBucket: encodeKeyPart("www.example.com"), CallerRefsBucket: callerRefKey(testAccount, "crashed")} {
		b, _ := json.Marshal(ghost)
		if _, err := p.Meta.Create(ctx, bucket, key, b); err != nil {
			t.Fatal(err)
		}
	}
	// While recent, the claim may belong to a create in progress.
	_, err := p.CreateDistribution(ctx, &cloudfront.CreateDistributionRequest{DistributionConfig: withAliases(testConfig("new"), "www.example.com")})
	wantAPIError(t, err, "CNAMEAlreadyExists", 409)
	clk.Advance(claimGrace)
	mustCreate(t, p, ctx, withAliases(testConfig("new"), "www.example.com"))
	mustCreate(t, p, ctx, testConfig("crashed"))
}

func TestAccountIsolation(t *testing.T) {
	p, clk := newTestProvider(t)
	mine := ctxFor(testAccount)
	theirs := ctxFor(otherAccount)
	cfg := testConfig("iso")
	cfg.Enabled = ptr(false)
	out := mustCreate(t, p, mine, cfg)
	id, etag := out.Distribution.Id, out.ETag
	clk.Advance(testDelay)

	_, err := p.GetDistribution(theirs, &cloudfront.GetDistributionRequest{Id: id})
	wantAPIError(t, err, "NoSuchDistribution", 404)
	_, err = p.GetDistributionConfig(theirs, &cloudfront.GetDistributionConfigRequest{Id: id})
	wantAPIError(t, err, "NoSuchDistribution", 404)
	_, err = update(p, theirs, *id, etag, testConfig("iso"))
	wantAPIError(t, err, "NoSuchDistribution", 404)
	_, err = p.DeleteDistribution(theirs, &cloudfront.DeleteDistributionRequest{Id: id, IfMatch: etag})
	wantAPIError(t, err, "NoSuchDistribution", 404)
	_, err = p.CreateInvalidation(theirs, &cloudfront.CreateInvalidationRequest{DistributionId: id, InvalidationBatch: batch("r", "/a")})
	wantAPIError(t, err, "NoSuchDistribution", 404)
	_, err = p.ListTagsForResource(theirs, &cloudfront.ListTagsForResourceRequest{Resource: out.Distribution.ARN})
	wantAPIError(t, err, "NoSuchResource", 404)
	l, err := p.ListDistributions(theirs, &cloudfront.ListDistributionsRequest{})
	if err != nil || deref(l.DistributionList.Quantity) != 0 {
		t.Errorf("other account lists %+v, %v", l, err)
	}
	if _, err := p.GetDistribution(mine, &cloudfront.GetDistributionRequest{Id: id}); err != nil {
		t.Errorf("owner cannot read: %v", err)
	}
}

func TestListDistributionsPaging(t *testing.T) {
	p, _ := newTestProvider(t)
	ctx := ctxFor(testAccount)
	var ids []string
	for i := range 7 {
		ids = append(ids, deref(mustCreate(t, p, ctx, testConfig(fmt.Sprintf("ref-%d", i))).Distribution.Id))
	}
	mustCreate(t, p, ctxFor(otherAccount), testConfig("theirs"))

	var got []string
	marker := ""
	for pages := 0; ; pages++ {
		out, err := p.ListDistributions(ctx, &cloudfront.ListDistributionsRequest{Marker: ptr(marker), MaxItems: ptr("3")})
		if err != nil {
			t.Fatal(err)
		}
		l := out.DistributionList
		if deref(l.Marker) != marker || deref(l.MaxItems) != 3 || int(deref(l.Quantity)) != len(l.Items) {
			t.Fatalf("page %+v", l)
		}
		for _, s := range l.Items {
			got = append(got, deref(s.Id))
			if s.Origins == nil || s.DefaultCacheBehavior == nil || s.ViewerCertificate == nil || s.Restrictions == nil || s.WebACLId == nil ||
				s.Aliases == nil || s.CacheBehaviors == nil || s.CustomErrorResponses == nil || s.Staging == nil || s.IsIPV6Enabled == nil ||
				s.HttpVersion == "" || s.PriceClass == "" || s.Comment == nil || s.Enabled == nil || s.LastModifiedTime == nil || s.ARN == nil || s.DomainName == nil {
				t.Fatalf("summary misses required members: %+v", s)
			}
		}
		if !deref(l.IsTruncated) {
			if l.NextMarker != nil {
				t.Error("NextMarker on the last page")
			}
			break
		}
		if deref(l.NextMarker) != got[len(got)-1] {
			t.Fatalf("NextMarker %s, last id %s", deref(l.NextMarker), got[len(got)-1])
		}
		marker = deref(l.NextMarker)
		if pages > 5 {
			t.Fatal("paging does not end")
		}
	}
	if len(got) != len(ids) {
		t.Fatalf("listed %d, want %d", len(got), len(ids))
	}
	for i := 1; i < len(got); i++ {
		if got[i-1] >= got[i] {
			t.Fatalf("not sorted by id: %v", got)
		}
	}
	for _, bad := range []string{"0", "-1", "x"} {
		_, err := p.ListDistributions(ctx, &cloudfront.ListDistributionsRequest{MaxItems: ptr(bad)})
		wantAPIError(t, err, "InvalidArgument", 400)
	}
}

func TestUnimplementedOperations(t *testing.T) {
	p, _ := newTestProvider(t)
	_, err := p.ListCachePolicies(ctxFor(testAccount), &cloudfront.ListCachePoliciesRequest{})
	var e *awsproto.Error
	if !errors.As(err, &e) || e.Status != 400 || e.Code != "UnsupportedOperation" {
		t.Errorf("unimplemented operation: %v", err)
	}
}

// TestListDistributions_WireBody: every summary of a list carries its rest-xml form,
// equal to a fresh encoding of its members, through the InProgress → Deployed change
// and after an update (a stale cached form would show the old status or comment).
func TestListDistributions_WireBody(t *testing.T) {
	p, clk := newTestProvider(t)
	ctx := ctxFor(testAccount)
	var ids []string
	for i := range 3 {
		ids = append(ids, deref(mustCreate(t, p, ctx, testConfig(fmt.Sprintf("ref-%d", i))).Distribution.Id))
	}
	check := func(step, wantStatus, wantComment string) {
		t.Helper()
		out, err := p.ListDistributions(ctx, &cloudfront.ListDistributionsRequest{})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range out.DistributionList.Items {
			if s.WireBody == nil {
				t.Fatalf("%s: %s has no WireBody", step, deref(s.Id))
			}
			fresh := s
			fresh.WireBody = nil
			want, err := restxml.AppendMembers(nil, &fresh)
			if err != nil {
				t.Fatal(err)
			}
			if string(s.WireBody) != string(want) {
				t.Fatalf("%s: %s WireBody\n%s\nwant\n%s", step, deref(s.Id), s.WireBody, want)
			}
			if !strings.Contains(string(s.WireBody), "<Status>"+wantStatus+"</Status>") {
				t.Fatalf("%s: %s WireBody without Status %s", step, deref(s.Id), wantStatus)
			}
			if deref(s.Id) == ids[1] && !strings.Contains(string(s.WireBody), "<Comment>"+wantComment+"</Comment>") {
				t.Fatalf("%s: %s WireBody without Comment %q:\n%s", step, deref(s.Id), wantComment, s.WireBody)
			}
		}
	}
	check("created", "InProgress", "test distribution")
	check("listed again", "InProgress", "test distribution")
	clk.Advance(testDelay)
	check("deployed", "Deployed", "test distribution")
	cfg := mustGetConfig(t, p, ctx, ids[1])
	cfg.DistributionConfig.Comment = ptr("changed")
	if _, err := update(p, ctx, ids[1], cfg.ETag, cfg.DistributionConfig); err != nil {
		t.Fatal(err)
	}
	clk.Advance(testDelay)
	check("updated", "Deployed", "changed")
}
