package rest_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"

	"github.com/cairnhq/cairn/awsproto"
	"github.com/cairnhq/cairn/awsproto/rest"
)

type color string

// bindInput has a member in every location and of every bound type.
type bindInput struct {
	ID       *string             `json:"-" location:"uri" locationName:"Id"`
	Key      *string             `json:"-" location:"uri" locationName:"Key"`
	Port     *int32              `json:"-" location:"uri" locationName:"Port"`
	MaxItems *int32              `json:"-" location:"querystring" locationName:"MaxItems"`
	Flag     *bool               `json:"-" location:"querystring" locationName:"flag"`
	Ratio    *float64            `json:"-" location:"querystring" locationName:"ratio"`
	Names    []string            `json:"-" location:"querystring" locationName:"name"`
	Colors   []color             `json:"-" location:"querystring" locationName:"color"`
	After    *awsproto.Timestamp `json:"-" location:"querystring" locationName:"after"`
	Extra    map[string]string   `json:"-" location:"querystring"`
	IfMatch  *string             `json:"-" location:"header" locationName:"If-Match"`
	Since    *awsproto.Timestamp `json:"-" location:"header" locationName:"X-Since"`
	Epoch    *awsproto.Timestamp `json:"-" location:"header" locationName:"X-Epoch" timestampFormat:"unixTimestamp"`
	Count    *int64              `json:"-" location:"header" locationName:"X-Count"`
	Staging  *bool               `json:"-" location:"header" locationName:"Staging"`
	Tags     []string            `json:"-" location:"header" locationName:"X-Tags"`
	Blob     []byte              `json:"-" location:"header" locationName:"X-Blob"`
	Mode     color               `json:"-" location:"header" locationName:"X-Mode"`
	Meta     map[string]string   `json:"-" location:"headers" locationName:"X-Amz-Meta-"`
	Body     *string             `json:"Body,omitempty"`
}

func ptr[T any](v T) *T { return &v }

func TestDecodeRequest(t *testing.T) {
	t.Parallel()
	since := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	r := httptest.NewRequest("GET", "/x?MaxItems=25&flag=true&ratio=0.5&name=a&name=b&color=red&after=2024-05-06T07:08:09Z&other=1&more=x&more=y", nil)
	r.Header.Set("If-Match", "E2QWRUHEXAMPLE")
	r.Header.Set("X-Since", since.Format(http.TimeFormat))
	r.Header.Set("X-Epoch", "1714979289.5")
	r.Header.Set("X-Count", "9000000000")
	r.Header.Set("Staging", "false")
	r.Header.Set("X-Tags", `a, "b,c", d`)
	r.Header.Set("X-Blob", "aGk=")
	r.Header.Set("X-Mode", "blue")
	r.Header.Set("X-Amz-Meta-Owner", "me")
	r.Header.Set("x-amz-meta-team", "ops")
	var in bindInput
	if err := rest.DecodeRequest(r, map[string]string{"Id": "E1/2", "Key": "a b", "Port": "8080"}, &in); err != nil {
		t.Fatal(err)
	}
	want := bindInput{
		ID: ptr("E1/2"), Key: ptr("a b"), Port: ptr(int32(8080)),
		MaxItems: ptr(int32(25)), Flag: ptr(true), Ratio: ptr(0.5),
		Names: []string{"a", "b"}, Colors: []color{"red"},
		After:   awsproto.NewTimestamp(since),
		Extra:   map[string]string{"other": "1", "more": "x"},
		IfMatch: ptr("E2QWRUHEXAMPLE"), Since: awsproto.NewTimestamp(since),
		Epoch: awsproto.NewTimestamp(time.UnixMilli(1714979289500).UTC()),
		Count: ptr(int64(9000000000)), Staging: ptr(false),
		Tags: []string{"a", "b,c", "d"}, Blob: []byte("hi"), Mode: "blue",
		Meta: map[string]string{"owner": "me", "team": "ops"},
	}
	if !reflect.DeepEqual(in, want) {
		t.Fatalf("decoded\n%+v\nwant\n%+v", in, want)
	}
}

func TestDecodeRequest_Absent(t *testing.T) {
	t.Parallel()
	var in bindInput
	if err := rest.DecodeRequest(httptest.NewRequest("GET", "/", nil), nil, &in); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, bindInput{}) {
		t.Fatalf("decoded %+v from an empty request, want nothing set", in)
	}
}

func TestDecodeRequest_BadValues(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name   string
		target string
		header [2]string
		labels map[string]string
		loc    string
		wire   string
	}{
		{"int query", "/?MaxItems=ten", [2]string{}, nil, rest.LocationQueryString, "MaxItems"},
		{"bool query", "/?flag=yes", [2]string{}, nil, rest.LocationQueryString, "flag"},
		{"timestamp query", "/?after=yesterday", [2]string{}, nil, rest.LocationQueryString, "after"},
		{"int label", "/", [2]string{}, map[string]string{"Port": "http"}, rest.LocationURI, "Port"},
		{"int header", "/", [2]string{"X-Count", "1e3"}, nil, rest.LocationHeader, "X-Count"},
		{"timestamp header", "/", [2]string{"X-Since", "soon"}, nil, rest.LocationHeader, "X-Since"},
		{"blob header", "/", [2]string{"X-Blob", "!!"}, nil, rest.LocationHeader, "X-Blob"},
		{"overflow", "/?MaxItems=99999999999", [2]string{}, nil, rest.LocationQueryString, "MaxItems"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", c.target, nil)
			if c.header[0] != "" {
				r.Header.Set(c.header[0], c.header[1])
			}
			var in bindInput
			err := rest.DecodeRequest(r, c.labels, &in)
			var be *rest.BindError
			if !errors.As(err, &be) {
				t.Fatalf("err = %v, want a *rest.BindError", err)
			}
			if be.Location != c.loc || be.Name != c.wire {
				t.Fatalf("BindError %+v, want location %s name %s", be, c.loc, c.wire)
			}
		})
	}
}

type bindOutput struct {
	ETag     *string             `json:"-" location:"header" locationName:"ETag"`
	Location *string             `json:"-" location:"header" locationName:"Location"`
	Modified *awsproto.Timestamp `json:"-" location:"header" locationName:"Last-Modified"`
	Size     *int64              `json:"-" location:"header" locationName:"Content-Length-Hint"`
	Tags     []string            `json:"-" location:"header" locationName:"X-Tags"`
	Mode     color               `json:"-" location:"header" locationName:"X-Mode"`
	Meta     map[string]string   `json:"-" location:"headers" locationName:"x-amz-meta-"`
	Status   *int32              `json:"-" location:"statusCode"`
	Body     *string             `json:"Body,omitempty"`
}

func TestEncodeResponse(t *testing.T) {
	t.Parallel()
	mod := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	h := http.Header{}
	status := rest.EncodeResponse(h, &bindOutput{
		ETag: ptr("E1"), Location: ptr("https://cloudfront.amazonaws.com/2020-05-31/distribution/E1"),
		Modified: awsproto.NewTimestamp(mod), Size: ptr(int64(42)), Tags: []string{"a", "b,c"},
		Meta: map[string]string{"owner": "me"}, Status: ptr(int32(202)), Body: ptr("not a header"),
	})
	if status != 202 {
		t.Errorf("status %d, want 202 from the statusCode member", status)
	}
	want := http.Header{
		"Etag":                []string{"E1"},
		"Location":            []string{"https://cloudfront.amazonaws.com/2020-05-31/distribution/E1"},
		"Last-Modified":       []string{"Mon, 06 May 2024 07:08:09 GMT"},
		"Content-Length-Hint": []string{"42"},
		"X-Tags":              []string{`a,"b,c"`},
		"X-Amz-Meta-Owner":    []string{"me"},
	}
	if !reflect.DeepEqual(h, want) {
		t.Fatalf("headers\n%v\nwant\n%v", h, want)
	}
	if s := rest.EncodeResponse(http.Header{}, (*bindOutput)(nil)); s != 0 {
		t.Fatalf("nil output: status %d", s)
	}
}

// TestBinding_RoundTrip writes an output's headers, then reads them back into an
// input of the same shape.
func TestBinding_RoundTrip(t *testing.T) {
	t.Parallel()
	type shape struct {
		ETag  *string             `location:"header" locationName:"ETag"`
		When  *awsproto.Timestamp `location:"header" locationName:"X-When"`
		Count *int32              `location:"header" locationName:"X-Count"`
		On    *bool               `location:"header" locationName:"X-On"`
		List  []string            `location:"header" locationName:"X-List"`
		Meta  map[string]string   `location:"headers" locationName:"x-meta-"`
	}
	out := shape{ETag: ptr(`"quoted"`), When: awsproto.NewTimestamp(time.Unix(1700000000, 0).UTC()),
		Count: ptr(int32(-3)), On: ptr(true), List: []string{"x", "y, z"}, Meta: map[string]string{"k": "v"}}
	r := httptest.NewRequest("GET", "/", nil)
	rest.EncodeResponse(r.Header, &out)
	var in shape
	if err := rest.DecodeRequest(r, nil, &in); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, out) {
		t.Fatalf("round trip\n%+v\nwant\n%+v", in, out)
	}
}

func TestRawPayload(t *testing.T) {
	t.Parallel()
	type blobIn struct{ Code []byte }
	type strIn struct{ Doc *string }
	var b blobIn
	if err := rest.SetRawPayload(&b, "Code", []byte("function handler(e) {}")); err != nil {
		t.Fatal(err)
	}
	if got, ok := rest.RawPayload(&b, "Code"); !ok || string(got) != "function handler(e) {}" {
		t.Fatalf("blob payload %q %v", got, ok)
	}
	var s strIn
	if err := rest.SetRawPayload(&s, "Doc", []byte("{}")); err != nil || s.Doc == nil || *s.Doc != "{}" {
		t.Fatalf("string payload %v %v", s.Doc, err)
	}
	if err := rest.SetRawPayload(&s, "Missing", nil); err == nil {
		t.Fatal("SetRawPayload of a missing member succeeded")
	}
	if _, ok := rest.RawPayload(&strIn{}, "Doc"); ok {
		t.Fatal("RawPayload of an unset member reports it set")
	}
}
