package sigv4

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// queryParam is one decoded query-string pair.
type queryParam struct{ key, value string }

type query []queryParam

var errTooManyParams = errors.New("too many query parameters")

// parseQuery decodes a raw query string. It follows the decoding of
// url.URL.Query, which the Go SDK signs from ('+' is a space, a pair with a bad
// escape is dropped), except that ';' is an ordinary character.
func parseQuery(raw string) (query, error) {
	if raw == "" {
		return nil, nil
	}
	if strings.Count(raw, "&") >= MaxQueryParams {
		return nil, errTooManyParams
	}
	q := make(query, 0, strings.Count(raw, "&")+1)
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		k, err := url.QueryUnescape(k)
		if err != nil {
			continue
		}
		v, err = url.QueryUnescape(v)
		if err != nil {
			continue
		}
		q = append(q, queryParam{k, v})
	}
	return q, nil
}

// get returns the first value of key and how many times it occurs.
func (q query) get(key string) (string, int) {
	var v string
	n := 0
	for _, p := range q {
		if p.key == key {
			if n == 0 {
				v = p.value
			}
			n++
		}
	}
	return v, n
}

func (q query) has(key string) bool {
	_, n := q.get(key)
	return n > 0
}

// appendCanonicalQuery appends the canonical query string: every name and value
// URI-encoded (RFC 3986), pairs sorted by encoded name then encoded value. skip
// names a parameter left out (X-Amz-Signature for presigned requests).
func appendCanonicalQuery(dst []byte, q query, skip string) []byte {
	if len(q) == 0 {
		return dst
	}
	enc := make([]queryParam, 0, len(q))
	for _, p := range q {
		if skip != "" && p.key == skip {
			continue
		}
		enc = append(enc, queryParam{escape(p.key), escape(p.value)})
	}
	slices.SortFunc(enc, func(a, b queryParam) int {
		if c := strings.Compare(a.key, b.key); c != 0 {
			return c
		}
		return strings.Compare(a.value, b.value)
	})
	for i, p := range enc {
		if i > 0 {
			dst = append(dst, '&')
		}
		dst = append(dst, p.key...)
		dst = append(dst, '=')
		dst = append(dst, p.value...)
	}
	return dst
}

const upperhex = "0123456789ABCDEF"

func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

// escape URI-encodes s per RFC 3986: everything but unreserved characters.
func escape(s string) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	return string(appendEscaped(make([]byte, 0, len(s)+2*n), s, false))
}

// appendEscaped appends s URI-encoded, keeping '/' when keepSlash.
func appendEscaped(dst []byte, s string, keepSlash bool) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) || (keepSlash && c == '/') {
			dst = append(dst, c)
		} else {
			dst = append(dst, '%', upperhex[c>>4], upperhex[c&15])
		}
	}
	return dst
}

// requestPath returns the path as the client sent it (still percent-encoded);
// "/" when empty. This is the input AWS SDKs escape a second time for every
// service but S3.
func requestPath(u *url.URL) string {
	var p string
	if u.Opaque != "" {
		// "//host/path" or "/path" forms; cut any query and the authority.
		o, _, _ := strings.Cut(u.Opaque, "?")
		o = strings.TrimPrefix(o, "//")
		if i := strings.IndexByte(o, '/'); i >= 0 {
			p = o[i:]
		}
	} else {
		p = u.EscapedPath()
	}
	if p == "" {
		return "/"
	}
	return p
}

// needsNormalize reports whether normalizePath could change p.
func needsNormalize(p string) bool {
	return strings.Contains(p, "//") || strings.Contains(p, "/./") || strings.Contains(p, "/../") ||
		strings.HasSuffix(p, "/.") || strings.HasSuffix(p, "/..") || !strings.HasPrefix(p, "/")
}

// normalizePath removes empty, "." and ".." segments the way botocore does
// before signing non-S3 requests, keeping a leading and a trailing slash.
func normalizePath(p string) string {
	segs := make([]string, 0, strings.Count(p, "/")+1)
	for rest, more := p, true; more; {
		var s string
		s, rest, more = strings.Cut(rest, "/")
		switch s {
		case "", ".":
		case "..":
			if len(segs) > 0 {
				segs = segs[:len(segs)-1]
			}
		default:
			segs = append(segs, s)
		}
	}
	var b strings.Builder
	b.Grow(len(p))
	if strings.HasPrefix(p, "/") {
		b.WriteByte('/')
	}
	b.WriteString(strings.Join(segs, "/"))
	if len(segs) > 0 && strings.HasSuffix(p, "/") {
		b.WriteByte('/')
	}
	if b.Len() == 0 {
		return "/"
	}
	return b.String()
}

// headerValues returns the values of the header named by lowercase name.
func headerValues(h http.Header, name string) []string {
	if len(h) == 0 {
		return nil
	}
	var buf [64]byte
	if len(name) <= len(buf) {
		k := buf[:len(name)]
		upper := true
		for i := 0; i < len(name); i++ {
			c := name[i]
			if upper && 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			k[i] = c
			upper = c == '-'
		}
		if v, ok := h[string(k)]; ok {
			return v
		}
	}
	// Maps built by hand may hold non-canonical keys; look a bounded number of
	// them over rather than let a request with thousands of headers cost much.
	if len(h) > 256 {
		return nil
	}
	var out []string
	for k, v := range h {
		if strings.EqualFold(k, name) {
			out = append(out, v...)
		}
	}
	return out
}

// appendCanonicalHeaders appends "name:value\n" for every signed header, values
// trimmed, runs of spaces collapsed and multiple values joined with ','.
func appendCanonicalHeaders(dst []byte, r *http.Request, names []string) []byte {
	for _, name := range names {
		dst = append(dst, name...)
		dst = append(dst, ':')
		vals := headerValues(r.Header, name)
		if len(vals) == 0 {
			switch name {
			case "host":
				host := r.Host
				if host == "" && r.URL != nil {
					host = r.URL.Host
				}
				dst = appendTrimmed(dst, host)
			case "content-length":
				if r.ContentLength >= 0 {
					dst = strconv.AppendInt(dst, r.ContentLength, 10)
				}
			}
		}
		for i, v := range vals {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendTrimmed(dst, v)
		}
		dst = append(dst, '\n')
	}
	return dst
}

// appendTrimmed appends v without leading and trailing whitespace and with each
// run of spaces collapsed into one, as SigV4 canonical headers require.
func appendTrimmed(dst []byte, v string) []byte {
	v = strings.TrimSpace(v)
	space := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == ' ' {
			if space {
				continue
			}
			space = true
		} else {
			space = false
		}
		dst = append(dst, c)
	}
	return dst
}
