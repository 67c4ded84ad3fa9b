package cloudtrail_test

import (
	"testing"

	"github.com/cairnhq/cairn/api/cloudtrail"
	"github.com/cairnhq/cairn/awsproto"
	svc "github.com/cairnhq/cairn/service/cloudtrail"
)

func TestMapValidation(t *testing.T) {
	s := func(v string) *string { return &v }
	n := func(v int32) *int32 { return &v }
	tests := []struct {
		op   string
		in   awsproto.Validator
		code string
	}{
		{"LookupEvents", &cloudtrail.LookupEventsRequest{MaxResults: n(51)}, "InvalidMaxResultsException"},
		{"LookupEvents", &cloudtrail.LookupEventsRequest{LookupAttributes: []cloudtrail.LookupAttribute{{AttributeKey: "Bogus", AttributeValue: s("x")}}}, "InvalidLookupAttributesException"},
		{"LookupEvents", &cloudtrail.LookupEventsRequest{EventCategory: "management"}, "InvalidEventCategoryException"},
		{"PutEventSelectors", &cloudtrail.PutEventSelectorsRequest{TrailName: s("t"), EventSelectors: []cloudtrail.EventSelector{{ReadWriteType: "read-only"}}}, "InvalidEventSelectorsException"},
		{"PutInsightSelectors", &cloudtrail.PutInsightSelectorsRequest{TrailName: s("t"), InsightSelectors: []cloudtrail.InsightSelector{{InsightType: "Nope"}}}, "InvalidInsightSelectorsException"},
		{"CreateTrail", &cloudtrail.CreateTrailRequest{Name: s("t")}, "InvalidParameterException"},
	}
	for _, tt := range tests {
		t.Run(tt.op+"/"+tt.code, func(t *testing.T) {
			err := tt.in.Validate()
			ve, ok := err.(*awsproto.ValidationError)
			if !ok {
				t.Fatalf("Validate() = %v, want a ValidationError", err)
			}
			if got := svc.MapValidation(tt.op, ve); got.Code != tt.code || got.Status != 400 {
				t.Fatalf("MapValidation = %s %d, want %s 400", got.Code, got.Status, tt.code)
			}
		})
	}
}
