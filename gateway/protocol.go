package gateway

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/cairnhq/cairn/awsproto"
	"github.com/cairnhq/cairn/awsproto/awsjson"
	"github.com/cairnhq/cairn/awsproto/query"
)

// protocol is one wire protocol bound to one service.
type protocol interface {
	name() string
	meta() Meta
	ops() Operations
	// operation names the operation from the request (may be unknown or empty).
	operation(r *http.Request, body []byte) string
	unknownOperation(op string) *awsproto.Error
	decode(r *http.Request, body []byte, in any) error
	writeResponse(w http.ResponseWriter, rc *awsproto.RequestContext, out any)
	writeError(w http.ResponseWriter, rc *awsproto.RequestContext, e *awsproto.Error)
}

// maxOperationName bounds an operation name taken from a request.
const maxOperationName = 128

// jsonProto is awsJson1_1.
type jsonProto struct {
	svc *JSONService
}

func (g *Gateway) routeJSON(r *http.Request) protocol {
	target := r.Header.Get("X-Amz-Target")
	for _, s := range g.JSON {
		if _, ok := awsjson.ParseTarget(target, s.TargetPrefix); ok {
			return jsonProto{svc: s}
		}
	}
	if len(g.JSON) > 0 {
		return jsonProto{svc: g.JSON[0]}
	}
	return jsonProto{}
}

func (p jsonProto) name() string { return "json" }
func (p jsonProto) meta() Meta {
	if p.svc == nil {
		return Meta{}
	}
	return p.svc.Meta
}
func (p jsonProto) ops() Operations { return p.svc.Operations }
func (p jsonProto) operation(r *http.Request, _ []byte) string {
	target := r.Header.Get("X-Amz-Target")
	if op, ok := awsjson.ParseTarget(target, p.svc.TargetPrefix); ok {
		return truncate(op, maxOperationName)
	}
	return truncate(target[strings.LastIndexByte(target, '.')+1:], maxOperationName)
}
func (p jsonProto) unknownOperation(op string) *awsproto.Error {
	return awsjson.UnknownOperation(op)
}
func (p jsonProto) decode(_ *http.Request, body []byte, in any) error {
	return awsjson.Decode(body, in)
}
func (p jsonProto) writeResponse(w http.ResponseWriter, rc *awsproto.RequestContext, out any) {
	awsjson.WriteResponse(w, rc.RequestID, out)
}
func (p jsonProto) writeError(w http.ResponseWriter, rc *awsproto.RequestContext, e *awsproto.Error) {
	writeJSONError(w, rc.RequestID, e)
}

func writeJSONError(w http.ResponseWriter, requestID string, e *awsproto.Error) {
	awsjson.WriteError(w, requestID, e)
}

// queryProto is the AWS query protocol.
type queryProto struct {
	svc  *QueryService
	form url.Values
}

func isQuery(r *http.Request) bool {
	ct := r.Header.Get("Content-Type")
	if r.Method == http.MethodPost && strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		return true
	}
	return r.URL.Query().Get("Action") != ""
}

func (g *Gateway) routeQuery(r *http.Request) protocol {
	_, _, service := g.Auth.Peek(r)
	if s, ok := g.Query[service]; ok {
		return &queryProto{svc: s}
	}
	return &queryProto{svc: g.Query[g.DefaultQuery]}
}

func (p *queryProto) name() string    { return "query" }
func (p *queryProto) meta() Meta      { return p.svc.Meta }
func (p *queryProto) ops() Operations { return p.svc.Operations }
func (p *queryProto) operation(r *http.Request, body []byte) string {
	form, err := url.ParseQuery(string(body))
	if err != nil || len(body) == 0 {
		form = url.Values{}
	}
	for k, v := range r.URL.Query() {
		if _, ok := form[k]; !ok {
			form[k] = v
		}
	}
	p.form = form
	return truncate(form.Get("Action"), maxOperationName)
}
func (p *queryProto) unknownOperation(op string) *awsproto.Error {
	if op == "" {
		return awsproto.NewError("MissingAction", http.StatusBadRequest, "Missing Action")
	}
	return awsproto.NewError("InvalidAction", http.StatusBadRequest, "Could not find operation %s for version %s", op, p.svc.Version)
}
func (p *queryProto) decode(_ *http.Request, _ []byte, in any) error {
	return query.Decode(p.form, in)
}
func (p *queryProto) writeResponse(w http.ResponseWriter, rc *awsproto.RequestContext, out any) {
	wrapper := ""
	if p.svc.ResultWrapper != nil {
		wrapper = p.svc.ResultWrapper(rc.Operation)
	}
	query.WriteResponse(w, rc.RequestID, rc.Operation, p.svc.Namespace, wrapper, out)
}
func (p *queryProto) writeError(w http.ResponseWriter, rc *awsproto.RequestContext, e *awsproto.Error) {
	query.WriteError(w, rc.RequestID, p.svc.Namespace, e)
}
