package sts

import (
	"context"

	"github.com/cairnhq/cairn/api/sts"
	"github.com/cairnhq/cairn/awsproto"
)

// Provider implements the STS API; other operations answer NotImplemented.
type Provider struct {
	sts.UnimplementedService
}

var _ sts.Service = (*Provider)(nil)

// GetCallerIdentity returns the signing principal.
func (p *Provider) GetCallerIdentity(ctx context.Context, _ *sts.GetCallerIdentityRequest) (*sts.GetCallerIdentityResponse, error) {
	pr := awsproto.FromContext(ctx).Principal
	return &sts.GetCallerIdentityResponse{Account: &pr.AccountID, Arn: &pr.ARN, UserId: &pr.PrincipalID}, nil
}
