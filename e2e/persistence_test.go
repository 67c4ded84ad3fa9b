//go:build e2e

package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmw "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// TestKill9 makes calls from several goroutines, kills the server with SIGKILL while
// they run, restarts it, and checks that every acknowledged call's event is there.
func TestKill9(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	ct := s.CloudTrail(s.Root(), "us-east-1")
	s.Bucket(t, "bkt")
	if _, err := ct.CreateTrail(ctx(t), &cloudtrail.CreateTrailInput{Name: aws.String("durable"), S3BucketName: aws.String("bkt")}); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	acked := map[string]bool{}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				out, err := ct.GetTrailStatus(ctx(t), &cloudtrail.GetTrailStatusInput{Name: aws.String("durable")})
				if err != nil {
					continue // the server is gone: not acknowledged
				}
				id, _ := awsmw.GetRequestIDMetadata(out.ResultMetadata)
				mu.Lock()
				acked[id] = true
				mu.Unlock()
			}
		}()
	}
	time.Sleep(1500 * time.Millisecond)
	s.Kill()
	close(stop)
	wg.Wait()
	if len(acked) < 50 {
		t.Fatalf("only %d calls acknowledged before the kill", len(acked))
	}
	s.Restart()
	ct = s.CloudTrail(s.Root(), "us-east-1")
	found := map[string]bool{}
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(s.Logs())
		}
	})
	for _, e := range lookupAll(t, ct, &cloudtrail.LookupEventsInput{LookupAttributes: []types.LookupAttribute{{AttributeKey: types.LookupAttributeKeyEventName, AttributeValue: aws.String("GetTrailStatus")}}}) {
		var r struct{ RequestID string }
		json.Unmarshal([]byte(aws.ToString(e.CloudTrailEvent)), &r)
		found[r.RequestID] = true
	}
	missing := 0
	for id := range acked {
		if !found[id] {
			missing++
		}
	}
	if missing > 0 {
		t.Fatalf("%d of %d acknowledged calls lost their event after kill -9", missing, len(acked))
	}
	t.Logf("%d acknowledged calls, all recorded after kill -9", len(acked))
	// The trail survived too.
	if _, err := ct.GetTrail(ctx(t), &cloudtrail.GetTrailInput{Name: aws.String("durable")}); err != nil {
		t.Fatalf("trail lost after kill -9: %v", err)
	}
}

// TestRestart checks a clean SIGTERM restart keeps trails, events and users.
func TestRestart(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	ct := s.CloudTrail(s.Root(), "eu-central-1")
	s.Bucket(t, "bkt")
	if _, err := ct.CreateTrail(ctx(t), &cloudtrail.CreateTrailInput{Name: aws.String("keep-me"), S3BucketName: aws.String("bkt")}); err != nil {
		t.Fatal(err)
	}
	var key struct {
		AccessKey struct{ AccessKeyId, SecretAccessKey string }
	}
	s.Admin(t, nil, "create-user", "--user-name", "carol")
	s.Admin(t, &key, "create-access-key", "--user-name", "carol")
	before := lookupAll(t, ct, &cloudtrail.LookupEventsInput{})
	s.Stop()
	s.Restart()
	ct = s.CloudTrail(s.Root(), "eu-central-1")
	after := lookupAll(t, ct, &cloudtrail.LookupEventsInput{})
	if len(after) < len(before) {
		t.Fatalf("events after restart %d < before %d", len(after), len(before))
	}
	if _, err := ct.GetTrail(ctx(t), &cloudtrail.GetTrailInput{Name: aws.String("keep-me")}); err != nil {
		t.Fatalf("trail lost on restart: %v", err)
	}
	carol := Creds{key.AccessKey.AccessKeyId, key.AccessKey.SecretAccessKey}
	if _, err := s.STS(carol, "eu-central-1").GetCallerIdentity(ctx(t), &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatalf("user key lost on restart: %v", err)
	}
	// Paging tokens survive a restart (the token key is persisted).
	if !strings.Contains(s.Logs(), "listening on") {
		t.Errorf("banner missing from output")
	}
}

// TestGeneratedCredentials starts with no credentials configured: Cairn writes them to
// <data-dir>/root-credentials (0600) and the AWS CLI works with that file alone.
func TestGeneratedCredentials(t *testing.T) {
	t.Parallel()
	s := StartServerGenerated(t)
	path := filepath.Join(s.DataDir, "root-credentials")
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("root-credentials mode %v, want 0600", st.Mode().Perm())
	}
	b, _ := os.ReadFile(path)
	if strings.Contains(s.Logs(), "aws_secret_access_key") || secretIn(string(b), s.Logs()) {
		t.Fatalf("the secret was printed")
	}
	out, err := awsWithFile(s, path, "sts", "get-caller-identity")
	if err != nil {
		t.Fatal(err)
	}
	var id struct{ Account, Arn string }
	json.Unmarshal([]byte(out), &id)
	if len(id.Account) != 12 || id.Arn != "arn:aws:iam::"+id.Account+":root" {
		t.Fatalf("identity %s", out)
	}
	// The same credentials after a restart.
	s.Stop()
	s.Restart()
	if _, err := awsWithFile(s, path, "cloudtrail", "list-trails"); err != nil {
		t.Fatal(err)
	}
}

func secretIn(credFile, logs string) bool {
	for _, line := range strings.Split(credFile, "\n") {
		if k, v, ok := strings.Cut(line, "="); ok && strings.TrimSpace(k) == "aws_secret_access_key" {
			return strings.Contains(logs, strings.TrimSpace(v))
		}
	}
	return false
}
