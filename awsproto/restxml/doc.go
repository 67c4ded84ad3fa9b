// Package restxml is the rest-xml wire codec (CloudFront): it binds a routed
// request's URI labels, query parameters and headers (through awsproto/rest) and
// its XML body into a generated input shape, and writes outputs (headers, status,
// XML payload with the operation's root element and xmlns) and errors in the
// <ErrorResponse><Error> envelope. It knows nothing about any particular service:
// the caller passes the generated rest.Operation, the route's labels and the
// service's XML namespace.
//
// It imports only the standard library, awsproto and awsproto/rest; never api/*,
// service/* or gateway.
package restxml
