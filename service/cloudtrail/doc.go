// Package cloudtrail is the hand-written CloudTrail provider: the domain logic behind the
// CloudTrail API, with AWS's exact semantics and error codes.
//
// The trail control plane (TrailStore) keeps trails in a cairn.MetaStore: one JSON
// document per trail in bucket "trails" under "<account>.<homeRegion>.<name>", and one
// per-account index document in bucket "trail-index" that makes name uniqueness and the
// per-region trail quota atomic under concurrent requests (compare-and-set on the
// MetaStore revision). Errors meant for the client are *awsproto.Error values (HTTP 400)
// carrying the modeled CloudTrail error code; anything else is an internal failure.
//
// Event selector evaluation (MatchBasic, MatchAdvanced) is pure and is shared by the
// delivery of trail log files.
//
// Allowed imports: the root package, awsproto and this service's own api/cloudtrail —
// never gateway, eventlog, objstore, lake or query.
package cloudtrail
