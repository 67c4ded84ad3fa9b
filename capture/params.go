package capture

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/cairnhq/cairn"
	"github.com/cairnhq/cairn/awsproto"
)

// RecordTimeFormat is how CloudTrail writes timestamps inside requestParameters and
// responseElements (e.g. "Feb 2, 2024 7:26:01 PM" in the seed's UpdateDistribution).
const RecordTimeFormat = "Jan 2, 2006 3:04:05 PM"

var timestampType = reflect.TypeFor[awsproto.Timestamp]()

// Params renders a request or response shape the way CloudTrail records it: member
// names with their first letter lowercased, absent members left out, members tagged
// `cairn:"sensitive"` replaced by HIDDEN_DUE_TO_SECURITY_REASONS. A nil value, or a
// shape with no members set, renders as JSON null.
func Params(v any) json.RawMessage {
	return ParamsWith(v, ParamOptions{})
}

// ParamOptions adjust how a shape is rendered for a service.
type ParamOptions struct {
	// OmitEmptyLists leaves empty lists out, as they are absent from an XML response
	// on the wire (CloudFront's responseElements show {"quantity":0} where the
	// request, which carried <Items/>, shows {"quantity":0,"items":[]}).
	OmitEmptyLists bool
}

// ParamsWith is Params with options.
func ParamsWith(v any, o ParamOptions) json.RawMessage {
	if v == nil {
		return nil
	}
	out := o.value(reflect.ValueOf(v))
	if out == nil {
		return nil
	}
	if m, ok := out.(map[string]any); ok && len(m) == 0 {
		return nil
	}
	b, err := json.Marshal(out)
	if err != nil {
		return nil
	}
	return b
}

func (o ParamOptions) value(v reflect.Value) any {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	if v.Type() == timestampType {
		return v.Interface().(awsproto.Timestamp).UTC().Format(RecordTimeFormat)
	}
	switch v.Type() {
	case reflect.TypeFor[time.Time]():
		return v.Interface().(time.Time).UTC().Format(RecordTimeFormat)
	case reflect.TypeFor[json.RawMessage]():
		return json.RawMessage(v.Bytes())
	}
	switch v.Kind() {
	case reflect.Struct:
		m := map[string]any{}
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			fv := v.Field(i)
			if isEmpty(fv) || o.OmitEmptyLists && fv.Kind() == reflect.Slice && fv.Len() == 0 {
				continue
			}
			name := memberName(f)
			if name == "-" {
				continue
			}
			if f.Tag.Get("cairn") == "sensitive" {
				m[name] = cairn.HiddenValue
				continue
			}
			if pv := o.value(fv); pv != nil {
				m[name] = pv
			}
		}
		return m
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return v.Bytes() // blobs: base64 by encoding/json
		}
		out := make([]any, 0, v.Len())
		for i := 0; i < v.Len(); i++ {
			out = append(out, o.value(v.Index(i)))
		}
		return out
	case reflect.Map:
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
		m := make(map[string]any, len(keys))
		for _, k := range keys {
			m[k.String()] = o.value(v.MapIndex(k))
		}
		return m
	default:
		return v.Interface()
	}
}

func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Map, reflect.Slice:
		return v.IsNil()
	case reflect.String:
		// Generated enum members are string values where "" means absent.
		return v.Len() == 0
	}
	return false
}

// memberName is the record key of a struct field: its wire name with the first
// letter lowercased, as CloudTrail writes member names. Members bound to the URI or
// headers (json "-" with a location tag) keep their member name ("ifMatch", "id").
func memberName(f reflect.StructField) string {
	name := f.Name
	if tag, ok := f.Tag.Lookup("json"); ok {
		if n, _, _ := strings.Cut(tag, ","); n != "" {
			name = n
		}
	}
	if name == "-" {
		if _, bound := f.Tag.Lookup("location"); !bound {
			return "-"
		}
		name = f.Name
	}
	return LowerFirst(name)
}

// LowerFirst lowercases the first letter only: "ARN" becomes "aRN" as in the seed.
func LowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 || unicode.IsLower(r) {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}
