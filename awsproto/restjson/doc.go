// Package restjson is the rest-json wire codec (the CloudFront KeyValueStore data
// plane): it binds a routed request's URI labels, query parameters and headers
// (through awsproto/rest) and its JSON body into a generated input shape, and writes
// outputs (headers, status, JSON body with timestamps as epoch seconds) and errors
// (status, X-Amzn-ErrorType and {"message": ...}). It knows nothing about any
// particular service: the caller passes the generated rest.Operation and the
// route's labels.
//
// It imports only the standard library, awsproto, awsproto/awsjson and
// awsproto/rest; never api/*, service/* or gateway.
package restjson
