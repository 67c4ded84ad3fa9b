package cloudtrail_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cairnhq/cairn"
	"github.com/cairnhq/cairn/awsproto"
	"github.com/cairnhq/cairn/internal/memstore"
	"github.com/cairnhq/cairn/service/cloudtrail"
)

const (
	tAcct  = "123456789012"
	tOther = "210987654321"
	tEast  = "us-east-1"
	tWest  = "us-west-2"
	tEU    = "eu-west-1"
)

// stepClock is a settable test clock.
type trailClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *trailClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *trailClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

var trailT0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func newTrailStore(t *testing.T) (*cloudtrail.TrailStore, *trailClock) {
	t.Helper()
	clk := &trailClock{t: trailT0}
	return &cloudtrail.TrailStore{Meta: memstore.New(), Clock: clk}, clk
}

func tsPtr[T any](v T) *T { return &v }

// wantCode fails unless err is an *awsproto.Error with code (and HTTP 400); code ""
// means no error is expected.
func wantTrailErr(t *testing.T, err error, code string) {
	t.Helper()
	if code == "" {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	var ae *awsproto.Error
	if !errors.As(err, &ae) {
		t.Fatalf("want %s, got %v", code, err)
	}
	if ae.Code != code || ae.Status != 400 {
		t.Fatalf("want %s (400), got %s (%d): %s", code, ae.Code, ae.Status, ae.Message)
	}
}

func wantTrailMsg(t *testing.T, err error, substr string) {
	t.Helper()
	var ae *awsproto.Error
	if !errors.As(err, &ae) || !strings.Contains(ae.Message, substr) {
		t.Fatalf("want message containing %q, got %v", substr, err)
	}
}

func mustCreateTrail(t *testing.T, s *cloudtrail.TrailStore, region, name string, mut ...func(*cloudtrail.CreateTrailParams)) *cloudtrail.Trail {
	t.Helper()
	p := cloudtrail.CreateTrailParams{Name: name, S3BucketName: "logs-bucket"}
	for _, m := range mut {
		m(&p)
	}
	tr, err := s.Create(context.Background(), tAcct, region, p)
	if err != nil {
		t.Fatalf("create %s in %s: %v", name, region, err)
	}
	return tr
}

func multiRegion(p *cloudtrail.CreateTrailParams) { p.IsMultiRegionTrail = tsPtr(true) }

func trailARNOf(region, name string) string { return cloudtrail.TrailARN(region, tAcct, name) }

func TestValidateTrailName(t *testing.T) {
	tests := []struct {
		name, msg string
	}{
		{"abc", ""},
		{"My_Trail-1.2", ""},
		{strings.Repeat("a", 128), ""},
		{"ab", "too short"},
		{strings.Repeat("a", 129), "too long"},
		{"-abc", "starts with"},
		{"_abc", "starts with"},
		{"abc.", "ends with"},
		{"my-_namespace", "adjacent"},
		{"my--namespace", "adjacent"},
		{"my..trail", "adjacent"},
		{"my._trail", "adjacent"},
		{"192.168.5.4", "IP address"},
		{"my trail", "can only contain"},
		{"trail/x", "can only contain"},
		{"tráil", "can only contain"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := cloudtrail.ValidateTrailName(tt.name)
			if tt.msg == "" {
				wantTrailErr(t, err, "")
				return
			}
			wantTrailErr(t, err, "InvalidTrailNameException")
			wantTrailMsg(t, err, tt.msg)
		})
	}
}

func TestTrailStore_Create(t *testing.T) {
	ctx := context.Background()
	t.Run("defaults", func(t *testing.T) {
		s, _ := newTrailStore(t)
		tr, err := s.Create(ctx, tAcct, tEast, cloudtrail.CreateTrailParams{Name: "t1-t", S3BucketName: "my-bucket"})
		wantTrailErr(t, err, "")
		if !tr.IncludeGlobalServiceEvents || tr.IsMultiRegionTrail || tr.LogFileValidationEnabled || tr.IsOrganizationTrail || tr.IsLogging {
			t.Fatalf("defaults wrong: %+v", tr)
		}
		if tr.HomeRegion != tEast || tr.Account != tAcct || tr.ARN() != "arn:aws:cloudtrail:us-east-1:123456789012:trail/t1-t" {
			t.Fatalf("identity wrong: %+v %s", tr, tr.ARN())
		}
		if tr.HasCustomEventSelectors || tr.HasInsightSelectors() || !tr.CreatedTime.Equal(trailT0) {
			t.Fatalf("flags wrong: %+v", tr)
		}
		if tr.SnsTopicARN != "" || tr.KmsKeyId != "" || tr.S3KeyPrefix != "" {
			t.Fatalf("optional members set: %+v", tr)
		}
		got, err := s.Get(ctx, tAcct, tEast, "t1-t")
		wantTrailErr(t, err, "")
		if got.S3BucketName != "my-bucket" || got.IsLogging {
			t.Fatalf("stored trail wrong: %+v", got)
		}
	})
	t.Run("all members", func(t *testing.T) {
		s, _ := newTrailStore(t)
		tr, err := s.Create(ctx, tAcct, tEast, cloudtrail.CreateTrailParams{
			Name: "full", S3BucketName: "my.bucket-1", S3KeyPrefix: tsPtr("pfx"), SnsTopicName: tsPtr("topic"),
			IncludeGlobalServiceEvents: tsPtr(true), IsMultiRegionTrail: tsPtr(true), EnableLogFileValidation: tsPtr(true),
			CloudWatchLogsLogGroupArn: tsPtr("arn:aws:logs:us-east-1:123456789012:log-group:CloudTrail/logs:*"),
			CloudWatchLogsRoleArn:     tsPtr("arn:aws:iam::123456789012:role/service-role/CT_Role"),
			KmsKeyId:                  tsPtr("12345678-1234-1234-1234-123456789012"),
			IsOrganizationTrail:       tsPtr(false),
			TagsList:                  []cloudtrail.Tag{{Key: "env", Value: "prod"}, {Key: "empty"}},
		})
		wantTrailErr(t, err, "")
		if tr.SnsTopicARN != "arn:aws:sns:us-east-1:123456789012:topic" || tr.SnsTopicName != "topic" {
			t.Fatalf("sns: %q %q", tr.SnsTopicName, tr.SnsTopicARN)
		}
		if tr.KmsKeyId != "arn:aws:kms:us-east-1:123456789012:key/12345678-1234-1234-1234-123456789012" {
			t.Fatalf("kms: %q", tr.KmsKeyId)
		}
		if !tr.IsMultiRegionTrail || !tr.LogFileValidationEnabled || tr.S3KeyPrefix != "pfx" || len(tr.Tags) != 2 {
			t.Fatalf("members: %+v", tr)
		}
	})

	long := strings.Repeat("x", 201)
	tests := []struct {
		name string
		p    cloudtrail.CreateTrailParams
		code string
		msg  string
	}{
		{"short name", cloudtrail.CreateTrailParams{Name: "t", S3BucketName: "bkt"}, "InvalidTrailNameException", "too short"},
		{"arn as name", cloudtrail.CreateTrailParams{Name: "arn:aws:cloudtrail:us-east-1:123456789012:trail/abc", S3BucketName: "bkt"}, "InvalidTrailNameException", "not an ARN"},
		{"bad chars", cloudtrail.CreateTrailParams{Name: "a b c", S3BucketName: "bkt"}, "InvalidTrailNameException", ""},
		{"ip name", cloudtrail.CreateTrailParams{Name: "10.0.0.1", S3BucketName: "bkt"}, "InvalidTrailNameException", ""},
		{"empty bucket", cloudtrail.CreateTrailParams{Name: "abc"}, "InvalidS3BucketNameException", ""},
		{"short bucket", cloudtrail.CreateTrailParams{Name: "abc", S3BucketName: "ab"}, "InvalidS3BucketNameException", ""},
		{"long bucket", cloudtrail.CreateTrailParams{Name: "abc", S3BucketName: strings.Repeat("b", 64)}, "InvalidS3BucketNameException", ""},
		{"upper bucket", cloudtrail.CreateTrailParams{Name: "abc", S3BucketName: "MyBucket"}, "InvalidS3BucketNameException", "lowercase"},
		{"underscore bucket", cloudtrail.CreateTrailParams{Name: "abc", S3BucketName: "my_bucket"}, "InvalidS3BucketNameException", ""},
		{"bucket dash start", cloudtrail.CreateTrailParams{Name: "abc", S3BucketName: "-bucket"}, "InvalidS3BucketNameException", ""},
		{"bucket double dot", cloudtrail.CreateTrailParams{Name: "abc", S3BucketName: "my..bucket"}, "InvalidS3BucketNameException", ""},
		{"bucket ip", cloudtrail.CreateTrailParams{Name: "abc", S3BucketName: "192.168.1.1"}, "InvalidS3BucketNameException", ""},
		{"bucket xn--", cloudtrail.CreateTrailParams{Name: "abc", S3BucketName: "xn--bucket"}, "InvalidS3BucketNameException", ""},
		{"bucket alias suffix", cloudtrail.CreateTrailParams{Name: "abc", S3BucketName: "bucket-s3alias"}, "InvalidS3BucketNameException", ""},
		{"prefix 200 ok", cloudtrail.CreateTrailParams{Name: "abc", S3BucketName: "bkt", S3KeyPrefix: tsPtr(long[:200])}, "", ""},
		{"prefix 201", cloudtrail.CreateTrailParams{Name: "abc", S3BucketName: "bkt", S3KeyPrefix: tsPtr(long)}, "InvalidS3PrefixException", ""},
		{"sns too long", cloudtrail.CreateTrailParams{Name: "abc", S3BucketName: "bkt", SnsTopicName: tsPtr(strings.Repeat("t", 257))}, "InvalidSnsTopicNameException", ""},
		{"sns bad chars", cloudtrail.CreateTrailParams{Name: "abc", S3BucketName: "bkt", SnsTopicName: tsPtr("my topic")}, "InvalidSnsTopicNameException", ""},
		{"sns bad arn", cloudtrail.CreateTrailParams{Name: "abc", S3BucketName: "bkt", SnsTopicName: tsPtr("arn:aws:sqs:us-east-1:123456789012:q")}, "InvalidSnsTopicNameException", ""},
		{"sns arn ok", cloudtrail.CreateTrailParams{Name: "abc", S3BucketName: "bkt", SnsTopicName: tsPtr("arn:aws:sns:us-east-1:123456789012:topic")}, "", ""},
		{"multi without global", cloudtrail.CreateTrailParams{Name: "abc", S3BucketName: "bkt", IsMultiRegionTrail: tsPtr(true), IncludeGlobalServiceEvents: tsPtr(false)}, "InvalidParameterCombinationException", "Multi-Region trail must include global service events."},
		{"single without global ok", cloudtrail.CreateTrailParams{Name: "abc", S3BucketName: "bkt", IncludeGlobalServiceEvents: tsPtr(false)}, "", ""},
		{"organization", cloudtrail.CreateTrailParams{Name: "abc", S3BucketName: "bkt", IsOrganizationTrail: tsPtr(true)}, "OrganizationsNotInUseException", "Organizations"},
		{"kms bad", cloudtrail.CreateTrailParams{Name: "abc", S3BucketName: "bkt", KmsKeyId: tsPtr("not-a-key")}, "InvalidKmsKeyIdException", ""},
		{"kms alias ok", cloudtrail.CreateTrailParams{Name: "abc", S3BucketName: "bkt", KmsKeyId: tsPtr("alias/MyAlias")}, "", ""},
		{"kms alias arn ok", cloudtrail.CreateTrailParams{Name: "abc", S3BucketName: "bkt", KmsKeyId: tsPtr("arn:aws:kms:us-east-2:123456789012:alias/MyAlias")}, "", ""},
		{"kms key arn ok", cloudtrail.CreateTrailParams{Name: "abc", S3BucketName: "bkt", KmsKeyId: tsPtr("arn:aws:kms:us-east-2:123456789012:key/12345678-1234-1234-1234-123456789012")}, "", ""},
		{"kms key arn bad id", cloudtrail.CreateTrailParams{Name: "abc", S3BucketName: "bkt", KmsKeyId: tsPtr("arn:aws:kms:us-east-2:123456789012:key/nope")}, "InvalidKmsKeyIdException", ""},
		{"kms other service", cloudtrail.CreateTrailParams{Name: "abc", S3BucketName: "bkt", KmsKeyId: tsPtr("arn:aws:s3:us-east-2:123456789012:key/12345678-1234-1234-1234-123456789012")}, "InvalidKmsKeyIdException", ""},
		{"log group bad", cloudtrail.CreateTrailParams{Name: "abc", S3BucketName: "bkt", CloudWatchLogsLogGroupArn: tsPtr("arn:aws:logs:us-east-1:123456789012:stream:x"), CloudWatchLogsRoleArn: tsPtr("arn:aws:iam::123456789012:role/r")}, "InvalidCloudWatchLogsLogGroupArnException", ""},
		{"role bad", cloudtrail.CreateTrailParams{Name: "abc", S3BucketName: "bkt", CloudWatchLogsLogGroupArn: tsPtr("arn:aws:logs:us-east-1:123456789012:log-group:g:*"), CloudWatchLogsRoleArn: tsPtr("arn:aws:iam::123456789012:user/u")}, "InvalidCloudWatchLogsRoleArnException", ""},
		{"log group without role", cloudtrail.CreateTrailParams{Name: "abc", S3BucketName: "bkt", CloudWatchLogsLogGroupArn: tsPtr("arn:aws:logs:us-east-1:123456789012:log-group:g")}, "InvalidParameterCombinationException", ""},
		{"role without log group", cloudtrail.CreateTrailParams{Name: "abc", S3BucketName: "bkt", CloudWatchLogsRoleArn: tsPtr("arn:aws:iam::123456789012:role/r")}, "InvalidParameterCombinationException", ""},
		{"51 tags", cloudtrail.CreateTrailParams{Name: "abc", S3BucketName: "bkt", TagsList: tagsN(51)}, "TagsLimitExceededException", ""},
		{"50 tags ok", cloudtrail.CreateTrailParams{Name: "abc", S3BucketName: "bkt", TagsList: tagsN(50)}, "", ""},
		{"aws: tag", cloudtrail.CreateTrailParams{Name: "abc", S3BucketName: "bkt", TagsList: []cloudtrail.Tag{{Key: "aws:x", Value: "v"}}}, "InvalidTagParameterException", "aws:"},
		{"empty tag key", cloudtrail.CreateTrailParams{Name: "abc", S3BucketName: "bkt", TagsList: []cloudtrail.Tag{{Key: ""}}}, "InvalidTagParameterException", ""},
		{"long tag key", cloudtrail.CreateTrailParams{Name: "abc", S3BucketName: "bkt", TagsList: []cloudtrail.Tag{{Key: strings.Repeat("k", 129)}}}, "InvalidTagParameterException", ""},
		{"long tag value", cloudtrail.CreateTrailParams{Name: "abc", S3BucketName: "bkt", TagsList: []cloudtrail.Tag{{Key: "k", Value: strings.Repeat("v", 257)}}}, "InvalidTagParameterException", ""},
		{"dup tag key", cloudtrail.CreateTrailParams{Name: "abc", S3BucketName: "bkt", TagsList: []cloudtrail.Tag{{Key: "k", Value: "a"}, {Key: "k", Value: "b"}}}, "InvalidTagParameterException", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newTrailStore(t)
			_, err := s.Create(ctx, tAcct, tEast, tt.p)
			wantTrailErr(t, err, tt.code)
			if tt.msg != "" {
				wantTrailMsg(t, err, tt.msg)
			}
			if tt.code != "" {
				// A rejected create leaves nothing behind.
				if ts, _ := s.List(ctx, tAcct); len(ts) != 0 {
					t.Fatalf("rejected create stored %d trails", len(ts))
				}
			}
		})
	}
}

func tagsN(n int) []cloudtrail.Tag {
	tags := make([]cloudtrail.Tag, n)
	for i := range tags {
		tags[i] = cloudtrail.Tag{Key: fmt.Sprintf("k%02d", i), Value: "v"}
	}
	return tags
}

func TestTrailStore_Create_Names(t *testing.T) {
	ctx := context.Background()
	create := func(s *cloudtrail.TrailStore, region, name string, isMulti bool) error {
		_, err := s.Create(ctx, tAcct, region, cloudtrail.CreateTrailParams{Name: name, S3BucketName: "bkt", IsMultiRegionTrail: tsPtr(isMulti)})
		return err
	}
	t.Run("duplicate in region", func(t *testing.T) {
		s, _ := newTrailStore(t)
		wantTrailErr(t, create(s, tEast, "dup", false), "")
		err := create(s, tEast, "dup", false)
		wantTrailErr(t, err, "TrailAlreadyExistsException")
		wantTrailMsg(t, err, "Trail dup already exists for customer: 123456789012")
	})
	t.Run("same name in other regions", func(t *testing.T) {
		s, _ := newTrailStore(t)
		wantTrailErr(t, create(s, tEast, "x-t", false), "")
		wantTrailErr(t, create(s, tWest, "x-t", false), "")
		wantTrailErr(t, create(s, tEU, "x-t", false), "")
	})
	t.Run("same name other account", func(t *testing.T) {
		s, _ := newTrailStore(t)
		wantTrailErr(t, create(s, tEast, "x-t", true), "")
		_, err := s.Create(ctx, tOther, tEast, cloudtrail.CreateTrailParams{Name: "x-t", S3BucketName: "bkt", IsMultiRegionTrail: tsPtr(true)})
		wantTrailErr(t, err, "")
	})
	t.Run("multi-region shadow blocks the name", func(t *testing.T) {
		s, _ := newTrailStore(t)
		wantTrailErr(t, create(s, tEast, "m-t", true), "")
		wantTrailErr(t, create(s, tWest, "m-t", false), "TrailAlreadyExistsException")
		wantTrailErr(t, create(s, tWest, "m-t", true), "TrailAlreadyExistsException")
	})
	t.Run("single-region trail elsewhere blocks a multi-region one", func(t *testing.T) {
		s, _ := newTrailStore(t)
		wantTrailErr(t, create(s, tWest, "m-t", false), "")
		wantTrailErr(t, create(s, tEast, "m-t", true), "TrailAlreadyExistsException")
	})
	t.Run("recreate after delete", func(t *testing.T) {
		s, _ := newTrailStore(t)
		wantTrailErr(t, create(s, tEast, "m-t", true), "")
		wantTrailErr(t, s.Delete(ctx, tAcct, tEast, "m-t"), "")
		wantTrailErr(t, create(s, tWest, "m-t", false), "")
	})
}

func TestTrailStore_Create_Quota(t *testing.T) {
	ctx := context.Background()
	create := func(s *cloudtrail.TrailStore, region, name string, isMulti bool) error {
		_, err := s.Create(ctx, tAcct, region, cloudtrail.CreateTrailParams{Name: name, S3BucketName: "bkt", IsMultiRegionTrail: tsPtr(isMulti)})
		return err
	}
	t.Run("five per region", func(t *testing.T) {
		s, _ := newTrailStore(t)
		for i := range 5 {
			wantTrailErr(t, create(s, tEast, fmt.Sprintf("t%d-t", i), false), "")
		}
		err := create(s, tEast, "t5-t", false)
		wantTrailErr(t, err, "MaximumNumberOfTrailsExceededException")
		wantTrailMsg(t, err, "already has 5 trails in us-east-1")
		// Other regions and other accounts have their own quota.
		wantTrailErr(t, create(s, tWest, "t5-t", false), "")
		_, err = s.Create(ctx, tOther, tEast, cloudtrail.CreateTrailParams{Name: "t5-t", S3BucketName: "bkt"})
		wantTrailErr(t, err, "")
		// Deleting frees a slot.
		wantTrailErr(t, s.Delete(ctx, tAcct, tEast, "t0-t"), "")
		wantTrailErr(t, create(s, tEast, "t5-t", false), "")
	})
	t.Run("multi-region trail counts in every region", func(t *testing.T) {
		s, _ := newTrailStore(t)
		wantTrailErr(t, create(s, tEast, "m0-t", true), "")
		for i := range 4 {
			wantTrailErr(t, create(s, tWest, fmt.Sprintf("w%d-t", i), false), "")
		}
		wantTrailErr(t, create(s, tWest, "w4-t", false), "MaximumNumberOfTrailsExceededException")
		// A new multi-region trail would make us-west-2 hold 6.
		err := create(s, tEU, "m1-t", true)
		wantTrailErr(t, err, "MaximumNumberOfTrailsExceededException")
		wantTrailMsg(t, err, "us-west-2")
		wantTrailErr(t, create(s, tEU, "e1-t", false), "")
	})
	t.Run("custom quota", func(t *testing.T) {
		s, _ := newTrailStore(t)
		s.MaxTrailsPerRegion = 1
		wantTrailErr(t, create(s, tEast, "a1a", false), "")
		wantTrailErr(t, create(s, tEast, "a2a", false), "MaximumNumberOfTrailsExceededException")
	})
}

type trailFakeBuckets struct{ missing string }

func (f trailFakeBuckets) CheckBucket(_ context.Context, b, _, _ string) error {
	if b == f.missing {
		return awsproto.NewError("S3BucketDoesNotExistException", 400, "S3 bucket %s does not exist!", b)
	}
	return nil
}

func TestTrailStore_BucketChecker(t *testing.T) {
	ctx := context.Background()
	s, _ := newTrailStore(t)
	s.Buckets = trailFakeBuckets{missing: "gone"}
	_, err := s.Create(ctx, tAcct, tEast, cloudtrail.CreateTrailParams{Name: "abc", S3BucketName: "gone"})
	wantTrailErr(t, err, "S3BucketDoesNotExistException")
	mustCreateTrail(t, s, tEast, "abc")
	_, err = s.Update(ctx, tAcct, tEast, "abc", cloudtrail.UpdateTrailParams{S3BucketName: tsPtr("gone")})
	wantTrailErr(t, err, "S3BucketDoesNotExistException")
	_, err = s.Update(ctx, tAcct, tEast, "abc", cloudtrail.UpdateTrailParams{S3BucketName: tsPtr("there")})
	wantTrailErr(t, err, "")
}

func TestTrailStore_Get(t *testing.T) {
	ctx := context.Background()
	s, _ := newTrailStore(t)
	mustCreateTrail(t, s, tEast, "single")
	mustCreateTrail(t, s, tEast, "multi", multiRegion)
	tests := []struct {
		name, region, ref, code, home string
	}{
		{"by name", tEast, "single", "", tEast},
		{"by arn", tEast, trailARNOf(tEast, "single"), "", tEast},
		{"multi by name at home", tEast, "multi", "", tEast},
		{"shadow by arn", tWest, trailARNOf(tEast, "multi"), "", tEast},
		{"shadow by name", tWest, "multi", "TrailNotFoundException", ""},
		{"single-region by arn elsewhere", tWest, trailARNOf(tEast, "single"), "TrailNotFoundException", ""},
		{"unknown name", tEast, "nope", "TrailNotFoundException", ""},
		{"unknown arn", tEast, trailARNOf(tEast, "nope"), "TrailNotFoundException", ""},
		{"other account arn", tEast, cloudtrail.TrailARN(tEast, tOther, "single"), "TrailNotFoundException", ""},
		{"wrong arn region", tEast, trailARNOf(tWest, "single"), "TrailNotFoundException", ""},
		{"malformed arn service", tEast, "arn:aws:s3:us-east-1:123456789012:trail/single", "CloudTrailARNInvalidException", ""},
		{"malformed arn account", tEast, "arn:aws:cloudtrail:us-east-1:1234:trail/single", "CloudTrailARNInvalidException", ""},
		{"malformed arn type", tEast, "arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/single", "CloudTrailARNInvalidException", ""},
		{"malformed arn region", tEast, "arn:aws:cloudtrail:moon:123456789012:trail/single", "CloudTrailARNInvalidException", ""},
		{"malformed arn partition", tEast, "arn:aws-cn:cloudtrail:us-east-1:123456789012:trail/single", "CloudTrailARNInvalidException", ""},
		{"malformed arn name", tEast, "arn:aws:cloudtrail:us-east-1:123456789012:trail/a", "CloudTrailARNInvalidException", ""},
		{"short arn", tEast, "arn:aws:cloudtrail", "CloudTrailARNInvalidException", ""},
		{"invalid name", tEast, "a", "InvalidTrailNameException", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr, err := s.Get(ctx, tAcct, tt.region, tt.ref)
			wantTrailErr(t, err, tt.code)
			if tt.code == "" && tr.HomeRegion != tt.home {
				t.Fatalf("home region %s, want %s", tr.HomeRegion, tt.home)
			}
		})
	}
	t.Run("not found message", func(t *testing.T) {
		_, err := s.Get(ctx, tAcct, tWest, "nope")
		wantTrailMsg(t, err, "Unknown trail: arn:aws:cloudtrail:us-west-2:123456789012:trail/nope for the user: 123456789012")
	})
	t.Run("other account sees nothing", func(t *testing.T) {
		_, err := s.Get(ctx, tOther, tEast, "single")
		wantTrailErr(t, err, "TrailNotFoundException")
	})
}

func trailNames(ts []*cloudtrail.Trail) string {
	var out []string
	for _, t := range ts {
		out = append(out, t.Name+"@"+t.HomeRegion)
	}
	return strings.Join(out, ",")
}

func TestTrailStore_Describe(t *testing.T) {
	ctx := context.Background()
	s, _ := newTrailStore(t)
	mustCreateTrail(t, s, tEast, "e1-t")
	mustCreateTrail(t, s, tEast, "em-t", multiRegion)
	mustCreateTrail(t, s, tWest, "w1-t")
	mustCreateTrail(t, s, tWest, "wm-t", multiRegion)
	mustCreateTrail(t, s, tEU, "zm-t", multiRegion)
	_, err := s.Create(ctx, tOther, tEast, cloudtrail.CreateTrailParams{Name: "o1-t", S3BucketName: "bkt", IsMultiRegionTrail: tsPtr(true)})
	wantTrailErr(t, err, "")

	tests := []struct {
		name       string
		region     string
		trailNames []string
		shadows    *bool
		want       string
		code       string
	}{
		{"all with shadows (default)", tEast, nil, nil, "e1-t@us-east-1,em-t@us-east-1,wm-t@us-west-2,zm-t@eu-west-1", ""},
		{"all with shadows", tEast, []string{}, tsPtr(true), "e1-t@us-east-1,em-t@us-east-1,wm-t@us-west-2,zm-t@eu-west-1", ""},
		{"without shadows", tEast, nil, tsPtr(false), "e1-t@us-east-1,em-t@us-east-1", ""},
		{"from west", tWest, nil, nil, "w1-t@us-west-2,wm-t@us-west-2,em-t@us-east-1,zm-t@eu-west-1", ""},
		{"region with no trails", "ap-south-1", nil, nil, "em-t@us-east-1,wm-t@us-west-2,zm-t@eu-west-1", ""},
		{"names", tEast, []string{"em-t", "e1-t"}, nil, "em-t@us-east-1,e1-t@us-east-1", ""},
		{"unknown names omitted", tEast, []string{"nope", "e1-t", "w1-t"}, nil, "e1-t@us-east-1", ""},
		{"shadow needs arn", tEast, []string{"wm-t"}, nil, "", ""},
		{"shadow by arn", tEast, []string{trailARNOf(tWest, "wm-t")}, nil, "wm-t@us-west-2", ""},
		{"shadow by arn excluded", tEast, []string{trailARNOf(tWest, "wm-t")}, tsPtr(false), "", ""},
		{"single-region arn elsewhere", tEast, []string{trailARNOf(tWest, "w1-t")}, nil, "", ""},
		{"duplicates once", tEast, []string{"e1-t", trailARNOf(tEast, "e1-t")}, nil, "e1-t@us-east-1", ""},
		{"other account arn", tEast, []string{cloudtrail.TrailARN(tEast, tOther, "o1-t")}, nil, "", ""},
		{"invalid name", tEast, []string{"e1-t", "a"}, nil, "", "InvalidTrailNameException"},
		{"invalid arn", tEast, []string{"arn:aws:cloudtrail:us-east-1:12:trail/e1"}, nil, "", "CloudTrailARNInvalidException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts, err := s.Describe(ctx, tAcct, tt.region, tt.trailNames, tt.shadows)
			wantTrailErr(t, err, tt.code)
			if got := trailNames(ts); got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestTrailStore_List(t *testing.T) {
	ctx := context.Background()
	s, _ := newTrailStore(t)
	mustCreateTrail(t, s, tWest, "b1-t")
	mustCreateTrail(t, s, tEast, "a1-t")
	mustCreateTrail(t, s, tEU, "b1-t")
	mustCreateTrail(t, s, tEast, "c1-t", multiRegion)
	_, err := s.Create(ctx, tOther, tEast, cloudtrail.CreateTrailParams{Name: "o1-t", S3BucketName: "bkt"})
	wantTrailErr(t, err, "")
	ts, err := s.List(ctx, tAcct)
	wantTrailErr(t, err, "")
	if got, want := trailNames(ts), "a1-t@us-east-1,b1-t@eu-west-1,b1-t@us-west-2,c1-t@us-east-1"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	ts, err = s.List(ctx, "999999999999")
	wantTrailErr(t, err, "")
	if len(ts) != 0 {
		t.Fatalf("empty account listed %d trails", len(ts))
	}
}

func TestTrailStore_Update(t *testing.T) {
	ctx := context.Background()
	t.Run("members", func(t *testing.T) {
		s, clk := newTrailStore(t)
		mustCreateTrail(t, s, tEast, "u1-t", func(p *cloudtrail.CreateTrailParams) {
			p.S3KeyPrefix = tsPtr("old")
			p.SnsTopicName = tsPtr("topic")
			p.KmsKeyId = tsPtr("alias/k")
			p.TagsList = []cloudtrail.Tag{{Key: "a", Value: "b"}}
		})
		clk.Advance(time.Minute)
		tr, err := s.Update(ctx, tAcct, tEast, trailARNOf(tEast, "u1-t"), cloudtrail.UpdateTrailParams{
			S3BucketName: tsPtr("new-bucket"), S3KeyPrefix: tsPtr(""), SnsTopicName: tsPtr(""), KmsKeyId: tsPtr(""),
			EnableLogFileValidation: tsPtr(true), IncludeGlobalServiceEvents: tsPtr(false),
			CloudWatchLogsLogGroupArn: tsPtr("arn:aws:logs:us-east-1:123456789012:log-group:g:*"),
			CloudWatchLogsRoleArn:     tsPtr("arn:aws:iam::123456789012:role/r"),
		})
		wantTrailErr(t, err, "")
		if tr.S3BucketName != "new-bucket" || tr.S3KeyPrefix != "" || tr.SnsTopicName != "" || tr.SnsTopicARN != "" || tr.KmsKeyId != "" ||
			!tr.LogFileValidationEnabled || tr.IncludeGlobalServiceEvents || tr.CloudWatchLogsRoleArn == "" {
			t.Fatalf("update not applied: %+v", tr)
		}
		got, _ := s.Get(ctx, tAcct, tEast, "u1-t")
		if got.S3BucketName != "new-bucket" || len(got.Tags) != 1 || !got.UpdatedTime.Equal(trailT0.Add(time.Minute)) || !got.CreatedTime.Equal(trailT0) {
			t.Fatalf("stored: %+v", got)
		}
		// Nil members leave settings alone.
		tr, err = s.Update(ctx, tAcct, tEast, "u1-t", cloudtrail.UpdateTrailParams{})
		wantTrailErr(t, err, "")
		if tr.S3BucketName != "new-bucket" || !tr.LogFileValidationEnabled {
			t.Fatalf("empty update changed the trail: %+v", tr)
		}
	})
	tests := []struct {
		name string
		p    cloudtrail.UpdateTrailParams
		code string
	}{
		{"bad bucket", cloudtrail.UpdateTrailParams{S3BucketName: tsPtr("Bad_Bucket")}, "InvalidS3BucketNameException"},
		{"empty bucket", cloudtrail.UpdateTrailParams{S3BucketName: tsPtr("")}, "InvalidS3BucketNameException"},
		{"long prefix", cloudtrail.UpdateTrailParams{S3KeyPrefix: tsPtr(strings.Repeat("p", 201))}, "InvalidS3PrefixException"},
		{"long topic", cloudtrail.UpdateTrailParams{SnsTopicName: tsPtr(strings.Repeat("p", 257))}, "InvalidSnsTopicNameException"},
		{"bad kms", cloudtrail.UpdateTrailParams{KmsKeyId: tsPtr("key")}, "InvalidKmsKeyIdException"},
		{"org", cloudtrail.UpdateTrailParams{IsOrganizationTrail: tsPtr(true)}, "OrganizationsNotInUseException"},
		{"org false ok", cloudtrail.UpdateTrailParams{IsOrganizationTrail: tsPtr(false)}, ""},
		{"multi without global", cloudtrail.UpdateTrailParams{IsMultiRegionTrail: tsPtr(true), IncludeGlobalServiceEvents: tsPtr(false)}, "InvalidParameterCombinationException"},
		{"lone role", cloudtrail.UpdateTrailParams{CloudWatchLogsRoleArn: tsPtr("arn:aws:iam::123456789012:role/r")}, "InvalidParameterCombinationException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newTrailStore(t)
			before := mustCreateTrail(t, s, tEast, "u1-t")
			_, err := s.Update(ctx, tAcct, tEast, "u1-t", tt.p)
			wantTrailErr(t, err, tt.code)
			if tt.code != "" {
				after, _ := s.Get(ctx, tAcct, tEast, "u1-t")
				if after.S3BucketName != before.S3BucketName || after.IsMultiRegionTrail || !after.UpdatedTime.Equal(before.UpdatedTime) {
					t.Fatalf("rejected update changed the trail: %+v", after)
				}
			}
		})
	}
	t.Run("global events off on a multi-region trail", func(t *testing.T) {
		s, _ := newTrailStore(t)
		mustCreateTrail(t, s, tEast, "m1-t", multiRegion)
		_, err := s.Update(ctx, tAcct, tEast, "m1-t", cloudtrail.UpdateTrailParams{IncludeGlobalServiceEvents: tsPtr(false)})
		wantTrailErr(t, err, "InvalidParameterCombinationException")
	})
	t.Run("home region and existence", func(t *testing.T) {
		s, _ := newTrailStore(t)
		mustCreateTrail(t, s, tEast, "m1-t", multiRegion)
		_, err := s.Update(ctx, tAcct, tWest, trailARNOf(tEast, "m1-t"), cloudtrail.UpdateTrailParams{EnableLogFileValidation: tsPtr(true)})
		wantTrailErr(t, err, "InvalidHomeRegionException")
		_, err = s.Update(ctx, tAcct, tWest, "m1-t", cloudtrail.UpdateTrailParams{})
		wantTrailErr(t, err, "TrailNotFoundException")
		_, err = s.Update(ctx, tAcct, tEast, "nope", cloudtrail.UpdateTrailParams{})
		wantTrailErr(t, err, "TrailNotFoundException")
		_, err = s.Update(ctx, tAcct, tEast, "arn:aws:cloudtrail:x", cloudtrail.UpdateTrailParams{})
		wantTrailErr(t, err, "CloudTrailARNInvalidException")
	})
	t.Run("to multi-region and back", func(t *testing.T) {
		s, _ := newTrailStore(t)
		mustCreateTrail(t, s, tEast, "x1-t")
		mustCreateTrail(t, s, tWest, "x1-t")
		// x1 also exists in us-west-2: turning the east one multi-region would clash.
		_, err := s.Update(ctx, tAcct, tEast, "x1-t", cloudtrail.UpdateTrailParams{IsMultiRegionTrail: tsPtr(true)})
		wantTrailErr(t, err, "TrailAlreadyExistsException")
		if tr, _ := s.Get(ctx, tAcct, tEast, "x1-t"); tr.IsMultiRegionTrail {
			t.Fatal("rejected update stored IsMultiRegionTrail")
		}
		wantTrailErr(t, s.Delete(ctx, tAcct, tWest, "x1-t"), "")
		tr, err := s.Update(ctx, tAcct, tEast, "x1-t", cloudtrail.UpdateTrailParams{IsMultiRegionTrail: tsPtr(true)})
		wantTrailErr(t, err, "")
		if !tr.IsMultiRegionTrail {
			t.Fatal("not multi-region")
		}
		if _, err := s.Get(ctx, tAcct, tWest, trailARNOf(tEast, "x1-t")); err != nil {
			t.Fatalf("shadow not visible: %v", err)
		}
		_, err = s.Create(ctx, tAcct, tWest, cloudtrail.CreateTrailParams{Name: "x1-t", S3BucketName: "bkt"})
		wantTrailErr(t, err, "TrailAlreadyExistsException")
		_, err = s.Update(ctx, tAcct, tEast, "x1-t", cloudtrail.UpdateTrailParams{IsMultiRegionTrail: tsPtr(false)})
		wantTrailErr(t, err, "")
		_, err = s.Create(ctx, tAcct, tWest, cloudtrail.CreateTrailParams{Name: "x1-t", S3BucketName: "bkt"})
		wantTrailErr(t, err, "")
	})
	t.Run("to multi-region over quota", func(t *testing.T) {
		s, _ := newTrailStore(t)
		mustCreateTrail(t, s, tEast, "x1-t")
		for i := range 5 {
			mustCreateTrail(t, s, tWest, fmt.Sprintf("w%d-t", i))
		}
		_, err := s.Update(ctx, tAcct, tEast, "x1-t", cloudtrail.UpdateTrailParams{IsMultiRegionTrail: tsPtr(true)})
		wantTrailErr(t, err, "MaximumNumberOfTrailsExceededException")
		wantTrailErr(t, s.Delete(ctx, tAcct, tWest, "w0-t"), "")
		_, err = s.Update(ctx, tAcct, tEast, "x1-t", cloudtrail.UpdateTrailParams{IsMultiRegionTrail: tsPtr(true)})
		wantTrailErr(t, err, "")
		// us-west-2 now holds 4 + the shadow: full.
		_, err = s.Create(ctx, tAcct, tWest, cloudtrail.CreateTrailParams{Name: "w9-t", S3BucketName: "bkt"})
		wantTrailErr(t, err, "MaximumNumberOfTrailsExceededException")
	})
}

func TestTrailStore_Delete(t *testing.T) {
	ctx := context.Background()
	s, _ := newTrailStore(t)
	mustCreateTrail(t, s, tEast, "d1-t", multiRegion)
	wantTrailErr(t, s.Delete(ctx, tAcct, tEast, "nope"), "TrailNotFoundException")
	wantTrailErr(t, s.Delete(ctx, tAcct, tEast, "a"), "InvalidTrailNameException")
	wantTrailErr(t, s.Delete(ctx, tAcct, tEast, "arn:aws:cloudtrail:us-east-1:123:trail/d1"), "CloudTrailARNInvalidException")
	wantTrailErr(t, s.Delete(ctx, tAcct, tWest, trailARNOf(tEast, "d1-t")), "InvalidHomeRegionException")
	wantTrailErr(t, s.Delete(ctx, tAcct, tWest, "d1-t"), "TrailNotFoundException")
	wantTrailErr(t, s.Delete(ctx, tOther, tEast, cloudtrail.TrailARN(tEast, tAcct, "d1-t")), "TrailNotFoundException")
	wantTrailErr(t, s.Delete(ctx, tAcct, tEast, trailARNOf(tEast, "d1-t")), "")
	_, err := s.Get(ctx, tAcct, tEast, "d1-t")
	wantTrailErr(t, err, "TrailNotFoundException")
	wantTrailErr(t, s.Delete(ctx, tAcct, tEast, "d1-t"), "TrailNotFoundException")
	// Tags went with the trail.
	tr := mustCreateTrail(t, s, tEast, "d1-t")
	lt, err := s.ListTags(ctx, tAcct, tEast, []string{tr.ARN()})
	wantTrailErr(t, err, "")
	if len(lt) != 1 || len(lt[0].Tags) != 0 {
		t.Fatalf("tags survived: %+v", lt)
	}
}

func TestTrailStore_Logging(t *testing.T) {
	ctx := context.Background()
	s, clk := newTrailStore(t)
	mustCreateTrail(t, s, tEast, "l1-t", multiRegion)

	st, err := s.Status(ctx, tAcct, tEast, "l1-t")
	wantTrailErr(t, err, "")
	if st.IsLogging || !st.StartLoggingTime.IsZero() || !st.StopLoggingTime.IsZero() || st.TimeLoggingStarted != "" || st.TimeLoggingStopped != "" {
		t.Fatalf("new trail status: %+v", st)
	}
	if !st.LatestDeliveryTime.IsZero() || st.LatestDeliveryError != "" || st.LatestDeliveryAttemptTime != "" {
		t.Fatalf("delivery fields set: %+v", st)
	}

	clk.Advance(time.Hour)
	start := trailT0.Add(time.Hour)
	wantTrailErr(t, s.StartLogging(ctx, tAcct, tEast, "l1-t"), "")
	clk.Advance(time.Minute)
	wantTrailErr(t, s.StartLogging(ctx, tAcct, tEast, trailARNOf(tEast, "l1-t")), "") // idempotent
	st, _ = s.Status(ctx, tAcct, tEast, "l1-t")
	if !st.IsLogging || !st.StartLoggingTime.Equal(start) || st.TimeLoggingStarted != "2026-01-02T04:04:05Z" || st.TimeLoggingStopped != "" {
		t.Fatalf("started status: %+v", st)
	}
	// A shadow's status by ARN, from another region.
	st, err = s.Status(ctx, tAcct, tWest, trailARNOf(tEast, "l1-t"))
	wantTrailErr(t, err, "")
	if !st.IsLogging {
		t.Fatal("shadow not logging")
	}
	_, err = s.Status(ctx, tAcct, tWest, "l1-t")
	wantTrailErr(t, err, "TrailNotFoundException")

	wantTrailErr(t, s.StartLogging(ctx, tAcct, tWest, trailARNOf(tEast, "l1-t")), "InvalidHomeRegionException")
	wantTrailErr(t, s.StopLogging(ctx, tAcct, tWest, trailARNOf(tEast, "l1-t")), "InvalidHomeRegionException")
	wantTrailErr(t, s.StartLogging(ctx, tAcct, tEast, "nope"), "TrailNotFoundException")
	wantTrailErr(t, s.StopLogging(ctx, tAcct, tEast, "nope"), "TrailNotFoundException")
	wantTrailErr(t, s.StartLogging(ctx, tAcct, tEast, "arn:aws:cloudtrail:bad"), "CloudTrailARNInvalidException")

	clk.Advance(time.Minute)
	wantTrailErr(t, s.StopLogging(ctx, tAcct, tEast, "l1-t"), "")
	st, _ = s.Status(ctx, tAcct, tEast, "l1-t")
	if st.IsLogging || !st.StopLoggingTime.Equal(trailT0.Add(time.Hour+2*time.Minute)) || st.TimeLoggingStopped != "2026-01-02T04:06:05Z" || st.TimeLoggingStarted == "" {
		t.Fatalf("stopped status: %+v", st)
	}
	tr, _ := s.Get(ctx, tAcct, tEast, "l1-t")
	if tr.IsLogging {
		t.Fatal("trail still logging")
	}
}

// failingMeta fails trail-document creates and index updates on demand, to simulate a
// crash between reserving a name and writing the trail.
type trailFailingMeta struct {
	cairn.MetaStore
	mu   sync.Mutex
	fail bool
	// indexWrites is how many index updates still succeed while failing.
	indexWrites int
}

func (f *trailFailingMeta) failing() bool { f.mu.Lock(); defer f.mu.Unlock(); return f.fail }

func (f *trailFailingMeta) indexFails() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.fail {
		return false
	}
	f.indexWrites--
	return f.indexWrites < 0
}

func (f *trailFailingMeta) Create(ctx context.Context, bucket, key string, v []byte) (uint64, error) {
	if f.failing() && bucket == cloudtrail.TrailsBucket {
		return 0, errors.New("disk on fire")
	}
	return f.MetaStore.Create(ctx, bucket, key, v)
}

func (f *trailFailingMeta) Update(ctx context.Context, bucket, key string, v []byte, rev uint64) (uint64, error) {
	if bucket == cloudtrail.TrailIndexBucket && f.indexFails() {
		return 0, errors.New("disk on fire")
	}
	return f.MetaStore.Update(ctx, bucket, key, v, rev)
}

func TestTrailStore_StaleReservation(t *testing.T) {
	ctx := context.Background()
	meta := &trailFailingMeta{MetaStore: memstore.New()}
	clk := &trailClock{t: trailT0}
	s := &cloudtrail.TrailStore{Meta: meta, Clock: clk, MaxTrailsPerRegion: 2}
	mustCreateTrail(t, s, tEast, "keep")

	meta.fail, meta.indexWrites = true, 1 // the reservation succeeds, its rollback fails
	_, err := s.Create(ctx, tAcct, tEast, cloudtrail.CreateTrailParams{Name: "crashed", S3BucketName: "bkt"})
	if err == nil || isTrailAPIErr(err) {
		t.Fatalf("want an internal error, got %v", err)
	}
	meta.fail = false
	// The reservation is left behind: within the grace period it is a create in flight.
	_, err = s.Create(ctx, tAcct, tEast, cloudtrail.CreateTrailParams{Name: "crashed", S3BucketName: "bkt"})
	wantTrailErr(t, err, "TrailAlreadyExistsException")
	_, err = s.Create(ctx, tAcct, tEast, cloudtrail.CreateTrailParams{Name: "third", S3BucketName: "bkt"})
	wantTrailErr(t, err, "MaximumNumberOfTrailsExceededException")
	// After it, the leftover is pruned.
	clk.Advance(2 * time.Minute)
	mustCreateTrail(t, s, tEast, "crashed")
	_, err = s.Create(ctx, tAcct, tEast, cloudtrail.CreateTrailParams{Name: "third", S3BucketName: "bkt"})
	wantTrailErr(t, err, "MaximumNumberOfTrailsExceededException")
}

func isTrailAPIErr(err error) bool {
	var ae *awsproto.Error
	return errors.As(err, &ae)
}
