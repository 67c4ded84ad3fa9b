package kvs

import (
	"crypto/rand"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/cairnhq/cairn"
)

// MetaStore buckets (see the package documentation).
const (
	StoresBucket = "kvs-stores"
	PagesBucket  = "kvs-pages"
	IndexBucket  = "kvs-index"
)

// ResourceType is the CloudTrail resource type of a key value store.
const ResourceType = "AWS::CloudFront::KeyValueStore"

// Store statuses.
const (
	StatusProvisioning = "PROVISIONING"
	StatusReady        = "READY"
)

// AWS's documented limits (CloudFront quotas, "Quotas on key value stores").
const (
	DefaultMaxStoresPerAccount = 50
	DefaultMaxKeyBytes         = 512
	DefaultMaxValueBytes       = 1024
	DefaultMaxStoreBytes       = 5 << 20
	DefaultMaxBatchKeys        = 50 // puts + deletes of one UpdateKeys
	DefaultPageBytes           = 32 << 10
	DefaultDeltaBytes          = 4 << 10
)

// Limits are the enforced quotas; a zero field takes its default.
type Limits struct {
	MaxStoresPerAccount int
	MaxKeyBytes         int
	MaxValueBytes       int
	MaxStoreBytes       int64 // keys plus values, in bytes
	MaxBatchKeys        int
}

func (l Limits) withDefaults() Limits {
	if l.MaxStoresPerAccount <= 0 {
		l.MaxStoresPerAccount = DefaultMaxStoresPerAccount
	}
	if l.MaxKeyBytes <= 0 {
		l.MaxKeyBytes = DefaultMaxKeyBytes
	}
	if l.MaxValueBytes <= 0 {
		l.MaxValueBytes = DefaultMaxValueBytes
	}
	if l.MaxStoreBytes <= 0 {
		l.MaxStoreBytes = DefaultMaxStoreBytes
	}
	if l.MaxBatchKeys <= 0 {
		l.MaxBatchKeys = DefaultMaxBatchKeys
	}
	return l
}

// Kind classifies an *Error; each service maps kinds to its own modeled errors.
type Kind int

// Error kinds.
const (
	KindInvalid        Kind = iota + 1 // the request breaks a rule or a per-item limit
	KindStoreNotFound                  // no such store in the caller's account
	KindKeyNotFound                    // no such key in the store
	KindNameExists                     // a store of that name exists in the account
	KindStoreLimit                     // the account has the maximum number of stores
	KindSizeLimit                      // the store would exceed its total size quota
	KindIfMatchMissing                 // a write without If-Match
	KindETagMismatch                   // If-Match is not the current ETag
	KindNotReady                       // the store is still being provisioned
	KindUnsupported                    // a feature Cairn does not offer (S3 import)
	KindBusy                           // compare-and-set retries exhausted
)

// Error is a domain error meant for the client.
type Error struct {
	Kind    Kind
	Message string
}

func (e *Error) Error() string { return e.Message }

func errorf(k Kind, format string, args ...any) *Error {
	return &Error{Kind: k, Message: fmt.Sprintf(format, args...)}
}

// KindOf returns the kind of the *Error in err's chain, or 0.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return 0
}

// Tag is a resource tag given at creation.
type Tag struct {
	Key   string
	Value string
}

// Info is a store as the APIs report it. Every call returns a fresh copy.
type Info struct {
	Account string
	Name    string
	ID      string
	ARN     string
	Comment string
	Status  string
	Tags    []Tag

	Created      time.Time
	LastModified time.Time // control plane (LastModifiedTime)
	ETag         string    // control-plane ETag (CloudFront DescribeKeyValueStore)

	DataETag         string    // data-plane ETag (cloudfront-keyvaluestore)
	DataModified     time.Time // data-plane LastModified
	ItemCount        int
	TotalSizeInBytes int64
}

// Manager keeps key value stores in a MetaStore. It is safe for concurrent use by many
// goroutines and many processes sharing the MetaStore.
type Manager struct {
	Meta  cairn.MetaStore
	Clock cairn.Clock // nil: the system clock
	// Limits are the quotas; zero fields take AWS's defaults.
	Limits Limits
	// ProvisioningDelay is how long a new store reports PROVISIONING (and refuses data
	// writes) before it is READY; 0 makes stores READY at once.
	ProvisioningDelay time.Duration
	// PageBytes is the target size of a page of keys; 0 means DefaultPageBytes.
	PageBytes int
	// DeltaBytes bounds the latest changes a store's header holds over its pages
	// (keys, values and 8 bytes each) before a write moves them into pages; 0 means
	// DefaultDeltaBytes, a negative value none (every write rewrites the pages it
	// touches).
	DeltaBytes int

	cache pageCache // pages recently read or written
}

func (m *Manager) now() time.Time {
	if m.Clock == nil {
		return time.Now().UTC()
	}
	return m.Clock.Now().UTC()
}

func (m *Manager) limits() Limits { return m.Limits.withDefaults() }

func (m *Manager) pageBytes() int {
	if m.PageBytes > 0 {
		return m.PageBytes
	}
	return DefaultPageBytes
}

func (m *Manager) deltaBytes() int {
	switch {
	case m.DeltaBytes < 0:
		return 0
	case m.DeltaBytes == 0:
		return DefaultDeltaBytes
	}
	return m.DeltaBytes
}

// casMaxAttempts bounds compare-and-set retries. A retry happens only when another
// writer committed in between without changing what this one depends on.
const casMaxAttempts = 1000

// ARN returns the ARN of store id in account.
func ARN(account, id string) string {
	return "arn:aws:cloudfront::" + account + ":key-value-store/" + id
}

var (
	arnPattern = regexp.MustCompile(`^arn:aws:cloudfront::([0-9]{12}):key-value-store/([0-9a-fA-F-]{36})$`)
	idPattern  = regexp.MustCompile(`^[0-9a-fA-F-]{36}$`)
)

// ParseARN splits a key value store ARN into account and id.
func ParseARN(arn string) (account, id string, ok bool) {
	m := arnPattern.FindStringSubmatch(arn)
	if m == nil {
		return "", "", false
	}
	return m[1], m[2], true
}

// IsID reports whether s has the form of a store id (a UUID).
func IsID(s string) bool { return idPattern.MatchString(s) }

const etagAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// randomUpper returns n random characters of [A-Z0-9].
func randomUpper(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	for i := range b {
		b[i] = etagAlphabet[int(b[i])%len(etagAlphabet)]
	}
	return string(b)
}

// newControlETag returns a CloudFront-style ETag ("E" and 13 of [A-Z0-9]) other than old.
func newControlETag(old string) string {
	for {
		if e := "E" + randomUpper(13); e != old {
			return e
		}
	}
}

// newDataETag returns a data-plane ETag ("KV" and 13 of [A-Z0-9], like
// KV3O6B1CX531EBP) other than old.
func newDataETag(old string) string {
	for {
		if e := "KV" + randomUpper(13); e != old {
			return e
		}
	}
}
