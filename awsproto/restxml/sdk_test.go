package restxml_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cfsdk "github.com/aws/aws-sdk-go-v2/service/cloudfront"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
	cfapi "github.com/cairnhq/cairn/api/cloudfront"
	"github.com/cairnhq/cairn/awsproto"
	"github.com/cairnhq/cairn/awsproto/rest"
	"github.com/cairnhq/cairn/awsproto/restxml"
)

// distributions is a tiny CloudFront provider: distributions in memory, ETags
// that change on every update, tags by resource ARN.
type distributions struct {
	cfapi.UnimplementedService
	mu    sync.Mutex
	next  int
	dists map[string]*cfapi.Distribution
	etags map[string]string
	tags  map[string][]cfapi.Tag
	// lastList is the last ListDistributions input.
	lastList *cfapi.ListDistributionsRequest
}

var created = time.Date(2025, 1, 2, 3, 4, 5, 678e6, time.UTC)

func (p *distributions) etag() string {
	p.next++
	return fmt.Sprintf("E%dTAG", p.next)
}

func (p *distributions) CreateDistribution(_ context.Context, in *cfapi.CreateDistributionRequest) (*cfapi.CreateDistributionResult, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	id := fmt.Sprintf("EDFDVBD6EX%04d", len(p.dists)+1)
	d := &cfapi.Distribution{
		Id: &id, ARN: aws.String("arn:aws:cloudfront::111122223333:distribution/" + id),
		DomainName: aws.String(strings.ToLower(id) + ".cloudfront.net"), Status: aws.String("InProgress"),
		InProgressInvalidationBatches: aws.Int32(0), LastModifiedTime: awsproto.NewTimestamp(created),
		DistributionConfig: in.DistributionConfig,
	}
	p.dists[id] = d
	p.etags[id] = p.etag()
	return &cfapi.CreateDistributionResult{Distribution: d, ETag: aws.String(p.etags[id]),
		Location: aws.String("https://cloudfront.amazonaws.com/2020-05-31/distribution/" + id)}, nil
}

func (p *distributions) get(id *string) (*cfapi.Distribution, error) {
	d, ok := p.dists[aws.ToString(id)]
	if !ok {
		return nil, cfapi.NewNoSuchDistribution("The specified distribution does not exist.")
	}
	return d, nil
}

// check enforces CloudFront's If-Match rules.
func (p *distributions) check(id, ifMatch *string) error {
	if ifMatch == nil {
		return cfapi.NewInvalidIfMatchVersion("The If-Match version is missing or not valid for the resource.")
	}
	if *ifMatch != p.etags[aws.ToString(id)] {
		return cfapi.NewPreconditionFailed("The precondition given in one or more of the request-header fields evaluated to false.")
	}
	return nil
}

func (p *distributions) GetDistribution(_ context.Context, in *cfapi.GetDistributionRequest) (*cfapi.GetDistributionResult, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	d, err := p.get(in.Id)
	if err != nil {
		return nil, err
	}
	return &cfapi.GetDistributionResult{Distribution: d, ETag: aws.String(p.etags[*d.Id])}, nil
}

func (p *distributions) GetDistributionConfig(_ context.Context, in *cfapi.GetDistributionConfigRequest) (*cfapi.GetDistributionConfigResult, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	d, err := p.get(in.Id)
	if err != nil {
		return nil, err
	}
	return &cfapi.GetDistributionConfigResult{DistributionConfig: d.DistributionConfig, ETag: aws.String(p.etags[*d.Id])}, nil
}

func (p *distributions) UpdateDistribution(_ context.Context, in *cfapi.UpdateDistributionRequest) (*cfapi.UpdateDistributionResult, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	d, err := p.get(in.Id)
	if err != nil {
		return nil, err
	}
	if err := p.check(in.Id, in.IfMatch); err != nil {
		return nil, err
	}
	d.DistributionConfig = in.DistributionConfig
	p.etags[*d.Id] = p.etag()
	return &cfapi.UpdateDistributionResult{Distribution: d, ETag: aws.String(p.etags[*d.Id])}, nil
}

func (p *distributions) DeleteDistribution(_ context.Context, in *cfapi.DeleteDistributionRequest) (*cfapi.DeleteDistributionOutput, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, err := p.get(in.Id); err != nil {
		return nil, err
	}
	if err := p.check(in.Id, in.IfMatch); err != nil {
		return nil, err
	}
	delete(p.dists, *in.Id)
	return nil, nil
}

func (p *distributions) ListDistributions(_ context.Context, in *cfapi.ListDistributionsRequest) (*cfapi.ListDistributionsResult, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.lastList = in
	max, _ := strconv.Atoi(aws.ToString(in.MaxItems))
	var items []cfapi.DistributionSummary
	for id, d := range p.dists {
		items = append(items, cfapi.DistributionSummary{Id: aws.String(id), ARN: d.ARN, DomainName: d.DomainName,
			Status: d.Status, Enabled: d.DistributionConfig.Enabled, LastModifiedTime: d.LastModifiedTime})
	}
	return &cfapi.ListDistributionsResult{DistributionList: &cfapi.DistributionList{
		Marker: aws.String(aws.ToString(in.Marker)), MaxItems: aws.Int32(int32(max)), IsTruncated: aws.Bool(false),
		Quantity: aws.Int32(int32(len(items))), Items: items,
	}}, nil
}

func (p *distributions) TagResource(_ context.Context, in *cfapi.TagResourceRequest) (*cfapi.TagResourceOutput, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.tags[*in.Resource] = append(p.tags[*in.Resource], in.Tags.Items...)
	return nil, nil
}

func (p *distributions) ListTagsForResource(_ context.Context, in *cfapi.ListTagsForResourceRequest) (*cfapi.ListTagsForResourceResult, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return &cfapi.ListTagsForResourceResult{Tags: &cfapi.Tags{Items: p.tags[*in.Resource]}}, nil
}

// exchange is one request and response as seen on the wire.
type exchange struct {
	method, uri string
	header      http.Header
	body        []byte
	status      int
}

// cloudFrontServer serves svc with the rest-xml codec alone (no gateway, no
// signature check), recording every exchange.
func cloudFrontServer(t *testing.T, svc cfapi.Service) (*httptest.Server, func() []exchange) {
	t.Helper()
	router := rest.MustNewRouter(cfapi.Operations)
	var mu sync.Mutex
	var log []exchange
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		n++
		rid := fmt.Sprintf("req-%d", n)
		mu.Unlock()
		rec := httptest.NewRecorder()
		serve(rec, r, body, rid, router, svc)
		mu.Lock()
		log = append(log, exchange{method: r.Method, uri: r.URL.RequestURI(), header: r.Header, body: body, status: rec.Code})
		mu.Unlock()
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
	}))
	t.Cleanup(srv.Close)
	return srv, func() []exchange {
		mu.Lock()
		defer mu.Unlock()
		return append([]exchange(nil), log...)
	}
}

func serve(w http.ResponseWriter, r *http.Request, body []byte, rid string, router *rest.Router, svc cfapi.Service) {
	m, ok := router.Route(r)
	if !ok {
		restxml.WriteError(w, rid, cfapi.XMLNamespace, restxml.UnknownOperation(r.Method, r.URL.Path))
		return
	}
	in, _ := cfapi.NewInput(m.Operation.Name)
	if err := restxml.Decode(r, body, m.Operation, m.Labels, in); err != nil {
		restxml.WriteError(w, rid, cfapi.XMLNamespace, awsproto.AsError(err))
		return
	}
	if err := in.Validate(); err != nil {
		restxml.WriteError(w, rid, cfapi.XMLNamespace, cfapi.NewInvalidArgument("%s", err.Error()))
		return
	}
	out, err := cfapi.Invoke(r.Context(), svc, m.Operation.Name, in)
	if err != nil {
		restxml.WriteError(w, rid, cfapi.XMLNamespace, awsproto.AsError(err))
		return
	}
	restxml.WriteResponse(w, rid, m.Operation, cfapi.XMLNamespace, out)
}

func cloudFrontClient(url string) *cfsdk.Client {
	return cfsdk.NewFromConfig(aws.Config{
		Region: "us-east-1", BaseEndpoint: aws.String(url), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
	})
}

func distributionConfig(ref, comment string) *cftypes.DistributionConfig {
	return &cftypes.DistributionConfig{
		CallerReference: aws.String(ref), Comment: aws.String(comment), Enabled: aws.Bool(true),
		Aliases: &cftypes.Aliases{Quantity: aws.Int32(2), Items: []string{"a.example.com", "b.example.com"}},
		Origins: &cftypes.Origins{Quantity: aws.Int32(1), Items: []cftypes.Origin{{
			Id: aws.String("s3"), DomainName: aws.String("bucket.s3.amazonaws.com"),
			S3OriginConfig: &cftypes.S3OriginConfig{OriginAccessIdentity: aws.String("")},
		}}},
		DefaultCacheBehavior: &cftypes.DefaultCacheBehavior{
			TargetOriginId: aws.String("s3"), ViewerProtocolPolicy: cftypes.ViewerProtocolPolicyRedirectToHttps,
			CachePolicyId: aws.String("658327ea-f89d-4fab-a63d-7e88639e58f6"), Compress: aws.Bool(true),
		},
		PriceClass: cftypes.PriceClassPriceClass100,
	}
}

func TestSDK_CloudFront(t *testing.T) {
	t.Parallel()
	p := &distributions{dists: map[string]*cfapi.Distribution{}, etags: map[string]string{}, tags: map[string][]cfapi.Tag{}}
	srv, exchanges := cloudFrontServer(t, p)
	c := cloudFrontClient(srv.URL)
	ctx := context.Background()
	last := func() exchange { x := exchanges(); return x[len(x)-1] }

	// CreateDistribution: 201, ETag and Location headers, the payload round trips.
	created, err := c.CreateDistribution(ctx, &cfsdk.CreateDistributionInput{DistributionConfig: distributionConfig("ref-1", "first & <best>")})
	if err != nil {
		t.Fatal(err)
	}
	x := last()
	if x.method != "POST" || x.uri != "/2020-05-31/distribution" || x.status != http.StatusCreated {
		t.Fatalf("CreateDistribution went as %s %s -> %d", x.method, x.uri, x.status)
	}
	if !bytes.Contains(x.body, []byte(`<DistributionConfig xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">`)) {
		t.Fatalf("the SDK's body is not what the table expects: %s", x.body)
	}
	id := aws.ToString(created.Distribution.Id)
	if aws.ToString(created.ETag) != "E1TAG" || aws.ToString(created.Location) != "https://cloudfront.amazonaws.com/2020-05-31/distribution/"+id {
		t.Fatalf("headers: ETag %q Location %q", aws.ToString(created.ETag), aws.ToString(created.Location))
	}
	if rid, _ := awsmiddleware.GetRequestIDMetadata(created.ResultMetadata); rid != "req-1" {
		t.Fatalf("request id %q, want req-1", rid)
	}
	d := created.Distribution
	if !d.LastModifiedTime.Equal(time.Date(2025, 1, 2, 3, 4, 5, 678e6, time.UTC)) || aws.ToString(d.Status) != "InProgress" ||
		aws.ToInt32(d.InProgressInvalidationBatches) != 0 {
		t.Fatalf("distribution %+v", d)
	}
	cfg := d.DistributionConfig
	if aws.ToString(cfg.Comment) != "first & <best>" || !aws.ToBool(cfg.Enabled) || cfg.PriceClass != cftypes.PriceClassPriceClass100 ||
		len(cfg.Aliases.Items) != 2 || cfg.Aliases.Items[1] != "b.example.com" ||
		aws.ToString(cfg.Origins.Items[0].DomainName) != "bucket.s3.amazonaws.com" ||
		cfg.Origins.Items[0].S3OriginConfig == nil ||
		cfg.DefaultCacheBehavior.ViewerProtocolPolicy != cftypes.ViewerProtocolPolicyRedirectToHttps {
		t.Fatalf("config did not round trip: %+v", cfg)
	}

	// GetDistributionConfig: the payload's root is DistributionConfig.
	got, err := c.GetDistributionConfig(ctx, &cfsdk.GetDistributionConfigInput{Id: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.ETag) != "E1TAG" || aws.ToString(got.DistributionConfig.CallerReference) != "ref-1" ||
		aws.ToInt32(got.DistributionConfig.Aliases.Quantity) != 2 {
		t.Fatalf("GetDistributionConfig: %+v", got)
	}
	if x := last(); x.uri != "/2020-05-31/distribution/"+id+"/config" {
		t.Fatalf("GetDistributionConfig went to %s", x.uri)
	}

	// UpdateDistribution: If-Match is bound from the header.
	update := distributionConfig("ref-1", "second")
	_, err = c.UpdateDistribution(ctx, &cfsdk.UpdateDistributionInput{Id: aws.String(id), IfMatch: aws.String("stale"), DistributionConfig: update})
	var pf *cftypes.PreconditionFailed
	if !errors.As(err, &pf) {
		t.Fatalf("UpdateDistribution with a stale If-Match: %v, want *types.PreconditionFailed", err)
	}
	var re *awshttp.ResponseError
	if !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusPreconditionFailed || re.ServiceRequestID() == "" {
		t.Fatalf("PreconditionFailed response: %v", err)
	}
	if !strings.Contains(pf.ErrorMessage(), "precondition") {
		t.Fatalf("message %q", pf.ErrorMessage())
	}
	if h := last().header.Get("If-Match"); h != "stale" {
		t.Fatalf("the SDK sent If-Match %q", h)
	}
	_, err = c.UpdateDistribution(ctx, &cfsdk.UpdateDistributionInput{Id: aws.String(id), DistributionConfig: update})
	var iv *cftypes.InvalidIfMatchVersion
	if !errors.As(err, &iv) {
		t.Fatalf("UpdateDistribution without If-Match: %v, want *types.InvalidIfMatchVersion", err)
	}
	updated, err := c.UpdateDistribution(ctx, &cfsdk.UpdateDistributionInput{Id: aws.String(id), IfMatch: aws.String("E1TAG"), DistributionConfig: update})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(updated.ETag) != "E2TAG" || aws.ToString(updated.Distribution.DistributionConfig.Comment) != "second" {
		t.Fatalf("UpdateDistribution: ETag %q comment %q", aws.ToString(updated.ETag), aws.ToString(updated.Distribution.DistributionConfig.Comment))
	}

	// ListDistributions: Marker and MaxItems come from the query string.
	list, err := c.ListDistributions(ctx, &cfsdk.ListDistributionsInput{Marker: aws.String("m-0"), MaxItems: aws.Int32(5)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(p.lastList.Marker) != "m-0" || aws.ToString(p.lastList.MaxItems) != "5" {
		t.Fatalf("provider saw Marker %v MaxItems %v", p.lastList.Marker, p.lastList.MaxItems)
	}
	dl := list.DistributionList
	if aws.ToInt32(dl.Quantity) != 1 || len(dl.Items) != 1 || aws.ToString(dl.Items[0].Id) != id || aws.ToInt32(dl.MaxItems) != 5 || aws.ToString(dl.Marker) != "m-0" {
		t.Fatalf("ListDistributions: %+v", dl)
	}

	// TagResource: POST ?Operation=Tag with the Resource in the query, 204.
	arn := aws.ToString(d.ARN)
	_, err = c.TagResource(ctx, &cfsdk.TagResourceInput{Resource: aws.String(arn),
		Tags: &cftypes.Tags{Items: []cftypes.Tag{{Key: aws.String("team"), Value: aws.String("edge")}}}})
	if err != nil {
		t.Fatal(err)
	}
	if x := last(); x.status != http.StatusNoContent || !strings.Contains(x.uri, "Operation=Tag") {
		t.Fatalf("TagResource went as %s -> %d", x.uri, x.status)
	}
	tags, err := c.ListTagsForResource(ctx, &cfsdk.ListTagsForResourceInput{Resource: aws.String(arn)})
	if err != nil {
		t.Fatal(err)
	}
	if len(tags.Tags.Items) != 1 || aws.ToString(tags.Tags.Items[0].Value) != "edge" {
		t.Fatalf("tags %+v", tags.Tags)
	}

	// DeleteDistribution: 204, then the distribution is gone.
	if _, err := c.DeleteDistribution(ctx, &cfsdk.DeleteDistributionInput{Id: aws.String(id), IfMatch: aws.String("E2TAG")}); err != nil {
		t.Fatal(err)
	}
	if x := last(); x.method != "DELETE" || x.status != http.StatusNoContent {
		t.Fatalf("DeleteDistribution went as %s -> %d", x.method, x.status)
	}
	_, err = c.GetDistribution(ctx, &cfsdk.GetDistributionInput{Id: aws.String(id)})
	var nsd *cftypes.NoSuchDistribution
	if !errors.As(err, &nsd) {
		t.Fatalf("GetDistribution after delete: %v, want *types.NoSuchDistribution", err)
	}
	if !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusNotFound {
		t.Fatalf("NoSuchDistribution status: %v", err)
	}
}

// TestSDK_CloudFrontErrors checks that an operation the provider lacks reaches the
// SDK as the generated unimplemented error.
func TestSDK_CloudFrontErrors(t *testing.T) {
	t.Parallel()
	p := &distributions{dists: map[string]*cfapi.Distribution{}, etags: map[string]string{}, tags: map[string][]cfapi.Tag{}}
	srv, _ := cloudFrontServer(t, p)
	c := cloudFrontClient(srv.URL)
	_, err := c.GetInvalidation(context.Background(), &cfsdk.GetInvalidationInput{DistributionId: aws.String("E1"), Id: aws.String("I1")})
	var re *awshttp.ResponseError
	if !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusBadRequest || !strings.Contains(err.Error(), "UnsupportedOperation") {
		t.Fatalf("unimplemented operation: %v", err)
	}
}
