package restxml

import (
	"reflect"
	"strings"
	"sync"
)

// field is a struct member as rest-xml sees it.
type field struct {
	index int
	// name is the element name; elem the element name of a wrapped list's items
	// (Items>CNAME), "" for flattened lists and everything else.
	name, elem string
	attr       bool
}

var fieldCache sync.Map // reflect.Type -> []field

// fields returns the body members of struct type t, from their xml tags. Members
// bound elsewhere (xml:"-") are left out.
func fields(t reflect.Type) []field {
	if v, ok := fieldCache.Load(t); ok {
		return v.([]field)
	}
	var out []field
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		tag := sf.Tag.Get("xml")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = sf.Name
		}
		f := field{index: i, name: name, attr: strings.Contains(","+opts+",", ",attr,")}
		if outer, inner, ok := strings.Cut(name, ">"); ok {
			f.name, f.elem = outer, inner
		}
		out = append(out, f)
	}
	fieldCache.Store(t, out)
	return out
}

func isList(t reflect.Type) bool {
	return t.Kind() == reflect.Slice && t.Elem().Kind() != reflect.Uint8
}

func isBlob(t reflect.Type) bool {
	return t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8
}
