package cloudtrail

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/cairnhq/cairn"
	"github.com/cairnhq/cairn/awsproto"
)

// MetaStore buckets used by TrailStore.
const (
	// TrailsBucket holds one JSON Trail per trail, keyed "<account>.<homeRegion>.<name>".
	TrailsBucket = "trails"
	// TrailIndexBucket holds one index document per account, keyed "<account>": the
	// (name, home region, multi-Region) triple of every trail, which makes name
	// uniqueness and the per-region quota atomic.
	TrailIndexBucket = "trail-index"
)

// DefaultMaxTrailsPerRegion is AWS's fixed quota of trails per account and region
// (a multi-Region trail counts as one trail in every region).
const DefaultMaxTrailsPerRegion = 5

// maxAttempts bounds compare-and-set retries; each failed attempt means another writer
// succeeded, so it is only reached under pathological contention.
const casMaxAttempts = 1000

// Trail is a trail as Cairn stores it. It is persisted as JSON; every call returns a
// fresh copy the caller may keep and modify.
type Trail struct {
	Name       string
	Account    string
	HomeRegion string

	S3BucketName               string
	S3KeyPrefix                string // "" when not set
	SnsTopicName               string // as given (name or ARN); "" when not set
	SnsTopicARN                string // "" when not set
	IncludeGlobalServiceEvents bool
	IsMultiRegionTrail         bool
	LogFileValidationEnabled   bool
	IsOrganizationTrail        bool
	CloudWatchLogsLogGroupArn  string
	CloudWatchLogsRoleArn      string
	KmsKeyId                   string // the key or alias ARN; "" when not set

	// Exactly one selector kind is in use: EventSelectors when
	// UsesAdvancedEventSelectors is false, AdvancedEventSelectors otherwise.
	EventSelectors             []EventSelector
	AdvancedEventSelectors     []AdvancedEventSelector
	UsesAdvancedEventSelectors bool
	// HasCustomEventSelectors is true once PutEventSelectors has succeeded on the trail.
	HasCustomEventSelectors bool
	InsightSelectors        []InsightSelector

	Tags []Tag // in insertion order

	IsLogging        bool
	StartLoggingTime time.Time // zero: never started
	StopLoggingTime  time.Time // zero: never stopped
	// LoggingPeriods are the most recent times the trail was logging, oldest first (at
	// most MaxLoggingPeriods): delivery takes an event only if the trail was logging
	// when it happened, so StartLogging never backfills a stopped gap.
	LoggingPeriods []LoggingPeriod `json:",omitempty"`
	CreatedTime    time.Time
	UpdatedTime    time.Time
}

// MaxLoggingPeriods bounds Trail.LoggingPeriods.
const MaxLoggingPeriods = 64

// LoggingPeriod is a time the trail was logging: from Start until Stop (zero: still).
type LoggingPeriod struct {
	Start time.Time
	Stop  time.Time `json:",omitzero"`
}

// LoggingAt reports whether the trail was logging at ts.
func (t *Trail) LoggingAt(ts time.Time) bool {
	for i := len(t.LoggingPeriods) - 1; i >= 0; i-- {
		p := t.LoggingPeriods[i]
		if !ts.Before(p.Start) && (p.Stop.IsZero() || ts.Before(p.Stop)) {
			return true
		}
	}
	return false
}

// Key is the trail's key in TrailsBucket (and in the delivery status bucket).
func (t *Trail) Key() string { return t.key() }

// ARN returns the trail ARN, which always carries the home region.
func (t *Trail) ARN() string { return TrailARN(t.HomeRegion, t.Account, t.Name) }

// HasInsightSelectors reports whether Insights are enabled on the trail.
func (t *Trail) HasInsightSelectors() bool { return len(t.InsightSelectors) > 0 }

// IsShadowIn reports whether the trail, seen from region, is a shadow trail (a replica
// of a multi-Region trail whose home is another region).
func (t *Trail) IsShadowIn(region string) bool { return t.HomeRegion != region }

func (t *Trail) key() string { return trailKey(t.Account, t.HomeRegion, t.Name) }

func trailKey(account, region, name string) string { return account + "." + region + "." + name }

// BucketChecker verifies that CloudTrail can deliver to a bucket. CheckBucket returns nil
// when the trail trailARN may write under keyPrefix ("[prefix/]AWSLogs/<account>/") in
// bucket, or an *awsproto.Error for the client (S3BucketDoesNotExistException,
// InsufficientS3BucketPolicyException); any other error becomes an internal failure.
type BucketChecker interface {
	CheckBucket(ctx context.Context, bucket, keyPrefix, trailARN string) error
}

// TopicChecker verifies a trail's SNS topic, which in Cairn names a configured
// notification target. CheckTopic returns nil when topicARN names one, or an
// *awsproto.Error (InsufficientSnsTopicPolicyException) when it does not.
type TopicChecker interface {
	CheckTopic(ctx context.Context, topicARN string) error
}

// LogKeyPrefix is the key prefix under which a trail of account delivers:
// "[prefix/]AWSLogs/<account>/".
func LogKeyPrefix(s3KeyPrefix, account string) string {
	if s3KeyPrefix == "" {
		return "AWSLogs/" + account + "/"
	}
	return s3KeyPrefix + "/AWSLogs/" + account + "/"
}

// TrailStore is the trail control plane over a MetaStore. It is safe for concurrent use
// by many goroutines and many processes sharing the MetaStore.
type TrailStore struct {
	Meta  cairn.MetaStore
	Clock cairn.Clock // nil: the system clock
	// MaxTrailsPerRegion is the per-region quota; 0 means DefaultMaxTrailsPerRegion.
	MaxTrailsPerRegion int
	// Buckets checks the S3 bucket of CreateTrail/UpdateTrail; nil skips the check.
	Buckets BucketChecker
	// Topics checks the SNS topic of CreateTrail/UpdateTrail; nil accepts any topic.
	Topics TopicChecker

	decoded trailCache
}

func (s *TrailStore) now() time.Time {
	if s.Clock == nil {
		return time.Now().UTC()
	}
	return s.Clock.Now().UTC()
}

func (s *TrailStore) maxTrails() int {
	if s.MaxTrailsPerRegion > 0 {
		return s.MaxTrailsPerRegion
	}
	return DefaultMaxTrailsPerRegion
}

// CreateTrailParams are the members of CreateTrail. Nil pointers are absent members.
type CreateTrailParams struct {
	Name                       string
	S3BucketName               string
	S3KeyPrefix                *string
	SnsTopicName               *string
	IncludeGlobalServiceEvents *bool // default true
	IsMultiRegionTrail         *bool // default false
	EnableLogFileValidation    *bool // default false
	CloudWatchLogsLogGroupArn  *string
	CloudWatchLogsRoleArn      *string
	KmsKeyId                   *string
	IsOrganizationTrail        *bool
	TagsList                   []Tag
}

// UpdateTrailParams are the optional members of UpdateTrail. Nil leaves a setting
// unchanged; an empty string removes an optional string setting (S3KeyPrefix,
// SnsTopicName, KmsKeyId, the CloudWatch Logs ARNs).
type UpdateTrailParams struct {
	S3BucketName               *string
	S3KeyPrefix                *string
	SnsTopicName               *string
	IncludeGlobalServiceEvents *bool
	IsMultiRegionTrail         *bool
	EnableLogFileValidation    *bool
	CloudWatchLogsLogGroupArn  *string
	CloudWatchLogsRoleArn      *string
	KmsKeyId                   *string
	IsOrganizationTrail        *bool
}

// apply validates the given settings and applies them to t, then checks the rules that
// involve several settings.
func (p UpdateTrailParams) apply(t *Trail) error {
	if p.S3BucketName != nil {
		if err := validateBucketName(*p.S3BucketName); err != nil {
			return err
		}
		t.S3BucketName = *p.S3BucketName
	}
	if p.S3KeyPrefix != nil {
		if err := validateS3KeyPrefix(*p.S3KeyPrefix); err != nil {
			return err
		}
		t.S3KeyPrefix = *p.S3KeyPrefix
	}
	if p.SnsTopicName != nil {
		t.SnsTopicName, t.SnsTopicARN = "", ""
		if *p.SnsTopicName != "" {
			arn, err := snsTopicARN(*p.SnsTopicName, t.HomeRegion, t.Account)
			if err != nil {
				return err
			}
			t.SnsTopicName, t.SnsTopicARN = *p.SnsTopicName, arn
		}
	}
	if p.IncludeGlobalServiceEvents != nil {
		t.IncludeGlobalServiceEvents = *p.IncludeGlobalServiceEvents
	}
	if p.IsMultiRegionTrail != nil {
		t.IsMultiRegionTrail = *p.IsMultiRegionTrail
	}
	if p.EnableLogFileValidation != nil {
		t.LogFileValidationEnabled = *p.EnableLogFileValidation
	}
	if p.CloudWatchLogsLogGroupArn != nil {
		if *p.CloudWatchLogsLogGroupArn != "" {
			if err := validateLogGroupARN(*p.CloudWatchLogsLogGroupArn); err != nil {
				return err
			}
		}
		t.CloudWatchLogsLogGroupArn = *p.CloudWatchLogsLogGroupArn
	}
	if p.CloudWatchLogsRoleArn != nil {
		if *p.CloudWatchLogsRoleArn != "" {
			if err := validateRoleARN(*p.CloudWatchLogsRoleArn); err != nil {
				return err
			}
		}
		t.CloudWatchLogsRoleArn = *p.CloudWatchLogsRoleArn
	}
	if p.KmsKeyId != nil {
		t.KmsKeyId = ""
		if *p.KmsKeyId != "" {
			arn, err := kmsKeyARN(*p.KmsKeyId, t.HomeRegion, t.Account)
			if err != nil {
				return err
			}
			t.KmsKeyId = arn
		}
	}
	if p.IsOrganizationTrail != nil && *p.IsOrganizationTrail {
		return ctError(CodeOrganizationsNotInUse, "Account %s is not a member of an organization: Cairn does not support AWS Organizations, so organization trails cannot be created.", t.Account)
	}
	if t.IsMultiRegionTrail && !t.IncludeGlobalServiceEvents {
		return ctError(CodeInvalidParameterCombination, "Multi-Region trail must include global service events.")
	}
	if (t.CloudWatchLogsLogGroupArn == "") != (t.CloudWatchLogsRoleArn == "") {
		return ctError(CodeInvalidParameterCombination, "CloudWatchLogsLogGroupArn and CloudWatchLogsRoleArn must be specified together.")
	}
	return nil
}

// Create creates a trail in region (its home region). Logging is not started.
func (s *TrailStore) Create(ctx context.Context, account, region string, p CreateTrailParams) (*Trail, error) {
	if IsARN(p.Name) {
		return nil, ctError(CodeInvalidTrailName, "CreateTrail requires a trail name, not an ARN: %s", p.Name)
	}
	if err := ValidateTrailName(p.Name); err != nil {
		return nil, err
	}
	now := s.now()
	t := &Trail{
		Name:                       p.Name,
		Account:                    account,
		HomeRegion:                 region,
		IncludeGlobalServiceEvents: true,
		EventSelectors:             DefaultEventSelectors(),
		AdvancedEventSelectors:     nil,
		InsightSelectors:           []InsightSelector{},
		Tags:                       []Tag{},
		CreatedTime:                now,
		UpdatedTime:                now,
	}
	bucket := p.S3BucketName
	settings := UpdateTrailParams{
		S3BucketName:               &bucket,
		S3KeyPrefix:                p.S3KeyPrefix,
		SnsTopicName:               p.SnsTopicName,
		IncludeGlobalServiceEvents: p.IncludeGlobalServiceEvents,
		IsMultiRegionTrail:         p.IsMultiRegionTrail,
		EnableLogFileValidation:    p.EnableLogFileValidation,
		CloudWatchLogsLogGroupArn:  p.CloudWatchLogsLogGroupArn,
		CloudWatchLogsRoleArn:      p.CloudWatchLogsRoleArn,
		KmsKeyId:                   p.KmsKeyId,
		IsOrganizationTrail:        p.IsOrganizationTrail,
	}
	if err := settings.apply(t); err != nil {
		return nil, err
	}
	tags, err := mergeTags(nil, p.TagsList)
	if err != nil {
		return nil, err
	}
	t.Tags = tags
	if err := s.checkDestinations(ctx, t, true, true); err != nil {
		return nil, err
	}

	if err := s.indexAdd(ctx, account, indexEntry{Name: t.Name, Home: region, Multi: t.IsMultiRegionTrail, Since: now}); err != nil {
		return nil, err
	}
	b, err := json.Marshal(t)
	if err == nil {
		_, err = s.Meta.Create(ctx, TrailsBucket, t.key(), b)
	}
	if err != nil {
		// Give the reservation back; if that fails too, the entry is pruned as stale later.
		_ = s.indexRemove(context.WithoutCancel(ctx), account, t.Name, region)
		if errors.Is(err, cairn.ErrExists) {
			return nil, errTrailExists(t.Name, account)
		}
		return nil, fmt.Errorf("create trail: %w", err)
	}
	return t, nil
}

// checkDestinations checks t's bucket (with its prefix) and SNS topic, as requested.
func (s *TrailStore) checkDestinations(ctx context.Context, t *Trail, bucket, topic bool) error {
	if bucket && s.Buckets != nil {
		if err := s.Buckets.CheckBucket(ctx, t.S3BucketName, LogKeyPrefix(t.S3KeyPrefix, t.Account), t.ARN()); err != nil {
			return err
		}
	}
	if topic && s.Topics != nil && t.SnsTopicARN != "" {
		if err := s.Topics.CheckTopic(ctx, t.SnsTopicARN); err != nil {
			return err
		}
	}
	return nil
}

// load reads one trail document; the error wraps cairn.ErrNotFound when it is absent.
func (s *TrailStore) load(ctx context.Context, account, home, name string) (*Trail, uint64, error) {
	e, err := s.Meta.Get(ctx, TrailsBucket, trailKey(account, home, name))
	if err != nil {
		return nil, 0, err
	}
	t, err := s.decoded.decode(e)
	if err != nil {
		return nil, 0, err
	}
	return t, e.Revision, nil
}

// resolve finds the trail ref names as seen from region. A plain name finds only a trail
// whose home is region; an ARN finds a trail of region or a multi-Region trail of another
// region (a shadow trail). Other accounts' trails are never found.
func (s *TrailStore) resolve(ctx context.Context, account, region string, ref trailRef) (*Trail, uint64, error) {
	home := region
	if ref.IsARN {
		if ref.Account != account {
			return nil, 0, errTrailNotFound(ref.display(account, region), account)
		}
		home = ref.Region
	}
	t, rev, err := s.load(ctx, account, home, ref.Name)
	if errors.Is(err, cairn.ErrNotFound) || err == nil && home != region && !t.IsMultiRegionTrail {
		return nil, 0, errTrailNotFound(ref.display(account, region), account)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("read trail: %w", err)
	}
	return t, rev, nil
}

func errHomeRegion(t *Trail, region string) error {
	return ctError(CodeInvalidHomeRegion, "The trail %s was created in %s; it can only be modified from its home region, not from %s.", t.ARN(), t.HomeRegion, region)
}

func errTrailExists(name, account string) error {
	return ctError(CodeTrailAlreadyExists, "Trail %s already exists for customer: %s", name, account)
}

func errConflict() error {
	return ctError(CodeConflict, "The trail is being modified by another request. Try again.")
}

// Get returns the trail nameOrARN names, as seen from region.
func (s *TrailStore) Get(ctx context.Context, account, region, nameOrARN string) (*Trail, error) {
	ref, err := parseTrailRef(nameOrARN)
	if err != nil {
		return nil, err
	}
	t, _, err := s.resolve(ctx, account, region, ref)
	return t, err
}

// mutate applies fn to the trail in its home region with compare-and-set, retrying on
// concurrent writes. fn sees a fresh copy on every attempt.
func (s *TrailStore) mutate(ctx context.Context, account, region, nameOrARN string, fn func(t *Trail) error) (*Trail, error) {
	ref, err := parseTrailRef(nameOrARN)
	if err != nil {
		return nil, err
	}
	for range casMaxAttempts {
		t, rev, err := s.resolve(ctx, account, region, ref)
		if err != nil {
			return nil, err
		}
		if t.HomeRegion != region {
			return nil, errHomeRegion(t, region)
		}
		if err := fn(t); err != nil {
			return nil, err
		}
		t.UpdatedTime = s.now()
		b, err := json.Marshal(t)
		if err != nil {
			return nil, fmt.Errorf("encode trail: %w", err)
		}
		_, err = s.Meta.Update(ctx, TrailsBucket, t.key(), b, rev)
		switch {
		case err == nil:
			return t, nil
		case errors.Is(err, cairn.ErrRevisionMismatch), errors.Is(err, cairn.ErrNotFound):
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			continue
		default:
			return nil, fmt.Errorf("update trail: %w", err)
		}
	}
	return nil, errConflict()
}

// listAccount returns every trail of the account, in every region, sorted by key.
func (s *TrailStore) listAccount(ctx context.Context, account string) ([]*Trail, error) {
	es, err := s.Meta.List(ctx, TrailsBucket, account+".")
	if err != nil {
		return nil, fmt.Errorf("list trails: %w", err)
	}
	out := make([]*Trail, 0, len(es))
	for _, e := range es {
		t, err := s.decoded.decode(e)
		if err != nil {
			return nil, err
		}
		if t.Account == account {
			out = append(out, t)
		}
	}
	return out, nil
}

// List returns every trail of the account in every region (ListTrails), sorted by name
// and then home region. ListTrails reports each as TrailARN, Name and HomeRegion.
func (s *TrailStore) List(ctx context.Context, account string) ([]*Trail, error) {
	ts, err := s.listAccount(ctx, account)
	if err != nil {
		return nil, err
	}
	sort.SliceStable(ts, func(i, j int) bool {
		if ts[i].Name != ts[j].Name {
			return ts[i].Name < ts[j].Name
		}
		return ts[i].HomeRegion < ts[j].HomeRegion
	})
	return ts, nil
}

// Describe implements DescribeTrails. With no names it returns the trails whose home is
// region and, unless includeShadow is false (nil means true), the multi-Region trails of
// other regions; trails of region come first, each group sorted by name. With names, a
// plain name matches only a trail whose home is region, an ARN also matches a shadow
// trail; names that match nothing are left out (not an error), invalid names and ARNs
// fail the call. Results follow the order of names, without duplicates.
func (s *TrailStore) Describe(ctx context.Context, account, region string, names []string, includeShadow *bool) ([]*Trail, error) {
	shadows := includeShadow == nil || *includeShadow
	if len(names) == 0 {
		all, err := s.listAccount(ctx, account)
		if err != nil {
			return nil, err
		}
		out := all[:0]
		for _, t := range all {
			if t.HomeRegion == region || shadows && t.IsMultiRegionTrail {
				out = append(out, t)
			}
		}
		sort.SliceStable(out, func(i, j int) bool {
			si, sj := out[i].IsShadowIn(region), out[j].IsShadowIn(region)
			if si != sj {
				return !si
			}
			if out[i].Name != out[j].Name {
				return out[i].Name < out[j].Name
			}
			return out[i].HomeRegion < out[j].HomeRegion
		})
		return out, nil
	}
	refs := make([]trailRef, 0, len(names))
	for _, n := range names {
		ref, err := parseTrailRef(n)
		if err != nil {
			return nil, err
		}
		refs = append(refs, ref)
	}
	var out []*Trail
	seen := map[string]bool{}
	for _, ref := range refs {
		t, _, err := s.resolve(ctx, account, region, ref)
		var ae *awsproto.Error
		if errors.As(err, &ae) && ae.Code == CodeTrailNotFound {
			continue
		}
		if err != nil {
			return nil, err
		}
		if !shadows && t.IsShadowIn(region) || seen[t.key()] {
			continue
		}
		seen[t.key()] = true
		out = append(out, t)
	}
	return out, nil
}

// Update implements UpdateTrail. It must be called in the trail's home region.
func (s *TrailStore) Update(ctx context.Context, account, region, nameOrARN string, p UpdateTrailParams) (*Trail, error) {
	if p.S3BucketName != nil {
		if err := validateBucketName(*p.S3BucketName); err != nil {
			return nil, err
		}
	}
	var reserved *Trail // set when this call turned the index entry multi-Region
	t, err := s.mutate(ctx, account, region, nameOrARN, func(t *Trail) error {
		wasMulti := t.IsMultiRegionTrail
		if err := p.apply(t); err != nil {
			return err
		}
		if err := s.checkDestinations(ctx, t, p.S3BucketName != nil || p.S3KeyPrefix != nil, p.SnsTopicName != nil); err != nil {
			return err
		}
		if !wasMulti && t.IsMultiRegionTrail && reserved == nil {
			// Reserve the name and a quota slot in every region before the trail
			// becomes visible there.
			if err := s.indexSetMulti(ctx, account, t.Name, t.HomeRegion, true); err != nil {
				return err
			}
			reserved = t
		}
		return nil
	})
	if err != nil {
		if reserved != nil {
			_ = s.indexSetMulti(context.WithoutCancel(ctx), account, reserved.Name, reserved.HomeRegion, false)
		}
		return nil, err
	}
	if !t.IsMultiRegionTrail {
		// Release the other regions (also after a reservation that a concurrent update
		// made moot). Best effort: an over-reservation only blocks, never overbooks.
		_ = s.indexSetMulti(ctx, account, t.Name, t.HomeRegion, false)
	}
	return t, nil
}

// Delete implements DeleteTrail. It must be called in the trail's home region; an
// unknown trail is a TrailNotFoundException.
func (s *TrailStore) Delete(ctx context.Context, account, region, nameOrARN string) error {
	ref, err := parseTrailRef(nameOrARN)
	if err != nil {
		return err
	}
	for range casMaxAttempts {
		t, rev, err := s.resolve(ctx, account, region, ref)
		if err != nil {
			return err
		}
		if t.HomeRegion != region {
			return errHomeRegion(t, region)
		}
		err = s.Meta.Delete(ctx, TrailsBucket, t.key(), rev)
		switch {
		case err == nil:
			if err := s.indexRemove(context.WithoutCancel(ctx), account, t.Name, t.HomeRegion); err != nil {
				return fmt.Errorf("delete trail: %w", err)
			}
			// A trail created later under the same name starts without a status.
			_ = s.Meta.Delete(context.WithoutCancel(ctx), TrailStatusBucket, t.key(), 0)
			return nil
		case errors.Is(err, cairn.ErrRevisionMismatch), errors.Is(err, cairn.ErrNotFound):
			if err := ctx.Err(); err != nil {
				return err
			}
			continue
		default:
			return fmt.Errorf("delete trail: %w", err)
		}
	}
	return errConflict()
}

// StartLogging starts recording on the trail (home region only). Starting a trail that
// is already logging changes nothing.
func (s *TrailStore) StartLogging(ctx context.Context, account, region, nameOrARN string) error {
	_, err := s.mutate(ctx, account, region, nameOrARN, func(t *Trail) error {
		if !t.IsLogging {
			t.IsLogging = true
			t.StartLoggingTime = s.now()
			t.LoggingPeriods = append(t.LoggingPeriods, LoggingPeriod{Start: t.StartLoggingTime})
			if n := len(t.LoggingPeriods); n > MaxLoggingPeriods {
				t.LoggingPeriods = append([]LoggingPeriod(nil), t.LoggingPeriods[n-MaxLoggingPeriods:]...)
			}
		}
		return nil
	})
	return err
}

// StopLogging stops recording on the trail (home region only). Stopping a trail that is
// not logging changes nothing.
func (s *TrailStore) StopLogging(ctx context.Context, account, region, nameOrARN string) error {
	_, err := s.mutate(ctx, account, region, nameOrARN, func(t *Trail) error {
		if t.IsLogging {
			t.IsLogging = false
			t.StopLoggingTime = s.now()
			if n := len(t.LoggingPeriods); n > 0 && t.LoggingPeriods[n-1].Stop.IsZero() {
				t.LoggingPeriods[n-1].Stop = t.StopLoggingTime
			}
		}
		return nil
	})
	return err
}

// TrailStatus is the GetTrailStatus response. Zero times are absent members; the
// deprecated string members are "" when unknown, as AWS returns them.
type TrailStatus struct {
	IsLogging        bool
	StartLoggingTime time.Time
	StopLoggingTime  time.Time

	LatestDeliveryTime                time.Time
	LatestDeliveryError               string
	LatestNotificationTime            time.Time
	LatestNotificationError           string
	LatestCloudWatchLogsDeliveryTime  time.Time
	LatestCloudWatchLogsDeliveryError string
	LatestDigestDeliveryTime          time.Time
	LatestDigestDeliveryError         string

	// Deprecated string members ("2015-09-01T20:35:57Z" or "").
	TimeLoggingStarted                 string
	TimeLoggingStopped                 string
	LatestDeliveryAttemptTime          string
	LatestNotificationAttemptTime      string
	LatestNotificationAttemptSucceeded string
	LatestDeliveryAttemptSucceeded     string
}

// StatusTimeLayout is how the deprecated string members of GetTrailStatus spell times.
const StatusTimeLayout = "2006-01-02T15:04:05Z"

func formatStatusTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(StatusTimeLayout)
}

// Status implements GetTrailStatus. It works from any region the trail is visible in
// (a shadow trail by ARN). The delivery members are what delivery last reported.
func (s *TrailStore) Status(ctx context.Context, account, region, nameOrARN string) (*TrailStatus, error) {
	t, err := s.Get(ctx, account, region, nameOrARN)
	if err != nil {
		return nil, err
	}
	d, err := s.deliveryStatus(ctx, t)
	if err != nil {
		return nil, err
	}
	return &TrailStatus{
		IsLogging:          t.IsLogging,
		StartLoggingTime:   t.StartLoggingTime,
		StopLoggingTime:    t.StopLoggingTime,
		TimeLoggingStarted: formatStatusTime(t.StartLoggingTime),
		TimeLoggingStopped: formatStatusTime(t.StopLoggingTime),

		LatestDeliveryTime:                 d.LatestDeliveryTime,
		LatestDeliveryError:                d.LatestDeliveryError,
		LatestDeliveryAttemptTime:          formatStatusTime(d.LatestDeliveryAttemptTime),
		LatestDeliveryAttemptSucceeded:     formatStatusTime(d.LatestDeliveryAttemptSucceeded),
		LatestNotificationTime:             d.LatestNotificationTime,
		LatestNotificationError:            d.LatestNotificationError,
		LatestNotificationAttemptTime:      formatStatusTime(d.LatestNotificationAttemptTime),
		LatestNotificationAttemptSucceeded: formatStatusTime(d.LatestNotificationAttemptSucceeded),
		LatestDigestDeliveryTime:           d.LatestDigestDeliveryTime,
		LatestDigestDeliveryError:          d.LatestDigestDeliveryError,
	}, nil
}
