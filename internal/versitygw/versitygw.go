package versitygw

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Version is the versitygw release the tests are written against.
const Version = "v1.8.0"

// InstallHint is the command that installs the binary.
const InstallHint = "go install github.com/versity/versitygw/cmd/versitygw@" + Version

// startTimeout bounds the wait for a started server to answer.
const startTimeout = 20 * time.Second

// Server is a running versitygw process serving S3 at Endpoint with one root
// account (AccessKey, SecretKey). Buckets are the directories of Dir.
type Server struct {
	Endpoint  string // "http://127.0.0.1:PORT"
	AccessKey string
	SecretKey string
	Region    string // "us-east-1"
	Dir       string // the posix backend's root: Dir/<bucket>/<key>

	tb      testing.TB
	bin     string
	addr    string
	sidecar string // metadata dir when Dir has no xattr support
	logPath string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd has exited
}

// Start starts a server on a free port of 127.0.0.1 with a fresh directory and
// stops it when the test ends. It skips the test when the binary is missing
// (fails it if CAIRN_REQUIRE_VERSITYGW=1).
func Start(tb testing.TB) *Server {
	tb.Helper()
	bin, err := Binary()
	if err != nil {
		if os.Getenv("CAIRN_REQUIRE_VERSITYGW") == "1" {
			tb.Fatalf("versitygw: %v", err)
		}
		tb.Skipf("versitygw: %v", err)
	}
	secret := make([]byte, 16)
	rand.Read(secret)
	s := &Server{
		AccessKey: "AKIACAIRNVERSITYGW01", // AWS-shaped, so Cairn accepts it as a root key too
		SecretKey: hex.EncodeToString(secret),
		Region:    "us-east-1",
		Dir:       filepath.Join(tb.TempDir(), "s3"),
		tb:        tb,
		bin:       bin,
	}
	if err := os.MkdirAll(s.Dir, 0o755); err != nil {
		tb.Fatalf("versitygw: %v", err)
	}
	s.logPath = filepath.Join(tb.TempDir(), "versitygw.log")
	tb.Cleanup(func() {
		s.Stop()
		if tb.Failed() {
			if b, err := os.ReadFile(s.logPath); err == nil && len(b) > 0 {
				tb.Logf("versitygw log:\n%s", tail(b, 4096))
			}
		}
	})
	for attempt := 0; ; attempt++ {
		s.addr, err = freeAddr()
		if err != nil {
			tb.Fatalf("versitygw: %v", err)
		}
		s.Endpoint = "http://" + s.addr
		err = s.start()
		if err == nil {
			return s
		}
		log := s.log()
		switch {
		case strings.Contains(log, "xattr") && s.sidecar == "":
			// The filesystem of Dir lacks user xattrs: keep metadata in files.
			s.sidecar = filepath.Join(tb.TempDir(), "meta")
		case strings.Contains(log, "address already in use") && attempt < 3:
		default:
			tb.Fatalf("versitygw: %v\n%s", err, tail([]byte(log), 4096))
		}
	}
}

// Stop kills the server (as an outage would) and waits for it to exit. It is a
// no-op when the server is not running.
func (s *Server) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Kill()
	<-s.done
	s.cmd, s.done = nil, nil
}

// Restart stops the server if it runs and starts it again on the same port and
// directory, so buckets and objects survive.
func (s *Server) Restart() {
	s.tb.Helper()
	s.Stop()
	var err error
	// The port was just released; another process may grab it only by accident.
	for i := 0; i < 3; i++ {
		if err = s.start(); err == nil {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	s.tb.Fatalf("versitygw restart: %v\n%s", err, tail([]byte(s.log()), 4096))
}

// start runs the process and waits until it answers HTTP.
func (s *Server) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	args := []string{"--port", s.addr, "--region", s.Region, "--quiet", "posix"}
	if s.sidecar != "" {
		if err := os.MkdirAll(s.sidecar, 0o755); err != nil {
			return err
		}
		args = append(args, "--sidecar", s.sidecar)
	}
	args = append(args, s.Dir)
	logf, err := os.OpenFile(s.logPath, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close()
	cmd := exec.Command(s.bin, args...)
	cmd.Env = append(cleanEnv(),
		"ROOT_ACCESS_KEY="+s.AccessKey,
		"ROOT_SECRET_KEY="+s.SecretKey,
	)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = sysProcAttr()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", s.bin, err)
	}
	done := make(chan struct{})
	go func() {
		cmd.Wait()
		close(done)
	}()

	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(startTimeout)
	for {
		select {
		case <-done:
			return fmt.Errorf("exited: %v", cmd.ProcessState)
		default:
		}
		resp, err := client.Get(s.Endpoint + "/")
		if err == nil {
			resp.Body.Close()
			s.cmd, s.done = cmd, done
			return nil
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			<-done
			return fmt.Errorf("not answering on %s after %v: %v", s.addr, startTimeout, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (s *Server) log() string {
	b, _ := os.ReadFile(s.logPath)
	return string(b)
}

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// Binary returns the path of the versitygw binary: $CAIRN_VERSITYGW, else
// versitygw on PATH, else $(go env GOBIN) or $(go env GOPATH)/bin.
func Binary() (string, error) {
	binOnce.Do(func() { binPath, binErr = findBinary() })
	return binPath, binErr
}

func findBinary() (string, error) {
	if p := os.Getenv("CAIRN_VERSITYGW"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("CAIRN_VERSITYGW=%s: %w; install versitygw with `%s`", p, err, InstallHint)
		}
		return p, nil
	}
	if p, err := exec.LookPath("versitygw"); err == nil {
		return p, nil
	}
	var dirs []string
	if out, err := exec.Command("go", "env", "GOBIN", "GOPATH").Output(); err == nil {
		lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
		if len(lines) == 2 {
			if lines[0] != "" {
				dirs = append(dirs, lines[0])
			}
			for _, gp := range filepath.SplitList(lines[1]) {
				dirs = append(dirs, filepath.Join(gp, "bin"))
			}
		}
	}
	for _, d := range dirs {
		p := filepath.Join(d, "versitygw")
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p, nil
		}
	}
	return "", errors.New("binary not found ($CAIRN_VERSITYGW, PATH, $(go env GOPATH)/bin); install it with `" + InstallHint + "`")
}

// cleanEnv is the environment without variables that configure versitygw, so
// the caller's shell cannot change the test server.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "VGW_") || strings.HasPrefix(k, "ROOT_ACCESS_KEY") ||
			strings.HasPrefix(k, "ROOT_SECRET") || k == "LOGFILE" || k == "WEBHOOK" {
			continue
		}
		env = append(env, kv)
	}
	return env
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			b = b[i+1:]
		}
	}
	return string(b)
}
