// Package cloudfront is the hand-written CloudFront control-plane provider: the domain
// logic behind the CloudFront API (rest-xml, 2020-05-31), with AWS's semantics and
// error codes.
//
// Provider implements distributions (Create/CreateWithTags/Get/GetConfig/Update/
// Delete/List), tagging, invalidations and origin access controls over a
// cairn.MetaStore: one JSON document per resource ("<account>.<id>" keys), plus index
// entries that make CallerReferences (per account), CNAMEs (across accounts) and
// origin access control names (per account) unique. Every write is a compare-and-set on
// the MetaStore revision, so concurrent requests — in one process or several sharing
// the store — never lose an update; ETags rotate on every configuration change and
// If-Match is checked against them. Status (InProgress → Deployed) is computed from the
// clock on each read. The KeyValueStore control plane lives in its own type
// (KeyValueStores, keyvaluestore*.go).
//
// Errors meant for the client are *awsproto.Error values built with the generated
// api/cloudfront constructors; anything else is an internal failure.
//
// ListDistributions pages carry each summary's rest-xml form (WireBody), cached with
// the decoded document, so that a page of 1,000 is copied rather than encoded.
//
// Allowed imports: the root package, awsproto, awsproto/restxml (for those cached
// summaries) and this service's own api/cloudfront —
// never gateway, eventlog, objstore, lake or query.
package cloudfront
