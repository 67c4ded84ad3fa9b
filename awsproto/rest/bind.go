package rest

import (
	"encoding/base64"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/cairnhq/cairn/awsproto"
)

// Member locations, as the generated location tags spell them.
const (
	LocationURI         = "uri"
	LocationQueryString = "querystring"
	LocationHeader      = "header"
	LocationHeaders     = "headers" // a map of every header with the locationName prefix
	LocationStatusCode  = "statusCode"
)

// Timestamp formats of the model's timestampFormat trait.
const (
	TimestampISO8601 = "iso8601"
	TimestampRFC822  = "rfc822" // HTTP date, the default in headers
	TimestampUnix    = "unixTimestamp"
)

// maxEcho bounds how much client input an error message repeats.
const maxEcho = 100

var timestampType = reflect.TypeFor[awsproto.Timestamp]()

// BindError is a URI label, query parameter or header whose value does not parse
// as its member's type. Codecs turn it into their protocol's client error.
type BindError struct {
	Location string // LocationURI, LocationQueryString, LocationHeader, LocationHeaders
	Name     string // the wire name (label, parameter or header name)
	Value    string // clipped
	Want     string // "an integer", "a boolean", ...
}

func (e *BindError) Error() string {
	return fmt.Sprintf("Value (%s) for %s %s is invalid. Expected %s.", e.Value, locationWord(e.Location), e.Name, e.Want)
}

func locationWord(loc string) string {
	switch loc {
	case LocationURI:
		return "URI label"
	case LocationQueryString:
		return "query parameter"
	}
	return "header"
}

// boundField is one member of a structure bound outside the body.
type boundField struct {
	index    int
	location string
	name     string // locationName ("" for a querystring map)
	tsFormat string
	member   string // Go field name
}

var boundCache sync.Map // reflect.Type -> []boundField

// boundFields returns the members of struct type t that carry a location tag.
func boundFields(t reflect.Type) []boundField {
	if v, ok := boundCache.Load(t); ok {
		return v.([]boundField)
	}
	var out []boundField
	for i := range t.NumField() {
		sf := t.Field(i)
		loc := sf.Tag.Get("location")
		if loc == "" || !sf.IsExported() {
			continue
		}
		out = append(out, boundField{index: i, location: loc, name: sf.Tag.Get("locationName"),
			tsFormat: sf.Tag.Get("timestampFormat"), member: sf.Name})
	}
	boundCache.Store(t, out)
	return out
}

// structOf returns the struct v points to, or false.
func structOf(v any) (reflect.Value, bool) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return reflect.Value{}, false
	}
	return rv.Elem(), true
}

// DecodeRequest sets the members of in (a pointer to a generated input shape) that
// are bound to URI labels (labels, from Router.Route), query parameters and
// headers. Lists take every value of a repeated query parameter, or the
// comma-separated values of a header; a querystring map without a name takes every
// parameter no named member claims; a headers map takes every header starting with
// its prefix (keys lowercased, prefix removed). Timestamps are HTTP dates in
// headers and ISO 8601 elsewhere unless the member says otherwise (any of the three
// forms is accepted). A value that does not parse yields a *BindError. The body is
// left to the codecs.
func DecodeRequest(r *http.Request, labels map[string]string, in any) error {
	sv, ok := structOf(in)
	if !ok {
		return fmt.Errorf("rest: decode into %T: not a pointer to a structure", in)
	}
	var query url.Values
	if r != nil && r.URL != nil {
		query = r.URL.Query()
	}
	var header http.Header
	if r != nil {
		header = r.Header
	}
	named := map[string]bool{}
	for _, f := range boundFields(sv.Type()) {
		if f.location == LocationQueryString && f.name != "" {
			named[f.name] = true
		}
	}
	for _, f := range boundFields(sv.Type()) {
		fv := sv.Field(f.index)
		var err error
		switch f.location {
		case LocationURI:
			if v, ok := labels[f.name]; ok {
				err = setValue(fv, []string{v}, f, TimestampISO8601)
			}
		case LocationQueryString:
			if f.name == "" {
				err = setQueryMap(fv, query, named)
			} else if vs, ok := query[f.name]; ok {
				err = setValue(fv, vs, f, TimestampISO8601)
			}
		case LocationHeader:
			if vs := header.Values(f.name); len(vs) > 0 {
				if isList(fv.Type()) {
					vs = splitHeaderList(vs)
				}
				err = setValue(fv, vs, f, TimestampRFC822)
			}
		case LocationHeaders:
			err = setHeaderMap(fv, header, f)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func isList(t reflect.Type) bool {
	return t.Kind() == reflect.Slice && t.Elem().Kind() != reflect.Uint8
}

// splitHeaderList splits comma-separated header values, honouring double quotes.
func splitHeaderList(vs []string) []string {
	var out []string
	for _, v := range vs {
		var cur strings.Builder
		quoted := false
		for i := 0; i < len(v); i++ {
			c := v[i]
			switch {
			case c == '"':
				quoted = !quoted
			case c == '\\' && quoted && i+1 < len(v):
				i++
				cur.WriteByte(v[i])
			case c == ',' && !quoted:
				out = append(out, strings.TrimSpace(cur.String()))
				cur.Reset()
			default:
				cur.WriteByte(c)
			}
		}
		out = append(out, strings.TrimSpace(cur.String()))
	}
	return out
}

// setValue sets field v (scalar, pointer to scalar, or list) from vs.
func setValue(v reflect.Value, vs []string, f boundField, defaultTS string) error {
	if len(vs) == 0 {
		return nil
	}
	if isList(v.Type()) {
		s := reflect.MakeSlice(v.Type(), 0, len(vs))
		for _, x := range vs {
			e := reflect.New(v.Type().Elem()).Elem()
			if err := setScalar(e, x, f, defaultTS); err != nil {
				return err
			}
			s = reflect.Append(s, e)
		}
		v.Set(s)
		return nil
	}
	return setScalar(v, vs[0], f, defaultTS)
}

func setScalar(v reflect.Value, s string, f boundField, defaultTS string) error {
	if v.Kind() == reflect.Pointer {
		n := reflect.New(v.Type().Elem())
		if err := setScalar(n.Elem(), s, f, defaultTS); err != nil {
			return err
		}
		v.Set(n)
		return nil
	}
	bad := func(want string) error {
		return &BindError{Location: f.location, Name: f.name, Value: clip(s), Want: want}
	}
	switch {
	case v.Type() == timestampType:
		format := f.tsFormat
		if format == "" {
			format = defaultTS
		}
		t, ok := ParseTimestamp(s, format)
		if !ok {
			return bad("a timestamp")
		}
		v.Set(reflect.ValueOf(awsproto.Timestamp{Time: t}))
		return nil
	case v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8:
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return bad("base64 data")
		}
		v.SetBytes(b)
		return nil
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Bool:
		switch strings.ToLower(s) {
		case "true":
			v.SetBool(true)
		case "false":
			v.SetBool(false)
		default:
			return bad("a boolean")
		}
	case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Int:
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, v.Type().Bits())
		if err != nil {
			return bad("an integer")
		}
		v.SetInt(n)
	case reflect.Float32, reflect.Float64:
		x, err := strconv.ParseFloat(strings.TrimSpace(s), v.Type().Bits())
		if err != nil {
			return bad("a number")
		}
		v.SetFloat(x)
	default:
		return fmt.Errorf("rest: member %s: unsupported type %s", f.member, v.Type())
	}
	return nil
}

// ParseTimestamp parses s in format (TimestampISO8601, TimestampRFC822,
// TimestampUnix), falling back to the other two forms.
func ParseTimestamp(s, format string) (time.Time, bool) {
	try := []string{format, TimestampISO8601, TimestampRFC822, TimestampUnix}
	for _, f := range try {
		switch f {
		case TimestampISO8601:
			if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
				return t.UTC(), true
			}
		case TimestampRFC822:
			if t, err := http.ParseTime(s); err == nil {
				return t.UTC(), true
			}
		case TimestampUnix:
			x, err := strconv.ParseFloat(s, 64)
			if err == nil && !math.IsNaN(x) && !math.IsInf(x, 0) && x > -62135596800 && x < 253402300800 {
				sec, frac := math.Modf(x)
				return time.Unix(int64(sec), int64(math.Round(frac*1e3))*1e6).UTC(), true
			}
		}
	}
	return time.Time{}, false
}

// FormatTimestamp writes t in format (default TimestampISO8601).
func FormatTimestamp(t time.Time, format string) string {
	switch format {
	case TimestampRFC822:
		return t.UTC().Format(http.TimeFormat)
	case TimestampUnix:
		ms := t.UnixMilli()
		if ms%1000 == 0 {
			return strconv.FormatInt(ms/1000, 10)
		}
		return strconv.FormatFloat(float64(ms)/1000, 'f', 3, 64)
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// setQueryMap fills a querystring map member (map[string]string or
// map[string][]string) with the parameters no named member binds.
func setQueryMap(v reflect.Value, query url.Values, named map[string]bool) error {
	if v.Kind() != reflect.Map || v.Type().Key().Kind() != reflect.String {
		return nil
	}
	m := reflect.MakeMap(v.Type())
	for k, vs := range query {
		if named[k] || len(vs) == 0 {
			continue
		}
		if err := setMapEntry(m, k, vs); err != nil {
			return err
		}
	}
	if m.Len() > 0 {
		v.Set(m)
	}
	return nil
}

// setHeaderMap fills a headers map member with the headers starting with its prefix.
func setHeaderMap(v reflect.Value, header http.Header, f boundField) error {
	if v.Kind() != reflect.Map || v.Type().Key().Kind() != reflect.String {
		return nil
	}
	prefix := strings.ToLower(f.name)
	m := reflect.MakeMap(v.Type())
	for k, vs := range header {
		lk := strings.ToLower(k)
		if !strings.HasPrefix(lk, prefix) || len(vs) == 0 {
			continue
		}
		if err := setMapEntry(m, lk[len(prefix):], vs); err != nil {
			return err
		}
	}
	if m.Len() > 0 {
		v.Set(m)
	}
	return nil
}

func setMapEntry(m reflect.Value, k string, vs []string) error {
	et := m.Type().Elem()
	var ev reflect.Value
	switch {
	case et.Kind() == reflect.String:
		ev = reflect.ValueOf(vs[0]).Convert(et)
	case et.Kind() == reflect.Slice && et.Elem().Kind() == reflect.String:
		s := reflect.MakeSlice(et, 0, len(vs))
		for _, x := range vs {
			s = reflect.Append(s, reflect.ValueOf(x).Convert(et.Elem()))
		}
		ev = s
	default:
		return nil // a map type the models do not use
	}
	m.SetMapIndex(reflect.ValueOf(k).Convert(m.Type().Key()), ev)
	return nil
}

// EncodeResponse sets on h the header members of out (a generated output shape or a
// pointer to one) and returns the value of its statusCode member, 0 when it has
// none or it is unset. Lists are comma-joined, timestamps HTTP dates unless the
// member says otherwise, blobs base64, headers maps prefixed with their name.
func EncodeResponse(h http.Header, out any) int {
	rv := reflect.ValueOf(out)
	for rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface {
		if rv.IsNil() {
			return 0
		}
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Struct {
		return 0
	}
	status := 0
	for _, f := range boundFields(rv.Type()) {
		fv := rv.Field(f.index)
		switch f.location {
		case LocationHeader:
			if s, ok := headerValue(fv, f); ok {
				h.Set(f.name, s)
			}
		case LocationHeaders:
			if fv.Kind() == reflect.Map && fv.Type().Key().Kind() == reflect.String {
				iter := fv.MapRange()
				for iter.Next() {
					if s, ok := headerValue(iter.Value(), f); ok {
						h.Set(f.name+iter.Key().String(), s)
					}
				}
			}
		case LocationStatusCode:
			for fv.Kind() == reflect.Pointer && !fv.IsNil() {
				fv = fv.Elem()
			}
			if fv.CanInt() {
				status = int(fv.Int())
			}
		}
	}
	return status
}

// headerValue formats a header member; ok is false when it is absent.
func headerValue(v reflect.Value, f boundField) (string, bool) {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return "", false
		}
		v = v.Elem()
	}
	switch {
	case !v.IsValid():
		return "", false
	case v.Type() == timestampType:
		format := f.tsFormat
		if format == "" {
			format = TimestampRFC822
		}
		return FormatTimestamp(v.Interface().(awsproto.Timestamp).Time, format), true
	case v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8:
		if v.IsNil() {
			return "", false
		}
		return base64.StdEncoding.EncodeToString(v.Bytes()), true
	case v.Kind() == reflect.Slice:
		if v.IsNil() {
			return "", false
		}
		parts := make([]string, 0, v.Len())
		for i := range v.Len() {
			s, ok := headerValue(v.Index(i), f)
			if !ok {
				continue
			}
			if strings.ContainsAny(s, ",\"") {
				s = strconv.Quote(s)
			}
			parts = append(parts, s)
		}
		return strings.Join(parts, ","), true
	case v.Kind() == reflect.String:
		if v.Len() == 0 && v.Type().Name() != "string" {
			return "", false // an unset enum
		}
		return v.String(), true
	case v.Kind() == reflect.Bool:
		return strconv.FormatBool(v.Bool()), true
	case v.CanInt():
		return strconv.FormatInt(v.Int(), 10), true
	case v.CanFloat():
		return strconv.FormatFloat(v.Float(), 'f', -1, v.Type().Bits()), true
	}
	return "", false
}

// Field returns the field named name of the struct v points to (or is), or false.
func Field(v any, name string) (reflect.Value, bool) {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface {
		if rv.IsNil() {
			return reflect.Value{}, false
		}
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Struct || name == "" {
		return reflect.Value{}, false
	}
	f := rv.FieldByName(name)
	return f, f.IsValid()
}

// SetRawPayload sets in's blob or string payload member to body.
func SetRawPayload(in any, field string, body []byte) error {
	f, ok := Field(in, field)
	if !ok || !f.CanSet() {
		return fmt.Errorf("rest: %T has no payload member %s", in, field)
	}
	switch {
	case f.Kind() == reflect.Slice && f.Type().Elem().Kind() == reflect.Uint8:
		f.SetBytes(append([]byte(nil), body...))
	case f.Kind() == reflect.Pointer && f.Type().Elem().Kind() == reflect.String:
		s := reflect.New(f.Type().Elem())
		s.Elem().SetString(string(body))
		f.Set(s)
	case f.Kind() == reflect.String:
		f.SetString(string(body))
	default:
		return fmt.Errorf("rest: payload member %s of %T is not a blob or string", field, in)
	}
	return nil
}

// RawPayload returns out's blob or string payload member; ok is false when it is
// unset.
func RawPayload(out any, field string) ([]byte, bool) {
	f, ok := Field(out, field)
	if !ok {
		return nil, false
	}
	switch {
	case f.Kind() == reflect.Slice && f.Type().Elem().Kind() == reflect.Uint8:
		return f.Bytes(), !f.IsNil()
	case f.Kind() == reflect.Pointer && f.Type().Elem().Kind() == reflect.String:
		if f.IsNil() {
			return nil, false
		}
		return []byte(f.Elem().String()), true
	case f.Kind() == reflect.String:
		return []byte(f.String()), f.Len() > 0
	}
	return nil, false
}

// clip shortens s to at most maxEcho bytes without splitting a rune.
func clip(s string) string {
	if len(s) <= maxEcho {
		return s
	}
	cut := maxEcho
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}
