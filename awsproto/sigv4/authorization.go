package sigv4

import (
	"net/http"
	"strings"
	"unicode/utf8"
)

// Signing algorithms.
const (
	AlgorithmHMAC  = "AWS4-HMAC-SHA256"
	AlgorithmECDSA = "AWS4-ECDSA-P256-SHA256" // SigV4A
)

// Limits that keep the work on hostile input bounded.
const (
	MaxAuthorizationLen = 8 << 10 // bytes of the Authorization header
	MaxSignedHeaders    = 64
	MaxQueryParams      = 1000
	maxAuthParams       = 16  // comma-separated parts of the Authorization header
	maxSignatureLen     = 512 // hex; SigV4A DER signatures are ~144
	maxEchoLen          = 1024
)

const terminator = "aws4_request"

// CredentialScope is the Credential parameter: access key and scope.
type CredentialScope struct {
	AccessKeyID string
	Date        string // YYYYMMDD
	// Region is empty for SigV4A, whose scope has no region (it is in X-Amz-Region-Set).
	Region     string
	Service    string
	Terminator string // "aws4_request" when well formed
}

// String returns the scope without the access key: date/region/service/terminator.
func (c CredentialScope) String() string {
	if c.Region == "" {
		return c.Date + "/" + c.Service + "/" + c.Terminator
	}
	return c.Date + "/" + c.Region + "/" + c.Service + "/" + c.Terminator
}

// Authorization is a parsed SigV4 Authorization header.
type Authorization struct {
	Algorithm  string
	Credential CredentialScope
	// SignedHeaders are the lowercased names, in the order the client listed them.
	SignedHeaders []string
	// Signature is the hex signature as sent (not validated as hex here).
	Signature string
}

// ParseAuthorization parses an Authorization header of the form
//
//	AWS4-HMAC-SHA256 Credential=AK/20260101/us-east-1/cloudtrail/aws4_request, SignedHeaders=host;x-amz-date, Signature=hex
//
// (or the AWS4-ECDSA-P256-SHA256 form, whose scope has no region). Errors are
// *Error of KindIncompleteSignature with AWS-like messages.
func ParseAuthorization(h string) (Authorization, error) {
	a, _, err := parseAuthorization(h)
	if err != nil {
		return Authorization{}, err
	}
	return a, nil
}

// parseAuthorization also reports whether the Credential parameter parsed, so
// that Scope works on headers that are otherwise broken.
func parseAuthorization(h string) (a Authorization, credOK bool, err *Error) {
	if len(h) > MaxAuthorizationLen {
		return a, false, newError(KindIncompleteSignature, "Authorization header is too long.")
	}
	h = strings.TrimSpace(h)
	alg, rest, _ := strings.Cut(h, " ")
	switch alg {
	case AlgorithmHMAC, AlgorithmECDSA:
	default:
		if strings.HasPrefix(alg, "AWS4-") {
			return a, false, newError(KindIncompleteSignature, "Unsupported AWS 'algorithm': '"+echo(alg)+"'.")
		}
		return a, false, newError(KindIncompleteSignature, requiresMessage(true, true, true)+"Authorization="+echo(h))
	}
	a.Algorithm = alg

	var cred, signed, sig string
	var haveCred, haveSigned, haveSig bool
	n := 0
	// Parameters are separated by commas and/or whitespace, as AWS reads them:
	// "Credential=AK /2026…" has a stray "/2026…" part without an equal sign.
	for rest != "" {
		i := strings.IndexAny(rest, ", \t")
		part := rest
		if i < 0 {
			rest = ""
		} else {
			part, rest = rest[:i], rest[i+1:]
		}
		if part == "" {
			continue
		}
		if n++; n > maxAuthParams {
			return a, false, newError(KindIncompleteSignature, "Authorization header has too many parameters.")
		}
		k, v, ok := strings.Cut(part, "=")
		if !ok {
			return a, false, newError(KindIncompleteSignature, "'"+echo(part)+"' not a valid key=value pair (missing equal-sign) in Authorization header: '"+echo(h)+"'.")
		}
		var dup bool
		switch k {
		case "Credential":
			dup, haveCred, cred = haveCred, true, v
		case "SignedHeaders":
			dup, haveSigned, signed = haveSigned, true, v
		case "Signature":
			dup, haveSig, sig = haveSig, true, v
		default:
			// Unknown parameters are ignored, as AWS does.
		}
		if dup {
			return a, false, newError(KindIncompleteSignature, "Authorization header has a duplicate '"+k+"' parameter. Authorization="+echo(h))
		}
	}

	if haveCred {
		a.Credential, credOK = parseCredential(cred, alg == AlgorithmECDSA)
	}
	if !haveCred || !haveSigned || !haveSig || cred == "" || signed == "" || sig == "" {
		return a, credOK, newError(KindIncompleteSignature,
			requiresMessage(!haveCred || cred == "", !haveSig || sig == "", !haveSigned || signed == "")+"Authorization="+echo(h))
	}
	if !credOK {
		return a, false, newError(KindIncompleteSignature, credentialMessage(alg == AlgorithmECDSA, cred))
	}
	if len(sig) > maxSignatureLen {
		return a, credOK, newError(KindIncompleteSignature, "Authorization header's Signature parameter is too long.")
	}
	a.Signature = sig
	names, msg := parseSignedHeaders(signed)
	if msg != "" {
		return a, credOK, newError(KindIncompleteSignature, msg+" Authorization="+echo(h))
	}
	a.SignedHeaders = names
	return a, credOK, nil
}

func requiresMessage(cred, sig, signed bool) string {
	var b strings.Builder
	if cred {
		b.WriteString("Authorization header requires 'Credential' parameter. ")
	}
	if sig {
		b.WriteString("Authorization header requires 'Signature' parameter. ")
	}
	if signed {
		b.WriteString("Authorization header requires 'SignedHeaders' parameter. ")
	}
	return b.String()
}

func credentialMessage(sigv4a bool, cred string) string {
	want := "<access key>/<YYYYMMDD>/<region>/<service>/aws4_request"
	if sigv4a {
		want = "<access key>/<YYYYMMDD>/<service>/aws4_request"
	}
	return "Credential '" + echo(cred) + "' is malformed; expected '" + want + "'."
}

// parseCredential splits AK/date/region/service/terminator (no region for SigV4A).
// Every part must be non-empty; the date and terminator are checked by Verify so
// that it can report them as AWS does.
func parseCredential(s string, sigv4a bool) (CredentialScope, bool) {
	want := 5
	if sigv4a {
		want = 4
	}
	var parts [5]string
	for i := 0; i < want; i++ {
		var p string
		var ok bool
		if i == want-1 {
			p, ok = s, true
			if strings.IndexByte(p, '/') >= 0 {
				return CredentialScope{}, false
			}
		} else {
			p, s, ok = strings.Cut(s, "/")
		}
		if !ok || p == "" {
			return CredentialScope{}, false
		}
		parts[i] = p
	}
	if sigv4a {
		return CredentialScope{AccessKeyID: parts[0], Date: parts[1], Service: parts[2], Terminator: parts[3]}, true
	}
	return CredentialScope{AccessKeyID: parts[0], Date: parts[1], Region: parts[2], Service: parts[3], Terminator: parts[4]}, true
}

// parseSignedHeaders splits the ;-separated list, lowercasing names. It returns a
// non-empty message when the list is unusable.
func parseSignedHeaders(s string) ([]string, string) {
	if n := strings.Count(s, ";") + 1; n > MaxSignedHeaders {
		return nil, "SignedHeaders lists more than 64 headers."
	}
	names := make([]string, 0, strings.Count(s, ";")+1)
	for more := true; more; {
		var name string
		name, s, more = strings.Cut(s, ";")
		if name == "" || !isToken(name) {
			return nil, "SignedHeaders contains an invalid header name."
		}
		name = lower(name)
		for _, seen := range names {
			if seen == name {
				return nil, "SignedHeaders contains a duplicate header name."
			}
		}
		names = append(names, name)
	}
	return names, ""
}

// isToken reports whether s is an HTTP header field name.
func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// lower is strings.ToLower for ASCII, without allocating when s is already lowercase.
func lower(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}

// echo makes client input safe and bounded for an error message.
func echo(s string) string {
	if len(s) > maxEchoLen {
		s = s[:maxEchoLen] + "..."
	}
	clean := true
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] >= 0x7f {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError {
			b.WriteByte('?')
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Scope peeks at the access key, region and service a request claims, without
// verifying anything, from the Authorization header or the presign query. For
// SigV4A the region is the X-Amz-Region-Set value. ok is false when neither
// carries a usable Credential.
func Scope(r *http.Request) (accessKey, region, service string, ok bool) {
	if r == nil {
		return "", "", "", false
	}
	if h := r.Header.Get("Authorization"); h != "" {
		a, credOK, _ := parseAuthorization(h)
		if !credOK {
			return "", "", "", false
		}
		region = a.Credential.Region
		if a.Algorithm == AlgorithmECDSA {
			region = r.Header.Get("X-Amz-Region-Set")
		}
		return a.Credential.AccessKeyID, region, a.Credential.Service, true
	}
	if r.URL == nil || r.URL.RawQuery == "" {
		return "", "", "", false
	}
	q, err := parseQuery(r.URL.RawQuery)
	if err != nil {
		return "", "", "", false
	}
	alg, _ := q.get("X-Amz-Algorithm")
	cred, _ := q.get("X-Amz-Credential")
	c, credOK := parseCredential(cred, alg == AlgorithmECDSA)
	if !credOK {
		return "", "", "", false
	}
	region = c.Region
	if alg == AlgorithmECDSA {
		region, _ = q.get("X-Amz-Region-Set")
	}
	return c.AccessKeyID, region, c.Service, true
}
