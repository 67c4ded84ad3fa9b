package sigv4

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cairnhq/cairn"
)

// DefaultMaxSkew is how far the request time may be from the server's clock, as AWS allows.
const DefaultMaxSkew = 15 * time.Minute

// MaxPresignExpires is the largest X-Amz-Expires AWS accepts (seven days), in seconds.
const MaxPresignExpires = 604800

// Payload hash values accepted literally instead of the body's SHA-256.
const (
	UnsignedPayload                 = "UNSIGNED-PAYLOAD"
	StreamingUnsignedPayloadTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
)

const (
	isoBasic = "20060102T150405Z"
)

// Verifier checks SigV4 and SigV4A signatures against a credential store. The
// zero Clock is the system clock; the zero MaxSkew is DefaultMaxSkew. A Verifier
// is safe for concurrent use if its CredentialStore is. SigV4A public keys are
// cached per access key in a bounded cache that all Verifiers share.
type Verifier struct {
	Credentials cairn.CredentialStore
	Clock       cairn.Clock
	MaxSkew     time.Duration
}

// Result is what a verified request proves.
type Result struct {
	Principal   cairn.Principal
	AccessKeyID string
	// Region is the region of the credential scope (SigV4). For SigV4A it is the
	// one region X-Amz-Region-Set names, or "" when the set names no single
	// region ("*", a pattern such as "us-*", or several regions): the caller
	// then picks the region to record (a global service's home region, such as
	// us-east-1 for CloudFront KeyValueStore). RegionSet has the set itself.
	Region string
	// RegionSet is the X-Amz-Region-Set value the SigV4A signature covers, as
	// sent (for example "*" or "us-east-1,us-west-2"); empty for SigV4.
	RegionSet string
	// Algorithm is AlgorithmHMAC (SigV4) or AlgorithmECDSA (SigV4A).
	Algorithm string
	Service   string
	SignedAt  time.Time
	Presigned bool
	// UnsignedPayload is true when the signature does not cover the body
	// (UNSIGNED-PAYLOAD or STREAMING-UNSIGNED-PAYLOAD-TRAILER).
	UnsignedPayload bool
}

// signature is the signing information of a request, from either form.
type signature struct {
	alg       string
	cred      CredentialScope
	signed    []string
	sig       string
	amzDate   string // as it goes into the string to sign
	at        time.Time
	expires   time.Duration // presigned with X-Amz-Expires only
	presigned bool
	regionSet string // SigV4A: X-Amz-Region-Set as sent
	region    string // SigV4A: the single region of regionSet, or ""
}

// Verify checks the signature of r. body is the complete request body, already
// read by the caller (nil or empty for none). Every failure is an *Error.
func (v *Verifier) Verify(ctx context.Context, r *http.Request, body []byte) (Result, error) {
	if r == nil || r.URL == nil {
		return Result{}, newError(KindMissingAuthenticationToken, msgMissingToken)
	}
	q, err := parseQuery(r.URL.RawQuery)
	if err != nil {
		return Result{}, newError(KindIncompleteSignature, "The query string has more than "+strconv.Itoa(MaxQueryParams)+" parameters.")
	}
	presign := q.has("X-Amz-Algorithm") || q.has("X-Amz-Credential") || q.has("X-Amz-Signature")
	authz := r.Header.Values("Authorization")
	if len(authz) == 1 && strings.TrimSpace(authz[0]) == "" {
		authz = nil
	}

	var s signature
	var e *Error
	switch {
	case len(authz) > 1:
		return Result{}, newError(KindIncompleteSignature, "The request has more than one Authorization header.")
	case len(authz) == 1 && presign:
		return Result{}, newError(KindIncompleteSignature, "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header should be specified.")
	case len(authz) == 1:
		s, e = fromHeader(r, authz[0])
	case presign:
		s, e = fromQuery(q)
	default:
		return Result{}, newError(KindMissingAuthenticationToken, msgMissingToken)
	}
	if e != nil {
		return Result{}, e
	}
	if e := v.checkScope(&s); e != nil {
		return Result{}, e
	}

	store := v.Credentials
	if store == nil {
		return Result{}, &Error{Kind: KindInternal, Message: "no credential store", Err: errors.New("sigv4: Verifier.Credentials is nil")}
	}
	cred, err := store.Credential(ctx, s.cred.AccessKeyID)
	switch {
	case errors.Is(err, cairn.ErrNotFound):
		return Result{}, newError(KindUnrecognizedClient, msgInvalidToken)
	case err != nil:
		return Result{}, &Error{Kind: KindInternal, Message: "credential lookup failed", Err: err}
	case !cred.Active:
		return Result{}, &Error{Kind: KindUnrecognizedClient, Message: msgInvalidToken, Err: errors.New("access key is inactive")}
	}

	// Which payload hash did the client sign? "" stands for the body's SHA-256.
	declared := ""
	if vals := headerValues(r.Header, "x-amz-content-sha256"); len(vals) > 0 {
		declared = strings.TrimSpace(vals[0])
	}
	var c candidates
	c.nPayloads = 1
	checkBody := false
	switch {
	case declared == UnsignedPayload || declared == StreamingUnsignedPayloadTrailer:
		c.payloads[0] = declared
	case strings.HasPrefix(declared, "STREAMING-"):
		return Result{}, newError(KindUnsupported, "x-amz-content-sha256 value '"+echo(declared)+"' is not supported.")
	case declared != "":
		c.payloads[0], checkBody = declared, true
	case s.presigned:
		// The SDKs presign non-S3 requests over the body's hash; S3-style
		// presigners use UNSIGNED-PAYLOAD. Accept either.
		c.payloads[1], c.nPayloads = UnsignedPayload, 2
	}
	// Paths: as sent, and botocore's normalized form when it differs.
	c.paths[0], c.nPaths = requestPath(r.URL), 1
	if needsNormalize(c.paths[0]) {
		if np := normalizePath(c.paths[0]); np != c.paths[0] {
			c.paths[1], c.nPaths = np, 2
		}
	}

	var matched int
	if s.alg == AlgorithmECDSA {
		var der [maxECDSASigLen]byte
		sig, ok := decodeECDSASignature(&der, s.sig)
		if !ok {
			return Result{}, newError(KindSignatureDoesNotMatch, msgSignatureMismatch)
		}
		pub, err := sigv4aKeys.publicKey(s.cred.AccessKeyID, cred.SecretAccessKey)
		if err != nil {
			return Result{}, &Error{Kind: KindInternal, Message: "SigV4A key derivation failed", Err: err}
		}
		matched = matchSignature(r, q, &s, &c, body, func(h [sha256.Size]byte) bool {
			return verifyECDSA(pub, &s, h, sig)
		})
	} else {
		var given [sha256.Size]byte
		if len(s.sig) != hex.EncodedLen(len(given)) {
			return Result{}, newError(KindSignatureDoesNotMatch, msgSignatureMismatch)
		}
		if _, err := hex.Decode(given[:], []byte(s.sig)); err != nil {
			return Result{}, newError(KindSignatureDoesNotMatch, msgSignatureMismatch)
		}
		key := signingKey(cred.SecretAccessKey, s.cred)
		matched = matchSignature(r, q, &s, &c, body, func(h [sha256.Size]byte) bool {
			mac := signatureOf(&key, &s, h)
			return hmac.Equal(mac[:], given[:])
		})
	}
	if matched < 0 {
		return Result{}, newError(KindSignatureDoesNotMatch, msgSignatureMismatch)
	}
	if checkBody && !hashMatches(declared, body) {
		return Result{}, newError(KindContentSHA256Mismatch, msgContentSHA256)
	}

	p := cred.Principal
	if p.AccessKeyID == "" {
		p.AccessKeyID = s.cred.AccessKeyID
	}
	pl := c.payloads[matched]
	region := s.cred.Region
	if s.alg == AlgorithmECDSA {
		region = s.region
	}
	return Result{
		Principal:       p,
		AccessKeyID:     s.cred.AccessKeyID,
		Region:          region,
		RegionSet:       s.regionSet,
		Algorithm:       s.alg,
		Service:         s.cred.Service,
		SignedAt:        s.at,
		Presigned:       s.presigned,
		UnsignedPayload: pl == UnsignedPayload || pl == StreamingUnsignedPayloadTrailer,
	}, nil
}

// candidates are the spellings of the canonical request's path and payload hash
// a legitimate client may have signed; Verify tries each (at most four).
type candidates struct {
	paths     [2]string
	nPaths    int
	payloads  [2]string // "" is the hex SHA-256 of the body
	nPayloads int
}

// matchSignature builds the canonical request for each candidate and returns the
// index of the payload candidate whose hash check accepts, or -1.
func matchSignature(r *http.Request, q query, s *signature, c *candidates, body []byte, check func([sha256.Size]byte) bool) int {
	skip := ""
	if s.presigned {
		skip = "X-Amz-Signature"
	}
	// method \n path \n query \n headers \n signed-headers \n payload-hash; only
	// the path and the payload hash vary.
	var mid []byte
	mid = append(mid, '\n')
	var stack [1024]byte
	buf := append(stack[:0], r.Method...)
	if r.Method == "" {
		buf = append(buf, http.MethodGet...)
	}
	buf = append(buf, '\n')
	prefixLen := len(buf)

	var bodyHex [2 * sha256.Size]byte
	for pi := 0; pi < c.nPaths; pi++ {
		buf = appendEscaped(buf[:prefixLen], c.paths[pi], true)
		if pi == 0 {
			midStart := len(buf)
			buf = append(buf, '\n')
			buf = appendCanonicalQuery(buf, q, skip)
			buf = append(buf, '\n')
			buf = appendCanonicalHeaders(buf, r, s.signed)
			buf = append(buf, '\n')
			for i, name := range s.signed {
				if i > 0 {
					buf = append(buf, ';')
				}
				buf = append(buf, name...)
			}
			buf = append(buf, '\n')
			if c.nPaths > 1 {
				mid = append(mid[:0], buf[midStart:]...)
			}
		} else {
			buf = append(buf, mid...)
		}
		midEnd := len(buf)
		for hi := 0; hi < c.nPayloads; hi++ {
			buf = buf[:midEnd]
			if c.payloads[hi] == "" {
				if bodyHex[0] == 0 {
					sum := sha256.Sum256(body)
					hex.Encode(bodyHex[:], sum[:])
				}
				buf = append(buf, bodyHex[:]...)
			} else {
				buf = append(buf, c.payloads[hi]...)
			}
			if check(sha256.Sum256(buf)) {
				return hi
			}
		}
	}
	return -1
}

// checkScope checks what can be checked before the secret is known: algorithm,
// terminator, scope date, the host header, and the time window.
func (v *Verifier) checkScope(s *signature) *Error {
	if s.cred.Terminator != terminator {
		return newError(KindSignatureDoesNotMatch, "Credential should be scoped with a valid terminator: 'aws4_request', not '"+echo(s.cred.Terminator)+"'.")
	}
	if d := s.amzDate[:8]; s.cred.Date != d {
		return newError(KindSignatureDoesNotMatch, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '"+
			echo(s.cred.Date)+"' != '"+d+"', from '"+s.amzDate+"'.")
	}
	hasHost, hasRegionSet := false, false
	for _, h := range s.signed {
		switch h {
		case "host":
			hasHost = true
		case "x-amz-region-set":
			hasRegionSet = true
		}
	}
	if !hasHost {
		return newError(KindSignatureDoesNotMatch, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
	}
	// The presigned form carries the region set in the signed query string.
	if s.alg == AlgorithmECDSA && !s.presigned && !hasRegionSet {
		return newError(KindSignatureDoesNotMatch, "'X-Amz-Region-Set' must be a 'SignedHeader' in the AWS Authorization.")
	}

	var clock cairn.Clock = cairn.SystemClock{}
	if v.Clock != nil {
		clock = v.Clock
	}
	skew := v.MaxSkew
	if skew <= 0 {
		skew = DefaultMaxSkew
	}
	now := clock.Now().UTC()
	if late := now.Add(skew); s.at.After(late) {
		return newError(KindSignatureExpired, "Signature not yet current: "+s.amzDate+" is still later than "+
			late.Format(isoBasic)+" ("+now.Format(isoBasic)+" + "+skewString(skew)+".)")
	}
	if s.presigned && s.expires > 0 {
		if now.After(s.at.Add(s.expires)) {
			return newError(KindRequestExpired, msgRequestExpired)
		}
		return nil
	}
	if early := now.Add(-skew); s.at.Before(early) {
		return newError(KindSignatureExpired, "Signature expired: "+s.amzDate+" is now earlier than "+
			early.Format(isoBasic)+" ("+now.Format(isoBasic)+" - "+skewString(skew)+".)")
	}
	return nil
}

func skewString(d time.Duration) string {
	if d%time.Minute == 0 {
		return strconv.FormatInt(int64(d/time.Minute), 10) + " min"
	}
	return strconv.FormatInt(int64(d/time.Second), 10) + " sec"
}

// fromHeader reads the signing information of the Authorization-header form.
func fromHeader(r *http.Request, h string) (signature, *Error) {
	a, _, e := parseAuthorization(h)
	if e != nil {
		return signature{}, e
	}
	s := signature{alg: a.Algorithm, cred: a.Credential, signed: a.SignedHeaders, sig: a.Signature}
	if s.alg == AlgorithmECDSA {
		vals := headerValues(r.Header, "x-amz-region-set")
		if len(vals) == 0 || strings.TrimSpace(vals[0]) == "" {
			return s, newError(KindIncompleteSignature, "Signature Version 4A requires the 'X-Amz-Region-Set' header.")
		}
		if len(vals) > 1 {
			return s, newError(KindIncompleteSignature, "The request has more than one 'X-Amz-Region-Set' header.")
		}
		var ok bool
		if s.region, ok = parseRegionSet(vals[0]); !ok {
			return s, newError(KindIncompleteSignature, "X-Amz-Region-Set '"+echo(vals[0])+"' is not a comma-separated list of regions.")
		}
		s.regionSet = strings.TrimSpace(vals[0])
	}
	if d := headerValues(r.Header, "x-amz-date"); len(d) > 0 {
		t, err := parseISO(d[0])
		if err != nil {
			return s, newError(KindIncompleteSignature, "Date must be in ISO-8601 'basic format'. Got '"+echo(d[0])+"'. See http://en.wikipedia.org/wiki/ISO_8601")
		}
		s.at, s.amzDate = t, d[0]
		return s, nil
	}
	if d := headerValues(r.Header, "date"); len(d) > 0 {
		t, err := parseISO(d[0])
		if err != nil {
			t, err = http.ParseTime(d[0])
		}
		if err != nil {
			return s, newError(KindIncompleteSignature, "Date must be in ISO-8601 'basic format' or an HTTP date. Got '"+echo(d[0])+"'.")
		}
		s.at = t.UTC()
		s.amzDate = s.at.Format(isoBasic)
		return s, nil
	}
	return s, newError(KindIncompleteSignature, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization="+echo(h))
}

// fromQuery reads the signing information of the presigned form.
func fromQuery(q query) (signature, *Error) {
	s := signature{presigned: true}
	var ok bool
	var vals [5]string
	for i, k := range [...]string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Signature"} {
		v, n := q.get(k)
		if n == 0 || v == "" {
			return s, newError(KindIncompleteSignature, "AWS query-string parameters must include '"+k+"'. Re-examine the query-string parameters.")
		}
		if n > 1 {
			return s, newError(KindIncompleteSignature, "AWS query-string parameter '"+k+"' appears more than once.")
		}
		vals[i] = v
	}
	s.alg = vals[0]
	switch s.alg {
	case AlgorithmHMAC:
	case AlgorithmECDSA:
		set, n := q.get("X-Amz-Region-Set")
		if n == 0 || set == "" {
			return s, newError(KindIncompleteSignature, "AWS query-string parameters must include 'X-Amz-Region-Set'. Re-examine the query-string parameters.")
		}
		if n > 1 {
			return s, newError(KindIncompleteSignature, "AWS query-string parameter 'X-Amz-Region-Set' appears more than once.")
		}
		if s.region, ok = parseRegionSet(set); !ok {
			return s, newError(KindIncompleteSignature, "X-Amz-Region-Set '"+echo(set)+"' is not a comma-separated list of regions.")
		}
		s.regionSet = set
	default:
		return s, newError(KindIncompleteSignature, "Unsupported AWS 'algorithm': '"+echo(s.alg)+"'.")
	}
	if s.cred, ok = parseCredential(vals[1], s.alg == AlgorithmECDSA); !ok {
		return s, newError(KindIncompleteSignature, credentialMessage(s.alg == AlgorithmECDSA, vals[1]))
	}
	t, err := parseISO(vals[2])
	if err != nil {
		return s, newError(KindIncompleteSignature, "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\".")
	}
	s.at, s.amzDate = t, vals[2]
	names, msg := parseSignedHeaders(vals[3])
	if msg != "" {
		return s, newError(KindIncompleteSignature, msg)
	}
	s.signed = names
	if len(vals[4]) > maxSignatureLen {
		return s, newError(KindIncompleteSignature, "X-Amz-Signature is too long.")
	}
	s.sig = vals[4]

	// The SDKs presign non-S3 calls such as STS GetCallerIdentity without
	// X-Amz-Expires; such a URL is good for the usual skew window.
	exp, n := q.get("X-Amz-Expires")
	switch n {
	case 0:
		return s, nil
	case 1:
	default:
		return s, newError(KindIncompleteSignature, "AWS query-string parameter 'X-Amz-Expires' appears more than once.")
	}
	secs, err := strconv.Atoi(exp)
	if err != nil || len(exp) > 7 || secs < 1 || secs > MaxPresignExpires {
		return s, newError(KindIncompleteSignature, "X-Amz-Expires must be a whole number of seconds from 1 to 604800 (seven days).")
	}
	s.expires = time.Duration(secs) * time.Second
	return s, nil
}

var errDateLen = errors.New("date is not 16 characters")

// parseISO parses the basic ISO 8601 form SigV4 uses, 20060102T150405Z, exactly.
func parseISO(s string) (time.Time, error) {
	if len(s) != len(isoBasic) {
		return time.Time{}, errDateLen
	}
	return time.Parse(isoBasic, s)
}
