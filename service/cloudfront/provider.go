package cloudfront

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/cairnhq/cairn"
	"github.com/cairnhq/cairn/api/cloudfront"
	"github.com/cairnhq/cairn/awsproto"
)

// Provider implements the CloudFront distribution control plane (distributions,
// invalidations, origin access controls, tagging) over a MetaStore. Operations it does
// not implement answer UnsupportedOperation through the embedded UnimplementedService.
//
// It is safe for concurrent use by many goroutines and by many processes sharing the
// MetaStore: every write is a compare-and-set. A Provider must not be copied after
// first use (it holds a decode cache).
type Provider struct {
	cloudfront.UnimplementedService
	Meta  cairn.MetaStore
	Clock cairn.Clock // nil: the system clock
	// DeployDelay is how long a distribution stays InProgress after each change (and an
	// invalidation before it is Completed). 0 means DefaultDeployDelay; a negative value
	// deploys every change at once.
	DeployDelay time.Duration
	// MaxDistributions is the per-account quota of distributions (TooManyDistributions);
	// 0 means no quota. It is checked before each create, so concurrent creates can
	// exceed it by a few.
	MaxDistributions int
	// MaxOriginAccessControls is the per-account quota of origin access controls; 0
	// means DefaultMaxOriginAccessControls.
	MaxOriginAccessControls int

	cache distCache
}

var _ cloudfront.Service = (*Provider)(nil)

// DefaultDeployDelay is the DeployDelay used when the field is 0.
const DefaultDeployDelay = 5 * time.Second

// DefaultMaxOriginAccessControls is AWS's default quota of origin access controls per
// account.
const DefaultMaxOriginAccessControls = 100

// MetaStore buckets used by the Provider.
const (
	// DistributionsBucket holds one JSON document per distribution, keyed
	// "<account>.<id>".
	DistributionsBucket = "cloudfront-distributions"
	// CallerRefsBucket maps "<account>.<encoded CallerReference>" to the distribution
	// created with it (CreateDistribution idempotency).
	CallerRefsBucket = "cloudfront-callerrefs"
	// CNAMEsBucket maps "<encoded lower-case alias>" to the distribution that owns it;
	// aliases are unique across all accounts, as in AWS.
	CNAMEsBucket = "cloudfront-cnames"
	// InvalidationsBucket holds one document per invalidation, keyed
	// "<account>.<distribution id>.<invalidation id>".
	InvalidationsBucket = "cloudfront-invalidations"
	// InvalidationRefsBucket maps "<account>.<distribution id>.<encoded
	// CallerReference>" to an invalidation (CreateInvalidation idempotency).
	InvalidationRefsBucket = "cloudfront-invalidation-callerrefs"
	// OriginAccessControlsBucket holds one document per origin access control, keyed
	// "<account>.<id>".
	OriginAccessControlsBucket = "cloudfront-origin-access-controls"
	// OriginAccessControlNamesBucket maps "<account>.<encoded name>" to the origin
	// access control with that name (names are unique per account).
	OriginAccessControlNamesBucket = "cloudfront-oac-names"
)

// Resource types LookupEvents shows for CloudFront events.
const (
	ResourceTypeDistribution        = "AWS::CloudFront::Distribution"
	ResourceTypeOriginAccessControl = "AWS::CloudFront::OriginAccessControl"
)

// APIBaseURL is the base of the Location headers CloudFront returns.
const APIBaseURL = "https://cloudfront.amazonaws.com/2020-05-31"

// casMaxAttempts bounds compare-and-set retries; each failed attempt means another
// writer succeeded, so it is only reached under pathological contention.
const casMaxAttempts = 1000

// claimGrace bounds how long an index claim (CallerReference, CNAME, OAC name) whose
// owner does not (yet) reference it is honoured while its write may still be in
// progress (the owner's document is still at the claim's BaseRev, or absent for a
// create). An older unreferenced claim was left by a crashed writer and may be taken
// over.
const claimGrace = time.Minute

func (p *Provider) now() time.Time {
	if p.Clock == nil {
		return time.Now().UTC()
	}
	return p.Clock.Now().UTC()
}

func (p *Provider) deployDelay() time.Duration {
	switch {
	case p.DeployDelay == 0:
		return DefaultDeployDelay
	case p.DeployDelay < 0:
		return 0
	}
	return p.DeployDelay
}

// deployed reports whether a change made at t has finished deploying.
func (p *Provider) deployed(t time.Time) bool {
	return !p.now().Before(t.Add(p.deployDelay()))
}

func (p *Provider) maxOACs() int {
	if p.MaxOriginAccessControls > 0 {
		return p.MaxOriginAccessControls
	}
	return DefaultMaxOriginAccessControls
}

// DistributionARN is the ARN of a distribution.
func DistributionARN(account, id string) string {
	return "arn:aws:cloudfront::" + account + ":distribution/" + id
}

// OriginAccessControlARN is the ARN of an origin access control.
func OriginAccessControlARN(account, id string) string {
	return "arn:aws:cloudfront::" + account + ":origin-access-control/" + id
}

// touch names a resource an operation acted on, for LookupEvents' Resources.
func touch(ctx context.Context, typ, arn string) {
	rc := awsproto.FromContext(ctx)
	if rc == nil {
		return
	}
	for _, r := range rc.LookupResources {
		if r.Type == typ && r.Name == arn {
			return
		}
	}
	rc.LookupResources = append(rc.LookupResources, cairn.LookupResource{Type: typ, Name: arn})
}

// account returns the caller's account, or AccessDenied for a context without one
// (the gateway always authenticates first; this guards direct callers).
func (p *Provider) account(ctx context.Context) (string, error) {
	a := callerAccount(ctx)
	if a == "" {
		return "", cloudfront.NewAccessDenied("Access denied.")
	}
	return a, nil
}

// validateInput runs the model's constraints (the gateway already did for requests
// that came through it) and reports a violation as CloudFront does: MalformedXML with
// the "1 validation error detected: …" message.
func validateInput(in awsproto.Validator) error {
	err := in.Validate()
	if err == nil {
		return nil
	}
	var ve *awsproto.ValidationError
	if errors.As(err, &ve) {
		return errMalformedXML(ve.Error())
	}
	return err
}

func errMalformedXML(msg string) *awsproto.Error {
	return awsproto.NewError("MalformedXML", http.StatusBadRequest, "%s", msg)
}

func errMissingIfMatch() error {
	return cloudfront.NewInvalidIfMatchVersion("The If-Match version is missing or not valid for the resource.")
}

func errPrecondition() error {
	return cloudfront.NewPreconditionFailed("The request failed because it didn't meet the preconditions in one or more request-header fields.")
}

func errNoSuchDistribution() error {
	return cloudfront.NewNoSuchDistribution("The specified distribution does not exist.")
}

func errConflict() error {
	return awsproto.NewError("OperationAborted", http.StatusConflict, "Another request changed this resource at the same time; retry the request.")
}

// checkIfMatch applies CloudFront's If-Match rules to a resource whose current ETag
// is current.
func checkIfMatch(ifMatch *string, current string) error {
	if ifMatch == nil || *ifMatch == "" {
		return errMissingIfMatch()
	}
	if *ifMatch != current {
		return errPrecondition()
	}
	return nil
}

// parseMaxItems reads a MaxItems query parameter (default 100, at most 1000).
func parseMaxItems(s *string) (int, error) {
	if s == nil || *s == "" {
		return 100, nil
	}
	n, err := strconv.Atoi(*s)
	if err != nil || n < 1 {
		return 0, cloudfront.NewInvalidArgument("The parameter MaxItems must be a positive integer: %s", *s)
	}
	return min(n, 1000), nil
}

// claim is an index entry reserving a unique value (CallerReference, CNAME, OAC name)
// for one resource.
type claim struct {
	Account string
	ID      string
	// Fingerprint is the SHA-256 of the creating request (CallerReference claims).
	Fingerprint string `json:",omitempty"`
	// BaseRev is the revision of the owner's document the claiming write started from
	// (0 for a create). Once the document has moved past it, that write is over: the
	// claim is live only if the document references the value.
	BaseRev uint64 `json:",omitempty"`
	Claimed time.Time
}

func (c claim) sameOwner(o claim) bool { return c.Account == o.Account && c.ID == o.ID }

// young reports whether the claim is recent enough to belong to a write in progress.
func (p *Provider) young(c claim) bool { return p.now().Sub(c.Claimed) < claimGrace }

// takeClaim reserves key in bucket for c. It returns (nil, nil) when c now holds the
// key, or the claim of the current holder when live reports that holder still valid.
// A holder that is not live is replaced by compare-and-set. A claim the same owner
// already holds is rewritten (new revision, fresh Claimed time), so that a concurrent
// takeover that judged it stale fails its compare-and-set.
func (p *Provider) takeClaim(ctx context.Context, bucket, key string, c claim, live func(claim) (bool, error)) (*claim, error) {
	b, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	for range casMaxAttempts {
		_, err := p.Meta.Create(ctx, bucket, key, b)
		if err == nil {
			return nil, nil
		}
		if !errors.Is(err, cairn.ErrExists) {
			return nil, fmt.Errorf("claim %s/%s: %w", bucket, key, err)
		}
		e, err := p.Meta.Get(ctx, bucket, key)
		if errors.Is(err, cairn.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("claim %s/%s: %w", bucket, key, err)
		}
		var cur claim
		if err := json.Unmarshal(e.Value, &cur); err != nil {
			return nil, fmt.Errorf("decode claim %s/%s: %w", bucket, key, err)
		}
		if !cur.sameOwner(c) {
			ok, err := live(cur)
			if err != nil {
				return nil, err
			}
			if ok {
				return &cur, nil
			}
		}
		_, err = p.Meta.Update(ctx, bucket, key, b, e.Revision)
		if err == nil {
			return nil, nil
		}
		if !errors.Is(err, cairn.ErrRevisionMismatch) && !errors.Is(err, cairn.ErrNotFound) {
			return nil, fmt.Errorf("claim %s/%s: %w", bucket, key, err)
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	return nil, errConflict()
}

// releaseClaim removes key from bucket if it is still held by owner. Only call it for
// an owner that can no longer come to reference the key (deleted, or never created);
// a value an existing owner merely stops using is left in place and becomes stale,
// since deleting it could race with the same owner claiming it again. It is best
// effort: a claim left behind is not live once its owner stops referencing it.
func (p *Provider) releaseClaim(ctx context.Context, bucket, key string, owner claim) {
	for range 10 {
		e, err := p.Meta.Get(ctx, bucket, key)
		if err != nil {
			return
		}
		var cur claim
		if json.Unmarshal(e.Value, &cur) != nil || !cur.sameOwner(owner) {
			return
		}
		err = p.Meta.Delete(ctx, bucket, key, e.Revision)
		if !errors.Is(err, cairn.ErrRevisionMismatch) {
			return
		}
	}
}

// readClaim returns the claim at key, or nil when there is none.
func (p *Provider) readClaim(ctx context.Context, bucket, key string) (*claim, error) {
	e, err := p.Meta.Get(ctx, bucket, key)
	if errors.Is(err, cairn.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s/%s: %w", bucket, key, err)
	}
	c := new(claim)
	if err := json.Unmarshal(e.Value, c); err != nil {
		return nil, fmt.Errorf("decode claim %s/%s: %w", bucket, key, err)
	}
	return c, nil
}

// pageAfter returns the items after marker (by key, which must be ascending), at most
// max of them, and whether more follow.
func pageAfter[T any](items []T, key func(T) string, marker string, max int) ([]T, bool) {
	start := 0
	if marker != "" {
		lo, hi := 0, len(items)
		for lo < hi {
			m := (lo + hi) / 2
			if key(items[m]) <= marker {
				lo = m + 1
			} else {
				hi = m
			}
		}
		start = lo
	}
	rest := items[start:]
	if len(rest) > max {
		return rest[:max], true
	}
	return rest, false
}
