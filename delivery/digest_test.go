package delivery_test

import (
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
	"io"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/cairnhq/cairn/delivery"
	"github.com/cairnhq/cairn/service/cloudtrail"
)

// rsaSigner signs with one RSA key for every region, as a KeyRing does within a
// rotation period.
type rsaSigner struct{ key *rsa.PrivateKey }

func (s rsaSigner) SigningKey(context.Context, string, time.Time) (delivery.SigningKey, error) {
	return s, nil
}

func (s rsaSigner) Fingerprint() string {
	sum := md5.Sum(x509.MarshalPKCS1PublicKey(&s.key.PublicKey))
	return hex.EncodeToString(sum[:])
}

func (s rsaSigner) Sign(msg []byte) (string, error) {
	h := sha256.Sum256(msg)
	sig, err := rsa.SignPKCS1v15(rand.Reader, s.key, crypto.SHA256, h[:])
	return hex.EncodeToString(sig), err
}

var digestKeyRE = regexp.MustCompile(`^AWSLogs/(\d{12})/CloudTrail-Digest/([a-z0-9-]+)/(\d{4})/(\d{2})/(\d{2})/(\d{12})_CloudTrail-Digest_([a-z0-9-]+)_trail1_us-east-1_(\d{8}T\d{6}Z)\.json\.gz$`)

type digestDoc struct {
	AWSAccountID, DigestStartTime, DigestEndTime, DigestS3Bucket, DigestS3Object string
	DigestPublicKeyFingerprint, DigestSignatureAlgorithm                         string
	NewestEventTime, OldestEventTime                                             *string
	PreviousDigestS3Bucket, PreviousDigestS3Object, PreviousDigestSignature      *string
	PreviousDigestHashValue, PreviousDigestHashAlgorithm                         *string
	LogFiles                                                                     []struct {
		S3Bucket, S3Object, HashValue, HashAlgorithm string
		NewestEventTime, OldestEventTime             string
	}
	raw       []byte
	signature string
}

// digests reads every digest file of bucket, checks its key and signature, and
// returns them by key.
func (e *env) digests(bucket string, pub *rsa.PublicKey) map[string]*digestDoc {
	e.t.Helper()
	infos, err := e.store.List(e.ctx, bucket, "AWSLogs/"+acct+"/CloudTrail-Digest/", "", 1000)
	if err != nil {
		e.t.Fatal(err)
	}
	out := map[string]*digestDoc{}
	for _, oi := range infos {
		m := digestKeyRE.FindStringSubmatch(oi.Key)
		if m == nil {
			e.t.Fatalf("digest key %q does not follow the layout", oi.Key)
		}
		rc, info, err := e.store.Get(e.ctx, bucket, oi.Key)
		if err != nil {
			e.t.Fatal(err)
		}
		zr, err := gzip.NewReader(rc)
		if err != nil {
			e.t.Fatal(err)
		}
		raw, _ := io.ReadAll(zr)
		rc.Close()
		d := &digestDoc{raw: raw, signature: info.Metadata["signature"]}
		if err := json.Unmarshal(raw, d); err != nil {
			e.t.Fatal(err)
		}
		if info.Metadata["signature-algorithm"] != "SHA256withRSA" || d.DigestSignatureAlgorithm != "SHA256withRSA" {
			e.t.Errorf("%s: algorithm %q / %q", oi.Key, info.Metadata["signature-algorithm"], d.DigestSignatureAlgorithm)
		}
		if d.DigestS3Bucket != bucket || d.DigestS3Object != oi.Key || d.AWSAccountID != acct {
			e.t.Errorf("%s: says it is %s/%s of %s", oi.Key, d.DigestS3Bucket, d.DigestS3Object, d.AWSAccountID)
		}
		if ts := strings.NewReplacer("-", "", ":", "").Replace(d.DigestEndTime); ts != m[8] {
			e.t.Errorf("%s: key time %s, digestEndTime %s", oi.Key, m[8], d.DigestEndTime)
		}
		prev := "null"
		if d.PreviousDigestSignature != nil {
			prev = *d.PreviousDigestSignature
		}
		sum := sha256.Sum256(raw)
		msg := d.DigestEndTime + "\n" + bucket + "/" + oi.Key + "\n" + hex.EncodeToString(sum[:]) + "\n" + prev
		sig, _ := hex.DecodeString(d.signature)
		h := sha256.Sum256([]byte(msg))
		if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, h[:], sig); err != nil {
			e.t.Errorf("%s: signature does not verify: %v", oi.Key, err)
		}
		out[oi.Key] = d
	}
	return out
}

func TestScheduler_Digests(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	signer := rsaSigner{key}
	e := newEnv(t)
	e.bucket("logs")
	e.trail(east, "trail1", "logs", cloudtrail.CreateTrailParams{IsMultiRegionTrail: ptr(true), EnableLogFileValidation: ptr(true)})
	s := e.open(delivery.Config{Signer: signer})

	// Period 1: events in two regions; log files and a starting digest per region.
	e.appendEvents(ev{at: time.Minute}, ev{region: west, at: 2 * time.Minute})
	e.clock.set(t0.Add(30 * time.Minute))
	flush(t, s)
	// Period 2: no events; digests all the same, chained.
	e.clock.set(t0.Add(60 * time.Minute))
	flush(t, s)
	ds := e.digests("logs", &key.PublicKey)
	if len(ds) != 4 {
		t.Fatalf("%d digests, want 2 periods × 2 regions", len(ds))
	}
	byRegion := map[string][]*digestDoc{}
	for k, d := range ds {
		r := digestKeyRE.FindStringSubmatch(k)[2]
		byRegion[r] = append(byRegion[r], d)
	}
	logs := map[string][]byte{}
	for _, f := range e.files("logs") {
		logs[f.key] = f.raw
	}
	for r, list := range byRegion {
		sort.Slice(list, func(i, j int) bool { return list[i].DigestEndTime < list[j].DigestEndTime })
		first, second := list[0], list[1]
		if first.PreviousDigestS3Object != nil || first.PreviousDigestSignature != nil || first.PreviousDigestHashValue != nil {
			t.Errorf("%s: the first digest has a previous digest", r)
		}
		if first.DigestStartTime != "2026-11-25T10:00:00Z" || first.DigestEndTime != "2026-11-25T10:30:00Z" {
			t.Errorf("%s: first digest covers %s–%s", r, first.DigestStartTime, first.DigestEndTime)
		}
		if len(first.LogFiles) != 1 || first.OldestEventTime == nil || first.NewestEventTime == nil {
			t.Fatalf("%s: first digest lists %d log files", r, len(first.LogFiles))
		}
		lf := first.LogFiles[0]
		sum := sha256.Sum256(logs[lf.S3Object])
		if lf.S3Bucket != "logs" || lf.HashValue != hex.EncodeToString(sum[:]) || lf.HashAlgorithm != "SHA-256" {
			t.Errorf("%s: log file entry %+v does not match the delivered file", r, lf)
		}
		if second.PreviousDigestS3Object == nil || *second.PreviousDigestS3Object != first.DigestS3Object ||
			*second.PreviousDigestSignature != first.signature || second.DigestStartTime != first.DigestEndTime {
			t.Errorf("%s: second digest does not chain to the first", r)
		}
		prevSum := sha256.Sum256(first.raw)
		if second.PreviousDigestHashValue == nil || *second.PreviousDigestHashValue != hex.EncodeToString(prevSum[:]) {
			t.Errorf("%s: previousDigestHashValue is not the SHA-256 of the previous digest", r)
		}
		if len(second.LogFiles) != 0 || second.OldestEventTime != nil || second.NewestEventTime != nil || second.LogFiles == nil {
			t.Errorf("%s: the empty period's digest lists %v", r, second.LogFiles)
		}
		if first.DigestPublicKeyFingerprint != signer.Fingerprint() {
			t.Errorf("fingerprint %s", first.DigestPublicKeyFingerprint)
		}
	}

	// Logging stops for more than a period, then starts again: a new chain.
	e.clock.set(t0.Add(61 * time.Minute))
	if err := e.trails.StopLogging(e.ctx, acct, east, "trail1"); err != nil {
		t.Fatal(err)
	}
	e.clock.set(t0.Add(3 * time.Hour))
	flush(t, s)
	if n := len(e.digests("logs", &key.PublicKey)); n != 4 {
		t.Fatalf("%d digests after a period without logging, want no new ones", n)
	}
	e.clock.set(t0.Add(3*time.Hour + time.Minute))
	if err := e.trails.StartLogging(e.ctx, acct, east, "trail1"); err != nil {
		t.Fatal(err)
	}
	e.appendEvents(ev{at: 3*time.Hour + 2*time.Minute})
	e.clock.set(t0.Add(3*time.Hour + 30*time.Minute))
	flush(t, s)
	var restarted *digestDoc
	for _, d := range e.digests("logs", &key.PublicKey) {
		if d.DigestEndTime == "2026-11-25T13:30:00Z" && strings.Contains(d.DigestS3Object, "/us-east-1/") {
			restarted = d
		}
	}
	if restarted == nil {
		t.Fatal("no digest after logging restarted")
	}
	if restarted.PreviousDigestS3Object != nil || restarted.DigestStartTime != "2026-11-25T13:01:00Z" || len(restarted.LogFiles) != 1 {
		t.Errorf("digest after the restart: start %s, previous %v, %d log files", restarted.DigestStartTime, restarted.PreviousDigestS3Object, len(restarted.LogFiles))
	}
	if st, err := e.trails.Status(e.ctx, acct, east, "trail1"); err != nil || st.LatestDigestDeliveryTime.IsZero() || st.LatestDigestDeliveryError != "" {
		t.Errorf("status = %+v, %v", st, err)
	}
}
