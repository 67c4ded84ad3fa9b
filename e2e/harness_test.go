//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

var binPath string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "cairn-e2e-bin")
	if err != nil {
		panic(err)
	}
	binPath = filepath.Join(dir, "cairn")
	build := exec.Command("go", "build", "-o", binPath, "../cmd/cairn")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build cairn:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// Server is a running cairn serve process.
type Server struct {
	t       *testing.T
	URL     string
	Addr    string
	TLSAddr string
	DataDir string
	Account string
	Key     string
	Secret  string
	env     []string
	cmd     *exec.Cmd
	logs    *bytes.Buffer
}

const testAccount = "111122223333"

// StartServer starts cairn with known root credentials and a fresh data dir.
func StartServer(t *testing.T, extraEnv ...string) *Server {
	t.Helper()
	s := &Server{t: t, DataDir: t.TempDir(), Account: testAccount, Key: "AKIAE2ETESTROOTKEY01", Secret: "e2e-secret-0123456789abcdefghijklmnopqrst"}
	s.env = append([]string{
		"CAIRN_ACCOUNT_ID=" + s.Account,
		"CAIRN_ROOT_ACCESS_KEY_ID=" + s.Key,
		"CAIRN_ROOT_SECRET_ACCESS_KEY=" + s.Secret,
	}, extraEnv...)
	s.start()
	t.Cleanup(s.Stop)
	return s
}

// StartServerTLS starts cairn serving HTTPS too, with its self-signed certificate.
func StartServerTLS(t *testing.T) *Server {
	t.Helper()
	s := &Server{t: t, DataDir: t.TempDir(), Account: testAccount, Key: "AKIAE2ETESTROOTKEY01", Secret: "e2e-secret-0123456789abcdefghijklmnopqrst"}
	s.env = []string{"CAIRN_ACCOUNT_ID=" + s.Account, "CAIRN_ROOT_ACCESS_KEY_ID=" + s.Key, "CAIRN_ROOT_SECRET_ACCESS_KEY=" + s.Secret}
	s.TLSAddr = freeAddr(t)
	s.start()
	t.Cleanup(s.Stop)
	return s
}

// StartServerGenerated starts cairn with no credentials configured, so it generates them.
func StartServerGenerated(t *testing.T) *Server {
	t.Helper()
	s := &Server{t: t, DataDir: t.TempDir()}
	s.start()
	t.Cleanup(s.Stop)
	return s
}

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func (s *Server) start() {
	t := s.t
	t.Helper()
	if s.Addr == "" {
		s.Addr = freeAddr(t)
	}
	s.URL = "http://" + s.Addr
	s.logs = &bytes.Buffer{}
	args := []string{"serve", "--listen", s.Addr, "--data-dir", s.DataDir}
	if s.TLSAddr != "" {
		args = append(args, "--tls-listen", s.TLSAddr)
	}
	cmd := exec.Command(binPath, args...)
	cmd.Env = append(cleanEnv(), s.env...)
	cmd.Stdout, cmd.Stderr = s.logs, s.logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start cairn: %v", err)
	}
	s.cmd = cmd
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(s.URL + "/_cairn/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		if cmd.ProcessState != nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	cmd.Process.Kill()
	cmd.Wait()
	t.Fatalf("cairn did not become healthy; output:\n%s", s.logs.String())
}

// Stop sends SIGTERM and waits for a clean exit.
func (s *Server) Stop() {
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			s.t.Errorf("cairn exited with %v; output:\n%s", err, s.logs.String())
		}
	case <-time.After(20 * time.Second):
		s.cmd.Process.Kill()
		<-done
		s.t.Errorf("cairn did not stop within 20s after SIGTERM")
	}
	s.cmd = nil
}

// Kill sends SIGKILL: no chance to flush anything.
func (s *Server) Kill() {
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Kill()
	s.cmd.Wait()
	s.cmd = nil
}

// Restart starts the server again on the same address and data dir.
func (s *Server) Restart() { s.start() }

// Logs is what the server printed.
func (s *Server) Logs() string { return s.logs.String() }

// Bucket creates each named bucket in the server's default bucket root
// (<data-dir>/buckets), where trails deliver, so CreateTrail/UpdateTrail find it.
func (s *Server) Bucket(t *testing.T, names ...string) {
	t.Helper()
	for _, name := range names {
		if err := os.MkdirAll(filepath.Join(s.DataDir, "buckets", name), 0o755); err != nil {
			t.Fatalf("create bucket %s: %v", name, err)
		}
	}
}

func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "AWS_") || strings.HasPrefix(kv, "CAIRN_") {
			continue
		}
		out = append(out, kv)
	}
	return out
}

// Creds are credentials to call Cairn with.
type Creds struct{ Key, Secret string }

// Root is the operator root.
func (s *Server) Root() Creds { return Creds{s.Key, s.Secret} }

// AWS runs the AWS CLI against the server and returns stdout; a non-zero exit
// returns an error holding stderr.
func (s *Server) AWS(c Creds, region string, args ...string) (string, error) {
	full := append([]string{"--endpoint-url", s.URL, "--region", region, "--output", "json"}, args...)
	cmd := exec.Command("aws", full...)
	cmd.Env = append(cleanEnv(), "AWS_ACCESS_KEY_ID="+c.Key, "AWS_SECRET_ACCESS_KEY="+c.Secret, "AWS_MAX_ATTEMPTS=1", "AWS_PAGER=", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("aws %s: %v: %s", strings.Join(args, " "), err, errb.String())
	}
	return out.String(), nil
}

// MustAWS is AWS that fails the test on error and decodes JSON output into v (if non-nil).
func (s *Server) MustAWS(t *testing.T, c Creds, region string, v any, args ...string) {
	t.Helper()
	out, err := s.AWS(c, region, args...)
	if err != nil {
		t.Fatal(err)
	}
	if v != nil {
		if err := json.Unmarshal([]byte(out), v); err != nil {
			t.Fatalf("decode output of %v: %v\n%s", args, err, out)
		}
	}
}

func (s *Server) awsConfig(c Creds, region string) aws.Config {
	return aws.Config{
		Region:       region,
		Credentials:  credentials.NewStaticCredentialsProvider(c.Key, c.Secret, ""),
		BaseEndpoint: aws.String(s.URL),
		// The SDK's default retryer stays on: smithy-go closes a request body as soon as
		// the response headers arrive, and over loopback that can race the transport's
		// final body read, which the retryer absorbs (modeled 4xx errors are never retried).
	}
}

// CloudTrail is an aws-sdk-go-v2 CloudTrail client for the server.
func (s *Server) CloudTrail(c Creds, region string) *cloudtrail.Client {
	return cloudtrail.NewFromConfig(s.awsConfig(c, region))
}

// STS is an aws-sdk-go-v2 STS client for the server.
func (s *Server) STS(c Creds, region string) *sts.Client {
	return sts.NewFromConfig(s.awsConfig(c, region))
}

// Admin runs cairn admin against the server with the root credentials.
func (s *Server) Admin(t *testing.T, v any, args ...string) {
	t.Helper()
	cmd := exec.Command(binPath, append([]string{"admin"}, args...)...)
	cmd.Args = append(cmd.Args, "--endpoint-url", s.URL)
	cmd.Env = append(cleanEnv(), "AWS_ACCESS_KEY_ID="+s.Key, "AWS_SECRET_ACCESS_KEY="+s.Secret)
	out, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("cairn admin %v: %v: %s", args, err, stderr)
	}
	if v != nil {
		if err := json.Unmarshal(out, v); err != nil {
			t.Fatalf("decode cairn admin output: %v\n%s", err, out)
		}
	}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}
