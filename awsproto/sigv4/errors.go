package sigv4

import (
	"errors"
	"net/http"
	"strings"

	"github.com/cairnhq/cairn/awsproto"
)

// Kind classifies a verification failure. The gateway reports each kind with the
// code its wire protocol uses (see Error.For).
type Kind uint8

const (
	// KindMissingAuthenticationToken: neither an Authorization header nor presign
	// query parameters.
	KindMissingAuthenticationToken Kind = iota + 1
	// KindIncompleteSignature: the Authorization header or the presign parameters
	// are malformed or incomplete.
	KindIncompleteSignature
	// KindUnsupported: a well-formed request using something this server does not
	// verify yet (streaming chunk signatures).
	KindUnsupported
	// KindUnrecognizedClient: the access key is unknown or inactive.
	KindUnrecognizedClient
	// KindSignatureDoesNotMatch: the signature, the credential scope or the
	// signed-header list is wrong.
	KindSignatureDoesNotMatch
	// KindSignatureExpired: the request time is more than MaxSkew away from now.
	KindSignatureExpired
	// KindRequestExpired: a presigned request is past X-Amz-Expires.
	KindRequestExpired
	// KindContentSHA256Mismatch: x-amz-content-sha256 is not the SHA-256 of the body.
	KindContentSHA256Mismatch
	// KindInternal: the credential store failed; the cause is in Err.
	KindInternal
)

var kindNames = [...]string{
	KindMissingAuthenticationToken: "MissingAuthenticationToken",
	KindIncompleteSignature:        "IncompleteSignature",
	KindUnsupported:                "Unsupported",
	KindUnrecognizedClient:         "UnrecognizedClient",
	KindSignatureDoesNotMatch:      "SignatureDoesNotMatch",
	KindSignatureExpired:           "SignatureExpired",
	KindRequestExpired:             "RequestExpired",
	KindContentSHA256Mismatch:      "ContentSHA256Mismatch",
	KindInternal:                   "Internal",
}

func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return "Unknown"
}

// Wire protocol families accepted by Error.For. The Smithy protocol names
// (awsJson1_0, awsJson1_1, restJson1, awsQuery, ec2Query, restXml) work too.
const (
	ProtocolJSON  = "json"
	ProtocolQuery = "query"
)

// Messages AWS uses, verbatim.
const (
	msgMissingToken      = "Missing Authentication Token"
	msgInvalidToken      = "The security token included in the request is invalid."
	msgSignatureMismatch = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	msgContentSHA256     = "The provided 'x-amz-content-sha256' header does not match what was computed."
	msgRequestExpired    = "Request has expired."
)

// Error is a verification failure. Message is safe to send to the client: it
// never contains a secret, a computed signature or a canonical request.
type Error struct {
	Kind    Kind
	Message string
	// Err is the underlying cause for KindInternal (a credential store error), or
	// extra detail for logs (for example that a key exists but is inactive); it is
	// never shown to the client.
	Err error
}

func newError(k Kind, msg string) *Error { return &Error{Kind: k, Message: msg} }

func (e *Error) Error() string {
	s := "sigv4: " + e.Kind.String() + ": " + e.Message
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// As lets errors.As (and so awsproto.AsError) see an *Error as the
// *awsproto.Error a JSON protocol reports; call For to choose another protocol.
func (e *Error) As(target any) bool {
	if t, ok := target.(**awsproto.Error); ok {
		*t = e.For(ProtocolJSON)
		return true
	}
	return false
}

// isJSON reports whether protocol is one of the JSON protocols.
func isJSON(protocol string) bool {
	p := strings.ToLower(protocol)
	return strings.HasPrefix(p, "json") || strings.HasPrefix(p, "awsjson") || strings.HasPrefix(p, "restjson")
}

// For returns the error as the given protocol reports it: JSON protocols
// (ProtocolJSON, awsJson1_0, awsJson1_1, restJson1) use the *Exception codes,
// everything else (ProtocolQuery, awsQuery, ec2Query, restXml) the query codes.
func (e *Error) For(protocol string) *awsproto.Error {
	json := isJSON(protocol)
	pick := func(jsonCode string, jsonStatus int, queryCode string, queryStatus int) *awsproto.Error {
		if json {
			return &awsproto.Error{Code: jsonCode, Message: e.Message, Status: jsonStatus}
		}
		return &awsproto.Error{Code: queryCode, Message: e.Message, Status: queryStatus}
	}
	switch e.Kind {
	case KindMissingAuthenticationToken:
		return pick("MissingAuthenticationTokenException", http.StatusBadRequest, "MissingAuthenticationToken", http.StatusForbidden)
	case KindIncompleteSignature, KindUnsupported:
		return pick("IncompleteSignatureException", http.StatusBadRequest, "IncompleteSignature", http.StatusBadRequest)
	case KindUnrecognizedClient:
		return pick("UnrecognizedClientException", http.StatusBadRequest, "InvalidClientTokenId", http.StatusForbidden)
	case KindSignatureDoesNotMatch, KindSignatureExpired:
		return pick("InvalidSignatureException", http.StatusBadRequest, "SignatureDoesNotMatch", http.StatusForbidden)
	case KindRequestExpired:
		return pick("RequestExpired", http.StatusBadRequest, "RequestExpired", http.StatusBadRequest)
	case KindContentSHA256Mismatch:
		return pick("XAmzContentSHA256Mismatch", http.StatusBadRequest, "XAmzContentSHA256Mismatch", http.StatusBadRequest)
	default:
		return awsproto.InternalFailure()
	}
}

// KindOf returns the Kind of the *Error in err's chain, or 0.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return 0
}
