package rest

// Payload types: the model type of the member an operation binds to the whole body.
const (
	PayloadStructure = "structure"
	PayloadBlob      = "blob"
	PayloadString    = "string"
)

// Operation describes how one REST operation is called on the wire. The generator
// emits one per operation (api/<svc>.Operations is a map of them for REST services).
type Operation struct {
	Name string
	// HTTPMethod and RequestURI are the model's http trait. RequestURI is a template:
	// "/2020-05-31/distribution/{Id}/config", greedy labels "{Key+}", and literal
	// query parts after "?" ("?WithTags", "?Operation=Tag").
	HTTPMethod string
	RequestURI string
	// ResponseCode is the success status (200 unless the model says otherwise).
	ResponseCode int

	// InputPayload is the Go field of the input bound to the whole request body, ""
	// when the body carries the input's members that are not bound elsewhere.
	InputPayload string
	// InputPayloadType is the payload member's model type (PayloadStructure,
	// PayloadBlob, PayloadString), "" without a payload member.
	InputPayloadType string
	// InputRoot and InputNamespace are the root element and its xmlns of an XML
	// request body (rest-xml only): "DistributionConfig",
	// "http://cloudfront.amazonaws.com/doc/2020-05-31/".
	InputRoot      string
	InputNamespace string

	// OutputPayload and OutputPayloadType are the output's payload member, as for
	// the input.
	OutputPayload     string
	OutputPayloadType string
	// OutputRoot is the root element of an XML response body (rest-xml only).
	OutputRoot string
}
