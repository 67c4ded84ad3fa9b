package cloudtrail_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/cairnhq/cairn/service/cloudtrail"
)

func TestTrailStore_Tags(t *testing.T) {
	ctx := context.Background()
	s, _ := newTrailStore(t)
	tr := mustCreateTrail(t, s, tEast, "tagged", func(p *cloudtrail.CreateTrailParams) {
		p.IsMultiRegionTrail = tsPtr(true)
		p.TagsList = []cloudtrail.Tag{{Key: "b", Value: "1"}}
	})
	other1 := mustCreateTrail(t, s, tEast, "plain")
	arn := tr.ARN()

	wantTrailErr(t, s.AddTags(ctx, tAcct, tEast, arn, []cloudtrail.Tag{{Key: "a", Value: "x"}, {Key: "b", Value: "2"}, {Key: "novalue"}}), "")
	lt, err := s.ListTags(ctx, tAcct, tEast, []string{arn, other1.ARN(), arn})
	wantTrailErr(t, err, "")
	want := []cloudtrail.ResourceTags{
		{ResourceID: arn, Tags: []cloudtrail.Tag{{Key: "b", Value: "2"}, {Key: "a", Value: "x"}, {Key: "novalue"}}},
		{ResourceID: other1.ARN(), Tags: []cloudtrail.Tag{}},
	}
	if !reflect.DeepEqual(lt, want) {
		t.Fatalf("got %+v, want %+v", lt, want)
	}
	// RemoveTags removes by key; the value in the request does not matter; unknown keys are ignored.
	wantTrailErr(t, s.RemoveTags(ctx, tAcct, tEast, arn, []cloudtrail.Tag{{Key: "b", Value: "other"}, {Key: "missing"}}), "")
	lt, _ = s.ListTags(ctx, tAcct, tEast, []string{arn})
	if got := lt[0].Tags; !reflect.DeepEqual(got, []cloudtrail.Tag{{Key: "a", Value: "x"}, {Key: "novalue"}}) {
		t.Fatalf("after remove: %+v", got)
	}
	if g, _ := s.Get(ctx, tAcct, tEast, "tagged"); len(g.Tags) != 2 {
		t.Fatalf("trail tags: %+v", g.Tags)
	}

	tests := []struct {
		name   string
		region string
		id     string
		tags   []cloudtrail.Tag
		code   string
		msg    string
	}{
		{"unknown trail", tEast, trailARNOf(tEast, "nope"), []cloudtrail.Tag{{Key: "k"}}, "ResourceNotFoundException", "nope"},
		{"shadow region", tWest, arn, []cloudtrail.Tag{{Key: "k"}}, "CloudTrailARNInvalidException", "Region in ARN is wrong, you can only access resources in region us-west-2."},
		{"other account", tEast, cloudtrail.TrailARN(tEast, tOther, "tagged"), []cloudtrail.Tag{{Key: "k"}}, "CloudTrailARNInvalidException", "AccountID in ARN is wrong, you can only access resources with AccountID 123456789012."},
		{"event data store", tEast, "arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/EXAMPLE-f852-4e8f-8bd1-bcf6cEXAMPLE", []cloudtrail.Tag{{Key: "k"}}, "ResourceTypeNotSupportedException", ""},
		{"other service", tEast, "arn:aws:s3:::bucket", []cloudtrail.Tag{{Key: "k"}}, "ResourceTypeNotSupportedException", ""},
		{"not an arn", tEast, "tagged", []cloudtrail.Tag{{Key: "k"}}, "CloudTrailARNInvalidException", ""},
		{"bad trail name in arn", tEast, "arn:aws:cloudtrail:us-east-1:123456789012:trail/-x-", []cloudtrail.Tag{{Key: "k"}}, "CloudTrailARNInvalidException", ""},
		{"aws prefix", tEast, arn, []cloudtrail.Tag{{Key: "AWS:x", Value: "v"}}, "InvalidTagParameterException", ""},
		{"long key", tEast, arn, []cloudtrail.Tag{{Key: strings.Repeat("k", 129)}}, "InvalidTagParameterException", ""},
		{"long value", tEast, arn, []cloudtrail.Tag{{Key: "k", Value: strings.Repeat("v", 257)}}, "InvalidTagParameterException", ""},
		{"no tags", tEast, arn, nil, "InvalidTagParameterException", ""},
		{"over limit", tEast, arn, tagsN(49), "TagsLimitExceededException", ""},
	}
	for _, tt := range tests {
		t.Run("add "+tt.name, func(t *testing.T) {
			err := s.AddTags(ctx, tAcct, tt.region, tt.id, tt.tags)
			wantTrailErr(t, err, tt.code)
			if tt.msg != "" {
				wantTrailMsg(t, err, tt.msg)
			}
		})
	}
	t.Run("limit counts merged keys", func(t *testing.T) {
		// 2 existing + 48 new = 50; re-adding existing keys does not count twice.
		wantTrailErr(t, s.AddTags(ctx, tAcct, tEast, arn, append(tagsN(48), cloudtrail.Tag{Key: "a", Value: "y"})), "")
		wantTrailErr(t, s.AddTags(ctx, tAcct, tEast, arn, []cloudtrail.Tag{{Key: "one-more"}}), "TagsLimitExceededException")
	})
	t.Run("remove errors", func(t *testing.T) {
		wantTrailErr(t, s.RemoveTags(ctx, tAcct, tEast, trailARNOf(tEast, "nope"), []cloudtrail.Tag{{Key: "a"}}), "ResourceNotFoundException")
		wantTrailErr(t, s.RemoveTags(ctx, tAcct, tWest, arn, []cloudtrail.Tag{{Key: "a"}}), "CloudTrailARNInvalidException")
		wantTrailErr(t, s.RemoveTags(ctx, tAcct, tEast, arn, []cloudtrail.Tag{{Key: ""}}), "InvalidTagParameterException")
	})
	t.Run("list errors", func(t *testing.T) {
		_, err := s.ListTags(ctx, tAcct, tEast, []string{arn, trailARNOf(tEast, "nope")})
		wantTrailErr(t, err, "ResourceNotFoundException")
		_, err = s.ListTags(ctx, tAcct, tWest, []string{arn})
		wantTrailErr(t, err, "CloudTrailARNInvalidException")
		ids := make([]string, 21)
		for i := range ids {
			ids[i] = arn
		}
		_, err = s.ListTags(ctx, tAcct, tEast, ids)
		wantTrailErr(t, err, "InvalidParameterException")
		lt, err := s.ListTags(ctx, tAcct, tEast, ids[:20])
		wantTrailErr(t, err, "")
		if len(lt) != 1 || len(lt[0].Tags) != 50 {
			t.Fatalf("list: %d resources, %d tags", len(lt), len(lt[0].Tags))
		}
		// Tags are returned in a stable order.
		lt2, _ := s.ListTags(ctx, tAcct, tEast, []string{arn})
		if !reflect.DeepEqual(lt, lt2) {
			t.Fatal("tag order not stable")
		}
	})
}
