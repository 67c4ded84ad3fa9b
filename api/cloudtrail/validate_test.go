package cloudtrail_test

import (
	"errors"
	"reflect"
	"testing"

	"github.com/cairnhq/cairn/api/cloudtrail"
	"github.com/cairnhq/cairn/awsproto"
)

func ptr[T any](v T) *T { return &v }

func TestValidate(t *testing.T) {
	const keys = "[EventId, EventName, ReadOnly, Username, ResourceType, ResourceName, EventSource, AccessKeyId]"
	tests := []struct {
		name string
		in   awsproto.Validator
		want []awsproto.Violation
	}{
		{
			name: "MaxResultsAboveMax",
			in:   &cloudtrail.LookupEventsRequest{MaxResults: ptr[int32](51)},
			want: []awsproto.Violation{{Path: "maxResults", Member: "MaxResults", Constraint: "max", Value: "51",
				Message: "Value '51' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 50"}},
		},
		{
			name: "MaxResultsBelowMin",
			in:   &cloudtrail.LookupEventsRequest{MaxResults: ptr[int32](0)},
			want: []awsproto.Violation{{Path: "maxResults", Member: "MaxResults", Constraint: "min", Value: "0",
				Message: "Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1"}},
		},
		{
			name: "RequiredMissing",
			in:   &cloudtrail.CreateTrailRequest{S3BucketName: ptr("bucket")},
			want: []awsproto.Violation{{Path: "name", Member: "Name", Constraint: "required",
				Message: "Value null at 'name' failed to satisfy constraint: Member must not be null"}},
		},
		{
			name: "NilInput",
			in:   (*cloudtrail.GetTrailRequest)(nil),
			want: []awsproto.Violation{{Path: "name", Member: "Name", Constraint: "required",
				Message: "Value null at 'name' failed to satisfy constraint: Member must not be null"}},
		},
		{
			name: "EnumInNestedList",
			in: &cloudtrail.LookupEventsRequest{LookupAttributes: []cloudtrail.LookupAttribute{
				{AttributeKey: cloudtrail.LookupAttributeKeyEventName, AttributeValue: ptr("CreateTrail")},
				{AttributeKey: "Foo", AttributeValue: ptr("x")},
			}},
			want: []awsproto.Violation{{Path: "lookupAttributes.2.member.attributeKey", Member: "AttributeKey", Constraint: "enum", Value: "Foo",
				Message: "Value 'Foo' at 'lookupAttributes.2.member.attributeKey' failed to satisfy constraint: Member must satisfy enum value set: " + keys}},
		},
		{
			name: "RequiredAndLengthInNestedList",
			in: &cloudtrail.LookupEventsRequest{LookupAttributes: []cloudtrail.LookupAttribute{
				{AttributeValue: ptr("")},
			}},
			want: []awsproto.Violation{
				{Path: "lookupAttributes.1.member.attributeKey", Member: "AttributeKey", Constraint: "required",
					Message: "Value null at 'lookupAttributes.1.member.attributeKey' failed to satisfy constraint: Member must not be null"},
				{Path: "lookupAttributes.1.member.attributeValue", Member: "AttributeValue", Constraint: "min", Value: "",
					Message: "Value '' at 'lookupAttributes.1.member.attributeValue' failed to satisfy constraint: Member must have length greater than or equal to 1"},
			},
		},
		{
			name: "MinLengthAndPattern",
			in:   &cloudtrail.CreateEventDataStoreRequest{Name: ptr("a!")},
			want: []awsproto.Violation{
				{Path: "name", Member: "Name", Constraint: "min", Value: "a!",
					Message: "Value 'a!' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 3"},
				{Path: "name", Member: "Name", Constraint: "pattern", Value: "a!",
					Message: "Value 'a!' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9._\\-]+$"},
			},
		},
		{
			name: "TwoLevelsOfLists",
			in: &cloudtrail.PutEventSelectorsRequest{TrailName: ptr("t"), AdvancedEventSelectors: []cloudtrail.AdvancedEventSelector{{
				FieldSelectors: []cloudtrail.AdvancedFieldSelector{{Field: ptr("eventCategory")}, {Field: ptr("bad field!")}},
			}}},
			want: []awsproto.Violation{{Path: "advancedEventSelectors.1.member.fieldSelectors.2.member.field", Member: "Field", Constraint: "pattern", Value: "bad field!",
				Message: "Value 'bad field!' at 'advancedEventSelectors.1.member.fieldSelectors.2.member.field' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w|\\d|\\.|_]+"}},
		},
		{
			name: "EmptyIsValid",
			in:   &cloudtrail.DescribeTrailsRequest{},
			want: nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.in.Validate()
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			var ve *awsproto.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Validate() = %v, want *awsproto.ValidationError", err)
			}
			if !reflect.DeepEqual(ve.Violations, tt.want) {
				t.Errorf("violations:\n got %+v\nwant %+v", ve.Violations, tt.want)
			}
		})
	}
}

func TestValidate_ValidIsUntypedNil(t *testing.T) {
	in := &cloudtrail.LookupEventsRequest{
		MaxResults:       ptr[int32](50),
		EventCategory:    cloudtrail.EventCategoryInsight,
		LookupAttributes: []cloudtrail.LookupAttribute{{AttributeKey: cloudtrail.LookupAttributeKeyUsername, AttributeValue: ptr("alice")}},
	}
	if err := in.Validate(); err != nil {
		t.Fatalf("Validate() = %#v, want untyped nil", err)
	}
	trail := &cloudtrail.CreateTrailRequest{Name: ptr("main"), S3BucketName: ptr("bucket"),
		TagsList: []cloudtrail.Tag{{Key: ptr("k"), Value: ptr("v")}}}
	if err := trail.Validate(); err != nil {
		t.Fatalf("CreateTrail Validate() = %v", err)
	}
}

func TestValidationError_Message(t *testing.T) {
	err := (&cloudtrail.LookupEventsRequest{MaxResults: ptr[int32](51), EventCategory: "x"}).Validate()
	const want = "2 validation errors detected: " +
		"Value 'x' at 'eventCategory' failed to satisfy constraint: Member must satisfy enum value set: [insight]; " +
		"Value '51' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 50"
	if err == nil || err.Error() != want {
		t.Errorf("Error() = %v\nwant %s", err, want)
	}
}
