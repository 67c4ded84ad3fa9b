package awsjson_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cairnhq/cairn/api/cloudtrail"
	"github.com/cairnhq/cairn/awsproto"
	"github.com/cairnhq/cairn/awsproto/awsjson"
)

func TestDecode(t *testing.T) {
	t.Run("EmptyBody", func(t *testing.T) {
		for _, body := range []string{"", "  \n", "{}", "null"} {
			var in cloudtrail.LookupEventsRequest
			if err := awsjson.Decode([]byte(body), &in); err != nil {
				t.Errorf("Decode(%q) = %v", body, err)
			}
		}
	})
	t.Run("Members", func(t *testing.T) {
		var in cloudtrail.LookupEventsRequest
		body := `{"MaxResults":5,"StartTime":1704067200,"EndTime":1.7040672005e9,"Unknown":{"x":[1]},
			"LookupAttributes":[{"AttributeKey":"EventName","AttributeValue":"CreateTrail"}]}`
		if err := awsjson.Decode([]byte(body), &in); err != nil {
			t.Fatal(err)
		}
		if *in.MaxResults != 5 || !in.StartTime.Equal(time.Unix(1704067200, 0)) || !in.EndTime.Equal(time.Unix(1704067200, 5e8)) {
			t.Errorf("decoded %d %v %v", *in.MaxResults, in.StartTime, in.EndTime)
		}
		if len(in.LookupAttributes) != 1 || in.LookupAttributes[0].AttributeKey != cloudtrail.LookupAttributeKeyEventName {
			t.Errorf("LookupAttributes = %+v", in.LookupAttributes)
		}
	})
	t.Run("LowercaseMembers", func(t *testing.T) {
		var in cloudtrail.DescribeTrailsRequest
		if err := awsjson.Decode([]byte(`{"trailNameList":["a"],"includeShadowTrails":false}`), &in); err != nil {
			t.Fatal(err)
		}
		if len(in.TrailNameList) != 1 || in.IncludeShadowTrails == nil || *in.IncludeShadowTrails {
			t.Errorf("decoded %+v", in)
		}
	})
	long := strings.Repeat("9", 5000)
	for _, tt := range []struct {
		name, body, want string
	}{
		{"Syntax", `{"MaxResults":`, "not valid JSON"},
		{"WrongType", `{"MaxResults":"5"}`, "Cannot deserialize member 'MaxResults': expected integer, got string"},
		{"Fraction", `{"MaxResults":1.5}`, "member 'MaxResults'"},
		{"Nested", `{"LookupAttributes":[{"AttributeKey":3}]}`, "AttributeKey"},
		{"TopLevelArray", `[]`, "expected structure"},
		{"TimestampString", `{"StartTime":"2024-01-01T00:00:00Z"}`, "timestamp"},
		{"HugeNumber", `{"MaxResults":` + long + `}`, "MaxResults"},
		{"Trailing", `{} {}`, "not valid JSON"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var in cloudtrail.LookupEventsRequest
			err := awsjson.Decode([]byte(tt.body), &in)
			var e *awsproto.Error
			if !errors.As(err, &e) {
				t.Fatalf("Decode = %v, want *awsproto.Error", err)
			}
			if e.Code != "SerializationException" || e.Status != 400 {
				t.Errorf("got %s %d", e.Code, e.Status)
			}
			if !strings.Contains(e.Message, tt.want) {
				t.Errorf("message %q does not contain %q", e.Message, tt.want)
			}
			if len(e.Message) > 300 {
				t.Errorf("message echoes too much input (%d bytes)", len(e.Message))
			}
		})
	}
}
