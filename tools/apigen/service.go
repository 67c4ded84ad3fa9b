package main

import (
	"fmt"
	"net/http"
)

// genService writes the service constants, the Service interface, UnimplementedService,
// the operation table, NewInput and Invoke.
func (g *generator) genService(f *file) error {
	md := g.m.Metadata
	f.use("context")
	f.use("fmt")
	f.use(awsprotoPkg)
	f.p("// Service constants from the model's metadata.")
	f.p("const (")
	f.p("ServiceID = %q", md.ServiceID)
	f.p("APIVersion = %q", md.APIVersion)
	f.p("// SigningName is the SigV4 service name.")
	f.p("SigningName = %q", g.m.signingName())
	f.p("// EventSource is the eventSource of CloudTrail records of this service.")
	f.p("EventSource = %q", md.EndpointPrefix+".amazonaws.com")
	f.p("// Protocol is the model's wire protocol (json, query, rest-json, rest-xml).")
	f.p("Protocol = %q", md.Protocol)
	if md.TargetPrefix != "" {
		f.p("// TargetPrefix prefixes the operation name in X-Amz-Target.")
		f.p("TargetPrefix = %q", md.TargetPrefix)
	}
	if ns := g.xmlNamespace(); ns != "" {
		f.p("// XMLNamespace is the xmlns of XML responses.")
		f.p("XMLNamespace = %q", ns)
	}
	f.p(")\n")

	ops := g.m.operationNames()
	f.p("// Service is implemented by the %s provider: one method per operation.", md.ServiceID)
	f.p("// Errors that are not *awsproto.Error reach the client as InternalFailure.")
	f.p("type Service interface {")
	for _, op := range ops {
		f.p("%s(ctx context.Context, in *%s) (*%s, error)", op, g.inputType[op], g.outputType[op])
	}
	f.p("}\n")

	f.p("// UnimplementedService answers every operation with %s (HTTP %d), wrapping", g.cfg.UnimplementedCode, g.cfg.UnimplementedStatus)
	f.p("// awsproto.ErrNotImplemented. Providers embed it, so a new operation compiles and")
	f.p("// answers a proper AWS error.")
	f.p("type UnimplementedService struct{}\n")
	f.p("var _ Service = UnimplementedService{}\n")
	for _, op := range ops {
		f.p("func (UnimplementedService) %s(context.Context, *%s) (*%s, error) {", op, g.inputType[op], g.outputType[op])
		f.p("return nil, notImplemented(%q)", op)
		f.p("}\n")
	}
	f.p(`func notImplemented(op string) error {
	e := awsproto.NewError(%q, %d, "%%s is not supported by Cairn yet", op)
	return fmt.Errorf("%%w: %%w", e, awsproto.ErrNotImplemented)
}
`, g.cfg.UnimplementedCode, g.cfg.UnimplementedStatus)

	if g.isREST() {
		return g.genRESTTable(f, ops)
	}
	f.p(`// Operation describes how one operation is called on the wire.
type Operation struct {
	Name string
	// HTTPMethod and RequestURI are the model's http trait; RequestURI is a template
	// ("/2020-05-31/distribution/{Id}") in the REST protocols and "/" otherwise.
	HTTPMethod string
	RequestURI string
	// ResponseCode is the success status (200 unless the model says otherwise).
	ResponseCode int
	// ResultWrapper is the query protocol's <OpResult> element ("" when none).
	ResultWrapper string
}
`)
	f.p("// Operations is the static operation table, keyed by operation name.")
	f.p("var Operations = map[string]Operation{")
	for _, op := range ops {
		o := g.m.Operations[op]
		code := o.HTTP.ResponseCode
		if code == 0 {
			code = http.StatusOK
		}
		wrapper := ""
		if o.Output != nil {
			wrapper = o.Output.ResultWrapper
		}
		f.p("%q: {Name: %q, HTTPMethod: %q, RequestURI: %q, ResponseCode: %d, ResultWrapper: %q},", op, op, o.HTTP.Method, o.HTTP.RequestURI, code, wrapper)
	}
	f.p("}\n")

	return g.genDispatch(f, ops)
}

// genDispatch writes NewInput and Invoke.
func (g *generator) genDispatch(f *file, ops []string) error {
	f.p("// NewInput returns a new, empty input of op, ready for a codec to decode into.")
	f.p("func NewInput(op string) (awsproto.Validator, bool) {")
	f.p("switch op {")
	for _, op := range ops {
		f.p("case %q:", op)
		f.p("return new(%s), true", g.inputType[op])
	}
	f.p("}")
	f.p("return nil, false")
	f.p("}\n")

	f.p("// Invoke calls op on svc with in, which must be the type NewInput(op) returns.")
	f.p("// A nil output without error becomes an empty output.")
	f.p("func Invoke(ctx context.Context, svc Service, op string, in any) (any, error) {")
	f.p("switch op {")
	for _, op := range ops {
		f.p("case %q:", op)
		f.p("i, ok := in.(*%s)", g.inputType[op])
		f.p("if !ok { return nil, badInput(op, in) }")
		f.p("out, err := svc.%s(ctx, i)", op)
		f.p("if err != nil { return nil, err }")
		f.p("if out == nil { out = new(%s) }", g.outputType[op])
		f.p("return out, nil")
	}
	f.p("}")
	f.p("return nil, fmt.Errorf(\"%s: unknown operation %%q\", op)", g.cfg.Package)
	f.p("}\n")
	f.p(`func badInput(op string, in any) error {
	return fmt.Errorf("%s: %%s: input of type %%T", op, in)
}`, g.cfg.Package)
	if len(ops) == 0 {
		return fmt.Errorf("model has no operations")
	}
	return nil
}
