package query_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	sdk "github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"

	"github.com/cairnhq/cairn/api/sts"
	"github.com/cairnhq/cairn/awsproto"
	"github.com/cairnhq/cairn/awsproto/query"
)

type fakeSTS struct {
	sts.UnimplementedService
	assumed *sts.AssumeRoleRequest
}

func (fakeSTS) GetCallerIdentity(context.Context, *sts.GetCallerIdentityRequest) (*sts.GetCallerIdentityResponse, error) {
	return &sts.GetCallerIdentityResponse{
		Account: aws.String("123456789012"),
		Arn:     aws.String("arn:aws:iam::123456789012:root"),
		UserId:  aws.String("123456789012"),
	}, nil
}

var expiration = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

func (f *fakeSTS) AssumeRole(_ context.Context, in *sts.AssumeRoleRequest) (*sts.AssumeRoleResponse, error) {
	if *in.RoleSessionName == "expired" {
		return nil, sts.NewExpiredTokenException("The security token included in the request is expired")
	}
	f.assumed = in
	return &sts.AssumeRoleResponse{
		AssumedRoleUser: &sts.AssumedRoleUser{Arn: aws.String("arn:aws:sts::123456789012:assumed-role/r/" + *in.RoleSessionName), AssumedRoleId: aws.String("AROA:s")},
		Credentials: &sts.Credentials{
			AccessKeyId: aws.String("ASIAEXAMPLE"), SecretAccessKey: aws.String("secret"), SessionToken: aws.String("token"),
			Expiration: awsproto.NewTimestamp(expiration),
		},
		PackedPolicySize: aws.Int32(7),
	}, nil
}

// serve is the smallest query pipeline: Action, decode, validate, invoke, encode.
func serve(svc sts.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		const id = "req-0001"
		if err := r.ParseForm(); err != nil {
			query.WriteError(w, id, sts.XMLNamespace, awsproto.NewError("MalformedQueryString", 400, "bad form"))
			return
		}
		op := r.Form.Get("Action")
		desc, ok := sts.Operations[op]
		in, _ := sts.NewInput(op)
		if !ok {
			query.WriteError(w, id, sts.XMLNamespace, awsproto.NewError("InvalidAction", 400, "Could not find operation %s for version 2011-06-15", op))
			return
		}
		if err := query.Decode(r.Form, in); err != nil {
			query.WriteError(w, id, sts.XMLNamespace, awsproto.AsError(err))
			return
		}
		if err := in.Validate(); err != nil {
			query.WriteError(w, id, sts.XMLNamespace, awsproto.NewError("ValidationError", 400, "%s", err.Error()))
			return
		}
		out, err := sts.Invoke(r.Context(), svc, op, in)
		if err != nil {
			query.WriteError(w, id, sts.XMLNamespace, awsproto.AsError(err))
			return
		}
		query.WriteResponse(w, id, op, sts.XMLNamespace, desc.ResultWrapper, out)
	})
}

func newClient(t *testing.T, svc sts.Service) *sdk.Client {
	t.Helper()
	srv := httptest.NewServer(serve(svc))
	t.Cleanup(srv.Close)
	return sdk.New(sdk.Options{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		BaseEndpoint:     aws.String(srv.URL),
		RetryMaxAttempts: 1,
	})
}

func TestRoundTrip_GetCallerIdentity(t *testing.T) {
	client := newClient(t, &fakeSTS{})
	out, err := client.GetCallerIdentity(context.Background(), &sdk.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.Account) != "123456789012" || aws.ToString(out.Arn) != "arn:aws:iam::123456789012:root" || aws.ToString(out.UserId) != "123456789012" {
		t.Errorf("got %+v", out)
	}
}

func TestRoundTrip_AssumeRole(t *testing.T) {
	fake := &fakeSTS{}
	client := newClient(t, fake)
	out, err := client.AssumeRole(context.Background(), &sdk.AssumeRoleInput{
		RoleArn:           aws.String("arn:aws:iam::123456789012:role/r"),
		RoleSessionName:   aws.String("s1"),
		DurationSeconds:   aws.Int32(900),
		PolicyArns:        []types.PolicyDescriptorType{{Arn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}},
		Tags:              []types.Tag{{Key: aws.String("team"), Value: aws.String("audit")}},
		TransitiveTagKeys: []string{"team"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if out.Credentials == nil || !out.Credentials.Expiration.Equal(expiration) || aws.ToString(out.Credentials.AccessKeyId) != "ASIAEXAMPLE" {
		t.Errorf("Credentials = %+v", out.Credentials)
	}
	if aws.ToInt32(out.PackedPolicySize) != 7 || aws.ToString(out.AssumedRoleUser.Arn) != "arn:aws:sts::123456789012:assumed-role/r/s1" {
		t.Errorf("got %+v", out)
	}
	in := fake.assumed
	if *in.DurationSeconds != 900 || *in.PolicyArns[0].Arn != "arn:aws:iam::aws:policy/ReadOnlyAccess" ||
		*in.Tags[0].Key != "team" || in.TransitiveTagKeys[0] != "team" {
		t.Errorf("server decoded %+v", in)
	}
}

func TestRoundTrip_Errors(t *testing.T) {
	client := newClient(t, &fakeSTS{})
	ctx := context.Background()

	_, err := client.AssumeRole(ctx, &sdk.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/r"), RoleSessionName: aws.String("expired")})
	var expired *types.ExpiredTokenException
	if !errors.As(err, &expired) || expired.ErrorMessage() != "The security token included in the request is expired" {
		t.Fatalf("AssumeRole(expired) error = %v, want *types.ExpiredTokenException", err)
	}

	// Server-side validation: the SDK checks only required members.
	_, err = client.AssumeRole(ctx, &sdk.AssumeRoleInput{RoleArn: aws.String("short"), RoleSessionName: aws.String("bad name!")})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "ValidationError" {
		t.Fatalf("AssumeRole(bad) error = %v", err)
	}
	const want = "2 validation errors detected: Value 'short' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20; " +
		"Value 'bad name!' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*"
	if apiErr.ErrorMessage() != want {
		t.Errorf("message:\n got %s\nwant %s", apiErr.ErrorMessage(), want)
	}

	// Unimplemented: NotImplemented, 501 (the SDK does not surface <Type>; TestWriteError checks it).
	_, err = client.GetSessionToken(ctx, &sdk.GetSessionTokenInput{})
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "NotImplemented" {
		t.Fatalf("GetSessionToken error = %v", err)
	}
	var re interface{ HTTPStatusCode() int }
	if !errors.As(err, &re) || re.HTTPStatusCode() != 501 {
		t.Errorf("GetSessionToken status: %v", err)
	}
}
