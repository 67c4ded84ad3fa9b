package awsjson_test

import (
	"net/http/httptest"
	"sort"
	"testing"

	"github.com/cairnhq/cairn/api/cloudtrail"
	"github.com/cairnhq/cairn/awsproto"
	"github.com/cairnhq/cairn/awsproto/awsjson"
)

// FuzzAWSJSONDecode decodes arbitrary bodies into every CloudTrail input: Decode never
// panics and either succeeds or returns an *awsproto.Error; a decoded input validates
// and re-encodes without panicking.
func FuzzAWSJSONDecode(f *testing.F) {
	ops := make([]string, 0, len(cloudtrail.Operations))
	for op := range cloudtrail.Operations {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	index := func(op string) uint8 { return uint8(sort.SearchStrings(ops, op)) }
	f.Add(index("LookupEvents"), []byte(`{"MaxResults":51,"StartTime":1.7e9,"LookupAttributes":[{"AttributeKey":"Foo","AttributeValue":""}]}`))
	f.Add(index("CreateTrail"), []byte(`{"Name":"t","S3BucketName":"b","TagsList":[{"Key":"k"}]}`))
	f.Add(index("DescribeTrails"), []byte(`{"trailNameList":["a",null],"includeShadowTrails":true}`))
	f.Add(index("PutEventSelectors"), []byte(`{"TrailName":"t","AdvancedEventSelectors":[{"FieldSelectors":[{"Field":"eventCategory","Equals":["Data"]}]}]}`))
	f.Add(index("StartQuery"), []byte(`{"QueryStatement":"SELECT 1","QueryParameters":["\u0000"]}`))
	f.Add(index("PutResourcePolicy"), []byte(`{"ResourceArn":1e999}`))
	f.Add(uint8(0), []byte(``))
	f.Add(uint8(1), []byte(`[`))
	f.Fuzz(func(t *testing.T, opIndex uint8, body []byte) {
		op := ops[int(opIndex)%len(ops)]
		in, ok := cloudtrail.NewInput(op)
		if !ok {
			t.Fatalf("NewInput(%s) failed", op)
		}
		if err := awsjson.Decode(body, in); err != nil {
			if _, ok := err.(*awsproto.Error); !ok {
				t.Fatalf("Decode(%q) into %s returned %T %v, want *awsproto.Error", body, op, err, err)
			}
			return
		}
		_ = in.Validate()
		awsjson.WriteResponse(httptest.NewRecorder(), "id", in)
	})
}
