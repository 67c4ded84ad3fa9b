package main

import "net/http"

// serviceConfig holds the per-service choices the model does not make.
type serviceConfig struct {
	// Model is the model file prefix (models/<Model>-<version>.service-2.json).
	Model string
	// Package is the Go package name and the directory under api/.
	Package string
	// UnimplementedCode and UnimplementedStatus are what UnimplementedService answers.
	UnimplementedCode   string
	UnimplementedStatus int
	// Encoded lists structure shapes that get a WireBody field: a provider may set
	// it to the shape's members as the protocol encodes them (a cache of its wire
	// form), which the encoder then writes verbatim. Only rest-xml supports it.
	Encoded []string
}

// services lists every service the generator knows, keyed by the -service flag.
var services = map[string]serviceConfig{
	"cloudtrail": {Model: "cloudtrail", Package: "cloudtrail",
		UnimplementedCode: "UnsupportedOperationException", UnimplementedStatus: http.StatusBadRequest},
	"sts": {Model: "sts", Package: "sts",
		UnimplementedCode: "NotImplemented", UnimplementedStatus: http.StatusNotImplemented},
	"iam": {Model: "iam", Package: "iam",
		UnimplementedCode: "NotImplemented", UnimplementedStatus: http.StatusNotImplemented},
	"cloudfront": {Model: "cloudfront", Package: "cloudfront",
		UnimplementedCode: "UnsupportedOperation", UnimplementedStatus: http.StatusBadRequest,
		// A ListDistributions page of 1,000 summaries is 3 MiB of XML.
		Encoded: []string{"DistributionSummary"}},
	"cloudfront-keyvaluestore": {Model: "cloudfront-keyvaluestore", Package: "cloudfrontkeyvaluestore",
		UnimplementedCode: "ValidationException", UnimplementedStatus: http.StatusBadRequest},
	"cloudtrail-data": {Model: "cloudtrail-data", Package: "cloudtraildata",
		UnimplementedCode: "UnsupportedOperationException", UnimplementedStatus: http.StatusBadRequest},
}
