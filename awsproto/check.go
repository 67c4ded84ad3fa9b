package awsproto

import (
	"fmt"
	"strconv"
)

// Redacted replaces the value of a sensitive member in validation messages.
const Redacted = "*** Sensitive Data Redacted ***"

// Checker collects the constraint violations of one request; generated Validate
// methods embed it.
type Checker struct{ violations []Violation }

// Null records a missing required member.
func (c *Checker) Null(path, member string) {
	c.violations = append(c.violations, Violation{
		Path: path, Member: member, Constraint: "required",
		Message: "Value null at '" + path + "' failed to satisfy constraint: Member must not be null",
	})
}

// Fail records a present member that breaks rule.
func (c *Checker) Fail(path, member, constraint, value, rule string) {
	c.violations = append(c.violations, Violation{
		Path: path, Member: member, Constraint: constraint, Value: value,
		Message: "Value '" + value + "' at '" + path + "' failed to satisfy constraint: " + rule,
	})
}

// Err is nil without violations, else a *ValidationError listing them.
func (c *Checker) Err() error {
	if len(c.violations) == 0 {
		return nil
	}
	return &ValidationError{Violations: c.violations}
}

// JoinPath appends a member to a path, AWS style ("a.b").
func JoinPath(path, member string) string {
	if path == "" {
		return member
	}
	return path + "." + member
}

// ElemPath is the path of the i-th (0-based) list element, AWS style ("a.1.member").
func ElemPath(path string, i int) string {
	return path + "." + strconv.Itoa(i+1) + ".member"
}

// ListString prints a list of scalars the way AWS messages do ("[a, b]").
func ListString[T ~string | ~int32 | ~int64 | ~float64 | ~bool](x []T) string {
	b := []byte{'['}
	for i, e := range x {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = fmt.Append(b, e)
	}
	return string(append(b, ']'))
}
