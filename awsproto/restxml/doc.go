// Package restxml is the rest-xml wire codec (CloudFront): it binds a routed
// request's URI labels, query parameters and headers (through awsproto/rest) and
// its XML body into a generated input shape, and writes outputs (headers, status,
// XML payload with the operation's root element and xmlns) and errors in the
// <ErrorResponse><Error> envelope. It knows nothing about any particular service:
// the caller passes the generated rest.Operation, the route's labels and the
// service's XML namespace.
//
// Outputs are written by walking each value along a plan worked out once per Go
// type (plan.go): element tags spelled out, field offsets, how each member is
// written. The walk (walk.go) reads fields through unsafe pointers rather than
// reflect.Value, and response bodies are built in pooled buffers (buffer.go); the
// bytes are those the plain reflective encoder wrote, which the tests keep as the
// reference.
//
// It imports only the standard library, awsproto and awsproto/rest; never api/*,
// service/* or gateway.
package restxml
