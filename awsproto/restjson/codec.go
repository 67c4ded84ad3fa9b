package restjson

import (
	"bytes"
	"errors"
	"net/http"
	"reflect"
	"strconv"

	"github.com/cairnhq/cairn/awsproto"
	"github.com/cairnhq/cairn/awsproto/awsjson"
	"github.com/cairnhq/cairn/awsproto/rest"
)

// ContentType of rest-json bodies.
const ContentType = "application/json"

// Decode fills in (a pointer to the generated input shape of op) from a routed
// request: URI labels, query parameters and headers through rest.DecodeRequest,
// then the body: a structure payload member (op.InputPayload) or, without one, the
// input's unbound members from a JSON object; a blob or string payload takes the
// raw body. An empty body leaves the body members unset. Errors are
// *awsproto.Error SerializationException (400), naming the member when known.
// Decode never panics on any request.
func Decode(r *http.Request, body []byte, op rest.Operation, labels map[string]string, in any) error {
	if rv := reflect.ValueOf(in); rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return awsproto.InternalFailure() // a bug in the caller, not the client's fault
	}
	if err := rest.DecodeRequest(r, labels, in); err != nil {
		var be *rest.BindError
		if errors.As(err, &be) {
			return awsjson.Serialization("%s", be.Error())
		}
		return awsproto.InternalFailure()
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	switch op.InputPayloadType {
	case rest.PayloadBlob, rest.PayloadString:
		if err := rest.SetRawPayload(in, op.InputPayload, body); err != nil {
			return awsproto.InternalFailure()
		}
		return nil
	case rest.PayloadStructure:
		f, ok := rest.Field(in, op.InputPayload)
		if !ok || !f.CanAddr() {
			return awsproto.InternalFailure()
		}
		return awsjson.Decode(body, f.Addr().Interface())
	}
	return awsjson.Decode(body, in)
}

// WriteResponse writes the successful response of op: out's header members as
// headers; the status from out's statusCode member, else op.ResponseCode; and the
// body: a structure payload (or, without one, out's unbound members) as JSON
// (timestamps epoch seconds, absent members omitted), a blob or string payload as
// is. The request ID goes in X-Amzn-RequestId. If out cannot be encoded an
// InternalFailure is written instead.
func WriteResponse(w http.ResponseWriter, requestID string, op rest.Operation, out any) {
	body, contentType, err := encodeBody(op, out)
	if err != nil {
		WriteError(w, requestID, awsproto.InternalFailure())
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

func encodeBody(op rest.Operation, out any) ([]byte, string, error) {
	switch op.OutputPayloadType {
	case rest.PayloadBlob:
		b, _ := rest.RawPayload(out, op.OutputPayload)
		return b, "application/octet-stream", nil
	case rest.PayloadString:
		b, _ := rest.RawPayload(out, op.OutputPayload)
		return b, "text/plain", nil
	case rest.PayloadStructure:
		f, ok := rest.Field(out, op.OutputPayload)
		if !ok || (f.Kind() == reflect.Pointer && f.IsNil()) {
			return nil, "", nil
		}
		b, err := awsjson.Marshal(f.Interface())
		return b, ContentType, err
	}
	if awsjson.IsNil(out) {
		return []byte("{}"), ContentType, nil
	}
	b, err := awsjson.Marshal(out)
	return b, ContentType, err
}

// WriteError writes e as a rest-json error: status e.Status, header
// X-Amzn-ErrorType: <Code> (where aws-sdk-go-v2 reads the code, then picks the
// typed error) and body {"message":"<Message>"}.
func WriteError(w http.ResponseWriter, requestID string, e *awsproto.Error) {
	if e == nil {
		e = awsproto.InternalFailure()
	}
	status := e.Status
	if status < 400 || status > 599 {
		status = http.StatusInternalServerError
	}
	body, err := awsjson.Marshal(struct {
		Message string `json:"message"`
	}{e.Message})
	if err != nil { // cannot happen for a string
		body = []byte(`{}`)
	}
	h := w.Header()
	h.Set("X-Amzn-ErrorType", e.Code)
	h.Set("Content-Type", ContentType)
	write(w, requestID, status, body)
}

// UnknownOperation is the error for a request no operation's route matches.
func UnknownOperation(method, path string) *awsproto.Error {
	return awsproto.NewError("UnknownOperationException", http.StatusNotFound, "No operation matches %s %s", awsjson.Clip(method), awsjson.Clip(path))
}

func write(w http.ResponseWriter, requestID string, status int, body []byte) {
	h := w.Header()
	if status != http.StatusNoContent && status != http.StatusNotModified {
		h.Set("Content-Length", strconv.Itoa(len(body)))
	}
	if requestID != "" {
		h.Set("X-Amzn-RequestId", requestID)
	}
	w.WriteHeader(status)
	if len(body) > 0 {
		_, _ = w.Write(body)
	}
}
