package main

import (
	"fmt"
	"net/http"
	"strings"
)

const restPkg = "github.com/cairnhq/cairn/awsproto/rest"

// isREST reports whether the model uses one of the REST protocols.
func (g *generator) isREST() bool {
	p := g.m.Metadata.Protocol
	return p == "rest-xml" || p == "rest-json"
}

// xmlNamespace is the xmlns of the service's XML bodies: the model's metadata, else
// (CloudFront) the namespace its operations' request bodies declare.
func (g *generator) xmlNamespace() string {
	if g.m.Metadata.XMLNamespace != "" {
		return g.m.Metadata.XMLNamespace
	}
	if g.m.Metadata.Protocol != "rest-xml" {
		return ""
	}
	for _, op := range g.m.operationNames() {
		if ns := g.restBinding(g.m.Operations[op]).inNamespace; ns != "" {
			return ns
		}
	}
	return ""
}

// restBinding is what a REST codec needs of one operation beyond its http trait.
type restBinding struct {
	inPayload, inPayloadType, inRoot, inNamespace string
	outPayload, outPayloadType, outRoot           string
}

// restBinding derives an operation's payload members and XML root elements.
//
// A payload member's root element is its locationName, else its target shape's
// name (as Smithy's restXml names an httpPayload structure); without a payload the
// body's root is the input or output reference's locationName, else the shape name.
// Roots are only set when the body can carry anything, and only for rest-xml.
func (g *generator) restBinding(o *Operation) restBinding {
	var b restBinding
	xml := g.m.Metadata.Protocol == "rest-xml"
	if o.Input != nil {
		s := g.m.Shapes[o.Input.Shape]
		if s.Payload != "" {
			ref := s.Members[s.Payload]
			b.inPayload, b.inPayloadType = fieldName(s.Payload), payloadType(g.m.Shapes[ref.Shape])
			if xml && b.inPayloadType == "structure" {
				b.inRoot = ref.LocationName
				if b.inRoot == "" {
					b.inRoot = ref.Shape
				}
				b.inNamespace = namespaceURI(ref.XMLNamespace)
				if b.inNamespace == "" {
					b.inNamespace = namespaceURI(o.Input.XMLNamespace)
				}
			}
		} else if xml && hasBodyMembers(s) {
			b.inRoot = o.Input.LocationName
			if b.inRoot == "" {
				b.inRoot = o.Input.Shape
			}
			b.inNamespace = namespaceURI(o.Input.XMLNamespace)
		}
		if b.inRoot != "" && b.inNamespace == "" {
			b.inNamespace = g.m.Metadata.XMLNamespace
		}
	}
	if o.Output != nil {
		s := g.m.Shapes[o.Output.Shape]
		if s.Payload != "" {
			ref := s.Members[s.Payload]
			b.outPayload, b.outPayloadType = fieldName(s.Payload), payloadType(g.m.Shapes[ref.Shape])
			if xml && b.outPayloadType == "structure" {
				b.outRoot = ref.LocationName
				if b.outRoot == "" {
					b.outRoot = ref.Shape
				}
			}
		} else if xml && hasBodyMembers(s) {
			b.outRoot = o.Output.LocationName
			if b.outRoot == "" {
				b.outRoot = o.Output.Shape
			}
		}
	}
	return b
}

// payloadType is the rest.Payload* name of a payload member's target type.
func payloadType(s *Shape) string {
	switch s.Type {
	case "structure":
		return "structure"
	case "blob":
		return "blob"
	case "string":
		return "string"
	}
	return s.Type // rejected by genRESTTable
}

// hasBodyMembers reports whether any member of s is carried in the body.
func hasBodyMembers(s *Shape) bool {
	for _, r := range s.Members {
		if r.Location == "" {
			return true
		}
	}
	return false
}

// namespaceURI reads a model xmlNamespace: a string or {"uri": ..., "prefix": ...}.
func namespaceURI(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case map[string]any:
		s, _ := x["uri"].(string)
		return s
	}
	return ""
}

// genRESTTable writes the operation table of a REST service: Operation is
// rest.Operation, so the table feeds rest.NewRouter and the body codecs directly.
func (g *generator) genRESTTable(f *file, ops []string) error {
	f.use(restPkg)
	f.p("// Operation describes how one operation is called on the wire (method, URI")
	f.p("// template, success status, payload members and XML root elements).")
	f.p("type Operation = rest.Operation\n")
	f.p("// Operations is the static operation table, keyed by operation name.")
	f.p("var Operations = map[string]Operation{")
	for _, op := range ops {
		o := g.m.Operations[op]
		code := o.HTTP.ResponseCode
		if code == 0 {
			code = http.StatusOK
		}
		if o.HTTP.Method == "" || !strings.HasPrefix(o.HTTP.RequestURI, "/") {
			return fmt.Errorf("operation %s: REST operation without http method and requestUri", op)
		}
		b := g.restBinding(o)
		for _, t := range []string{b.inPayloadType, b.outPayloadType} {
			if t != "" && t != "structure" && t != "blob" && t != "string" {
				return fmt.Errorf("operation %s: payload of type %s is not supported", op, t)
			}
		}
		fields := []string{
			fmt.Sprintf("Name: %q", op),
			fmt.Sprintf("HTTPMethod: %q", o.HTTP.Method),
			fmt.Sprintf("RequestURI: %q", o.HTTP.RequestURI),
			fmt.Sprintf("ResponseCode: %d", code),
		}
		add := func(name, v string, typed bool) {
			if v == "" {
				return
			}
			if typed {
				fields = append(fields, fmt.Sprintf("%s: rest.Payload%s", name, exported(v)))
				return
			}
			fields = append(fields, fmt.Sprintf("%s: %q", name, v))
		}
		add("InputPayload", b.inPayload, false)
		add("InputPayloadType", b.inPayloadType, true)
		add("InputRoot", b.inRoot, false)
		add("InputNamespace", b.inNamespace, false)
		add("OutputPayload", b.outPayload, false)
		add("OutputPayloadType", b.outPayloadType, true)
		add("OutputRoot", b.outRoot, false)
		f.p("%q: {%s},", op, strings.Join(fields, ", "))
	}
	f.p("}\n")
	return g.genDispatch(f, ops)
}
