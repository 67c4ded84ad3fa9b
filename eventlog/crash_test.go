package eventlog_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cairnhq/cairn"
	"github.com/cairnhq/cairn/eventlog"
)

// crashDirEnv switches the test binary into the appender helper of TestLog_KillRecovery.
const crashDirEnv = "CAIRN_EVENTLOG_CRASH_DIR"

// TestMain runs the crash helper when asked to; otherwise the tests.
func TestMain(m *testing.M) {
	if dir := os.Getenv(crashDirEnv); dir != "" {
		crashHelper(dir)
		return
	}
	os.Exit(m.Run())
}

// crashHelper appends events one by one from a few goroutines and prints "ACK <id>"
// after each acknowledgement, until it is killed.
func crashHelper(dir string) {
	ctx := context.Background()
	l, err := eventlog.Open(ctx, eventlog.Config{Dir: dir})
	if err != nil {
		fmt.Fprintln(os.Stderr, "open:", err)
		os.Exit(2)
	}
	out := bufio.NewWriter(os.Stdout)
	var mu sync.Mutex
	fmt.Fprintln(out, "READY")
	out.Flush()
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				e := newEvent(w*1_000_000+i, fmt.Sprintf("%012d", w), "us-east-1")
				if err := l.Append(ctx, e); err != nil {
					fmt.Fprintln(os.Stderr, "append:", err)
					os.Exit(3)
				}
				mu.Lock()
				// Written straight through: a line is out before the next append.
				fmt.Fprintf(out, "ACK %s\n", e.Lookup.EventID)
				out.Flush()
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
}

func TestLog_KillRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("kill -9 test in -short mode")
	}
	t.Parallel()
	dir := t.TempDir()
	const rounds, killAfter = 3, 1500

	acked := map[string]bool{}
	for round := range rounds {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), crashDirEnv+"="+dir)
		cmd.Stderr = os.Stderr
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(stdout)
		n := 0
		killed := false
		for sc.Scan() {
			line := sc.Text()
			id, ok := strings.CutPrefix(line, "ACK ")
			if !ok {
				continue
			}
			acked[id] = true
			n++
			if n == killAfter && !killed {
				// Kill mid-stream; lines already written are still read below.
				if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
					t.Fatal(err)
				}
				killed = true
			}
		}
		err = cmd.Wait()
		if !killed {
			t.Fatalf("round %d: helper exited after %d acks: %v", round, n, err)
		}
		t.Logf("round %d: killed after %d acknowledged appends (%d in total)", round, n, len(acked))
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	l := mustOpen(t, dir)
	st, err := l.State(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Msgs < uint64(len(acked)) {
		t.Fatalf("log holds %d events, %d were acknowledged", st.Msgs, len(acked))
	}
	missing := make(map[string]bool, len(acked))
	for id := range acked {
		missing[id] = true
	}
	var prev uint64
	stop := fmt.Errorf("caught up")
	err = l.Follow(ctx, 1, func(e cairn.LoggedEvent) error {
		if e.Seq <= prev {
			return fmt.Errorf("sequence %d after %d", e.Seq, prev)
		}
		prev = e.Seq
		delete(missing, e.Lookup.EventID)
		if e.Seq == st.LastSeq {
			return stop
		}
		return nil
	})
	if err != stop {
		t.Fatalf("Follow: %v", err)
	}
	if len(missing) > 0 {
		t.Fatalf("%d of %d acknowledged events lost after kill -9", len(missing), len(acked))
	}
	// The records themselves are readable.
	for _, seq := range []uint64{1, st.LastSeq / 2, st.LastSeq} {
		if _, err := l.Get(ctx, seq); err != nil {
			t.Fatalf("Get(%d): %v", seq, err)
		}
	}
	t.Logf("recovered %d events, all %d acknowledged ones present", st.Msgs, len(acked))
}
