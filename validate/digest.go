package validate

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cairnhq/cairn"
)

// Metadata of a digest object (S3 user metadata, lowercase, without x-amz-meta-).
const (
	MetaSignature          = "signature"
	MetaSignatureAlgorithm = "signature-algorithm"
	MetaBackfillGenerated  = "backfill-generation-timestamp"
)

// requiredFields must be members of a digest before it is checked (they may be
// null); logFiles is read only once the digest is valid.
var requiredFields = []string{
	"digestPublicKeyFingerprint",
	"digestS3Bucket",
	"digestS3Object",
	"previousDigestSignature",
	"digestEndTime",
	"digestStartTime",
}

// digest is a digest file that passed every check.
type digest struct {
	bucket, key         string
	fields              map[string]json.RawMessage
	start, end          time.Time
	prevBucket, prevKey string // "" when the link is null: the chain starts here
}

// failure says why a digest is not valid: it is missing, or msg is its line.
type failure struct {
	missing bool
	msg     string
}

func invalid(bucket, key, why string) *failure {
	return &failure{msg: "Digest file\ts3://" + bucket + "/" + key + "\tINVALID: " + why}
}

// loadDigest reads the digest bucket/key and checks it in the CLI's order:
// format, signature metadata, required members, location, key, signature,
// times. pub caches the keys by fingerprint; in the backfill walk it grows with
// the keys around each digest's generation time. A non-nil error is fatal.
func (v *validator) loadDigest(ctx context.Context, pub map[string][]byte, bucket, key string, backfill bool) (*digest, *failure, error) {
	rc, info, err := v.store.Get(ctx, bucket, key)
	if errors.Is(err, cairn.ErrNoSuchKey) {
		return nil, &failure{missing: true}, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("get digest file s3://%s/%s: %w", bucket, key, err)
	}
	raw, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		return nil, invalid(bucket, key, err.Error()), nil
	}
	body, doc, ok := decodeDigest(raw)
	if !ok {
		return nil, invalid(bucket, key, "invalid format"), nil
	}
	sigHex, okSig := info.Metadata[MetaSignature]
	if _, okAlg := info.Metadata[MetaSignatureAlgorithm]; !okSig || !okAlg {
		return nil, invalid(bucket, key, "signature verification failed"), nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(doc, &fields); err != nil || fields == nil {
		// The CLI stores the signature into the parsed document, which fails
		// with Python's TypeError unless it is an object.
		return nil, invalid(bucket, key, notObject(doc)), nil
	}
	genTime, okGen := info.Metadata[MetaBackfillGenerated]
	if isBackfill(key) && !okGen {
		return nil, invalid(bucket, key, "invalid format"), nil
	}
	for _, f := range requiredFields {
		if _, ok := fields[f]; !ok {
			return nil, invalid(bucket, key, "invalid format"), nil
		}
	}
	if b, ok := jsonString(fields["digestS3Bucket"]); !ok || b != bucket {
		return nil, invalid(bucket, key, "has been moved from its original location"), nil
	}
	if k, ok := jsonString(fields["digestS3Object"]); !ok || k != key {
		return nil, invalid(bucket, key, "has been moved from its original location"), nil
	}

	// Fingerprints are strings; any other value is printed but never found.
	fp := pyStr(fields["digestPublicKeyFingerprint"])
	_, isStr := jsonString(fields["digestPublicKeyFingerprint"])
	if _, ok := pub[fp]; (!ok || !isStr) && backfill {
		gen, err := ParseTime(genTime)
		if err != nil {
			return nil, invalid(bucket, key, err.Error()), nil
		}
		more, err := v.publicKeys(ctx, gen.Add(-time.Hour), gen.Add(time.Hour))
		if errors.Is(err, ErrNoPublicKeys) {
			return nil, invalid(bucket, key, err.Error()), nil
		}
		if err != nil {
			return nil, nil, err
		}
		for k, val := range more {
			pub[k] = val
		}
	}
	der, ok := pub[fp]
	if !ok || !isStr {
		return nil, invalid(bucket, key, "public key not found in region "+v.layout.home+" for fingerprint "+fp), nil
	}
	if why := verify(der, fp, sigHex, fields, body); why != "" {
		return nil, invalid(bucket, key, why), nil
	}

	d := &digest{bucket: bucket, key: key, fields: fields}
	if d.end, err = ParseTime(pyStr(fields["digestEndTime"])); err != nil {
		return nil, invalid(bucket, key, err.Error()), nil
	}
	if d.start, err = ParseTime(pyStr(fields["digestStartTime"])); err != nil {
		return nil, invalid(bucket, key, err.Error()), nil
	}
	pb, okB := jsonString(fields["previousDigestS3Bucket"])
	pk, okK := jsonString(fields["previousDigestS3Object"])
	if okB && okK {
		d.prevBucket, d.prevKey = pb, pk
	}
	return d, nil, nil
}

// decodeDigest gunzips a digest (the first gzip member; what follows is
// ignored, as zlib.decompress does) and checks that it is UTF-8 JSON.
func decodeDigest(raw []byte) (body []byte, doc json.RawMessage, ok bool) {
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		return nil, nil, false
	}
	zr.Multistream(false)
	body, err = io.ReadAll(zr)
	if err != nil || !utf8.Valid(body) || json.Unmarshal(body, &doc) != nil {
		return nil, nil, false
	}
	return body, doc, true
}

// notObject is Python's TypeError on assigning a key to a JSON value that is
// not an object.
func notObject(doc json.RawMessage) string {
	t := "int"
	switch v := bytes.TrimSpace(doc); {
	case v[0] == '[':
		return "list indices must be integers or slices, not str"
	case v[0] == '"':
		t = "str"
	case v[0] == 't' || v[0] == 'f':
		t = "bool"
	case v[0] == 'n':
		t = "NoneType"
	case bytes.ContainsAny(v, ".eE"):
		t = "float"
	}
	return "'" + t + "' object does not support item assignment"
}

// verify checks the digest's signature (lowercase hex in its metadata) with the
// DER PKCS#1 public key der, over the string to sign of spec §6.3. It returns
// "" or the reason in the CLI's words.
func verify(der []byte, fp, sigHex string, fields map[string]json.RawMessage, body []byte) string {
	pk, err := x509.ParsePKCS1PublicKey(der)
	if err != nil {
		return "Unable to load PKCS #1 key with fingerprint " + fp
	}
	prev := "null"
	if raw := fields["previousDigestSignature"]; !isNull(raw) {
		prev = pyStr(raw)
	}
	sum := sha256.Sum256(body)
	msg := pyStr(fields["digestEndTime"]) + "\n" + pyStr(fields["digestS3Bucket"]) + "/" + pyStr(fields["digestS3Object"]) +
		"\n" + hex.EncodeToString(sum[:]) + "\n" + prev
	// binascii.unhexlify's checks and messages.
	if len(sigHex)%2 != 0 {
		return "Odd-length string"
	}
	sig, err := hex.DecodeString(sigHex)
	if err != nil {
		return "Non-hexadecimal digit found"
	}
	// python-rsa reads the signature as a number: leading zero bytes do not count.
	if k := pk.Size(); len(sig) < k {
		sig = append(make([]byte, k-len(sig)), sig...)
	} else {
		for len(sig) > k && sig[0] == 0 {
			sig = sig[1:]
		}
	}
	h := sha256.Sum256([]byte(msg))
	if rsa.VerifyPKCS1v15(pk, crypto.SHA256, h[:], sig) != nil {
		return "signature verification failed"
	}
	return ""
}

// logFiles returns the digest's logFiles entries.
func (d *digest) logFiles() ([]map[string]json.RawMessage, error) {
	raw, ok := d.fields["logFiles"]
	if !ok {
		return nil, fmt.Errorf("digest file s3://%s/%s: no logFiles member", d.bucket, d.key)
	}
	if isNull(raw) {
		return nil, nil
	}
	var logs []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &logs); err != nil {
		return nil, fmt.Errorf("digest file s3://%s/%s: logFiles: %w", d.bucket, d.key, err)
	}
	return logs, nil
}

func isNull(raw json.RawMessage) bool {
	return len(raw) == 0 || string(bytes.TrimSpace(raw)) == "null"
}

// jsonString returns the value of a JSON string.
func jsonString(raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '"' {
		return "", false
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

// pyStr is how the CLI's f-strings print a JSON value: strings as they are,
// null as None, booleans as True/False, anything else as its JSON text.
func pyStr(raw json.RawMessage) string {
	if s, ok := jsonString(raw); ok {
		return s
	}
	switch t := strings.TrimSpace(string(raw)); t {
	case "", "null":
		return "None"
	case "true":
		return "True"
	case "false":
		return "False"
	default:
		return t
	}
}
