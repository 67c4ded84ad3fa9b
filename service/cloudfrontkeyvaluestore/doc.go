// Package cloudfrontkeyvaluestore is the hand-written provider of the CloudFront
// KeyValueStore data plane (DescribeKeyValueStore, GetKey, ListKeys, PutKey, DeleteKey,
// UpdateKeys) over kvs.Manager, with AWS's semantics and error codes.
//
// Every call is a CloudTrail data event: the provider sets the record's category
// ("Data"), managementEvent false and the resources element (the store's ARN), and it
// replaces the request parameters of writes with their keys only, so that no value is
// ever written into an event (see RecordedRequestParameters).
//
// Allowed imports: the root package, awsproto, kvs and this service's own
// api/cloudfrontkeyvaluestore — never gateway, eventlog, objstore, lake or query.
package cloudfrontkeyvaluestore
