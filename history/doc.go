// Package history is the in-memory Event history index behind LookupEvents.
//
// An Index maps LookupEvents queries to event-log sequence numbers; it never holds
// record bodies. A follower of the event log feeds it with Add, in log order, and the
// CloudTrail provider answers LookupEvents with Lookup, then fetches each record body
// from the event log by sequence. Only management and Insights events enter the index,
// per account and region, for the retention window (90 days by default); Prune drops
// what has aged out.
//
// Lookup implements AWS's semantics exactly (spec §4): at most one lookup attribute,
// inclusive time bounds, newest first, 1–50 results a page, and opaque NextTokens that
// are bound to the query by an HMAC and carry a (time, sequence) cursor, so that paging
// stays stable while new events arrive and a deep page costs O(log n).
//
// history imports only the standard library, the root package cairn and awsproto.
package history
