package rest_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/cairnhq/cairn/api/cloudfront"
	"github.com/cairnhq/cairn/awsproto"
	"github.com/cairnhq/cairn/awsproto/rest"
	"github.com/cairnhq/cairn/awsproto/restxml"
)

// FuzzRESTXMLRoute routes arbitrary requests through the CloudFront table, then
// binds and decodes them into the matched input and writes an error: nothing may
// panic, and every failure must be an *awsproto.Error.
func FuzzRESTXMLRoute(f *testing.F) {
	router := rest.MustNewRouter(cloudfront.Operations)
	seeds := []struct {
		method, path, query, ifMatch string
		body                         []byte
	}{
		{"GET", "/2020-05-31/distribution", "Marker=m&MaxItems=10", "", nil},
		{"POST", "/2020-05-31/distribution", "WithTags", "", []byte(`<?xml version="1.0"?><DistributionConfigWithTags xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Tags><Items><Tag><Key>a</Key></Tag></Items></Tags></DistributionConfigWithTags>`)},
		{"PUT", "/2020-05-31/distribution/E1/config", "", "E2", []byte(`<DistributionConfig xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><CallerReference>r</CallerReference><Aliases><Quantity>1</Quantity><Items><CNAME>a.example</CNAME></Items></Aliases><Enabled>maybe</Enabled></DistributionConfig>`)},
		{"POST", "/2020-05-31/tagging", "Operation=Tag&Resource=arn", "", []byte(`<Tags xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Items><Tag><Key>k</Key><Value>v</Value></Tag></Items></Tags>`)},
		{"POST", "/2020-05-31/function", "", "", []byte(`<CreateFunctionRequest xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Name>f</Name><FunctionCode>!!notbase64</FunctionCode></CreateFunctionRequest>`)},
		{"GET", "/2020-05-31/distributionsByOwnedResource/arn%3Aa%2Fb", "MaxItems=x", "", nil},
		{"DELETE", "/2020-05-31/distribution/%zz", "", "", []byte("<")},
		{"POST", "/2020-05-31/anycast-ip-list", "", "", []byte(`<!DOCTYPE x [<!ENTITY a "b">]><CreateAnycastIpListRequest/>`)},
	}
	for _, s := range seeds {
		f.Add(s.method, s.path, s.query, s.ifMatch, s.body)
	}
	f.Fuzz(func(t *testing.T, method, path, query, ifMatch string, body []byte) {
		u := &url.URL{Scheme: "http", Host: "cloudfront.amazonaws.com", Path: path, RawQuery: query}
		if p, err := url.PathUnescape(path); err == nil {
			u.Path, u.RawPath = p, path
		}
		r := &http.Request{Method: method, URL: u, Header: http.Header{}, Body: http.NoBody}
		if ifMatch != "" {
			r.Header["If-Match"] = []string{ifMatch}
		}
		m, ok := router.Route(r)
		if !ok {
			return
		}
		in, ok := cloudfront.NewInput(m.Operation.Name)
		if !ok {
			t.Fatalf("routed to %s, which NewInput does not know", m.Operation.Name)
		}
		err := restxml.Decode(r, body, m.Operation, m.Labels, in)
		if err == nil {
			err = in.Validate()
			if err != nil {
				return
			}
		}
		if err != nil {
			if _, ok := err.(*awsproto.Error); !ok {
				t.Fatalf("Decode returned %T %v, want *awsproto.Error", err, err)
			}
			w := httptest.NewRecorder()
			restxml.WriteError(w, "rid", cloudfront.XMLNamespace, err.(*awsproto.Error))
			if w.Code < 400 || !bytes.Contains(w.Body.Bytes(), []byte("<ErrorResponse")) {
				t.Fatalf("error response %d %s", w.Code, w.Body.Bytes())
			}
		}
	})
}
