package s3

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/cairnhq/cairn"
)

// CloudTrailPrincipal is the service principal that bucket policies must let
// deliver.
const CloudTrailPrincipal = "cloudtrail.amazonaws.com"

// CheckPolicy reports whether the bucket policy doc lets CloudTrail deliver the
// trail trailARN into bucket under keyPrefix ("[prefix/]AWSLogs/<account>/"), as
// AWS checks on CreateTrail and UpdateTrail. It returns nil or a
// *cairn.BucketPolicyError.
//
// Delivery needs two grants to the principal cloudtrail.amazonaws.com (or "*"):
// s3:GetBucketAcl on arn:aws:s3:::<bucket>, and s3:PutObject on every key below
// arn:aws:s3:::<bucket>/<keyPrefix>. Each needs an Allow statement whose Action,
// Resource and Principal cover it (wildcards * and ? in actions and resources;
// NotAction, NotResource and NotPrincipal are honoured) and no Deny statement
// that matches it, even for some keys only.
//
// Conditions are evaluated for the keys whose value on a CloudTrail delivery is
// known: aws:SourceArn (trailARN, when given), aws:SourceAccount (its account),
// aws:SecureTransport (true), aws:PrincipalServiceName and, for s3:PutObject,
// s3:x-amz-acl (bucket-owner-full-control). A condition on any other key, or
// with an operator not understood, is assumed to hold in an Allow statement and
// not to hold in a Deny statement: Cairn cannot know it, and a common statement
// such as "deny unless aws:SecureTransport" must not block delivery.
func CheckPolicy(doc []byte, bucket, keyPrefix, trailARN string) error {
	var p policy
	if err := json.Unmarshal(doc, &p); err != nil {
		return &cairn.BucketPolicyError{Bucket: bucket, Reason: "policy cannot be parsed: " + err.Error()}
	}
	env := map[string]string{
		"aws:securetransport":      "true",
		"aws:principalservicename": CloudTrailPrincipal,
	}
	if trailARN != "" {
		env["aws:sourcearn"] = trailARN
		if f := strings.SplitN(trailARN, ":", 6); len(f) == 6 && f[4] != "" {
			env["aws:sourceaccount"] = f[4]
		}
	}
	putEnv := map[string]string{"s3:x-amz-acl": "bucket-owner-full-control"}
	for k, v := range env {
		putEnv[k] = v
	}
	checks := []struct {
		action, resource string
		prefix           bool
		env              map[string]string
	}{
		{"s3:GetBucketAcl", "arn:aws:s3:::" + bucket, false, env},
		{"s3:PutObject", "arn:aws:s3:::" + bucket + "/" + keyPrefix, true, putEnv},
	}
	for _, c := range checks {
		target := c.resource
		if c.prefix {
			target += "*"
		}
		allowed := false
		for i, st := range p.Statement {
			if !st.principalMatches() || !st.actionMatches(c.action) {
				continue
			}
			switch strings.ToLower(st.Effect) {
			case "deny":
				if st.resourceMatchesSome(c.resource, c.prefix) && st.condition(c.env) == condTrue {
					return &cairn.BucketPolicyError{Bucket: bucket, Reason: fmt.Sprintf(
						"statement %s denies %s %s on %s", st.name(i), CloudTrailPrincipal, c.action, target)}
				}
			case "allow":
				if st.resourceMatchesAll(c.resource, c.prefix) && st.condition(c.env) != condFalse {
					allowed = true
				}
			}
		}
		if !allowed {
			return &cairn.BucketPolicyError{Bucket: bucket, Reason: fmt.Sprintf(
				"no statement allows %s %s on %s", CloudTrailPrincipal, c.action, target)}
		}
	}
	return nil
}

type policy struct {
	Statement statements
}

type statement struct {
	Sid          string
	Effect       string
	Principal    *principal
	NotPrincipal *principal
	Action       strList
	NotAction    strList
	Resource     strList
	NotResource  strList
	Condition    map[string]map[string]strList
}

func (st *statement) name(i int) string {
	if st.Sid != "" {
		return fmt.Sprintf("%q", st.Sid)
	}
	return fmt.Sprintf("#%d", i+1)
}

// statements is a policy's Statement: one object or an array of them.
type statements []statement

func (s *statements) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '{' {
		var st statement
		if err := json.Unmarshal(b, &st); err != nil {
			return err
		}
		*s = statements{st}
		return nil
	}
	var l []statement
	if err := json.Unmarshal(b, &l); err != nil {
		return err
	}
	*s = l
	return nil
}

// strList is a JSON string or array of strings (booleans and numbers, as found
// in condition values, are kept in their JSON text).
type strList []string

func (l *strList) UnmarshalJSON(b []byte) error {
	var raw any
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	one := func(v any) (string, error) {
		switch v := v.(type) {
		case string:
			return v, nil
		case bool, float64:
			return fmt.Sprint(v), nil
		}
		return "", fmt.Errorf("want a string, got %s", b)
	}
	switch v := raw.(type) {
	case []any:
		out := make(strList, 0, len(v))
		for _, e := range v {
			s, err := one(e)
			if err != nil {
				return err
			}
			out = append(out, s)
		}
		*l = out
	case nil:
		*l = nil
	default:
		s, err := one(v)
		if err != nil {
			return err
		}
		*l = strList{s}
	}
	return nil
}

// principal is "*" or a map such as {"Service": [...], "AWS": "*"}.
type principal struct {
	any bool
	m   map[string]strList
}

func (p *principal) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		if s != "*" {
			return fmt.Errorf("principal %q: want \"*\" or an object", s)
		}
		p.any = true
		return nil
	}
	return json.Unmarshal(b, &p.m)
}

// names reports whether the principal names CloudTrail.
func (p *principal) names() bool {
	if p.any {
		return true
	}
	for k, vs := range p.m {
		for _, v := range vs {
			switch {
			case strings.EqualFold(k, "Service") && (v == CloudTrailPrincipal || v == "*"):
				return true
			case strings.EqualFold(k, "AWS") && v == "*":
				return true
			}
		}
	}
	return false
}

func (st *statement) principalMatches() bool {
	switch {
	case st.Principal != nil:
		return st.Principal.names()
	case st.NotPrincipal != nil:
		return !st.NotPrincipal.names()
	}
	return false
}

func (st *statement) actionMatches(action string) bool {
	a := strings.ToLower(action)
	match := func(l strList) bool {
		for _, p := range l {
			if globMatch(strings.ToLower(p), a, false) {
				return true
			}
		}
		return false
	}
	if st.NotAction != nil {
		return !match(st.NotAction)
	}
	return match(st.Action)
}

// resourceMatchesAll reports whether the statement applies to resource (to
// every resource starting with it when prefix is set).
func (st *statement) resourceMatchesAll(resource string, prefix bool) bool {
	if st.NotResource != nil {
		for _, p := range st.NotResource {
			if matchesSome(p, resource, prefix) {
				return false
			}
		}
		return true
	}
	for _, p := range st.Resource {
		if globMatch(p, resource, prefix) {
			return true
		}
	}
	return false
}

// resourceMatchesSome reports whether the statement applies to resource (to at
// least one resource starting with it when prefix is set).
func (st *statement) resourceMatchesSome(resource string, prefix bool) bool {
	if st.NotResource != nil {
		for _, p := range st.NotResource {
			if globMatch(p, resource, prefix) {
				return false
			}
		}
		return true
	}
	for _, p := range st.Resource {
		if matchesSome(p, resource, prefix) {
			return true
		}
	}
	return false
}

// matchesSome reports whether pattern matches resource or, with prefix, some
// string starting with resource.
func matchesSome(pattern, resource string, prefix bool) bool {
	if prefix {
		return globOverlapsPrefix(pattern, resource)
	}
	return globMatch(pattern, resource, false)
}

// globMatch reports whether pattern (with * and ?) matches s; with anyTail,
// whether it matches s followed by any string at all.
func globMatch(pattern, s string, anyTail bool) bool {
	states := globRun(pattern, s)
	for j := range states {
		if !states[j] {
			continue
		}
		rest := pattern[j:]
		if rest == "" && !anyTail {
			return true
		}
		if anyTail && strings.Trim(rest, "*") == "" && rest != "" {
			return true
		}
	}
	return false
}

// globOverlapsPrefix reports whether pattern matches some string starting with s.
func globOverlapsPrefix(pattern, s string) bool {
	for _, ok := range globRun(pattern, s) {
		if ok {
			return true
		}
	}
	return false
}

// globRun runs pattern as an automaton over s and returns, for each position j
// in pattern, whether pattern[:j] can match all of s (with * expanded at j).
func globRun(pattern, s string) []bool {
	cur := make([]bool, len(pattern)+1)
	closure := func(st []bool) {
		for j := 0; j < len(pattern); j++ {
			if st[j] && pattern[j] == '*' {
				st[j+1] = true
			}
		}
	}
	cur[0] = true
	closure(cur)
	for i := 0; i < len(s); i++ {
		next := make([]bool, len(pattern)+1)
		alive := false
		for j := 0; j < len(pattern); j++ {
			if !cur[j] {
				continue
			}
			switch pattern[j] {
			case '*':
				next[j] = true
			case '?':
				next[j+1] = true
			default:
				if pattern[j] == s[i] {
					next[j+1] = true
				}
			}
			alive = alive || next[j] || next[j+1]
		}
		if !alive {
			return next
		}
		closure(next)
		cur = next
	}
	return cur
}

// condResult is a condition's outcome when some inputs may be unknown.
type condResult int

const (
	condTrue condResult = iota
	condFalse
	condUnknown
)

// condition evaluates the statement's Condition block (all operators and keys
// must hold) against the known context values env (lowercase keys).
func (st *statement) condition(env map[string]string) condResult {
	res := condTrue
	for op, kv := range st.Condition {
		for key, vals := range kv {
			switch evalCondition(op, strings.ToLower(key), vals, env) {
			case condFalse:
				return condFalse
			case condUnknown:
				res = condUnknown
			}
		}
	}
	return res
}

func evalCondition(op, key string, vals strList, env map[string]string) condResult {
	v, ok := env[key]
	if !ok {
		// Keys Cairn knows to be absent on a delivery request.
		if key != "s3:x-amz-acl" {
			return condUnknown
		}
	}
	name := op
	if i := strings.IndexByte(name, ':'); i >= 0 { // ForAnyValue:, ForAllValues:
		name = name[i+1:]
	}
	ifExists := strings.HasSuffix(name, "IfExists")
	name = strings.TrimSuffix(name, "IfExists")
	if name == "Null" {
		if len(vals) != 1 {
			return condUnknown
		}
		return boolResult(strings.EqualFold(vals[0], "true") != ok)
	}
	if !ok {
		if ifExists {
			return condTrue
		}
		return boolResult(strings.Contains(name, "Not"))
	}
	anyOf := func(f func(p string) bool) bool {
		for _, p := range vals {
			if f(p) {
				return true
			}
		}
		return false
	}
	switch name {
	case "StringEquals", "ArnEquals":
		return boolResult(anyOf(func(p string) bool { return p == v }))
	case "StringNotEquals", "ArnNotEquals":
		return boolResult(!anyOf(func(p string) bool { return p == v }))
	case "StringEqualsIgnoreCase":
		return boolResult(anyOf(func(p string) bool { return strings.EqualFold(p, v) }))
	case "StringNotEqualsIgnoreCase":
		return boolResult(!anyOf(func(p string) bool { return strings.EqualFold(p, v) }))
	case "StringLike", "ArnLike":
		return boolResult(anyOf(func(p string) bool { return globMatch(p, v, false) }))
	case "StringNotLike", "ArnNotLike":
		return boolResult(!anyOf(func(p string) bool { return globMatch(p, v, false) }))
	case "Bool":
		return boolResult(anyOf(func(p string) bool { return strings.EqualFold(p, v) }))
	}
	return condUnknown
}

func boolResult(b bool) condResult {
	if b {
		return condTrue
	}
	return condFalse
}
