package eventlog_test

import (
	"context"
	"errors"
	"os"
	"runtime/pprof"
	"syscall"
	"testing"
	"time"

	"github.com/cairnhq/cairn"
	"github.com/cairnhq/cairn/eventlog"
)

func TestDbgFollow(t *testing.T) {
	if os.Getenv("DBG") == "" {
		t.Skip()
	}
	l, err := eventlog.Open(context.Background(), eventlog.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close(context.Background())
	t0 := time.Now()
	ctx := context.Background()
	const n = 200_000
	for i := 0; i < n/1000; i++ {
		var evs []*cairn.Event
		for j := 0; j < 1000; j++ {
			evs = append(evs, newEvent(i*1000+j, "111111111111", "us-east-1"))
		}
		if err := l.Append(ctx, evs...); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("fill %v", time.Since(t0))
	if os.Getenv("DBG_REOPEN") != "" {
		dir := t.TempDir()
		_ = dir
	}
	f, _ := os.Create("/tmp/follow.prof")
	pprof.StartCPUProfile(f)
	var ru0 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
	cpu0 := time.Duration(ru0.Utime.Nano() + ru0.Stime.Nano())
	for round := 0; round < 3; round++ {
		seen := 0
		stop := errors.New("stop")
		t0 = time.Now()
		err = l.Follow(ctx, 1, func(e cairn.LoggedEvent) error {
			seen++
			if seen == n {
				return stop
			}
			return nil
		})
		d := time.Since(t0)
		var ru syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		cpu := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		t.Logf("follow %v %.0f/s %v cpu/event %v", d, float64(n)/d.Seconds(), err, (cpu-cpu0)/n)
		cpu0 = cpu
	}
	pprof.StopCPUProfile()
	f.Close()
}
