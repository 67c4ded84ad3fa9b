package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/cairnhq/cairn"
	"github.com/cairnhq/cairn/objstore/file"
	s3store "github.com/cairnhq/cairn/objstore/s3"
	"github.com/cairnhq/cairn/validate"
)

// Exit statuses of cairn validate-logs: the AWS CLI's, except for usage errors.
const (
	ExitInvalid = 1   // a digest or log file is invalid or missing
	ExitUsage   = 2   // bad flags (the AWS CLI exits 252)
	ExitFatal   = 255 // validation could not run: bad ARN or times, API or storage error
)

// ExitError ends a command with an exit status other than 1.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string { return e.Err.Error() }
func (e *ExitError) Unwrap() error { return e.Err }

// ExitCode is the process exit status.
func (e *ExitError) ExitCode() int { return e.Code }

// ValidateLogsCommand is `cairn validate-logs`, the counterpart of `aws
// cloudtrail validate-logs`: same flags, output and exit statuses, and the same
// way to reach Cairn (CloudTrail API at --endpoint-url, S3 at AWS_ENDPOINT_URL_S3),
// plus --bucket-root for trails that deliver to a local directory.
type ValidateLogsCommand struct {
	*Main
	// Exit, when set, ends the process with the status of an *ExitError (main
	// passes os.Exit, since main() maps every error to 1). Tests leave it nil
	// and read the returned error.
	Exit func(code int)
}

const validateUsage = `Usage: cairn validate-logs --trail-arn ARN --start-time TIME [flags]

Validates the digest and log files a trail delivered between --start-time and
--end-time, like aws cloudtrail validate-logs: it walks the digest chain from the
newest digest back, checks each digest's signature with the keys of
ListPublicKeys and each log file's SHA-256.

Flags:
  --trail-arn ARN        the trail (arn:aws:cloudtrail:<home-region>:<account>:trail/<name>)
  --start-time TIME      validate files delivered at or after TIME
  --end-time TIME        ... and at or before TIME (default: now)
  --s3-bucket NAME       bucket of the digests (default: the trail's, from DescribeTrails)
  --s3-prefix PREFIX     key prefix of the digests (with --s3-bucket)
  --account-id ID        account whose files to validate (default: the ARN's)
  --organization-id ID   organization trails: the AWS Organizations ID (the AWS CLI
                         looks it up; Cairn does not call AWS Organizations)
  --region REGION        region whose digests to validate (default: the trail's home
                         region); also the region of the API calls
  --endpoint-url URL     CloudTrail API endpoint (default: AWS_ENDPOINT_URL_CLOUDTRAIL,
                         AWS_ENDPOINT_URL, else AWS)
  --bucket-root DIR      read buckets from the local directory DIR (bucket B is DIR/B)
                         instead of S3; S3 is at AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL
                         (path-style), else AWS
  --verbose              print every valid file too

TIME is ISO 8601 (2026-11-25T10:00:00Z, 2026-11-25T10:00, 2026-11-25) or epoch
seconds. As with the AWS CLI, the wall-clock time is taken as UTC and a UTC
offset is ignored. Credentials and the default region come from the standard AWS
environment and shared config files.

Exit status: 0 all files valid (or none found), 1 some file invalid or missing,
2 usage error, 255 validation could not run.
`

// Run runs the command.
func (c *ValidateLogsCommand) Run(ctx context.Context, args []string) error {
	err := c.run(ctx, args)
	var ee *ExitError
	if errors.As(err, &ee) && c.Exit != nil {
		c.Exit(ee.Code)
	}
	return err
}

func (c *ValidateLogsCommand) run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("cairn validate-logs", flag.ContinueOnError)
	fs.SetOutput(c.Stderr)
	fs.Usage = func() { fmt.Fprint(c.Stderr, validateUsage) }
	var (
		trailARN   = fs.String("trail-arn", "", "")
		startTime  = fs.String("start-time", "", "")
		endTime    = fs.String("end-time", "", "")
		bucket     = fs.String("s3-bucket", "", "")
		prefix     = fs.String("s3-prefix", "", "")
		account    = fs.String("account-id", "", "")
		org        = fs.String("organization-id", "", "")
		region     = fs.String("region", "", "")
		endpoint   = fs.String("endpoint-url", "", "")
		bucketRoot = fs.String("bucket-root", "", "")
		verbose    = fs.Bool("verbose", false, "")
	)
	if err := fs.Parse(args); err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	switch {
	case fs.NArg() > 0:
		return c.usageError("unexpected argument %q", fs.Arg(0))
	case *trailARN == "" || *startTime == "":
		return c.usageError("--trail-arn and --start-time are required")
	}

	// The CLI's order: times, then the ARN, then the trail's bucket.
	start, err := validate.ParseTime(*startTime)
	if err != nil {
		return c.fatal(err)
	}
	end := time.Now().UTC()
	if *endTime != "" {
		if end, err = validate.ParseTime(*endTime); err != nil {
			return c.fatal(err)
		}
	}
	if start.After(end) {
		return c.fatal(validate.ErrInvalidTimeRange)
	}
	arn, err := validate.ParseTrailARN(*trailARN)
	if err != nil {
		return c.fatal(err)
	}

	ignoreEnv := strings.EqualFold(c.Getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), "true")
	ctEndpoint := *endpoint
	if ctEndpoint == "" && !ignoreEnv {
		ctEndpoint = firstNonEmpty(c.Getenv("AWS_ENDPOINT_URL_CLOUDTRAIL"), c.Getenv("AWS_ENDPOINT_URL"))
	}
	var loadOpts []func(*config.LoadOptions) error
	if *region != "" {
		loadOpts = append(loadOpts, config.WithRegion(*region))
	}
	awsCfg, err := config.LoadDefaultConfig(ctx, loadOpts...)
	if err != nil {
		return c.fatal(fmt.Errorf("load aws config: %w", err))
	}
	if awsCfg.Region == "" {
		awsCfg.Region = arn.HomeRegion
	}
	ct := cloudtrail.NewFromConfig(awsCfg, func(o *cloudtrail.Options) {
		if ctEndpoint != "" {
			o.BaseEndpoint = aws.String(ctEndpoint)
		}
	})

	if *bucket == "" {
		t, err := describeTrail(ctx, ct, arn.ARN)
		if err != nil {
			return c.fatal(err)
		}
		*bucket, *prefix = aws.ToString(t.S3BucketName), aws.ToString(t.S3KeyPrefix)
		if aws.ToBool(t.IsOrganizationTrail) {
			switch {
			case *account == "":
				return c.fatal(errors.New("Missing required parameter for organization trail: '--account-id'"))
			case *org == "":
				return c.fatal(errors.New("Missing required parameter for organization trail: '--organization-id' (cairn does not call AWS Organizations)"))
			}
		}
	}

	var store cairn.ObjectStore
	if *bucketRoot != "" {
		if fi, err := os.Stat(*bucketRoot); err != nil || !fi.IsDir() {
			return c.fatal(fmt.Errorf("--bucket-root %s: not a directory", *bucketRoot))
		}
		fst, err := file.New(*bucketRoot)
		if err != nil {
			return c.fatal(err)
		}
		store = fst
	} else {
		s3Endpoint := ""
		if !ignoreEnv {
			s3Endpoint = firstNonEmpty(c.Getenv("AWS_ENDPOINT_URL_S3"), c.Getenv("AWS_ENDPOINT_URL"))
		}
		rs, err := newRegionalS3(ctx, s3Endpoint, *region)
		if err != nil {
			return c.fatal(err)
		}
		store = rs
	}

	res, err := validate.Run(ctx, validate.Options{
		Store: store, Keys: apiKeys{ct}, TrailARN: arn.ARN, Bucket: *bucket, Prefix: *prefix,
		AccountID: *account, OrganizationID: *org, Region: *region, Start: start, End: end,
		Verbose: *verbose, Out: c.Stdout, ErrOut: c.Stderr,
	})
	if err != nil {
		return c.fatal(err)
	}
	if res.Invalid() {
		return &ExitError{Code: ExitInvalid, Err: fmt.Errorf("%d digest files and %d log files invalid",
			res.InvalidDigests+res.InvalidBackfillDigests, res.InvalidLogs)}
	}
	return nil
}

func (c *ValidateLogsCommand) usageError(format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	fmt.Fprintf(c.Stderr, "cairn validate-logs: %v\n\n%s", err, validateUsage)
	return &ExitError{Code: ExitUsage, Err: err}
}

// fatal prints err as the AWS CLI prints an error that stops it.
func (c *ValidateLogsCommand) fatal(err error) error {
	fmt.Fprintf(c.Stderr, "\n%v\n", err)
	return &ExitError{Code: ExitFatal, Err: err}
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// describeTrail finds the trail like the CLI: DescribeTrails with an empty
// request, then the entry whose TrailARN is arn.
func describeTrail(ctx context.Context, ct *cloudtrail.Client, arn string) (*cttypes.Trail, error) {
	out, err := ct.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{})
	if err != nil {
		return nil, err
	}
	for i := range out.TrailList {
		if aws.ToString(out.TrailList[i].TrailARN) == arn {
			return &out.TrailList[i], nil
		}
	}
	return nil, fmt.Errorf("A trail could not be found for %s", arn)
}

// apiKeys is a cairn.KeySource on CloudTrail's ListPublicKeys, asked in the
// region whose digests are validated.
type apiKeys struct{ client *cloudtrail.Client }

func (k apiKeys) PublicKeys(ctx context.Context, region string, start, end time.Time) ([]cairn.PublicKey, error) {
	in := &cloudtrail.ListPublicKeysInput{}
	if !start.IsZero() {
		in.StartTime = aws.Time(start)
	}
	if !end.IsZero() {
		in.EndTime = aws.Time(end)
	}
	inRegion := func(o *cloudtrail.Options) {
		if region != "" {
			o.Region = region
		}
	}
	var keys []cairn.PublicKey
	for {
		out, err := k.client.ListPublicKeys(ctx, in, inRegion)
		if err != nil {
			return nil, err
		}
		for _, p := range out.PublicKeyList {
			keys = append(keys, cairn.PublicKey{Value: p.Value, ValidityStart: aws.ToTime(p.ValidityStartTime),
				ValidityEnd: aws.ToTime(p.ValidityEndTime), Fingerprint: aws.ToString(p.Fingerprint)})
		}
		if aws.ToString(out.NextToken) == "" {
			return keys, nil
		}
		in.NextToken = out.NextToken
	}
}

// regionalS3 is a cairn.ObjectStore on S3 that, like the CLI, reaches each
// bucket in its own region: it asks GetBucketLocation from the default region
// once per bucket (and uses the default region when that fails).
type regionalS3 struct {
	endpoint string
	base     *s3store.Store

	mu       sync.Mutex
	byRegion map[string]*s3store.Store
	byBucket map[string]*s3store.Store
}

var _ cairn.ObjectStore = (*regionalS3)(nil)

func newRegionalS3(ctx context.Context, endpoint, region string) (*regionalS3, error) {
	base, err := s3store.New(ctx, s3store.Config{Endpoint: endpoint, Region: region, PathStyle: true})
	if err != nil {
		return nil, err
	}
	return &regionalS3{endpoint: endpoint, base: base,
		byRegion: map[string]*s3store.Store{base.Client().Options().Region: base},
		byBucket: map[string]*s3store.Store{}}, nil
}

func (r *regionalS3) store(ctx context.Context, bucket string) (*s3store.Store, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if s := r.byBucket[bucket]; s != nil {
		return s, nil
	}
	region, err := r.bucketRegion(ctx, bucket)
	if err != nil {
		return nil, err
	}
	s := r.base
	if region != "" {
		if s = r.byRegion[region]; s == nil {
			if s, err = s3store.New(ctx, s3store.Config{Endpoint: r.endpoint, Region: region, PathStyle: true}); err != nil {
				return nil, err
			}
			r.byRegion[region] = s
		}
	}
	r.byBucket[bucket] = s
	return s, nil
}

// bucketRegion asks GetBucketLocation; when the server wants the request
// signed for another region, it asks again there, as botocore's region
// redirector does. "" means unknown: use the default region.
func (r *regionalS3) bucketRegion(ctx context.Context, bucket string) (string, error) {
	in := &awss3.GetBucketLocationInput{Bucket: aws.String(bucket)}
	out, err := r.base.Client().GetBucketLocation(ctx, in)
	hint := ""
	if err != nil {
		if hint = regionHint(err); hint != "" {
			out, err = r.base.Client().GetBucketLocation(ctx, in, func(o *awss3.Options) { o.Region = hint })
		}
	}
	switch {
	case err == nil:
		switch region := string(out.LocationConstraint); region {
		case "":
			return "us-east-1", nil
		case "EU":
			return "eu-west-1", nil
		default:
			return region, nil
		}
	case ctx.Err() != nil:
		return "", ctx.Err()
	default:
		return hint, nil
	}
}

var expectingRegion = regexp.MustCompile(`expecting ['"]([a-z0-9-]+)['"]`)

// regionHint is the region an S3 error says the bucket is in: the
// x-amz-bucket-region header or the "expecting 'region'" of
// AuthorizationHeaderMalformed.
func regionHint(err error) string {
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.Response != nil {
		if h := re.Response.Header.Get("X-Amz-Bucket-Region"); h != "" {
			return h
		}
	}
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorCode() == "AuthorizationHeaderMalformed" {
		if m := expectingRegion.FindStringSubmatch(ae.ErrorMessage()); m != nil {
			return m[1]
		}
	}
	return ""
}

func (r *regionalS3) Put(ctx context.Context, bucket, key string, body io.Reader, size int64, opts cairn.PutOptions) error {
	s, err := r.store(ctx, bucket)
	if err != nil {
		return err
	}
	return s.Put(ctx, bucket, key, body, size, opts)
}

func (r *regionalS3) Get(ctx context.Context, bucket, key string) (io.ReadCloser, cairn.ObjectInfo, error) {
	s, err := r.store(ctx, bucket)
	if err != nil {
		return nil, cairn.ObjectInfo{}, err
	}
	return s.Get(ctx, bucket, key)
}

func (r *regionalS3) Head(ctx context.Context, bucket, key string) (cairn.ObjectInfo, error) {
	s, err := r.store(ctx, bucket)
	if err != nil {
		return cairn.ObjectInfo{}, err
	}
	return s.Head(ctx, bucket, key)
}

func (r *regionalS3) List(ctx context.Context, bucket, prefix, startAfter string, max int) ([]cairn.ObjectInfo, error) {
	s, err := r.store(ctx, bucket)
	if err != nil {
		return nil, err
	}
	return s.List(ctx, bucket, prefix, startAfter, max)
}

func (r *regionalS3) Delete(ctx context.Context, bucket, key string) error {
	s, err := r.store(ctx, bucket)
	if err != nil {
		return err
	}
	return s.Delete(ctx, bucket, key)
}

func (r *regionalS3) CheckBucket(ctx context.Context, bucket, keyPrefix, trailARN string) error {
	s, err := r.store(ctx, bucket)
	if err != nil {
		return err
	}
	return s.CheckBucket(ctx, bucket, keyPrefix, trailARN)
}
