package admin

import (
	"context"
	"net/http"
	"time"

	"github.com/cairnhq/cairn"
	"github.com/cairnhq/cairn/awsproto"
	"github.com/cairnhq/cairn/identity"
)

// Provider serves the admin actions.
type Provider struct {
	Identity *identity.Store
}

// Input of every action. AccountId defaults to the operator account.
type Input struct {
	AccountId   *string `json:"AccountId,omitempty"`
	UserName    *string `json:"UserName,omitempty"`
	AccessKeyId *string `json:"AccessKeyId,omitempty"`
}

// Validate checks the members every action shares.
func (in *Input) Validate() error { return nil }

// AccessKeyOutput is returned by CreateAccount and CreateAccessKey.
type AccessKeyOutput struct {
	AccessKey AccessKey `json:"AccessKey"`
}

// AccessKey is an access key with its secret (only ever returned once).
type AccessKey struct {
	AccountId       string `json:"AccountId"`
	UserName        string `json:"UserName,omitempty"`
	AccessKeyId     string `json:"AccessKeyId"`
	SecretAccessKey string `json:"SecretAccessKey" cairn:"sensitive"`
	Status          string `json:"Status"`
	CreateDate      string `json:"CreateDate"`
}

// UserOutput is returned by CreateUser.
type UserOutput struct {
	User User `json:"User"`
}

// User is an IAM user.
type User struct {
	AccountId  string   `json:"AccountId"`
	UserName   string   `json:"UserName"`
	UserId     string   `json:"UserId"`
	Arn        string   `json:"Arn"`
	CreateDate string   `json:"CreateDate"`
	AccessKeys []string `json:"AccessKeyIds,omitempty"`
}

// ListUsersOutput is returned by ListUsers.
type ListUsersOutput struct {
	Users []User `json:"Users"`
}

// Empty is returned by deletions.
type Empty struct{}

// Actions are the admin actions, by name.
var Actions = []string{"CreateAccount", "CreateUser", "CreateAccessKey", "ListUsers", "DeleteUser", "DeleteAccessKey"}

// NewInput returns a new input for action.
func NewInput(action string) (awsproto.Validator, bool) {
	for _, a := range Actions {
		if a == action {
			return &Input{}, true
		}
	}
	return nil, false
}

// Invoke runs action for the caller in ctx.
func (p *Provider) Invoke(ctx context.Context, action string, v any) (any, error) {
	rc := awsproto.FromContext(ctx)
	if rc == nil || rc.Principal == nil || rc.Principal.Type != cairn.PrincipalRoot || rc.Principal.AccountID != p.Identity.OperatorAccount() {
		return nil, awsproto.NewError("AccessDenied", http.StatusForbidden, "Only the operator account's root credentials may call the admin API.")
	}
	in := v.(*Input)
	account := p.Identity.OperatorAccount()
	if in.AccountId != nil && *in.AccountId != "" {
		account = *in.AccountId
	}
	user := ""
	if in.UserName != nil {
		user = *in.UserName
	}
	needUser := func() error {
		if user == "" {
			return awsproto.NewError("ValidationError", http.StatusBadRequest, "UserName is required for %s", action)
		}
		return nil
	}
	switch action {
	case "CreateAccount":
		if in.AccountId == nil || *in.AccountId == "" {
			account = identity.NewAccountID()
		}
		k, err := p.Identity.CreateAccount(ctx, account)
		if err != nil {
			return nil, err
		}
		return &AccessKeyOutput{AccessKey: keyOut(k)}, nil
	case "CreateUser":
		if err := needUser(); err != nil {
			return nil, err
		}
		u, err := p.Identity.CreateUser(ctx, account, user)
		if err != nil {
			return nil, err
		}
		return &UserOutput{User: userOut(u)}, nil
	case "CreateAccessKey":
		if err := needUser(); err != nil {
			return nil, err
		}
		k, err := p.Identity.CreateAccessKey(ctx, account, user)
		if err != nil {
			return nil, err
		}
		return &AccessKeyOutput{AccessKey: keyOut(k)}, nil
	case "ListUsers":
		us, err := p.Identity.ListUsers(ctx, account)
		if err != nil {
			return nil, err
		}
		out := &ListUsersOutput{Users: []User{}}
		for _, u := range us {
			out.Users = append(out.Users, userOut(u))
		}
		return out, nil
	case "DeleteUser":
		if err := needUser(); err != nil {
			return nil, err
		}
		return &Empty{}, p.Identity.DeleteUser(ctx, account, user)
	case "DeleteAccessKey":
		if err := needUser(); err != nil {
			return nil, err
		}
		if in.AccessKeyId == nil {
			return nil, awsproto.NewError("ValidationError", http.StatusBadRequest, "AccessKeyId is required")
		}
		return &Empty{}, p.Identity.DeleteAccessKey(ctx, account, user, *in.AccessKeyId)
	}
	return nil, awsproto.NewError("InvalidAction", http.StatusBadRequest, "Unknown admin action %q", action)
}

func keyOut(k identity.AccessKey) AccessKey {
	return AccessKey{AccountId: k.AccountID, UserName: k.UserName, AccessKeyId: k.AccessKeyID, SecretAccessKey: k.SecretAccessKey,
		Status: k.Status, CreateDate: k.CreateDate.UTC().Format(time.RFC3339)}
}

func userOut(u identity.User) User {
	return User{AccountId: u.AccountID, UserName: u.UserName, UserId: u.UserID, Arn: u.ARN,
		CreateDate: u.CreateDate.UTC().Format(time.RFC3339), AccessKeys: u.AccessKeys}
}
