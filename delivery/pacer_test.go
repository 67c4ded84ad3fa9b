package delivery

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cairnhq/cairn"
)

// fakeActivity is an Activity whose calls the test starts and ends.
type fakeActivity struct {
	n    atomic.Int64
	idle chan struct{}
}

func (a *fakeActivity) InFlight() bool        { return a.n.Load() > 0 }
func (a *fakeActivity) Idle() <-chan struct{} { return a.idle }

// TestPacer_YieldsToCalls: while a call is in flight the pacer waits for the server
// to go idle (not for maxYield), and after maxYield of calls it works anyway.
func TestPacer_YieldsToCalls(t *testing.T) {
	ctx := context.Background()
	a := &fakeActivity{idle: make(chan struct{})}
	p := newPacer(1, a) // no share limit: only yielding

	// No call in flight: no wait.
	start := time.Now()
	for range 1000 {
		p.tick(ctx)
	}
	if d := time.Since(start); d > 50*time.Millisecond {
		t.Fatalf("1000 ticks with no call in flight took %v", d)
	}

	// A call in flight that ends after 30 ms: the tick returns when it ends.
	a.n.Store(1)
	go func() {
		time.Sleep(30 * time.Millisecond)
		a.n.Store(0)
		close(a.idle)
	}()
	p.maxYield = time.Second
	start = time.Now()
	p.tick(ctx)
	if d := time.Since(start); d < 25*time.Millisecond || d > 500*time.Millisecond {
		t.Fatalf("tick during a 30 ms call returned after %v", d)
	}
	if p.forced {
		t.Fatal("forced after the call ended")
	}

	// Calls that never end: one wait of maxYield, then the stretch is forced and
	// ticks no longer wait.
	a.idle = make(chan struct{})
	a.n.Store(1)
	p.maxYield = 20 * time.Millisecond
	start = time.Now()
	p.tick(ctx)
	if d := time.Since(start); d < 15*time.Millisecond {
		t.Fatalf("tick under constant calls returned after %v, want about maxYield", d)
	}
	if !p.forced {
		t.Fatal("not forced after maxYield")
	}
	start = time.Now()
	for range 1000 {
		p.tick(ctx)
	}
	if d := time.Since(start); d > 50*time.Millisecond {
		t.Fatalf("forced ticks waited: %v", d)
	}
}

// TestPacer_Share: contiguous work is followed by pauses that keep it near its share.
func TestPacer_Share(t *testing.T) {
	p := newPacer(0.5, nil)
	var paused time.Duration
	start := time.Now()
	for time.Since(start) < 300*time.Millisecond {
		s := time.Now()
		p.tick(context.Background())
		paused += time.Since(s)
	}
	// Share 0.5: about half the time in pauses (timers may oversleep, not undersleep).
	if f := float64(paused) / float64(time.Since(start)); f < 0.35 || f > 0.9 {
		t.Fatalf("paused %.0f%% of the time at share 0.5", f*100)
	}
	if p.forced {
		t.Fatal("forced without an Activity")
	}
}

// TestScheduler_Share: a pass gets the configured share while delivery keeps up and
// more the later its window is.
func TestScheduler_Share(t *testing.T) {
	closed := time.Date(2026, 11, 25, 7, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		now  time.Duration // after the window closed
		want float64
	}{
		{-time.Second, 0.1},
		{0, 0.1},
		{30 * time.Second, 0.15},
		{time.Minute, 0.2},
		{5 * time.Minute, 0.6},
		{time.Hour, 1},
	} {
		s := &Scheduler{cfg: Config{CPUShare: 0.1, Interval: time.Minute, Clock: cairn.ClockFunc(func() time.Time { return closed.Add(tc.now) })}}
		jobs := []*Job{{Time: closed.Add(time.Minute)}, {Time: closed}}
		if got := s.share(jobs); got < tc.want-1e-9 || got > tc.want+1e-9 {
			t.Errorf("%v after the window closed: share %g, want %g", tc.now, got, tc.want)
		}
	}
}

// TestPacedFile_Reads checks that a paced file reads what the file holds, across
// chunk boundaries, through Read, ReadAt and Seek (as the S3 store reads an upload).
func TestPacedFile_Reads(t *testing.T) {
	want := make([]byte, 3*pacedChunk+123)
	for i := range want {
		want[i] = byte(i * 7)
	}
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, want, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p := &pacedFile{f: f, ctx: context.Background(), pace: newPacer(0.5, nil)}
	got, err := io.ReadAll(p)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("Read: %d bytes, err %v; want %d bytes", len(got), err, len(want))
	}
	for _, tc := range []struct{ off, n int }{{0, len(want)}, {1, pacedChunk}, {pacedChunk - 1, 2*pacedChunk + 2}, {len(want) - 5, 5}} {
		b := make([]byte, tc.n)
		if n, err := p.ReadAt(b, int64(tc.off)); n != tc.n || err != nil || !bytes.Equal(b, want[tc.off:tc.off+tc.n]) {
			t.Errorf("ReadAt(%d bytes at %d) = %d, %v", tc.n, tc.off, n, err)
		}
	}
	if n, err := p.ReadAt(make([]byte, 10), int64(len(want)-5)); n != 5 || err != io.EOF {
		t.Errorf("ReadAt past the end = %d, %v; want 5, EOF", n, err)
	}
	if off, err := p.Seek(7, io.SeekStart); off != 7 || err != nil {
		t.Fatalf("Seek = %d, %v", off, err)
	}
	sr := io.NewSectionReader(p, 7, int64(len(want)-7))
	if got, err := io.ReadAll(sr); err != nil || !bytes.Equal(got, want[7:]) {
		t.Errorf("section read: %d bytes, %v", len(got), err)
	}
}

// TestPacedFile_FirstReadRests: the time before an upload's first read (waiting for
// the store's answer to the previous file, say) is not counted as work, so it brings
// no pause.
func TestPacedFile_FirstReadRests(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, make([]byte, 1000), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pace := newPacer(0.01, nil)
	time.Sleep(50 * time.Millisecond) // waiting, not working: at share 0.01 it would cost a 5 s pause
	start := time.Now()
	if _, err := io.ReadAll(&pacedFile{f: f, ctx: context.Background(), pace: pace}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("reading 1000 bytes took %v: the wait before the first read was counted as work", d)
	}
}
