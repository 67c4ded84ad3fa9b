package validate_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/cairnhq/cairn"
	"github.com/cairnhq/cairn/objstore/file"
)

// Fixture constants: one trail whose digests and logs live under a prefix.
const (
	fxAccount = "123456789012"
	fxRegion  = "us-east-1"
	fxTrail   = "main"
	fxBucket  = "cairn-trail"
	fxPrefix  = "team/logs"
	fxARN     = "arn:aws:cloudtrail:" + fxRegion + ":" + fxAccount + ":trail/" + fxTrail
)

// t0 is the start of the first fixture digest.
var t0 = time.Date(2026, 11, 25, 10, 0, 31, 0, time.UTC)

var (
	keysOnce       sync.Once
	mainKey, other *rsa.PrivateKey
)

// signingKeys returns two RSA-2048 keys, generated once per test binary: the
// trail's key, which the key source serves, and a key it does not know.
func signingKeys(t testing.TB) (*rsa.PrivateKey, *rsa.PrivateKey) {
	keysOnce.Do(func() {
		var err error
		if mainKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
		if other, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
	})
	return mainKey, other
}

// publicKey is k's public key as ListPublicKeys gives it.
func publicKey(k *rsa.PrivateKey, from, to time.Time) cairn.PublicKey {
	der := x509.MarshalPKCS1PublicKey(&k.PublicKey)
	sum := md5.Sum(der)
	return cairn.PublicKey{Value: der, ValidityStart: from, ValidityEnd: to, Fingerprint: hex.EncodeToString(sum[:])}
}

func fingerprint(k *rsa.PrivateKey) string { return publicKey(k, time.Time{}, time.Time{}).Fingerprint }

// fakeKeys is a KeySource serving fixed keys of one region; it records the
// windows asked for.
type fakeKeys struct {
	mu     sync.Mutex
	region string
	keys   []cairn.PublicKey
	asked  [][2]time.Time
}

func (f *fakeKeys) PublicKeys(_ context.Context, region string, start, end time.Time) ([]cairn.PublicKey, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asked = append(f.asked, [2]time.Time{start, end})
	var out []cairn.PublicKey
	for _, k := range f.keys {
		if region == f.region && !k.ValidityEnd.Before(start) && !k.ValidityStart.After(end) {
			out = append(out, k)
		}
	}
	return out, nil
}

// digestDoc is a digest file (spec §6.2) in AWS's member order.
type digestDoc struct {
	AWSAccountID                string       `json:"awsAccountId"`
	DigestStartTime             string       `json:"digestStartTime"`
	DigestEndTime               string       `json:"digestEndTime"`
	DigestS3Bucket              string       `json:"digestS3Bucket"`
	DigestS3Object              string       `json:"digestS3Object"`
	DigestPublicKeyFingerprint  string       `json:"digestPublicKeyFingerprint"`
	DigestSignatureAlgorithm    string       `json:"digestSignatureAlgorithm"`
	NewestEventTime             *string      `json:"newestEventTime"`
	OldestEventTime             *string      `json:"oldestEventTime"`
	PreviousDigestS3Bucket      *string      `json:"previousDigestS3Bucket"`
	PreviousDigestS3Object      *string      `json:"previousDigestS3Object"`
	PreviousDigestHashValue     *string      `json:"previousDigestHashValue"`
	PreviousDigestHashAlgorithm *string      `json:"previousDigestHashAlgorithm"`
	PreviousDigestSignature     *string      `json:"previousDigestSignature"`
	LogFiles                    []logFileDoc `json:"logFiles"`
}

type logFileDoc struct {
	S3Bucket        string `json:"s3Bucket"`
	S3Object        string `json:"s3Object"`
	HashValue       string `json:"hashValue"`
	HashAlgorithm   string `json:"hashAlgorithm"`
	NewestEventTime string `json:"newestEventTime"`
	OldestEventTime string `json:"oldestEventTime"`
}

// fxDigest is a digest the fixture wrote.
type fxDigest struct {
	Key      string
	Doc      digestDoc
	Body     []byte // the JSON, uncompressed
	Meta     map[string]string
	Backfill bool
}

// fixture is a bucket holding a trail's files:
//
//	D0 10:00:31–11:00:31  starting digest, 2 log files
//	D1 11:00:31–12:00:31  1 log file
//	D2 12:00:31–13:00:31  2 log files
//	   (no delivery from 13:00:31 to 15:00:31)
//	D3 15:00:31–16:00:31  starting digest after the gap, 1 log file
type fixture struct {
	t       testing.TB
	store   cairn.ObjectStore
	bucket  string
	prefix  string
	keys    *fakeKeys
	key     *rsa.PrivateKey
	digests []*fxDigest
	// makeBucket creates a bucket in store.
	makeBucket func(name string)
	// bucketDir is the bucket's directory in a local store.
	bucketDir string
}

// newFileFixture writes the fixture into a fresh local bucket.
func newFileFixture(t testing.TB) *fixture {
	root := t.TempDir()
	if err := os.Mkdir(filepath.Join(root, fxBucket), 0o755); err != nil {
		t.Fatal(err)
	}
	st, err := file.New(root)
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, st, fxBucket)
	f.bucketDir = filepath.Join(root, fxBucket)
	f.makeBucket = func(name string) {
		if err := os.Mkdir(filepath.Join(root, name), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func newFixture(t testing.TB, st cairn.ObjectStore, bucket string) *fixture {
	k, _ := signingKeys(t)
	f := &fixture{t: t, store: st, bucket: bucket, prefix: fxPrefix, key: k,
		keys: &fakeKeys{region: fxRegion, keys: []cairn.PublicKey{publicKey(k, t0.AddDate(0, 0, -30), t0.AddDate(0, 0, 30))}}}
	f.addDigest(t0, []int{2}, false, false)
	f.addDigest(t0.Add(time.Hour), []int{1}, true, false)
	f.addDigest(t0.Add(2*time.Hour), []int{2}, true, false)
	f.addDigest(t0.Add(5*time.Hour), []int{1}, false, false)
	return f
}

func fmtTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

func ptr(s string) *string { return &s }

func gz(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

func (f *fixture) put(key string, body []byte, meta map[string]string) {
	f.t.Helper()
	err := f.store.Put(context.Background(), f.bucket, key, bytes.NewReader(body), int64(len(body)),
		cairn.PutOptions{ContentType: "application/json", ContentEncoding: "gzip", Metadata: meta})
	if err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) get(key string) []byte {
	f.t.Helper()
	rc, _, err := f.store.Get(context.Background(), f.bucket, key)
	if err != nil {
		f.t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		f.t.Fatal(err)
	}
	return b
}

func (f *fixture) delete(key string) {
	f.t.Helper()
	if err := f.store.Delete(context.Background(), f.bucket, key); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) digestKey(end time.Time, backfill bool) string {
	suffix := ".json.gz"
	if backfill {
		suffix = "_backfill.json.gz"
	}
	return f.prefix + "/AWSLogs/" + fxAccount + "/CloudTrail-Digest/" + fxRegion + "/" + end.Format("2006/01/02") + "/" +
		fxAccount + "_CloudTrail-Digest_" + fxRegion + "_" + fxTrail + "_" + fxRegion + "_" + end.Format("20060102T150405Z") + suffix
}

// logKey is the key of the n-th log file delivered at t (spec §5.1).
func (f *fixture) logKey(t time.Time, n int) string {
	return f.prefix + "/AWSLogs/" + fxAccount + "/CloudTrail/" + fxRegion + "/" + t.Format("2006/01/02") + "/" +
		fxAccount + "_CloudTrail_" + fxRegion + "_" + t.Format("20060102T1504Z") + fmt.Sprintf("_Log%012dFile", n) + ".json.gz"
}

// addDigest writes the log files and the digest for the hour starting at start:
// counts[0] log files, linked to the previous digest when linked.
func (f *fixture) addDigest(start time.Time, counts []int, linked, backfill bool) *fxDigest {
	f.t.Helper()
	end := start.Add(time.Hour)
	d := &fxDigest{Key: f.digestKey(end, backfill), Backfill: backfill}
	d.Doc = digestDoc{
		AWSAccountID: fxAccount, DigestStartTime: fmtTime(start), DigestEndTime: fmtTime(end),
		DigestS3Bucket: f.bucket, DigestS3Object: d.Key, DigestSignatureAlgorithm: "SHA256withRSA",
		LogFiles: []logFileDoc{},
	}
	for i := range counts[0] {
		at := start.Add(time.Duration(5+10*i) * time.Minute)
		body := []byte(fmt.Sprintf(`{"Records":[{"eventVersion":"1.11","eventTime":"%s","eventSource":"cloudtrail.amazonaws.com","eventName":"GetTrail","awsRegion":"%s","eventID":"%d"}]}`,
			fmtTime(at.Add(-time.Minute)), fxRegion, at.Unix()))
		key := f.logKey(at, len(f.digests)*10+i)
		f.put(key, gz(body), nil)
		sum := sha256.Sum256(body)
		d.Doc.LogFiles = append(d.Doc.LogFiles, logFileDoc{S3Bucket: f.bucket, S3Object: key, HashValue: hex.EncodeToString(sum[:]),
			HashAlgorithm: "SHA-256", NewestEventTime: fmtTime(at.Add(-time.Minute)), OldestEventTime: fmtTime(at.Add(-time.Minute))})
		d.Doc.NewestEventTime, d.Doc.OldestEventTime = ptr(fmtTime(at.Add(-time.Minute))), ptr(fmtTime(start))
	}
	if linked && len(f.digests) > 0 {
		p := f.digests[len(f.digests)-1]
		sum := sha256.Sum256(p.Body)
		d.Doc.PreviousDigestS3Bucket, d.Doc.PreviousDigestS3Object = ptr(f.bucket), ptr(p.Key)
		d.Doc.PreviousDigestHashValue, d.Doc.PreviousDigestHashAlgorithm = ptr(hex.EncodeToString(sum[:])), ptr("SHA-256")
		d.Doc.PreviousDigestSignature = ptr(p.Meta["signature"])
	}
	f.digests = append(f.digests, d)
	f.sign(d, f.key)
	return d
}

// sign (re)writes d signed with k.
func (f *fixture) sign(d *fxDigest, k *rsa.PrivateKey) {
	f.t.Helper()
	d.Doc.DigestPublicKeyFingerprint = fingerprint(k)
	body, err := json.Marshal(d.Doc)
	if err != nil {
		f.t.Fatal(err)
	}
	d.Body = body
	prev := "null"
	if d.Doc.PreviousDigestSignature != nil {
		prev = *d.Doc.PreviousDigestSignature
	}
	sum := sha256.Sum256(body)
	msg := d.Doc.DigestEndTime + "\n" + d.Doc.DigestS3Bucket + "/" + d.Doc.DigestS3Object + "\n" + hex.EncodeToString(sum[:]) + "\n" + prev
	h := sha256.Sum256([]byte(msg))
	sig, err := rsa.SignPKCS1v15(rand.Reader, k, crypto.SHA256, h[:])
	if err != nil {
		f.t.Fatal(err)
	}
	d.Meta = map[string]string{"signature": hex.EncodeToString(sig), "signature-algorithm": "SHA256withRSA"}
	if d.Backfill {
		d.Meta["backfill-generation-timestamp"] = fmtTime(t0.Add(8 * time.Hour))
	}
	f.put(d.Key, gz(body), d.Meta)
}

// logFile is the n-th log file of digest i.
func (f *fixture) logFile(i, n int) string { return f.digests[i].Doc.LogFiles[n].S3Object }
