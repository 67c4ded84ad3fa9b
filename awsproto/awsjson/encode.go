package awsjson

import (
	"bytes"
	"encoding/json"
	"net/http"
	"reflect"
	"strconv"

	"github.com/cairnhq/cairn/awsproto"
)

// ContentType is the media type of awsJson1_1 requests and responses.
const ContentType = "application/x-amz-json-1.1"

// WriteResponse writes a successful response: status 200, the awsJson1_1 content
// type, x-amzn-RequestId and v as JSON ({} when v is nil or a nil pointer; absent
// members are omitted). If v cannot be encoded an InternalFailure is written instead.
func WriteResponse(w http.ResponseWriter, requestID string, v any) {
	body := []byte("{}")
	if !IsNil(v) {
		b, err := Marshal(v)
		if err != nil {
			WriteError(w, requestID, awsproto.InternalFailure())
			return
		}
		body = b
	}
	write(w, requestID, http.StatusOK, body)
}

// WriteError writes e as an awsJson1_1 error: status e.Status, header
// X-Amzn-ErrorType: <Code> and body {"__type":"<Code>","message":"<Message>"}. Both
// aws-sdk-go-v2 and botocore read the code from either place.
func WriteError(w http.ResponseWriter, requestID string, e *awsproto.Error) {
	if e == nil {
		e = awsproto.InternalFailure()
	}
	status := e.Status
	if status < 400 || status > 599 {
		status = http.StatusInternalServerError
	}
	body, err := Marshal(struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}{e.Code, e.Message})
	if err != nil { // cannot happen for two strings
		body = []byte(`{"__type":"InternalFailure"}`)
	}
	w.Header().Set("X-Amzn-ErrorType", e.Code)
	write(w, requestID, status, body)
}

// UnknownOperation is the error for an X-Amz-Target naming no operation of the service.
func UnknownOperation(op string) *awsproto.Error {
	return awsproto.NewError("UnknownOperationException", http.StatusBadRequest, "Unknown operation %s", Clip(op))
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

// Marshal encodes v as AWS JSON bodies are written: without HTML escaping and
// without the trailing newline.
func Marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// IsNil reports a nil value or a nil pointer, map, slice or interface: an absent body.
func IsNil(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Interface:
		return rv.IsNil()
	}
	return false
}
