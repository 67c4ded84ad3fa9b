package cloudtrail

import (
	"context"
	"fmt"
	"time"

	"github.com/cairnhq/cairn/api/cloudtrail"
	"github.com/cairnhq/cairn/awsproto"
)

// ListPublicKeys implements cloudtrail.Service: the digest signing keys of the
// caller's region whose validity overlaps [StartTime, EndTime]; an omitted time is
// now, so with neither the answer is the current key. Every key fits in one page:
// no NextToken is ever returned, and any NextToken sent is InvalidTokenException.
func (p *Provider) ListPublicKeys(ctx context.Context, in *cloudtrail.ListPublicKeysRequest) (*cloudtrail.ListPublicKeysResponse, error) {
	if p.Keys == nil {
		return p.UnimplementedService.ListPublicKeys(ctx, in)
	}
	if deref(in.NextToken) != "" {
		return nil, cloudtrail.NewInvalidTokenException("Invalid NextToken: this service returned no NextToken for ListPublicKeys.")
	}
	var start, end time.Time
	if in.StartTime != nil {
		start = in.StartTime.Time
	}
	if in.EndTime != nil {
		end = in.EndTime.Time
	}
	if in.StartTime != nil && in.EndTime != nil && start.After(end) {
		return nil, cloudtrail.NewInvalidTimeRangeException("Start time %s must not be after end time %s.",
			start.UTC().Format(time.RFC3339), end.UTC().Format(time.RFC3339))
	}
	_, region := caller(ctx)
	keys, err := p.Keys.PublicKeys(ctx, region, start, end)
	if err != nil {
		return nil, fmt.Errorf("list public keys: %w", err)
	}
	out := &cloudtrail.ListPublicKeysResponse{PublicKeyList: make([]cloudtrail.PublicKey, 0, len(keys))}
	for _, k := range keys {
		out.PublicKeyList = append(out.PublicKeyList, cloudtrail.PublicKey{
			Value:             k.Value,
			ValidityStartTime: awsproto.NewTimestamp(k.ValidityStart),
			ValidityEndTime:   awsproto.NewTimestamp(k.ValidityEnd),
			Fingerprint:       ptr(k.Fingerprint),
		})
	}
	return out, nil
}
