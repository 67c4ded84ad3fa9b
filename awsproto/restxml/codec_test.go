package restxml_test

import (
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cfapi "github.com/cairnhq/cairn/api/cloudfront"
	"github.com/cairnhq/cairn/awsproto"
	"github.com/cairnhq/cairn/awsproto/restxml"
)

const ns = "http://cloudfront.amazonaws.com/doc/2020-05-31/"

func decode(t *testing.T, op, method, target, body string) (any, error) {
	t.Helper()
	in, ok := cfapi.NewInput(op)
	if !ok {
		t.Fatalf("no operation %s", op)
	}
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	return in, restxml.Decode(r, []byte(body), cfapi.Operations[op], map[string]string{"Id": "E1"}, in)
}

func TestDecode(t *testing.T) {
	t.Parallel()
	body := `<?xml version="1.0" encoding="UTF-8"?>
<!-- a comment -->
<DistributionConfig xmlns="` + ns + `">
  <CallerReference>ref</CallerReference>
  <Aliases><Quantity>2</Quantity><Items><CNAME>a.example</CNAME><CNAME>b.example</CNAME></Items></Aliases>
  <Unknown><Deep>ignored</Deep></Unknown>
  <Enabled>true</Enabled>
  <PriceClass>PriceClass_All</PriceClass>
  <Comment>x &amp; y</Comment>
</DistributionConfig>
`
	in, err := decode(t, "UpdateDistribution", "PUT", "/2020-05-31/distribution/E1/config", body)
	if err != nil {
		t.Fatal(err)
	}
	got := in.(*cfapi.UpdateDistributionRequest)
	want := &cfapi.UpdateDistributionRequest{Id: aws.String("E1"), DistributionConfig: &cfapi.DistributionConfig{
		CallerReference: aws.String("ref"), Comment: aws.String("x & y"), Enabled: aws.Bool(true),
		PriceClass: cfapi.PriceClassPriceClassAll,
		Aliases:    &cfapi.Aliases{Quantity: aws.Int32(2), Items: []string{"a.example", "b.example"}},
	}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("decoded\n%+v\nwant\n%+v", got.DistributionConfig, want.DistributionConfig)
	}
}

func TestDecode_UnboundMembers(t *testing.T) {
	t.Parallel()
	// No payload member: the body's root is the input's locationName and holds the
	// members not bound elsewhere; blobs are base64.
	body := `<CreateFunctionRequest xmlns="` + ns + `"><Name>f1</Name><FunctionCode>ZnVuY3Rpb24gaCgpIHt9</FunctionCode>` +
		`<FunctionConfig><Comment>c</Comment><Runtime>cloudfront-js-2.0</Runtime></FunctionConfig></CreateFunctionRequest>`
	in, err := decode(t, "CreateFunction", "POST", "/2020-05-31/function", body)
	if err != nil {
		t.Fatal(err)
	}
	got := in.(*cfapi.CreateFunctionRequest)
	if aws.ToString(got.Name) != "f1" || string(got.FunctionCode) != "function h() {}" || got.FunctionConfig.Runtime != "cloudfront-js-2.0" {
		t.Fatalf("decoded %+v", got)
	}
}

func TestDecode_Errors(t *testing.T) {
	t.Parallel()
	big := `<DistributionConfig xmlns="` + ns + `"><Comment>` + strings.Repeat("x", restxml.DefaultMaxBodyBytes) + `</Comment></DistributionConfig>`
	for _, c := range []struct {
		name, op, target, body, code string
		status                       int
	}{
		{"not xml", "CreateDistribution", "/2020-05-31/distribution", `{"json":true}`, "MalformedXML", 400},
		{"unclosed", "CreateDistribution", "/2020-05-31/distribution", `<DistributionConfig xmlns="` + ns + `"><Comment>`, "MalformedXML", 400},
		{"no namespace", "CreateDistribution", "/2020-05-31/distribution", `<DistributionConfig><Comment>c</Comment></DistributionConfig>`, "MalformedXML", 400},
		{"wrong namespace", "CreateDistribution", "/2020-05-31/distribution", `<DistributionConfig xmlns="http://cloudfront.amazonaws.com/doc/2019-03-26/"/>`, "MalformedXML", 400},
		{"wrong root", "CreateDistribution", "/2020-05-31/distribution", `<Distribution xmlns="` + ns + `"/>`, "MalformedXML", 400},
		{"bad boolean", "CreateDistribution", "/2020-05-31/distribution", `<DistributionConfig xmlns="` + ns + `"><Enabled>yes</Enabled></DistributionConfig>`, "MalformedXML", 400},
		{"bad integer", "CreateDistribution", "/2020-05-31/distribution", `<DistributionConfig xmlns="` + ns + `"><Aliases><Quantity>two</Quantity></Aliases></DistributionConfig>`, "MalformedXML", 400},
		{"element in a value", "CreateDistribution", "/2020-05-31/distribution", `<DistributionConfig xmlns="` + ns + `"><Comment><b>c</b></Comment></DistributionConfig>`, "MalformedXML", 400},
		{"two roots", "CreateDistribution", "/2020-05-31/distribution", `<DistributionConfig xmlns="` + ns + `"/><DistributionConfig xmlns="` + ns + `"/>`, "MalformedXML", 400},
		{"doctype", "CreateDistribution", "/2020-05-31/distribution", `<!DOCTYPE d [<!ENTITY e "x">]><DistributionConfig xmlns="` + ns + `">&e;</DistributionConfig>`, "MalformedXML", 400},
		{"bad base64", "CreateFunction", "/2020-05-31/function", `<CreateFunctionRequest xmlns="` + ns + `"><FunctionCode>!!</FunctionCode></CreateFunctionRequest>`, "MalformedXML", 400},
		{"too large", "CreateDistribution", "/2020-05-31/distribution", big, "RequestEntityTooLarge", 413},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := decode(t, c.op, "POST", c.target, c.body)
			e, ok := err.(*awsproto.Error)
			if !ok || e.Code != c.code || e.Status != c.status {
				t.Fatalf("err = %#v, want %s (%d)", err, c.code, c.status)
			}
		})
	}
}

func TestDecode_BadHeaderIsInvalidArgument(t *testing.T) {
	t.Parallel()
	// CloudFront's boolean headers (Staging, UseClientCertificateOCSPEndpoint) bind
	// like this one.
	type staged struct {
		Staging *bool `xml:"-" location:"header" locationName:"Staging"`
	}
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Staging", "perhaps")
	err := restxml.Decode(r, nil, cfapi.Operations["GetDistribution"], nil, &staged{})
	if e, ok := err.(*awsproto.Error); !ok || e.Code != "InvalidArgument" || e.Status != 400 || !strings.Contains(e.Message, "Staging") {
		t.Fatalf("err = %v, want InvalidArgument naming the header", err)
	}
}

func TestWriteResponse(t *testing.T) {
	t.Parallel()
	w := httptest.NewRecorder()
	restxml.WriteResponse(w, "rid-1", cfapi.Operations["CreateDistribution"], ns, &cfapi.CreateDistributionResult{
		ETag: aws.String("E1TAG"), Location: aws.String("https://cloudfront.amazonaws.com/2020-05-31/distribution/E1"),
		Distribution: &cfapi.Distribution{
			Id: aws.String("E1"), Status: aws.String("Deployed"),
			LastModifiedTime: awsproto.NewTimestamp(time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)),
			DistributionConfig: &cfapi.DistributionConfig{
				Aliases: &cfapi.Aliases{Quantity: aws.Int32(1), Items: []string{"a<b>.example"}},
				Enabled: aws.Bool(false),
			},
		},
	})
	want := `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<Distribution xmlns="` + ns + `"><DistributionConfig><Aliases><Items><CNAME>a&lt;b&gt;.example</CNAME></Items><Quantity>1</Quantity></Aliases>` +
		`<Enabled>false</Enabled></DistributionConfig><Id>E1</Id><LastModifiedTime>2025-01-02T03:04:05.000Z</LastModifiedTime><Status>Deployed</Status></Distribution>`
	if w.Code != http.StatusCreated || w.Body.String() != want {
		t.Fatalf("%d %s\nwant 201 %s", w.Code, w.Body, want)
	}
	h := w.Result().Header
	for k, v := range map[string]string{"ETag": "E1TAG", "Location": "https://cloudfront.amazonaws.com/2020-05-31/distribution/E1",
		"Content-Type": "text/xml", "X-Amzn-RequestId": "rid-1", "X-Amz-Request-Id": "rid-1"} {
		if got := h.Get(k); got != v {
			t.Errorf("header %s = %q, want %q", k, got, v)
		}
	}
}

func TestWriteResponse_NoContentAndBlob(t *testing.T) {
	t.Parallel()
	w := httptest.NewRecorder()
	restxml.WriteResponse(w, "rid", cfapi.Operations["DeleteDistribution"], ns, &cfapi.DeleteDistributionOutput{})
	if w.Code != http.StatusNoContent || w.Body.Len() != 0 {
		t.Fatalf("DeleteDistribution: %d %q", w.Code, w.Body)
	}
	w = httptest.NewRecorder()
	restxml.WriteResponse(w, "rid", cfapi.Operations["GetFunction"], ns, &cfapi.GetFunctionResult{
		FunctionCode: []byte("function handler(event) { return event.request; }"),
		ContentType:  aws.String("application/octet-stream"), ETag: aws.String("ETVPDKIKX0DER"),
	})
	if w.Code != 200 || w.Body.String() != "function handler(event) { return event.request; }" ||
		w.Header().Get("Content-Type") != "application/octet-stream" || w.Header().Get("ETag") != "ETVPDKIKX0DER" {
		t.Fatalf("GetFunction: %d %v %q", w.Code, w.Header(), w.Body)
	}
}

func TestWriteError(t *testing.T) {
	t.Parallel()
	w := httptest.NewRecorder()
	restxml.WriteError(w, "rid-9", ns, cfapi.NewInvalidIfMatchVersion("The If-Match version is missing or not valid for the resource."))
	want := `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<ErrorResponse xmlns="` + ns + `"><Error><Type>Sender</Type><Code>InvalidIfMatchVersion</Code>` +
		`<Message>The If-Match version is missing or not valid for the resource.</Message></Error><RequestId>rid-9</RequestId></ErrorResponse>`
	if w.Code != 400 || w.Body.String() != want || w.Header().Get("X-Amz-Request-Id") != "rid-9" || w.Header().Get("Content-Type") != "text/xml" {
		t.Fatalf("%d %v %s\nwant %s", w.Code, w.Header(), w.Body, want)
	}
	w = httptest.NewRecorder()
	restxml.WriteError(w, "rid", ns, awsproto.InternalFailure())
	if w.Code != 500 || !strings.Contains(w.Body.String(), "<Type>Receiver</Type>") {
		t.Fatalf("internal failure: %d %s", w.Code, w.Body)
	}
}

// TestMarshal_RoundTrip encodes a structure with every member kind and decodes it
// back through Decode.
func TestMarshal_RoundTrip(t *testing.T) {
	t.Parallel()
	cfg := &cfapi.DistributionConfig{
		CallerReference: aws.String("r"), Comment: aws.String("é & ü"), Enabled: aws.Bool(true),
		HttpVersion: cfapi.HttpVersionHttp2and3, IsIPV6Enabled: aws.Bool(false),
		Aliases: &cfapi.Aliases{Quantity: aws.Int32(0), Items: []string{}},
		Origins: &cfapi.Origins{Quantity: aws.Int32(1), Items: []cfapi.Origin{{Id: aws.String("o"), DomainName: aws.String("d"),
			ConnectionAttempts: aws.Int32(3), CustomHeaders: &cfapi.CustomHeaders{Quantity: aws.Int32(1),
				Items: []cfapi.OriginCustomHeader{{HeaderName: aws.String("X-A"), HeaderValue: aws.String("1")}}}}}},
		DefaultCacheBehavior: &cfapi.DefaultCacheBehavior{TargetOriginId: aws.String("o"), MinTTL: aws.Int64(1 << 40),
			ViewerProtocolPolicy: cfapi.ViewerProtocolPolicyAllowAll},
	}
	b, err := restxml.Marshal("DistributionConfig", ns, cfg)
	if err != nil {
		t.Fatal(err)
	}
	in, err := decode(t, "CreateDistribution", "POST", "/2020-05-31/distribution", string(b))
	if err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	if got := in.(*cfapi.CreateDistributionRequest).DistributionConfig; !reflect.DeepEqual(got, cfg) {
		t.Fatalf("round trip\n%+v\nwant\n%+v\n%s", got, cfg, b)
	}
}
