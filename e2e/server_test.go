//go:build e2e

package e2e

import (
	"io"
	"net/http"
	"os/exec"
	"strings"
	"testing"
)

func awsWithFile(s *Server, credFile string, args ...string) (string, error) {
	cmd := exec.Command("aws", append([]string{"--endpoint-url", s.URL, "--region", "us-east-1", "--output", "json"}, args...)...)
	cmd.Env = append(cleanEnv(), "AWS_SHARED_CREDENTIALS_FILE="+credFile, "AWS_CONFIG_FILE=/dev/null", "AWS_MAX_ATTEMPTS=1")
	out, err := cmd.Output()
	if ee, ok := err.(*exec.ExitError); ok {
		return string(out), &cliError{string(ee.Stderr)}
	}
	return string(out), err
}

type cliError struct{ stderr string }

func (e *cliError) Error() string { return e.stderr }

func TestHealthAndMetrics(t *testing.T) {
	t.Parallel()
	s := StartServer(t)
	if _, err := s.AWS(s.Root(), "us-east-1", "cloudtrail", "list-trails"); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(s.URL + "/_cairn/health")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("health: %v %v", resp, err)
	}
	resp.Body.Close()
	resp, err = http.Get(s.URL + "/_cairn/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`cairn_requests_total{service="cloudtrail",operation="ListTrails",code="ok"} 1`, "cairn_request_duration_seconds_bucket", "cairn_events_recorded_total"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("metrics lack %q:\n%s", want, b)
		}
	}
	if strings.Contains(string(b), s.Secret) {
		t.Fatal("metrics contain the secret")
	}
	out, _ := exec.Command(binPath, "version").Output()
	if !strings.HasPrefix(string(out), "cairn ") {
		t.Errorf("cairn version printed %q", out)
	}
}
