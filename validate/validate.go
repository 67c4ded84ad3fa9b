package validate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/cairnhq/cairn"
)

// Options says what to validate and where to write the report.
type Options struct {
	// Store holds the digest and log files; Keys serves the signing keys.
	Store cairn.ObjectStore
	Keys  cairn.KeySource

	// TrailARN names the trail ("arn:aws:cloudtrail:<home>:<account>:trail/<name>").
	TrailARN string
	// Bucket and Prefix locate the digests ("": no prefix); the CLI takes them
	// from DescribeTrails unless --s3-bucket is given.
	Bucket string
	Prefix string
	// AccountID is the account whose files are validated; "" takes the ARN's.
	AccountID string
	// OrganizationID is set for organization trails, whose keys have it after
	// AWSLogs/.
	OrganizationID string
	// Region is the region whose digests are validated and whose keys are
	// asked for (the CLI's --region); "" is the trail's home region.
	Region string

	// Start and End bound the delivery times validated; a zero End is now.
	Start, End time.Time

	// Verbose prints a line for every valid file too.
	Verbose bool
	// Out gets what the CLI writes to stdout (nil: discarded), ErrOut what it
	// writes to stderr: invalid files and gaps (nil: Out).
	Out, ErrOut io.Writer
	// Clock gives the default End (nil: the system clock).
	Clock cairn.Clock
}

// Result counts what Run found.
type Result struct {
	ValidDigests, InvalidDigests                 int
	ValidBackfillDigests, InvalidBackfillDigests int
	ValidLogs, InvalidLogs                       int
	// FoundStart and FoundEnd span the valid digests, clipped to the requested
	// window ("Results found for …"); zero when no digest was valid.
	FoundStart, FoundEnd time.Time
}

// Invalid reports whether any digest or log file was invalid or missing.
func (r Result) Invalid() bool {
	return r.InvalidDigests+r.InvalidBackfillDigests+r.InvalidLogs > 0
}

// ExitCode is the CLI's exit status for r: 1 when anything is invalid, else 0.
func (r Result) ExitCode() int {
	if r.Invalid() {
		return 1
	}
	return 0
}

// Run validates the trail's digest and log files delivered between Start and
// End, printing the CLI's report, and returns the counts. An error means the
// validation could not be done: an invalid ARN or time range (ErrInvalidTrailARN,
// ErrInvalidTimeRange), no public keys for the window (ErrNoPublicKeys), or a
// failing store or key source (any error but cairn.ErrNoSuchKey, which is a
// missing file); the CLI exits with 255 then. Invalid files are not errors.
//
// Differences from the CLI: digests are listed with the store's List (the CLI
// uses ListObjects v1 with a Marker); signatures must use SHA-256 (python-rsa
// accepts whichever hash the signature names); a signature whose number
// exceeds the key's modulus gets "signature verification failed" instead of a
// Python OverflowError text; a valid digest without a logFiles member ends Run
// with an error naming it (the CLI stops with a bare KeyError); keys are asked
// in Region (the CLI asks its client's region, which is the same unless
// --region is omitted and the configured region is not the home region).
func Run(ctx context.Context, o Options) (Result, error) {
	v, err := newValidator(o)
	if err != nil {
		return Result{}, err
	}
	err = v.run(ctx)
	if werr := v.p.err; err == nil && werr != nil {
		err = fmt.Errorf("write report: %w", werr)
	}
	return v.res, err
}

type validator struct {
	store   cairn.ObjectStore
	keys    cairn.KeySource
	arn     TrailARN
	layout  layout
	bucket  string
	start   time.Time
	end     time.Time
	p       *printer
	res     Result
	listing map[listID]*digestList
}

// listID names one listing of digest keys; the CLI caches listings by bucket,
// prefix and window, and its walks consume the cached lists.
type listID struct {
	bucket string
	end    time.Time
}

type digestList struct{ standard, backfill []string }

func newValidator(o Options) (*validator, error) {
	clock := o.Clock
	if clock == nil {
		clock = cairn.SystemClock{}
	}
	start, end := o.Start.UTC(), o.End.UTC()
	if o.End.IsZero() {
		end = clock.Now().UTC()
	}
	if start.After(end) {
		return nil, ErrInvalidTimeRange
	}
	arn, err := ParseTrailARN(o.TrailARN)
	if err != nil {
		return nil, err
	}
	if o.Store == nil || o.Keys == nil {
		return nil, errors.New("validate: Options.Store and Options.Keys are required")
	}
	l := layout{prefix: o.Prefix, org: o.OrganizationID, account: o.AccountID, source: o.Region,
		home: arn.HomeRegion, name: arn.Name}
	if l.account == "" {
		l.account = arn.Account
	}
	if l.source == "" {
		l.source = arn.HomeRegion
	}
	out := o.Out
	if out == nil {
		out = io.Discard
	}
	errOut := o.ErrOut
	if errOut == nil {
		errOut = out
	}
	return &validator{
		store: o.Store, keys: o.Keys, arn: arn, layout: l, bucket: o.Bucket, start: start, end: end,
		p:       &printer{out: out, errOut: errOut, verbose: o.Verbose, lastDouble: true},
		listing: map[listID]*digestList{},
	}, nil
}

func (v *validator) run(ctx context.Context) error {
	v.p.outf("Validating log files for trail %s between %s and %s\n\n", v.arn.ARN, displayTime(v.start), displayTime(v.end))
	if err := v.walk(ctx, false); err != nil {
		return err
	}
	if err := v.walk(ctx, true); err != nil {
		return err
	}
	v.summary()
	return nil
}

// digestKeys returns the cached list of regular or backfill digest keys of
// bucket, listing the bucket the first time.
func (v *validator) digestKeys(ctx context.Context, bucket string, end time.Time, backfill bool) (*[]string, error) {
	id := listID{bucket, end}
	l := v.listing[id]
	if l == nil {
		var err error
		if l, err = v.list(ctx, bucket, end); err != nil {
			return nil, err
		}
		v.listing[id] = l
	}
	if backfill {
		return &l.backfill, nil
	}
	return &l.standard, nil
}

// list lists the digest keys of the trail in bucket from the key of start−1min
// on, keeping those whose timestamp lies in [start, end+1h] and stopping at the
// first one after.
func (v *validator) list(ctx context.Context, bucket string, end time.Time) (*digestList, error) {
	const page = 1000
	prefix := v.layout.digestPrefix()
	after := v.layout.digestKey(v.start.Add(-time.Minute))
	pattern := v.layout.keyPattern()
	from, to := keyTime(v.start), keyTime(end.Add(time.Hour))
	l := &digestList{}
	for {
		objs, err := v.store.List(ctx, bucket, prefix, after, page)
		if err != nil {
			return nil, fmt.Errorf("list digest files in %s: %w", bucket, err)
		}
		if len(objs) == 0 {
			return l, nil
		}
		for _, o := range objs {
			if o.Key == "" || !pattern.MatchString(o.Key) {
				continue
			}
			ts := keyDate(o.Key)
			if ts > to {
				return l, nil
			}
			if ts < from {
				continue
			}
			if isBackfill(o.Key) {
				l.backfill = append(l.backfill, o.Key)
			} else {
				l.standard = append(l.standard, o.Key)
			}
		}
		after = objs[len(objs)-1].Key
	}
}

// publicKeys asks for the keys valid in [start, end], by fingerprint.
func (v *validator) publicKeys(ctx context.Context, start, end time.Time) (map[string][]byte, error) {
	ks, err := v.keys.PublicKeys(ctx, v.layout.source, start, end)
	if err != nil {
		return nil, fmt.Errorf("list public keys: %w", err)
	}
	if len(ks) == 0 {
		return nil, fmt.Errorf("%w between %s and %s", ErrNoPublicKeys, displayTime(start), displayTime(end))
	}
	m := make(map[string][]byte, len(ks))
	for _, k := range ks {
		m[k.Fingerprint] = k.Value
	}
	return m, nil
}

// popDigest takes the next older digest key off the end of keys: the last one,
// or the last one older than before. It returns "" when there is none.
func popDigest(keys *[]string, before string) (string, time.Time, error) {
	var limit time.Time
	if before != "" {
		var err error
		if limit, err = parseKeyDate(before); err != nil {
			return "", time.Time{}, err
		}
	}
	for len(*keys) > 0 {
		k := (*keys)[len(*keys)-1]
		*keys = (*keys)[:len(*keys)-1]
		t, err := parseKeyDate(k)
		if err != nil {
			return "", time.Time{}, err
		}
		if before == "" || t.Before(limit) {
			return k, t, nil
		}
	}
	return "", time.Time{}, nil
}

// walk validates one chain of digests (the regular ones, or the backfill ones)
// from the newest back to the first that starts before Start.
func (v *validator) walk(ctx context.Context, backfill bool) error {
	bucket := v.bucket
	keys, err := v.digestKeys(ctx, bucket, v.end, backfill)
	if err != nil {
		return err
	}
	pub := map[string][]byte{}
	if !backfill {
		if pub, err = v.publicKeys(ctx, v.start, v.end.Add(2*time.Hour)); err != nil {
			return err
		}
	}
	key, lastStart, err := popDigest(keys, "")
	if err != nil {
		return err
	}
	for key != "" && !v.start.After(lastStart) {
		d, bad, err := v.loadDigest(ctx, pub, bucket, key, backfill)
		if err != nil {
			return err
		}
		if bad != nil {
			if bad.missing {
				v.p.errorf("%sDigest file\ts3://%s/%s\tINVALID: not found", tag(backfill), bucket, key)
			} else {
				v.p.errorf("%s%s", tag(backfill), bad.msg)
			}
			if backfill {
				v.res.InvalidBackfillDigests++
			} else {
				v.res.InvalidDigests++
			}
			if key, _, err = popDigest(keys, key); err != nil {
				return err
			}
			continue
		}
		lastStart = d.start
		if err := v.accept(ctx, d, backfill); err != nil {
			return err
		}
		if d.prevBucket == "" || d.prevKey == "" {
			// The chain starts here: go on with the next older digest listed,
			// after a gap in delivery.
			next, nextEnd, err := popDigest(keys, key)
			if err != nil {
				return err
			}
			if next != "" {
				v.p.errorf("%sNo log files were delivered by CloudTrail between %s and %s",
					tag(backfill), displayTime(nextEnd), displayTime(lastStart))
			}
			key = next
			continue
		}
		key = d.prevKey
		if d.prevBucket != bucket {
			bucket = d.prevBucket
			if keys, err = v.digestKeys(ctx, bucket, d.end, backfill); err != nil {
				return err
			}
		}
	}
	return nil
}

// accept counts and prints a valid digest, then checks its log files.
func (v *validator) accept(ctx context.Context, d *digest, backfill bool) error {
	// Only valid digests widen the span reported as found, clipped to the
	// requested window.
	if s := maxTime(d.start, v.start); v.res.FoundStart.IsZero() || s.Before(v.res.FoundStart) {
		v.res.FoundStart = s
	}
	if e := minTime(d.end, v.end); v.res.FoundEnd.IsZero() || e.After(v.res.FoundEnd) {
		v.res.FoundEnd = e
	}
	if backfill {
		v.res.ValidBackfillDigests++
	} else {
		v.res.ValidDigests++
	}
	v.p.status("%sDigest file\ts3://%s/%s\tvalid", tag(backfill), d.bucket, d.key)
	logs, err := d.logFiles()
	if err != nil {
		return err
	}
	for _, lf := range logs {
		if err := v.checkLog(ctx, lf); err != nil {
			return err
		}
	}
	return nil
}

func (v *validator) summary() {
	p, r := v.p, &v.res
	if !p.lastDouble {
		p.outf("\n")
	}
	p.outf("Results requested for %s to %s\n", displayTime(v.start), displayTime(v.end))
	valid, invalid := r.ValidDigests+r.ValidBackfillDigests, r.InvalidDigests+r.InvalidBackfillDigests
	if valid == 0 && invalid == 0 {
		p.outf("No digests found\n")
		return
	}
	if r.FoundStart.IsZero() || r.FoundEnd.IsZero() {
		p.outf("No valid digests found in range\n")
	} else {
		p.outf("Results found for %s to %s:\n", displayTime(r.FoundStart), displayTime(r.FoundEnd))
	}
	p.ratio(r.ValidDigests, r.InvalidDigests, "digest")
	p.ratio(r.ValidBackfillDigests, r.InvalidBackfillDigests, "backfill digest")
	p.ratio(r.ValidLogs, r.InvalidLogs, "log")
	p.outf("\n")
}

func tag(backfill bool) string {
	if backfill {
		return "(backfill) "
	}
	return ""
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// printer writes the report like the CLI: valid files (with Verbose) to out,
// invalid ones to errOut set off by blank lines, which the CLI keeps from
// doubling with lastDouble.
type printer struct {
	out, errOut io.Writer
	verbose     bool
	lastDouble  bool
	err         error // the first write error
}

func (p *printer) write(w io.Writer, s string) {
	if p.err == nil {
		_, p.err = io.WriteString(w, s)
	}
}

func (p *printer) outf(format string, args ...any) { p.write(p.out, fmt.Sprintf(format, args...)) }

// status prints a valid file's line when verbose.
func (p *printer) status(format string, args ...any) {
	if p.verbose {
		p.lastDouble = false
		p.write(p.out, fmt.Sprintf(format, args...)+"\n")
	}
}

// errorf prints an invalid file's or a gap's line.
func (p *printer) errorf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if !p.lastDouble {
		msg = "\n" + msg
	}
	p.lastDouble = true
	p.write(p.errOut, msg+"\n\n")
}

func (p *printer) ratio(valid, invalid int, name string) {
	total := valid + invalid
	if total == 0 {
		return
	}
	p.outf("\n%d/%d %s files valid", valid, total, name)
	if invalid > 0 {
		p.outf(", %d/%d %s files INVALID", invalid, total, name)
	}
}
