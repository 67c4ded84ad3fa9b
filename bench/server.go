package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Root credentials the server is started with.
const (
	benchAccount = "123456789012"
	benchRootKey = "AKIABENCHROOTKEY0001"
	benchRootSec = "bench-root-secret-0123456789abcdefghijklm"
)

// buildServer builds ./cmd/cairn into dir and returns the binary's path.
func buildServer(ctx context.Context, root, dir string) (string, error) {
	bin := filepath.Join(dir, "cairn")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/cairn")
	cmd.Dir = root
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build ./cmd/cairn: %w", err)
	}
	return bin, nil
}

// Server is a cairn serve process on 127.0.0.1.
type Server struct {
	Bin, DataDir, Addr, URL string
	// TLSAddr, if set, is passed as --tls-listen (the CloudFront suite's SDK clients
	// keep AWS's host names and dial this listener).
	TLSAddr string
	Root    Creds
	logPath string
	sync    bool
	// OnStart, if set, is called with the pid right after the process started
	// (before it is healthy).
	OnStart func(pid int)
	// Args are further arguments of `cairn serve` (the delivery suite's S3 store and
	// delivery interval).
	Args []string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
	werr error
}

// NewServer picks a free loopback port (and one for HTTPS when tls is set); the
// data dir is created on first start.
func NewServer(bin, dataDir, logPath string, syncAlways, tls bool) (*Server, error) {
	addr, err := freePort()
	if err != nil {
		return nil, err
	}
	s := &Server{Bin: bin, DataDir: dataDir, Addr: addr, URL: "http://" + addr, logPath: logPath, sync: syncAlways,
		Root: Creds{Key: benchRootKey, Secret: benchRootSec}}
	if tls {
		if s.TLSAddr, err = freePort(); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// Start starts the process and waits until /_cairn/health answers 200. It returns
// the time from process start to the first 200.
func (s *Server) Start(ctx context.Context, timeout time.Duration) (time.Duration, error) {
	logf, err := os.OpenFile(s.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return 0, err
	}
	args := []string{"serve", "--listen", s.Addr, "--data-dir", s.DataDir}
	if s.sync {
		args = append(args, "--sync-always")
	}
	if s.TLSAddr != "" {
		args = append(args, "--tls-listen", s.TLSAddr)
	}
	args = append(args, s.Args...)
	cmd := exec.Command(s.Bin, args...)
	cmd.Env = append(cleanEnv(),
		"CAIRN_ACCOUNT_ID="+benchAccount,
		"CAIRN_ROOT_ACCESS_KEY_ID="+s.Root.Key,
		"CAIRN_ROOT_SECRET_ACCESS_KEY="+s.Root.Secret,
	)
	cmd.Stdout, cmd.Stderr = logf, logf
	fmt.Fprintf(logf, "\n--- bench: %s %s\n", time.Now().Format(time.RFC3339), strings.Join(cmd.Args, " "))
	start := time.Now()
	if err := cmd.Start(); err != nil {
		logf.Close()
		return 0, fmt.Errorf("start cairn: %w", err)
	}
	done := make(chan struct{})
	s.mu.Lock()
	s.cmd, s.done, s.werr = cmd, done, nil
	s.mu.Unlock()
	if s.OnStart != nil {
		s.OnStart(cmd.Process.Pid)
	}
	go func() {
		err := cmd.Wait()
		logf.Close()
		s.mu.Lock()
		s.werr = err
		s.mu.Unlock()
		close(done)
	}()

	hc := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if ctx.Err() != nil {
			return 0, ctx.Err()
		}
		select {
		case <-done:
			return 0, fmt.Errorf("cairn exited before it was healthy (%v); see %s", s.werr, s.logPath)
		default:
		}
		resp, err := hc.Get(s.URL + "/_cairn/health")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Since(start), nil
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	return 0, fmt.Errorf("cairn not healthy within %s; see %s", timeout, s.logPath)
}

// Pid is the running process id (0 when stopped).
func (s *Server) Pid() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil || s.cmd.Process == nil {
		return 0
	}
	return s.cmd.Process.Pid
}

// Stop sends SIGTERM and waits for the exit; after timeout it kills the process.
// It returns how long the shutdown took.
func (s *Server) Stop(timeout time.Duration) (time.Duration, error) {
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.mu.Unlock()
	if cmd == nil {
		return 0, nil
	}
	start := time.Now()
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(timeout):
		cmd.Process.Kill()
		<-done
		return time.Since(start), fmt.Errorf("cairn did not stop within %s of SIGTERM", timeout)
	}
	d := time.Since(start)
	s.mu.Lock()
	err := s.werr
	s.cmd = nil
	s.mu.Unlock()
	if err != nil {
		return d, fmt.Errorf("cairn exited with %v; see %s", err, s.logPath)
	}
	return d, nil
}

// Kill stops the process at once (used on the way out after an error).
func (s *Server) Kill() {
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.cmd = nil
	s.mu.Unlock()
	if cmd != nil {
		cmd.Process.Kill()
		<-done
	}
}

// RSS is VmRSS of the server process in bytes.
func (s *Server) RSS() (int64, error) {
	pid := s.Pid()
	if pid == 0 {
		return 0, errors.New("server not running")
	}
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, errors.New("no VmRSS in /proc status")
}

// CPU is the user+system CPU time the server process has used.
func (s *Server) CPU() time.Duration {
	pid := s.Pid()
	if pid == 0 {
		return 0
	}
	return procCPU(fmt.Sprintf("/proc/%d/stat", pid))
}

// procCPU reads utime+stime from a /proc/<pid>/stat file (clock ticks of 10 ms on
// Linux; USER_HZ is 100 on every mainstream architecture).
func procCPU(path string) time.Duration {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * 10 * time.Millisecond
}

// selfCPU is the user+system CPU time of this (client) process.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// Metric reads one unlabelled value from /_cairn/metrics.
func (s *Server) Metric(name string) (float64, error) {
	resp, err := http.Get(s.URL + "/_cairn/metrics")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			return strconv.ParseFloat(strings.TrimSpace(v), 64)
		}
	}
	return 0, fmt.Errorf("metric %s not found", name)
}

// Admin runs `cairn admin <args> --endpoint-url URL` with the root credentials and
// decodes its JSON output into v.
func (s *Server) Admin(ctx context.Context, v any, args ...string) error {
	cmd := exec.CommandContext(ctx, s.Bin, append(append([]string{"admin"}, args...), "--endpoint-url", s.URL)...)
	cmd.Env = append(cleanEnv(), "AWS_ACCESS_KEY_ID="+s.Root.Key, "AWS_SECRET_ACCESS_KEY="+s.Root.Secret)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("cairn admin %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	if v != nil {
		if err := json.Unmarshal(out, v); err != nil {
			return fmt.Errorf("decode cairn admin %s output: %w", args[0], err)
		}
	}
	return nil
}

// CreateBuckets creates the named buckets in the server's default bucket root
// (<data-dir>/buckets, a directory per bucket): CreateTrail refuses a bucket that does
// not exist (S3BucketDoesNotExistException).
func (s *Server) CreateBuckets(names ...string) error {
	for _, name := range names {
		if err := os.MkdirAll(filepath.Join(s.DataDir, "buckets", name), 0o755); err != nil {
			return fmt.Errorf("create bucket %s: %w", name, err)
		}
	}
	return nil
}

// DiskBytes is the total size of the files under the data dir.
func (s *Server) DiskBytes() int64 {
	var n int64
	filepath.WalkDir(s.DataDir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}

// RSSSampler samples the server's RSS (and CPU) every interval until stopped.
type RSSSampler struct {
	s      *Server
	stop   chan struct{}
	done   chan struct{}
	mu     sync.Mutex
	peak   int64
	last   int64
	points []int64
}

// SampleRSS starts sampling.
func SampleRSS(s *Server, every time.Duration) *RSSSampler {
	r := &RSSSampler{s: s, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(r.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			r.sample()
			select {
			case <-r.stop:
				r.sample()
				return
			case <-t.C:
			}
		}
	}()
	return r
}

func (r *RSSSampler) sample() {
	v, err := r.s.RSS()
	if err != nil {
		return
	}
	r.mu.Lock()
	r.last = v
	r.peak = max(r.peak, v)
	r.points = append(r.points, v)
	r.mu.Unlock()
}

// Stop ends sampling and returns the peak and last RSS.
func (r *RSSSampler) Stop() (peak, last int64) {
	close(r.stop)
	<-r.done
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.peak, r.last
}

// Current is the latest sample.
func (r *RSSSampler) Current() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last
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

// moduleRoot is the directory of the go.mod of the current module.
func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("run from inside the cairn module (go run ./bench)")
	}
	return filepath.Dir(mod), nil
}
