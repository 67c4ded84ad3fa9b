package rest

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// Router finds the operation of a REST request from its method, its path and the
// literal query parts of the operations' URI templates. It is immutable once built
// and safe for concurrent use.
type Router struct {
	routes map[string][]*route // by HTTP method, most specific first
}

// Match is the outcome of routing one request.
type Match struct {
	Operation Operation
	// Labels holds the URI label values by label name, URL-unescaped; a greedy
	// label's value keeps its "/" separators.
	Labels map[string]string
}

type segKind int

// Segment kinds, in order of specificity: a literal beats a label beats a greedy
// label at the same position.
const (
	segLiteral segKind = iota
	segLabel
	segGreedy
)

type segment struct {
	kind  segKind
	value string // the literal (unescaped), or the label name
}

type queryLiteral struct {
	key, value string
	hasValue   bool // "?Operation=Tag" must match the value; "?WithTags" only the key
}

type route struct {
	op    Operation
	segs  []segment
	query []queryLiteral
}

// NewRouter builds a router from an operation table. It fails on a template it
// cannot parse or on two operations with the same method and template.
func NewRouter(ops map[string]Operation) (*Router, error) {
	r := &Router{routes: map[string][]*route{}}
	names := make([]string, 0, len(ops))
	for n := range ops {
		names = append(names, n)
	}
	sort.Strings(names)
	seen := map[string]string{}
	for _, n := range names {
		op := ops[n]
		if op.Name == "" {
			op.Name = n
		}
		rt, err := parseTemplate(op.RequestURI)
		if err != nil {
			return nil, fmt.Errorf("rest: operation %s: %w", n, err)
		}
		rt.op = op
		method := strings.ToUpper(op.HTTPMethod)
		key := method + " " + rt.canonical()
		if prev, ok := seen[key]; ok {
			return nil, fmt.Errorf("rest: operations %s and %s have the same route %s", prev, n, key)
		}
		seen[key] = n
		r.routes[method] = append(r.routes[method], rt)
	}
	for _, rs := range r.routes {
		sort.SliceStable(rs, func(i, j int) bool { return moreSpecific(rs[i], rs[j]) })
	}
	return r, nil
}

// MustNewRouter is NewRouter for tables known to be valid (generated ones); it
// panics on error.
func MustNewRouter(ops map[string]Operation) *Router {
	r, err := NewRouter(ops)
	if err != nil {
		panic(err)
	}
	return r
}

// parseTemplate parses "/a/{B}/c/{D+}?x&y=z".
func parseTemplate(tmpl string) (*route, error) {
	path, rawQuery, _ := strings.Cut(tmpl, "?")
	if !strings.HasPrefix(path, "/") {
		return nil, fmt.Errorf("template %q does not start with /", tmpl)
	}
	rt := &route{}
	if path != "/" {
		parts := strings.Split(path[1:], "/")
		for i, p := range parts {
			switch {
			case strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}"):
				name := p[1 : len(p)-1]
				kind := segLabel
				if strings.HasSuffix(name, "+") {
					name, kind = strings.TrimSuffix(name, "+"), segGreedy
					if i != len(parts)-1 {
						return nil, fmt.Errorf("template %q: greedy label {%s+} must be the last segment", tmpl, name)
					}
				}
				if name == "" || strings.ContainsAny(name, "{}+") {
					return nil, fmt.Errorf("template %q: bad label %q", tmpl, p)
				}
				rt.segs = append(rt.segs, segment{kind: kind, value: name})
			case strings.ContainsAny(p, "{}"):
				return nil, fmt.Errorf("template %q: labels must fill a whole segment", tmpl)
			default:
				lit, err := url.PathUnescape(p)
				if err != nil {
					return nil, fmt.Errorf("template %q: %w", tmpl, err)
				}
				rt.segs = append(rt.segs, segment{kind: segLiteral, value: lit})
			}
		}
	}
	if rawQuery != "" {
		for _, part := range strings.Split(rawQuery, "&") {
			if part == "" {
				continue
			}
			k, v, hasValue := strings.Cut(part, "=")
			rt.query = append(rt.query, queryLiteral{key: k, value: v, hasValue: hasValue})
		}
	}
	return rt, nil
}

// canonical is the route with label names erased, to detect duplicates.
func (rt *route) canonical() string {
	var b strings.Builder
	for _, s := range rt.segs {
		b.WriteByte('/')
		switch s.kind {
		case segLiteral:
			b.WriteString(url.PathEscape(s.value))
		case segLabel:
			b.WriteString("{}")
		case segGreedy:
			b.WriteString("{+}")
		}
	}
	q := make([]string, 0, len(rt.query))
	for _, l := range rt.query {
		if l.hasValue {
			q = append(q, l.key+"="+l.value)
		} else {
			q = append(q, l.key)
		}
	}
	sort.Strings(q)
	return b.String() + "?" + strings.Join(q, "&")
}

// moreSpecific orders routes: position by position a literal beats a label beats
// a greedy label; then the longer path; then more literal query parts.
func moreSpecific(a, b *route) bool {
	for i := 0; i < len(a.segs) && i < len(b.segs); i++ {
		if a.segs[i].kind != b.segs[i].kind {
			return a.segs[i].kind < b.segs[i].kind
		}
	}
	if len(a.segs) != len(b.segs) {
		return len(a.segs) > len(b.segs)
	}
	return len(a.query) > len(b.query)
}

// Route finds the operation of r: its method, its escaped path (r.URL.EscapedPath,
// so that an encoded "/" inside a label stays inside it) and its query. ok is
// false when no operation matches. Route never panics.
func (rt *Router) Route(r *http.Request) (Match, bool) {
	if r == nil || r.URL == nil {
		return Match{}, false
	}
	return rt.Match(r.Method, r.URL.EscapedPath(), r.URL.Query())
}

// Match is Route on the parts of a request: escapedPath is the path as sent, with
// percent-encodings intact.
func (rt *Router) Match(method, escapedPath string, query url.Values) (Match, bool) {
	if rt == nil || !strings.HasPrefix(escapedPath, "/") {
		return Match{}, false
	}
	var parts []string
	if escapedPath != "/" {
		parts = strings.Split(escapedPath[1:], "/")
	}
	for _, r := range rt.routes[strings.ToUpper(method)] {
		if labels, ok := r.match(parts, query); ok {
			return Match{Operation: r.op, Labels: labels}, true
		}
	}
	return Match{}, false
}

func (r *route) match(parts []string, query url.Values) (map[string]string, bool) {
	for _, l := range r.query {
		vs, ok := query[l.key]
		if !ok {
			return nil, false
		}
		if l.hasValue && (len(vs) == 0 || vs[0] != l.value) {
			return nil, false
		}
	}
	var labels map[string]string
	set := func(name, v string) {
		if labels == nil {
			labels = map[string]string{}
		}
		labels[name] = v
	}
	for i, s := range r.segs {
		if i >= len(parts) {
			return nil, false
		}
		switch s.kind {
		case segLiteral:
			v, err := url.PathUnescape(parts[i])
			if err != nil || v != s.value {
				return nil, false
			}
		case segLabel:
			v, err := url.PathUnescape(parts[i])
			if err != nil || v == "" {
				return nil, false
			}
			set(s.value, v)
		case segGreedy:
			rest := parts[i:]
			vals := make([]string, len(rest))
			for j, p := range rest {
				v, err := url.PathUnescape(p)
				if err != nil {
					return nil, false
				}
				vals[j] = v
			}
			v := strings.Join(vals, "/")
			if v == "" {
				return nil, false
			}
			set(s.value, v)
			return labels, true
		}
	}
	if len(parts) != len(r.segs) {
		return nil, false
	}
	return labels, true
}
