package gateway

import (
	"encoding/json"
	"net/http"

	"github.com/cairnhq/cairn/awsproto"
	"github.com/cairnhq/cairn/awsproto/awsjson"
)

// AdminService is Cairn's operator API under /_cairn/admin/<Action>: JSON in, JSON
// out, SigV4-signed like every other call, and recorded like every other call.
type AdminService struct {
	Meta
	Operations
}

type adminProto struct {
	svc    *AdminService
	action string
}

func (p *adminProto) name() string    { return "json" }
func (p *adminProto) meta() Meta      { return p.svc.Meta }
func (p *adminProto) ops() Operations { return p.svc.Operations }
func (p *adminProto) operation(*http.Request, []byte) string {
	return truncate(p.action, maxOperationName)
}
func (p *adminProto) unknownOperation(op string) *awsproto.Error {
	return awsproto.NewError("InvalidAction", http.StatusBadRequest, "Unknown admin action %q", op)
}
func (p *adminProto) decode(_ *http.Request, body []byte, in any) error {
	if len(body) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, in); err != nil {
		return awsproto.NewError("SerializationException", http.StatusBadRequest, "The request body is not valid JSON for %s.", p.action)
	}
	return nil
}
func (p *adminProto) writeResponse(w http.ResponseWriter, rc *awsproto.RequestContext, out any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-amzn-RequestId", rc.RequestID)
	b, err := json.Marshal(out)
	if err != nil {
		awsjson.WriteError(w, rc.RequestID, awsproto.InternalFailure())
		return
	}
	w.Write(append(b, '\n'))
}
func (p *adminProto) writeError(w http.ResponseWriter, rc *awsproto.RequestContext, e *awsproto.Error) {
	awsjson.WriteError(w, rc.RequestID, e)
}
