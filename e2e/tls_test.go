//go:build e2e

package e2e

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
)

// TestTLS serves HTTPS with the generated self-signed certificate: the SDK (trusting
// it) and the AWS CLI (AWS_CA_BUNDLE) call over TLS, and the records carry
// tlsDetails from the real connection.
func TestTLS(t *testing.T) {
	t.Parallel()
	s := StartServerTLS(t)
	caFile := filepath.Join(s.DataDir, "tls", "cert.pem")
	pem, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatalf("self-signed certificate not written: %v", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatal("bad certificate PEM")
	}
	cfg := s.awsConfig(s.Root(), "us-east-1")
	cfg.BaseEndpoint = aws.String("https://" + s.TLSAddr)
	cfg.HTTPClient = &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	ct := cloudtrail.NewFromConfig(cfg)
	if _, err := ct.ListTrails(ctx(t), &cloudtrail.ListTrailsInput{}); err != nil {
		t.Fatalf("ListTrails over TLS: %v", err)
	}
	cmd := exec.Command("aws", "--endpoint-url", "https://localhost:"+strings.Split(s.TLSAddr, ":")[1], "--region", "us-east-1", "sts", "get-caller-identity")
	cmd.Env = append(cleanEnv(), "AWS_ACCESS_KEY_ID="+s.Key, "AWS_SECRET_ACCESS_KEY="+s.Secret, "AWS_CA_BUNDLE="+caFile, "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("CLI over TLS: %v\n%s", err, out)
	}
	evs := waitEvents(t, s.CloudTrail(s.Root(), "us-east-1"), types.LookupAttributeKeyEventName, "ListTrails", 1)
	r := record(t, evs[0])
	tlsd, ok := r["tlsDetails"].(map[string]any)
	if !ok || tlsd["tlsVersion"] != "TLSv1.3" || tlsd["cipherSuite"] == "" || tlsd["clientProvidedHostHeader"] != s.TLSAddr {
		t.Fatalf("tlsDetails = %v", r["tlsDetails"])
	}
	evs = waitEvents(t, s.CloudTrail(s.Root(), "us-east-1"), types.LookupAttributeKeyEventName, "GetCallerIdentity", 1)
	if tlsd, _ := record(t, evs[0])["tlsDetails"].(map[string]any); tlsd == nil || !strings.HasPrefix(tlsd["clientProvidedHostHeader"].(string), "localhost:") {
		t.Fatalf("CLI tlsDetails = %v", tlsd)
	}
	// Plain HTTP calls carry no tlsDetails.
	plain := waitEvents(t, s.CloudTrail(s.Root(), "us-east-1"), types.LookupAttributeKeyEventName, "LookupEvents", 1)
	if _, has := record(t, plain[len(plain)-1])["tlsDetails"]; has {
		t.Fatal("a plain HTTP call has tlsDetails")
	}
}
