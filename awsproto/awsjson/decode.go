package awsjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"unicode/utf8"

	"github.com/cairnhq/cairn/awsproto"
)

// maxEcho bounds how much client input an error message repeats.
const maxEcho = 100

// Decode fills v, a pointer to a generated input shape, from a request body. An empty
// body means {}. Unknown members are ignored, as AWS does; note that member names
// match case-insensitively (encoding/json), where AWS matches exactly. Malformed JSON
// or a value of the wrong type yields an *awsproto.Error SerializationException (400)
// naming the member when known; Decode never panics on any body.
func Decode(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	err := json.Unmarshal(body, v)
	if err == nil {
		return nil
	}
	var (
		syntax  *json.SyntaxError
		typ     *json.UnmarshalTypeError
		invalid *json.InvalidUnmarshalError
	)
	switch {
	case errors.As(err, &invalid):
		return awsproto.InternalFailure() // the caller passed a non-pointer: a bug, not the client's fault
	case errors.As(err, &syntax):
		return Serialization("The request body is not valid JSON: %s", Clip(syntax.Error()))
	case errors.As(err, &typ) && typ.Field != "":
		return Serialization("Cannot deserialize member '%s': expected %s, got %s", Clip(typ.Field), kindName(typ.Type), Clip(typ.Value))
	case errors.As(err, &typ):
		return Serialization("Cannot deserialize the request body: expected %s, got %s", kindName(typ.Type), Clip(typ.Value))
	default:
		// Errors of custom decoders (timestamps, base64 blobs): our own words, clipped anyway.
		return Serialization("Cannot deserialize the request body: %s", Clip(err.Error()))
	}
}

// Serialization returns the SerializationException (400) of an undecodable request.
func Serialization(format string, args ...any) *awsproto.Error {
	return awsproto.NewError("SerializationException", http.StatusBadRequest, format, args...)
}

// kindName is the model type name of a Go type, for error messages.
func kindName(t reflect.Type) string {
	if t == nil {
		return "a value"
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == reflect.TypeFor[awsproto.Timestamp]() {
		return "timestamp"
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Int,
		reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uint:
		return "integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Bool:
		return "boolean"
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return "blob"
		}
		return "list"
	case reflect.Map:
		return "map"
	case reflect.Struct:
		return "structure"
	}
	return "a value"
}

// Clip shortens s to at most 100 bytes without splitting a rune, for echoing client
// input in error messages.
func Clip(s string) string {
	if len(s) <= maxEcho {
		return s
	}
	cut := maxEcho
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}
