package main

import (
	"fmt"
	"slices"
	"strings"
)

// genTypes writes a struct per structure shape, a named string type per enum and the
// empty structures of operations without input or output.
func (g *generator) genTypes(f *file) error {
	for _, name := range g.reachable() {
		s := g.m.Shapes[name]
		switch {
		case s.Type == "structure":
			if err := g.genStruct(f, name, s); err != nil {
				return err
			}
		case g.isEnum(name):
			g.genEnum(f, name, s)
		}
	}
	for _, name := range g.synthetic {
		f.p("// %s is the empty input or output of an operation the model gives none.", name)
		f.p("type %s struct{}\n", name)
	}
	return nil
}

func (g *generator) genStruct(f *file, name string, s *Shape) error {
	typ := exported(name)
	switch {
	case s.Exception:
		f.p("// %s is the modeled error shape %s.", typ, name)
	case s.Union:
		f.p("// %s is the union shape %s: exactly one member is set.", typ, name)
	default:
		f.p("// %s is the shape %s.", typ, name)
	}
	f.p("type %s struct {", typ)
	fields := map[string]string{}
	for _, mn := range s.memberNames() {
		ref := s.Members[mn]
		field := fieldName(mn)
		if prev, ok := fields[field]; ok {
			return fmt.Errorf("shape %s: members %s and %s both map to field %s", name, prev, mn, field)
		}
		fields[field] = mn
		t, err := g.goType(ref.Shape, false)
		if err != nil {
			return err
		}
		if strings.Contains(t, "awsproto.") {
			f.use(awsprotoPkg)
		}
		var notes []string
		if s.isRequired(mn) {
			notes = append(notes, "required")
		}
		if ref.Deprecated {
			notes = append(notes, "deprecated")
		}
		comment := ""
		if len(notes) > 0 {
			comment = " // " + strings.Join(notes, ", ")
		}
		f.p("%s %s `%s`%s", field, t, g.tags(mn, ref), comment)
	}
	if slices.Contains(g.cfg.Encoded, name) {
		if _, ok := fields[wireBodyField]; ok {
			return fmt.Errorf("shape %s: a member maps to field %s", name, wireBodyField)
		}
		f.p("// %s, if set, is the members above as rest-xml writes them, kept by the", wireBodyField)
		f.p("// provider as a cache of the wire form: the encoder writes it verbatim instead")
		f.p("// of the members, which must still be set (for records and other encoders).")
		f.p("%s []byte `json:\"-\" xml:\"-\" cairn:\"wirebody\"`", wireBodyField)
	}
	f.p("}\n")
	return nil
}

// wireBodyField is the field of the structures listed in serviceConfig.Encoded.
const wireBodyField = "WireBody"

// tags returns a member's struct tags:
//
//   - json: the body name (jsonName, else locationName, else the member name);
//   - xml: the element name (locationName, else the member name); lists that are not
//     flattened nest their elements as Name>member (the list's member locationName,
//     default "member"), as the query and rest-xml protocols write them;
//   - location/locationName: for members bound to the URI, query string, headers or
//     status code in the REST protocols (they are not in the body: json and xml "-");
//     timestampFormat when the model overrides a bound timestamp's default format;
//   - cairn:"sensitive": the member or its shape is sensitive (redacted in records).
func (g *generator) tags(member string, ref *Ref) string {
	target := g.m.Shapes[ref.Shape]
	var tags []string
	if ref.Location != "" {
		tags = append(tags, `json:"-"`, `xml:"-"`, fmt.Sprintf(`location:"%s"`, ref.Location))
		if ref.LocationName != "" {
			tags = append(tags, fmt.Sprintf(`locationName:"%s"`, ref.LocationName))
		}
		if tf := ref.TimestampFormat; tf != "" || target.TimestampFormat != "" {
			if tf == "" {
				tf = target.TimestampFormat
			}
			tags = append(tags, fmt.Sprintf(`timestampFormat:"%s"`, tf))
		}
	} else {
		jsonName := member
		if ref.LocationName != "" {
			jsonName = ref.LocationName
		}
		if ref.JSONName != "" {
			jsonName = ref.JSONName
		}
		xmlName := member
		if ref.LocationName != "" {
			xmlName = ref.LocationName
		}
		if target.Type == "list" {
			flat := ref.Flattened || target.Flattened
			elem := "member"
			if target.Member.LocationName != "" {
				elem = target.Member.LocationName
			}
			if !flat {
				xmlName += ">" + elem
			} else if ref.LocationName == "" && target.Member.LocationName != "" {
				xmlName = elem
			}
		}
		xmlOpts := ",omitempty"
		if ref.XMLAttribute {
			xmlOpts = ",attr,omitempty"
		}
		// Lists and maps use omitzero: nil is absent, but an empty non-nil value is
		// written as [] or {} as AWS does (e.g. GetEventSelectors' DataResources).
		jsonOpts := ",omitempty"
		if target.Type == "list" || target.Type == "map" {
			jsonOpts = ",omitzero"
		}
		tags = append(tags, fmt.Sprintf(`json:"%s%s"`, jsonName, jsonOpts), fmt.Sprintf(`xml:"%s%s"`, xmlName, xmlOpts))
	}
	if ref.Sensitive || target.Sensitive {
		tags = append(tags, `cairn:"sensitive"`)
	}
	return strings.Join(tags, " ")
}

func (g *generator) genEnum(f *file, name string, s *Shape) {
	typ := exported(name)
	f.p("// %s is the enum shape %s. Members of this type are values: \"\" means absent.", typ, name)
	f.p("type %s string\n", typ)
	f.p("// Values of %s.", typ)
	f.p("const (")
	for _, v := range s.Enum {
		f.p("%s %s = %q", enumConstName(typ, v), typ, v)
	}
	f.p(")\n")
	f.p("// Values returns every value of %s, in model order.", typ)
	f.p("func (%s) Values() []%s {", typ, typ)
	f.p("return []%s{", typ)
	for _, v := range s.Enum {
		f.p("%s,", enumConstName(typ, v))
	}
	f.p("}\n}\n")
}

// fieldName is the Go field of a structure member.
func fieldName(member string) string {
	field := exported(member)
	if field == "Validate" {
		field += "_"
	}
	return field
}
