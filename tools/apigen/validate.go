package main

import (
	"fmt"
	"strconv"
	"strings"
)

// Validation code layout: every structure reachable from an input gets an exported
// Validate (collects all violations) and an unexported validate(v, path) that the
// enclosing shapes call. Every other shape with a constraint gets one
// (*validator).check<Shape> function; members call it when they are present.

// needsCheck reports whether a non-structure shape has anything to check.
func (g *generator) needsCheck(name string) bool {
	if v, ok := g.checkMemo[name]; ok {
		return v
	}
	s := g.m.Shapes[name]
	var need bool
	switch s.Type {
	case "structure":
		need = true
	case "string":
		need = g.hasMin(s) || s.Max != nil || g.patterns[name] != "" || len(s.Enum) > 0
	case "integer", "long", "float", "double":
		need = s.Min != nil || s.Max != nil
	case "blob":
		need = g.hasMin(s) || s.Max != nil
	case "list":
		need = g.hasMin(s) || s.Max != nil || g.needsCheck(s.Member.Shape)
	case "map":
		need = g.hasMin(s) || s.Max != nil || g.needsCheck(s.Key.Shape) || g.needsCheck(s.Value.Shape)
	}
	g.checkMemo[name] = need
	return need
}

// hasMin reports a length minimum that can fail (lengths are never negative).
func (g *generator) hasMin(s *Shape) bool {
	return s.Min != nil && s.Min.String() != "0"
}

func (g *generator) genValidate(f *file) error {
	f.use(awsprotoPkg)
	f.p("%s", validatorRuntime)
	if len(g.patterns) > 0 || len(g.skipped) > 0 {
		f.use("regexp")
		f.p("// Model patterns, anchored: AWS matches them against the whole value.")
		f.p("var (")
		for _, name := range g.reachable() {
			if src, ok := g.patterns[name]; ok {
				f.p("pattern%s = regexp.MustCompile(%q)", exported(name), src)
			} else if why, ok := g.skipped[name]; ok {
				f.p("// The pattern of %s (%q) is not checked: RE2 cannot compile it (%s).", name, g.m.Shapes[name].Pattern, why)
			}
		}
		f.p(")\n")
	}
	for _, name := range g.reachable() {
		if !g.inReach[name] {
			continue
		}
		s := g.m.Shapes[name]
		var err error
		if s.Type == "structure" {
			err = g.genStructValidate(f, name, s)
		} else if g.needsCheck(name) {
			err = g.genCheck(f, name, s)
		}
		if err != nil {
			return err
		}
	}
	for _, name := range g.synthetic {
		if strings.HasSuffix(name, "Input") {
			f.p("// Validate always succeeds: %s has no members.", name)
			f.p("func (s *%s) Validate() error { return nil }\n", name)
		}
	}
	return nil
}

func (g *generator) genStructValidate(f *file, name string, s *Shape) error {
	typ := exported(name)
	f.p("// Validate checks s against the model's constraints and returns an")
	f.p("// *awsproto.ValidationError listing every violation, or nil.")
	f.p("func (s *%s) Validate() error {", typ)
	f.p("if s == nil { s = new(%s) }", typ)
	f.p("v := new(validator)")
	f.p("s.validate(v, \"\")")
	f.p("return v.Err()")
	f.p("}\n")
	f.p("func (s *%s) validate(v *validator, path string) {", typ)
	for _, mn := range s.memberNames() {
		ref := s.Members[mn]
		target := g.m.Shapes[ref.Shape]
		field := "s." + exported(mn)
		if exported(mn) == "Validate" {
			field += "_"
		}
		path := fmt.Sprintf("awsproto.JoinPath(path, %q)", lowerFirst(mn))
		absent, present := field+" == nil", field+" != nil"
		value := "*" + field
		switch {
		case g.isEnum(ref.Shape):
			absent, present, value = field+` == ""`, field+` != ""`, field
		case target.Type == "list" || target.Type == "map" || target.Type == "blob" || target.Type == "structure":
			value = field
		}
		var check string
		switch {
		case target.Type == "structure":
			check = fmt.Sprintf("%s.validate(v, %s)", field, path)
		case g.needsCheck(ref.Shape):
			check = fmt.Sprintf("v.check%s(%s, %q, %s)", exported(ref.Shape), path, mn, value)
		}
		switch {
		case s.isRequired(mn) && check != "":
			f.p("if %s { v.Null(%s, %q) } else { %s }", absent, path, mn, check)
		case s.isRequired(mn):
			f.p("if %s { v.Null(%s, %q) }", absent, path, mn)
		case check != "":
			f.p("if %s { %s }", present, check)
		}
	}
	f.p("}\n")
	return nil
}

// genCheck writes the check function of a scalar, list or map shape.
func (g *generator) genCheck(f *file, name string, s *Shape) error {
	t, err := g.goType(name, true)
	if err != nil {
		return err
	}
	if strings.Contains(t, "awsproto.") {
		f.use(awsprotoPkg)
	}
	f.p("func (v *validator) check%s(path, member string, x %s) {", exported(name), t)
	shown := "x"
	switch s.Type {
	case "string":
		if g.isEnum(name) {
			shown = "string(x)"
		}
	case "integer", "long":
		f.use("strconv")
		shown = "strconv.FormatInt(int64(x), 10)"
	case "float", "double":
		f.use("strconv")
		shown = "strconv.FormatFloat(x, 'f', -1, 64)"
	case "blob":
		f.use("strconv")
		shown = `strconv.Itoa(len(x)) + " bytes"`
	case "list":
		switch g.m.Shapes[s.Member.Shape].Type {
		case "string", "integer", "long", "float", "double", "boolean":
			shown = "awsproto.ListString(x)"
		default:
			f.use("strconv")
			shown = `"[" + strconv.Itoa(len(x)) + " elements]"`
		}
	case "map":
		f.use("strconv")
		shown = `"{" + strconv.Itoa(len(x)) + " entries}"`
	}
	if s.Sensitive {
		shown = "awsproto.Redacted"
	}
	switch s.Type {
	case "string", "blob", "list", "map":
		n := "len(x)"
		if s.Type == "string" {
			f.use("unicode/utf8")
			n = "utf8.RuneCountInString(string(x))"
		}
		if g.hasMin(s) || s.Max != nil {
			f.p("n := %s", n)
		}
		if g.hasMin(s) {
			f.p("if n < %s { v.Fail(path, member, \"min\", %s, \"Member must have length greater than or equal to %s\") }", s.Min, shown, s.Min)
		}
		if s.Max != nil {
			f.p("if n > %s { v.Fail(path, member, \"max\", %s, \"Member must have length less than or equal to %s\") }", s.Max, shown, s.Max)
		}
	case "integer", "long", "float", "double":
		if s.Min != nil && inRange(s.Type, s.Min.String()) {
			f.p("if x < %s { v.Fail(path, member, \"min\", %s, \"Member must have value greater than or equal to %s\") }", s.Min, shown, s.Min)
		}
		if s.Max != nil && inRange(s.Type, s.Max.String()) {
			f.p("if x > %s { v.Fail(path, member, \"max\", %s, \"Member must have value less than or equal to %s\") }", s.Max, shown, s.Max)
		}
	}
	if src, ok := g.patterns[name]; ok && src != "" {
		f.p("if !pattern%s.MatchString(string(x)) { v.Fail(path, member, \"pattern\", %s, %q) }", exported(name), shown,
			"Member must satisfy regular expression pattern: "+s.Pattern)
	}
	if len(s.Enum) > 0 {
		quoted := make([]string, len(s.Enum))
		for i, e := range s.Enum {
			quoted[i] = fmt.Sprintf("%q", e)
		}
		f.p("switch x {")
		f.p("case %s:", strings.Join(quoted, ", "))
		f.p("default: v.Fail(path, member, \"enum\", %s, %q)", shown,
			"Member must satisfy enum value set: ["+strings.Join(s.Enum, ", ")+"]")
		f.p("}")
	}
	switch s.Type {
	case "list":
		if err := g.genElemCheck(f, s.Member.Shape, "x[i]", "awsproto.ElemPath(path, i)", "for i := range x {"); err != nil {
			return err
		}
	case "map":
		keyCheck := g.needsCheck(s.Key.Shape) && g.m.Shapes[s.Key.Shape].Type != "structure"
		valCheck := g.needsCheck(s.Value.Shape)
		if keyCheck || valCheck {
			f.use("maps")
			f.use("slices")
			f.p("for _, k := range slices.Sorted(maps.Keys(x)) {")
			if keyCheck {
				f.p("v.check%s(path, member, k)", exported(s.Key.Shape))
			}
			if valCheck {
				if g.m.Shapes[s.Value.Shape].Type == "structure" {
					f.p("e := x[k]")
					f.p("e.validate(v, path+\".\"+string(k))")
				} else {
					f.p("v.check%s(path+\".\"+string(k), member, x[k])", exported(s.Value.Shape))
				}
			}
			f.p("}")
		}
	}
	f.p("}\n")
	return nil
}

// inRange reports whether a model bound is representable in the Go type of a number
// shape; a bound outside it can never fail and is not generated.
func inRange(typ, bound string) bool {
	switch typ {
	case "integer":
		_, err := strconv.ParseInt(bound, 10, 32)
		return err == nil
	case "long":
		_, err := strconv.ParseInt(bound, 10, 64)
		return err == nil
	}
	_, err := strconv.ParseFloat(bound, 64)
	return err == nil
}

// genElemCheck writes the loop that checks each element of a list.
func (g *generator) genElemCheck(f *file, elemShape, expr, path, loop string) error {
	if !g.needsCheck(elemShape) {
		return nil
	}
	f.p("%s", loop)
	if g.m.Shapes[elemShape].Type == "structure" {
		f.p("%s.validate(v, %s)", expr, path)
	} else {
		f.p("v.check%s(%s, member, %s)", exported(elemShape), path, expr)
	}
	f.p("}")
	return nil
}

// validatorRuntime is the helper code every generated package carries; the rest
// of the runtime is awsproto.Checker and its path helpers.
const validatorRuntime = `// validator collects the violations of one request.
type validator struct{ awsproto.Checker }
`
