package awsproto

import (
	"context"
	"time"

	"github.com/cairnhq/cairn"
)

// RequestContext is everything known about one API request. The gateway fills it as
// the request passes through the pipeline, providers add to it, and capture turns it
// into the CloudTrail record.
type RequestContext struct {
	RequestID string
	Start     time.Time

	// Service is the signing name (cloudtrail, sts, ...); EventSource the record's
	// eventSource; APIVersion the record's apiVersion (empty: omitted).
	Service     string
	EventSource string
	APIVersion  string
	Operation   string
	Region      string

	Principal *cairn.Principal
	// Unauthenticated is set when the signature did not verify; Principal then holds
	// only what the request claimed, for the record.
	Unauthenticated bool
	SourceIP        string
	UserAgent       string
	TLS             *cairn.TLSDetails

	Input  any
	Output any
	Err    error

	// ReadOnly, Category and Management describe the event; providers may override.
	ReadOnly   bool
	Category   string
	Management bool
	// LookupResources are the resources LookupEvents shows for the event.
	LookupResources []cairn.LookupResource
	// RecordResources go into the record's resources field (data events).
	RecordResources []cairn.Resource
	// RequestParameters and ResponseElements, when set, replace the decoded input and
	// the output in the record (e.g. to leave secret values out entirely).
	RequestParameters any
	ResponseElements  any
	// XMLResponses is set for XML protocols: the record's responseElements mirror the
	// wire, where empty lists are absent.
	XMLResponses bool
	// Recorded is set once the call's event is durable.
	Recorded bool
	// NoRecord is set for requests that are not AWS API calls (health, metrics).
	NoRecord bool
}

type ctxKey struct{}

// WithRequestContext returns ctx carrying rc.
func WithRequestContext(ctx context.Context, rc *RequestContext) context.Context {
	return context.WithValue(ctx, ctxKey{}, rc)
}

// FromContext returns the request context carried by ctx, or nil.
func FromContext(ctx context.Context) *RequestContext {
	rc, _ := ctx.Value(ctxKey{}).(*RequestContext)
	return rc
}
