package identity_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/cairnhq/cairn"
	"github.com/cairnhq/cairn/awsproto"
	"github.com/cairnhq/cairn/identity"
	"github.com/cairnhq/cairn/internal/memstore"
)

const operator = "111122223333"

func newStore() *identity.Store {
	clock := cairn.ClockFunc(func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) })
	return identity.New(memstore.New(), clock, operator, "AKIAROOTROOTROOT0001", "rootsecret")
}

func code(err error) string {
	var e *awsproto.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

func TestStore_Credential(t *testing.T) {
	ctx := context.Background()
	s := newStore()
	root, err := s.Credential(ctx, "AKIAROOTROOTROOT0001")
	if err != nil || root.Principal.Type != cairn.PrincipalRoot || root.Principal.ARN != "arn:aws:iam::111122223333:root" || root.SecretAccessKey != "rootsecret" {
		t.Fatalf("root credential = %+v, %v", root, err)
	}
	if _, err := s.Credential(ctx, "AKIANOPE"); !errors.Is(err, cairn.ErrNotFound) {
		t.Fatalf("unknown key: err = %v, want ErrNotFound", err)
	}
	u, err := s.CreateUser(ctx, "444455556666", "alice")
	if err != nil {
		t.Fatal(err)
	}
	k, err := s.CreateAccessKey(ctx, "444455556666", "alice")
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.Credential(ctx, k.AccessKeyID)
	if err != nil {
		t.Fatal(err)
	}
	want := cairn.Principal{Type: cairn.PrincipalIAMUser, AccountID: "444455556666", PrincipalID: u.UserID, ARN: "arn:aws:iam::444455556666:user/alice", UserName: "alice", AccessKeyID: k.AccessKeyID}
	if c.Principal != want || c.SecretAccessKey != k.SecretAccessKey || !c.Active {
		t.Fatalf("credential = %+v, want principal %+v", c, want)
	}
	if err := s.DeleteUser(ctx, "444455556666", "alice"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Credential(ctx, k.AccessKeyID); !errors.Is(err, cairn.ErrNotFound) {
		t.Fatalf("key of deleted user still resolves: %v", err)
	}
}

func TestStore_CreateUser(t *testing.T) {
	ctx := context.Background()
	s := newStore()
	tests := []struct {
		name, account, user, code string
	}{
		{"ok", operator, "bob", ""},
		{"duplicate", operator, "bob", "EntityAlreadyExists"},
		{"same name other account", "999988887777", "bob", ""},
		{"bad name", operator, "bad name!", "ValidationError"},
		{"name with plus", operator, "a+b@c", ""},
		{"bad account", "12", "carol", "ValidationError"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.CreateUser(ctx, tt.account, tt.user)
			if code(err) != tt.code || (tt.code == "" && err != nil) {
				t.Fatalf("err = %v, want code %q", err, tt.code)
			}
		})
	}
	users, err := s.ListUsers(ctx, operator)
	if err != nil || len(users) != 2 || users[0].UserName != "a+b@c" || users[1].UserName != "bob" {
		t.Fatalf("ListUsers = %+v, %v", users, err)
	}
}

func TestStore_CreateAccessKey(t *testing.T) {
	ctx := context.Background()
	s := newStore()
	if _, err := s.CreateAccessKey(ctx, operator, "ghost"); code(err) != "NoSuchEntity" {
		t.Fatalf("key for missing user: %v", err)
	}
	if _, err := s.CreateUser(ctx, operator, "dave"); err != nil {
		t.Fatal(err)
	}
	// Concurrent creations: the 2-key quota holds and no key is lost.
	var wg sync.WaitGroup
	var mu sync.Mutex
	var made []string
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if k, err := s.CreateAccessKey(ctx, operator, "dave"); err == nil {
				mu.Lock()
				made = append(made, k.AccessKeyID)
				mu.Unlock()
			} else if code(err) != "LimitExceeded" {
				t.Errorf("unexpected error %v", err)
			}
		}()
	}
	wg.Wait()
	if len(made) != 2 {
		t.Fatalf("created %d keys, want exactly 2", len(made))
	}
	for _, k := range made {
		if _, err := s.Credential(ctx, k); err != nil {
			t.Fatalf("key %s does not resolve: %v", k, err)
		}
	}
	if err := s.DeleteAccessKey(ctx, operator, "dave", made[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Credential(ctx, made[0]); !errors.Is(err, cairn.ErrNotFound) {
		t.Fatalf("deleted key still resolves")
	}
	if err := s.DeleteAccessKey(ctx, operator, "dave", made[0]); code(err) != "NoSuchEntity" {
		t.Fatalf("second delete: %v", err)
	}
}

func TestStore_CreateAccount(t *testing.T) {
	ctx := context.Background()
	s := newStore()
	k, err := s.CreateAccount(ctx, "555566667777")
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.Credential(ctx, k.AccessKeyID)
	if err != nil || c.Principal.Type != cairn.PrincipalRoot || c.Principal.AccountID != "555566667777" {
		t.Fatalf("account root credential = %+v, %v", c, err)
	}
	if _, err := s.CreateAccount(ctx, operator); code(err) != "EntityAlreadyExists" {
		t.Fatalf("operator account: %v", err)
	}
}
