package main

import "testing"

// TestRESTBinding pins the payload members and XML roots the generator derives for
// CloudFront operations of each kind.
func TestRESTBinding(t *testing.T) {
	m, err := loadModel("../../models", "cloudfront")
	if err != nil {
		t.Fatal(err)
	}
	g := &generator{m: m}
	const ns = "http://cloudfront.amazonaws.com/doc/2020-05-31/"
	for op, want := range map[string]restBinding{
		// A structure payload: the payload member's locationName and xmlNamespace.
		"CreateDistribution": {inPayload: "DistributionConfig", inPayloadType: "structure", inRoot: "DistributionConfig", inNamespace: ns,
			outPayload: "Distribution", outPayloadType: "structure", outRoot: "Distribution"},
		"TagResource": {inPayload: "Tags", inPayloadType: "structure", inRoot: "Tags", inNamespace: ns},
		// No payload: the input reference's locationName holds the unbound members.
		"CreateAnycastIpList": {inRoot: "CreateAnycastIpListRequest", inNamespace: ns,
			outPayload: "AnycastIpList", outPayloadType: "structure", outRoot: "AnycastIpList"},
		"ListConnectionGroups": {inRoot: "ListConnectionGroupsRequest", inNamespace: ns, outRoot: "ListConnectionGroupsResult"},
		// A payload member without locationName is rooted at its target shape.
		"ListDistributionsByOwnedResource": {outPayload: "DistributionList", outPayloadType: "structure", outRoot: "DistributionIdOwnerList"},
		// A blob payload has no root.
		"GetFunction": {outPayload: "FunctionCode", outPayloadType: "blob"},
		// Nothing in either body.
		"DeleteDistribution": {},
	} {
		if got := g.restBinding(m.Operations[op]); got != want {
			t.Errorf("%s:\n got %+v\nwant %+v", op, got, want)
		}
	}
	if ns2 := g.xmlNamespace(); ns2 != ns {
		t.Errorf("xmlNamespace %q, want %q", ns2, ns)
	}
}
