package main

import (
	"fmt"
	"strings"
	"unicode"
)

// exported turns a model name into an exported Go identifier, keeping the AWS
// spelling (TrailARN stays TrailARN, trailNameList becomes TrailNameList).
func exported(name string) string {
	var b strings.Builder
	for i, r := range name {
		switch {
		case i == 0 && unicode.IsLetter(r):
			b.WriteRune(unicode.ToUpper(r))
		case i == 0:
			b.WriteString("X")
			if unicode.IsDigit(r) {
				b.WriteRune(r)
			}
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_':
			b.WriteRune(r)
		default:
			b.WriteRune('_')
		}
	}
	return b.String()
}

// lowerFirst is AWS's path spelling of a member name in validation messages.
func lowerFirst(name string) string {
	if name == "" {
		return name
	}
	r := []rune(name)
	r[0] = unicode.ToLower(r[0])
	return string(r)
}

// enumConstName is the constant for one enum value: the type name followed by the
// value's alphanumeric runs, each capitalized ("us-east-1" -> "UsEast1").
func enumConstName(typeName, value string) string {
	var b strings.Builder
	b.WriteString(typeName)
	upper := true
	for _, r := range value {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			upper = true
			continue
		}
		if upper {
			r = unicode.ToUpper(r)
			upper = false
		}
		b.WriteRune(r)
	}
	if b.Len() == len(typeName) {
		b.WriteString("Empty")
	}
	return b.String()
}

// namespace records the package-level identifiers in use so that two model names
// never map to one Go name silently.
type namespace map[string]string

func (ns namespace) claim(ident, owner string) error {
	if prev, ok := ns[ident]; ok {
		return fmt.Errorf("identifier %s is wanted by both %s and %s", ident, prev, owner)
	}
	ns[ident] = owner
	return nil
}
