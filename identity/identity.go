package identity

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/cairnhq/cairn"
	"github.com/cairnhq/cairn/awsproto"
)

// MetaStore buckets.
const (
	bucketUsers = "iam-users"
	bucketKeys  = "iam-access-keys"
)

// User is an IAM user.
type User struct {
	AccountID  string    `json:"accountId"`
	UserName   string    `json:"userName"`
	UserID     string    `json:"userId"`
	ARN        string    `json:"arn"`
	CreateDate time.Time `json:"createDate"`
	AccessKeys []string  `json:"accessKeys,omitempty"`
	Path       string    `json:"path"`
}

// AccessKey is an access key of a user. The secret is returned only when created.
type AccessKey struct {
	AccessKeyID     string    `json:"accessKeyId"`
	SecretAccessKey string    `json:"secretAccessKey,omitempty"`
	AccountID       string    `json:"accountId"`
	UserName        string    `json:"userName"`
	Status          string    `json:"status"`
	CreateDate      time.Time `json:"createDate"`
}

// Store is the identity store. Root credentials live in memory (they come from the
// configuration); users and keys live in the MetaStore.
type Store struct {
	Meta  cairn.MetaStore
	Clock cairn.Clock

	root cairn.Credential
}

var _ cairn.CredentialStore = (*Store)(nil)

// New returns a store whose root principal is the given account's root.
func New(meta cairn.MetaStore, clock cairn.Clock, accountID, rootKey, rootSecret string) *Store {
	return &Store{Meta: meta, Clock: clock, root: cairn.Credential{
		AccessKeyID: rootKey, SecretAccessKey: rootSecret, Active: true,
		Principal: RootPrincipal(accountID, rootKey),
	}}
}

// RootPrincipal is the root user of an account signing with key.
func RootPrincipal(accountID, key string) cairn.Principal {
	return cairn.Principal{Type: cairn.PrincipalRoot, AccountID: accountID, PrincipalID: accountID,
		ARN: "arn:aws:iam::" + accountID + ":root", AccessKeyID: key}
}

// OperatorAccount is the account of the configured root credentials.
func (s *Store) OperatorAccount() string { return s.root.Principal.AccountID }

// Credential implements cairn.CredentialStore.
func (s *Store) Credential(ctx context.Context, akid string) (cairn.Credential, error) {
	if akid == s.root.AccessKeyID {
		return s.root, nil
	}
	e, err := s.Meta.Get(ctx, bucketKeys, akid)
	if err != nil {
		return cairn.Credential{}, fmt.Errorf("credential: %w", err)
	}
	var k storedKey
	if err := json.Unmarshal(e.Value, &k); err != nil {
		return cairn.Credential{}, fmt.Errorf("decode access key: %w", err)
	}
	if k.UserName == "" {
		return cairn.Credential{AccessKeyID: akid, SecretAccessKey: k.Secret, Active: k.Status == "Active",
			Principal: RootPrincipal(k.AccountID, akid)}, nil
	}
	return cairn.Credential{
		AccessKeyID: akid, SecretAccessKey: k.Secret, Active: k.Status == "Active",
		Principal: cairn.Principal{Type: cairn.PrincipalIAMUser, AccountID: k.AccountID, PrincipalID: k.UserID,
			ARN: userARN(k.AccountID, k.UserName), UserName: k.UserName, AccessKeyID: akid},
	}, nil
}

type storedKey struct {
	AccountID  string    `json:"accountId"`
	UserName   string    `json:"userName,omitempty"`
	UserID     string    `json:"userId,omitempty"`
	Secret     string    `json:"secret"`
	Status     string    `json:"status"`
	CreateDate time.Time `json:"createDate"`
}

var (
	accountRE  = regexp.MustCompile(`^[0-9]{12}$`)
	userNameRE = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
)

func userARN(account, name string) string { return "arn:aws:iam::" + account + ":user/" + name }

func userKey(account, name string) string { return account + "." + encodeName(name) }

// encodeName maps an IAM user name onto MetaStore key characters: names may hold
// + = , @ which keys may not.
func encodeName(name string) string {
	var b strings.Builder
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			b.WriteRune(r)
		default:
			fmt.Fprintf(&b, "=%02X", r)
		}
	}
	return b.String()
}

func checkAccount(account string) error {
	if !accountRE.MatchString(account) {
		return awsproto.NewError("ValidationError", http.StatusBadRequest, "account id must be 12 digits")
	}
	return nil
}

// CreateAccount creates root credentials for another account (an operator action).
func (s *Store) CreateAccount(ctx context.Context, account string) (AccessKey, error) {
	if err := checkAccount(account); err != nil {
		return AccessKey{}, err
	}
	if account == s.OperatorAccount() {
		return AccessKey{}, awsproto.NewError("EntityAlreadyExists", http.StatusConflict, "account %s is the operator account", account)
	}
	k := AccessKey{AccessKeyID: NewAccessKeyID(), SecretAccessKey: NewSecret(), AccountID: account, Status: "Active", CreateDate: s.Clock.Now().UTC()}
	if err := s.putKey(ctx, k, ""); err != nil {
		return AccessKey{}, err
	}
	return k, nil
}

func (s *Store) putKey(ctx context.Context, k AccessKey, userID string) error {
	b, _ := json.Marshal(storedKey{AccountID: k.AccountID, UserName: k.UserName, UserID: userID, Secret: k.SecretAccessKey, Status: k.Status, CreateDate: k.CreateDate})
	if _, err := s.Meta.Create(ctx, bucketKeys, k.AccessKeyID, b); err != nil {
		return fmt.Errorf("store access key: %w", err)
	}
	return nil
}

// CreateUser creates an IAM user.
func (s *Store) CreateUser(ctx context.Context, account, name string) (User, error) {
	if err := checkAccount(account); err != nil {
		return User{}, err
	}
	if !userNameRE.MatchString(name) {
		return User{}, awsproto.NewError("ValidationError", http.StatusBadRequest,
			"1 validation error detected: Value '%s' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+", name)
	}
	u := User{AccountID: account, UserName: name, UserID: "AIDA" + randomID(17), ARN: userARN(account, name), CreateDate: s.Clock.Now().UTC(), Path: "/"}
	b, _ := json.Marshal(u)
	if _, err := s.Meta.Create(ctx, bucketUsers, userKey(account, name), b); err != nil {
		if errors.Is(err, cairn.ErrExists) {
			return User{}, awsproto.NewError("EntityAlreadyExists", http.StatusConflict, "User with name %s already exists.", name)
		}
		return User{}, fmt.Errorf("create user: %w", err)
	}
	return u, nil
}

func (s *Store) getUser(ctx context.Context, account, name string) (User, uint64, error) {
	e, err := s.Meta.Get(ctx, bucketUsers, userKey(account, name))
	if errors.Is(err, cairn.ErrNotFound) {
		return User{}, 0, awsproto.NewError("NoSuchEntity", http.StatusNotFound, "The user with name %s cannot be found.", name)
	}
	if err != nil {
		return User{}, 0, fmt.Errorf("get user: %w", err)
	}
	var u User
	if err := json.Unmarshal(e.Value, &u); err != nil {
		return User{}, 0, fmt.Errorf("decode user: %w", err)
	}
	return u, e.Revision, nil
}

// CreateAccessKey creates an access key for a user; the secret is in the result only.
func (s *Store) CreateAccessKey(ctx context.Context, account, name string) (AccessKey, error) {
	for {
		u, rev, err := s.getUser(ctx, account, name)
		if err != nil {
			return AccessKey{}, err
		}
		if len(u.AccessKeys) >= 2 {
			return AccessKey{}, awsproto.NewError("LimitExceeded", http.StatusConflict, "Cannot exceed quota for AccessKeysPerUser: 2")
		}
		k := AccessKey{AccessKeyID: NewAccessKeyID(), SecretAccessKey: NewSecret(), AccountID: account, UserName: name, Status: "Active", CreateDate: s.Clock.Now().UTC()}
		u.AccessKeys = append(u.AccessKeys, k.AccessKeyID)
		b, _ := json.Marshal(u)
		if _, err := s.Meta.Update(ctx, bucketUsers, userKey(account, name), b, rev); errors.Is(err, cairn.ErrRevisionMismatch) {
			continue
		} else if err != nil {
			return AccessKey{}, fmt.Errorf("update user: %w", err)
		}
		if err := s.putKey(ctx, k, u.UserID); err != nil {
			return AccessKey{}, err
		}
		return k, nil
	}
}

// ListUsers lists an account's users sorted by name.
func (s *Store) ListUsers(ctx context.Context, account string) ([]User, error) {
	if err := checkAccount(account); err != nil {
		return nil, err
	}
	es, err := s.Meta.List(ctx, bucketUsers, account+".")
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	users := make([]User, 0, len(es))
	for _, e := range es {
		var u User
		if err := json.Unmarshal(e.Value, &u); err != nil {
			return nil, fmt.Errorf("decode user: %w", err)
		}
		users = append(users, u)
	}
	sort.Slice(users, func(i, j int) bool { return users[i].UserName < users[j].UserName })
	return users, nil
}

// DeleteAccessKey deletes one access key of a user.
func (s *Store) DeleteAccessKey(ctx context.Context, account, name, akid string) error {
	for {
		u, rev, err := s.getUser(ctx, account, name)
		if err != nil {
			return err
		}
		i := indexOf(u.AccessKeys, akid)
		if i < 0 {
			return awsproto.NewError("NoSuchEntity", http.StatusNotFound, "The Access Key with id %s cannot be found.", akid)
		}
		u.AccessKeys = append(u.AccessKeys[:i], u.AccessKeys[i+1:]...)
		b, _ := json.Marshal(u)
		if _, err := s.Meta.Update(ctx, bucketUsers, userKey(account, name), b, rev); errors.Is(err, cairn.ErrRevisionMismatch) {
			continue
		} else if err != nil {
			return fmt.Errorf("update user: %w", err)
		}
		if err := s.Meta.Delete(ctx, bucketKeys, akid, 0); err != nil && !errors.Is(err, cairn.ErrNotFound) {
			return fmt.Errorf("delete access key: %w", err)
		}
		return nil
	}
}

// DeleteUser deletes a user and its access keys.
func (s *Store) DeleteUser(ctx context.Context, account, name string) error {
	u, rev, err := s.getUser(ctx, account, name)
	if err != nil {
		return err
	}
	for _, k := range u.AccessKeys {
		if err := s.Meta.Delete(ctx, bucketKeys, k, 0); err != nil && !errors.Is(err, cairn.ErrNotFound) {
			return fmt.Errorf("delete access key: %w", err)
		}
	}
	if err := s.Meta.Delete(ctx, bucketUsers, userKey(account, name), rev); err != nil {
		return fmt.Errorf("delete user: %w", err)
	}
	return nil
}

func indexOf(xs []string, x string) int {
	for i, v := range xs {
		if v == x {
			return i
		}
	}
	return -1
}

const idAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"

func randomID(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	for i := range b {
		b[i] = idAlphabet[int(b[i])%len(idAlphabet)]
	}
	return string(b)
}

// NewAccessKeyID returns a new long-term access key id (AKIA + 16 characters).
func NewAccessKeyID() string { return "AKIA" + randomID(16) }

// NewSecret returns a new 40-character secret access key.
func NewSecret() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	b := make([]byte, 40)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// NewAccountID returns a random 12-digit account id.
func NewAccountID() string {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	for i := range b {
		b[i] = '0' + b[i]%10
	}
	if b[0] == '0' {
		b[0] = '1'
	}
	return string(b)
}
