package query

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
)

// ContentType of query protocol responses.
const ContentType = "text/xml"

// WriteResponse writes a successful response:
//
//	<OpResponse xmlns="namespace"><OpResult>v</OpResult>
//	<ResponseMetadata><RequestId>id</RequestId></ResponseMetadata></OpResponse>
//
// resultWrapper is the operation's ResultWrapper from the generated table; when it is
// "" (operations without output) no result element is written. v's members are
// written by their xml tags; absent members are omitted; lists nest their elements
// (<Names><member>..</member></Names>), maps as <entry><key/><value/></entry>.
func WriteResponse(w http.ResponseWriter, requestID, op, namespace, resultWrapper string, v any) {
	var b bytes.Buffer
	fmt.Fprintf(&b, `<%sResponse xmlns="%s">`, op, escape(namespace))
	if resultWrapper != "" {
		b.WriteString("<" + resultWrapper + ">")
		if err := encodeValue(&b, reflect.ValueOf(v), 0); err != nil {
			WriteError(w, requestID, namespace, awsproto.InternalFailure())
			return
		}
		b.WriteString("</" + resultWrapper + ">")
	}
	fmt.Fprintf(&b, "<ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata></%sResponse>", escape(requestID), op)
	write(w, requestID, http.StatusOK, b.Bytes())
}

// WriteError writes e as a query protocol error with status e.Status:
//
//	<ErrorResponse xmlns="namespace"><Error><Type>Sender|Receiver</Type><Code>..</Code>
//	<Message>..</Message></Error><RequestId>..</RequestId></ErrorResponse>
func WriteError(w http.ResponseWriter, requestID, namespace string, e *awsproto.Error) {
	if e == nil {
		e = awsproto.InternalFailure()
	}
	status := e.Status
	if status < 400 || status > 599 {
		status = http.StatusInternalServerError
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, `<ErrorResponse xmlns="%s"><Error><Type>%s</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>%s</RequestId></ErrorResponse>`,
		escape(namespace), e.Fault(), escape(e.Code), escape(e.Message), escape(requestID))
	write(w, requestID, status, b.Bytes())
}

func write(w http.ResponseWriter, requestID string, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", ContentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if requestID != "" {
		h.Set("X-Amzn-RequestId", requestID)
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// maxDepth stops runaway recursion through cyclic pointers.
const maxDepth = 64

// encodeValue writes the members of a structure (or nothing for nil).
func encodeValue(b *bytes.Buffer, v reflect.Value, depth int) error {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	if !v.IsValid() {
		return nil
	}
	if v.Kind() != reflect.Struct || v.Type() == timestampType {
		return fmt.Errorf("query: cannot encode %s as a structure", v.Type())
	}
	if depth > maxDepth {
		return fmt.Errorf("query: structure nested deeper than %d", maxDepth)
	}
	for _, f := range fields(v.Type()) {
		if err := encodeMember(b, f, v.Field(f.index), depth); err != nil {
			return err
		}
	}
	return nil
}

func encodeMember(b *bytes.Buffer, f field, v reflect.Value, depth int) error {
	switch {
	case isAbsent(v):
		return nil
	case v.Kind() == reflect.Slice && v.Type().Elem().Kind() != reflect.Uint8:
		if f.elem != "" {
			b.WriteString("<" + f.name + ">")
		}
		name := f.elem
		if name == "" {
			name = f.name
		}
		for i := range v.Len() {
			if err := encodeElement(b, name, v.Index(i), depth); err != nil {
				return err
			}
		}
		if f.elem != "" {
			b.WriteString("</" + f.name + ">")
		}
		return nil
	case v.Kind() == reflect.Map:
		b.WriteString("<" + f.name + ">")
		if err := encodeEntries(b, v, depth); err != nil {
			return err
		}
		b.WriteString("</" + f.name + ">")
		return nil
	}
	return encodeElement(b, f.name, v, depth)
}

// encodeEntries writes a map's entries, sorted by key.
func encodeEntries(b *bytes.Buffer, v reflect.Value, depth int) error {
	keys := v.MapKeys()
	slices.SortFunc(keys, func(a, c reflect.Value) int { return strings.Compare(a.String(), c.String()) })
	for _, k := range keys {
		b.WriteString("<entry>")
		if err := encodeElement(b, "key", k, depth); err != nil {
			return err
		}
		if err := encodeElement(b, "value", v.MapIndex(k), depth); err != nil {
			return err
		}
		b.WriteString("</entry>")
	}
	return nil
}

// encodeElement writes <name>v</name>.
func encodeElement(b *bytes.Buffer, name string, v reflect.Value, depth int) error {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	b.WriteString("<" + name + ">")
	switch {
	case v.Type() == timestampType:
		b.WriteString(v.Interface().(awsproto.Timestamp).UTC().Format("2006-01-02T15:04:05.000Z"))
	case v.Kind() == reflect.Struct:
		if err := encodeValue(b, v, depth+1); err != nil {
			return err
		}
	case v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8:
		b.WriteString(base64.StdEncoding.EncodeToString(v.Bytes()))
	case v.Kind() == reflect.Slice:
		// A list inside a list or map: its elements are <member>s of this element.
		for i := range v.Len() {
			if err := encodeElement(b, "member", v.Index(i), depth+1); err != nil {
				return err
			}
		}
	case v.Kind() == reflect.Map:
		if err := encodeEntries(b, v, depth+1); err != nil {
			return err
		}
	case v.Kind() == reflect.String:
		b.WriteString(escape(v.String()))
	case v.Kind() == reflect.Bool:
		b.WriteString(strconv.FormatBool(v.Bool()))
	case v.CanInt():
		b.WriteString(strconv.FormatInt(v.Int(), 10))
	case v.CanFloat():
		b.WriteString(strconv.FormatFloat(v.Float(), 'f', -1, v.Type().Bits()))
	default:
		return fmt.Errorf("query: cannot encode %s", v.Type())
	}
	b.WriteString("</" + name + ">")
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
