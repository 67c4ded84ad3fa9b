package validate

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Errors that end a validation before any file is checked. Their texts are the
// CLI's.
var (
	ErrInvalidTrailARN  = errors.New("Invalid trail ARN provided")
	ErrInvalidTimeRange = errors.New("Invalid time range specified: start-time must occur before end-time")
	ErrNoPublicKeys     = errors.New("No public keys found")
	ErrInvalidDate      = errors.New("Unable to parse date value")
)

// arnPattern is the CLI's check of a trail ARN; like Python's re.match it is
// anchored at the start only.
var arnPattern = regexp.MustCompile(`^arn:.+:cloudtrail:.+:\d{12}:trail/.+`)

// TrailARN is a trail ARN split the way the CLI splits it.
type TrailARN struct {
	ARN        string
	HomeRegion string // the fourth ':' field
	Account    string // the fifth ':' field
	Name       string // the text after the last '/'
}

// ParseTrailARN checks arn like the CLI and splits it. The error wraps
// ErrInvalidTrailARN.
func ParseTrailARN(arn string) (TrailARN, error) {
	if !arnPattern.MatchString(arn) {
		return TrailARN{}, fmt.Errorf("%w: %s", ErrInvalidTrailARN, arn)
	}
	f := strings.Split(arn, ":")
	return TrailARN{ARN: arn, HomeRegion: f[3], Account: f[4], Name: arn[strings.LastIndexByte(arn, '/')+1:]}, nil
}

// Time layouts of the CLI.
const (
	keyTimeLayout     = "20060102T150405Z"     // digest key timestamps (DATE_FORMAT)
	displayTimeLayout = "2006-01-02T15:04:05Z" // output (DISPLAY_DATE_FORMAT)
)

func displayTime(t time.Time) string { return t.UTC().Format(displayTimeLayout) }
func keyTime(t time.Time) string     { return t.UTC().Format(keyTimeLayout) }

// timeLayouts are the forms ParseTime accepts: the ISO 8601 shapes dateutil
// parses that people write. Time zone offsets are read and then dropped (see
// ParseTime).
var timeLayouts = []string{
	"2006-01-02T15:04:05Z07:00", // also takes fractional seconds
	"2006-01-02T15:04:05-0700",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	"2006-01-02",
	"20060102T150405Z07:00",
	"20060102T150405",
	"20060102T1504",
	"20060102",
	"2006/01/02 15:04:05",
	"2006/01/02",
}

// ParseTime reads a --start-time or --end-time value: ISO 8601 dates and times
// ("2026-11-25T10:00:00Z", "2026-11-25T10:00", "2026-11-25", "20261125T100000Z")
// or, unlike the CLI, epoch seconds ("1764064800", "1764064800.5").
//
// Like the CLI, which parses with dateutil and then replaces the time zone with
// UTC, ParseTime takes the written wall-clock time as UTC and ignores any offset:
// "2026-11-25T10:00:00+02:00" is 10:00 UTC. The error wraps ErrInvalidDate and
// reads like the CLI's.
func ParseTime(s string) (time.Time, error) {
	v := strings.TrimSpace(s)
	if isEpoch(v) {
		f, err := strconv.ParseFloat(v, 64)
		if err == nil {
			sec := int64(f)
			return time.Unix(sec, int64((f-float64(sec))*1e9)).UTC().Round(time.Microsecond), nil
		}
	}
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, v); err == nil {
			return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC), nil
		}
	}
	return time.Time{}, fmt.Errorf("%w: %s", ErrInvalidDate, s)
}

// isEpoch reports whether s is a number of seconds: digits with at most one '.',
// but not the 8 digits of a YYYYMMDD date.
func isEpoch(s string) bool {
	if s == "" || len(s) == 8 && !strings.Contains(s, ".") {
		return false
	}
	dot := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '.' && !dot && i > 0:
			dot = true
		case c < '0' || c > '9':
			return false
		}
	}
	return true
}

// layout is where one trail's digests of one region live in a bucket.
type layout struct {
	prefix  string // S3 key prefix, "" for none
	org     string // organization ID of an organization trail, else ""
	account string
	source  string // the region whose digests are validated
	home    string
	name    string
}

// digestPrefix is "[prefix/]AWSLogs/[org/]account/CloudTrail-Digest/source".
func (l layout) digestPrefix() string {
	p := "AWSLogs/"
	if l.org != "" {
		p += l.org + "/"
	}
	p += l.account + "/CloudTrail-Digest/" + l.source
	if l.prefix != "" {
		p = l.prefix + "/" + p
	}
	return p
}

// digestKey is the key a digest ending at t would have; the CLI lists from the
// one of start−1min.
func (l layout) digestKey(t time.Time) string {
	t = t.UTC()
	return l.digestPrefix() + "/" + t.Format("2006/01/02") + "/" + l.account + "_CloudTrail-Digest_" +
		l.source + "_" + l.name + "_" + l.home + "_" + keyTime(t) + ".json.gz"
}

// keyPattern matches the digest keys (regular and backfill) of the trail; like
// the CLI's, its only variable parts are the date folders and the timestamp.
func (l layout) keyPattern() *regexp.Regexp {
	q := regexp.QuoteMeta
	p := "AWSLogs/"
	if l.org != "" {
		p += l.org + "/" // not escaped, as in the CLI
	}
	p += q(l.account) + `/CloudTrail\-Digest/` + q(l.source) + `/\d+/\d+/\d+/` + q(l.account) + `_CloudTrail\-Digest_` +
		q(l.source) + "_" + q(l.name) + "_" + q(l.home) + `_.+(?:_backfill)?\.json\.gz`
	if l.prefix != "" {
		p = q(l.prefix) + "/" + p
	}
	return regexp.MustCompile("^" + p + "$")
}

const backfillSuffix = "_backfill.json.gz"

func isBackfill(key string) bool { return strings.HasSuffix(key, backfillSuffix) }

// keyDate is the timestamp text of a digest key, cut at the CLI's fixed offsets
// from the end (Python slice semantics for short keys).
func keyDate(key string) string {
	from, to := 24, 8
	if isBackfill(key) {
		from, to = 33, 17
	}
	i, j := max(len(key)-from, 0), max(len(key)-to, 0)
	return key[i:j]
}

// parseKeyDate reads the timestamp of a digest key.
func parseKeyDate(key string) (time.Time, error) {
	s := keyDate(key)
	t, err := time.Parse(keyTimeLayout, s)
	if err != nil {
		return ParseTime(s)
	}
	return t, nil
}
