package signing_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/md5"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cairnhq/cairn"
	"github.com/cairnhq/cairn/eventlog"
	"github.com/cairnhq/cairn/internal/memstore"
	"github.com/cairnhq/cairn/signing"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// stepClock is a settable test clock.
type stepClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *stepClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func kek(b byte) []byte { return bytes.Repeat([]byte{b}, signing.KEKSize) }

func newRing(meta cairn.MetaStore, rotation time.Duration, clk cairn.Clock) *signing.KeyRing {
	return &signing.KeyRing{Meta: meta, KEK: kek(1), Rotation: rotation, Clock: clk}
}

func mustKey(t *testing.T, r *signing.KeyRing, region string, at time.Time) *signing.Key {
	t.Helper()
	k, err := r.Key(context.Background(), region, at)
	if err != nil {
		t.Fatalf("Key(%s, %v): %v", region, at, err)
	}
	return k
}

func fingerprints(pks []cairn.PublicKey) []string {
	out := make([]string, len(pks))
	for i, p := range pks {
		out[i] = p.Fingerprint
	}
	return out
}

func TestKeyRing_KeyPeriod(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		rotation   time.Duration
		at         time.Time
		start, end time.Time
		storeKey   string
	}{
		{"default 30 days", 0, t0, time.Date(2025, 12, 8, 0, 0, 0, 0, time.UTC), time.Date(2026, 1, 7, 0, 0, 0, 0, time.UTC), "us-east-1/20251208T000000Z"},
		{"hour", time.Hour, t0, time.Date(2026, 1, 2, 3, 0, 0, 0, time.UTC), time.Date(2026, 1, 2, 4, 0, 0, 0, time.UTC), "us-east-1/20260102T030000Z"},
		{"day, non-UTC input", 24 * time.Hour, t0.In(time.FixedZone("x", -5*3600)), time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC), time.Date(2026, 1, 3, 0, 0, 0, 0, time.UTC), "us-east-1/20260102T000000Z"},
		{"7 seconds", 7 * time.Second, t0, time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC), time.Date(2026, 1, 2, 3, 4, 7, 0, time.UTC), "us-east-1/20260102T030400Z"},
		{"exactly on a boundary", time.Hour, time.Date(2026, 1, 2, 4, 0, 0, 0, time.UTC), time.Date(2026, 1, 2, 4, 0, 0, 0, time.UTC), time.Date(2026, 1, 2, 5, 0, 0, 0, time.UTC), "us-east-1/20260102T040000Z"},
		{"just before a boundary", time.Hour, time.Date(2026, 1, 2, 3, 59, 59, 999999999, time.UTC), time.Date(2026, 1, 2, 3, 0, 0, 0, time.UTC), time.Date(2026, 1, 2, 4, 0, 0, 0, time.UTC), "us-east-1/20260102T030000Z"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			meta := memstore.New()
			r := newRing(meta, tc.rotation, nil)
			k := mustKey(t, r, "us-east-1", tc.at)
			if !k.ValidityStart.Equal(tc.start) || !k.ValidityEnd.Equal(tc.end) {
				t.Fatalf("window [%v, %v), want [%v, %v)", k.ValidityStart, k.ValidityEnd, tc.start, tc.end)
			}
			if k.Region != "us-east-1" {
				t.Fatalf("Region %q", k.Region)
			}
			if _, err := meta.Get(context.Background(), signing.Bucket, tc.storeKey); err != nil {
				t.Fatalf("stored key %s: %v", tc.storeKey, err)
			}
			// Any time of the same period, and a fresh KeyRing (another node), give the same key.
			again := mustKey(t, newRing(meta, tc.rotation, nil), "us-east-1", tc.end.Add(-time.Nanosecond))
			if again.Fingerprint != k.Fingerprint {
				t.Fatalf("same period, different key: %s vs %s", again.Fingerprint, k.Fingerprint)
			}
		})
	}
}

func TestKeyRing_Rotation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clk := &stepClock{t: time.Date(2026, 1, 2, 3, 0, 0, 0, time.UTC)}
	r := newRing(memstore.New(), time.Hour, clk)
	current := func() cairn.PublicKey {
		t.Helper()
		pks, err := r.PublicKeys(ctx, "us-east-1", time.Time{}, time.Time{})
		if err != nil || len(pks) != 1 {
			t.Fatalf("PublicKeys(now) = %v, %v", pks, err)
		}
		return pks[0]
	}
	var seen []cairn.PublicKey
	for step := 0; step < 8; step++ { // 8 steps of 25 min: periods 3h, 3h, 3h, 4h, 4h, 5h, 5h, 5h
		clk.Set(time.Date(2026, 1, 2, 3, 0, 0, 0, time.UTC).Add(time.Duration(step) * 25 * time.Minute))
		pk := current()
		if n := len(seen); n == 0 || seen[n-1].Fingerprint != pk.Fingerprint {
			seen = append(seen, pk)
		}
		if now := clk.Now(); now.Before(pk.ValidityStart) || !now.Before(pk.ValidityEnd) {
			t.Fatalf("current key [%v, %v) does not cover %v", pk.ValidityStart, pk.ValidityEnd, now)
		}
	}
	if len(seen) != 3 {
		t.Fatalf("saw %d keys over 3 periods: %v", len(seen), fingerprints(seen))
	}
	for i := 1; i < len(seen); i++ {
		if !seen[i].ValidityStart.Equal(seen[i-1].ValidityEnd) {
			t.Fatalf("key %d starts %v, previous ends %v", i, seen[i].ValidityStart, seen[i-1].ValidityEnd)
		}
	}
	// Old keys stay listed for old ranges, while now is far later.
	clk.Set(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	pks, err := r.PublicKeys(ctx, "us-east-1", time.Date(2026, 1, 2, 3, 30, 0, 0, time.UTC), time.Date(2026, 1, 2, 4, 30, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(fingerprints(pks), ","), seen[0].Fingerprint+","+seen[1].Fingerprint; got != want {
		t.Fatalf("old range: %s, want %s", got, want)
	}
	// The key that signed at an old time is still the one Key returns for it.
	if k := mustKey(t, r, "us-east-1", time.Date(2026, 1, 2, 5, 59, 0, 0, time.UTC)); k.Fingerprint != seen[2].Fingerprint {
		t.Fatalf("Key(old time) = %s, want %s", k.Fingerprint, seen[2].Fingerprint)
	}
}

func TestKeyRing_PublicKeys(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	meta := memstore.New()
	h := func(hh, mm int) time.Time { return time.Date(2026, 1, 2, hh, mm, 0, 0, time.UTC) }
	clk := &stepClock{t: h(10, 30)}
	r := newRing(meta, time.Hour, clk)
	// Keys for periods 3h, 4h, 5h; none for 6h..9h; now is in 10h (no key yet).
	k3, k4, k5 := mustKey(t, r, "us-east-1", h(3, 10)), mustKey(t, r, "us-east-1", h(4, 10)), mustKey(t, r, "us-east-1", h(5, 10))
	other := mustKey(t, r, "eu-west-1", h(4, 10))
	if other.Fingerprint == k4.Fingerprint {
		t.Fatal("two regions share a key")
	}
	// The current key is created by the first listing whose range holds now.
	var k10 string
	for _, tc := range []struct {
		name       string
		start, end time.Time
		want       []string // fingerprints; "now" is the key of period 10h
	}{
		{"one instant at a window start", h(3, 0), h(3, 0), []string{k3.Fingerprint}},
		{"window end is exclusive", h(4, 0), h(4, 0), []string{k4.Fingerprint}},
		{"spanning three periods", h(3, 30), h(5, 30), []string{k3.Fingerprint, k4.Fingerprint, k5.Fingerprint}},
		{"wide range", h(0, 0), h(9, 0), []string{k3.Fingerprint, k4.Fingerprint, k5.Fingerprint}},
		{"before any key", h(1, 0), h(2, 59), nil},
		{"gap without keys", h(6, 0), h(9, 59), nil},
		{"start after end", h(5, 0), h(3, 0), nil},
		{"holding now creates the current key", h(5, 30), h(12, 0), []string{k5.Fingerprint, "now"}},
		{"both zero: the current key", time.Time{}, time.Time{}, []string{"now"}},
		{"zero start stands for now", time.Time{}, h(23, 0), []string{"now"}},
		{"zero end stands for now", h(4, 59), time.Time{}, []string{k4.Fingerprint, k5.Fingerprint, "now"}},
		{"future", h(11, 0), h(12, 0), nil},
	} {
		pks, err := r.PublicKeys(ctx, "us-east-1", tc.start, tc.end)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		got := fingerprints(pks)
		for i, w := range tc.want {
			if w == "now" {
				if k10 == "" && i < len(got) {
					k10 = got[i]
				}
				tc.want[i] = k10
			}
		}
		if strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
		for i := 1; i < len(pks); i++ {
			if pks[i].ValidityStart.Before(pks[i-1].ValidityStart) {
				t.Errorf("%s: not oldest first", tc.name)
			}
		}
	}
	if _, err := meta.Get(ctx, signing.Bucket, "us-east-1/20260102T100000Z"); err != nil {
		t.Fatalf("current key not stored: %v", err)
	}
	if k10 == "" || k10 == k5.Fingerprint {
		t.Fatalf("current key %q", k10)
	}
}

func TestKeyRing_Signature(t *testing.T) {
	t.Parallel()
	r := newRing(memstore.New(), 0, nil)
	k := mustKey(t, r, "us-west-2", t0)
	sum := md5.Sum(k.Value)
	if k.Fingerprint != hex.EncodeToString(sum[:]) {
		t.Fatalf("fingerprint %s is not md5(DER) %x", k.Fingerprint, sum)
	}
	pub, err := x509.ParsePKCS1PublicKey(k.Value)
	if err != nil {
		t.Fatalf("Value is not DER PKCS#1: %v", err)
	}
	if pub.N.BitLen() != 2048 {
		t.Fatalf("key size %d", pub.N.BitLen())
	}
	for _, tc := range []struct {
		name string
		msg  string
	}{
		{"digest string to sign", "2026-01-02T03:04:05Z\nbucket/AWSLogs/x.json.gz\nabcdef\nnull"},
		{"empty", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sig, err := k.Sign([]byte(tc.msg))
			if err != nil {
				t.Fatal(err)
			}
			if sig != strings.ToLower(sig) || len(sig) != 512 {
				t.Fatalf("signature %q is not 256 bytes of lowercase hex", sig)
			}
			raw, _ := hex.DecodeString(sig)
			h := sha256.Sum256([]byte(tc.msg))
			if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, h[:], raw); err != nil {
				t.Fatalf("verify: %v", err)
			}
			h2 := sha256.Sum256([]byte(tc.msg + "x"))
			if rsa.VerifyPKCS1v15(pub, crypto.SHA256, h2[:], raw) == nil {
				t.Fatal("signature verifies another message")
			}
		})
	}
}

func TestKeyRing_Persisted(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		meta func(t *testing.T) cairn.MetaStore
	}{
		{"memstore", func(*testing.T) cairn.MetaStore { return memstore.New() }},
		{"eventlog", func(t *testing.T) cairn.MetaStore {
			l, err := eventlog.Open(context.Background(), eventlog.Config{Dir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { l.Close(context.Background()) })
			return l.Meta()
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			meta := tc.meta(t)
			clk := &stepClock{t: t0}
			first := mustKey(t, newRing(meta, time.Hour, clk), "ap-southeast-2", t0)
			sig, err := first.Sign([]byte("hello"))
			if err != nil {
				t.Fatal(err)
			}
			second := newRing(meta, time.Hour, clk)
			if err := second.Check(ctx); err != nil {
				t.Fatalf("Check: %v", err)
			}
			k := mustKey(t, second, "ap-southeast-2", t0.Add(10*time.Minute))
			if k.Fingerprint != first.Fingerprint || !bytes.Equal(k.Value, first.Value) {
				t.Fatal("a second KeyRing over the same store returned another key")
			}
			if sig2, _ := k.Sign([]byte("hello")); sig2 != sig { // PKCS#1 v1.5 is deterministic
				t.Fatal("the reloaded private key signs differently")
			}
			pks, err := second.PublicKeys(ctx, "ap-southeast-2", t0.Add(-time.Hour), t0)
			if err != nil || len(pks) != 1 || pks[0].Fingerprint != first.Fingerprint {
				t.Fatalf("PublicKeys = %v, %v", fingerprints(pks), err)
			}
		})
	}
}

func TestKeyRing_PrivateKeyEncrypted(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	meta := memstore.New()
	k := mustKey(t, newRing(meta, time.Hour, nil), "us-east-1", t0)
	e, err := meta.Get(ctx, signing.Bucket, "us-east-1/20260102T030000Z")
	if err != nil {
		t.Fatal(err)
	}
	der := signing.PrivateDER(k)
	for _, enc := range []struct {
		name string
		b    []byte
	}{
		{"raw DER", der},
		{"base64 DER", []byte(base64.StdEncoding.EncodeToString(der))},
		{"hex DER", []byte(hex.EncodeToString(der))},
		{"DER prefix", der[:64]},
		{"base64 DER prefix", []byte(base64.StdEncoding.EncodeToString(der)[:64])},
	} {
		if bytes.Contains(e.Value, enc.b) {
			t.Errorf("stored value contains the private key (%s)", enc.name)
		}
	}
	var v struct {
		Start, End      time.Time
		Fingerprint     string
		Public, Private []byte
	}
	if err := json.Unmarshal(e.Value, &v); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(v.Public, k.Value) || v.Fingerprint != k.Fingerprint || !v.Start.Equal(k.ValidityStart) || !v.End.Equal(k.ValidityEnd) {
		t.Fatalf("stored public fields differ from the key: %+v", v)
	}
	if len(v.Private) < len(der) || bytes.Contains(v.Private, der[:32]) {
		t.Fatal("private field is not a sealed key")
	}
}

func TestKeyRing_WrongKEK(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	meta := memstore.New()
	k := mustKey(t, newRing(meta, time.Hour, nil), "us-east-1", t0)
	wrong := &signing.KeyRing{Meta: meta, KEK: kek(2), Rotation: time.Hour}
	// The public half lists with any KEK (it needs no decryption).
	pks, err := wrong.PublicKeys(ctx, "us-east-1", t0, t0)
	if err != nil || len(pks) != 1 || pks[0].Fingerprint != k.Fingerprint {
		t.Fatalf("PublicKeys with wrong KEK: %v, %v", fingerprints(pks), err)
	}
	for _, tc := range []struct {
		name string
		call func() error
		want error
	}{
		{"Key", func() error { _, err := wrong.Key(ctx, "us-east-1", t0); return err }, signing.ErrWrongKEK},
		{"Check", func() error { return wrong.Check(ctx) }, signing.ErrWrongKEK},
		{"sealed key moved to another period", func() error {
			// Copy the sealed private key into a well-formed entry of the next period:
			// the additional data (the store key) no longer matches.
			e, _ := meta.Get(ctx, signing.Bucket, "us-east-1/20260102T030000Z")
			var v map[string]any
			if err := json.Unmarshal(e.Value, &v); err != nil {
				return err
			}
			v["start"], v["end"] = "2026-01-02T04:00:00Z", "2026-01-02T05:00:00Z"
			moved, _ := json.Marshal(v)
			if _, err := meta.Create(ctx, signing.Bucket, "us-east-1/20260102T040000Z", moved); err != nil {
				return err
			}
			_, err := newRing(meta, time.Hour, nil).Key(ctx, "us-east-1", t0.Add(time.Hour))
			return err
		}, signing.ErrWrongKEK},
		{"short KEK", func() error {
			_, err := (&signing.KeyRing{Meta: meta, KEK: kek(1)[:16]}).Key(ctx, "us-east-1", t0)
			return err
		}, nil},
		{"rotation not whole seconds", func() error {
			_, err := (&signing.KeyRing{Meta: meta, KEK: kek(1), Rotation: 1500 * time.Millisecond}).Key(ctx, "us-east-1", t0)
			return err
		}, nil},
		{"bad region", func() error { _, err := newRing(meta, time.Hour, nil).Key(ctx, "US/East", t0); return err }, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if err == nil {
				t.Fatal("no error")
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
			if tc.want == signing.ErrWrongKEK && !strings.Contains(err.Error(), "wrong key-encryption key") {
				t.Fatalf("unclear error: %v", err)
			}
		})
	}
}

func TestKeyRing_Concurrent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	meta := memstore.New()
	// Two KeyRings over one store stand for two nodes racing to create the period's key.
	rings := []*signing.KeyRing{newRing(meta, time.Hour, nil), newRing(meta, time.Hour, nil)}
	const n = 32
	got := make([]*signing.Key, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			got[i], errs[i] = rings[i%2].Key(ctx, "us-east-1", t0.Add(time.Duration(i)*time.Second))
		}()
	}
	close(start)
	wg.Wait()
	for i := range got {
		if errs[i] != nil {
			t.Fatalf("goroutine %d: %v", i, errs[i])
		}
		if got[i].Fingerprint != got[0].Fingerprint {
			t.Fatalf("goroutine %d got key %s, goroutine 0 got %s", i, got[i].Fingerprint, got[0].Fingerprint)
		}
		if i >= 2 && got[i] != got[i%2] {
			t.Fatalf("goroutine %d: a KeyRing decrypted the same key twice", i)
		}
	}
	entries, err := meta.List(ctx, signing.Bucket, "")
	if err != nil || len(entries) != 1 {
		t.Fatalf("stored %d keys, %v", len(entries), err)
	}
}
