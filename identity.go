package cairn

import "context"

// Principal types, as userIdentity.type spells them.
const (
	PrincipalRoot    = "Root"
	PrincipalIAMUser = "IAMUser"
	PrincipalUnknown = "Unknown"
)

// Principal is an authenticated caller: who signed the request and for which account.
type Principal struct {
	Type        string
	AccountID   string
	PrincipalID string
	ARN         string
	UserName    string
	AccessKeyID string
}

// Credential is an access key with the principal it belongs to.
type Credential struct {
	AccessKeyID     string
	SecretAccessKey string
	Principal       Principal
	Active          bool
}

// CredentialStore finds the secret and principal of an access key id.
type CredentialStore interface {
	// Credential returns the credential, or an error wrapping ErrNotFound.
	Credential(ctx context.Context, accessKeyID string) (Credential, error)
}

// UserIdentityOf builds the userIdentity element for a principal.
func UserIdentityOf(p Principal) UserIdentity {
	u := UserIdentity{Type: p.Type, PrincipalID: p.PrincipalID, ARN: p.ARN, AccountID: p.AccountID, AccessKeyID: p.AccessKeyID}
	if p.Type == PrincipalIAMUser {
		u.UserName = p.UserName
	}
	return u
}

// LookupUsername is the Username LookupEvents reports for a principal.
func LookupUsername(p Principal) string {
	switch p.Type {
	case PrincipalRoot:
		return "root"
	default:
		return p.UserName
	}
}
