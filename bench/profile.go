package main

import (
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"
)

// Perf is a `perf record` of the server process, started with -perf. It is a
// diagnostic: sampling at 499 Hz costs the server a little CPU.
type Perf struct {
	name, data, out string
	cmd             *exec.Cmd
	done            chan error
}

// StartPerf starts recording pid's on-CPU call stacks; it returns nil (and logs
// why) if perf is not usable.
func (b *Bench) StartPerf(name string, pid int) *Perf {
	if !b.o.Perf || pid == 0 {
		return nil
	}
	p := &Perf{name: name, data: filepath.Join(b.o.Out, "perf-"+name+".data"), out: filepath.Join(b.o.Out, "perf-"+name+".txt")}
	// Bounded: perf stops by itself after 10 minutes even if Stop is never called.
	p.cmd = exec.Command("perf", "record", "-q", "-F", "499", "-g", "-p", strconv.Itoa(pid), "-o", p.data, "--", "sleep", "600")
	p.cmd.Stderr = os.Stderr
	if err := p.cmd.Start(); err != nil {
		log.Printf("perf %s: %v (skipping)", name, err)
		return nil
	}
	p.done = make(chan error, 1)
	go func() { p.done <- p.cmd.Wait() }()
	time.Sleep(200 * time.Millisecond) // let perf attach
	return p
}

// Stop ends the recording and writes a flat profile (self time by symbol) next to
// the data file.
func (p *Perf) Stop() {
	if p == nil {
		return
	}
	p.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
	}
	rep := exec.Command("perf", "report", "-i", p.data, "--stdio", "--no-children", "--sort", "dso,symbol", "-g", "none", "--percent-limit", "0.7")
	out, err := rep.Output()
	if err != nil {
		log.Printf("perf report %s: %v", p.name, err)
		return
	}
	if err := os.WriteFile(p.out, out, 0o644); err != nil {
		log.Printf("perf %s: %v", p.name, err)
		return
	}
	cum := exec.Command("perf", "report", "-i", p.data, "--stdio", "--children", "--sort", "symbol", "-g", "none", "--percent-limit", "3")
	if out, err := cum.Output(); err == nil {
		os.WriteFile(filepath.Join(filepath.Dir(p.out), "perf-"+p.name+"-cumulative.txt"), out, 0o644)
	}
	log.Printf("perf %s: flat profile in %s", p.name, p.out)
}

func (p *Perf) String() string { return fmt.Sprintf("perf %s", p.name) }
