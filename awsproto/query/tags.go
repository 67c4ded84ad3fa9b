package query

import (
	"reflect"
	"strings"
)

// field is a struct field as the query protocol sees it.
type field struct {
	index int
	// name is the element / parameter name; elem is the list element name of a
	// wrapped list ("member" for Name>member), "" for flattened lists and non-lists.
	name, elem string
}

// fields returns the serializable fields of struct type t, from their xml tags.
func fields(t reflect.Type) []field {
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
		if strings.Contains(opts, "attr") {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		f := field{index: i, name: name}
		if outer, inner, ok := strings.Cut(name, ">"); ok {
			f.name, f.elem = outer, inner
		}
		out = append(out, f)
	}
	return out
}
