package capture_test

import (
	"testing"
	"time"

	"github.com/cairnhq/cairn/awsproto"
	"github.com/cairnhq/cairn/capture"
)

type inner struct {
	ARN   *string `json:"ARN,omitempty"`
	Items []string
}

type shape struct {
	Name       *string             `json:"Name,omitempty"`
	Comment    *string             `json:"Comment,omitempty" cairn:"sensitive"`
	MaxResults *int32              `json:"MaxResults,omitempty"`
	Enabled    *bool               `json:"Enabled,omitempty"`
	StartTime  *awsproto.Timestamp `json:"StartTime,omitempty"`
	Inner      *inner              `json:"Inner,omitempty"`
	List       []inner             `json:"trailNameList,omitempty"`
	Tags       map[string]string   `json:"Tags,omitempty"`
	Absent     *string             `json:"Absent,omitempty"`
	Nested     map[string]*inner   `json:"Nested,omitempty"`
	Blob       []byte              `json:"Blob,omitempty"`
	Ignored    *string             `json:"-"`
}

func ptr[T any](v T) *T { return &v }

func TestParams(t *testing.T) {
	ts := awsproto.NewTimestamp(time.Date(2024, 2, 2, 19, 26, 1, 0, time.UTC))
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"nil", nil, ""},
		{"nil pointer", (*shape)(nil), ""},
		{"empty struct is null", &shape{}, ""},
		{"members lowercased, secrets hidden, times formatted", &shape{
			Name: ptr("t1"), Comment: ptr("secret"), MaxResults: ptr[int32](5), Enabled: ptr(false), StartTime: ts,
			Inner:   &inner{ARN: ptr("arn:x"), Items: []string{"a"}},
			List:    []inner{{ARN: ptr("y")}},
			Tags:    map[string]string{"b": "2", "a": "1"},
			Blob:    []byte("hi"),
			Ignored: ptr("no"),
		}, `{"blob":"aGk=","comment":"HIDDEN_DUE_TO_SECURITY_REASONS","enabled":false,"inner":{"aRN":"arn:x","items":["a"]},"maxResults":5,"name":"t1","startTime":"Feb 2, 2024 7:26:01 PM","tags":{"a":"1","b":"2"},"trailNameList":[{"aRN":"y"}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(capture.Params(tt.in))
			if got != tt.want {
				t.Errorf("Params =\n %s\nwant\n %s", got, tt.want)
			}
		})
	}
}

func TestLowerFirst(t *testing.T) {
	for in, want := range map[string]string{"ARN": "aRN", "ACMCertificateArn": "aCMCertificateArn", "name": "name", "": "", "S3BucketName": "s3BucketName"} {
		if got := capture.LowerFirst(in); got != want {
			t.Errorf("LowerFirst(%q) = %q, want %q", in, got, want)
		}
	}
}

type restShape struct {
	Id       *string  `json:"-" xml:"-" location:"uri" locationName:"Id"`
	IfMatch  *string  `json:"-" xml:"-" location:"header" locationName:"If-Match"`
	Skip     *string  `json:"-"`
	Items    []string `json:"Items,omitzero"`
	Quantity *int32   `json:"Quantity,omitempty"`
}

func TestParamsWith(t *testing.T) {
	in := &restShape{Id: ptr("E1"), IfMatch: ptr("ETAG"), Skip: ptr("no"), Quantity: ptr[int32](0)}
	if got, want := string(capture.Params(in)), `{"id":"E1","ifMatch":"ETAG","quantity":0}`; got != want {
		t.Errorf("Params = %s, want %s", got, want)
	}
	in.Items = []string{}
	if got, want := string(capture.Params(in)), `{"id":"E1","ifMatch":"ETAG","items":[],"quantity":0}`; got != want {
		t.Errorf("Params with an empty list = %s, want %s", got, want)
	}
	if got, want := string(capture.ParamsWith(in, capture.ParamOptions{OmitEmptyLists: true})), `{"id":"E1","ifMatch":"ETAG","quantity":0}`; got != want {
		t.Errorf("ParamsWith(OmitEmptyLists) = %s, want %s", got, want)
	}
}
