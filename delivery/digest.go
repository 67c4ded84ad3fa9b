package delivery

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/cairnhq/cairn"
	"github.com/cairnhq/cairn/service/cloudtrail"
)

// DefaultDigestInterval is how often digests are written.
const DefaultDigestInterval = time.Hour

// Digest signing (spec §6.3).
const (
	SignatureAlgorithm = "SHA256withRSA"
	hashAlgorithm      = "SHA-256"
	digestTimeLayout   = "2006-01-02T15:04:05Z"
	digestKeyTime      = "20060102T150405Z"
)

// Signer gives the key that signs a region's digests at a time.
type Signer interface {
	SigningKey(ctx context.Context, region string, at time.Time) (SigningKey, error)
}

// SigningKey is one region's digest signing key.
type SigningKey interface {
	// Fingerprint is the key's ListPublicKeys fingerprint.
	Fingerprint() string
	// Sign returns the lowercase hex RSASSA-PKCS1-v1_5 SHA-256 signature of msg.
	Sign(msg []byte) (string, error)
}

// FileRef is a delivered log file waiting for its digest.
type FileRef struct {
	Bucket, Key, SHA256 string
	Oldest, Newest      time.Time
}

// chain is the digest chain of one trail in one region.
type chain struct {
	TrailKey, Region string
	// Files were delivered since the last digest.
	Files []FileRef `json:",omitempty"`
	// LastEnd is the end of the last digest (the start of the next).
	LastEnd time.Time
	// Prev* describe the last digest; empty at the start of a chain.
	PrevBucket, PrevKey, PrevSig, PrevHash string `json:",omitempty"`
}

func chainID(trailKey, region string) string { return trailKey + "|" + region }

// DigestJob is a signed digest file waiting to be stored. Its bytes are fixed when it
// is planned, so storing it again writes the same object.
type DigestJob struct {
	TrailKey  string
	TrailARN  string
	Region    string
	Bucket    string
	Key       string
	Body      json.RawMessage // the digest JSON, as signed
	Signature string
	End       time.Time
}

func (j *DigestJob) id() string { return "digest/" + j.Bucket + "/" + j.Key }

// DigestKey returns the key of a digest file (spec §6.1): the region it covers, the
// trail's name and home region, and its end time (with seconds) name it.
func DigestKey(prefix, account, region, trailName, homeRegion string, end time.Time) string {
	end = end.UTC()
	k := "AWSLogs/" + account + "/CloudTrail-Digest/" + region + "/" + end.Format("2006/01/02") + "/" +
		account + "_CloudTrail-Digest_" + region + "_" + trailName + "_" + homeRegion + "_" + end.Format(digestKeyTime) + ".json.gz"
	if prefix != "" {
		k = prefix + "/" + k
	}
	return k
}

// digestFile is the digest JSON (spec §6.2), in AWS's field order.
type digestFile struct {
	AWSAccountID                string          `json:"awsAccountId"`
	DigestStartTime             string          `json:"digestStartTime"`
	DigestEndTime               string          `json:"digestEndTime"`
	DigestS3Bucket              string          `json:"digestS3Bucket"`
	DigestS3Object              string          `json:"digestS3Object"`
	DigestPublicKeyFingerprint  string          `json:"digestPublicKeyFingerprint"`
	DigestSignatureAlgorithm    string          `json:"digestSignatureAlgorithm"`
	NewestEventTime             *string         `json:"newestEventTime"`
	OldestEventTime             *string         `json:"oldestEventTime"`
	PreviousDigestS3Bucket      *string         `json:"previousDigestS3Bucket"`
	PreviousDigestS3Object      *string         `json:"previousDigestS3Object"`
	PreviousDigestHashValue     *string         `json:"previousDigestHashValue"`
	PreviousDigestHashAlgorithm *string         `json:"previousDigestHashAlgorithm"`
	PreviousDigestSignature     *string         `json:"previousDigestSignature"`
	LogFiles                    []digestLogFile `json:"logFiles"`
}

type digestLogFile struct {
	S3Bucket        string `json:"s3Bucket"`
	S3Object        string `json:"s3Object"`
	HashValue       string `json:"hashValue"`
	HashAlgorithm   string `json:"hashAlgorithm"`
	NewestEventTime string `json:"newestEventTime"`
	OldestEventTime string `json:"oldestEventTime"`
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func fmtDigestTime(t time.Time) string { return t.UTC().Format(digestTimeLayout) }

// StringToSign is what a digest's signature signs (spec §6.3).
func StringToSign(endTime, bucket, key string, body []byte, prevSig string) []byte {
	sum := sha256.Sum256(body)
	if prevSig == "" {
		prevSig = "null"
	}
	return []byte(endTime + "\n" + bucket + "/" + key + "\n" + hex.EncodeToString(sum[:]) + "\n" + prevSig)
}

// buildDigest writes and signs the digest of chain c for the period [c.LastEnd, end)
// of trail t, and advances the chain to it.
func (s *Scheduler) buildDigest(ctx context.Context, t *cloudtrail.Trail, c *chain, end time.Time) (*DigestJob, error) {
	key := DigestKey(t.S3KeyPrefix, t.Account, c.Region, t.Name, t.HomeRegion, end)
	d := digestFile{
		AWSAccountID:             t.Account,
		DigestStartTime:          fmtDigestTime(c.LastEnd),
		DigestEndTime:            fmtDigestTime(end),
		DigestS3Bucket:           t.S3BucketName,
		DigestS3Object:           key,
		DigestSignatureAlgorithm: SignatureAlgorithm,
		PreviousDigestS3Bucket:   optional(c.PrevBucket),
		PreviousDigestS3Object:   optional(c.PrevKey),
		PreviousDigestHashValue:  optional(c.PrevHash),
		PreviousDigestSignature:  optional(c.PrevSig),
		LogFiles:                 []digestLogFile{},
	}
	if c.PrevKey != "" {
		d.PreviousDigestHashAlgorithm = optional(hashAlgorithm)
	}
	var oldest, newest time.Time
	for _, f := range c.Files {
		d.LogFiles = append(d.LogFiles, digestLogFile{
			S3Bucket: f.Bucket, S3Object: f.Key, HashValue: f.SHA256, HashAlgorithm: hashAlgorithm,
			NewestEventTime: fmtDigestTime(f.Newest), OldestEventTime: fmtDigestTime(f.Oldest),
		})
		if oldest.IsZero() || f.Oldest.Before(oldest) {
			oldest = f.Oldest
		}
		if f.Newest.After(newest) {
			newest = f.Newest
		}
	}
	if len(c.Files) > 0 {
		d.OldestEventTime, d.NewestEventTime = optional(fmtDigestTime(oldest)), optional(fmtDigestTime(newest))
	}
	sk, err := s.cfg.Signer.SigningKey(ctx, c.Region, end)
	if err != nil {
		return nil, fmt.Errorf("digest key of %s: %w", c.Region, err)
	}
	d.DigestPublicKeyFingerprint = sk.Fingerprint()
	body, err := json.Marshal(&d)
	if err != nil {
		return nil, fmt.Errorf("encode digest: %w", err)
	}
	sig, err := sk.Sign(StringToSign(d.DigestEndTime, t.S3BucketName, key, body, c.PrevSig))
	if err != nil {
		return nil, fmt.Errorf("sign digest: %w", err)
	}
	sum := sha256.Sum256(body)
	c.Files = nil
	c.LastEnd = end
	c.PrevBucket, c.PrevKey, c.PrevSig, c.PrevHash = t.S3BucketName, key, sig, hex.EncodeToString(sum[:])
	return &DigestJob{TrailKey: t.Key(), TrailARN: t.ARN(), Region: c.Region, Bucket: t.S3BucketName, Key: key,
		Body: body, Signature: sig, End: end}, nil
}

// planDigests closes the digest period ending at end: for every trail with log file
// validation that was logging in the period, one signed digest per region it has a
// chain in (its home region always), stored with the state.
func (s *Scheduler) planDigests(ctx context.Context, end time.Time) {
	if s.cfg.Signer == nil {
		return
	}
	start := end.Add(-s.cfg.DigestInterval)
	trails, err := s.loggingTrails(ctx, time.Time{})
	if err != nil {
		s.log.Warn("delivery: list trails for digests", "err", err)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	prevChains := map[string]*chain{}
	for k, c := range s.st.Chains {
		cp := *c
		prevChains[k] = &cp
	}
	prevJobs := append([]*DigestJob(nil), s.st.DigestJobs...)
	if s.st.Chains == nil {
		s.st.Chains = map[string]*chain{}
	}
	live := map[string]bool{}
	for _, t := range trails {
		if !t.LogFileValidationEnabled {
			continue
		}
		live[t.Key()] = true
		if !loggedDuring(t, start, end) {
			// Not logging for a whole period: the chain ends; the next digest starts a new one.
			for k, c := range s.st.Chains {
				if c.TrailKey == t.Key() && len(c.Files) == 0 {
					delete(s.st.Chains, k)
				}
			}
			continue
		}
		regions := map[string]bool{t.HomeRegion: true}
		for _, c := range s.st.Chains {
			if c.TrailKey == t.Key() {
				regions[c.Region] = true
			}
		}
		names := make([]string, 0, len(regions))
		for r := range regions {
			names = append(names, r)
		}
		sort.Strings(names)
		restarted := lastStart(t)
		for _, r := range names {
			c := s.st.Chains[chainID(t.Key(), r)]
			if c == nil {
				c = &chain{TrailKey: t.Key(), Region: r, LastEnd: maxTime(start, restarted)}
				s.st.Chains[chainID(t.Key(), r)] = c
			}
			if restarted.After(c.LastEnd) && c.PrevKey != "" {
				// Logging stopped and started again since the last digest: a new chain.
				c.PrevBucket, c.PrevKey, c.PrevSig, c.PrevHash = "", "", "", ""
				c.LastEnd = restarted
			}
			if !c.LastEnd.Before(end) {
				continue
			}
			job, err := s.buildDigest(ctx, t, c, end)
			if err != nil {
				s.log.Error("delivery: build digest", "trail", t.ARN(), "region", r, "err", err)
				s.st.Chains, s.st.DigestJobs = prevChains, prevJobs
				return
			}
			s.st.DigestJobs = append(s.st.DigestJobs, job)
		}
	}
	for k, c := range s.st.Chains {
		if !live[c.TrailKey] {
			delete(s.st.Chains, k)
		}
	}
	s.st.DigestTime = end
	if err := s.save(ctx); err != nil {
		s.log.Warn("delivery: store planned digests", "err", err)
		s.st.Chains, s.st.DigestJobs = prevChains, prevJobs
	}
}

// loggedDuring reports whether t was logging at some time in [start, end).
func loggedDuring(t *cloudtrail.Trail, start, end time.Time) bool {
	for _, p := range t.LoggingPeriods {
		if p.Start.Before(end) && (p.Stop.IsZero() || p.Stop.After(start)) {
			return true
		}
	}
	return false
}

func lastStart(t *cloudtrail.Trail) time.Time {
	if n := len(t.LoggingPeriods); n > 0 {
		return t.LoggingPeriods[n-1].Start
	}
	return time.Time{}
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// addToChains records delivered log files for the digests of trail t.
func (s *Scheduler) addToChains(t *cloudtrail.Trail, files []LogFile) {
	if s.cfg.Signer == nil || !t.LogFileValidationEnabled {
		return
	}
	if s.st.Chains == nil {
		s.st.Chains = map[string]*chain{}
	}
	for _, f := range files {
		id := chainID(t.Key(), f.Region)
		c := s.st.Chains[id]
		if c == nil {
			c = &chain{TrailKey: t.Key(), Region: f.Region, LastEnd: s.digestPeriodStart(t)}
			s.st.Chains[id] = c
		}
		c.Files = append(c.Files, FileRef{Bucket: t.S3BucketName, Key: f.Key, SHA256: f.SHA256, Oldest: f.Oldest, Newest: f.Newest})
	}
}

// digestPeriodStart is where a new chain of t starts: the start of the current digest
// period, or the start of logging if that is later.
func (s *Scheduler) digestPeriodStart(t *cloudtrail.Trail) time.Time {
	p := s.cfg.Clock.Now().Truncate(s.cfg.DigestInterval)
	return maxTime(p, lastStart(t))
}

// storeDigests stores the planned digest files.
func (s *Scheduler) storeDigests(ctx context.Context) {
	s.mu.Lock()
	now := s.cfg.Clock.Now()
	var due []*DigestJob
	for _, j := range s.st.DigestJobs {
		if s.ready(j.id(), now) {
			due = append(due, j)
		}
	}
	s.mu.Unlock()
	for _, j := range due {
		if ctx.Err() != nil {
			return
		}
		var gz bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
		_, _ = zw.Write(j.Body)
		_ = zw.Close()
		err := s.cfg.Store.Put(ctx, j.Bucket, j.Key, bytes.NewReader(gz.Bytes()), int64(gz.Len()), cairn.PutOptions{
			ContentType: "application/json", ContentEncoding: "gzip",
			Metadata: map[string]string{"signature": j.Signature, "signature-algorithm": SignatureAlgorithm},
		})
		now := s.cfg.Clock.Now()
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			s.failures.Add(1)
			s.mu.Lock()
			d := s.failed(j.id(), now)
			s.mu.Unlock()
			s.log.Warn("digest delivery failed; will retry", "trail", j.TrailARN, "key", j.Key, "retry_in", d, "err", err)
			s.statusKey(ctx, j.TrailKey, func(st *cloudtrail.DeliveryStatus) { st.LatestDigestDeliveryError = errorCode(err) })
			continue
		}
		s.mu.Lock()
		delete(s.backoff, j.id())
		prev := s.st.DigestJobs
		kept := make([]*DigestJob, 0, len(prev))
		for _, x := range prev {
			if x != j {
				kept = append(kept, x)
			}
		}
		s.st.DigestJobs = kept
		err = s.save(ctx)
		if err != nil {
			s.st.DigestJobs = prev
		}
		s.mu.Unlock()
		if err != nil {
			s.log.Warn("delivery: store finished digest", "err", err)
			continue
		}
		s.digests.Add(1)
		s.statusKey(ctx, j.TrailKey, func(st *cloudtrail.DeliveryStatus) {
			st.LatestDigestDeliveryTime = now
			st.LatestDigestDeliveryError = ""
		})
	}
}
