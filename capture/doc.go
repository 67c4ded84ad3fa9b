// Package capture turns a finished API request (an awsproto.RequestContext) into a
// CloudTrail record and makes it durable in the event log before the response is
// written. It also bounds how many failed-authentication events a flood can record.
//
// It imports the root package, awsproto and the standard library; it never imports
// gateway, api/* or service/*.
package capture
