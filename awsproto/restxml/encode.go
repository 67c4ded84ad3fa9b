package restxml

import (
	"bytes"
	"fmt"
	"net/http"
	"reflect"
	"strconv"

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
	buf := getBuffer()
	defer putBuffer(buf)
	body, contentType, err := encodeBody(buf, op, namespace, out)
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

// encodeBody returns the body of out and its content type; an XML document is
// written into buf.
func encodeBody(buf *buffer, op rest.Operation, namespace string, out any) ([]byte, string, error) {
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
		b, err := buf.document(op.OutputRoot, namespace, f)
		return b, ContentType, err
	}
	if op.OutputRoot == "" || out == nil || isAbsent(reflect.ValueOf(out)) {
		return nil, "", nil
	}
	b, err := buf.document(op.OutputRoot, namespace, reflect.ValueOf(out))
	return b, ContentType, err
}

// Marshal writes v (a generated structure or pointer to one) as an XML document:
// the declaration, then <root xmlns="namespace">members</root>. Members follow
// their xml tags: wrapped lists nest their items (<Items><CNAME>..</CNAME></Items>),
// flattened lists repeat the element, maps are <entry><key/><value/></entry>,
// timestamps ISO 8601, blobs base64.
func Marshal(root, namespace string, v any) ([]byte, error) {
	ptr, p, ok := documentOf(reflect.ValueOf(v))
	if !ok {
		return nil, fmt.Errorf("restxml: cannot encode %T as a document", v)
	}
	b, err := appendDocument(make([]byte, 0, p.last.Load()), root, namespace, ptr, p)
	if err != nil {
		return nil, err
	}
	p.last.Store(int64(len(b)))
	return b, nil
}

// AppendMembers appends the members of v (a generated structure or pointer to one)
// as they are written inside its element, without the element itself: what a
// structure's WireBody field caches. A WireBody already set in v is ignored.
func AppendMembers(b []byte, v any) ([]byte, error) {
	ptr, p, ok := documentOf(reflect.ValueOf(v))
	if !ok {
		return nil, fmt.Errorf("restxml: cannot encode %T as members", v)
	}
	return appendMembers(b, p, ptr, 0)
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

func escape(s string) string { return string(appendEscaped(nil, s)) }

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
