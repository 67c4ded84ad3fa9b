package restxml

import (
	"encoding/base64"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"unsafe"

	"github.com/cairnhq/cairn/awsproto"
)

// The encoder walks values through unsafe.Pointers: ptr always points to a value of
// exactly the plan's type (a structure field at its offset, a list item at its
// index times the item size), and is only read as that type. This spares the
// reflect.Value bookkeeping of every member, which was most of the cost of encoding
// a large page. Maps and interfaces go through reflect.

// sliceHeader is the layout of a Go slice.
type sliceHeader struct {
	data     unsafe.Pointer
	len, cap int
}

// documentOf dereferences v down to the structure a document is made of and
// returns a pointer to it; ok is false if there is none.
func documentOf(v reflect.Value) (unsafe.Pointer, *plan, bool) {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return nil, nil, false
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return nil, nil, false
	}
	return addressOf(v), planFor(v.Type()), true
}

// addressOf returns a pointer to v's value, to a copy if v is not addressable.
func addressOf(v reflect.Value) unsafe.Pointer {
	if v.CanAddr() {
		return v.Addr().UnsafePointer()
	}
	c := reflect.New(v.Type())
	c.Elem().Set(v)
	return c.UnsafePointer()
}

// appendDocument appends the XML document of the structure at ptr (of plan p).
func appendDocument(b []byte, root, namespace string, ptr unsafe.Pointer, p *plan) ([]byte, error) {
	b = append(b, xmlHeader...)
	b = append(b, '<')
	b = append(b, root...)
	if namespace != "" {
		b = append(b, ` xmlns="`...)
		b = appendEscaped(b, namespace)
		b = append(b, '"')
	}
	b = appendAttrs(b, p, ptr)
	b = append(b, '>')
	b, err := appendMembers(b, p, ptr, 0)
	if err != nil {
		return nil, err
	}
	b = append(b, "</"...)
	b = append(b, root...)
	return append(b, '>'), nil
}

// appendAttrs appends the attributes of the structure at ptr; one whose value
// cannot be written is left out.
func appendAttrs(b []byte, p *plan, ptr unsafe.Pointer) []byte {
	for i := range p.attrs {
		m := &p.attrs[i]
		fp := unsafe.Add(ptr, m.offset)
		if m.absent(fp) {
			continue
		}
		n := len(b)
		b = append(b, ' ')
		b = append(b, m.name.name...)
		b = append(b, `="`...)
		w, err := appendScalar(b, m.p, fp)
		if err != nil {
			b = b[:n]
			continue
		}
		b = append(w, '"')
	}
	return b
}

// appendMembers appends the members of the structure at ptr (of plan p).
func appendMembers(b []byte, p *plan, ptr unsafe.Pointer, depth int) ([]byte, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("restxml: structure nested deeper than %d", maxDepth)
	}
	var err error
	for i := range p.members {
		m := &p.members[i]
		fp := unsafe.Add(ptr, m.offset)
		if m.absent(fp) {
			continue
		}
		switch {
		case m.item != nil:
			b = append(b, m.name.open...)
			if b, err = appendItems(b, m.p, m.item, fp, depth); err != nil {
				return nil, err
			}
			b = append(b, m.name.close...)
		case m.p.kind == planList:
			if b, err = appendItems(b, m.p, m.name, fp, depth); err != nil {
				return nil, err
			}
		default:
			if b, err = appendElement(b, m.p, m.name, fp, depth); err != nil {
				return nil, err
			}
		}
	}
	return b, nil
}

// appendItems appends each item of the list at ptr (of plan p) as element t.
func appendItems(b []byte, p *plan, t *tag, ptr unsafe.Pointer, depth int) ([]byte, error) {
	s := (*sliceHeader)(ptr)
	var err error
	for i := range s.len {
		if b, err = appendElement(b, p.elem, t, unsafe.Add(s.data, uintptr(i)*p.size), depth); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// appendElement appends <t>value</t> for the value at ptr (of plan p), or nothing
// for a nil pointer or interface.
func appendElement(b []byte, p *plan, t *tag, ptr unsafe.Pointer, depth int) ([]byte, error) {
	for p.kind == planPointer || p.kind == planInterface {
		if p.kind == planPointer {
			if ptr = *(*unsafe.Pointer)(ptr); ptr == nil {
				return b, nil
			}
			p = p.elem
			continue
		}
		v := reflect.NewAt(p.typ, ptr).Elem()
		if v.IsNil() {
			return b, nil
		}
		v = v.Elem()
		ptr, p = addressOf(v), planFor(v.Type())
	}
	var err error
	switch p.kind {
	case planStruct:
		if len(p.attrs) > 0 {
			b = append(b, t.start...)
			b = appendAttrs(b, p, ptr)
			b = append(b, '>')
		} else {
			b = append(b, t.open...)
		}
		if p.hasWireBody {
			if wb := *(*[]byte)(unsafe.Add(ptr, p.wireBody)); len(wb) > 0 {
				b = append(b, wb...)
				break
			}
		}
		if b, err = appendMembers(b, p, ptr, depth+1); err != nil {
			return nil, err
		}
	case planList:
		// A list inside a list or map: its items are <member>s.
		b = append(b, t.open...)
		if b, err = appendItems(b, p, memberTag, ptr, depth+1); err != nil {
			return nil, err
		}
	case planMap:
		b = append(b, t.open...)
		if b, err = appendEntries(b, p, ptr, depth); err != nil {
			return nil, err
		}
	default:
		b = append(b, t.open...)
		if b, err = appendScalar(b, p, ptr); err != nil {
			return nil, err
		}
	}
	return append(b, t.close...), nil
}

// appendEntries appends the entries of the map at ptr (of plan p), sorted by key:
// <entry><key>k</key><value>v</value></entry>.
func appendEntries(b []byte, p *plan, ptr unsafe.Pointer, depth int) ([]byte, error) {
	v := reflect.NewAt(p.typ, ptr).Elem()
	keys := v.MapKeys()
	slices.SortFunc(keys, func(a, c reflect.Value) int { return strings.Compare(a.String(), c.String()) })
	var err error
	for _, k := range keys {
		b = append(b, entryTag.open...)
		if b, err = appendElement(b, p.key, keyTag, addressOf(k), depth+1); err != nil {
			return nil, err
		}
		if b, err = appendElement(b, p.elem, valueTag, addressOf(v.MapIndex(k)), depth+1); err != nil {
			return nil, err
		}
		b = append(b, entryTag.close...)
	}
	return b, nil
}

// appendScalar appends the value at ptr (of plan p) as text: timestamps ISO 8601,
// blobs base64, strings escaped. Nil pointers append nothing; structures, lists,
// maps and interfaces are an error.
func appendScalar(b []byte, p *plan, ptr unsafe.Pointer) ([]byte, error) {
	for p.kind == planPointer {
		if ptr = *(*unsafe.Pointer)(ptr); ptr == nil {
			return b, nil
		}
		p = p.elem
	}
	switch p.kind {
	case planTimestamp:
		return appendTimestamp(b, (*awsproto.Timestamp)(ptr).Time), nil
	case planBlob:
		return base64.StdEncoding.AppendEncode(b, *(*[]byte)(ptr)), nil
	case planString:
		return appendEscaped(b, *(*string)(ptr)), nil
	case planBool:
		return strconv.AppendBool(b, *(*bool)(ptr)), nil
	case planInt:
		return strconv.AppendInt(b, intAt(ptr, p.size), 10), nil
	case planFloat:
		if p.size == 4 {
			return strconv.AppendFloat(b, float64(*(*float32)(ptr)), 'f', -1, 32), nil
		}
		return strconv.AppendFloat(b, *(*float64)(ptr), 'f', -1, 64), nil
	}
	return nil, fmt.Errorf("restxml: cannot encode %s", p.typ)
}

// intAt reads the signed integer of size bytes at ptr.
func intAt(ptr unsafe.Pointer, size uintptr) int64 {
	switch size {
	case 1:
		return int64(*(*int8)(ptr))
	case 2:
		return int64(*(*int16)(ptr))
	case 4:
		return int64(*(*int32)(ptr))
	}
	return *(*int64)(ptr)
}
