//go:build e2e

package e2e

import (
	"context"
	"crypto/md5"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
)

// cliTime is a CLI timestamp: epoch seconds (cli_timestamp_format none) or ISO 8601.
type cliTime struct{ time.Time }

func (c *cliTime) UnmarshalJSON(b []byte) error {
	if f, err := strconv.ParseFloat(string(b), 64); err == nil {
		c.Time = time.UnixMilli(int64(f * 1000)).UTC()
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	c.Time = t.UTC()
	return err
}

type cliPublicKey struct {
	Value             string
	ValidityStartTime cliTime
	ValidityEndTime   cliTime
	Fingerprint       string
}

// listPublicKeysCLI runs aws cloudtrail list-public-keys and checks every key's form.
func listPublicKeysCLI(t *testing.T, s *Server, region string, args ...string) []cliPublicKey {
	t.Helper()
	var out struct{ PublicKeyList []cliPublicKey }
	s.MustAWS(t, s.Root(), region, &out, append([]string{"cloudtrail", "list-public-keys"}, args...)...)
	for _, k := range out.PublicKeyList {
		checkPublicKey(t, k.Value, k.Fingerprint)
	}
	return out.PublicKeyList
}

// checkPublicKey checks a key as validate-logs uses it: base64 DER PKCS#1 RSA-2048,
// fingerprint the MD5 of the DER bytes.
func checkPublicKey(t *testing.T, b64, fingerprint string) {
	t.Helper()
	der, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatalf("Value is not base64: %v", err)
	}
	pub, err := x509.ParsePKCS1PublicKey(der)
	if err != nil {
		t.Fatalf("Value is not DER PKCS#1 RSAPublicKey: %v", err)
	}
	if pub.N.BitLen() != 2048 {
		t.Fatalf("key of %d bits", pub.N.BitLen())
	}
	sum := md5.Sum(der)
	if fingerprint != hex.EncodeToString(sum[:]) {
		t.Fatalf("Fingerprint %s is not md5(Value) %x", fingerprint, sum)
	}
}

func TestPublicKeys_CLI(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	now := time.Now()
	byRegion := map[string]cliPublicKey{}
	for _, region := range []string{"us-east-1", "eu-west-1"} {
		keys := listPublicKeysCLI(t, s, region)
		if len(keys) != 1 {
			t.Fatalf("%s: %d current keys", region, len(keys))
		}
		k := keys[0]
		if now.Before(k.ValidityStartTime.Add(-time.Second)) || !now.Before(k.ValidityEndTime.Time) {
			t.Fatalf("%s: current key valid [%v, %v) does not hold %v", region, k.ValidityStartTime, k.ValidityEndTime, now)
		}
		if d := k.ValidityEndTime.Sub(k.ValidityStartTime.Time); d != 720*time.Hour {
			t.Fatalf("%s: validity %v, want the default 720h", region, d)
		}
		byRegion[region] = k
	}
	if byRegion["us-east-1"].Fingerprint == byRegion["eu-west-1"].Fingerprint {
		t.Fatal("two regions share a signing key")
	}
	// A range holding now lists the same key; so does the SDK.
	if keys := listPublicKeysCLI(t, s, "us-east-1", "--start-time", now.Add(-time.Hour).UTC().Format(time.RFC3339),
		"--end-time", now.Add(time.Hour).UTC().Format(time.RFC3339)); len(keys) != 1 || keys[0].Fingerprint != byRegion["us-east-1"].Fingerprint {
		t.Fatalf("range around now: %+v", keys)
	}
	ct := s.CloudTrail(s.Root(), "us-east-1")
	out, err := ct.ListPublicKeys(ctx(t), &cloudtrail.ListPublicKeysInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.PublicKeyList) != 1 || aws.ToString(out.PublicKeyList[0].Fingerprint) != byRegion["us-east-1"].Fingerprint ||
		!out.PublicKeyList[0].ValidityStartTime.Equal(byRegion["us-east-1"].ValidityStartTime.Time) {
		t.Fatalf("SDK: %+v", out.PublicKeyList)
	}
	checkPublicKey(t, base64.StdEncoding.EncodeToString(out.PublicKeyList[0].Value), aws.ToString(out.PublicKeyList[0].Fingerprint))

	// Errors, through the CLI and the SDK.
	_, err = s.AWS(s.Root(), "us-east-1", "cloudtrail", "list-public-keys",
		"--start-time", now.UTC().Format(time.RFC3339), "--end-time", now.Add(-time.Hour).UTC().Format(time.RFC3339))
	if err == nil || !strings.Contains(err.Error(), "InvalidTimeRangeException") {
		t.Fatalf("CLI start > end: %v", err)
	}
	_, err = ct.ListPublicKeys(ctx(t), &cloudtrail.ListPublicKeysInput{StartTime: aws.Time(now), EndTime: aws.Time(now.Add(-time.Hour))})
	var itr *types.InvalidTimeRangeException
	if !errors.As(err, &itr) {
		t.Fatalf("SDK start > end: %v", err)
	}
	_, err = ct.ListPublicKeys(ctx(t), &cloudtrail.ListPublicKeysInput{NextToken: aws.String("bogus")})
	var it *types.InvalidTokenException
	if !errors.As(err, &it) {
		t.Fatalf("SDK NextToken: %v", err)
	}

	// The key-encryption key was generated private to the owner.
	kekPath := filepath.Join(s.DataDir, "signing-kek")
	fi, err := os.Stat(kekPath)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("signing-kek mode %v", fi.Mode().Perm())
	}
	b, _ := os.ReadFile(kekPath)
	if !regexp.MustCompile(`^[0-9a-f]{64}\n$`).Match(b) {
		t.Fatal("signing-kek does not hold 64 hex digits")
	}
	if strings.Contains(s.Logs(), strings.TrimSpace(string(b))) {
		t.Fatal("the key-encryption key appears in the server log")
	}

	// After a restart the stored keys are decrypted with the same KEK file: same keys.
	s.Stop()
	wrongKEK(t, s)
	s.Restart()
	for region, want := range byRegion {
		keys := listPublicKeysCLI(t, s, region)
		if len(keys) != 1 || keys[0].Fingerprint != want.Fingerprint || keys[0].Value != want.Value {
			t.Fatalf("%s after restart: %+v, want %s", region, keys, want.Fingerprint)
		}
	}
}

// wrongKEK starts the stopped server's data dir with another key-encryption key:
// it must refuse to start, saying why.
func wrongKEK(t *testing.T, s *Server) {
	t.Helper()
	other := filepath.Join(t.TempDir(), "other-kek")
	if err := os.WriteFile(other, []byte(strings.Repeat("ab", 32)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(c, binPath, "serve", "--listen", freeAddr(t), "--data-dir", s.DataDir, "--signing-kek-file", other)
	cmd.Env = append(cleanEnv(), s.env...)
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("cairn started with a wrong key-encryption key:\n%s", out)
	}
	if !strings.Contains(string(out), "wrong key-encryption key") {
		t.Fatalf("unclear failure with a wrong key-encryption key: %v\n%s", err, out)
	}
}

func TestPublicKeys_Rotation(t *testing.T) {
	t.Parallel()
	s := StartServer(t, "CAIRN_SIGNING_KEY_ROTATION=2s")
	ct := s.CloudTrail(s.Root(), "us-east-1")
	// Keys are created when first needed: ask for the current one every 300 ms
	// through ~5 s, so every 2 s period from begin on gets its key.
	poll := func() {
		t.Helper()
		if _, err := ct.ListPublicKeys(ctx(t), &cloudtrail.ListPublicKeysInput{}); err != nil {
			t.Fatal(err)
		}
	}
	poll()
	begin := time.Now().Add(time.Second).Truncate(time.Second) // a whole second, after a poll
	for time.Until(begin.Add(5500*time.Millisecond)) > 0 {
		poll()
		time.Sleep(300 * time.Millisecond)
	}
	end := time.Now()
	keys := listPublicKeysCLI(t, s, "us-east-1", "--start-time", begin.UTC().Format(time.RFC3339), "--end-time", end.UTC().Format(time.RFC3339))
	if len(keys) < 2 {
		t.Fatalf("%d keys over ~5 s with 2 s rotation", len(keys))
	}
	seen := map[string]bool{}
	for i, k := range keys {
		if d := k.ValidityEndTime.Sub(k.ValidityStartTime.Time); d != 2*time.Second {
			t.Fatalf("key %d valid for %v", i, d)
		}
		if seen[k.Fingerprint] {
			t.Fatalf("key %s listed twice", k.Fingerprint)
		}
		seen[k.Fingerprint] = true
		if i > 0 && !k.ValidityStartTime.Equal(keys[i-1].ValidityEndTime.Time) {
			t.Fatalf("windows not contiguous: key %d starts %v, key %d ends %v", i, k.ValidityStartTime, i-1, keys[i-1].ValidityEndTime)
		}
	}
	if keys[0].ValidityStartTime.After(begin) || !keys[len(keys)-1].ValidityEndTime.After(end.Add(-2*time.Second)) {
		t.Fatalf("keys [%v, %v) do not cover [%v, %v]", keys[0].ValidityStartTime, keys[len(keys)-1].ValidityEndTime, begin, end)
	}
	// The SDK lists the same keys for the same range.
	out, err := ct.ListPublicKeys(ctx(t), &cloudtrail.ListPublicKeysInput{StartTime: aws.Time(begin), EndTime: aws.Time(end.Truncate(time.Second))})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.PublicKeyList) != len(keys) {
		t.Fatalf("SDK listed %d keys, CLI %d", len(out.PublicKeyList), len(keys))
	}
	for i, k := range out.PublicKeyList {
		if aws.ToString(k.Fingerprint) != keys[i].Fingerprint {
			t.Fatalf("SDK key %d: %s, CLI %s", i, aws.ToString(k.Fingerprint), keys[i].Fingerprint)
		}
	}
	// An old range still lists the old key, though newer ones sign now.
	old := listPublicKeysCLI(t, s, "us-east-1", "--start-time", begin.UTC().Format(time.RFC3339), "--end-time", begin.UTC().Format(time.RFC3339))
	if len(old) != 1 || old[0].Fingerprint != keys[0].Fingerprint {
		t.Fatalf("old range: %+v", old)
	}
}
