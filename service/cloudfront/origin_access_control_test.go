package cloudfront

import (
	"fmt"
	"testing"

	"github.com/cairnhq/cairn/api/cloudfront"
	"github.com/cairnhq/cairn/awsproto"
)

func oacConfig(name string) *cloudfront.OriginAccessControlConfig {
	return &cloudfront.OriginAccessControlConfig{Name: ptr(name), OriginAccessControlOriginType: "s3", SigningBehavior: "always", SigningProtocol: "sigv4"}
}

func TestOriginAccessControls(t *testing.T) {
	p, _ := newTestProvider(t)
	ctx := ctxFor(testAccount)
	out, err := p.CreateOriginAccessControl(ctx, &cloudfront.CreateOriginAccessControlRequest{OriginAccessControlConfig: oacConfig("oac-1")})
	if err != nil {
		t.Fatal(err)
	}
	id := deref(out.OriginAccessControl.Id)
	if !reDistID.MatchString(id) || !reETag.MatchString(deref(out.ETag)) ||
		deref(out.Location) != "https://cloudfront.amazonaws.com/2020-05-31/origin-access-control/"+id {
		t.Fatalf("create: %s %s %s", id, deref(out.ETag), deref(out.Location))
	}
	if d := out.OriginAccessControl.OriginAccessControlConfig.Description; d == nil || *d != "" {
		t.Error("Description not filled")
	}
	rc := awsproto.FromContext(ctx)
	if len(rc.LookupResources) != 1 || rc.LookupResources[0].Name != "arn:aws:cloudfront::111122223333:origin-access-control/"+id {
		t.Errorf("LookupResources %+v", rc.LookupResources)
	}

	_, err = p.CreateOriginAccessControl(ctx, &cloudfront.CreateOriginAccessControlRequest{OriginAccessControlConfig: oacConfig("oac-1")})
	wantAPIError(t, err, "OriginAccessControlAlreadyExists", 409)
	// Names are per account.
	if _, err := p.CreateOriginAccessControl(ctxFor(otherAccount), &cloudfront.CreateOriginAccessControlRequest{OriginAccessControlConfig: oacConfig("oac-1")}); err != nil {
		t.Fatal(err)
	}

	g, err := p.GetOriginAccessControl(ctx, &cloudfront.GetOriginAccessControlRequest{Id: ptr(id)})
	if err != nil || deref(g.ETag) != deref(out.ETag) {
		t.Fatalf("get: %+v %v", g, err)
	}
	gc, err := p.GetOriginAccessControlConfig(ctx, &cloudfront.GetOriginAccessControlConfigRequest{Id: ptr(id)})
	if err != nil || deref(gc.OriginAccessControlConfig.Name) != "oac-1" {
		t.Fatalf("get config: %+v %v", gc, err)
	}
	_, err = p.GetOriginAccessControl(ctxFor(otherAccount), &cloudfront.GetOriginAccessControlRequest{Id: ptr(id)})
	wantAPIError(t, err, "NoSuchOriginAccessControl", 404)

	// Update: If-Match rules, rename, name conflicts.
	second, err := p.CreateOriginAccessControl(ctx, &cloudfront.CreateOriginAccessControlRequest{OriginAccessControlConfig: oacConfig("oac-2")})
	if err != nil {
		t.Fatal(err)
	}
	upd := func(ifMatch *string, cfg *cloudfront.OriginAccessControlConfig) (*cloudfront.UpdateOriginAccessControlResult, error) {
		return p.UpdateOriginAccessControl(ctx, &cloudfront.UpdateOriginAccessControlRequest{Id: ptr(id), IfMatch: ifMatch, OriginAccessControlConfig: cfg})
	}
	_, err = upd(nil, oacConfig("renamed"))
	wantAPIError(t, err, "InvalidIfMatchVersion", 400)
	_, err = upd(ptr("E000WRONGETAG0"), oacConfig("renamed"))
	wantAPIError(t, err, "PreconditionFailed", 412)
	_, err = upd(out.ETag, oacConfig("oac-2"))
	wantAPIError(t, err, "OriginAccessControlAlreadyExists", 409)
	u, err := upd(out.ETag, oacConfig("renamed"))
	if err != nil {
		t.Fatal(err)
	}
	if deref(u.ETag) == deref(out.ETag) {
		t.Error("ETag not rotated")
	}
	// The old name is free again.
	if _, err := p.CreateOriginAccessControl(ctx, &cloudfront.CreateOriginAccessControlRequest{OriginAccessControlConfig: oacConfig("oac-1")}); err != nil {
		t.Fatalf("old name not released: %v", err)
	}

	// A distribution using it blocks the delete.
	dcfg := testConfig("with-oac")
	dcfg.Origins.Items[0] = cloudfront.Origin{Id: ptr("origin-1"), DomainName: ptr("bucket.s3.us-east-1.amazonaws.com"),
		S3OriginConfig: &cloudfront.S3OriginConfig{OriginAccessIdentity: ptr("")}, OriginAccessControlId: ptr(id)}
	mustCreate(t, p, ctx, dcfg)
	del := func(id string, ifMatch *string) error {
		_, err := p.DeleteOriginAccessControl(ctx, &cloudfront.DeleteOriginAccessControlRequest{Id: ptr(id), IfMatch: ifMatch})
		return err
	}
	wantAPIError(t, del(id, nil), "InvalidIfMatchVersion", 400)
	wantAPIError(t, del(id, out.ETag), "PreconditionFailed", 412)
	wantAPIError(t, del(id, u.ETag), "OriginAccessControlInUse", 409)
	if err := del(deref(second.OriginAccessControl.Id), second.ETag); err != nil {
		t.Fatal(err)
	}
	wantAPIError(t, del(deref(second.OriginAccessControl.Id), second.ETag), "NoSuchOriginAccessControl", 404)

	l, err := p.ListOriginAccessControls(ctx, &cloudfront.ListOriginAccessControlsRequest{MaxItems: ptr("1")})
	if err != nil {
		t.Fatal(err)
	}
	if deref(l.OriginAccessControlList.Quantity) != 1 || !deref(l.OriginAccessControlList.IsTruncated) {
		t.Fatalf("list page %+v", l.OriginAccessControlList)
	}
	l2, err := p.ListOriginAccessControls(ctx, &cloudfront.ListOriginAccessControlsRequest{Marker: l.OriginAccessControlList.NextMarker})
	if err != nil || deref(l2.OriginAccessControlList.Quantity) != 1 || deref(l2.OriginAccessControlList.IsTruncated) {
		t.Fatalf("second page %+v %v", l2, err)
	}
	s := l2.OriginAccessControlList.Items[0]
	if s.Description == nil || s.Name == nil || s.SigningProtocol == "" || s.SigningBehavior == "" || s.OriginAccessControlOriginType == "" {
		t.Errorf("summary %+v", s)
	}
}

func TestOriginAccessControlValidation(t *testing.T) {
	p, _ := newTestProvider(t)
	p.MaxOriginAccessControls = 2
	ctx := ctxFor(testAccount)
	bad := oacConfig("x")
	bad.SigningProtocol = "sigv2"
	_, err := p.CreateOriginAccessControl(ctx, &cloudfront.CreateOriginAccessControlRequest{OriginAccessControlConfig: bad})
	wantAPIError(t, err, "MalformedXML", 400)
	_, err = p.CreateOriginAccessControl(ctx, &cloudfront.CreateOriginAccessControlRequest{OriginAccessControlConfig: oacConfig(string(make([]byte, 65)))})
	if err == nil {
		t.Error("a 65-character name was accepted")
	}
	for i := range 2 {
		if _, err := p.CreateOriginAccessControl(ctx, &cloudfront.CreateOriginAccessControlRequest{OriginAccessControlConfig: oacConfig(fmt.Sprint("n", i))}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = p.CreateOriginAccessControl(ctx, &cloudfront.CreateOriginAccessControlRequest{OriginAccessControlConfig: oacConfig("n3")})
	wantAPIError(t, err, "TooManyOriginAccessControls", 400)
}
