//go:build e2e

package e2e

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// lookupAll pages through LookupEvents with the SDK paginator.
func lookupAll(t *testing.T, c *cloudtrail.Client, in *cloudtrail.LookupEventsInput) []types.Event {
	t.Helper()
	var out []types.Event
	p := cloudtrail.NewLookupEventsPaginator(c, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx(t))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page.Events...)
	}
	return out
}

// waitEvents polls until LookupEvents (filtered by attribute) returns at least n events.
func waitEvents(t *testing.T, c *cloudtrail.Client, key types.LookupAttributeKey, value string, n int) []types.Event {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		evs := lookupAll(t, c, &cloudtrail.LookupEventsInput{LookupAttributes: []types.LookupAttribute{{AttributeKey: key, AttributeValue: aws.String(value)}}})
		if len(evs) >= n || time.Now().After(deadline) {
			return evs
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func record(t *testing.T, e types.Event) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(aws.ToString(e.CloudTrailEvent)), &m); err != nil {
		t.Fatalf("CloudTrailEvent is not JSON: %v", err)
	}
	return m
}

func TestLookupEvents(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	root := s.Root()
	ct := s.CloudTrail(root, "us-east-1")
	// Produce events: 3 trails (writes), 130 GetTrail reads, 5 STS calls.
	var trailARNs []string
	for _, name := range []string{"alpha", "bravo", "charlie"} {
		s.Bucket(t, "bucket-"+name)
		out, err := ct.CreateTrail(ctx(t), &cloudtrail.CreateTrailInput{Name: aws.String(name), S3BucketName: aws.String("bucket-" + name)})
		if err != nil {
			t.Fatal(err)
		}
		trailARNs = append(trailARNs, aws.ToString(out.TrailARN))
	}
	start := time.Now().Add(-time.Second)
	for i := 0; i < 130; i++ {
		if _, err := ct.GetTrail(ctx(t), &cloudtrail.GetTrailInput{Name: aws.String("alpha")}); err != nil {
			t.Fatal(err)
		}
	}
	stsc := s.STS(root, "us-east-1")
	for i := 0; i < 5; i++ {
		if _, err := stsc.GetCallerIdentity(ctx(t), &sts.GetCallerIdentityInput{}); err != nil {
			t.Fatal(err)
		}
	}
	gets := waitEvents(t, ct, types.LookupAttributeKeyEventName, "GetTrail", 130)

	t.Run("EventName pages newest first", func(t *testing.T) {
		if len(gets) != 130 {
			t.Fatalf("GetTrail events = %d, want 130", len(gets))
		}
		seen := map[string]bool{}
		for i, e := range gets {
			if seen[aws.ToString(e.EventId)] {
				t.Fatalf("event %s returned twice", aws.ToString(e.EventId))
			}
			seen[aws.ToString(e.EventId)] = true
			if i > 0 && e.EventTime.After(*gets[i-1].EventTime) {
				t.Fatalf("events not newest first at %d", i)
			}
			if aws.ToString(e.ReadOnly) != "true" || aws.ToString(e.Username) != "root" || aws.ToString(e.AccessKeyId) != s.Key {
				t.Fatalf("event fields: %+v", e)
			}
		}
	})
	t.Run("three pages of 50", func(t *testing.T) {
		in := &cloudtrail.LookupEventsInput{LookupAttributes: []types.LookupAttribute{{AttributeKey: types.LookupAttributeKeyEventName, AttributeValue: aws.String("GetTrail")}}}
		var sizes []int
		for {
			out, err := ct.LookupEvents(ctx(t), in)
			if err != nil {
				t.Fatal(err)
			}
			sizes = append(sizes, len(out.Events))
			if out.NextToken == nil {
				break
			}
			in.NextToken = out.NextToken
		}
		if fmt.Sprint(sizes) != "[50 50 30]" {
			t.Fatalf("page sizes %v, want [50 50 30]", sizes)
		}
	})
	newest := gets[0]
	cases := []struct {
		key   types.LookupAttributeKey
		value string
		want  int // exact count; -1: at least one
		check func(types.Event) bool
	}{
		{types.LookupAttributeKeyEventId, aws.ToString(newest.EventId), 1, func(e types.Event) bool { return aws.ToString(e.EventId) == aws.ToString(newest.EventId) }},
		{types.LookupAttributeKeyEventName, "CreateTrail", 3, func(e types.Event) bool { return aws.ToString(e.EventName) == "CreateTrail" }},
		{types.LookupAttributeKeyReadOnly, "false", -1, func(e types.Event) bool { return aws.ToString(e.ReadOnly) == "false" }},
		{types.LookupAttributeKeyUsername, "root", -1, func(e types.Event) bool { return aws.ToString(e.Username) == "root" }},
		{types.LookupAttributeKeyResourceType, "AWS::CloudTrail::Trail", -1, func(e types.Event) bool { return len(e.Resources) > 0 }},
		{types.LookupAttributeKeyResourceName, trailARNs[1], 1, func(e types.Event) bool {
			return aws.ToString(e.EventName) == "CreateTrail" && aws.ToString(e.Resources[0].ResourceName) == trailARNs[1]
		}},
		{types.LookupAttributeKeyEventSource, "sts.amazonaws.com", 5, func(e types.Event) bool { return aws.ToString(e.EventName) == "GetCallerIdentity" }},
		{types.LookupAttributeKeyAccessKeyId, s.Key, -1, func(e types.Event) bool { return aws.ToString(e.AccessKeyId) == s.Key }},
	}
	for _, tc := range cases {
		t.Run("attribute "+string(tc.key), func(t *testing.T) {
			evs := lookupAll(t, ct, &cloudtrail.LookupEventsInput{LookupAttributes: []types.LookupAttribute{{AttributeKey: tc.key, AttributeValue: aws.String(tc.value)}}})
			if (tc.want >= 0 && len(evs) != tc.want) || (tc.want < 0 && len(evs) == 0) {
				t.Fatalf("%s=%s: %d events, want %d", tc.key, tc.value, len(evs), tc.want)
			}
			for _, e := range evs {
				if !tc.check(e) {
					t.Fatalf("%s=%s returned a non-matching event %+v", tc.key, tc.value, e)
				}
			}
		})
	}
	t.Run("record content", func(t *testing.T) {
		evs := lookupAll(t, ct, &cloudtrail.LookupEventsInput{LookupAttributes: []types.LookupAttribute{{AttributeKey: types.LookupAttributeKeyEventName, AttributeValue: aws.String("CreateTrail")}}})
		r := record(t, evs[len(evs)-1]) // oldest: alpha
		want := map[string]any{"eventSource": "cloudtrail.amazonaws.com", "eventName": "CreateTrail", "awsRegion": "us-east-1",
			"eventType": "AwsApiCall", "readOnly": false, "managementEvent": true, "eventCategory": "Management", "recipientAccountId": testAccount}
		for k, v := range want {
			if r[k] != v {
				t.Errorf("record %s = %v, want %v", k, r[k], v)
			}
		}
		rp, _ := r["requestParameters"].(map[string]any)
		if rp["name"] != "alpha" || rp["s3BucketName"] != "bucket-alpha" {
			t.Errorf("requestParameters = %v", r["requestParameters"])
		}
		re, _ := r["responseElements"].(map[string]any)
		if re["trailARN"] != trailARNs[0] {
			t.Errorf("responseElements = %v", r["responseElements"])
		}
		ui, _ := r["userIdentity"].(map[string]any)
		if ui["type"] != "Root" || ui["accountId"] != testAccount || ui["arn"] != "arn:aws:iam::"+testAccount+":root" || ui["accessKeyId"] != s.Key {
			t.Errorf("userIdentity = %v", ui)
		}
		if aws.ToString(evs[0].EventId) != r["eventID"] && aws.ToString(evs[len(evs)-1].EventId) != r["eventID"] {
			t.Errorf("EventId does not match the record's eventID")
		}
	})
	t.Run("time range", func(t *testing.T) {
		end := time.Now().Add(time.Second)
		evs := lookupAll(t, ct, &cloudtrail.LookupEventsInput{StartTime: aws.Time(start), EndTime: aws.Time(end),
			LookupAttributes: []types.LookupAttribute{{AttributeKey: types.LookupAttributeKeyEventName, AttributeValue: aws.String("CreateTrail")}}})
		if len(evs) != 0 && evs[len(evs)-1].EventTime.Before(start.Truncate(time.Second)) {
			t.Fatalf("event before StartTime returned")
		}
		future := lookupAll(t, ct, &cloudtrail.LookupEventsInput{StartTime: aws.Time(time.Now().Add(time.Hour))})
		if len(future) != 0 {
			t.Fatalf("%d events in the future", len(future))
		}
		all := lookupAll(t, ct, &cloudtrail.LookupEventsInput{StartTime: aws.Time(time.Now().Add(-time.Hour)), EndTime: aws.Time(end)})
		if len(all) < 138 {
			t.Fatalf("window of the last hour: %d events, want >= 138", len(all))
		}
	})
	t.Run("errors", func(t *testing.T) {
		var inr *types.InvalidTimeRangeException
		_, err := ct.LookupEvents(ctx(t), &cloudtrail.LookupEventsInput{StartTime: aws.Time(time.Now()), EndTime: aws.Time(time.Now().Add(-time.Hour))})
		if !errors.As(err, &inr) {
			t.Errorf("inverted range: %v", err)
		}
		var imr *types.InvalidMaxResultsException
		_, err = ct.LookupEvents(ctx(t), &cloudtrail.LookupEventsInput{MaxResults: aws.Int32(51)})
		if !errors.As(err, &imr) {
			t.Errorf("MaxResults 51: %v", err)
		}
		var ila *types.InvalidLookupAttributesException
		_, err = ct.LookupEvents(ctx(t), &cloudtrail.LookupEventsInput{LookupAttributes: []types.LookupAttribute{
			{AttributeKey: types.LookupAttributeKeyEventName, AttributeValue: aws.String("a")},
			{AttributeKey: types.LookupAttributeKeyUsername, AttributeValue: aws.String("b")}}})
		if !errors.As(err, &ila) {
			t.Errorf("two attributes: %v", err)
		}
		_, err = ct.LookupEvents(ctx(t), &cloudtrail.LookupEventsInput{LookupAttributes: []types.LookupAttribute{{AttributeKey: "Bogus", AttributeValue: aws.String("x")}}})
		if !errors.As(err, &ila) {
			t.Errorf("unknown attribute key: %v", err)
		}
		var int_ *types.InvalidNextTokenException
		_, err = ct.LookupEvents(ctx(t), &cloudtrail.LookupEventsInput{NextToken: aws.String("garbage-token")})
		if !errors.As(err, &int_) {
			t.Errorf("garbled token: %v", err)
		}
		// A token from one query used with another.
		first, err := ct.LookupEvents(ctx(t), &cloudtrail.LookupEventsInput{MaxResults: aws.Int32(1)})
		if err != nil || first.NextToken == nil {
			t.Fatalf("first page: %v", err)
		}
		_, err = ct.LookupEvents(ctx(t), &cloudtrail.LookupEventsInput{NextToken: first.NextToken,
			LookupAttributes: []types.LookupAttribute{{AttributeKey: types.LookupAttributeKeyEventName, AttributeValue: aws.String("GetTrail")}}})
		if !errors.As(err, &int_) {
			t.Errorf("token of another query: %v", err)
		}
		var iec *types.InvalidEventCategoryException
		_, err = ct.LookupEvents(ctx(t), &cloudtrail.LookupEventsInput{EventCategory: "management"})
		if !errors.As(err, &iec) {
			t.Errorf("bad category: %v", err)
		}
	})
	t.Run("CLI pages with --page-size", func(t *testing.T) {
		var out struct {
			Events []struct {
				EventId, EventName, ReadOnly, CloudTrailEvent string
				EventTime                                     float64
				Resources                                     []map[string]string
			}
		}
		s.MustAWS(t, root, "us-east-1", &out, "cloudtrail", "lookup-events", "--page-size", "20",
			"--lookup-attributes", "AttributeKey=EventName,AttributeValue=GetTrail")
		if len(out.Events) != 130 {
			t.Fatalf("CLI returned %d events, want 130", len(out.Events))
		}
		if out.Events[0].EventTime < 1e9 || !strings.Contains(out.Events[0].CloudTrailEvent, `"eventName":"GetTrail"`) {
			t.Fatalf("CLI event: %+v", out.Events[0])
		}
	})
	t.Run("region isolation", func(t *testing.T) {
		other := s.CloudTrail(root, "eu-west-1")
		evs := lookupAll(t, other, &cloudtrail.LookupEventsInput{LookupAttributes: []types.LookupAttribute{{AttributeKey: types.LookupAttributeKeyEventName, AttributeValue: aws.String("GetTrail")}}})
		if len(evs) != 0 {
			t.Fatalf("eu-west-1 sees %d us-east-1 events", len(evs))
		}
	})
}
