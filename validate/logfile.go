package validate

import (
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/cairnhq/cairn"
)

// checkLog fetches one log file a valid digest lists and compares the SHA-256
// of its decompressed content with the digest's hashValue. Only a failing store
// (other than a missing key) is an error.
func (v *validator) checkLog(ctx context.Context, entry map[string]json.RawMessage) error {
	bucket, key := pyStr(entry["s3Bucket"]), pyStr(entry["s3Object"])
	want, _ := jsonString(entry["hashValue"])
	line := "Log file\ts3://" + bucket + "/" + key + "\t"
	_, okB := jsonString(entry["s3Bucket"])
	_, okK := jsonString(entry["s3Object"])
	if !okB || !okK {
		v.res.InvalidLogs++
		v.p.errorf("%sINVALID: invalid format", line)
		return nil
	}
	rc, _, err := v.store.Get(ctx, bucket, key)
	if errors.Is(err, cairn.ErrNoSuchKey) {
		v.res.InvalidLogs++
		v.p.errorf("%sINVALID: not found", line)
		return nil
	}
	if err != nil {
		return fmt.Errorf("get log file s3://%s/%s: %w", bucket, key, err)
	}
	sum, err := hashGzip(rc)
	rc.Close()
	switch {
	case err != nil && ctx.Err() != nil:
		return ctx.Err()
	case err != nil:
		v.res.InvalidLogs++
		v.p.errorf("%sINVALID: invalid format", line)
	case sum != want:
		v.res.InvalidLogs++
		v.p.errorf("%sINVALID: hash value doesn't match", line)
	default:
		v.res.ValidLogs++
		v.p.status("%svalid", line)
	}
	return nil
}

// hashGzip returns the hex SHA-256 of the first gzip member of r, decompressed.
// Like the CLI's streaming zlib.decompressobj, it hashes what a truncated stream
// yields without complaint (an empty file hashes as empty content); a corrupt
// stream (bad header, data or checksum) is an error.
func hashGzip(r io.Reader) (string, error) {
	h := sha256.New()
	zr, err := gzip.NewReader(r)
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return hex.EncodeToString(h.Sum(nil)), nil
	case err != nil:
		return "", err
	}
	zr.Multistream(false)
	if _, err := io.Copy(h, zr); err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
