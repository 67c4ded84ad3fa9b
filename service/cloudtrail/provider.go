package cloudtrail

import (
	"context"
	"time"

	"github.com/cairnhq/cairn"
	"github.com/cairnhq/cairn/api/cloudtrail"
	"github.com/cairnhq/cairn/awsproto"
	"github.com/cairnhq/cairn/history"
)

// Provider implements the CloudTrail API. Operations it does not implement answer
// UnsupportedOperationException through the embedded UnimplementedService.
type Provider struct {
	cloudtrail.UnimplementedService
	Trails  *TrailStore
	History *history.Index
	Records RecordFetcher
	// Keys serves ListPublicKeys (nil: the operation is unsupported).
	Keys cairn.KeySource
}

var _ cloudtrail.Service = (*Provider)(nil)

// ResourceTypeTrail is the resource type of trails in records and LookupEvents.
const ResourceTypeTrail = "AWS::CloudTrail::Trail"

// caller returns the caller's account and region from the request context.
func caller(ctx context.Context) (account, region string) {
	rc := awsproto.FromContext(ctx)
	return rc.Principal.AccountID, rc.Region
}

// touches names the trail an operation acted on, for LookupEvents' Resources.
func touches(ctx context.Context, arns ...string) {
	rc := awsproto.FromContext(ctx)
	for _, a := range arns {
		rc.LookupResources = append(rc.LookupResources, cairn.LookupResource{Type: ResourceTypeTrail, Name: a})
	}
}

func timestamp(t time.Time) *awsproto.Timestamp {
	if t.IsZero() {
		return nil
	}
	return awsproto.NewTimestamp(t)
}

func trailShape(t *Trail) cloudtrail.Trail {
	return cloudtrail.Trail{
		Name: ptr(t.Name), S3BucketName: ptr(t.S3BucketName), S3KeyPrefix: optional(t.S3KeyPrefix),
		SnsTopicName: optional(t.SnsTopicName), SnsTopicARN: optional(t.SnsTopicARN),
		IncludeGlobalServiceEvents: ptr(t.IncludeGlobalServiceEvents), IsMultiRegionTrail: ptr(t.IsMultiRegionTrail),
		HomeRegion: ptr(t.HomeRegion), TrailARN: ptr(t.ARN()), LogFileValidationEnabled: ptr(t.LogFileValidationEnabled),
		CloudWatchLogsLogGroupArn: optional(t.CloudWatchLogsLogGroupArn), CloudWatchLogsRoleArn: optional(t.CloudWatchLogsRoleArn),
		KmsKeyId: optional(t.KmsKeyId), HasCustomEventSelectors: ptr(t.HasCustomEventSelectors),
		HasInsightSelectors: ptr(t.HasInsightSelectors()), IsOrganizationTrail: ptr(t.IsOrganizationTrail),
	}
}

func tagsIn(in []cloudtrail.Tag) []Tag {
	out := make([]Tag, 0, len(in))
	for _, t := range in {
		out = append(out, Tag{Key: deref(t.Key), Value: deref(t.Value)})
	}
	return out
}

func tagsOut(in []Tag) []cloudtrail.Tag {
	out := make([]cloudtrail.Tag, 0, len(in))
	for _, t := range in {
		out = append(out, cloudtrail.Tag{Key: ptr(t.Key), Value: optional(t.Value)})
	}
	return out
}

// CreateTrail implements cloudtrail.Service.
func (p *Provider) CreateTrail(ctx context.Context, in *cloudtrail.CreateTrailRequest) (*cloudtrail.CreateTrailResponse, error) {
	account, region := caller(ctx)
	t, err := p.Trails.Create(ctx, account, region, CreateTrailParams{
		Name: deref(in.Name), S3BucketName: deref(in.S3BucketName), S3KeyPrefix: in.S3KeyPrefix, SnsTopicName: in.SnsTopicName,
		IncludeGlobalServiceEvents: in.IncludeGlobalServiceEvents, IsMultiRegionTrail: in.IsMultiRegionTrail,
		EnableLogFileValidation: in.EnableLogFileValidation, CloudWatchLogsLogGroupArn: in.CloudWatchLogsLogGroupArn,
		CloudWatchLogsRoleArn: in.CloudWatchLogsRoleArn, KmsKeyId: in.KmsKeyId, IsOrganizationTrail: in.IsOrganizationTrail,
		TagsList: tagsIn(in.TagsList),
	})
	if err != nil {
		return nil, err
	}
	touches(ctx, t.ARN())
	s := trailShape(t)
	return &cloudtrail.CreateTrailResponse{
		Name: s.Name, S3BucketName: s.S3BucketName, S3KeyPrefix: s.S3KeyPrefix, SnsTopicName: s.SnsTopicName, SnsTopicARN: s.SnsTopicARN,
		IncludeGlobalServiceEvents: s.IncludeGlobalServiceEvents, IsMultiRegionTrail: s.IsMultiRegionTrail, TrailARN: s.TrailARN,
		LogFileValidationEnabled: s.LogFileValidationEnabled, CloudWatchLogsLogGroupArn: s.CloudWatchLogsLogGroupArn,
		CloudWatchLogsRoleArn: s.CloudWatchLogsRoleArn, KmsKeyId: s.KmsKeyId, IsOrganizationTrail: s.IsOrganizationTrail,
	}, nil
}

// UpdateTrail implements cloudtrail.Service.
func (p *Provider) UpdateTrail(ctx context.Context, in *cloudtrail.UpdateTrailRequest) (*cloudtrail.UpdateTrailResponse, error) {
	account, region := caller(ctx)
	t, err := p.Trails.Update(ctx, account, region, deref(in.Name), UpdateTrailParams{
		S3BucketName: in.S3BucketName, S3KeyPrefix: in.S3KeyPrefix, SnsTopicName: in.SnsTopicName,
		IncludeGlobalServiceEvents: in.IncludeGlobalServiceEvents, IsMultiRegionTrail: in.IsMultiRegionTrail,
		EnableLogFileValidation: in.EnableLogFileValidation, CloudWatchLogsLogGroupArn: in.CloudWatchLogsLogGroupArn,
		CloudWatchLogsRoleArn: in.CloudWatchLogsRoleArn, KmsKeyId: in.KmsKeyId, IsOrganizationTrail: in.IsOrganizationTrail,
	})
	if err != nil {
		return nil, err
	}
	touches(ctx, t.ARN())
	s := trailShape(t)
	return &cloudtrail.UpdateTrailResponse{
		Name: s.Name, S3BucketName: s.S3BucketName, S3KeyPrefix: s.S3KeyPrefix, SnsTopicName: s.SnsTopicName, SnsTopicARN: s.SnsTopicARN,
		IncludeGlobalServiceEvents: s.IncludeGlobalServiceEvents, IsMultiRegionTrail: s.IsMultiRegionTrail, TrailARN: s.TrailARN,
		LogFileValidationEnabled: s.LogFileValidationEnabled, CloudWatchLogsLogGroupArn: s.CloudWatchLogsLogGroupArn,
		CloudWatchLogsRoleArn: s.CloudWatchLogsRoleArn, KmsKeyId: s.KmsKeyId, IsOrganizationTrail: s.IsOrganizationTrail,
	}, nil
}

// GetTrail implements cloudtrail.Service.
func (p *Provider) GetTrail(ctx context.Context, in *cloudtrail.GetTrailRequest) (*cloudtrail.GetTrailResponse, error) {
	account, region := caller(ctx)
	t, err := p.Trails.Get(ctx, account, region, deref(in.Name))
	if err != nil {
		return nil, err
	}
	touches(ctx, t.ARN())
	s := trailShape(t)
	return &cloudtrail.GetTrailResponse{Trail: &s}, nil
}

// DescribeTrails implements cloudtrail.Service.
func (p *Provider) DescribeTrails(ctx context.Context, in *cloudtrail.DescribeTrailsRequest) (*cloudtrail.DescribeTrailsResponse, error) {
	account, region := caller(ctx)
	ts, err := p.Trails.Describe(ctx, account, region, in.TrailNameList, in.IncludeShadowTrails)
	if err != nil {
		return nil, err
	}
	out := &cloudtrail.DescribeTrailsResponse{TrailList: make([]cloudtrail.Trail, 0, len(ts))}
	for _, t := range ts {
		out.TrailList = append(out.TrailList, trailShape(t))
	}
	return out, nil
}

// ListTrails implements cloudtrail.Service.
func (p *Provider) ListTrails(ctx context.Context, _ *cloudtrail.ListTrailsRequest) (*cloudtrail.ListTrailsResponse, error) {
	account, _ := caller(ctx)
	ts, err := p.Trails.List(ctx, account)
	if err != nil {
		return nil, err
	}
	out := &cloudtrail.ListTrailsResponse{Trails: make([]cloudtrail.TrailInfo, 0, len(ts))}
	for _, t := range ts {
		out.Trails = append(out.Trails, cloudtrail.TrailInfo{TrailARN: ptr(t.ARN()), Name: ptr(t.Name), HomeRegion: ptr(t.HomeRegion)})
	}
	return out, nil
}

// DeleteTrail implements cloudtrail.Service.
func (p *Provider) DeleteTrail(ctx context.Context, in *cloudtrail.DeleteTrailRequest) (*cloudtrail.DeleteTrailResponse, error) {
	account, region := caller(ctx)
	if err := p.Trails.Delete(ctx, account, region, deref(in.Name)); err != nil {
		return nil, err
	}
	touches(ctx, refARN(account, region, deref(in.Name)))
	return &cloudtrail.DeleteTrailResponse{}, nil
}

// StartLogging implements cloudtrail.Service.
func (p *Provider) StartLogging(ctx context.Context, in *cloudtrail.StartLoggingRequest) (*cloudtrail.StartLoggingResponse, error) {
	account, region := caller(ctx)
	if err := p.Trails.StartLogging(ctx, account, region, deref(in.Name)); err != nil {
		return nil, err
	}
	touches(ctx, refARN(account, region, deref(in.Name)))
	return &cloudtrail.StartLoggingResponse{}, nil
}

// StopLogging implements cloudtrail.Service.
func (p *Provider) StopLogging(ctx context.Context, in *cloudtrail.StopLoggingRequest) (*cloudtrail.StopLoggingResponse, error) {
	account, region := caller(ctx)
	if err := p.Trails.StopLogging(ctx, account, region, deref(in.Name)); err != nil {
		return nil, err
	}
	touches(ctx, refARN(account, region, deref(in.Name)))
	return &cloudtrail.StopLoggingResponse{}, nil
}

// refARN is the ARN a trail reference names (the reference itself when it is one).
func refARN(account, region, nameOrARN string) string {
	if IsARN(nameOrARN) {
		return nameOrARN
	}
	return TrailARN(region, account, nameOrARN)
}

// GetTrailStatus implements cloudtrail.Service.
func (p *Provider) GetTrailStatus(ctx context.Context, in *cloudtrail.GetTrailStatusRequest) (*cloudtrail.GetTrailStatusResponse, error) {
	account, region := caller(ctx)
	st, err := p.Trails.Status(ctx, account, region, deref(in.Name))
	if err != nil {
		return nil, err
	}
	return &cloudtrail.GetTrailStatusResponse{
		IsLogging:                          ptr(st.IsLogging),
		StartLoggingTime:                   timestamp(st.StartLoggingTime),
		StopLoggingTime:                    timestamp(st.StopLoggingTime),
		LatestDeliveryTime:                 timestamp(st.LatestDeliveryTime),
		LatestDeliveryError:                optional(st.LatestDeliveryError),
		LatestNotificationTime:             timestamp(st.LatestNotificationTime),
		LatestNotificationError:            optional(st.LatestNotificationError),
		LatestCloudWatchLogsDeliveryTime:   timestamp(st.LatestCloudWatchLogsDeliveryTime),
		LatestCloudWatchLogsDeliveryError:  optional(st.LatestCloudWatchLogsDeliveryError),
		LatestDigestDeliveryTime:           timestamp(st.LatestDigestDeliveryTime),
		LatestDigestDeliveryError:          optional(st.LatestDigestDeliveryError),
		TimeLoggingStarted:                 ptr(st.TimeLoggingStarted),
		TimeLoggingStopped:                 ptr(st.TimeLoggingStopped),
		LatestDeliveryAttemptTime:          ptr(st.LatestDeliveryAttemptTime),
		LatestNotificationAttemptTime:      ptr(st.LatestNotificationAttemptTime),
		LatestNotificationAttemptSucceeded: ptr(st.LatestNotificationAttemptSucceeded),
		LatestDeliveryAttemptSucceeded:     ptr(st.LatestDeliveryAttemptSucceeded),
	}, nil
}

// PutEventSelectors implements cloudtrail.Service.
func (p *Provider) PutEventSelectors(ctx context.Context, in *cloudtrail.PutEventSelectorsRequest) (*cloudtrail.PutEventSelectorsResponse, error) {
	account, region := caller(ctx)
	r, err := p.Trails.PutEventSelectors(ctx, account, region, deref(in.TrailName),
		basicIn(in.EventSelectors), advancedIn(in.AdvancedEventSelectors), in.EventSelectors != nil, in.AdvancedEventSelectors != nil)
	if err != nil {
		return nil, err
	}
	touches(ctx, r.TrailARN)
	return &cloudtrail.PutEventSelectorsResponse{TrailARN: ptr(r.TrailARN), EventSelectors: basicOut(r.EventSelectors), AdvancedEventSelectors: advancedOut(r.AdvancedEventSelectors)}, nil
}

// GetEventSelectors implements cloudtrail.Service.
func (p *Provider) GetEventSelectors(ctx context.Context, in *cloudtrail.GetEventSelectorsRequest) (*cloudtrail.GetEventSelectorsResponse, error) {
	account, region := caller(ctx)
	r, err := p.Trails.GetEventSelectors(ctx, account, region, deref(in.TrailName))
	if err != nil {
		return nil, err
	}
	return &cloudtrail.GetEventSelectorsResponse{TrailARN: ptr(r.TrailARN), EventSelectors: basicOut(r.EventSelectors), AdvancedEventSelectors: advancedOut(r.AdvancedEventSelectors)}, nil
}

func basicIn(in []cloudtrail.EventSelector) []EventSelector {
	if in == nil {
		return nil
	}
	out := make([]EventSelector, 0, len(in))
	for _, s := range in {
		es := EventSelector{ReadWriteType: string(s.ReadWriteType), IncludeManagementEvents: s.IncludeManagementEvents, ExcludeManagementEventSources: s.ExcludeManagementEventSources}
		for _, d := range s.DataResources {
			es.DataResources = append(es.DataResources, DataResource{Type: deref(d.Type), Values: d.Values})
		}
		out = append(out, es)
	}
	return out
}

func basicOut(in []EventSelector) []cloudtrail.EventSelector {
	if in == nil {
		return nil
	}
	out := make([]cloudtrail.EventSelector, 0, len(in))
	for _, s := range in {
		es := cloudtrail.EventSelector{ReadWriteType: cloudtrail.ReadWriteType(s.RWType()), IncludeManagementEvents: ptr(s.IncludesManagementEvents()),
			ExcludeManagementEventSources: append([]string{}, s.ExcludeManagementEventSources...), DataResources: []cloudtrail.DataResource{}}
		for _, d := range s.DataResources {
			es.DataResources = append(es.DataResources, cloudtrail.DataResource{Type: ptr(d.Type), Values: append([]string{}, d.Values...)})
		}
		out = append(out, es)
	}
	return out
}

func advancedIn(in []cloudtrail.AdvancedEventSelector) []AdvancedEventSelector {
	if in == nil {
		return nil
	}
	out := make([]AdvancedEventSelector, 0, len(in))
	for _, s := range in {
		as := AdvancedEventSelector{Name: deref(s.Name)}
		for _, f := range s.FieldSelectors {
			as.FieldSelectors = append(as.FieldSelectors, AdvancedFieldSelector{Field: deref(f.Field), Equals: f.Equals, StartsWith: f.StartsWith,
				EndsWith: f.EndsWith, NotEquals: f.NotEquals, NotStartsWith: f.NotStartsWith, NotEndsWith: f.NotEndsWith})
		}
		out = append(out, as)
	}
	return out
}

func advancedOut(in []AdvancedEventSelector) []cloudtrail.AdvancedEventSelector {
	if in == nil {
		return nil
	}
	out := make([]cloudtrail.AdvancedEventSelector, 0, len(in))
	for _, s := range in {
		as := cloudtrail.AdvancedEventSelector{Name: optional(s.Name), FieldSelectors: []cloudtrail.AdvancedFieldSelector{}}
		for _, f := range s.FieldSelectors {
			as.FieldSelectors = append(as.FieldSelectors, cloudtrail.AdvancedFieldSelector{Field: ptr(f.Field), Equals: f.Equals, StartsWith: f.StartsWith,
				EndsWith: f.EndsWith, NotEquals: f.NotEquals, NotStartsWith: f.NotStartsWith, NotEndsWith: f.NotEndsWith})
		}
		out = append(out, as)
	}
	return out
}

// PutInsightSelectors implements cloudtrail.Service for trails.
func (p *Provider) PutInsightSelectors(ctx context.Context, in *cloudtrail.PutInsightSelectorsRequest) (*cloudtrail.PutInsightSelectorsResponse, error) {
	if in.TrailName == nil {
		return nil, ctError(CodeInvalidParameterCombination, "Event data store Insights are not supported by Cairn yet: specify TrailName.")
	}
	if in.EventDataStore != nil || in.InsightsDestination != nil {
		return nil, ctError(CodeInvalidParameterCombination, "TrailName cannot be combined with EventDataStore or InsightsDestination.")
	}
	account, region := caller(ctx)
	sels := make([]InsightSelector, 0, len(in.InsightSelectors))
	for _, s := range in.InsightSelectors {
		is := InsightSelector{InsightType: string(s.InsightType)}
		for _, c := range s.EventCategories {
			is.EventCategories = append(is.EventCategories, string(c))
		}
		sels = append(sels, is)
	}
	r, err := p.Trails.PutInsightSelectors(ctx, account, region, deref(in.TrailName), sels)
	if err != nil {
		return nil, err
	}
	touches(ctx, r.TrailARN)
	return &cloudtrail.PutInsightSelectorsResponse{TrailARN: ptr(r.TrailARN), InsightSelectors: insightsOut(r.InsightSelectors)}, nil
}

// GetInsightSelectors implements cloudtrail.Service for trails.
func (p *Provider) GetInsightSelectors(ctx context.Context, in *cloudtrail.GetInsightSelectorsRequest) (*cloudtrail.GetInsightSelectorsResponse, error) {
	if in.TrailName == nil || in.EventDataStore != nil {
		return nil, ctError(CodeInvalidParameterCombination, "Specify TrailName; event data store Insights are not supported by Cairn yet.")
	}
	account, region := caller(ctx)
	r, err := p.Trails.GetInsightSelectors(ctx, account, region, deref(in.TrailName))
	if err != nil {
		return nil, err
	}
	return &cloudtrail.GetInsightSelectorsResponse{TrailARN: ptr(r.TrailARN), InsightSelectors: insightsOut(r.InsightSelectors)}, nil
}

func insightsOut(in []InsightSelector) []cloudtrail.InsightSelector {
	out := make([]cloudtrail.InsightSelector, 0, len(in))
	for _, s := range in {
		is := cloudtrail.InsightSelector{InsightType: cloudtrail.InsightType(s.InsightType)}
		for _, c := range s.EventCategories {
			is.EventCategories = append(is.EventCategories, cloudtrail.SourceEventCategory(c))
		}
		out = append(out, is)
	}
	return out
}

// AddTags implements cloudtrail.Service.
func (p *Provider) AddTags(ctx context.Context, in *cloudtrail.AddTagsRequest) (*cloudtrail.AddTagsResponse, error) {
	account, region := caller(ctx)
	if err := p.Trails.AddTags(ctx, account, region, deref(in.ResourceId), tagsIn(in.TagsList)); err != nil {
		return nil, err
	}
	touches(ctx, deref(in.ResourceId))
	return &cloudtrail.AddTagsResponse{}, nil
}

// RemoveTags implements cloudtrail.Service.
func (p *Provider) RemoveTags(ctx context.Context, in *cloudtrail.RemoveTagsRequest) (*cloudtrail.RemoveTagsResponse, error) {
	account, region := caller(ctx)
	if err := p.Trails.RemoveTags(ctx, account, region, deref(in.ResourceId), tagsIn(in.TagsList)); err != nil {
		return nil, err
	}
	touches(ctx, deref(in.ResourceId))
	return &cloudtrail.RemoveTagsResponse{}, nil
}

// ListTags implements cloudtrail.Service.
func (p *Provider) ListTags(ctx context.Context, in *cloudtrail.ListTagsRequest) (*cloudtrail.ListTagsResponse, error) {
	account, region := caller(ctx)
	rts, err := p.Trails.ListTags(ctx, account, region, in.ResourceIdList)
	if err != nil {
		return nil, err
	}
	out := &cloudtrail.ListTagsResponse{ResourceTagList: make([]cloudtrail.ResourceTag, 0, len(rts))}
	for _, rt := range rts {
		out.ResourceTagList = append(out.ResourceTagList, cloudtrail.ResourceTag{ResourceId: ptr(rt.ResourceID), TagsList: tagsOut(rt.Tags)})
	}
	return out, nil
}
