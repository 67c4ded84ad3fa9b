package awsproto

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is an error returned to a client: an AWS error code, its message and its HTTP
// status. Only a codec decides how it is framed on the wire.
type Error struct {
	Code    string
	Message string
	Status  int
	// Receiver is true for server faults (5xx); false means the sender's fault.
	Receiver bool
}

// NewError returns an Error with a formatted message.
func NewError(code string, status int, format string, args ...any) *Error {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	return &Error{Code: code, Message: msg, Status: status, Receiver: status >= 500}
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Fault is "Sender" or "Receiver" as query and rest-xml error bodies spell it.
func (e *Error) Fault() string {
	if e.Receiver {
		return "Receiver"
	}
	return "Sender"
}

// AsError returns the *Error in err's chain, or InternalFailure for anything else.
// The text of an unknown error never reaches the client.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return InternalFailure()
}

// Errors common to every AWS service.
func InternalFailure() *Error {
	return NewError("InternalFailure", http.StatusInternalServerError, "The request processing has failed because of an unknown error, exception or failure.")
}

// ErrNotImplemented is wrapped by errors of operations a provider does not implement yet.
var ErrNotImplemented = errors.New("operation not implemented")
