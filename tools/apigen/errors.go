package main

import "net/http"

// errorInfo is what the wire needs of a modeled error shape.
type errorInfo struct {
	code     string
	status   int
	receiver bool
}

func (g *generator) errorInfo(name string) errorInfo {
	s := g.m.Shapes[name]
	e := errorInfo{code: name, status: http.StatusBadRequest, receiver: s.Fault}
	if s.Error != nil {
		if s.Error.Code != "" {
			e.code = s.Error.Code
		}
		if s.Error.HTTPStatusCode != 0 {
			e.status = s.Error.HTTPStatusCode
		}
	}
	if e.status >= 500 {
		e.receiver = true
	}
	return e
}

// genErrors writes one constructor per modeled error shape and the Errors table.
func (g *generator) genErrors(f *file) error {
	f.use(awsprotoPkg)
	names := g.errorShapes()
	for _, name := range names {
		e := g.errorInfo(name)
		f.p("// New%s returns the modeled error %s (code %s, HTTP %d).", exported(name), name, e.code, e.status)
		f.p("func New%s(format string, args ...any) *awsproto.Error {", exported(name))
		f.p("return newError(%q, %d, %t, format, args)", e.code, e.status, e.receiver)
		f.p("}\n")
	}
	f.p("// Errors maps the wire code of every modeled error to its HTTP status.")
	f.p("var Errors = map[string]int{")
	for _, name := range names {
		e := g.errorInfo(name)
		f.p("%q: %d,", e.code, e.status)
	}
	f.p("}\n")
	f.p(`func newError(code string, status int, receiver bool, format string, args []any) *awsproto.Error {
	e := awsproto.NewError(code, status, format, args...)
	e.Receiver = receiver
	return e
}`)
	return nil
}
