package eventlog

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/cairnhq/cairn"
)

func sampleMetas() []meta {
	return []meta{
		{},
		{TimeNanos: 1764000000123456789, Account: "123456789012", Region: "us-east-1", Lookup: cairn.LookupFields{
			EventID: "6b7c3d2e-1f00-4a5b-8c9d-0e1f2a3b4c5d", EventName: "UpdateDistribution",
			EventSource: "cloudfront.amazonaws.com", ReadOnly: "false", Username: "alice",
			AccessKeyID: "AKIAEXAMPLE", Category: "Management",
			Resources: []cairn.LookupResource{{Type: "AWS::CloudFront::Distribution", Name: "E1"}, {Name: "x"}},
		}},
		{TimeNanos: -5, Account: `quote"back\slash`, Region: "<tag>&", Lookup: cairn.LookupFields{Username: "é\u2028\n\t"}},
		{Lookup: cairn.LookupFields{Resources: []cairn.LookupResource{}}},
	}
}

func TestMetaCodec(t *testing.T) {
	for _, m := range sampleMetas() {
		b, err := encodeMeta(&m)
		if err != nil {
			t.Fatal(err)
		}
		var fast, slow meta
		if err := decodeMeta(string(b), &fast); err != nil {
			t.Fatalf("decodeMeta(%s): %v", b, err)
		}
		if err := json.Unmarshal(b, &slow); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(fast, slow) {
			t.Fatalf("decodeMeta(%s) = %+v, encoding/json gives %+v", b, fast, slow)
		}
	}
	// Inputs the fast path does not take still decode.
	for _, s := range []string{
		` {"t":1} `, `{"t":1,"x":2}`, `{"l":{"res":null}}`, `{"l":{"res":[{"t":"a"}],"res":[{"n":"b"}]}}`,
		`{"a":"\u0041"}`, `{"t":1.5e3}`, `{"t":00}`, `{"t":-0}`, `{"t":99999999999999999999}`,
	} {
		var fast, slow meta
		ferr := decodeMeta(s, &fast)
		serr := json.Unmarshal([]byte(s), &slow)
		if (ferr == nil) != (serr == nil) || !reflect.DeepEqual(fast, slow) {
			t.Fatalf("decodeMeta(%s) = %+v, %v; encoding/json: %+v, %v", s, fast, ferr, slow, serr)
		}
	}
}

func FuzzDecodeMeta(f *testing.F) {
	for _, m := range sampleMetas() {
		b, _ := encodeMeta(&m)
		f.Add(string(b))
	}
	f.Fuzz(func(t *testing.T, s string) {
		var fast, slow meta
		ferr := decodeMeta(s, &fast)
		serr := json.Unmarshal([]byte(s), &slow)
		if (ferr == nil) != (serr == nil) {
			t.Fatalf("decodeMeta(%q) err %v, encoding/json err %v", s, ferr, serr)
		}
		if ferr == nil && !reflect.DeepEqual(fast, slow) {
			t.Fatalf("decodeMeta(%q) = %+v, encoding/json %+v", s, fast, slow)
		}
	})
}

func BenchmarkDecodeMeta(b *testing.B) {
	m := sampleMetas()[1]
	enc, _ := encodeMeta(&m)
	s := string(enc)
	b.ReportAllocs()
	for range b.N {
		var out meta
		if err := decodeMeta(s, &out); err != nil {
			b.Fatal(err)
		}
	}
}

func TestEncodeMetaMatchesJSON(t *testing.T) {
	for _, m := range sampleMetas() {
		fast, err := encodeMeta(&m)
		if err != nil {
			t.Fatal(err)
		}
		slow, _ := json.Marshal(&m)
		if string(fast) != string(slow) {
			t.Fatalf("encodeMeta = %s\njson.Marshal = %s", fast, slow)
		}
	}
}

func FuzzEncodeMeta(f *testing.F) {
	f.Add(int64(1), "123456789012", "us-east-1", "id", "Op", "src", "true", "alice", "AKIA", "Management", "AWS::X", "n", 2)
	f.Fuzz(func(t *testing.T, ts int64, a, r, id, name, src, ro, user, key, cat, rt, rn string, nres int) {
		m := meta{TimeNanos: ts, Account: a, Region: r, Lookup: cairn.LookupFields{
			EventID: id, EventName: name, EventSource: src, ReadOnly: ro, Username: user, AccessKeyID: key, Category: cat,
		}}
		for i := range nres % 4 {
			m.Lookup.Resources = append(m.Lookup.Resources, cairn.LookupResource{Type: rt[:len(rt)*i/3], Name: rn})
		}
		fast, err := encodeMeta(&m)
		if err != nil {
			t.Fatal(err)
		}
		slow, _ := json.Marshal(&m)
		if string(fast) != string(slow) {
			t.Fatalf("encodeMeta = %s\njson.Marshal = %s", fast, slow)
		}
		var back, want meta
		if err := decodeMeta(string(fast), &back); err != nil {
			t.Fatal(err)
		}
		_ = json.Unmarshal(slow, &want)
		if !reflect.DeepEqual(back, want) {
			t.Fatalf("decodeMeta(encodeMeta(m)) = %+v, want %+v", back, want)
		}
	})
}
