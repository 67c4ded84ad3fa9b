package restxml

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/cairnhq/cairn/awsproto"
	"github.com/cairnhq/cairn/awsproto/rest"
)

// DefaultMaxBodyBytes caps the XML request bodies Decode accepts: CloudFront's
// largest documents (distribution configurations) are far smaller.
const DefaultMaxBodyBytes = 1 << 20

// maxDepth bounds element nesting, against runaway recursion.
const maxDepth = 64

var timestampType = reflect.TypeFor[awsproto.Timestamp]()

// Decode fills in (a pointer to the generated input shape of op) from a routed
// request: URI labels, query parameters and headers through rest.DecodeRequest,
// then the body. A structure payload (op.InputPayload) or, without one, the
// input's unbound members are read from an XML document whose root element must be
// op.InputRoot in namespace op.InputNamespace; a blob or string payload takes the
// raw body. An empty body leaves the body members unset.
//
// Errors are *awsproto.Error: MalformedXML (400) for a body that is not
// well-formed, has the wrong root element or namespace, or holds a value that does
// not parse as its member's type; InvalidArgument (400) for a label, parameter or
// header that does not parse; RequestEntityTooLarge (413) for a body over
// DefaultMaxBodyBytes. Decode never panics on any request.
func Decode(r *http.Request, body []byte, op rest.Operation, labels map[string]string, in any) error {
	if rv := reflect.ValueOf(in); rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return awsproto.InternalFailure() // a bug in the caller, not the client's fault
	}
	if err := rest.DecodeRequest(r, labels, in); err != nil {
		var be *rest.BindError
		if errors.As(err, &be) {
			return awsproto.NewError("InvalidArgument", http.StatusBadRequest, "%s", be.Error())
		}
		return awsproto.InternalFailure()
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	if len(body) > DefaultMaxBodyBytes {
		return awsproto.NewError("RequestEntityTooLarge", http.StatusRequestEntityTooLarge,
			"The request body is %d bytes, more than the %d bytes allowed.", len(body), DefaultMaxBodyBytes)
	}
	switch op.InputPayloadType {
	case rest.PayloadBlob, rest.PayloadString:
		if err := rest.SetRawPayload(in, op.InputPayload, body); err != nil {
			return awsproto.InternalFailure()
		}
		return nil
	case rest.PayloadStructure:
		f, ok := rest.Field(in, op.InputPayload)
		if !ok || !f.CanSet() {
			return awsproto.InternalFailure()
		}
		return decodeDocument(body, op.InputRoot, op.InputNamespace, f)
	}
	if op.InputRoot == "" {
		return nil // the operation has no body members: a body is ignored, as AWS does
	}
	return decodeDocument(body, op.InputRoot, op.InputNamespace, reflect.ValueOf(in).Elem())
}

// Malformed returns CloudFront's MalformedXML (400) error.
func Malformed(format string, args ...any) *awsproto.Error {
	return awsproto.NewError("MalformedXML", http.StatusBadRequest,
		"The XML you provided was not well-formed or did not validate against our published schema: "+format, args...)
}

// decodeDocument decodes the XML document body into v (a settable struct or
// pointer to struct), checking its root element.
func decodeDocument(body []byte, root, ns string, v reflect.Value) error {
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = true
	start, err := rootElement(d)
	if err != nil {
		return err
	}
	if root != "" && start.Name.Local != root {
		return Malformed("the root element is <%s>, expected <%s>.", clip(start.Name.Local), root)
	}
	if ns != "" && start.Name.Space != ns {
		return Malformed("the root element <%s> is in namespace %q, expected %q.", root, clip(start.Name.Space), ns)
	}
	if err := decodeElement(d, start, v, 0); err != nil {
		return err
	}
	// Only comments, processing instructions and white space may follow.
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return Malformed("%s", clip(err.Error()))
		}
		switch t := tok.(type) {
		case xml.CharData:
			if len(bytes.TrimSpace(t)) != 0 {
				return Malformed("text after the root element.")
			}
		case xml.Comment, xml.ProcInst:
		default:
			return Malformed("content after the root element.")
		}
	}
}

// rootElement returns the document's first start element, refusing DTDs.
func rootElement(d *xml.Decoder) (xml.StartElement, error) {
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return xml.StartElement{}, Malformed("the document has no root element.")
		}
		if err != nil {
			return xml.StartElement{}, Malformed("%s", clip(err.Error()))
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return t, nil
		case xml.Directive:
			return xml.StartElement{}, Malformed("document type declarations are not allowed.")
		case xml.CharData:
			if len(bytes.TrimSpace(t)) != 0 {
				return xml.StartElement{}, Malformed("text before the root element.")
			}
		}
	}
}

// decodeElement decodes the element opened by start into v, consuming its end.
func decodeElement(d *xml.Decoder, start xml.StartElement, v reflect.Value, depth int) error {
	if depth > maxDepth {
		return Malformed("elements nested deeper than %d.", maxDepth)
	}
	t := v.Type()
	switch {
	case t.Kind() == reflect.Pointer:
		n := reflect.New(t.Elem())
		if !v.IsNil() {
			n = v
		}
		if err := decodeElement(d, start, n.Elem(), depth); err != nil {
			return err
		}
		v.Set(n)
		return nil
	case t == timestampType:
		s, err := text(d, start)
		if err != nil {
			return err
		}
		ts, ok := rest.ParseTimestamp(strings.TrimSpace(s), rest.TimestampISO8601)
		if !ok {
			return badValue(start, s, "an ISO 8601 timestamp")
		}
		v.Set(reflect.ValueOf(awsproto.Timestamp{Time: ts}))
		return nil
	case t.Kind() == reflect.Struct:
		return decodeStruct(d, start, v, depth)
	case isList(t):
		// A list inside a list or map: every child element is an item.
		return decodeItems(d, start, "", v, depth)
	case t.Kind() == reflect.Map:
		return decodeEntries(d, v, depth)
	}
	s, err := text(d, start)
	if err != nil {
		return err
	}
	return setScalar(v, start, s)
}

func decodeStruct(d *xml.Decoder, start xml.StartElement, v reflect.Value, depth int) error {
	fs := fields(v.Type())
	for _, f := range fs {
		if !f.attr {
			continue
		}
		for _, a := range start.Attr {
			if a.Name.Local == f.name {
				if err := setScalar(v.Field(f.index), start, a.Value); err != nil {
					return err
				}
			}
		}
	}
	for {
		tok, err := d.Token()
		if err != nil {
			return Malformed("%s", clip(err.Error()))
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return nil
		case xml.StartElement:
			f, ok := find(fs, t.Name.Local)
			if !ok {
				if err := d.Skip(); err != nil {
					return Malformed("%s", clip(err.Error()))
				}
				continue
			}
			fv := v.Field(f.index)
			switch {
			case isList(fv.Type()) && f.elem != "":
				err = decodeItems(d, t, f.elem, fv, depth+1)
			case isList(fv.Type()):
				// Flattened: each occurrence is one item.
				e := reflect.New(fv.Type().Elem()).Elem()
				if err = decodeElement(d, t, e, depth+1); err == nil {
					fv.Set(reflect.Append(fv, e))
				}
			default:
				err = decodeElement(d, t, fv, depth+1)
			}
			if err != nil {
				return err
			}
		}
	}
}

func find(fs []field, name string) (field, bool) {
	for _, f := range fs {
		if f.name == name && !f.attr {
			return f, true
		}
	}
	return field{}, false
}

// decodeItems appends the child elements of a wrapped list (named elem, or any
// name when elem is "") to v; an empty wrapper is an empty, non-nil list.
func decodeItems(d *xml.Decoder, start xml.StartElement, elem string, v reflect.Value, depth int) error {
	if depth > maxDepth {
		return Malformed("elements nested deeper than %d.", maxDepth)
	}
	if v.IsNil() {
		v.Set(reflect.MakeSlice(v.Type(), 0, 0))
	}
	for {
		tok, err := d.Token()
		if err != nil {
			return Malformed("%s", clip(err.Error()))
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return nil
		case xml.StartElement:
			if elem != "" && t.Name.Local != elem {
				if err := d.Skip(); err != nil {
					return Malformed("%s", clip(err.Error()))
				}
				continue
			}
			e := reflect.New(v.Type().Elem()).Elem()
			if err := decodeElement(d, t, e, depth+1); err != nil {
				return err
			}
			v.Set(reflect.Append(v, e))
		}
	}
}

// decodeEntries reads <entry><key>k</key><value>v</value></entry> children into v.
func decodeEntries(d *xml.Decoder, v reflect.Value, depth int) error {
	if depth > maxDepth {
		return Malformed("elements nested deeper than %d.", maxDepth)
	}
	if v.IsNil() {
		v.Set(reflect.MakeMap(v.Type()))
	}
	for {
		tok, err := d.Token()
		if err != nil {
			return Malformed("%s", clip(err.Error()))
		}
		switch tok.(type) {
		case xml.EndElement:
			return nil
		case xml.StartElement:
			k := reflect.New(v.Type().Key()).Elem()
			e := reflect.New(v.Type().Elem()).Elem()
			if err := decodeEntry(d, k, e, depth+1); err != nil {
				return err
			}
			v.SetMapIndex(k, e)
		}
	}
}

func decodeEntry(d *xml.Decoder, k, e reflect.Value, depth int) error {
	for {
		tok, err := d.Token()
		if err != nil {
			return Malformed("%s", clip(err.Error()))
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return nil
		case xml.StartElement:
			switch t.Name.Local {
			case "key":
				err = decodeElement(d, t, k, depth+1)
			case "value":
				err = decodeElement(d, t, e, depth+1)
			default:
				err = d.Skip()
			}
			if err != nil {
				return err
			}
		}
	}
}

// text reads an element's character data up to its end, refusing child elements.
func text(d *xml.Decoder, start xml.StartElement) (string, error) {
	var b strings.Builder
	for {
		tok, err := d.Token()
		if err != nil {
			return "", Malformed("%s", clip(err.Error()))
		}
		switch t := tok.(type) {
		case xml.CharData:
			if b.Len()+len(t) > DefaultMaxBodyBytes {
				return "", Malformed("element <%s> is too long.", clip(start.Name.Local))
			}
			b.Write(t)
		case xml.EndElement:
			return b.String(), nil
		case xml.StartElement:
			return "", Malformed("element <%s> holds a value, not element <%s>.", clip(start.Name.Local), clip(t.Name.Local))
		}
	}
}

func setScalar(v reflect.Value, start xml.StartElement, s string) error {
	if v.Kind() == reflect.Pointer {
		n := reflect.New(v.Type().Elem())
		if err := setScalar(n.Elem(), start, s); err != nil {
			return err
		}
		v.Set(n)
		return nil
	}
	if isBlob(v.Type()) {
		b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
		if err != nil {
			return badValue(start, s, "base64 data")
		}
		v.SetBytes(b)
		return nil
	}
	if v.Type() == timestampType {
		ts, ok := rest.ParseTimestamp(strings.TrimSpace(s), rest.TimestampISO8601)
		if !ok {
			return badValue(start, s, "an ISO 8601 timestamp")
		}
		v.Set(reflect.ValueOf(awsproto.Timestamp{Time: ts}))
		return nil
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Bool:
		switch strings.TrimSpace(s) {
		case "true":
			v.SetBool(true)
		case "false":
			v.SetBool(false)
		default:
			return badValue(start, s, "a boolean")
		}
	case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Int:
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, v.Type().Bits())
		if err != nil {
			return badValue(start, s, "an integer")
		}
		v.SetInt(n)
	case reflect.Float32, reflect.Float64:
		x, err := strconv.ParseFloat(strings.TrimSpace(s), v.Type().Bits())
		if err != nil {
			return badValue(start, s, "a number")
		}
		v.SetFloat(x)
	default:
		return awsproto.InternalFailure() // a type the generator never emits
	}
	return nil
}

func badValue(start xml.StartElement, s, want string) error {
	return Malformed("value (%s) of element <%s> is not %s.", clip(strings.TrimSpace(s)), clip(start.Name.Local), want)
}

// clip shortens s to at most 100 bytes for error messages.
func clip(s string) string {
	const maxEcho = 100
	if len(s) <= maxEcho {
		return s
	}
	r := []rune(s[:maxEcho])
	return string(r[:len(r)-1]) + "..."
}
