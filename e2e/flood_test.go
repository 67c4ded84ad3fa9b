//go:build e2e

package e2e

import (
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
)

// TestFailedAuthFlood floods the server with badly signed calls: every one is
// refused, the server keeps serving, and the number recorded is bounded by the
// failed-authentication rate (5/s, bursts of 50), the rest counted in the metrics.
func TestFailedAuthFlood(t *testing.T) {
	t.Parallel()
	s := StartServer(t, "CAIRN_FAILED_AUTH_RATE=5")
	unknown := Creds{"AKIAFLOODFLOODFLOOD1", "flood-secret"}
	start := time.Now()
	const n = 400
	for i := 0; i < n; i++ {
		code, _ := rawCall(t, s, &unknown, time.Now(), "ListTrails", "{}")
		if code != 400 {
			t.Fatalf("flood call %d: status %d", i, code)
		}
	}
	elapsed := time.Since(start).Seconds()
	limit := 50 + int(5*elapsed) + 1
	ct := s.CloudTrail(s.Root(), "us-east-1")
	time.Sleep(200 * time.Millisecond)
	evs := lookupAll(t, ct, &cloudtrail.LookupEventsInput{LookupAttributes: []types.LookupAttribute{{AttributeKey: types.LookupAttributeKeyAccessKeyId, AttributeValue: aws.String(unknown.Key)}}})
	if len(evs) < 50 || len(evs) > limit {
		t.Fatalf("recorded %d failed-auth events for %d calls in %.1fs; want between 50 and %d", len(evs), n, elapsed, limit)
	}
	resp, err := http.Get(s.URL + "/_cairn/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`cairn_failed_auth_events_dropped_total (\d+)`).FindStringSubmatch(string(b))
	if m == nil {
		t.Fatalf("metrics lack the dropped counter:\n%s", b)
	}
	if dropped, _ := strconv.Atoi(m[1]); dropped+len(evs) != n {
		t.Errorf("dropped %d + recorded %d != %d calls", dropped, len(evs), n)
	}
	if _, err := ct.ListTrails(ctx(t), &cloudtrail.ListTrailsInput{}); err != nil {
		t.Fatalf("server stopped serving after the flood: %v", err)
	}
}

// TestAdminCommands covers the admin commands and that secrets never reach events.
func TestAdminCommands(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	s.Admin(t, nil, "create-user", "--user-name", "dana")
	var k1, k2 struct {
		AccessKey struct{ AccessKeyId, SecretAccessKey string }
	}
	s.Admin(t, &k1, "create-access-key", "--user-name", "dana")
	s.Admin(t, &k2, "create-access-key", "--user-name", "dana")
	var users struct {
		Users []struct {
			UserName     string
			AccessKeyIds []string
		}
	}
	s.Admin(t, &users, "list-users")
	if len(users.Users) != 1 || users.Users[0].UserName != "dana" || len(users.Users[0].AccessKeyIds) != 2 {
		t.Fatalf("list-users = %+v", users)
	}
	s.Admin(t, nil, "delete-access-key", "--user-name", "dana", "--access-key-id", k1.AccessKey.AccessKeyId)
	if _, err := s.AWS(Creds{k1.AccessKey.AccessKeyId, k1.AccessKey.SecretAccessKey}, "us-east-1", "sts", "get-caller-identity"); err == nil || !strings.Contains(err.Error(), "InvalidClientTokenId") {
		t.Errorf("deleted key still works: %v", err)
	}
	if _, err := s.AWS(Creds{k2.AccessKey.AccessKeyId, k2.AccessKey.SecretAccessKey}, "us-east-1", "sts", "get-caller-identity"); err != nil {
		t.Errorf("remaining key: %v", err)
	}
	evs := waitEvents(t, s.CloudTrail(s.Root(), "us-east-1"), types.LookupAttributeKeyEventSource, "iam.amazonaws.com", 5)
	names := map[string]int{}
	for _, e := range evs {
		names[aws.ToString(e.EventName)]++
		ct := aws.ToString(e.CloudTrailEvent)
		if strings.Contains(ct, k1.AccessKey.SecretAccessKey) || strings.Contains(ct, k2.AccessKey.SecretAccessKey) {
			t.Fatalf("a secret access key is in the event: %s", ct)
		}
		if aws.ToString(e.EventName) == "CreateAccessKey" && !strings.Contains(ct, "HIDDEN_DUE_TO_SECURITY_REASONS") {
			t.Errorf("CreateAccessKey event does not mark the secret hidden: %s", ct)
		}
	}
	if names["CreateUser"] != 1 || names["CreateAccessKey"] != 2 || names["ListUsers"] != 1 || names["DeleteAccessKey"] != 1 {
		t.Errorf("admin events %v", names)
	}
	if strings.Contains(s.Logs(), k1.AccessKey.SecretAccessKey) {
		t.Fatal("a secret is in the server's log")
	}
}
