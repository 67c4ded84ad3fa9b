package gateway

import (
	"net/http"
	"strings"

	"github.com/cairnhq/cairn/awsproto"
	"github.com/cairnhq/cairn/awsproto/rest"
	"github.com/cairnhq/cairn/awsproto/restjson"
	"github.com/cairnhq/cairn/awsproto/restxml"
)

// Protocol names of the REST services, as RESTService.Protocol and
// Authenticator.AuthError take them.
const (
	ProtocolRESTXML  = "restxml"
	ProtocolRESTJSON = "restjson"
)

// RESTService is a REST-protocol service: requests whose path starts with
// PathPrefix go to it, and its Router picks the operation from the method, the
// path and literal query parts. Any Host is accepted (the KeyValueStore SDK sends
// <account>.cloudfront-kvs.global.api.aws).
type RESTService struct {
	Meta
	Operations
	// PathPrefix selects the service ("/2020-05-31/" for CloudFront,
	// "/key-value-stores/" for the KeyValueStore data plane).
	PathPrefix string
	// Router is rest.NewRouter of the service's generated operation table.
	Router *rest.Router
	// Protocol is ProtocolRESTXML or ProtocolRESTJSON.
	Protocol string
	// XMLNamespace is the xmlns of rest-xml responses and errors.
	XMLNamespace string
}

// restService returns the REST service whose prefix r's path starts with, or nil.
func (g *Gateway) restService(r *http.Request) *RESTService {
	for _, s := range g.REST {
		if s != nil && s.PathPrefix != "" && strings.HasPrefix(r.URL.Path, s.PathPrefix) {
			return s
		}
	}
	return nil
}

func (g *Gateway) routeREST(r *http.Request) protocol {
	return &restProto{svc: g.restService(r)}
}

// restProto serves one request of a RESTService; it keeps the route it found.
type restProto struct {
	svc   *RESTService
	match rest.Match
	// method and path of the request, for the unknown-operation error.
	method, path string
}

func (p *restProto) xml() bool { return p.svc.Protocol != ProtocolRESTJSON }

func (p *restProto) name() string {
	if p.xml() {
		return ProtocolRESTXML
	}
	return ProtocolRESTJSON
}
func (p *restProto) meta() Meta      { return p.svc.Meta }
func (p *restProto) ops() Operations { return p.svc.Operations }
func (p *restProto) operation(r *http.Request, _ []byte) string {
	p.method, p.path = r.Method, r.URL.Path
	m, ok := p.svc.Router.Route(r)
	if !ok {
		return ""
	}
	p.match = m
	return truncate(m.Operation.Name, maxOperationName)
}
func (p *restProto) unknownOperation(string) *awsproto.Error {
	if p.xml() {
		return restxml.UnknownOperation(p.method, p.path)
	}
	return restjson.UnknownOperation(p.method, p.path)
}
func (p *restProto) decode(r *http.Request, body []byte, in any) error {
	if p.xml() {
		return restxml.Decode(r, body, p.match.Operation, p.match.Labels, in)
	}
	return restjson.Decode(r, body, p.match.Operation, p.match.Labels, in)
}
func (p *restProto) writeResponse(w http.ResponseWriter, rc *awsproto.RequestContext, out any) {
	if p.xml() {
		restxml.WriteResponse(w, rc.RequestID, p.match.Operation, p.svc.XMLNamespace, out)
		return
	}
	restjson.WriteResponse(w, rc.RequestID, p.match.Operation, out)
}
func (p *restProto) writeError(w http.ResponseWriter, rc *awsproto.RequestContext, e *awsproto.Error) {
	if p.xml() {
		restxml.WriteError(w, rc.RequestID, p.svc.XMLNamespace, e)
		return
	}
	restjson.WriteError(w, rc.RequestID, e)
}
