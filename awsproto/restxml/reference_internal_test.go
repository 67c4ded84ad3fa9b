package restxml

// The reflective encoder Marshal replaced, kept as the reference its output must
// match byte for byte (TestMarshal_MatchesReference, BenchmarkMarshal_ListDistributions).

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/cairnhq/cairn/awsproto"
	"github.com/cairnhq/cairn/awsproto/rest"
)

// ReferenceMarshal is the reflective encoder, for the external tests.
var ReferenceMarshal = refMarshal

func refMarshal(root, namespace string, v any) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(xmlHeader)
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface {
		if rv.IsNil() {
			break
		}
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Struct {
		return nil, fmt.Errorf("restxml: cannot encode %T as a document", v)
	}
	b.WriteString("<" + root)
	if namespace != "" {
		b.WriteString(` xmlns="` + refEscape(namespace) + `"`)
	}
	refWriteAttrs(&b, rv)
	b.WriteString(">")
	if err := refEncodeMembers(&b, rv, 0); err != nil {
		return nil, err
	}
	b.WriteString("</" + root + ">")
	return b.Bytes(), nil
}

func refWriteAttrs(b *bytes.Buffer, v reflect.Value) {
	for _, f := range fields(v.Type()) {
		if !f.attr {
			continue
		}
		fv := v.Field(f.index)
		if isAbsent(fv) {
			continue
		}
		var s bytes.Buffer
		if err := refEncodeScalar(&s, fv); err == nil {
			b.WriteString(" " + f.name + `="` + s.String() + `"`)
		}
	}
}

// encodeMembers writes the members of struct v.
func refEncodeMembers(b *bytes.Buffer, v reflect.Value, depth int) error {
	if depth > maxDepth {
		return fmt.Errorf("restxml: structure nested deeper than %d", maxDepth)
	}
	for _, f := range fields(v.Type()) {
		if f.attr {
			continue
		}
		fv := v.Field(f.index)
		if isAbsent(fv) {
			continue
		}
		switch {
		case isList(fv.Type()) && f.elem != "":
			b.WriteString("<" + f.name + ">")
			for i := range fv.Len() {
				if err := refEncodeElement(b, f.elem, fv.Index(i), depth); err != nil {
					return err
				}
			}
			b.WriteString("</" + f.name + ">")
		case isList(fv.Type()):
			for i := range fv.Len() {
				if err := refEncodeElement(b, f.name, fv.Index(i), depth); err != nil {
					return err
				}
			}
		default:
			if err := refEncodeElement(b, f.name, fv, depth); err != nil {
				return err
			}
		}
	}
	return nil
}

// encodeElement writes <name>v</name>.
func refEncodeElement(b *bytes.Buffer, name string, v reflect.Value, depth int) error {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	b.WriteString("<" + name)
	if v.Kind() == reflect.Struct && v.Type() != timestampType {
		refWriteAttrs(b, v)
	}
	b.WriteString(">")
	switch {
	case v.Type() == timestampType:
		b.WriteString(rest.FormatTimestamp(v.Interface().(awsproto.Timestamp).Time, rest.TimestampISO8601))
	case v.Kind() == reflect.Struct:
		if err := refEncodeMembers(b, v, depth+1); err != nil {
			return err
		}
	case isList(v.Type()):
		// A list inside a list or map: its items are <member>s.
		for i := range v.Len() {
			if err := refEncodeElement(b, "member", v.Index(i), depth+1); err != nil {
				return err
			}
		}
	case v.Kind() == reflect.Map:
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, c reflect.Value) int { return strings.Compare(a.String(), c.String()) })
		for _, k := range keys {
			b.WriteString("<entry>")
			if err := refEncodeElement(b, "key", k, depth+1); err != nil {
				return err
			}
			if err := refEncodeElement(b, "value", v.MapIndex(k), depth+1); err != nil {
				return err
			}
			b.WriteString("</entry>")
		}
	default:
		if err := refEncodeScalar(b, v); err != nil {
			return err
		}
	}
	b.WriteString("</" + name + ">")
	return nil
}

func refEncodeScalar(b *bytes.Buffer, v reflect.Value) error {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	switch {
	case v.Type() == timestampType:
		b.WriteString(rest.FormatTimestamp(v.Interface().(awsproto.Timestamp).Time, rest.TimestampISO8601))
	case isBlob(v.Type()):
		b.WriteString(base64.StdEncoding.EncodeToString(v.Bytes()))
	case v.Kind() == reflect.String:
		b.WriteString(refEscape(v.String()))
	case v.Kind() == reflect.Bool:
		b.WriteString(strconv.FormatBool(v.Bool()))
	case v.CanInt():
		b.WriteString(strconv.FormatInt(v.Int(), 10))
	case v.CanFloat():
		b.WriteString(strconv.FormatFloat(v.Float(), 'f', -1, v.Type().Bits()))
	default:
		return fmt.Errorf("restxml: cannot encode %s", v.Type())
	}
	return nil
}

func refEscape(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
