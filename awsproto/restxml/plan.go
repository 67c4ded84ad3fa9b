package restxml

import (
	"reflect"
	"sync"
	"sync/atomic"
	"unsafe"
)

// planKind says how a plan encodes its type.
type planKind uint8

const (
	planUnsupported planKind = iota // an error when a value is met (uint, array, ...)
	planPointer
	planInterface
	planTimestamp
	planStruct
	planList
	planMap
	planBlob
	planString
	planBool
	planInt
	planFloat
)

// plan is how values of one Go type are written, worked out once per type from its
// kind and, for structures, its members' xml tags and offsets: Marshal then walks
// values through pointers (walk.go) without reflection, except for maps and
// interfaces.
type plan struct {
	typ  reflect.Type
	kind planKind
	// elem is the plan of a pointer's target, a list's items or a map's values;
	// key the plan of a map's keys.
	elem, key *plan
	// size of an int or float type in bytes; of a list's items for lists.
	size uintptr
	// attrs and members of a structure, in field order.
	attrs, members []member
	// wireBody is the offset of a structure's WireBody field ([]byte, tagged
	// cairn:"wirebody"), when hasWireBody: set, it is written instead of members.
	wireBody    uintptr
	hasWireBody bool
	// last is the length of the last document with this root type, to size the
	// next one's buffer.
	last atomic.Int64
}

// member is a structure field as rest-xml writes it.
type member struct {
	offset uintptr
	// name is the element (or attribute) name; item the element of a wrapped
	// list's items (Items>CNAME), nil for flattened lists and everything else.
	name, item *tag
	p          *plan
	// nilable members are unset when nil, strings (enums) when empty.
	nilable, str bool
}

// absent reports whether the member at ptr is unset: a nil pointer, slice, map or
// interface (whose first word is nil), or an empty enum.
func (m *member) absent(ptr unsafe.Pointer) bool {
	switch {
	case m.nilable:
		return *(*unsafe.Pointer)(ptr) == nil
	case m.str:
		return len(*(*string)(ptr)) == 0
	}
	return false
}

// wireBodyField returns struct type t's field tagged cairn:"wirebody", if it has
// one of type []byte.
func wireBodyField(t reflect.Type) (reflect.StructField, bool) {
	for i := range t.NumField() {
		sf := t.Field(i)
		if sf.Tag.Get("cairn") == "wirebody" && isBlob(sf.Type) {
			return sf, true
		}
	}
	return reflect.StructField{}, false
}

// tag is an element name with its tags spelled out.
type tag struct {
	name  string
	open  string // <name>
	start string // <name
	close string // </name>
}

func newTag(name string) *tag {
	return &tag{name: name, open: "<" + name + ">", start: "<" + name, close: "</" + name + ">"}
}

var (
	memberTag = newTag("member")
	entryTag  = newTag("entry")
	keyTag    = newTag("key")
	valueTag  = newTag("value")
)

var (
	plans   sync.Map   // reflect.Type -> *plan, complete plans only
	plansMu sync.Mutex // serialises building
	// building holds the plans of the build in progress (under plansMu), so that
	// recursive types refer to themselves.
	building = map[reflect.Type]*plan{}
)

// planFor returns the plan of type t, building it (and the plans it refers to)
// on first use.
func planFor(t reflect.Type) *plan {
	if p, ok := plans.Load(t); ok {
		return p.(*plan)
	}
	plansMu.Lock()
	defer plansMu.Unlock()
	if p, ok := plans.Load(t); ok {
		return p.(*plan)
	}
	defer clear(building)
	p := buildPlan(t)
	for bt, bp := range building {
		plans.Store(bt, bp)
	}
	return p
}

// buildPlan returns the plan of t from plans or building, or makes it. Called
// with plansMu held.
func buildPlan(t reflect.Type) *plan {
	if p, ok := plans.Load(t); ok {
		return p.(*plan)
	}
	if p, ok := building[t]; ok {
		return p
	}
	p := &plan{typ: t}
	building[t] = p
	switch {
	case t == timestampType:
		p.kind = planTimestamp
	case isBlob(t):
		p.kind = planBlob
	case isList(t):
		p.kind = planList
		p.elem = buildPlan(t.Elem())
		p.size = t.Elem().Size()
	}
	if p.kind != planUnsupported {
		return p
	}
	switch t.Kind() {
	case reflect.Pointer:
		p.kind = planPointer
		p.elem = buildPlan(t.Elem())
	case reflect.Interface:
		p.kind = planInterface
	case reflect.Struct:
		p.kind = planStruct
		if sf, ok := wireBodyField(t); ok {
			p.wireBody, p.hasWireBody = sf.Offset, true
		}
		for _, f := range fields(t) {
			sf := t.Field(f.index)
			ft := sf.Type
			m := member{offset: sf.Offset, name: newTag(f.name), p: buildPlan(ft)}
			switch ft.Kind() {
			case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
				m.nilable = true
			case reflect.String:
				m.str = true
			}
			if f.attr {
				p.attrs = append(p.attrs, m)
				continue
			}
			if f.elem != "" && isList(ft) {
				m.item = newTag(f.elem)
			}
			p.members = append(p.members, m)
		}
	case reflect.Map:
		p.kind = planMap
		p.key = buildPlan(t.Key())
		p.elem = buildPlan(t.Elem())
	case reflect.String:
		p.kind = planString
	case reflect.Bool:
		p.kind = planBool
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		p.kind = planInt
		p.size = t.Size()
	case reflect.Float32, reflect.Float64:
		p.kind = planFloat
		p.size = t.Size()
	}
	return p
}
