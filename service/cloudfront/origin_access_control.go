package cloudfront

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/cairnhq/cairn"
	"github.com/cairnhq/cairn/api/cloudfront"
)

// oacRecord is an origin access control as the Provider stores it (JSON in
// OriginAccessControlsBucket).
type oacRecord struct {
	Account      string
	ID           string
	ETag         string
	Config       *cloudfront.OriginAccessControlConfig
	Created      time.Time
	LastModified time.Time
}

func oacNameKey(account, name string) string { return account + "." + encodeKeyPart(name) }

func errNoSuchOAC() error {
	return cloudfront.NewNoSuchOriginAccessControl("The specified origin access control does not exist.")
}

func errOACExists(name string) error {
	return cloudfront.NewOriginAccessControlAlreadyExists("An origin access control with the same name already exists: %s", name)
}

func oacLocation(id string) string { return APIBaseURL + "/origin-access-control/" + id }

// normalizeOACConfig validates an origin access control configuration and returns a
// copy with the optional Description filled ("" as AWS returns it).
func normalizeOACConfig(in *cloudfront.OriginAccessControlConfig) (*cloudfront.OriginAccessControlConfig, error) {
	c := *in
	if n := utf8.RuneCountInString(deref(c.Name)); n < 1 || n > 64 {
		return nil, cloudfront.NewInvalidArgument("The parameter Name must be 1 to 64 characters long.")
	}
	if utf8.RuneCountInString(deref(c.Description)) > 256 {
		return nil, cloudfront.NewInvalidArgument("The parameter Description must be at most 256 characters long.")
	}
	c.Description = ptr(deref(c.Description))
	return &c, nil
}

func (p *Provider) loadOAC(ctx context.Context, account, id string) (*oacRecord, uint64, error) {
	if !validID(id) {
		return nil, 0, errNoSuchOAC()
	}
	e, err := p.Meta.Get(ctx, OriginAccessControlsBucket, distKey(account, id))
	if errors.Is(err, cairn.ErrNotFound) {
		return nil, 0, errNoSuchOAC()
	}
	if err != nil {
		return nil, 0, fmt.Errorf("read origin access control: %w", err)
	}
	r := new(oacRecord)
	if err := json.Unmarshal(e.Value, r); err != nil {
		return nil, 0, fmt.Errorf("decode origin access control %s: %w", e.Key, err)
	}
	return r, e.Revision, nil
}

func (p *Provider) listOACs(ctx context.Context, account string) ([]*oacRecord, error) {
	es, err := p.Meta.List(ctx, OriginAccessControlsBucket, account+".")
	if err != nil {
		return nil, fmt.Errorf("list origin access controls: %w", err)
	}
	out := make([]*oacRecord, 0, len(es))
	for _, e := range es {
		r := new(oacRecord)
		if err := json.Unmarshal(e.Value, r); err != nil {
			return nil, fmt.Errorf("decode origin access control %s: %w", e.Key, err)
		}
		if r.Account == account {
			out = append(out, r)
		}
	}
	return out, nil
}

// oacNameLive is the liveness check of name claims: the holder still has the name, or
// the write that claimed it may still be in progress (recent claim, holder absent or
// still at the claim's base revision).
func (p *Provider) oacNameLive(ctx context.Context, name string) func(claim) (bool, error) {
	return func(c claim) (bool, error) {
		r, rev, err := p.loadOAC(ctx, c.Account, c.ID)
		if isAPIError(err, "NoSuchOriginAccessControl") {
			return p.young(c), nil
		}
		if err != nil {
			return false, err
		}
		return deref(r.Config.Name) == name || rev == c.BaseRev && p.young(c), nil
	}
}

func oacShape(r *oacRecord) *cloudfront.OriginAccessControl {
	return &cloudfront.OriginAccessControl{Id: ptr(r.ID), OriginAccessControlConfig: r.Config}
}

// CreateOriginAccessControl implements cloudfront.Service.
func (p *Provider) CreateOriginAccessControl(ctx context.Context, in *cloudfront.CreateOriginAccessControlRequest) (*cloudfront.CreateOriginAccessControlResult, error) {
	account, err := p.account(ctx)
	if err != nil {
		return nil, err
	}
	if err := validateInput(in); err != nil {
		return nil, err
	}
	cfg, err := normalizeOACConfig(in.OriginAccessControlConfig)
	if err != nil {
		return nil, err
	}
	all, err := p.listOACs(ctx, account)
	if err != nil {
		return nil, err
	}
	if len(all) >= p.maxOACs() {
		return nil, cloudfront.NewTooManyOriginAccessControls("Processing your request would cause you to exceed the maximum number of origin access controls allowed (%d).", p.maxOACs())
	}
	now := p.now()
	r := &oacRecord{Account: account, ID: newResourceID("E"), ETag: newETag(), Config: cfg, Created: now, LastModified: now}
	name := deref(cfg.Name)
	owner := claim{Account: account, ID: r.ID, Claimed: now}
	key := oacNameKey(account, name)
	cur, err := p.takeClaim(ctx, OriginAccessControlNamesBucket, key, owner, p.oacNameLive(ctx, name))
	if err != nil {
		return nil, err
	}
	if cur != nil {
		return nil, errOACExists(name)
	}
	b, err := json.Marshal(r)
	if err == nil {
		_, err = p.Meta.Create(ctx, OriginAccessControlsBucket, distKey(account, r.ID), b)
	}
	if err != nil {
		p.releaseClaim(context.WithoutCancel(ctx), OriginAccessControlNamesBucket, key, owner)
		return nil, fmt.Errorf("create origin access control: %w", err)
	}
	touch(ctx, ResourceTypeOriginAccessControl, OriginAccessControlARN(account, r.ID))
	return &cloudfront.CreateOriginAccessControlResult{OriginAccessControl: oacShape(r), ETag: ptr(r.ETag), Location: ptr(oacLocation(r.ID))}, nil
}

// GetOriginAccessControl implements cloudfront.Service.
func (p *Provider) GetOriginAccessControl(ctx context.Context, in *cloudfront.GetOriginAccessControlRequest) (*cloudfront.GetOriginAccessControlResult, error) {
	account, err := p.account(ctx)
	if err != nil {
		return nil, err
	}
	r, _, err := p.loadOAC(ctx, account, deref(in.Id))
	if err != nil {
		return nil, err
	}
	touch(ctx, ResourceTypeOriginAccessControl, OriginAccessControlARN(account, r.ID))
	return &cloudfront.GetOriginAccessControlResult{OriginAccessControl: oacShape(r), ETag: ptr(r.ETag)}, nil
}

// GetOriginAccessControlConfig implements cloudfront.Service.
func (p *Provider) GetOriginAccessControlConfig(ctx context.Context, in *cloudfront.GetOriginAccessControlConfigRequest) (*cloudfront.GetOriginAccessControlConfigResult, error) {
	account, err := p.account(ctx)
	if err != nil {
		return nil, err
	}
	r, _, err := p.loadOAC(ctx, account, deref(in.Id))
	if err != nil {
		return nil, err
	}
	touch(ctx, ResourceTypeOriginAccessControl, OriginAccessControlARN(account, r.ID))
	return &cloudfront.GetOriginAccessControlConfigResult{OriginAccessControlConfig: r.Config, ETag: ptr(r.ETag)}, nil
}

// UpdateOriginAccessControl implements cloudfront.Service.
func (p *Provider) UpdateOriginAccessControl(ctx context.Context, in *cloudfront.UpdateOriginAccessControlRequest) (*cloudfront.UpdateOriginAccessControlResult, error) {
	account, err := p.account(ctx)
	if err != nil {
		return nil, err
	}
	id := deref(in.Id)
	if validID(id) {
		touch(ctx, ResourceTypeOriginAccessControl, OriginAccessControlARN(account, id))
	}
	if err := validateInput(in); err != nil {
		return nil, err
	}
	cfg, err := normalizeOACConfig(in.OriginAccessControlConfig)
	if err != nil {
		return nil, err
	}
	name := deref(cfg.Name)
	for range casMaxAttempts {
		r, rev, err := p.loadOAC(ctx, account, id)
		if err != nil {
			return nil, err
		}
		if err := checkIfMatch(in.IfMatch, r.ETag); err != nil {
			return nil, err
		}
		now := p.now()
		cur, err := p.takeClaim(ctx, OriginAccessControlNamesBucket, oacNameKey(account, name), claim{Account: account, ID: id, BaseRev: rev, Claimed: now}, p.oacNameLive(ctx, name))
		if err != nil {
			return nil, err
		}
		if cur != nil {
			return nil, errOACExists(name)
		}
		r.Config, r.ETag, r.LastModified = cfg, newETag(), now
		b, err := json.Marshal(r)
		if err != nil {
			return nil, err
		}
		_, err = p.Meta.Update(ctx, OriginAccessControlsBucket, distKey(account, id), b, rev)
		switch {
		case err == nil:
			return &cloudfront.UpdateOriginAccessControlResult{OriginAccessControl: oacShape(r), ETag: ptr(r.ETag)}, nil
		case errors.Is(err, cairn.ErrRevisionMismatch), errors.Is(err, cairn.ErrNotFound):
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("update origin access control: %w", err)
		}
	}
	return nil, errConflict()
}

// DeleteOriginAccessControl implements cloudfront.Service. An origin access control
// that a distribution of the account uses cannot be deleted.
func (p *Provider) DeleteOriginAccessControl(ctx context.Context, in *cloudfront.DeleteOriginAccessControlRequest) (*cloudfront.DeleteOriginAccessControlOutput, error) {
	account, err := p.account(ctx)
	if err != nil {
		return nil, err
	}
	id := deref(in.Id)
	if validID(id) {
		touch(ctx, ResourceTypeOriginAccessControl, OriginAccessControlARN(account, id))
	}
	for range casMaxAttempts {
		r, rev, err := p.loadOAC(ctx, account, id)
		if err != nil {
			return nil, err
		}
		if err := checkIfMatch(in.IfMatch, r.ETag); err != nil {
			return nil, err
		}
		used, err := p.usesOAC(ctx, account, id)
		if err != nil {
			return nil, err
		}
		if used {
			return nil, cloudfront.NewOriginAccessControlInUse("Cannot delete the origin access control because it's in use by one or more distributions.")
		}
		err = p.Meta.Delete(ctx, OriginAccessControlsBucket, distKey(account, id), rev)
		switch {
		case err == nil:
			p.releaseClaim(context.WithoutCancel(ctx), OriginAccessControlNamesBucket, oacNameKey(account, deref(r.Config.Name)), claim{Account: account, ID: id})
			return &cloudfront.DeleteOriginAccessControlOutput{}, nil
		case errors.Is(err, cairn.ErrRevisionMismatch), errors.Is(err, cairn.ErrNotFound):
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("delete origin access control: %w", err)
		}
	}
	return nil, errConflict()
}

// ListOriginAccessControls implements cloudfront.Service, by id.
func (p *Provider) ListOriginAccessControls(ctx context.Context, in *cloudfront.ListOriginAccessControlsRequest) (*cloudfront.ListOriginAccessControlsResult, error) {
	account, err := p.account(ctx)
	if err != nil {
		return nil, err
	}
	max, err := parseMaxItems(in.MaxItems)
	if err != nil {
		return nil, err
	}
	all, err := p.listOACs(ctx, account)
	if err != nil {
		return nil, err
	}
	page, more := pageAfter(all, func(r *oacRecord) string { return r.ID }, deref(in.Marker), max)
	list := &cloudfront.OriginAccessControlList{
		Marker: ptr(deref(in.Marker)), MaxItems: ptr(int32(max)), IsTruncated: ptr(more),
		Quantity: ptr(int32(len(page))), Items: make([]cloudfront.OriginAccessControlSummary, 0, len(page)),
	}
	for _, r := range page {
		c := r.Config
		list.Items = append(list.Items, cloudfront.OriginAccessControlSummary{
			Id: ptr(r.ID), Name: c.Name, Description: ptr(deref(c.Description)), SigningProtocol: c.SigningProtocol,
			SigningBehavior: c.SigningBehavior, OriginAccessControlOriginType: c.OriginAccessControlOriginType,
		})
	}
	if more {
		list.NextMarker = ptr(page[len(page)-1].ID)
	}
	return &cloudfront.ListOriginAccessControlsResult{OriginAccessControlList: list}, nil
}
