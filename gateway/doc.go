// Package gateway is Cairn's HTTP front: it assigns request ids, routes a request to
// its protocol without reading the body, authenticates it with SigV4, decodes and
// validates the input, calls the provider, hands the finished request to capture
// (durable before the response) and writes the response or the AWS error.
//
// It imports the root package, awsproto/* and capture. Services are plugged in as
// values (JSONService, QueryService, AdminService) built by cmd/cairn, so gateway
// never imports api/* or service/*.
package gateway
