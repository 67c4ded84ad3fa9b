// Package awsproto is the protocol runtime shared by every AWS wire protocol Cairn
// serves: the API error type, timestamps, validation errors and the per-request
// context that the gateway fills and capture reads.
//
// It imports only the standard library and the root package; it never imports api/*,
// service/* or gateway.
package awsproto
