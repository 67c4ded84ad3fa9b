package cloudfront

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/cairnhq/cairn/api/cloudfront"
)

func batch(ref string, paths ...string) *cloudfront.InvalidationBatch {
	return &cloudfront.InvalidationBatch{CallerReference: ptr(ref), Paths: &cloudfront.Paths{Quantity: ptr(int32(len(paths))), Items: paths}}
}

var reInvalidationID = regexp.MustCompile(`^I[A-Z0-9]{13}$`)

func TestInvalidations(t *testing.T) {
	p, clk := newTestProvider(t)
	ctx := ctxFor(testAccount)
	d := mustCreate(t, p, ctx, testConfig("inv"))
	id := d.Distribution.Id

	out, err := p.CreateInvalidation(ctx, &cloudfront.CreateInvalidationRequest{DistributionId: id, InvalidationBatch: batch("b1", "/index.html", "/img/*")})
	if err != nil {
		t.Fatal(err)
	}
	inv := out.Invalidation
	if !reInvalidationID.MatchString(deref(inv.Id)) || deref(inv.Status) != "InProgress" || !inv.CreateTime.Equal(clk.Now()) {
		t.Fatalf("invalidation %+v", inv)
	}
	if want := "https://cloudfront.amazonaws.com/2020-05-31/distribution/" + *id + "/invalidation/" + *inv.Id; deref(out.Location) != want {
		t.Errorf("Location %s", deref(out.Location))
	}
	if deref(inv.InvalidationBatch.Paths.Quantity) != 2 || deref(inv.InvalidationBatch.CallerReference) != "b1" {
		t.Errorf("batch %+v", inv.InvalidationBatch)
	}
	g, err := p.GetDistribution(ctx, &cloudfront.GetDistributionRequest{Id: id})
	if err != nil || deref(g.Distribution.InProgressInvalidationBatches) != 1 {
		t.Fatalf("InProgressInvalidationBatches = %d, %v", deref(g.Distribution.InProgressInvalidationBatches), err)
	}
	// An invalidation does not change the distribution's ETag.
	if deref(g.ETag) != deref(d.ETag) {
		t.Error("ETag changed by an invalidation")
	}

	// Same CallerReference and paths: the same invalidation; other paths: an error.
	again, err := p.CreateInvalidation(ctx, &cloudfront.CreateInvalidationRequest{DistributionId: id, InvalidationBatch: batch("b1", "/index.html", "/img/*")})
	if err != nil || deref(again.Invalidation.Id) != deref(inv.Id) {
		t.Fatalf("repeat: %v, %v", again, err)
	}
	_, err = p.CreateInvalidation(ctx, &cloudfront.CreateInvalidationRequest{DistributionId: id, InvalidationBatch: batch("b1", "/other")})
	wantAPIError(t, err, "InvalidationBatchAlreadyExists", 409)

	clk.Advance(testDelay)
	got, err := p.GetInvalidation(ctx, &cloudfront.GetInvalidationRequest{DistributionId: id, Id: inv.Id})
	if err != nil || deref(got.Invalidation.Status) != "Completed" {
		t.Fatalf("after the delay: %+v, %v", got, err)
	}
	g, _ = p.GetDistribution(ctx, &cloudfront.GetDistributionRequest{Id: id})
	if n := deref(g.Distribution.InProgressInvalidationBatches); n != 0 {
		t.Errorf("InProgressInvalidationBatches = %d after completion", n)
	}

	_, err = p.GetInvalidation(ctx, &cloudfront.GetInvalidationRequest{DistributionId: id, Id: ptr("I0000000000000")})
	wantAPIError(t, err, "NoSuchInvalidation", 404)
	_, err = p.GetInvalidation(ctx, &cloudfront.GetInvalidationRequest{DistributionId: ptr("E0000000000000"), Id: inv.Id})
	wantAPIError(t, err, "NoSuchDistribution", 404)
	_, err = p.CreateInvalidation(ctx, &cloudfront.CreateInvalidationRequest{DistributionId: ptr("E0000000000000"), InvalidationBatch: batch("x", "/a")})
	wantAPIError(t, err, "NoSuchDistribution", 404)
}

func TestInvalidationValidation(t *testing.T) {
	p, _ := newTestProvider(t)
	ctx := ctxFor(testAccount)
	id := mustCreate(t, p, ctx, testConfig("inv")).Distribution.Id
	many := make([]string, 3001)
	for i := range many {
		many[i] = fmt.Sprintf("/p%d", i)
	}
	wild := make([]string, 16)
	for i := range wild {
		wild[i] = fmt.Sprintf("/w%d/*", i)
	}
	cases := []struct {
		name   string
		b      *cloudfront.InvalidationBatch
		code   string
		status int
	}{
		{"quantity mismatch", &cloudfront.InvalidationBatch{CallerReference: ptr("r"), Paths: &cloudfront.Paths{Quantity: ptr(int32(2)), Items: []string{"/a"}}}, "InconsistentQuantities", 400},
		{"no paths", batch("r"), "InvalidArgument", 400},
		{"relative path", batch("r", "index.html"), "InvalidArgument", 400},
		{"too many paths", batch("r", many...), "BatchTooLarge", 413},
		{"too many wildcards", batch("r", wild...), "TooManyInvalidationsInProgress", 400},
		{"no caller reference", &cloudfront.InvalidationBatch{Paths: &cloudfront.Paths{Quantity: ptr(int32(1)), Items: []string{"/a"}}}, "MalformedXML", 400},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := p.CreateInvalidation(ctx, &cloudfront.CreateInvalidationRequest{DistributionId: id, InvalidationBatch: tc.b})
			wantAPIError(t, err, tc.code, tc.status)
		})
	}
	// Wildcards in progress add up across batches.
	for i := range 15 {
		if _, err := p.CreateInvalidation(ctx, &cloudfront.CreateInvalidationRequest{DistributionId: id, InvalidationBatch: batch(fmt.Sprint("w", i), fmt.Sprintf("/x%d*", i))}); err != nil {
			t.Fatal(err)
		}
	}
	_, err := p.CreateInvalidation(ctx, &cloudfront.CreateInvalidationRequest{DistributionId: id, InvalidationBatch: batch("w-last", "/y*")})
	wantAPIError(t, err, "TooManyInvalidationsInProgress", 400)
}

func TestListInvalidations(t *testing.T) {
	p, clk := newTestProvider(t)
	ctx := ctxFor(testAccount)
	id := mustCreate(t, p, ctx, testConfig("inv")).Distribution.Id
	var created []string
	for i := range 5 {
		out, err := p.CreateInvalidation(ctx, &cloudfront.CreateInvalidationRequest{DistributionId: id, InvalidationBatch: batch(fmt.Sprint("r", i), "/a")})
		if err != nil {
			t.Fatal(err)
		}
		created = append(created, deref(out.Invalidation.Id))
		clk.Advance(1e9)
	}
	var got []string
	marker := ""
	for {
		out, err := p.ListInvalidations(ctx, &cloudfront.ListInvalidationsRequest{DistributionId: id, Marker: ptr(marker), MaxItems: ptr("2")})
		if err != nil {
			t.Fatal(err)
		}
		l := out.InvalidationList
		for _, s := range l.Items {
			if s.CreateTime == nil || s.Status == nil {
				t.Fatalf("summary %+v", s)
			}
			got = append(got, deref(s.Id))
		}
		if !deref(l.IsTruncated) {
			break
		}
		marker = deref(l.NextMarker)
	}
	if len(got) != 5 {
		t.Fatalf("listed %v", got)
	}
	for i := range got { // newest first
		if got[i] != created[len(created)-1-i] {
			t.Fatalf("order %v, created %v", got, created)
		}
	}
	_, err := p.ListInvalidations(ctx, &cloudfront.ListInvalidationsRequest{DistributionId: ptr("E0000000000000")})
	wantAPIError(t, err, "NoSuchDistribution", 404)
}
