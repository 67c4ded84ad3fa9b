package query

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"

	"github.com/cairnhq/cairn/awsproto"
)

var timestampType = reflect.TypeFor[awsproto.Timestamp]()

// maxEcho bounds how much client input an error message repeats.
const maxEcho = 100

// Decode fills v, a pointer to a generated input shape, from query parameters (the
// form body or URL query of the request). Parameter names follow the struct's xml
// tags: a member Name is "Name", a nested member "Name.Inner", a list element
// "Names.member.1" (flattened lists: "Names.1"; 1-based, stops at the first gap), a
// map entry "Attrs.entry.1.key" and "Attrs.entry.1.value"; "Names=" alone is an empty
// list. Action, Version and unknown parameters are ignored. A value that does not
// parse as its member's type is an *awsproto.Error InvalidParameterValue (400).
func Decode(form url.Values, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return awsproto.InternalFailure() // a bug in the caller, not the client's fault
	}
	d := decoder{form: form, parents: map[string]bool{}}
	for k := range form {
		for i := range len(k) {
			if k[i] == '.' {
				d.parents[k[:i]] = true
			}
		}
	}
	_, err := d.value("", rv.Elem())
	return err
}

type decoder struct {
	form url.Values
	// parents holds every dot-separated prefix of a parameter name ("A" and "A.B"
	// for "A.B.C"), so that presence checks cost one lookup however large the form.
	parents map[string]bool
}

// present reports whether any parameter is named p or starts with "p.".
func (d *decoder) present(p string) bool {
	_, ok := d.form[p]
	return ok || d.parents[p]
}

// value decodes the parameters under prefix p into v and reports whether any was set.
func (d *decoder) value(p string, v reflect.Value) (bool, error) {
	t := v.Type()
	switch {
	case t == timestampType:
		return d.scalar(p, v)
	case t.Kind() == reflect.Pointer:
		if !d.present(p) && p != "" {
			return false, nil
		}
		n := reflect.New(t.Elem())
		set, err := d.value(p, n.Elem())
		if set {
			v.Set(n)
		}
		return set, err
	case t.Kind() == reflect.Struct:
		set := false
		for _, f := range fields(t) {
			fv := v.Field(f.index)
			name := join(p, f.name)
			var ok bool
			var err error
			switch {
			case fv.Kind() == reflect.Slice && fv.Type().Elem().Kind() != reflect.Uint8:
				ok, err = d.list(name, f.elem, fv)
			case fv.Kind() == reflect.Map:
				ok, err = d.dict(name, fv)
			default:
				ok, err = d.value(name, fv)
			}
			if err != nil {
				return set, err
			}
			set = set || ok
		}
		return set, nil
	default:
		return d.scalar(p, v)
	}
}

// list decodes p.elem.1, p.elem.2, ... (p.1, p.2, ... when elem is "").
func (d *decoder) list(p, elem string, v reflect.Value) (bool, error) {
	base := p
	if elem != "" {
		base = p + "." + elem
	}
	s := reflect.MakeSlice(v.Type(), 0, 0)
	for i := 1; ; i++ {
		ep := base + "." + strconv.Itoa(i)
		if !d.present(ep) {
			break
		}
		e := reflect.New(v.Type().Elem()).Elem()
		if _, err := d.value(ep, e); err != nil {
			return false, err
		}
		s = reflect.Append(s, e)
	}
	if s.Len() == 0 {
		if _, empty := d.form[p]; !empty {
			return false, nil
		}
	}
	v.Set(s)
	return true, nil
}

// dict decodes p.entry.N.key and p.entry.N.value.
func (d *decoder) dict(p string, v reflect.Value) (bool, error) {
	m := reflect.MakeMap(v.Type())
	for i := 1; ; i++ {
		ep := p + ".entry." + strconv.Itoa(i)
		if !d.present(ep) {
			break
		}
		k := reflect.New(v.Type().Key()).Elem()
		if _, err := d.scalar(ep+".key", k); err != nil {
			return false, err
		}
		e := reflect.New(v.Type().Elem()).Elem()
		if _, err := d.value(ep+".value", e); err != nil {
			return false, err
		}
		m.SetMapIndex(k, e)
	}
	if m.Len() == 0 {
		if _, empty := d.form[p]; !empty {
			return false, nil
		}
	}
	v.Set(m)
	return true, nil
}

// scalar decodes the parameter named p into a scalar, timestamp or blob.
func (d *decoder) scalar(p string, v reflect.Value) (bool, error) {
	vals, ok := d.form[p]
	if !ok || len(vals) == 0 {
		return false, nil
	}
	s := vals[0]
	switch {
	case v.Type() == timestampType:
		var ts awsproto.Timestamp
		if err := ts.UnmarshalText([]byte(s)); err != nil {
			return false, invalid(p, s, "an ISO 8601 timestamp")
		}
		v.Set(reflect.ValueOf(ts))
		return true, nil
	case v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8:
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return false, invalid(p, s, "base64 data")
		}
		v.SetBytes(b)
		return true, nil
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
			return false, invalid(p, s, "a boolean")
		}
	case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Int:
		n, err := strconv.ParseInt(s, 10, v.Type().Bits())
		if err != nil {
			return false, invalid(p, s, "an integer")
		}
		v.SetInt(n)
	case reflect.Float32, reflect.Float64:
		f, err := strconv.ParseFloat(s, v.Type().Bits())
		if err != nil {
			return false, invalid(p, s, "a number")
		}
		v.SetFloat(f)
	default:
		return false, nil // a type the generator never emits
	}
	return true, nil
}

func invalid(param, value, want string) *awsproto.Error {
	return awsproto.NewError("InvalidParameterValue", http.StatusBadRequest,
		"Value (%s) for parameter %s is invalid. Expected %s.", clip(value), clip(param), want)
}

func join(p, name string) string {
	if p == "" {
		return name
	}
	return p + "." + name
}

func clip(s string) string {
	if len(s) <= maxEcho {
		return s
	}
	r := []rune(s[:maxEcho])
	return string(r[:len(r)-1]) + "..."
}
