package restxml

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/cairnhq/cairn/awsproto"
	"github.com/cairnhq/cairn/awsproto/rest"
)

// ContentType of rest-xml bodies.
const ContentType = "text/xml"

// xmlHeader opens every XML body, as CloudFront writes it.
const xmlHeader = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"

// WriteResponse writes the successful response of op: out's header members as
// headers; the status from out's statusCode member, else op.ResponseCode; and the
// body: a structure payload (or, without one, out's unbound members) as an XML
// document with root op.OutputRoot and xmlns namespace, a blob or string payload as
// is (Content-Type from out's header member if set). Absent members are omitted.
// Responses carry the request ID as x-amzn-RequestId (read by aws-sdk-go-v2) and
// x-amz-request-id. If out cannot be encoded an InternalFailure is written instead.
func WriteResponse(w http.ResponseWriter, requestID string, op rest.Operation, namespace string, out any) {
	body, contentType, err := encodeBody(op, namespace, out)
	if err != nil {
		WriteError(w, requestID, namespace, awsproto.InternalFailure())
		return
	}
	h := w.Header()
	status := rest.EncodeResponse(h, out)
	if status == 0 {
		status = op.ResponseCode
	}
	if status < 100 || status > 599 {
		status = http.StatusOK
	}
	if status == http.StatusNoContent || status == http.StatusNotModified {
		body = nil
	}
	if len(body) > 0 && h.Get("Content-Type") == "" {
		h.Set("Content-Type", contentType)
	}
	write(w, requestID, status, body)
}

func encodeBody(op rest.Operation, namespace string, out any) ([]byte, string, error) {
	switch op.OutputPayloadType {
	case rest.PayloadBlob:
		b, _ := rest.RawPayload(out, op.OutputPayload)
		return b, "application/octet-stream", nil
	case rest.PayloadString:
		b, _ := rest.RawPayload(out, op.OutputPayload)
		return b, "text/plain", nil
	case rest.PayloadStructure:
		f, ok := rest.Field(out, op.OutputPayload)
		if !ok {
			return nil, "", nil
		}
		if isAbsent(f) {
			return nil, "", nil
		}
		b, err := Marshal(op.OutputRoot, namespace, f.Interface())
		return b, ContentType, err
	}
	if op.OutputRoot == "" || out == nil || isAbsent(reflect.ValueOf(out)) {
		return nil, "", nil
	}
	b, err := Marshal(op.OutputRoot, namespace, out)
	return b, ContentType, err
}

// Marshal writes v (a generated structure or pointer to one) as an XML document:
// the declaration, then <root xmlns="namespace">members</root>. Members follow
// their xml tags: wrapped lists nest their items (<Items><CNAME>..</CNAME></Items>),
// flattened lists repeat the element, maps are <entry><key/><value/></entry>,
// timestamps ISO 8601, blobs base64.
func Marshal(root, namespace string, v any) ([]byte, error) {
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
		b.WriteString(` xmlns="` + escape(namespace) + `"`)
	}
	writeAttrs(&b, rv)
	b.WriteString(">")
	if err := encodeMembers(&b, rv, 0); err != nil {
		return nil, err
	}
	b.WriteString("</" + root + ">")
	return b.Bytes(), nil
}

func writeAttrs(b *bytes.Buffer, v reflect.Value) {
	for _, f := range fields(v.Type()) {
		if !f.attr {
			continue
		}
		fv := v.Field(f.index)
		if isAbsent(fv) {
			continue
		}
		var s bytes.Buffer
		if err := encodeScalar(&s, fv); err == nil {
			b.WriteString(" " + f.name + `="` + s.String() + `"`)
		}
	}
}

// encodeMembers writes the members of struct v.
func encodeMembers(b *bytes.Buffer, v reflect.Value, depth int) error {
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
				if err := encodeElement(b, f.elem, fv.Index(i), depth); err != nil {
					return err
				}
			}
			b.WriteString("</" + f.name + ">")
		case isList(fv.Type()):
			for i := range fv.Len() {
				if err := encodeElement(b, f.name, fv.Index(i), depth); err != nil {
					return err
				}
			}
		default:
			if err := encodeElement(b, f.name, fv, depth); err != nil {
				return err
			}
		}
	}
	return nil
}

// encodeElement writes <name>v</name>.
func encodeElement(b *bytes.Buffer, name string, v reflect.Value, depth int) error {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	b.WriteString("<" + name)
	if v.Kind() == reflect.Struct && v.Type() != timestampType {
		writeAttrs(b, v)
	}
	b.WriteString(">")
	switch {
	case v.Type() == timestampType:
		b.WriteString(rest.FormatTimestamp(v.Interface().(awsproto.Timestamp).Time, rest.TimestampISO8601))
	case v.Kind() == reflect.Struct:
		if err := encodeMembers(b, v, depth+1); err != nil {
			return err
		}
	case isList(v.Type()):
		// A list inside a list or map: its items are <member>s.
		for i := range v.Len() {
			if err := encodeElement(b, "member", v.Index(i), depth+1); err != nil {
				return err
			}
		}
	case v.Kind() == reflect.Map:
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, c reflect.Value) int { return strings.Compare(a.String(), c.String()) })
		for _, k := range keys {
			b.WriteString("<entry>")
			if err := encodeElement(b, "key", k, depth+1); err != nil {
				return err
			}
			if err := encodeElement(b, "value", v.MapIndex(k), depth+1); err != nil {
				return err
			}
			b.WriteString("</entry>")
		}
	default:
		if err := encodeScalar(b, v); err != nil {
			return err
		}
	}
	b.WriteString("</" + name + ">")
	return nil
}

func encodeScalar(b *bytes.Buffer, v reflect.Value) error {
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
		b.WriteString(escape(v.String()))
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

// isAbsent reports an unset member: nil pointer, slice or map, or an empty enum.
func isAbsent(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
		return v.IsNil()
	case reflect.String:
		return v.Len() == 0
	}
	return false
}

func escape(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// WriteError writes e as a rest-xml error with status e.Status:
//
//	<?xml version="1.0" encoding="UTF-8"?>
//	<ErrorResponse xmlns="namespace"><Error><Type>Sender</Type><Code>..</Code>
//	<Message>..</Message></Error><RequestId>..</RequestId></ErrorResponse>
//
// aws-sdk-go-v2 reads the code, message and request ID from this body.
func WriteError(w http.ResponseWriter, requestID, namespace string, e *awsproto.Error) {
	if e == nil {
		e = awsproto.InternalFailure()
	}
	status := e.Status
	if status < 400 || status > 599 {
		status = http.StatusInternalServerError
	}
	var b bytes.Buffer
	b.WriteString(xmlHeader)
	b.WriteString("<ErrorResponse")
	if namespace != "" {
		b.WriteString(` xmlns="` + escape(namespace) + `"`)
	}
	fmt.Fprintf(&b, `><Error><Type>%s</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>%s</RequestId></ErrorResponse>`,
		e.Fault(), escape(e.Code), escape(e.Message), escape(requestID))
	w.Header().Set("Content-Type", ContentType)
	write(w, requestID, status, b.Bytes())
}

// UnknownOperation is the error for a request no operation's route matches.
func UnknownOperation(method, path string) *awsproto.Error {
	return awsproto.NewError("UnknownOperationException", http.StatusNotFound, "No operation matches %s %s", clip(method), clip(path))
}

func write(w http.ResponseWriter, requestID string, status int, body []byte) {
	h := w.Header()
	if status != http.StatusNoContent && status != http.StatusNotModified {
		h.Set("Content-Length", strconv.Itoa(len(body)))
	}
	if requestID != "" {
		h.Set("X-Amzn-RequestId", requestID)
		h.Set("X-Amz-Request-Id", requestID)
	}
	w.WriteHeader(status)
	if len(body) > 0 {
		_, _ = w.Write(body)
	}
}
