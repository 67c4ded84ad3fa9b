package signing

import (
	"context"
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/cairnhq/cairn"
)

const (
	// DefaultRotation is how long one signing key is valid when KeyRing.Rotation is zero.
	DefaultRotation = 30 * 24 * time.Hour
	// Bucket is the MetaStore bucket of the signing keys.
	Bucket = "signing-keys"
	// KEKSize is the size in bytes of the key-encryption key (AES-256).
	KEKSize = 32
	// PeriodLayout formats a period start in the store key "<region>/<start>".
	PeriodLayout = "20060102T150405Z"

	keyBits = 2048
	// maxCached bounds the decrypted keys kept in memory; the oldest are dropped.
	maxCached = 64
)

// ErrWrongKEK reports a stored private key that does not open with the configured
// key-encryption key: the KEK differs from the one the key was sealed with, or the
// value was altered.
var ErrWrongKEK = errors.New("signing key does not decrypt: wrong key-encryption key or altered value")

// KeyRing hands out the digest signing key of a region for a point in time. Time is
// cut into periods of Rotation aligned on the Unix epoch: the key for t belongs to
// period floor(t/Rotation) and is valid for [p*Rotation, (p+1)*Rotation), so every node
// sharing the MetaStore agrees on the key that signs at t. Keys are created on first
// use (MetaStore.Create; a node that loses the race reads the winner's key) and kept
// forever, so digests signed with old keys stay verifiable.
//
// The private key is stored sealed with AES-256-GCM under KEK, with the store key
// ("<region>/<period start>") as additional data so a sealed key cannot be moved to
// another region or period. KEK never leaves the process.
//
// The exported fields are set before first use; a KeyRing is safe for concurrent use.
type KeyRing struct {
	Meta cairn.MetaStore
	// KEK is the 32-byte key-encryption key.
	KEK []byte
	// Rotation is the validity of one key, a whole number of seconds (zero: DefaultRotation).
	Rotation time.Duration
	// Clock tells "now" for PublicKeys (nil: the system clock).
	Clock cairn.Clock

	mu      sync.Mutex
	keys    map[string]*Key  // decrypted keys by store key
	loading map[string]*load // loads or creations in flight, by store key
}

var _ cairn.KeySource = (*KeyRing)(nil)

// load is one in-flight Key lookup that concurrent callers for the same period share.
type load struct {
	done chan struct{}
	key  *Key
	err  error
}

// Key is a region's signing key for one period. It is immutable.
type Key struct {
	Region string
	cairn.PublicKey
	priv *rsa.PrivateKey
}

// Sign returns the lowercase hex RSASSA-PKCS1-v1_5 SHA-256 signature of msg, the form
// of a digest file's x-amz-meta-signature.
func (k *Key) Sign(msg []byte) (string, error) {
	h := sha256.Sum256(msg)
	sig, err := rsa.SignPKCS1v15(rand.Reader, k.priv, crypto.SHA256, h[:])
	if err != nil {
		return "", fmt.Errorf("sign: %w", err)
	}
	return hex.EncodeToString(sig), nil
}

// stored is the MetaStore value of a key.
type stored struct {
	Start       time.Time `json:"start"`
	End         time.Time `json:"end"`
	Fingerprint string    `json:"fingerprint"`
	// Public is the DER PKCS#1 RSAPublicKey.
	Public []byte `json:"public"`
	// Private is nonce || AES-256-GCM(KEK, DER PKCS#1 RSAPrivateKey, additional data = store key).
	Private []byte `json:"private"`
}

// Fingerprint is the lowercase hex MD5 of a DER public key, as ListPublicKeys reports it.
func Fingerprint(der []byte) string {
	sum := md5.Sum(der)
	return hex.EncodeToString(sum[:])
}

// Key returns the signing key of region for time t, creating it if its period has none.
func (k *KeyRing) Key(ctx context.Context, region string, t time.Time) (*Key, error) {
	if err := k.check(region); err != nil {
		return nil, err
	}
	start, end := k.window(t)
	name := storeKey(region, start)
	for {
		k.mu.Lock()
		if key, ok := k.keys[name]; ok {
			k.mu.Unlock()
			return key, nil
		}
		if l, ok := k.loading[name]; ok {
			k.mu.Unlock()
			select {
			case <-l.done:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			if l.err != nil && isContextErr(l.err) && ctx.Err() == nil {
				continue // the caller that loaded gave up; try on our own context
			}
			return l.key, l.err
		}
		if k.loading == nil {
			k.loading = map[string]*load{}
			k.keys = map[string]*Key{}
		}
		l := &load{done: make(chan struct{})}
		k.loading[name] = l
		k.mu.Unlock()

		l.key, l.err = k.loadOrCreate(ctx, region, name, start, end)
		k.mu.Lock()
		delete(k.loading, name)
		if l.err == nil {
			k.cache(name, l.key)
		}
		k.mu.Unlock()
		close(l.done)
		return l.key, l.err
	}
}

// PublicKeys implements cairn.KeySource: the stored keys of region whose validity
// window overlaps [start, end], oldest first, plus the current key (created if
// needed) when now lies in the range. A zero start or end stands for now, so with
// both zero the answer is the key valid now. start after end selects nothing.
func (k *KeyRing) PublicKeys(ctx context.Context, region string, start, end time.Time) ([]cairn.PublicKey, error) {
	if err := k.check(region); err != nil {
		return nil, err
	}
	now := k.now()
	if start.IsZero() && end.IsZero() {
		key, err := k.Key(ctx, region, now)
		if err != nil {
			return nil, err
		}
		return []cairn.PublicKey{clonePublic(key.PublicKey)}, nil
	}
	if start.IsZero() {
		start = now
	}
	if end.IsZero() {
		end = now
	}
	if start.After(end) {
		return nil, nil
	}
	entries, err := k.Meta.List(ctx, Bucket, region+"/")
	if err != nil {
		return nil, fmt.Errorf("list signing keys: %w", err)
	}
	var out []cairn.PublicKey
	seen := map[string]bool{}
	for _, e := range entries {
		pk, err := decodePublic(e.Key, e.Value)
		if err != nil {
			return nil, err
		}
		seen[e.Key] = true
		if !pk.ValidityStart.After(end) && pk.ValidityEnd.After(start) {
			out = append(out, pk)
		}
	}
	if !now.Before(start) && !now.After(end) {
		cs, _ := k.window(now)
		if !seen[storeKey(region, cs)] {
			key, err := k.Key(ctx, region, now)
			if err != nil {
				return nil, err
			}
			out = append(out, clonePublic(key.PublicKey))
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ValidityStart.Before(out[j].ValidityStart) })
	return out, nil
}

// Check opens the newest stored key of any region, so that a wrong KEK is reported
// at startup rather than at the first digest. With no stored key it returns nil.
func (k *KeyRing) Check(ctx context.Context) error {
	if err := k.checkConfig(); err != nil {
		return err
	}
	entries, err := k.Meta.List(ctx, Bucket, "")
	if err != nil {
		return fmt.Errorf("list signing keys: %w", err)
	}
	var newest *cairn.MetaEntry
	var newestStart time.Time
	for i, e := range entries {
		pk, err := decodePublic(e.Key, e.Value)
		if err != nil {
			return err
		}
		if newest == nil || pk.ValidityStart.After(newestStart) {
			newest, newestStart = &entries[i], pk.ValidityStart
		}
	}
	if newest == nil {
		return nil
	}
	_, err = k.open(regionOf(newest.Key), newest.Key, newest.Value)
	return err
}

func (k *KeyRing) loadOrCreate(ctx context.Context, region, name string, start, end time.Time) (*Key, error) {
	e, err := k.Meta.Get(ctx, Bucket, name)
	if err == nil {
		return k.open(region, name, e.Value)
	}
	if !errors.Is(err, cairn.ErrNotFound) {
		return nil, fmt.Errorf("load signing key %s: %w", name, err)
	}
	key, value, err := k.generate(region, name, start, end)
	if err != nil {
		return nil, err
	}
	_, err = k.Meta.Create(ctx, Bucket, name, value)
	if err == nil {
		return key, nil
	}
	if !errors.Is(err, cairn.ErrExists) {
		return nil, fmt.Errorf("store signing key %s: %w", name, err)
	}
	// Another node created this period's key first: everyone uses that one.
	e, err = k.Meta.Get(ctx, Bucket, name)
	if err != nil {
		return nil, fmt.Errorf("load signing key %s: %w", name, err)
	}
	return k.open(region, name, e.Value)
}

func (k *KeyRing) generate(region, name string, start, end time.Time) (*Key, []byte, error) {
	priv, err := rsa.GenerateKey(rand.Reader, keyBits)
	if err != nil {
		return nil, nil, fmt.Errorf("generate signing key: %w", err)
	}
	pub := x509.MarshalPKCS1PublicKey(&priv.PublicKey)
	der := x509.MarshalPKCS1PrivateKey(priv)
	sealed, err := k.seal(name, der)
	clear(der)
	if err != nil {
		return nil, nil, err
	}
	s := stored{Start: start, End: end, Fingerprint: Fingerprint(pub), Public: pub, Private: sealed}
	value, err := json.Marshal(s)
	if err != nil {
		return nil, nil, fmt.Errorf("encode signing key: %w", err)
	}
	return &Key{Region: region, PublicKey: s.publicKey(), priv: priv}, value, nil
}

// open decodes a stored key and decrypts its private half.
func (k *KeyRing) open(region, name string, value []byte) (*Key, error) {
	var s stored
	if err := json.Unmarshal(value, &s); err != nil {
		return nil, fmt.Errorf("decode signing key %s: %w", name, err)
	}
	pub, err := parsePublic(name, s)
	if err != nil {
		return nil, err
	}
	der, err := k.unseal(name, s.Private)
	if err != nil {
		return nil, fmt.Errorf("open signing key %s: %w", name, err)
	}
	priv, err := x509.ParsePKCS1PrivateKey(der)
	clear(der)
	if err != nil {
		return nil, fmt.Errorf("parse signing key %s: %w", name, err)
	}
	if !priv.PublicKey.Equal(pub) {
		return nil, fmt.Errorf("signing key %s: private key does not match its public key", name)
	}
	return &Key{Region: region, PublicKey: s.publicKey(), priv: priv}, nil
}

func (k *KeyRing) seal(name string, plaintext []byte) ([]byte, error) {
	aead, err := k.aead()
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plaintext)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("seal signing key: %w", err)
	}
	return aead.Seal(nonce, nonce, plaintext, []byte(name)), nil
}

func (k *KeyRing) unseal(name string, sealed []byte) ([]byte, error) {
	aead, err := k.aead()
	if err != nil {
		return nil, err
	}
	if len(sealed) < aead.NonceSize()+aead.Overhead() {
		return nil, ErrWrongKEK
	}
	n := aead.NonceSize()
	plain, err := aead.Open(nil, sealed[:n], sealed[n:], []byte(name))
	if err != nil {
		return nil, ErrWrongKEK
	}
	return plain, nil
}

func (k *KeyRing) aead() (cipher.AEAD, error) {
	block, err := aes.NewCipher(k.KEK)
	if err != nil {
		return nil, fmt.Errorf("key-encryption key: %w", err)
	}
	return cipher.NewGCM(block)
}

// check validates the configuration and a region name (it becomes a store key segment).
func (k *KeyRing) check(region string) error {
	if err := k.checkConfig(); err != nil {
		return err
	}
	if region == "" {
		return errors.New("signing: empty region")
	}
	for i := 0; i < len(region); i++ {
		c := region[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return fmt.Errorf("signing: invalid region %q", region)
		}
	}
	return nil
}

func (k *KeyRing) checkConfig() error {
	if k.Meta == nil {
		return errors.New("signing: KeyRing has no MetaStore")
	}
	if len(k.KEK) != KEKSize {
		return fmt.Errorf("signing: key-encryption key must be %d bytes, not %d", KEKSize, len(k.KEK))
	}
	if r := k.rotation(); r < time.Second || r%time.Second != 0 {
		return fmt.Errorf("signing: rotation %v must be a whole number of seconds", r)
	}
	return nil
}

func (k *KeyRing) rotation() time.Duration {
	if k.Rotation == 0 {
		return DefaultRotation
	}
	return k.Rotation
}

func (k *KeyRing) now() time.Time {
	if k.Clock == nil {
		return time.Now()
	}
	return k.Clock.Now()
}

// window is the validity window [start, end) of the period holding t.
func (k *KeyRing) window(t time.Time) (start, end time.Time) {
	r := int64(k.rotation() / time.Second)
	sec := t.Unix()
	p := sec / r
	if sec%r < 0 {
		p-- // floor for times before the epoch
	}
	start = time.Unix(p*r, 0).UTC()
	return start, start.Add(k.rotation())
}

// cache keeps key under name, dropping the oldest keys beyond maxCached. k.mu is held.
func (k *KeyRing) cache(name string, key *Key) {
	k.keys[name] = key
	for len(k.keys) > maxCached {
		var oldest string
		for n, c := range k.keys {
			if oldest == "" || c.ValidityStart.Before(k.keys[oldest].ValidityStart) {
				oldest = n
			}
		}
		delete(k.keys, oldest)
	}
}

func (s stored) publicKey() cairn.PublicKey {
	return cairn.PublicKey{Value: s.Public, ValidityStart: s.Start.UTC(), ValidityEnd: s.End.UTC(), Fingerprint: s.Fingerprint}
}

// decodePublic reads the public half of a stored key, checking its fingerprint.
func decodePublic(name string, value []byte) (cairn.PublicKey, error) {
	var s stored
	if err := json.Unmarshal(value, &s); err != nil {
		return cairn.PublicKey{}, fmt.Errorf("decode signing key %s: %w", name, err)
	}
	if _, err := parsePublic(name, s); err != nil {
		return cairn.PublicKey{}, err
	}
	return s.publicKey(), nil
}

func parsePublic(name string, s stored) (*rsa.PublicKey, error) {
	pub, err := x509.ParsePKCS1PublicKey(s.Public)
	if err != nil {
		return nil, fmt.Errorf("parse signing key %s: %w", name, err)
	}
	if Fingerprint(s.Public) != s.Fingerprint {
		return nil, fmt.Errorf("signing key %s: fingerprint does not match the public key", name)
	}
	if !s.End.After(s.Start) {
		return nil, fmt.Errorf("signing key %s: empty validity window", name)
	}
	if storeKey(regionOf(name), s.Start) != name {
		return nil, fmt.Errorf("signing key %s: stored under another name than its validity start %v", name, s.Start)
	}
	return pub, nil
}

func clonePublic(p cairn.PublicKey) cairn.PublicKey {
	p.Value = append([]byte(nil), p.Value...)
	return p
}

func storeKey(region string, start time.Time) string {
	return region + "/" + start.UTC().Format(PeriodLayout)
}

func regionOf(name string) string {
	for i := 0; i < len(name); i++ {
		if name[i] == '/' {
			return name[:i]
		}
	}
	return name
}

func isContextErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
