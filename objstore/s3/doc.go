// Package s3 implements cairn.ObjectStore on AWS S3 or an S3-compatible server
// (versitygw, MinIO, Ceph RGW, …) with aws-sdk-go-v2.
//
// Writes mirror CloudTrail's: PutObject with x-amz-acl:
// bucket-owner-full-control, Content-Type, Content-Encoding and user metadata
// (x-amz-meta-signature on digest files), plus Content-MD5 for integrity. The
// SDK's default CRC checksums are turned off (RequestChecksumCalculation
// WhenRequired), since aws-chunked uploads with trailing checksums are what
// S3-compatible servers most often reject. Should a server reject the ACL header
// (AccessControlListNotSupported or NotImplemented), the object is written
// without it and the bucket is remembered. versitygw v1.8.0 accepts the header
// in all modes: with ACLs enabled (buckets default to BucketOwnerEnforced) and
// with --disable-acl, which ignores ACL headers.
//
// Errors are *cairn.StoreError whose Code is the S3 error code, so that
// GetTrailStatus can report it as LatestDeliveryError; see mapError for the
// codes made up when there is none (RequestError for network failures). The
// SDK retries each call at most DefaultMaxAttempts times with short backoff
// and no client-side retry quota: the delivery layer retries on its own.
//
// CheckBucket evaluates the bucket policy like AWS CloudTrail does on
// CreateTrail (CheckPolicy). versitygw v1.8.0 stores policies but accepts only
// AWS-account principals or "*" (not {"Service": "cloudtrail.amazonaws.com"})
// and only an array Statement; its root user, which Cairn typically uses, is
// not bound by them.
//
// Package s3 imports only the root package, the standard library, the AWS SDK
// and smithy-go.
package s3
