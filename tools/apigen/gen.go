package main

import (
	"bytes"
	"fmt"
	"go/format"
	"sort"
	"strings"
)

// generator turns one model into the Go files of one api/<pkg> package.
type generator struct {
	m   *Model
	cfg serviceConfig

	reach   map[string]bool // shapes reachable from operation inputs and outputs
	inReach map[string]bool // shapes reachable from operation inputs
	names   namespace

	inputType  map[string]string // operation -> Go input type
	outputType map[string]string // operation -> Go output type
	synthetic  []string          // empty structures made for operations without input/output

	checkMemo map[string]bool
	patterns  map[string]string // shape -> RE2 source, for patterns that compile
	skipped   map[string]string // shape -> reason, for patterns that do not
}

// reserved are the identifiers every generated package declares.
var reserved = []string{
	"ServiceID", "APIVersion", "SigningName", "EventSource", "Protocol", "TargetPrefix", "XMLNamespace",
	"Service", "UnimplementedService", "Operation", "Operations", "NewInput", "Invoke", "Errors",
}

// generate returns the generated files (name -> gofmt'ed source).
func generate(m *Model, cfg serviceConfig) (map[string][]byte, error) {
	g := &generator{
		m: m, cfg: cfg,
		reach: map[string]bool{}, inReach: map[string]bool{}, names: namespace{},
		inputType: map[string]string{}, outputType: map[string]string{},
		checkMemo: map[string]bool{}, patterns: map[string]string{}, skipped: map[string]string{},
	}
	for _, r := range reserved {
		g.names[r] = "the generator"
	}
	if err := g.prepare(); err != nil {
		return nil, err
	}
	files := map[string]func(*file) error{
		"service_gen.go":  g.genService,
		"types_gen.go":    g.genTypes,
		"validate_gen.go": g.genValidate,
		"errors_gen.go":   g.genErrors,
	}
	out := map[string][]byte{}
	for name, fn := range files {
		f := newFile()
		if err := fn(f); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		src, err := f.render(m.file, cfg.Package)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		out[name] = src
	}
	return out, nil
}

// prepare walks the operations, names their input and output types and claims every
// identifier.
func (g *generator) prepare() error {
	for _, op := range g.m.operationNames() {
		o := g.m.Operations[op]
		if o.Input != nil {
			g.walk(o.Input.Shape, true)
			g.inputType[op] = exported(o.Input.Shape)
		} else {
			g.inputType[op] = op + "Input"
			g.synthetic = append(g.synthetic, op+"Input")
		}
		if o.Output != nil {
			g.walk(o.Output.Shape, false)
			g.outputType[op] = exported(o.Output.Shape)
		} else {
			g.outputType[op] = op + "Output"
			g.synthetic = append(g.synthetic, op+"Output")
		}
	}
	for _, name := range g.reachable() {
		s := g.m.Shapes[name]
		switch {
		case s.Type == "structure":
			if err := g.names.claim(exported(name), "shape "+name); err != nil {
				return err
			}
		case s.Type == "string" && len(s.Enum) > 0:
			if err := g.names.claim(exported(name), "shape "+name); err != nil {
				return err
			}
			for _, v := range s.Enum {
				if err := g.names.claim(enumConstName(exported(name), v), "enum "+name+" value "+v); err != nil {
					return err
				}
			}
		}
		if s.Type == "string" && s.Pattern != "" && g.inReach[name] {
			src, err := javaToRE2(s.Pattern)
			if err != nil {
				g.skipped[name] = err.Error()
			} else {
				g.patterns[name] = src
			}
		}
	}
	for _, name := range g.synthetic {
		if err := g.names.claim(name, "synthetic shape"); err != nil {
			return err
		}
	}
	for _, name := range g.errorShapes() {
		if err := g.names.claim("New"+exported(name), "error "+name); err != nil {
			return err
		}
	}
	return nil
}

func (g *generator) walk(name string, input bool) {
	if g.reach[name] && (!input || g.inReach[name]) {
		return
	}
	g.reach[name] = true
	if input {
		g.inReach[name] = true
	}
	s := g.m.Shapes[name]
	for _, r := range []*Ref{s.Member, s.Key, s.Value} {
		if r != nil {
			g.walk(r.Shape, input)
		}
	}
	for _, mn := range s.memberNames() {
		g.walk(s.Members[mn].Shape, input)
	}
}

// reachable returns the reachable shape names, sorted.
func (g *generator) reachable() []string {
	names := make([]string, 0, len(g.reach))
	for n := range g.reach {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// errorShapes returns the names of the modeled error shapes, sorted.
func (g *generator) errorShapes() []string {
	var names []string
	for n, s := range g.m.Shapes {
		if s.Exception {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

func (g *generator) isEnum(name string) bool {
	s := g.m.Shapes[name]
	return s.Type == "string" && len(s.Enum) > 0
}

// goType is the Go type of a shape. In member position (elem false) scalars and
// structures are pointers, so "absent" and "zero" differ; in list and map position
// (elem true) they are values. Enums are always named string values: "" is absent.
func (g *generator) goType(name string, elem bool) (string, error) {
	s := g.m.Shapes[name]
	ptr := "*"
	if elem {
		ptr = ""
	}
	switch s.Type {
	case "structure":
		return ptr + exported(name), nil
	case "string":
		if len(s.Enum) > 0 {
			return exported(name), nil
		}
		return ptr + "string", nil
	case "integer":
		return ptr + "int32", nil
	case "long":
		return ptr + "int64", nil
	case "float", "double":
		return ptr + "float64", nil
	case "boolean":
		return ptr + "bool", nil
	case "timestamp":
		return ptr + "awsproto.Timestamp", nil
	case "blob":
		return "[]byte", nil
	case "list":
		t, err := g.goType(s.Member.Shape, true)
		return "[]" + t, err
	case "map":
		k, err := g.goType(s.Key.Shape, true)
		if err != nil {
			return "", err
		}
		v, err := g.goType(s.Value.Shape, true)
		return "map[" + k + "]" + v, err
	}
	return "", fmt.Errorf("shape %s: unsupported type %q", name, s.Type)
}

// file is one generated Go file under construction.
type file struct {
	bytes.Buffer
	imports map[string]bool
}

func newFile() *file { return &file{imports: map[string]bool{}} }

func (f *file) use(pkg string) { f.imports[pkg] = true }

func (f *file) p(format string, args ...any) { fmt.Fprintf(f, format+"\n", args...) }

func (f *file) render(modelFile, pkg string) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by tools/apigen from %s; DO NOT EDIT.\n\npackage %s\n\n", modelFile, pkg)
	if len(f.imports) > 0 {
		var std, other []string
		for p := range f.imports {
			if strings.Contains(p, ".") {
				other = append(other, p)
			} else {
				std = append(std, p)
			}
		}
		sort.Strings(std)
		sort.Strings(other)
		b.WriteString("import (\n")
		for _, p := range std {
			fmt.Fprintf(&b, "%q\n", p)
		}
		if len(std) > 0 && len(other) > 0 {
			b.WriteString("\n")
		}
		for _, p := range other {
			fmt.Fprintf(&b, "%q\n", p)
		}
		b.WriteString(")\n\n")
	}
	b.Write(f.Bytes())
	src, err := format.Source(b.Bytes())
	if err != nil {
		return nil, fmt.Errorf("gofmt: %w\n%s", err, b.Bytes())
	}
	return src, nil
}

const awsprotoPkg = "github.com/cairnhq/cairn/awsproto"
