package cloudtrail

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/cairnhq/cairn"
)

// fill sets every field reachable from v to a non-zero value, giving each slice two
// elements and each pointer a target.
func fill(v reflect.Value, n *int) {
	*n++
	switch v.Kind() {
	case reflect.String:
		v.SetString("s" + string(rune('a'+*n%26)))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(*n))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(uint64(*n))
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fill(k, n)
		fill(e, n)
		v.SetMapIndex(k, e)
	case reflect.Ptr:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), n)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fill(v.Index(i), n)
		}
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			v.Set(reflect.ValueOf(time.Unix(int64(*n), 0).UTC()))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), n)
			}
		}
	}
}

// shared reports the first slice or pointer a and b share, walking them in step.
func shared(a, b reflect.Value, path string) string {
	switch a.Kind() {
	case reflect.Ptr:
		if a.IsNil() {
			return ""
		}
		if a.Pointer() == b.Pointer() {
			return path
		}
		return shared(a.Elem(), b.Elem(), path)
	case reflect.Map:
		if a.Len() > 0 && a.Pointer() == b.Pointer() {
			return path
		}
	case reflect.Slice:
		if a.Len() > 0 && a.Pointer() == b.Pointer() {
			return path
		}
		for i := range a.Len() {
			if p := shared(a.Index(i), b.Index(i), path+"[]"); p != "" {
				return p
			}
		}
	case reflect.Struct:
		for i := range a.NumField() {
			if a.Type().Field(i).IsExported() {
				if p := shared(a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name); p != "" {
					return p
				}
			}
		}
	}
	return ""
}

// TestTrail_Clone fills every field of a Trail (a field added later is filled too)
// and checks the clone is equal and shares no slice or pointer with it.
func TestTrail_Clone(t *testing.T) {
	var tr Trail
	n := 0
	fill(reflect.ValueOf(&tr).Elem(), &n)
	c := tr.clone()
	if !reflect.DeepEqual(&tr, c) {
		t.Fatalf("clone differs:\n%+v\n%+v", tr, *c)
	}
	if p := shared(reflect.ValueOf(&tr).Elem(), reflect.ValueOf(c).Elem(), "Trail"); p != "" {
		t.Fatalf("the clone shares %s with the original", p)
	}
}

// TestTrailCache_Decode checks a cached decode is used only for the same document and
// that callers never share what they are given.
func TestTrailCache_Decode(t *testing.T) {
	doc := func(tr *Trail) []byte {
		b, err := json.Marshal(tr)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tr := &Trail{Name: "a", Account: "123456789012", HomeRegion: "us-east-1", S3BucketName: "b",
		EventSelectors: []EventSelector{{ReadWriteType: "All", DataResources: []DataResource{{Type: "AWS::S3::Object", Values: []string{"arn:aws:s3"}}}}}}
	var c trailCache
	e := cairn.MetaEntry{Key: "k", Value: doc(tr), Revision: 1}
	first, err := c.decode(e)
	if err != nil {
		t.Fatal(err)
	}
	second, err := c.decode(e)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(first, second) || first == second {
		t.Fatalf("second decode: %+v (same pointer: %v), want an equal copy of %+v", second, first == second, first)
	}
	second.EventSelectors[0].DataResources[0].Values[0] = "changed"
	second.Name = "changed"
	third, err := c.decode(e)
	if err != nil {
		t.Fatal(err)
	}
	if third.Name != "a" || third.EventSelectors[0].DataResources[0].Values[0] != "arn:aws:s3" {
		t.Fatalf("a caller's change reached the cache: %+v", third)
	}
	// Another document under the same key and revision (a store that reused the
	// revision) is decoded afresh.
	tr.S3BucketName = "other"
	got, err := c.decode(cairn.MetaEntry{Key: "k", Value: doc(tr), Revision: 1})
	if err != nil {
		t.Fatal(err)
	}
	if got.S3BucketName != "other" {
		t.Fatalf("bucket %q from a changed document, want other", got.S3BucketName)
	}
	if _, err := c.decode(cairn.MetaEntry{Key: "bad", Value: []byte("{")}); err == nil {
		t.Fatal("undecodable document: no error")
	}
}
