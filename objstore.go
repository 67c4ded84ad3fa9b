package cairn

import (
	"context"
	"errors"
	"io"
	"time"
)

// ObjectStore is where trails deliver their files: a local directory or an
// S3-compatible endpoint. Buckets are created outside Cairn; keys are S3 keys
// ("AWSLogs/123456789012/CloudTrail/…").
type ObjectStore interface {
	// Put writes the object key in bucket from body (size bytes), replacing any object
	// with that key. The object appears whole or not at all.
	Put(ctx context.Context, bucket, key string, body io.Reader, size int64, opts PutOptions) error
	// Get opens the object. The error wraps ErrNoSuchBucket or ErrNoSuchKey when
	// either is missing.
	Get(ctx context.Context, bucket, key string) (io.ReadCloser, ObjectInfo, error)
	// Head returns the object's facts without its body.
	Head(ctx context.Context, bucket, key string) (ObjectInfo, error)
	// List returns the objects whose keys start with prefix, in key order, after the
	// key startAfter (""= from the first), at most max (<=0: 1000).
	List(ctx context.Context, bucket, prefix, startAfter string, max int) ([]ObjectInfo, error)
	// Delete removes the object; deleting a missing object is not an error.
	Delete(ctx context.Context, bucket, key string) error
	// CheckBucket reports whether CloudTrail may deliver to bucket under keyPrefix
	// ("[prefix/]AWSLogs/<account>/") for the trail trailARN. It returns nil, or an
	// error wrapping ErrNoSuchBucket, or a *BucketPolicyError when the bucket has a
	// policy that does not let cloudtrail.amazonaws.com write there. Any other error
	// means the store could not be asked.
	CheckBucket(ctx context.Context, bucket, keyPrefix, trailARN string) error
}

// PutOptions are the optional attributes of a stored object.
type PutOptions struct {
	ContentType     string
	ContentEncoding string
	// Metadata is the object's user metadata (names lowercase, without x-amz-meta-).
	Metadata map[string]string
}

// ObjectInfo describes a stored object.
type ObjectInfo struct {
	Key          string
	Size         int64
	LastModified time.Time
	ETag         string
	ContentType  string
	// ContentEncoding is the Content-Encoding given to Put ("gzip" for CloudTrail files).
	ContentEncoding string
	Metadata        map[string]string
}

// Errors of an ObjectStore.
var (
	ErrNoSuchBucket = errors.New("no such bucket")
	ErrNoSuchKey    = errors.New("no such key")
)

// BucketPolicyError says a bucket policy does not let CloudTrail deliver.
type BucketPolicyError struct {
	Bucket string
	Reason string
}

func (e *BucketPolicyError) Error() string {
	return "bucket policy of " + e.Bucket + " does not allow delivery: " + e.Reason
}

// StoreError is a failed store call with the store's own error code (AccessDenied,
// NoSuchBucket, …), which GetTrailStatus reports as LatestDeliveryError.
type StoreError struct {
	Op   string
	Code string
	Err  error
}

func (e *StoreError) Error() string { return e.Op + ": " + e.Code + ": " + e.Err.Error() }
func (e *StoreError) Unwrap() error { return e.Err }
