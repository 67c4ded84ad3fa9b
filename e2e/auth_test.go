//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// rawCall signs (or not) a CloudTrail JSON request by hand and returns status and body.
func rawCall(t *testing.T, s *Server, c *Creds, signTime time.Time, op, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "CloudTrail_20131101."+op)
	if c != nil {
		sum := sha256.Sum256([]byte(body))
		if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: c.Key, SecretAccessKey: c.Secret}, req, hex.EncodeToString(sum[:]), "cloudtrail", "us-east-1", signTime); err != nil {
			t.Fatal(err)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestAuthentication(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	root := s.Root()
	bad := Creds{s.Key, "wrong-secret-wrong-secret-wrong-secret00"}
	unknown := Creds{"AKIAUNKNOWNUNKNOWN01", "whatever-secret"}

	t.Run("SDK errors", func(t *testing.T) {
		_, err := s.CloudTrail(bad, "us-east-1").ListTrails(ctx(t), &cloudtrail.ListTrailsInput{})
		if apiCode(err) != "InvalidSignatureException" {
			t.Errorf("bad secret: %v", err)
		}
		_, err = s.CloudTrail(unknown, "us-east-1").ListTrails(ctx(t), &cloudtrail.ListTrailsInput{})
		if apiCode(err) != "UnrecognizedClientException" {
			t.Errorf("unknown key: %v", err)
		}
		_, err = s.STS(bad, "us-east-1").GetCallerIdentity(ctx(t), &sts.GetCallerIdentityInput{})
		if apiCode(err) != "SignatureDoesNotMatch" {
			t.Errorf("sts bad secret: %v", err)
		}
		_, err = s.STS(unknown, "us-east-1").GetCallerIdentity(ctx(t), &sts.GetCallerIdentityInput{})
		if apiCode(err) != "InvalidClientTokenId" {
			t.Errorf("sts unknown key: %v", err)
		}
	})
	t.Run("CLI errors", func(t *testing.T) {
		_, err := s.AWS(bad, "us-east-1", "cloudtrail", "list-trails")
		if err == nil || !strings.Contains(err.Error(), "(InvalidSignatureException)") {
			t.Errorf("bad secret: %v", err)
		}
		_, err = s.AWS(unknown, "us-east-1", "sts", "get-caller-identity")
		if err == nil || !strings.Contains(err.Error(), "(InvalidClientTokenId)") {
			t.Errorf("sts unknown key: %v", err)
		}
	})
	t.Run("raw requests", func(t *testing.T) {
		code, body := rawCall(t, s, nil, time.Now(), "ListTrails", "{}")
		if code != 400 || !strings.Contains(body, "MissingAuthenticationTokenException") {
			t.Errorf("no auth: %d %s", code, body)
		}
		code, body = rawCall(t, s, &root, time.Now().Add(-20*time.Minute), "ListTrails", "{}")
		if code != 400 || !strings.Contains(body, "InvalidSignatureException") || !strings.Contains(body, "Signature expired") {
			t.Errorf("skewed clock: %d %s", code, body)
		}
		code, body = rawCall(t, s, &root, time.Now(), "ListTrails", "{not json")
		if code != 400 || !strings.Contains(body, "SerializationException") {
			t.Errorf("malformed JSON: %d %s", code, body)
		}
		code, body = rawCall(t, s, &root, time.Now(), "NoSuchOperation", "{}")
		if code != 400 || !strings.Contains(body, "UnknownOperationException") {
			t.Errorf("unknown operation: %d %s", code, body)
		}
		code, body = rawCall(t, s, &root, time.Now(), "LookupEvents", `{"MaxResults":"ten"}`)
		if code != 400 || !strings.Contains(body, "SerializationException") {
			t.Errorf("wrong type: %d %s", code, body)
		}
		big := `{"Name":"` + strings.Repeat("x", 11<<20) + `"}`
		code, _ = rawCall(t, s, &root, time.Now(), "GetTrail", big)
		if code != http.StatusRequestEntityTooLarge {
			t.Errorf("oversized body: status %d", code)
		}
		// The server keeps serving.
		if _, err := s.CloudTrail(root, "us-east-1").ListTrails(ctx(t), &cloudtrail.ListTrailsInput{}); err != nil {
			t.Fatalf("server stopped serving after bad input: %v", err)
		}
	})
	t.Run("failed calls are recorded", func(t *testing.T) {
		// The bad-secret calls used the root key: they are recorded in the root's account.
		evs := waitEvents(t, s.CloudTrail(root, "us-east-1"), types.LookupAttributeKeyEventName, "ListTrails", 1)
		codes := map[string]int{}
		for _, e := range evs {
			if c, ok := record(t, e)["errorCode"].(string); ok {
				codes[c]++
			}
		}
		// Unsigned calls have no account: they are recorded in the operator account.
		if codes["InvalidSignatureException"] < 2 || codes["MissingAuthenticationTokenException"] != 1 || codes["SerializationException"] != 1 {
			t.Errorf("recorded error codes %v: want the failed calls", codes)
		}
		// Calls with an unknown key land in the operator account as Unknown identities.
		evs = waitEvents(t, s.CloudTrail(root, "us-east-1"), types.LookupAttributeKeyAccessKeyId, unknown.Key, 1)
		if len(evs) == 0 {
			t.Fatal("no event recorded for the unknown access key")
		}
		r := record(t, evs[0])
		ui := r["userIdentity"].(map[string]any)
		if ui["type"] != "Unknown" || r["errorCode"] == nil || r["requestParameters"] != nil {
			t.Errorf("unknown-key record: %v", r)
		}
	})
}

func TestAccountIsolation(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	var acct struct {
		AccessKey struct{ AccountId, AccessKeyId, SecretAccessKey string }
	}
	s.Admin(t, &acct, "create-account", "--account-id", "444455556666")
	if acct.AccessKey.AccountId != "444455556666" || acct.AccessKey.SecretAccessKey == "" {
		t.Fatalf("create-account output %+v", acct)
	}
	other := Creds{acct.AccessKey.AccessKeyId, acct.AccessKey.SecretAccessKey}
	var user struct {
		User struct{ UserName, Arn string }
	}
	s.Admin(t, &user, "create-user", "--user-name", "alice")
	if user.User.Arn != "arn:aws:iam::"+testAccount+":user/alice" {
		t.Fatalf("create-user output %+v", user)
	}
	var key struct {
		AccessKey struct{ AccessKeyId, SecretAccessKey string }
	}
	s.Admin(t, &key, "create-access-key", "--user-name", "alice")
	alice := Creds{key.AccessKey.AccessKeyId, key.AccessKey.SecretAccessKey}
	var bobKey struct {
		AccessKey struct{ AccessKeyId, SecretAccessKey string }
	}
	s.Admin(t, nil, "create-user", "--user-name", "bob", "--account-id", "444455556666")
	s.Admin(t, &bobKey, "create-access-key", "--user-name", "bob", "--account-id", "444455556666")
	bob := Creds{bobKey.AccessKey.AccessKeyId, bobKey.AccessKey.SecretAccessKey}

	id, err := s.STS(alice, "us-east-1").GetCallerIdentity(ctx(t), &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(id.Arn) != user.User.Arn || aws.ToString(id.Account) != testAccount {
		t.Fatalf("alice identity %+v %v", id, err)
	}
	aliceCT, bobCT, otherRootCT := s.CloudTrail(alice, "us-east-1"), s.CloudTrail(bob, "us-east-1"), s.CloudTrail(other, "us-east-1")
	s.Bucket(t, "a-bucket", "b-bucket")
	if _, err := aliceCT.CreateTrail(ctx(t), &cloudtrail.CreateTrailInput{Name: aws.String("shared-name"), S3BucketName: aws.String("a-bucket")}); err != nil {
		t.Fatal(err)
	}
	bobTrail, err := bobCT.CreateTrail(ctx(t), &cloudtrail.CreateTrailInput{Name: aws.String("shared-name"), S3BucketName: aws.String("b-bucket")})
	if err != nil {
		t.Fatalf("same trail name in another account: %v", err)
	}
	// Alice cannot reach Bob's trail, even by ARN.
	var tnf *types.TrailNotFoundException
	if _, err := aliceCT.GetTrail(ctx(t), &cloudtrail.GetTrailInput{Name: bobTrail.TrailARN}); !errors.As(err, &tnf) {
		t.Errorf("alice GetTrail of bob's ARN: %v", err)
	}
	lt, err := aliceCT.ListTrails(ctx(t), &cloudtrail.ListTrailsInput{})
	if err != nil || len(lt.Trails) != 1 || !strings.Contains(aws.ToString(lt.Trails[0].TrailARN), testAccount) {
		t.Fatalf("alice ListTrails = %+v %v", lt, err)
	}
	// Each account sees only its own events; the account's root sees its users' events.
	aliceEvents := waitEvents(t, aliceCT, types.LookupAttributeKeyEventName, "CreateTrail", 1)
	for _, e := range aliceEvents {
		if r := record(t, e); r["recipientAccountId"] != testAccount {
			t.Fatalf("alice sees an event of %v", r["recipientAccountId"])
		}
	}
	bobEvents := waitEvents(t, otherRootCT, types.LookupAttributeKeyUsername, "bob", 1)
	if len(bobEvents) == 0 {
		t.Fatal("account root does not see its user's events")
	}
	for _, e := range lookupAll(t, otherRootCT, &cloudtrail.LookupEventsInput{}) {
		if aws.ToString(e.Username) == "alice" {
			t.Fatal("account 444455556666 sees alice's event")
		}
	}
	var alicesByName []types.Event
	for _, e := range lookupAll(t, aliceCT, &cloudtrail.LookupEventsInput{}) {
		if aws.ToString(e.Username) == "bob" {
			t.Fatal("alice sees bob's event")
		}
		if aws.ToString(e.Username) == "alice" {
			alicesByName = append(alicesByName, e)
		}
	}
	if len(alicesByName) == 0 {
		t.Fatal("alice does not see her own events")
	}
	// A token minted for one account is refused for the other.
	page, err := aliceCT.LookupEvents(ctx(t), &cloudtrail.LookupEventsInput{MaxResults: aws.Int32(1)})
	if err != nil || page.NextToken == nil {
		t.Fatalf("alice first page: %v", err)
	}
	var int_ *types.InvalidNextTokenException
	if _, err := bobCT.LookupEvents(ctx(t), &cloudtrail.LookupEventsInput{MaxResults: aws.Int32(1), NextToken: page.NextToken}); !errors.As(err, &int_) {
		t.Errorf("bob with alice's token: %v", err)
	}
	// A non-root cannot use the admin API.
	code, body := adminRaw(t, s, alice, "ListUsers")
	if code != 403 || !strings.Contains(body, "AccessDenied") {
		t.Errorf("alice calling admin API: %d %s", code, body)
	}
	// Deleting the user revokes its key.
	s.Admin(t, nil, "delete-user", "--user-name", "alice")
	if _, err := aliceCT.ListTrails(ctx(t), &cloudtrail.ListTrailsInput{}); apiCode(err) != "UnrecognizedClientException" {
		t.Errorf("deleted user's key: %v", err)
	}
}

func adminRaw(t *testing.T, s *Server, c Creds, action string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/_cairn/admin/"+action, bytes.NewReader([]byte("{}")))
	sum := sha256.Sum256([]byte("{}"))
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: c.Key, SecretAccessKey: c.Secret}, req, hex.EncodeToString(sum[:]), "cairn", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
