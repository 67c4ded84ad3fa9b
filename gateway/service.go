package gateway

import (
	"context"
	"strings"

	"github.com/cairnhq/cairn/awsproto"
)

// Operations describes a service's operations to the gateway.
type Operations struct {
	// NewInput returns a new zero input for op, or false for an unknown op.
	NewInput func(op string) (awsproto.Validator, bool)
	// Invoke calls the provider.
	Invoke func(ctx context.Context, op string, in any) (any, error)
	// MapValidation turns a model validation failure into the service's error.
	MapValidation func(op string, ve *awsproto.ValidationError) *awsproto.Error
	// RecordInput, when set, returns what the record shows as requestParameters for a
	// decoded input (e.g. keys without their values), from before validation on.
	RecordInput func(op string, in any) any
	// ReadOnly reports whether op only reads (default: a Get/List/Describe/Lookup prefix).
	ReadOnly func(op string) bool
}

// Meta is the identity of a service in records.
type Meta struct {
	SigningName string
	EventSource string
	APIVersion  string // record apiVersion; empty omits it
	// GlobalRegion, when set, is the region every event of this service is recorded
	// in whatever region the client signed for (global services).
	GlobalRegion string
	// DataEvents marks a data plane: every call, refused ones included, is a data
	// event (never in the Event history).
	DataEvents bool
	// XMLResponses marks XML protocols, whose responses omit empty lists: the
	// record's responseElements do too.
	XMLResponses bool
}

// JSONService is an awsJson1_1 service dispatched on X-Amz-Target.
type JSONService struct {
	Meta
	Operations
	TargetPrefix string
}

// QueryService is an AWS query-protocol service (form-encoded Action, XML out).
type QueryService struct {
	Meta
	Operations
	Version   string
	Namespace string
	// ResultWrapper returns the <OpResult> element name for op ("" for none).
	ResultWrapper func(op string) string
}

// DefaultReadOnly classifies operations by their verb.
func DefaultReadOnly(op string) bool {
	for _, p := range []string{"Get", "List", "Describe", "Lookup"} {
		if strings.HasPrefix(op, p) {
			return true
		}
	}
	return false
}

func (o Operations) readOnly(op string) bool {
	if o.ReadOnly != nil {
		return o.ReadOnly(op)
	}
	return DefaultReadOnly(op)
}
