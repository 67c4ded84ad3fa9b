package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/cairnhq/cairn/internal/versitygw"
)

// VersityGW is a versitygw process (an S3 server with a posix backend) on 127.0.0.1,
// started as internal/versitygw starts it for the tests: `versitygw --port ADDR
// --region us-east-1 --quiet posix [--sidecar META] DIR` with the root credentials in
// ROOT_ACCESS_KEY / ROOT_SECRET_KEY. Buckets are the directories of Dir.
type VersityGW struct {
	Bin, Dir, Addr, Endpoint string
	AccessKey, SecretKey     string
	Region                   string
	Version                  string // the module version the binary was built from, if known
	Sidecar                  string // metadata dir when Dir has no user xattrs
	logPath                  string

	cmd  *exec.Cmd
	done chan struct{}
}

// versitygwBinary finds the binary as the tests do (internal/versitygw.Binary).
func versitygwBinary() (string, error) { return versitygw.Binary() }

// StartVersityGW starts versitygw on a free port with a fresh directory under dir and
// waits until it answers HTTP. Its output goes to logPath (truncated).
func StartVersityGW(dir, logPath string) (*VersityGW, error) {
	bin, err := versitygwBinary()
	if err != nil {
		return nil, err
	}
	secret := make([]byte, 16)
	rand.Read(secret)
	g := &VersityGW{Bin: bin, Dir: filepath.Join(dir, "s3"), AccessKey: "cairnbench", SecretKey: hex.EncodeToString(secret),
		Region: "us-east-1", logPath: logPath}
	if out, err := exec.Command("go", "version", "-m", bin).Output(); err == nil {
		for _, l := range strings.Split(string(out), "\n") {
			if f := strings.Fields(l); len(f) >= 3 && f[0] == "mod" {
				g.Version = f[2]
			}
		}
	}
	if err := os.MkdirAll(g.Dir, 0o755); err != nil {
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		if g.Addr, err = freePort(); err != nil {
			return nil, err
		}
		g.Endpoint = "http://" + g.Addr
		err = g.start()
		if err == nil {
			return g, nil
		}
		b, _ := os.ReadFile(logPath)
		switch log := string(b); {
		case strings.Contains(log, "xattr") && g.Sidecar == "":
			// The filesystem of Dir lacks user xattrs: keep metadata in files.
			g.Sidecar = filepath.Join(dir, "s3-meta")
		case strings.Contains(log, "address already in use") && attempt < 3:
		default:
			return nil, fmt.Errorf("versitygw: %v; see %s", err, logPath)
		}
	}
}

func (g *VersityGW) start() error {
	args := []string{"--port", g.Addr, "--region", g.Region, "--quiet", "posix"}
	if g.Sidecar != "" {
		if err := os.MkdirAll(g.Sidecar, 0o755); err != nil {
			return err
		}
		args = append(args, "--sidecar", g.Sidecar)
	}
	args = append(args, g.Dir)
	logf, err := os.OpenFile(g.logPath, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close()
	cmd := exec.Command(g.Bin, args...)
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "VGW_") || strings.HasPrefix(k, "ROOT_ACCESS_KEY") || strings.HasPrefix(k, "ROOT_SECRET") ||
			k == "LOGFILE" || k == "WEBHOOK" {
			continue
		}
		env = append(env, kv)
	}
	cmd.Env = append(env, "ROOT_ACCESS_KEY="+g.AccessKey, "ROOT_SECRET_KEY="+g.SecretKey)
	cmd.Stdout, cmd.Stderr = logf, logf
	// The gateway dies with the harness even if the harness is killed.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", g.Bin, err)
	}
	done := make(chan struct{})
	go func() {
		cmd.Wait()
		close(done)
	}()
	hc := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(20 * time.Second)
	for {
		select {
		case <-done:
			return fmt.Errorf("exited: %v", cmd.ProcessState)
		default:
		}
		resp, err := hc.Get(g.Endpoint + "/")
		if err == nil {
			resp.Body.Close()
			g.cmd, g.done = cmd, done
			return nil
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			<-done
			return fmt.Errorf("not answering on %s after 20s: %v", g.Addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Pid is the process id (0 when stopped).
func (g *VersityGW) Pid() int {
	if g == nil || g.cmd == nil || g.cmd.Process == nil {
		return 0
	}
	return g.cmd.Process.Pid
}

// CPU is the user+system CPU time the gateway has used.
func (g *VersityGW) CPU() time.Duration {
	if pid := g.Pid(); pid != 0 {
		return procCPU(fmt.Sprintf("/proc/%d/stat", pid))
	}
	return 0
}

// Stop kills the gateway and waits for it.
func (g *VersityGW) Stop() {
	if g == nil || g.cmd == nil {
		return
	}
	g.cmd.Process.Kill()
	<-g.done
	g.cmd = nil
}
