package awsproto

import (
	"fmt"
	"strings"
)

// Violation is one failed model constraint of a request.
type Violation struct {
	// Path is the member path as AWS prints it, lowerCamel (e.g. "maxResults",
	// "lookupAttributes.1.member.attributeKey").
	Path string
	// Member is the model member name of the failing field (e.g. "MaxResults").
	Member string
	// Constraint is the failed constraint: "required", "min", "max", "pattern", "enum".
	Constraint string
	Value      string
	Message    string
}

// ValidationError lists every failed constraint of a request, as generated
// Validate methods return it. Services map it to their own error codes.
type ValidationError struct {
	Violations []Violation
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	n := len(e.Violations)
	if n == 1 {
		b.WriteString("1 validation error detected: ")
	} else {
		fmt.Fprintf(&b, "%d validation errors detected: ", n)
	}
	for i, v := range e.Violations {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(v.Message)
	}
	return b.String()
}

// Validator is implemented by every generated request shape.
type Validator interface {
	Validate() error
}
