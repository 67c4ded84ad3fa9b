// Package rest is the part of the REST protocols (rest-xml, rest-json) that does not
// depend on the body format: the operation descriptor the generator emits for REST
// services, the router that finds an operation from an HTTP method, a URI template
// and literal query parts, and the binding of input members to URI labels, query
// parameters and headers (and of output members to headers and the status code),
// driven by the generated struct tags (location, locationName).
//
// The body codecs live in awsproto/restxml and awsproto/restjson.
//
// It imports only the standard library and awsproto; never api/*, service/* or gateway.
package rest
