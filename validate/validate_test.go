package validate_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cairnhq/cairn"
	"github.com/cairnhq/cairn/validate"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// defaultOptions validate the whole fixture, verbosely, into out.
func defaultOptions(f *fixture, out *bytes.Buffer) validate.Options {
	return validate.Options{
		Store: f.store, Keys: f.keys, TrailARN: fxARN, Bucket: f.bucket, Prefix: f.prefix,
		Start:   time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC),
		End:     time.Date(2026, 11, 25, 16, 30, 0, 0, time.UTC),
		Verbose: true, Out: out,
	}
}

type counts struct{ digests, badDigests, backfill, badBackfill, logs, badLogs int }

func countsOf(r validate.Result) counts {
	return counts{r.ValidDigests, r.InvalidDigests, r.ValidBackfillDigests, r.InvalidBackfillDigests, r.ValidLogs, r.InvalidLogs}
}

// scenario is one state of the fixture and how to validate it.
type scenario struct {
	name   string
	tamper func(t *testing.T, f *fixture)
	opts   func(o *validate.Options)
	want   counts
	exit   int
	lines  func(f *fixture) []string // lines the report must have
}

func line(kind string, f *fixture, key, status string) string {
	return kind + "\ts3://" + f.bucket + "/" + key + "\t" + status
}

// scenarios are the fixture's states that TestRun checks (and TestRun_AWSCLI
// has the AWS CLI check too).
func scenarios(t testing.TB) []scenario {
	main, other := signingKeys(t)
	return []scenario{
		{
			name: "all-valid",
			want: counts{digests: 4, logs: 6},
			lines: func(f *fixture) []string {
				return []string{
					line("Digest file", f, f.digests[3].Key, "valid"),
					line("Log file", f, f.logFile(0, 1), "valid"),
					"No log files were delivered by CloudTrail between 2026-11-25T13:00:31Z and 2026-11-25T15:00:31Z",
					"Results found for 2026-11-25T10:00:31Z to 2026-11-25T16:00:31Z:",
					"4/4 digest files valid", "6/6 log files valid",
				}
			},
		},
		{
			name:   "log-modified",
			tamper: func(t *testing.T, f *fixture) { f.put(f.logFile(0, 1), gz([]byte(`{"Records":[]}`)), nil) },
			want:   counts{digests: 4, logs: 5, badLogs: 1}, exit: 1,
			lines: func(f *fixture) []string {
				return []string{line("Log file", f, f.logFile(0, 1), "INVALID: hash value doesn't match"),
					"5/6 log files valid, 1/6 log files INVALID"}
			},
		},
		{
			name:   "log-deleted",
			tamper: func(t *testing.T, f *fixture) { f.delete(f.logFile(2, 0)) },
			want:   counts{digests: 4, logs: 5, badLogs: 1}, exit: 1,
			lines: func(f *fixture) []string {
				return []string{line("Log file", f, f.logFile(2, 0), "INVALID: not found")}
			},
		},
		{
			name: "log-not-gzip",
			tamper: func(t *testing.T, f *fixture) {
				f.put(f.logFile(3, 0), []byte(`{"Records":[]}`), nil)
			},
			want: counts{digests: 4, logs: 5, badLogs: 1}, exit: 1,
			lines: func(f *fixture) []string {
				return []string{line("Log file", f, f.logFile(3, 0), "INVALID: invalid format")}
			},
		},
		{
			name: "digest-modified",
			tamper: func(t *testing.T, f *fixture) {
				d := f.digests[1]
				body := bytes.Replace(d.Body, []byte(`"hashAlgorithm":"SHA-256"`), []byte(`"hashAlgorithm":"SHA-256" `), 1)
				f.put(d.Key, gz(body), d.Meta)
			},
			// D1 is invalid so its log file is not checked; the walk goes on to D0.
			want: counts{digests: 3, badDigests: 1, logs: 5}, exit: 1,
			lines: func(f *fixture) []string {
				return []string{line("Digest file", f, f.digests[1].Key, "INVALID: signature verification failed"),
					line("Digest file", f, f.digests[0].Key, "valid"), "3/4 digest files valid, 1/4 digest files INVALID"}
			},
		},
		{
			name:   "digest-deleted",
			tamper: func(t *testing.T, f *fixture) { f.delete(f.digests[1].Key) },
			want:   counts{digests: 3, badDigests: 1, logs: 5}, exit: 1,
			lines: func(f *fixture) []string {
				return []string{line("Digest file", f, f.digests[1].Key, "INVALID: not found"),
					line("Digest file", f, f.digests[0].Key, "valid")}
			},
		},
		{
			name: "digest-not-gzip",
			tamper: func(t *testing.T, f *fixture) {
				f.put(f.digests[2].Key, f.digests[2].Body, f.digests[2].Meta)
			},
			want: counts{digests: 3, badDigests: 1, logs: 4}, exit: 1,
			lines: func(f *fixture) []string {
				return []string{line("Digest file", f, f.digests[2].Key, "INVALID: invalid format")}
			},
		},
		{
			name: "signature-altered",
			tamper: func(t *testing.T, f *fixture) {
				d := f.digests[2]
				sig := []byte(d.Meta["signature"])
				sig[10] = "0123456789abcdef"[(strings.IndexByte("0123456789abcdef", sig[10])+1)%16]
				f.put(d.Key, gz(d.Body), map[string]string{"signature": string(sig), "signature-algorithm": "SHA256withRSA"})
			},
			want: counts{digests: 3, badDigests: 1, logs: 4}, exit: 1,
			lines: func(f *fixture) []string {
				return []string{line("Digest file", f, f.digests[2].Key, "INVALID: signature verification failed")}
			},
		},
		{
			name: "signature-not-hex",
			tamper: func(t *testing.T, f *fixture) {
				d := f.digests[2]
				f.put(d.Key, gz(d.Body), map[string]string{"signature": "zz" + d.Meta["signature"][2:], "signature-algorithm": "SHA256withRSA"})
			},
			want: counts{digests: 3, badDigests: 1, logs: 4}, exit: 1,
			lines: func(f *fixture) []string {
				return []string{line("Digest file", f, f.digests[2].Key, "INVALID: Non-hexadecimal digit found")}
			},
		},
		{
			name:   "metadata-missing",
			tamper: func(t *testing.T, f *fixture) { f.put(f.digests[2].Key, gz(f.digests[2].Body), nil) },
			want:   counts{digests: 3, badDigests: 1, logs: 4}, exit: 1,
			lines: func(f *fixture) []string {
				return []string{line("Digest file", f, f.digests[2].Key, "INVALID: signature verification failed")}
			},
		},
		{
			name: "digest-moved",
			tamper: func(t *testing.T, f *fixture) {
				d := f.digests[3]
				moved := f.digestKey(t0.Add(6*time.Hour+time.Second), false)
				f.put(moved, gz(d.Body), d.Meta)
				f.delete(d.Key)
			},
			// The moved copy is invalid; the walk goes on with D2, and no gap is
			// reported after an invalid digest.
			want: counts{digests: 3, badDigests: 1, logs: 5}, exit: 1,
			lines: func(f *fixture) []string {
				return []string{line("Digest file", f, f.digestKey(t0.Add(6*time.Hour+time.Second), false), "INVALID: has been moved from its original location")}
			},
		},
		{
			name:   "unknown-fingerprint",
			tamper: func(t *testing.T, f *fixture) { f.sign(f.digests[2], other) },
			want:   counts{digests: 3, badDigests: 1, logs: 4}, exit: 1,
			lines: func(f *fixture) []string {
				return []string{line("Digest file", f, f.digests[2].Key, "INVALID: public key not found in region us-east-1 for fingerprint "+fingerprint(other))}
			},
		},
		{
			name: "missing-member",
			tamper: func(t *testing.T, f *fixture) {
				d := f.digests[2]
				body := bytes.Replace(d.Body, []byte(`"previousDigestSignature"`), []byte(`"previousSignature"`), 1)
				f.put(d.Key, gz(body), d.Meta)
			},
			want: counts{digests: 3, badDigests: 1, logs: 4}, exit: 1,
			lines: func(f *fixture) []string {
				return []string{line("Digest file", f, f.digests[2].Key, "INVALID: invalid format")}
			},
		},
		{
			name: "tamper",
			tamper: func(t *testing.T, f *fixture) {
				f.put(f.logFile(0, 0), gz([]byte(`{"Records":[]}`)), nil)
				f.delete(f.logFile(3, 0))
				d := f.digests[1]
				body := bytes.Replace(d.Body, []byte(`"SHA256withRSA"`), []byte(`"SHA256withRSA" `), 1)
				f.put(d.Key, gz(body), d.Meta)
			},
			want: counts{digests: 3, badDigests: 1, logs: 3, badLogs: 2}, exit: 1,
		},
		{
			name: "tamper-quiet",
			tamper: func(t *testing.T, f *fixture) {
				f.put(f.logFile(0, 0), gz([]byte(`{"Records":[]}`)), nil)
				f.delete(f.logFile(3, 0))
				f.delete(f.digests[1].Key)
			},
			opts: func(o *validate.Options) { o.Verbose = false },
			want: counts{digests: 3, badDigests: 1, logs: 3, badLogs: 2}, exit: 1,
		},
		{
			name: "window",
			opts: func(o *validate.Options) {
				o.Start = time.Date(2026, 11, 25, 11, 30, 0, 0, time.UTC)
				o.End = time.Date(2026, 11, 25, 12, 10, 0, 0, time.UTC)
			},
			// Keys stamped 11:30…13:10 (end+1h): D1 and D2; the walk stops after D1,
			// which starts before 11:30.
			want: counts{digests: 2, logs: 3},
			lines: func(f *fixture) []string {
				return []string{"Results found for 2026-11-25T11:30:00Z to 2026-11-25T12:10:00Z:", "2/2 digest files valid"}
			},
		},
		{
			name: "window-empty",
			opts: func(o *validate.Options) {
				o.Start = time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
				o.End = time.Date(2026, 11, 26, 1, 0, 0, 0, time.UTC)
			},
			lines: func(f *fixture) []string { return []string{"No digests found"} },
		},
		{
			name: "previous-in-other-bucket",
			tamper: func(t *testing.T, f *fixture) {
				archive := f.bucket + "-archive"
				f.makeBucket(archive)
				d0, d1 := f.digests[0], f.digests[1]
				f.delete(d0.Key)
				bucket := f.bucket
				f.bucket = archive
				d0.Doc.DigestS3Bucket = archive
				f.sign(d0, main)
				f.bucket = bucket
				d1.Doc.PreviousDigestS3Bucket = ptr(archive)
				f.sign(d1, main)
			},
			want: counts{digests: 4, logs: 6},
			lines: func(f *fixture) []string {
				return []string{"Digest file\ts3://" + f.bucket + "-archive/" + f.digests[0].Key + "\tvalid"}
			},
		},
		{
			name: "window-only-invalid",
			tamper: func(t *testing.T, f *fixture) {
				d := f.digests[3]
				f.put(d.Key, gz(d.Body), map[string]string{"signature": "00" + d.Meta["signature"][2:], "signature-algorithm": "SHA256withRSA"})
			},
			opts: func(o *validate.Options) {
				o.Start = time.Date(2026, 11, 25, 15, 30, 0, 0, time.UTC)
				o.End = time.Date(2026, 11, 25, 16, 10, 0, 0, time.UTC)
			},
			want: counts{badDigests: 1}, exit: 1,
			lines: func(f *fixture) []string { return []string{"No valid digests found in range"} },
		},
		{
			name:   "oldest-digest-deleted",
			tamper: func(t *testing.T, f *fixture) { f.delete(f.digests[0].Key) },
			want:   counts{digests: 3, badDigests: 1, logs: 4}, exit: 1,
			lines: func(f *fixture) []string {
				return []string{line("Digest file", f, f.digests[0].Key, "INVALID: not found")}
			},
		},
		{
			// zlib's streaming decompressor does not insist on the gzip trailer.
			name: "log-without-trailer",
			tamper: func(t *testing.T, f *fixture) {
				b := f.get(f.logFile(0, 0))
				f.put(f.logFile(0, 0), b[:len(b)-8], nil)
			},
			want: counts{digests: 4, logs: 6},
		},
		{
			name:   "log-empty",
			tamper: func(t *testing.T, f *fixture) { f.put(f.logFile(0, 0), nil, nil) },
			want:   counts{digests: 4, logs: 5, badLogs: 1}, exit: 1,
			lines: func(f *fixture) []string {
				return []string{line("Log file", f, f.logFile(0, 0), "INVALID: hash value doesn't match")}
			},
		},
		{
			// Only the first gzip member of a log file counts.
			name: "log-two-members",
			tamper: func(t *testing.T, f *fixture) {
				a, b := []byte(`{"Records":[`), []byte(`]}`)
				f.put(f.logFile(0, 0), append(gz(a), gz(b)...), nil)
				sum := sha256.Sum256(append(a, b...))
				f.digests[0].Doc.LogFiles[0].HashValue = hex.EncodeToString(sum[:])
				f.sign(f.digests[0], main)
			},
			want: counts{digests: 4, logs: 5, badLogs: 1}, exit: 1,
		},
		{
			name: "hash-uppercase",
			tamper: func(t *testing.T, f *fixture) {
				lf := &f.digests[0].Doc.LogFiles[0]
				lf.HashValue = strings.ToUpper(lf.HashValue)
				f.sign(f.digests[0], main)
			},
			want: counts{digests: 4, logs: 5, badLogs: 1}, exit: 1,
		},
		{
			name: "digest-trailing-data",
			tamper: func(t *testing.T, f *fixture) {
				d := f.digests[2]
				f.put(d.Key, append(gz(d.Body), "trailing"...), d.Meta)
			},
			want: counts{digests: 4, logs: 6},
		},
		{
			name: "digest-not-object",
			tamper: func(t *testing.T, f *fixture) {
				f.put(f.digests[2].Key, gz([]byte(`["digestPublicKeyFingerprint"]`)), f.digests[2].Meta)
			},
			want: counts{digests: 3, badDigests: 1, logs: 4}, exit: 1,
			lines: func(f *fixture) []string {
				return []string{line("Digest file", f, f.digests[2].Key, "INVALID: list indices must be integers or slices, not str")}
			},
		},
		{
			name: "digest-null",
			tamper: func(t *testing.T, f *fixture) {
				f.put(f.digests[2].Key, gz([]byte(` null `)), f.digests[2].Meta)
			},
			want: counts{digests: 3, badDigests: 1, logs: 4}, exit: 1,
			lines: func(f *fixture) []string {
				return []string{line("Digest file", f, f.digests[2].Key, "INVALID: 'NoneType' object does not support item assignment")}
			},
		},
		{
			name: "digest-bad-end-time",
			tamper: func(t *testing.T, f *fixture) {
				f.digests[2].Doc.DigestEndTime = "garbage"
				f.sign(f.digests[2], main)
			},
			want: counts{digests: 3, badDigests: 1, logs: 4}, exit: 1,
			lines: func(f *fixture) []string {
				return []string{line("Digest file", f, f.digests[2].Key, "INVALID: Unable to parse date value: garbage")}
			},
		},
		{
			name: "signature-odd-length",
			tamper: func(t *testing.T, f *fixture) {
				d := f.digests[2]
				f.put(d.Key, gz(d.Body), map[string]string{"signature": d.Meta["signature"][1:], "signature-algorithm": "SHA256withRSA"})
			},
			want: counts{digests: 3, badDigests: 1, logs: 4}, exit: 1,
			lines: func(f *fixture) []string {
				return []string{line("Digest file", f, f.digests[2].Key, "INVALID: Odd-length string")}
			},
		},
		{
			name: "signature-uppercase",
			tamper: func(t *testing.T, f *fixture) {
				d := f.digests[2]
				f.put(d.Key, gz(d.Body), map[string]string{"signature": strings.ToUpper(d.Meta["signature"]), "signature-algorithm": "x"})
			},
			want: counts{digests: 4, logs: 6},
		},
		{
			name: "quiet",
			opts: func(o *validate.Options) { o.Verbose = false },
			want: counts{digests: 4, logs: 6},
		},
		{
			name: "backfill",
			tamper: func(t *testing.T, f *fixture) {
				f.addDigest(t0.Add(3*time.Hour), []int{1}, false, true)
			},
			want: counts{digests: 4, backfill: 1, logs: 7},
			lines: func(f *fixture) []string {
				return []string{line("(backfill) Digest file", f, f.digests[4].Key, "valid"), "1/1 backfill digest files valid"}
			},
		},
		{
			name: "backfill-no-generation-time",
			tamper: func(t *testing.T, f *fixture) {
				d := f.addDigest(t0.Add(3*time.Hour), []int{1}, false, true)
				f.put(d.Key, gz(d.Body), map[string]string{"signature": d.Meta["signature"], "signature-algorithm": "SHA256withRSA"})
			},
			want: counts{digests: 4, badBackfill: 1, logs: 6}, exit: 1,
			lines: func(f *fixture) []string {
				return []string{line("(backfill) Digest file", f, f.digests[4].Key, "INVALID: invalid format"),
					"0/1 backfill digest files valid, 1/1 backfill digest files INVALID"}
			},
		},
		{
			name: "backfill-no-keys",
			tamper: func(t *testing.T, f *fixture) {
				d := f.addDigest(t0.Add(3*time.Hour), []int{1}, false, true)
				d.Meta["backfill-generation-timestamp"] = "2030-01-01T00:00:00Z"
				f.put(d.Key, gz(d.Body), d.Meta)
			},
			want: counts{digests: 4, badBackfill: 1, logs: 6}, exit: 1,
			lines: func(f *fixture) []string {
				return []string{line("(backfill) Digest file", f, f.digests[4].Key,
					"INVALID: No public keys found between 2029-12-31T23:00:00Z and 2030-01-01T01:00:00Z")}
			},
		},
	}
}

func TestRun(t *testing.T) {
	main, other := signingKeys(t)
	for _, tt := range scenarios(t) {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFileFixture(t)
			if tt.tamper != nil {
				tt.tamper(t, f)
			}
			var out bytes.Buffer
			o := defaultOptions(f, &out)
			if tt.opts != nil {
				tt.opts(&o)
			}
			res, err := validate.Run(context.Background(), o)
			if err != nil {
				t.Fatalf("Run: %v\n%s", err, out.String())
			}
			if got := countsOf(res); got != tt.want {
				t.Errorf("counts = %+v, want %+v\n%s", got, tt.want, out.String())
			}
			if got := res.ExitCode(); got != tt.exit {
				t.Errorf("exit code = %d, want %d", got, tt.exit)
			}
			if tt.lines != nil {
				for _, l := range tt.lines(f) {
					if !strings.Contains(out.String(), l+"\n") {
						t.Errorf("report lacks %q\n%s", l, out.String())
					}
				}
			}
			report := strings.NewReplacer(fingerprint(main), "<FINGERPRINT>", fingerprint(other), "<OTHER-FINGERPRINT>").Replace(out.String())
			golden(t, filepath.Join("testdata", tt.name+".golden"), report)
		})
	}
}

func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if got != string(want) {
		t.Errorf("report differs from %s (go test -update rewrites it)\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

// TestRun_Streams checks that invalid files and gaps go to ErrOut and the rest
// to Out, with the CLI's blank lines around each error line.
func TestRun_Streams(t *testing.T) {
	f := newFileFixture(t)
	f.delete(f.logFile(2, 0))
	var out, errOut bytes.Buffer
	o := defaultOptions(f, &out)
	o.ErrOut = &errOut
	if _, err := validate.Run(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	// D3 (valid) starts a chain: the gap comes next, then D2 and its log files.
	wantErr := "\nNo log files were delivered by CloudTrail between 2026-11-25T13:00:31Z and 2026-11-25T15:00:31Z\n\n" +
		"\nLog file\ts3://" + f.bucket + "/" + f.logFile(2, 0) + "\tINVALID: not found\n\n"
	if errOut.String() != wantErr {
		t.Errorf("stderr = %q, want %q", errOut.String(), wantErr)
	}
	if strings.Contains(out.String(), "\tINVALID") || !strings.HasPrefix(out.String(), "Validating log files for trail "+fxARN+" between 2026-11-25T10:00:00Z and 2026-11-25T16:30:00Z\n\n") {
		t.Errorf("stdout = %q", out.String())
	}
}

func TestRun_Errors(t *testing.T) {
	tests := []struct {
		name string
		opts func(o *validate.Options, f *fixture)
		want error
		text string
	}{
		{"invalid-arn", func(o *validate.Options, f *fixture) { o.TrailARN = "arn:aws:cloudtrail:us-east-1:1234:trail/x" },
			validate.ErrInvalidTrailARN, "Invalid trail ARN provided: arn:aws:cloudtrail:us-east-1:1234:trail/x"},
		{"time-range", func(o *validate.Options, f *fixture) { o.Start = o.End.Add(time.Second) },
			validate.ErrInvalidTimeRange, "Invalid time range specified: start-time must occur before end-time"},
		{"no-public-keys", func(o *validate.Options, f *fixture) { f.keys.keys = nil },
			validate.ErrNoPublicKeys, "No public keys found between 2026-11-25T10:00:00Z and 2026-11-25T18:30:00Z"},
		{"other-region", func(o *validate.Options, f *fixture) { o.Region = "us-west-2" },
			validate.ErrNoPublicKeys, "No public keys found between 2026-11-25T10:00:00Z and 2026-11-25T18:30:00Z"},
		{"no-bucket", func(o *validate.Options, f *fixture) { o.Bucket = "nope" }, cairn.ErrNoSuchBucket, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFileFixture(t)
			var out bytes.Buffer
			o := defaultOptions(f, &out)
			tt.opts(&o, f)
			_, err := validate.Run(context.Background(), o)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if tt.text != "" && err.Error() != tt.text {
				t.Errorf("err = %q, want %q", err.Error(), tt.text)
			}
		})
	}
}

// TestRun_KeyWindows checks the ListPublicKeys windows: [start, end+2h] for the
// regular digests and the backfill generation time ±1h for a backfill digest.
func TestRun_KeyWindows(t *testing.T) {
	f := newFileFixture(t)
	f.addDigest(t0.Add(3*time.Hour), []int{1}, false, true)
	var out bytes.Buffer
	o := defaultOptions(f, &out)
	if _, err := validate.Run(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	gen := t0.Add(8 * time.Hour)
	want := [][2]time.Time{{o.Start, o.End.Add(2 * time.Hour)}, {gen.Add(-time.Hour), gen.Add(time.Hour)}}
	if len(f.keys.asked) != len(want) {
		t.Fatalf("asked %v, want %v", f.keys.asked, want)
	}
	for i := range want {
		if !f.keys.asked[i][0].Equal(want[i][0]) || !f.keys.asked[i][1].Equal(want[i][1]) {
			t.Errorf("window %d = %v, want %v", i, f.keys.asked[i], want[i])
		}
	}
}

func TestParseTime(t *testing.T) {
	utc := func(y int, mo time.Month, d, h, mi, s int) time.Time {
		return time.Date(y, mo, d, h, mi, s, 0, time.UTC)
	}
	tests := []struct {
		in   string
		want time.Time
		err  bool
	}{
		{"2026-11-25T10:00:00Z", utc(2026, 11, 25, 10, 0, 0), false},
		{"2026-11-25T10:00:00.250Z", utc(2026, 11, 25, 10, 0, 0).Add(250 * time.Millisecond), false},
		{"2026-11-25T10:00:00+02:00", utc(2026, 11, 25, 10, 0, 0), false}, // the CLI drops the offset
		{"2026-11-25T10:00", utc(2026, 11, 25, 10, 0, 0), false},
		{"2026-11-25 10:00:05", utc(2026, 11, 25, 10, 0, 5), false},
		{"2026-11-25", utc(2026, 11, 25, 0, 0, 0), false},
		{"20261125", utc(2026, 11, 25, 0, 0, 0), false},
		{"20261125T100000Z", utc(2026, 11, 25, 10, 0, 0), false},
		{"1764064800", utc(2025, 11, 25, 10, 0, 0), false},
		{"1764064800.5", utc(2025, 11, 25, 10, 0, 0).Add(500 * time.Millisecond), false},
		{"yesterday", time.Time{}, true},
		{"", time.Time{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := validate.ParseTime(tt.in)
			if tt.err {
				if !errors.Is(err, validate.ErrInvalidDate) || err.Error() != "Unable to parse date value: "+tt.in {
					t.Fatalf("ParseTime(%q) = %v, %v; want an ErrInvalidDate", tt.in, got, err)
				}
				return
			}
			if err != nil || !got.Equal(tt.want) || got.Location() != time.UTC {
				t.Fatalf("ParseTime(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestParseTrailARN(t *testing.T) {
	tests := []struct {
		arn  string
		want validate.TrailARN
		err  bool
	}{
		{"arn:aws:cloudtrail:us-east-1:123456789012:trail/main", validate.TrailARN{HomeRegion: "us-east-1", Account: "123456789012", Name: "main"}, false},
		{"arn:aws-cn:cloudtrail:cn-north-1:123456789012:trail/a/b", validate.TrailARN{HomeRegion: "cn-north-1", Account: "123456789012", Name: "b"}, false},
		{"arn:aws:cloudtrail:us-east-1:12345678901:trail/main", validate.TrailARN{}, true},
		{"main", validate.TrailARN{}, true},
		{"arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/x", validate.TrailARN{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.arn, func(t *testing.T) {
			got, err := validate.ParseTrailARN(tt.arn)
			if tt.err {
				if !errors.Is(err, validate.ErrInvalidTrailARN) {
					t.Fatalf("err = %v, want ErrInvalidTrailARN", err)
				}
				return
			}
			tt.want.ARN = tt.arn
			if err != nil || got != tt.want {
				t.Fatalf("ParseTrailARN = %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}
