package cloudtrail

import (
	"context"
	"errors"

	"github.com/cairnhq/cairn"
)

// Codes of CreateTrail/UpdateTrail's bucket checks.
const (
	CodeS3BucketDoesNotExist       = "S3BucketDoesNotExistException"
	CodeInsufficientS3BucketPolicy = "InsufficientS3BucketPolicyException"
	CodeInsufficientSnsTopicPolicy = "InsufficientSnsTopicPolicyException"
)

// StoreBuckets checks trail buckets in the object store trails deliver to.
type StoreBuckets struct {
	Store cairn.ObjectStore
}

// CheckBucket implements BucketChecker: a missing bucket is
// S3BucketDoesNotExistException, a bucket policy that does not let CloudTrail write is
// InsufficientS3BucketPolicyException; a store that cannot be asked is an internal
// failure (the client may retry).
func (b StoreBuckets) CheckBucket(ctx context.Context, bucket, keyPrefix, trailARN string) error {
	err := b.Store.CheckBucket(ctx, bucket, keyPrefix, trailARN)
	var pe *cairn.BucketPolicyError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, cairn.ErrNoSuchBucket):
		return ctError(CodeS3BucketDoesNotExist, "S3 bucket %s does not exist.", bucket)
	case errors.As(err, &pe):
		return ctError(CodeInsufficientS3BucketPolicy, "Incorrect S3 bucket policy is detected for bucket: %s", bucket)
	}
	return err
}
