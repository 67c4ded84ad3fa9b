package gateway

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/cairnhq/cairn/awsproto"
	"github.com/cairnhq/cairn/awsproto/sigv4"
)

// SigV4 authenticates requests with a sigv4.Verifier.
type SigV4 struct {
	Verifier *sigv4.Verifier
}

var _ Authenticator = SigV4{}

// Authenticate implements Authenticator.
func (a SigV4) Authenticate(ctx context.Context, r *http.Request, body []byte) (Auth, error) {
	res, err := a.Verifier.Verify(ctx, r, body)
	if err != nil {
		return Auth{}, err
	}
	return Auth{Principal: res.Principal, Region: res.Region, Service: res.Service}, nil
}

// Peek implements Authenticator.
func (a SigV4) Peek(r *http.Request) (string, string, string) {
	key, region, service, _ := sigv4.Scope(r)
	if strings.ContainsAny(region, "*,") {
		region = "" // a SigV4A region set names no single region
	}
	return key, region, service
}

// AuthError implements Authenticator.
func (a SigV4) AuthError(err error, protocol string) *awsproto.Error {
	var se *sigv4.Error
	if errors.As(err, &se) {
		return se.For(protocol)
	}
	return awsproto.AsError(err)
}
