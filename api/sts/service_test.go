package sts_test

import (
	"context"
	"errors"
	"testing"

	"github.com/cairnhq/cairn/api/sts"
	"github.com/cairnhq/cairn/awsproto"
)

func TestUnimplementedService_Coverage(t *testing.T) {
	if n := len(sts.Operations); n != 11 {
		t.Errorf("%d operations, the model has 11", n)
	}
	for name, op := range sts.Operations {
		if op.ResultWrapper != name+"Result" {
			t.Errorf("Operations[%s].ResultWrapper = %q", name, op.ResultWrapper)
		}
		in, ok := sts.NewInput(name)
		if !ok {
			t.Errorf("NewInput(%s) failed", name)
			continue
		}
		_, err := sts.Invoke(context.Background(), sts.UnimplementedService{}, name, in)
		var e *awsproto.Error
		if !errors.As(err, &e) || !errors.Is(err, awsproto.ErrNotImplemented) {
			t.Errorf("%s: error %v", name, err)
			continue
		}
		if e.Code != "NotImplemented" || e.Status != 501 || !e.Receiver || e.Fault() != "Receiver" {
			t.Errorf("%s: %+v", name, e)
		}
	}
}

func TestErrors(t *testing.T) {
	// The wire code comes from the model's error.code, not the shape name.
	e := sts.NewIDPRejectedClaimException("rejected")
	if e.Code != "IDPRejectedClaim" || e.Status != 403 || e.Receiver {
		t.Errorf("NewIDPRejectedClaimException = %+v", e)
	}
	if sts.Errors["ExpiredTokenException"] != 400 || sts.Errors["IDPRejectedClaim"] != 403 {
		t.Errorf("Errors = %v", sts.Errors)
	}
	if sts.XMLNamespace != "https://sts.amazonaws.com/doc/2011-06-15/" || sts.SigningName != "sts" || sts.EventSource != "sts.amazonaws.com" {
		t.Error("service constants differ from the model")
	}
}

func TestValidate_Sensitive(t *testing.T) {
	err := (&sts.AssumeRoleWithWebIdentityRequest{
		RoleArn: ptr("arn:aws:iam::123456789012:role/r"), RoleSessionName: ptr("s1"), WebIdentityToken: ptr("abc"),
	}).Validate()
	var ve *awsproto.ValidationError
	if !errors.As(err, &ve) || len(ve.Violations) != 1 {
		t.Fatalf("Validate() = %v", err)
	}
	v := ve.Violations[0]
	const want = "Value '*** Sensitive Data Redacted ***' at 'webIdentityToken' failed to satisfy constraint: Member must have length greater than or equal to 4"
	if v.Value != "*** Sensitive Data Redacted ***" || v.Message != want {
		t.Errorf("violation = %+v", v)
	}
}

func ptr[T any](v T) *T { return &v }
