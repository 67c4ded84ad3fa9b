package cloudfront

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/cairnhq/cairn"
	"github.com/cairnhq/cairn/api/cloudfront"
	"github.com/cairnhq/cairn/awsproto"
)

// CloudFront's invalidation limits.
const (
	MaxInvalidationPaths           = 3000 // per batch, and in progress per distribution
	MaxInProgressWildcardPaths     = 15   // wildcard paths in progress per distribution
	maxInvalidationPathLength      = 4000
	invalidationStatusInProgress   = "InProgress"
	invalidationStatusCompleted    = "Completed"
	errCodeInvalidationBatchExists = "InvalidationBatchAlreadyExists"
)

// invalidationRecord is an invalidation as the Provider stores it (JSON in
// InvalidationsBucket).
type invalidationRecord struct {
	Account         string
	DistributionID  string
	ID              string
	CallerReference string
	Paths           []string
	Fingerprint     string
	Created         time.Time
}

func invalidationKey(account, distID, id string) string { return account + "." + distID + "." + id }

func (p *Provider) invalidationStatus(r *invalidationRecord) string {
	if p.deployed(r.Created) {
		return invalidationStatusCompleted
	}
	return invalidationStatusInProgress
}

func (p *Provider) invalidationShape(r *invalidationRecord) *cloudfront.Invalidation {
	return &cloudfront.Invalidation{
		Id: ptr(r.ID), Status: ptr(p.invalidationStatus(r)), CreateTime: awsproto.NewTimestamp(r.Created),
		InvalidationBatch: &cloudfront.InvalidationBatch{
			CallerReference: ptr(r.CallerReference),
			Paths:           &cloudfront.Paths{Quantity: ptr(int32(len(r.Paths))), Items: append([]string{}, r.Paths...)},
		},
	}
}

// listInvalidations returns the distribution's invalidations, newest first.
func (p *Provider) listInvalidations(ctx context.Context, account, distID string) ([]*invalidationRecord, error) {
	es, err := p.Meta.List(ctx, InvalidationsBucket, account+"."+distID+".")
	if err != nil {
		return nil, fmt.Errorf("list invalidations: %w", err)
	}
	out := make([]*invalidationRecord, 0, len(es))
	for _, e := range es {
		r := new(invalidationRecord)
		if err := json.Unmarshal(e.Value, r); err != nil {
			return nil, fmt.Errorf("decode invalidation %s: %w", e.Key, err)
		}
		if r.Account == account && r.DistributionID == distID {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Created.Equal(out[j].Created) {
			return out[i].Created.After(out[j].Created)
		}
		return out[i].ID > out[j].ID
	})
	return out, nil
}

// inProgressInvalidations is the distribution's InProgressInvalidationBatches.
func (p *Provider) inProgressInvalidations(ctx context.Context, account, distID string) (int, error) {
	all, err := p.listInvalidations(ctx, account, distID)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, r := range all {
		if !p.deployed(r.Created) {
			n++
		}
	}
	return n, nil
}

func (p *Provider) loadInvalidation(ctx context.Context, account, distID, id string) (*invalidationRecord, error) {
	if !validID(id) {
		return nil, cloudfront.NewNoSuchInvalidation("The specified invalidation does not exist.")
	}
	e, err := p.Meta.Get(ctx, InvalidationsBucket, invalidationKey(account, distID, id))
	if errors.Is(err, cairn.ErrNotFound) {
		return nil, cloudfront.NewNoSuchInvalidation("The specified invalidation does not exist.")
	}
	if err != nil {
		return nil, fmt.Errorf("read invalidation: %w", err)
	}
	r := new(invalidationRecord)
	if err := json.Unmarshal(e.Value, r); err != nil {
		return nil, fmt.Errorf("decode invalidation %s: %w", e.Key, err)
	}
	return r, nil
}

func invalidationLocation(distID, id string) string {
	return APIBaseURL + "/distribution/" + distID + "/invalidation/" + id
}

// checkPaths validates an invalidation batch's paths.
func checkPaths(paths *cloudfront.Paths) error {
	if paths == nil {
		return errMalformedXML("1 validation error detected: Value null at 'invalidationBatch.paths' failed to satisfy constraint: Member must not be null")
	}
	if paths.Quantity == nil || int(*paths.Quantity) != len(paths.Items) {
		return errInconsistentQuantities()
	}
	if len(paths.Items) == 0 {
		return cloudfront.NewInvalidArgument("Your request contains no paths to invalidate.")
	}
	if len(paths.Items) > MaxInvalidationPaths {
		return cloudfront.NewBatchTooLarge("Your request contains more than %d invalidation paths.", MaxInvalidationPaths)
	}
	for _, s := range paths.Items {
		if !strings.HasPrefix(s, "/") || len(s) > maxInvalidationPathLength {
			return cloudfront.NewInvalidArgument("Your request contains one or more invalid invalidation paths.")
		}
	}
	return nil
}

func countPaths(paths []string) (plain, wildcard int) {
	for _, s := range paths {
		if strings.HasSuffix(s, "*") {
			wildcard++
		} else {
			plain++
		}
	}
	return plain, wildcard
}

// CreateInvalidation implements cloudfront.Service. A repeated CallerReference with
// the same paths returns the invalidation it created; with other paths it fails with
// InvalidationBatchAlreadyExists.
func (p *Provider) CreateInvalidation(ctx context.Context, in *cloudfront.CreateInvalidationRequest) (*cloudfront.CreateInvalidationResult, error) {
	account, err := p.account(ctx)
	if err != nil {
		return nil, err
	}
	distID := deref(in.DistributionId)
	if validID(distID) {
		touch(ctx, ResourceTypeDistribution, DistributionARN(account, distID))
	}
	if err := validateInput(in); err != nil {
		return nil, err
	}
	if _, _, err := p.loadDist(ctx, account, distID); err != nil {
		return nil, err
	}
	batch := in.InvalidationBatch
	if err := checkPaths(batch.Paths); err != nil {
		return nil, err
	}
	ref := deref(batch.CallerReference)
	if ref == "" {
		return nil, cloudfront.NewInvalidArgument("The parameter CallerReference must be specified and non-empty.")
	}
	raw, err := json.Marshal(batch.Paths.Items)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(raw)
	fp := hex.EncodeToString(sum[:])

	now := p.now()
	rec := &invalidationRecord{Account: account, DistributionID: distID, ID: newResourceID("I"), CallerReference: ref,
		Paths: append([]string{}, batch.Paths.Items...), Fingerprint: fp, Created: now}
	refKey := account + "." + distID + "." + encodeKeyPart(ref)
	owner := claim{Account: account, ID: rec.ID, Fingerprint: fp, Claimed: now}
	existing := func(c claim) (*invalidationRecord, error) {
		r, err := p.loadInvalidation(ctx, account, distID, c.ID)
		if isAPIError(err, "NoSuchInvalidation") {
			return nil, nil
		}
		return r, err
	}
	cur, err := p.takeClaim(ctx, InvalidationRefsBucket, refKey, owner, func(c claim) (bool, error) {
		if p.young(c) {
			return true, nil
		}
		r, err := existing(c)
		return r != nil, err
	})
	if err != nil {
		return nil, err
	}
	if cur != nil {
		if cur.Fingerprint != fp {
			return nil, awsproto.NewError(errCodeInvalidationBatchExists, http.StatusConflict,
				"The CallerReference %s was already used for an invalidation batch with different paths: %s", ref, cur.ID)
		}
		for range 200 {
			r, err := existing(*cur)
			if err != nil {
				return nil, err
			}
			if r != nil {
				return &cloudfront.CreateInvalidationResult{Invalidation: p.invalidationShape(r), Location: ptr(invalidationLocation(distID, r.ID))}, nil
			}
			time.Sleep(2 * time.Millisecond)
		}
		return nil, errConflict()
	}
	release := func() { p.releaseClaim(context.WithoutCancel(ctx), InvalidationRefsBucket, refKey, owner) }

	// In-progress limits (checked before the write, so concurrent batches can exceed
	// them slightly).
	all, err := p.listInvalidations(ctx, account, distID)
	if err != nil {
		release()
		return nil, err
	}
	plain, wild := countPaths(rec.Paths)
	for _, r := range all {
		if !p.deployed(r.Created) {
			pl, wi := countPaths(r.Paths)
			plain, wild = plain+pl, wild+wi
		}
	}
	if wild > MaxInProgressWildcardPaths {
		release()
		return nil, cloudfront.NewTooManyInvalidationsInProgress("Processing your request will cause you to exceed the maximum number of in-progress wildcard invalidations (%d).", MaxInProgressWildcardPaths)
	}
	if plain > MaxInvalidationPaths {
		release()
		return nil, cloudfront.NewTooManyInvalidationsInProgress("Processing your request will cause you to exceed the maximum number of in-progress invalidation paths (%d).", MaxInvalidationPaths)
	}
	b, err := json.Marshal(rec)
	if err == nil {
		_, err = p.Meta.Create(ctx, InvalidationsBucket, invalidationKey(account, distID, rec.ID), b)
	}
	if err != nil {
		release()
		return nil, fmt.Errorf("create invalidation: %w", err)
	}
	return &cloudfront.CreateInvalidationResult{Invalidation: p.invalidationShape(rec), Location: ptr(invalidationLocation(distID, rec.ID))}, nil
}

// GetInvalidation implements cloudfront.Service.
func (p *Provider) GetInvalidation(ctx context.Context, in *cloudfront.GetInvalidationRequest) (*cloudfront.GetInvalidationResult, error) {
	account, err := p.account(ctx)
	if err != nil {
		return nil, err
	}
	distID := deref(in.DistributionId)
	if _, _, err := p.loadDist(ctx, account, distID); err != nil {
		return nil, err
	}
	touch(ctx, ResourceTypeDistribution, DistributionARN(account, distID))
	r, err := p.loadInvalidation(ctx, account, distID, deref(in.Id))
	if err != nil {
		return nil, err
	}
	return &cloudfront.GetInvalidationResult{Invalidation: p.invalidationShape(r)}, nil
}

// ListInvalidations implements cloudfront.Service: newest first; Marker is the id of
// the invalidation after which the page starts, NextMarker the last id of a truncated
// page.
func (p *Provider) ListInvalidations(ctx context.Context, in *cloudfront.ListInvalidationsRequest) (*cloudfront.ListInvalidationsResult, error) {
	account, err := p.account(ctx)
	if err != nil {
		return nil, err
	}
	distID := deref(in.DistributionId)
	max, err := parseMaxItems(in.MaxItems)
	if err != nil {
		return nil, err
	}
	if _, _, err := p.loadDist(ctx, account, distID); err != nil {
		return nil, err
	}
	touch(ctx, ResourceTypeDistribution, DistributionARN(account, distID))
	all, err := p.listInvalidations(ctx, account, distID)
	if err != nil {
		return nil, err
	}
	start := 0
	if m := deref(in.Marker); m != "" {
		for i, r := range all {
			if r.ID == m {
				start = i + 1
				break
			}
		}
	}
	page, more := all[start:], false
	if len(page) > max {
		page, more = page[:max], true
	}
	list := &cloudfront.InvalidationList{
		Marker: ptr(deref(in.Marker)), MaxItems: ptr(int32(max)), IsTruncated: ptr(more),
		Quantity: ptr(int32(len(page))), Items: make([]cloudfront.InvalidationSummary, 0, len(page)),
	}
	for _, r := range page {
		list.Items = append(list.Items, cloudfront.InvalidationSummary{Id: ptr(r.ID), CreateTime: awsproto.NewTimestamp(r.Created), Status: ptr(p.invalidationStatus(r))})
	}
	if more {
		list.NextMarker = ptr(page[len(page)-1].ID)
	}
	return &cloudfront.ListInvalidationsResult{InvalidationList: list}, nil
}
