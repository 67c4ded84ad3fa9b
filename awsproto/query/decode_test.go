package query_test

import (
	"errors"
	"net/url"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/cairnhq/cairn/api/sts"
	"github.com/cairnhq/cairn/awsproto"
	"github.com/cairnhq/cairn/awsproto/query"
)

func TestDecode_AssumeRole(t *testing.T) {
	form := url.Values{
		"Action":                     {"AssumeRole"},
		"Version":                    {"2011-06-15"},
		"RoleArn":                    {"arn:aws:iam::123456789012:role/r"},
		"RoleSessionName":            {"s"},
		"DurationSeconds":            {"900"},
		"PolicyArns.member.1.arn":    {"arn:aws:iam::aws:policy/A"},
		"PolicyArns.member.2.arn":    {"arn:aws:iam::aws:policy/B"},
		"Tags.member.1.Key":          {"k"},
		"Tags.member.1.Value":        {"v"},
		"TransitiveTagKeys.member.1": {"k"},
		"TransitiveTagKeys.member.3": {"after a gap: ignored"},
		"Unknown.Param":              {"x"},
	}
	var in sts.AssumeRoleRequest
	if err := query.Decode(form, &in); err != nil {
		t.Fatal(err)
	}
	if *in.RoleArn != "arn:aws:iam::123456789012:role/r" || *in.RoleSessionName != "s" || *in.DurationSeconds != 900 {
		t.Errorf("scalars: %+v", in)
	}
	if len(in.PolicyArns) != 2 || *in.PolicyArns[1].Arn != "arn:aws:iam::aws:policy/B" {
		t.Errorf("PolicyArns = %+v", in.PolicyArns)
	}
	if len(in.Tags) != 1 || *in.Tags[0].Key != "k" || *in.Tags[0].Value != "v" {
		t.Errorf("Tags = %+v", in.Tags)
	}
	if !reflect.DeepEqual(in.TransitiveTagKeys, []string{"k"}) {
		t.Errorf("TransitiveTagKeys = %q", in.TransitiveTagKeys)
	}
	if in.Policy != nil || in.ProvidedContexts != nil || in.ExternalId != nil {
		t.Errorf("absent members were set: %+v", in)
	}
}

// shape exercises the traits STS lacks: maps, flattened lists, timestamps, booleans, blobs.
type shape struct {
	Attrs   map[string]string   `xml:"Attrs,omitempty"`
	Flat    []string            `xml:"Flat,omitempty"`
	Empty   []string            `xml:"Empty>member,omitempty"`
	When    *awsproto.Timestamp `xml:"When,omitempty"`
	OK      *bool               `xml:"OK,omitempty"`
	Data    []byte              `xml:"Data,omitempty"`
	Ratio   *float64            `xml:"Ratio,omitempty"`
	Nested  *shape              `xml:"Nested,omitempty"`
	Skipped *string             `xml:"-"`
}

func TestDecode_Traits(t *testing.T) {
	form := url.Values{
		"Attrs.entry.1.key":   {"a"},
		"Attrs.entry.1.value": {"1"},
		"Attrs.entry.2.key":   {"b"},
		"Attrs.entry.2.value": {"2"},
		"Flat.1":              {"x"},
		"Flat.2":              {"y"},
		"Empty":               {""},
		"When":                {"2024-03-01T12:30:15.250Z"},
		"OK":                  {"TRUE"},
		"Data":                {"aGk="},
		"Ratio":               {"0.5"},
		"Nested.Flat.1":       {"z"},
		"Skipped":             {"no"},
	}
	var s shape
	if err := query.Decode(form, &s); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(s.Attrs, map[string]string{"a": "1", "b": "2"}) || !reflect.DeepEqual(s.Flat, []string{"x", "y"}) {
		t.Errorf("Attrs %v Flat %v", s.Attrs, s.Flat)
	}
	if s.Empty == nil || len(s.Empty) != 0 {
		t.Errorf("Empty = %#v, want an empty list", s.Empty)
	}
	if !s.When.Equal(time.Date(2024, 3, 1, 12, 30, 15, 250e6, time.UTC)) || !*s.OK || string(s.Data) != "hi" || *s.Ratio != 0.5 {
		t.Errorf("scalars: %v %v %q %v", s.When, *s.OK, s.Data, *s.Ratio)
	}
	if s.Nested == nil || !reflect.DeepEqual(s.Nested.Flat, []string{"z"}) || s.Nested.Nested != nil {
		t.Errorf("Nested = %+v", s.Nested)
	}
	if s.Skipped != nil {
		t.Error("xml:\"-\" member was decoded")
	}
}

func TestDecode_InvalidValues(t *testing.T) {
	for _, form := range []url.Values{
		{"DurationSeconds": {"abc"}},
		{"DurationSeconds": {"99999999999"}},
		{"Tags.member.1.Key": {"k"}, "DurationSeconds": {"1.5"}},
	} {
		var in sts.AssumeRoleRequest
		err := query.Decode(form, &in)
		var e *awsproto.Error
		if !errors.As(err, &e) || e.Code != "InvalidParameterValue" || e.Status != 400 || e.Receiver {
			t.Errorf("Decode(%v) = %v, want InvalidParameterValue 400", form, err)
		}
	}
	for _, form := range []url.Values{{"When": {"yesterday"}}, {"OK": {"yes"}}, {"Data": {"!"}}, {"Attrs.entry.1.key": {"a"}, "Ratio": {"x"}}} {
		var s shape
		var e *awsproto.Error
		if err := query.Decode(form, &s); !errors.As(err, &e) || e.Code != "InvalidParameterValue" {
			t.Errorf("Decode(%v) = %v, want InvalidParameterValue", form, err)
		}
	}
}

func TestDecode_LargeList(t *testing.T) {
	form := url.Values{}
	for i := 1; i <= 20000; i++ {
		form.Set("TransitiveTagKeys.member."+strconv.Itoa(i), "k")
	}
	var in sts.AssumeRoleRequest
	start := time.Now()
	if err := query.Decode(form, &in); err != nil || len(in.TransitiveTagKeys) != 20000 {
		t.Fatalf("Decode = %v, %d keys", err, len(in.TransitiveTagKeys))
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("decoding 20000 list elements took %v; presence checks must not scan the form", d)
	}
}
