package cloudtrail_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/cairnhq/cairn/service/cloudtrail"
)

type fieldSel = cloudtrail.AdvancedFieldSelector
type advSel = cloudtrail.AdvancedEventSelector

func catSel(c string) fieldSel { return fieldSel{Field: "eventCategory", Equals: []string{c}} }

func TestTrailStore_GetEventSelectors_Default(t *testing.T) {
	ctx := context.Background()
	s, _ := newTrailStore(t)
	tr := mustCreateTrail(t, s, tEast, "sel")
	r, err := s.GetEventSelectors(ctx, tAcct, tEast, "sel")
	wantTrailErr(t, err, "")
	want := &cloudtrail.EventSelectorsResult{
		TrailARN: tr.ARN(),
		EventSelectors: []cloudtrail.EventSelector{{
			ReadWriteType: "All", IncludeManagementEvents: tsPtr(true),
			DataResources: []cloudtrail.DataResource{}, ExcludeManagementEventSources: []string{},
		}},
	}
	if !reflect.DeepEqual(r, want) {
		t.Fatalf("got %+v, want %+v", r, want)
	}
	if tr.HasCustomEventSelectors {
		t.Fatal("new trail has custom selectors")
	}
}

func TestTrailStore_PutEventSelectors(t *testing.T) {
	ctx := context.Background()
	t.Run("basic then advanced then basic", func(t *testing.T) {
		s, _ := newTrailStore(t)
		mustCreateTrail(t, s, tEast, "sel")
		r, err := s.PutEventSelectors(ctx, tAcct, tEast, "sel", []cloudtrail.EventSelector{{
			ReadWriteType:           "",
			IncludeManagementEvents: nil,
			DataResources:           []cloudtrail.DataResource{{Type: "AWS::S3::Object", Values: []string{"arn:aws:s3:::bucket/"}}},
		}}, nil, true, false)
		wantTrailErr(t, err, "")
		if r.AdvancedEventSelectors != nil || len(r.EventSelectors) != 1 || r.EventSelectors[0].ReadWriteType != "All" ||
			!*r.EventSelectors[0].IncludeManagementEvents || r.EventSelectors[0].ExcludeManagementEventSources == nil {
			t.Fatalf("basic put result: %+v", r)
		}
		tr, _ := s.Get(ctx, tAcct, tEast, "sel")
		if !tr.HasCustomEventSelectors || tr.UsesAdvancedEventSelectors {
			t.Fatalf("flags: %+v", tr)
		}

		adv := []advSel{{Name: "s3", FieldSelectors: []fieldSel{catSel("Data"), {Field: "resources.type", Equals: []string{"AWS::S3::Object"}}}}}
		r, err = s.PutEventSelectors(ctx, tAcct, tEast, trailARNOf(tEast, "sel"), nil, adv, false, true)
		wantTrailErr(t, err, "")
		if r.EventSelectors != nil || !reflect.DeepEqual(r.AdvancedEventSelectors, adv) {
			t.Fatalf("advanced put result: %+v", r)
		}
		g, _ := s.GetEventSelectors(ctx, tAcct, tEast, "sel")
		if g.EventSelectors != nil || !reflect.DeepEqual(g.AdvancedEventSelectors, adv) {
			t.Fatalf("advanced get: %+v", g)
		}
		// Putting basic selectors replaces the advanced ones.
		_, err = s.PutEventSelectors(ctx, tAcct, tEast, "sel", []cloudtrail.EventSelector{{ReadWriteType: "ReadOnly"}}, nil, true, false)
		wantTrailErr(t, err, "")
		g, _ = s.GetEventSelectors(ctx, tAcct, tEast, "sel")
		if g.AdvancedEventSelectors != nil || len(g.EventSelectors) != 1 || g.EventSelectors[0].ReadWriteType != "ReadOnly" {
			t.Fatalf("basic get: %+v", g)
		}
		// An empty advanced list is allowed (the trail logs nothing).
		_, err = s.PutEventSelectors(ctx, tAcct, tEast, "sel", nil, []advSel{}, false, true)
		wantTrailErr(t, err, "")
		g, _ = s.GetEventSelectors(ctx, tAcct, tEast, "sel")
		if g.AdvancedEventSelectors == nil || len(g.AdvancedEventSelectors) != 0 || g.EventSelectors != nil {
			t.Fatalf("empty advanced get: %+v", g)
		}
	})
	t.Run("trail errors", func(t *testing.T) {
		s, _ := newTrailStore(t)
		mustCreateTrail(t, s, tEast, "sel", multiRegion)
		basic := []cloudtrail.EventSelector{{}}
		_, err := s.PutEventSelectors(ctx, tAcct, tWest, trailARNOf(tEast, "sel"), basic, nil, true, false)
		wantTrailErr(t, err, "InvalidHomeRegionException")
		_, err = s.PutEventSelectors(ctx, tAcct, tEast, "nope", basic, nil, true, false)
		wantTrailErr(t, err, "TrailNotFoundException")
		_, err = s.PutEventSelectors(ctx, tAcct, tEast, "a", basic, nil, true, false)
		wantTrailErr(t, err, "InvalidTrailNameException")
		_, err = s.PutEventSelectors(ctx, tAcct, tEast, "sel", basic, []advSel{}, true, true)
		wantTrailErr(t, err, "InvalidParameterCombinationException")
		_, err = s.PutEventSelectors(ctx, tAcct, tEast, "sel", nil, nil, false, false)
		wantTrailErr(t, err, "InvalidParameterCombinationException")
		// Shadow reads work by ARN.
		_, err = s.GetEventSelectors(ctx, tAcct, tWest, trailARNOf(tEast, "sel"))
		wantTrailErr(t, err, "")
		_, err = s.GetEventSelectors(ctx, tAcct, tWest, "sel")
		wantTrailErr(t, err, "TrailNotFoundException")
	})
}

func selManyValues(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%d", prefix, i)
	}
	return out
}

func TestNormalizeEventSelectors(t *testing.T) {
	dr := func(typ string, vals ...string) cloudtrail.DataResource {
		return cloudtrail.DataResource{Type: typ, Values: vals}
	}
	sel := func(drs ...cloudtrail.DataResource) cloudtrail.EventSelector {
		return cloudtrail.EventSelector{DataResources: drs}
	}
	s3 := func(n int) cloudtrail.DataResource {
		return dr("AWS::S3::Object", selManyValues("arn:aws:s3:::bucket/p", n)...)
	}
	tests := []struct {
		name string
		sels []cloudtrail.EventSelector
		msg  string // "" = valid
	}{
		{"empty", nil, ""},
		{"five", make([]cloudtrail.EventSelector, 5), ""},
		{"six", make([]cloudtrail.EventSelector, 6), "at most 5 event selectors"},
		{"read only", []cloudtrail.EventSelector{{ReadWriteType: "ReadOnly"}}, ""},
		{"write only", []cloudtrail.EventSelector{{ReadWriteType: "WriteOnly"}}, ""},
		{"bad rw", []cloudtrail.EventSelector{{ReadWriteType: "read-only"}}, "ReadWriteType"},
		{"exclude kms rds", []cloudtrail.EventSelector{{ExcludeManagementEventSources: []string{"kms.amazonaws.com", "rdsdata.amazonaws.com"}}}, ""},
		{"exclude s3", []cloudtrail.EventSelector{{ExcludeManagementEventSources: []string{"s3.amazonaws.com"}}}, "ExcludeManagementEventSources"},
		{"s3 all", []cloudtrail.EventSelector{sel(dr("AWS::S3::Object", "arn:aws:s3"))}, ""},
		{"s3 bucket", []cloudtrail.EventSelector{sel(dr("AWS::S3::Object", "arn:aws:s3:::my-bucket/", "arn:aws:s3:::my-bucket/logs/x"))}, ""},
		{"s3 bucket without slash", []cloudtrail.EventSelector{sel(dr("AWS::S3::Object", "arn:aws:s3:::my-bucket"))}, "not a valid value"},
		{"lambda all", []cloudtrail.EventSelector{sel(dr("AWS::Lambda::Function", "arn:aws:lambda"))}, ""},
		{"lambda function", []cloudtrail.EventSelector{sel(dr("AWS::Lambda::Function", "arn:aws:lambda:us-west-2:111111111111:function:helloworld"))}, ""},
		{"lambda bad", []cloudtrail.EventSelector{sel(dr("AWS::Lambda::Function", "arn:aws:lambda:us-west-2:111111111111:layer:x"))}, "not a valid value"},
		{"dynamodb all", []cloudtrail.EventSelector{sel(dr("AWS::DynamoDB::Table", "arn:aws:dynamodb"))}, ""},
		{"dynamodb table", []cloudtrail.EventSelector{sel(dr("AWS::DynamoDB::Table", "arn:aws:dynamodb:us-east-1:123456789012:table/Music"))}, ""},
		{"dynamodb wrong service", []cloudtrail.EventSelector{sel(dr("AWS::DynamoDB::Table", "arn:aws:s3:::b/"))}, "not a valid value"},
		{"kvs all", []cloudtrail.EventSelector{sel(dr("AWS::CloudFront::KeyValueStore", "arn:aws:cloudfront"))}, ""},
		{"kvs one", []cloudtrail.EventSelector{sel(dr("AWS::CloudFront::KeyValueStore", "arn:aws:cloudfront::123456789012:key-value-store/a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"))}, ""},
		{"other type", []cloudtrail.EventSelector{sel(dr("AWS::S3Outposts::Object", "arn:aws:s3-outposts"))}, "not valid for basic event selectors"},
		{"no values", []cloudtrail.EventSelector{sel(dr("AWS::S3::Object"))}, "at least one value"},
		{"250 resources", []cloudtrail.EventSelector{sel(s3(100)), sel(s3(100)), sel(s3(50))}, ""},
		{"251 resources", []cloudtrail.EventSelector{sel(s3(100)), sel(s3(100)), sel(s3(51))}, "at most 250 data resources"},
		{"all values do not count", []cloudtrail.EventSelector{sel(s3(250), dr("AWS::Lambda::Function", "arn:aws:lambda"), dr("AWS::S3::Object", "arn:aws:s3"))}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := cloudtrail.NormalizeEventSelectors(tt.sels)
			if tt.msg == "" {
				wantTrailErr(t, err, "")
				if len(out) != len(tt.sels) {
					t.Fatalf("got %d selectors", len(out))
				}
				for _, o := range out {
					if o.ReadWriteType == "" || o.IncludeManagementEvents == nil || o.DataResources == nil || o.ExcludeManagementEventSources == nil {
						t.Fatalf("not normalized: %+v", o)
					}
				}
				return
			}
			wantTrailErr(t, err, "InvalidEventSelectorsException")
			wantTrailMsg(t, err, tt.msg)
		})
	}
}

func TestValidateAdvancedEventSelectors(t *testing.T) {
	data := func(extra ...fieldSel) advSel {
		return advSel{FieldSelectors: append([]fieldSel{catSel("Data"), {Field: "resources.type", Equals: []string{"AWS::S3::Object"}}}, extra...)}
	}
	net := func(extra ...fieldSel) advSel {
		return advSel{FieldSelectors: append([]fieldSel{catSel("NetworkActivity"), {Field: "eventSource", Equals: []string{"s3.amazonaws.com"}}}, extra...)}
	}
	mgmt := func(extra ...fieldSel) advSel {
		return advSel{FieldSelectors: append([]fieldSel{catSel("Management")}, extra...)}
	}
	tests := []struct {
		name string
		sels []advSel
		msg  string
	}{
		{"management", []advSel{mgmt()}, ""},
		{"management read only", []advSel{mgmt(fieldSel{Field: "readOnly", Equals: []string{"true"}})}, ""},
		{"management exclude kms", []advSel{mgmt(fieldSel{Field: "eventSource", NotEquals: []string{"kms.amazonaws.com", "rdsdata.amazonaws.com"}})}, ""},
		{"management eventSource equals", []advSel{mgmt(fieldSel{Field: "eventSource", Equals: []string{"s3.amazonaws.com"}})}, "NotEquals kms.amazonaws.com"},
		{"management exclude s3", []advSel{mgmt(fieldSel{Field: "eventSource", NotEquals: []string{"s3.amazonaws.com"}})}, "NotEquals kms.amazonaws.com"},
		{"management eventName", []advSel{mgmt(fieldSel{Field: "eventName", Equals: []string{"CreateTrail"}})}, "cannot be used with eventCategory Management"},
		{"readOnly StartsWith", []advSel{mgmt(fieldSel{Field: "readOnly", StartsWith: []string{"t"}})}, "readOnly must use the Equals"},
		{"readOnly bad value", []advSel{mgmt(fieldSel{Field: "readOnly", Equals: []string{"yes"}})}, "readOnly must use the Equals"},
		{"data full", []advSel{data(
			fieldSel{Field: "eventName", Equals: []string{"PutObject"}, NotStartsWith: []string{"Get"}},
			fieldSel{Field: "eventSource", Equals: []string{"s3.amazonaws.com"}},
			fieldSel{Field: "eventType", Equals: []string{"AwsApiCall"}},
			fieldSel{Field: "readOnly", Equals: []string{"false"}},
			fieldSel{Field: "resources.ARN", StartsWith: []string{"arn:aws:s3:::bucket/"}, NotEquals: []string{"arn:aws:s3:::bucket/secret"}},
			fieldSel{Field: "sessionCredentialFromConsole", NotEquals: []string{"true"}},
			fieldSel{Field: "userIdentity.arn", NotEndsWith: []string{":root"}},
		)}, ""},
		{"data without type", []advSel{{FieldSelectors: []fieldSel{catSel("Data")}}}, "require the resources.type"},
		{"data two types", []advSel{{FieldSelectors: []fieldSel{catSel("Data"), {Field: "resources.type", Equals: []string{"AWS::S3::Object", "AWS::Lambda::Function"}}}}}, "exactly one value"},
		{"data type StartsWith", []advSel{{FieldSelectors: []fieldSel{catSel("Data"), {Field: "resources.type", StartsWith: []string{"AWS::S3"}}}}}, "resources.type must use the Equals"},
		{"data type bad", []advSel{{FieldSelectors: []fieldSel{catSel("Data"), {Field: "resources.type", Equals: []string{"S3Object"}}}}}, "not a valid resource type"},
		{"data ARN equals partial", []advSel{data(fieldSel{Field: "resources.ARN", Equals: []string{"arn:aws:s3"}})}, "must be full ARNs"},
		{"data session StartsWith", []advSel{data(fieldSel{Field: "sessionCredentialFromConsole", StartsWith: []string{"t"}})}, "only the Equals and NotEquals"},
		{"data session bad value", []advSel{data(fieldSel{Field: "sessionCredentialFromConsole", Equals: []string{"maybe"}})}, "must be true or false"},
		{"data errorCode", []advSel{data(fieldSel{Field: "errorCode", Equals: []string{"VpceAccessDenied"}})}, "cannot be used with eventCategory Data"},
		{"network", []advSel{net(fieldSel{Field: "errorCode", Equals: []string{"VpceAccessDenied"}}, fieldSel{Field: "vpcEndpointId", NotEquals: []string{"vpce-1"}}, fieldSel{Field: "userIdentity.arn", StartsWith: []string{"arn:aws:iam::"}}, fieldSel{Field: "eventName", Equals: []string{"GetObject"}})}, ""},
		{"network without source", []advSel{{FieldSelectors: []fieldSel{catSel("NetworkActivity")}}}, "require the eventSource"},
		{"network two sources", []advSel{{FieldSelectors: []fieldSel{catSel("NetworkActivity"), {Field: "eventSource", Equals: []string{"s3.amazonaws.com", "kms.amazonaws.com"}}}}}, "exactly one event source"},
		{"network errorCode other", []advSel{net(fieldSel{Field: "errorCode", Equals: []string{"AccessDenied"}})}, "only Equals VpceAccessDenied"},
		{"network readOnly", []advSel{net(fieldSel{Field: "readOnly", Equals: []string{"true"}})}, "cannot be used with eventCategory NetworkActivity"},
		{"no category", []advSel{{FieldSelectors: []fieldSel{{Field: "readOnly", Equals: []string{"true"}}}}}, "eventCategory field is required"},
		{"category NotEquals", []advSel{{FieldSelectors: []fieldSel{{Field: "eventCategory", NotEquals: []string{"Data"}}}}}, "eventCategory must use the Equals"},
		{"two categories", []advSel{{FieldSelectors: []fieldSel{{Field: "eventCategory", Equals: []string{"Data", "Management"}}}}}, "exactly one value"},
		{"eds-only category", []advSel{{FieldSelectors: []fieldSel{catSel("Insight")}}}, "not valid for trails"},
		{"unknown category", []advSel{{FieldSelectors: []fieldSel{catSel("Bogus")}}}, "not valid for trails"},
		{"no field selectors", []advSel{{Name: "empty"}}, "at least one field selector"},
		{"no operator", []advSel{mgmt(fieldSel{Field: "readOnly"})}, "has no condition"},
		{"empty value", []advSel{data(fieldSel{Field: "eventName", Equals: []string{""}})}, "1 to 2048"},
		{"long value", []advSel{data(fieldSel{Field: "eventName", Equals: []string{strings.Repeat("v", 2049)}})}, "1 to 2048"},
		{"2048 value", []advSel{data(fieldSel{Field: "eventName", Equals: []string{strings.Repeat("v", 2048)}})}, ""},
		{"bad field name", []advSel{mgmt(fieldSel{Field: "event-name", Equals: []string{"x"}})}, "field name"},
		{"unknown field", []advSel{data(fieldSel{Field: "awsRegion", Equals: []string{"x"}})}, "cannot be used"},
		{"duplicate field", []advSel{data(fieldSel{Field: "eventName", Equals: []string{"a"}}, fieldSel{Field: "eventName", Equals: []string{"b"}})}, "more than once"},
		{"long name", []advSel{{Name: strings.Repeat("n", 1001), FieldSelectors: []fieldSel{catSel("Management")}}}, "longer than 1000"},
		{"500 values", []advSel{data(fieldSel{Field: "eventName", Equals: selManyValues("E", 498)})}, ""},
		{"501 values", []advSel{data(fieldSel{Field: "eventName", Equals: selManyValues("E", 499)})}, "at most 500 values"},
		{"501 values across selectors", []advSel{data(fieldSel{Field: "eventName", Equals: selManyValues("E", 300)}), data(fieldSel{Field: "eventName", Equals: selManyValues("E", 197)})}, "at most 500 values"},
		{"many selectors", []advSel{mgmt(), data(), net(), mgmt(), data(), net()}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := cloudtrail.ValidateAdvancedEventSelectors(tt.sels)
			if tt.msg == "" {
				wantTrailErr(t, err, "")
				return
			}
			wantTrailErr(t, err, "InvalidEventSelectorsException")
			wantTrailMsg(t, err, tt.msg)
		})
	}
}

func TestTrailStore_InsightSelectors(t *testing.T) {
	ctx := context.Background()
	s, _ := newTrailStore(t)
	mustCreateTrail(t, s, tEast, "ins", multiRegion)

	_, err := s.GetInsightSelectors(ctx, tAcct, tEast, "ins")
	wantTrailErr(t, err, "InsightNotEnabledException")
	wantTrailMsg(t, err, "Trail ins does not have Insights enabled. Edit the trail settings to enable Insights, and then try the operation again.")

	sels := []cloudtrail.InsightSelector{{InsightType: "ApiCallRateInsight"}, {InsightType: "ApiErrorRateInsight", EventCategories: []string{"Management"}}}
	r, err := s.PutInsightSelectors(ctx, tAcct, tEast, "ins", sels)
	wantTrailErr(t, err, "")
	want := []cloudtrail.InsightSelector{{InsightType: "ApiCallRateInsight", EventCategories: []string{"Management"}}, {InsightType: "ApiErrorRateInsight", EventCategories: []string{"Management"}}}
	if !reflect.DeepEqual(r.InsightSelectors, want) || r.TrailARN != trailARNOf(tEast, "ins") {
		t.Fatalf("put: %+v", r)
	}
	// Putting again replaces, never appends.
	_, err = s.PutInsightSelectors(ctx, tAcct, tEast, "ins", sels)
	wantTrailErr(t, err, "")
	g, err := s.GetInsightSelectors(ctx, tAcct, tEast, "ins")
	wantTrailErr(t, err, "")
	if !reflect.DeepEqual(g.InsightSelectors, want) {
		t.Fatalf("get after second put: %+v", g)
	}
	_, err = s.PutInsightSelectors(ctx, tAcct, tEast, "ins", sels[1:])
	wantTrailErr(t, err, "")
	g, _ = s.GetInsightSelectors(ctx, tAcct, tEast, "ins")
	if len(g.InsightSelectors) != 1 || g.InsightSelectors[0].InsightType != "ApiErrorRateInsight" {
		t.Fatalf("replace: %+v", g)
	}
	tr, _ := s.Get(ctx, tAcct, tEast, "ins")
	if !tr.HasInsightSelectors() {
		t.Fatal("HasInsightSelectors false")
	}
	// Shadow read by ARN; writes only at home.
	_, err = s.GetInsightSelectors(ctx, tAcct, tWest, trailARNOf(tEast, "ins"))
	wantTrailErr(t, err, "")
	_, err = s.PutInsightSelectors(ctx, tAcct, tWest, trailARNOf(tEast, "ins"), sels)
	wantTrailErr(t, err, "InvalidHomeRegionException")
	_, err = s.PutInsightSelectors(ctx, tAcct, tEast, "nope", sels)
	wantTrailErr(t, err, "TrailNotFoundException")
	// [] disables.
	r, err = s.PutInsightSelectors(ctx, tAcct, tEast, "ins", []cloudtrail.InsightSelector{})
	wantTrailErr(t, err, "")
	if r.InsightSelectors == nil || len(r.InsightSelectors) != 0 {
		t.Fatalf("disable result: %+v", r)
	}
	_, err = s.GetInsightSelectors(ctx, tAcct, tEast, "ins")
	wantTrailErr(t, err, "InsightNotEnabledException")
	if tr, _ := s.Get(ctx, tAcct, tEast, "ins"); tr.HasInsightSelectors() {
		t.Fatal("HasInsightSelectors true after disabling")
	}

	bad := []struct {
		name string
		sels []cloudtrail.InsightSelector
	}{
		{"bad type", []cloudtrail.InsightSelector{{InsightType: "ApiRate"}}},
		{"duplicate type", []cloudtrail.InsightSelector{{InsightType: "ApiCallRateInsight"}, {InsightType: "ApiCallRateInsight"}}},
		{"bad category", []cloudtrail.InsightSelector{{InsightType: "ApiCallRateInsight", EventCategories: []string{"Network"}}}},
		{"data without data events", []cloudtrail.InsightSelector{{InsightType: "ApiCallRateInsight", EventCategories: []string{"Data"}}}},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.PutInsightSelectors(ctx, tAcct, tEast, "ins", tt.sels)
			wantTrailErr(t, err, "InvalidInsightSelectorsException")
		})
	}

	t.Run("prerequisites", func(t *testing.T) {
		_, err := s.PutEventSelectors(ctx, tAcct, tEast, "ins", []cloudtrail.EventSelector{{ReadWriteType: "ReadOnly"}}, nil, true, false)
		wantTrailErr(t, err, "")
		_, err = s.PutInsightSelectors(ctx, tAcct, tEast, "ins", []cloudtrail.InsightSelector{{InsightType: "ApiCallRateInsight"}})
		wantTrailErr(t, err, "InvalidInsightSelectorsException")
		_, err = s.PutInsightSelectors(ctx, tAcct, tEast, "ins", []cloudtrail.InsightSelector{{InsightType: "ApiErrorRateInsight"}})
		wantTrailErr(t, err, "")
		f := false
		_, err = s.PutEventSelectors(ctx, tAcct, tEast, "ins", []cloudtrail.EventSelector{{IncludeManagementEvents: &f,
			DataResources: []cloudtrail.DataResource{{Type: "AWS::S3::Object", Values: []string{"arn:aws:s3"}}}}}, nil, true, false)
		wantTrailErr(t, err, "")
		_, err = s.PutInsightSelectors(ctx, tAcct, tEast, "ins", []cloudtrail.InsightSelector{{InsightType: "ApiErrorRateInsight"}})
		wantTrailErr(t, err, "InvalidInsightSelectorsException")
		_, err = s.PutInsightSelectors(ctx, tAcct, tEast, "ins", []cloudtrail.InsightSelector{{InsightType: "ApiCallRateInsight", EventCategories: []string{"Data"}}})
		wantTrailErr(t, err, "")
		_, err = s.PutEventSelectors(ctx, tAcct, tEast, "ins", nil, []advSel{{FieldSelectors: []fieldSel{catSel("Management"), {Field: "readOnly", Equals: []string{"false"}}}}}, false, true)
		wantTrailErr(t, err, "")
		_, err = s.PutInsightSelectors(ctx, tAcct, tEast, "ins", []cloudtrail.InsightSelector{{InsightType: "ApiCallRateInsight"}})
		wantTrailErr(t, err, "")
		_, err = s.PutInsightSelectors(ctx, tAcct, tEast, "ins", []cloudtrail.InsightSelector{{InsightType: "ApiCallRateInsight", EventCategories: []string{"Data"}}})
		wantTrailErr(t, err, "InvalidInsightSelectorsException")
	})
}
