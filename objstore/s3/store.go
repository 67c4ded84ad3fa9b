package s3

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/cairnhq/cairn"
)

// Defaults of Config.
const (
	// DefaultRegion is used when neither Config.Region nor the SDK's
	// configuration names a region.
	DefaultRegion = "us-east-1"
	// DefaultMaxAttempts is the SDK's attempts per call. It is low because the
	// caller (delivery) retries with its own backoff.
	DefaultMaxAttempts = 3
	// DefaultListMax is the number of objects List returns when max <= 0.
	DefaultListMax = 1000
)

// spoolMemory is how much of a non-seekable body Put buffers in memory before
// spooling the rest to a temp file.
const spoolMemory = 8 << 20

// Config says how to reach the S3 endpoint.
type Config struct {
	// Endpoint is the URL of an S3-compatible server ("http://127.0.0.1:7070");
	// "" means AWS.
	Endpoint string
	// Region signs requests; "" takes the SDK's configured region, else
	// DefaultRegion.
	Region string
	// PathStyle addresses buckets as http://host/bucket instead of
	// http://bucket.host, as most self-hosted servers need.
	PathStyle bool
	// AccessKeyID and SecretAccessKey (and SessionToken for temporary
	// credentials) are static credentials; when empty the SDK's default chain
	// (environment, shared config, web identity, ECS/EC2 roles) is used.
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	// MaxAttempts is the SDK's attempts per call (0: DefaultMaxAttempts).
	MaxAttempts int
}

// Store is a cairn.ObjectStore on an S3-compatible endpoint.
type Store struct {
	client *awss3.Client
	// noACL holds the buckets that rejected the x-amz-acl header.
	noACL sync.Map
}

var _ cairn.ObjectStore = (*Store)(nil)

// New returns a store for the endpoint of cfg. It does not contact the endpoint.
func New(ctx context.Context, cfg Config) (*Store, error) {
	attempts := cfg.MaxAttempts
	if attempts <= 0 {
		attempts = DefaultMaxAttempts
	}
	opts := []func(*config.LoadOptions) error{
		config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = attempts
				o.MaxBackoff = 2 * time.Second
				// No client-side retry quota: after an outage every call should
				// reach the server again at once.
				o.RateLimiter = ratelimit.None
			})
		}),
		// Checksums only where S3 requires them: trailing checksums and
		// aws-chunked bodies break many S3-compatible servers. Put sends
		// Content-MD5 instead, which all of them verify.
		config.WithRequestChecksumCalculation(aws.RequestChecksumCalculationWhenRequired),
		config.WithResponseChecksumValidation(aws.ResponseChecksumValidationWhenRequired),
	}
	if cfg.Region != "" {
		opts = append(opts, config.WithRegion(cfg.Region))
	}
	if cfg.AccessKeyID != "" || cfg.SecretAccessKey != "" {
		opts = append(opts, config.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(cfg.AccessKeyID, cfg.SecretAccessKey, cfg.SessionToken)))
	}
	awsCfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("load aws config: %w", err)
	}
	if awsCfg.Region == "" {
		awsCfg.Region = DefaultRegion
	}
	client := awss3.NewFromConfig(awsCfg, func(o *awss3.Options) {
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.Endpoint)
		}
		o.UsePathStyle = cfg.PathStyle
	})
	return &Store{client: client}, nil
}

// Client returns the SDK client, for tests and tools.
func (s *Store) Client() *awss3.Client { return s.client }

// Put implements cairn.ObjectStore. It sends x-amz-acl:
// bucket-owner-full-control as CloudTrail does; a bucket whose server rejects
// ACL headers (AccessControlListNotSupported, NotImplemented) gets the object
// without one, and later Puts to it skip the header. A negative size reads body
// to EOF. A body that is not an io.ReaderAt and io.Seeker (as *os.File and
// *bytes.Reader are) is buffered, in memory up to 8 MiB and beyond that in a
// temp file, because a signed request must hash the payload before sending it.
func (s *Store) Put(ctx context.Context, bucket, key string, body io.Reader, size int64, opts cairn.PutOptions) error {
	const op = "PutObject"
	sr, cleanup, err := seekable(ctx, body, size)
	if err != nil {
		return requestError(op, bucket, key, err)
	}
	defer cleanup()
	h := md5.New()
	if _, err := io.Copy(h, io.NewSectionReader(sr, 0, sr.Size())); err != nil {
		return requestError(op, bucket, key, fmt.Errorf("read body: %w", err))
	}
	in := &awss3.PutObjectInput{
		Bucket:        aws.String(bucket),
		Key:           aws.String(key),
		Body:          sr,
		ContentLength: aws.Int64(sr.Size()),
		ContentMD5:    aws.String(base64.StdEncoding.EncodeToString(h.Sum(nil))),
		Metadata:      opts.Metadata,
	}
	if opts.ContentType != "" {
		in.ContentType = aws.String(opts.ContentType)
	}
	if opts.ContentEncoding != "" {
		in.ContentEncoding = aws.String(opts.ContentEncoding)
	}
	if _, skip := s.noACL.Load(bucket); !skip {
		in.ACL = types.ObjectCannedACLBucketOwnerFullControl
	}
	_, err = s.client.PutObject(ctx, in)
	if err != nil && in.ACL != "" && aclRejected(err) {
		s.noACL.Store(bucket, true)
		in.ACL = ""
		if _, serr := sr.Seek(0, io.SeekStart); serr != nil {
			return requestError(op, bucket, key, serr)
		}
		_, err = s.client.PutObject(ctx, in)
	}
	if err != nil {
		return mapError(op, bucket, key, err)
	}
	return nil
}

// aclRejected reports whether a PutObject failed only for its x-amz-acl header.
func aclRejected(err error) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return false
	}
	switch ae.ErrorCode() {
	case "AccessControlListNotSupported", "NotImplemented":
		return true
	}
	return false
}

// seekable returns body as a section of exactly the bytes to send.
func seekable(ctx context.Context, body io.Reader, size int64) (*io.SectionReader, func(), error) {
	nop := func() {}
	if rs, ok := body.(interface {
		io.ReaderAt
		io.Seeker
	}); ok {
		off, err := rs.Seek(0, io.SeekCurrent)
		if err != nil {
			return nil, nop, err
		}
		end, err := rs.Seek(0, io.SeekEnd)
		if err != nil {
			return nil, nop, err
		}
		if _, err := rs.Seek(off, io.SeekStart); err != nil {
			return nil, nop, err
		}
		switch {
		case size < 0:
			size = end - off
		case end-off < size:
			return nil, nop, fmt.Errorf("body has %d bytes, want %d: %w", end-off, size, io.ErrUnexpectedEOF)
		}
		return io.NewSectionReader(rs, off, size), nop, nil
	}
	src := io.Reader(&ctxReader{ctx: ctx, r: body})
	if size >= 0 {
		src = io.LimitReader(src, size)
	}
	var buf bytes.Buffer
	if size >= 0 {
		buf.Grow(int(min(size, spoolMemory+1)))
	}
	n, err := io.CopyN(&buf, src, spoolMemory+1)
	if err != nil && err != io.EOF {
		return nil, nop, err
	}
	if n <= spoolMemory {
		if size >= 0 && n != size {
			return nil, nop, fmt.Errorf("body has %d bytes, want %d: %w", n, size, io.ErrUnexpectedEOF)
		}
		return io.NewSectionReader(bytes.NewReader(buf.Bytes()), 0, n), nop, nil
	}
	f, err := os.CreateTemp("", "cairn-s3-put-*")
	if err != nil {
		return nil, nop, fmt.Errorf("spool body: %w", err)
	}
	cleanup := func() {
		f.Close()
		os.Remove(f.Name())
	}
	m, err := io.Copy(f, io.MultiReader(&buf, src))
	if err != nil {
		cleanup()
		return nil, nop, fmt.Errorf("spool body: %w", err)
	}
	if size >= 0 && m != size {
		cleanup()
		return nil, nop, fmt.Errorf("body has %d bytes, want %d: %w", m, size, io.ErrUnexpectedEOF)
	}
	return io.NewSectionReader(f, 0, m), cleanup, nil
}

// Get implements cairn.ObjectStore.
func (s *Store) Get(ctx context.Context, bucket, key string) (io.ReadCloser, cairn.ObjectInfo, error) {
	const op = "GetObject"
	out, err := s.client.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return nil, cairn.ObjectInfo{}, s.notFound(ctx, op, bucket, key, mapError(op, bucket, key, err))
	}
	info := cairn.ObjectInfo{
		Key:             key,
		Size:            aws.ToInt64(out.ContentLength),
		LastModified:    aws.ToTime(out.LastModified),
		ETag:            aws.ToString(out.ETag),
		ContentType:     aws.ToString(out.ContentType),
		ContentEncoding: aws.ToString(out.ContentEncoding),
		Metadata:        lowerKeys(out.Metadata),
	}
	return out.Body, info, nil
}

// Head implements cairn.ObjectStore.
func (s *Store) Head(ctx context.Context, bucket, key string) (cairn.ObjectInfo, error) {
	const op = "HeadObject"
	out, err := s.client.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return cairn.ObjectInfo{}, s.notFound(ctx, op, bucket, key, mapError(op, bucket, key, err))
	}
	return cairn.ObjectInfo{
		Key:             key,
		Size:            aws.ToInt64(out.ContentLength),
		LastModified:    aws.ToTime(out.LastModified),
		ETag:            aws.ToString(out.ETag),
		ContentType:     aws.ToString(out.ContentType),
		ContentEncoding: aws.ToString(out.ContentEncoding),
		Metadata:        lowerKeys(out.Metadata),
	}, nil
}

// notFound turns the bodiless 404 of HEAD (code NotFound) into ErrNoSuchKey or,
// when the bucket is missing too, ErrNoSuchBucket.
func (s *Store) notFound(ctx context.Context, op, bucket, key string, err error) error {
	var se *cairn.StoreError
	if !errors.As(err, &se) || se.Code != "NotFound" {
		return err
	}
	if berr := s.headBucket(ctx, bucket); berr != nil {
		if errors.Is(berr, cairn.ErrNoSuchBucket) {
			return noSuchBucket(op, bucket, se.Err)
		}
		return err
	}
	return &cairn.StoreError{Op: op, Code: "NoSuchKey", Err: fmt.Errorf("%s/%s: %w: %w", bucket, key, cairn.ErrNoSuchKey, se.Err)}
}

// List implements cairn.ObjectStore with ListObjectsV2, which returns ETag, size
// and time but no content type or metadata.
func (s *Store) List(ctx context.Context, bucket, prefix, startAfter string, max int) ([]cairn.ObjectInfo, error) {
	const op = "ListObjectsV2"
	if max <= 0 {
		max = DefaultListMax
	}
	in := &awss3.ListObjectsV2Input{Bucket: aws.String(bucket)}
	if prefix != "" {
		in.Prefix = aws.String(prefix)
	}
	if startAfter != "" {
		in.StartAfter = aws.String(startAfter)
	}
	var objs []cairn.ObjectInfo
	for len(objs) < max {
		in.MaxKeys = aws.Int32(int32(min(max-len(objs), 1000)))
		out, err := s.client.ListObjectsV2(ctx, in)
		if err != nil {
			return nil, mapError(op, bucket, prefix, err)
		}
		for _, o := range out.Contents {
			if len(objs) == max {
				break
			}
			objs = append(objs, cairn.ObjectInfo{
				Key:          aws.ToString(o.Key),
				Size:         aws.ToInt64(o.Size),
				LastModified: aws.ToTime(o.LastModified),
				ETag:         aws.ToString(o.ETag),
			})
		}
		if !aws.ToBool(out.IsTruncated) || out.NextContinuationToken == nil {
			break
		}
		in.ContinuationToken = out.NextContinuationToken
	}
	return objs, nil
}

// Delete implements cairn.ObjectStore.
func (s *Store) Delete(ctx context.Context, bucket, key string) error {
	const op = "DeleteObject"
	_, err := s.client.DeleteObject(ctx, &awss3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		err = mapError(op, bucket, key, err)
		if errors.Is(err, cairn.ErrNoSuchKey) {
			return nil
		}
		return err
	}
	return nil
}

// CheckBucket implements cairn.ObjectStore: HeadBucket (404 is
// cairn.ErrNoSuchBucket), then GetBucketPolicy. A bucket without a policy
// (NoSuchBucketPolicy), or on a server without bucket policies
// (NotImplemented), passes: Cairn writes with its own credentials, not as
// cloudtrail.amazonaws.com, so only a policy written for CloudTrail says
// anything about intent. A policy must pass CheckPolicy.
func (s *Store) CheckBucket(ctx context.Context, bucket, keyPrefix, trailARN string) error {
	if err := s.headBucket(ctx, bucket); err != nil {
		return err
	}
	const op = "GetBucketPolicy"
	out, err := s.client.GetBucketPolicy(ctx, &awss3.GetBucketPolicyInput{Bucket: aws.String(bucket)})
	if err != nil {
		var ae smithy.APIError
		if errors.As(err, &ae) {
			switch ae.ErrorCode() {
			case "NoSuchBucketPolicy", "NotImplemented":
				return nil
			}
		}
		return mapError(op, bucket, "", err)
	}
	if strings.TrimSpace(aws.ToString(out.Policy)) == "" {
		return nil
	}
	return CheckPolicy([]byte(aws.ToString(out.Policy)), bucket, keyPrefix, trailARN)
}

func (s *Store) headBucket(ctx context.Context, bucket string) error {
	const op = "HeadBucket"
	_, err := s.client.HeadBucket(ctx, &awss3.HeadBucketInput{Bucket: aws.String(bucket)})
	if err == nil {
		return nil
	}
	err = mapError(op, bucket, "", err)
	var se *cairn.StoreError
	if errors.As(err, &se) && se.Code == "NotFound" {
		return noSuchBucket(op, bucket, se.Err)
	}
	return err
}

func noSuchBucket(op, bucket string, err error) error {
	return &cairn.StoreError{Op: op, Code: "NoSuchBucket", Err: fmt.Errorf("bucket %q: %w: %w", bucket, cairn.ErrNoSuchBucket, err)}
}

// mapError turns an SDK error into a *cairn.StoreError. Its Code is the S3
// error code (AccessDenied, NoSuchBucket, SlowDown, …; for the bodiless errors
// of HEAD requests AccessDenied on 403 and NotFound on 404, which Head and
// CheckBucket resolve to NoSuchKey or NoSuchBucket); NoSuchBucket and NoSuchKey also wrap cairn.ErrNoSuchBucket and
// cairn.ErrNoSuchKey. Without an S3 error: RequestCanceled or RequestTimeout
// when the context ended, RequestError when the request could not be sent or
// its response read (connection refused, DNS, TLS, reset), or the HTTP status
// text without spaces (ServiceUnavailable) for an error response without a code.
func mapError(op, bucket, key string, err error) error {
	where := bucket
	if key != "" {
		where += "/" + key
	}
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorCode() != "" {
		switch code := ae.ErrorCode(); code {
		case "Forbidden":
			// A HEAD response has no body; its 403 is S3's AccessDenied (or a
			// signature error that cannot be told apart).
			return &cairn.StoreError{Op: op, Code: "AccessDenied", Err: fmt.Errorf("%s: %w", where, err)}
		case "NoSuchBucket":
			return noSuchBucket(op, bucket, err)
		case "NoSuchKey":
			return &cairn.StoreError{Op: op, Code: code, Err: fmt.Errorf("%s: %w: %w", where, cairn.ErrNoSuchKey, err)}
		default:
			return &cairn.StoreError{Op: op, Code: code, Err: fmt.Errorf("%s: %w", where, err)}
		}
	}
	return requestError(op, bucket, key, err)
}

func requestError(op, bucket, key string, err error) error {
	where := bucket
	if key != "" {
		where += "/" + key
	}
	code := "RequestError"
	var re *smithyhttp.ResponseError
	switch {
	case errors.Is(err, context.Canceled):
		code = "RequestCanceled"
	case errors.Is(err, context.DeadlineExceeded):
		code = "RequestTimeout"
	case errors.Is(err, io.ErrUnexpectedEOF) && !errors.As(err, &re):
		code = "IncompleteBody"
	case errors.As(err, &re) && re.HTTPStatusCode() >= 400:
		code = strings.ReplaceAll(http.StatusText(re.HTTPStatusCode()), " ", "")
	}
	return &cairn.StoreError{Op: op, Code: code, Err: fmt.Errorf("%s: %w", where, err)}
}

func lowerKeys(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[strings.ToLower(k)] = v
	}
	return out
}

// ctxReader stops reading a body when its context ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (r *ctxReader) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.r.Read(p)
}
