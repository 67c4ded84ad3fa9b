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

// TestPacer_StopCutsPause: a pause that would last seconds ends soon after the
// pacer's stop condition holds, and only then.
func TestPacer_StopCutsPause(t *testing.T) {
	var stop atomic.Bool
	p := newPacer(0.001, nil)
	p.stop = stop.Load
	p.since = time.Now().Add(-2 * time.Millisecond) // 2 ms of work: a 2 s pause at 0.001
	go func() {
		time.Sleep(200 * time.Millisecond)
		stop.Store(true)
	}()
	start := time.Now()
	p.tick(context.Background())
	took := time.Since(start)
	if !p.stopped {
		t.Fatalf("pause of %v ended without stopped", took)
	}
	if took < 200*time.Millisecond || took > time.Second {
		t.Fatalf("pause took %v, want to end soon after 200 ms", took)
	}
}

// TestScheduler_Budget: a pass gets the configured share while delivery keeps up and
// more the later its window is, and is gentle until gentleLag after the window closed.
func TestScheduler_Budget(t *testing.T) {
	closed := time.Date(2026, 11, 25, 7, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		now    time.Duration // after the window closed
		want   float64
		gentle time.Duration
	}{
		{-time.Second, 0.1, gentleLag + time.Second},
		{0, 0.1, gentleLag},
		{10 * time.Second, 0.1 * (1 + 10.0/60), gentleLag - 10*time.Second},
		{30 * time.Second, 0.15, gentleLag - 30*time.Second},
		{time.Minute, 0.2, gentleLag - time.Minute},
		{5 * time.Minute, 0.6, gentleLag - 5*time.Minute},
		{time.Hour, 1, gentleLag - time.Hour},
	} {
		s := &Scheduler{cfg: Config{CPUShare: 0.1, Interval: time.Minute, Clock: cairn.ClockFunc(func() time.Time { return closed.Add(tc.now) })}}
		jobs := []*Job{{Time: closed.Add(time.Minute)}, {Time: closed}}
		got := s.budget(jobs)
		if got.share < tc.want-1e-9 || got.share > tc.want+1e-9 || got.gentle != tc.gentle {
			t.Errorf("%v after the window closed: share %g gentle %v, want %g %v", tc.now, got.share, got.gentle, tc.want, tc.gentle)
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

// TestPacer_ForcedOnlyWhileBusy: a stretch that begins, after a pause, while a call is
// in flight yields to it unless the last wait for the calls to end lasted maxYield (a
// server never idle, where delivery must still get its share).
func TestPacer_ForcedOnlyWhileBusy(t *testing.T) {
	ctx := context.Background()
	a := &fakeActivity{idle: make(chan struct{})}
	p := newPacer(0.05, a)
	// pauseWith works one stretch and pauses (share 0.05: about 20 stretches long),
	// with n calls in flight from the middle of the pause on.
	pauseWith := func(n int64) {
		t.Helper()
		p.start, p.worked = time.Now(), 0
		p.since = p.start.Add(-2 * pacerStretch)
		go func() {
			time.Sleep(5 * pacerStretch)
			a.n.Store(n)
		}()
		p.tick(ctx)
		if a.n.Load() != n {
			t.Fatal("the pause ended before the calls began")
		}
	}

	// A call that began during the pause: the stretch after it is not forced (the
	// next tick waits for the call).
	pauseWith(1)
	if p.busy || p.forced {
		t.Fatalf("after a pause that a call began in (server not busy): busy %v forced %v", p.busy, p.forced)
	}

	// A wait that lasts maxYield: busy and forced, and the stretches after pauses stay
	// forced while calls are in flight.
	p.maxYield = 10 * time.Millisecond
	p.tick(ctx)
	if !p.busy || !p.forced {
		t.Fatalf("after maxYield of calls: busy %v forced %v", p.busy, p.forced)
	}
	pauseWith(1)
	if !p.forced {
		t.Fatal("stretch after a pause under constant calls not forced")
	}

	// The calls end: the next stretch is not forced; a wait that ends with the server
	// idle clears busy.
	pauseWith(0)
	if p.forced {
		t.Fatal("forced with no call in flight")
	}
	a.n.Store(1)
	go func() {
		time.Sleep(time.Millisecond)
		a.n.Store(0)
		close(a.idle)
	}()
	p.maxYield = time.Second
	p.tick(ctx)
	if p.busy || p.forced {
		t.Fatalf("after a wait that ended idle: busy %v forced %v", p.busy, p.forced)
	}
}

// TestPacer_ServingShare: while calls are being served (one seen within callMemory)
// delivery keeps to servingShare of its share until gentleUntil; an idle server and a
// busy one get all of it; a change of share carries neither debt nor credit.
func TestPacer_ServingShare(t *testing.T) {
	a := &fakeActivity{idle: make(chan struct{})}
	p := newPacer(0.4, a)
	now := time.Now()
	p.gentleUntil = now.Add(6 * callMemory)
	var prev float64
	for _, step := range []struct {
		name  string
		after time.Duration // since the start of the test
		calls int64
		busy  bool
		want  float64
	}{
		{"idle", 0, 0, false, 0.4},
		{"call in flight", time.Millisecond, 1, false, 0.4 * servingShare},
		{"just after it", callMemory / 2, 0, false, 0.4 * servingShare},
		{"long after it", 2 * callMemory, 0, false, 0.4},
		{"busy", 3 * callMemory, 1, true, 0.4},
		{"no longer busy", 4 * callMemory, 1, false, 0.4 * servingShare},
		{"no longer gentle", 7 * callMemory, 1, false, 0.4},
	} {
		a.n.Store(step.calls)
		p.busy = step.busy
		p.worked = 10 * time.Millisecond
		at := now.Add(step.after)
		if got := p.current(at); got != step.want {
			t.Fatalf("%s: share %v, want %v", step.name, got, step.want)
		}
		// After a change, no debt and no credit: the work so far is exactly what
		// the new share allows.
		changed := step.want != prev
		prev = step.want
		if !changed || step.after == 0 {
			continue
		}
		if d := time.Duration(float64(p.worked)/step.want) - at.Sub(p.start); d < -time.Microsecond || d > time.Microsecond {
			t.Fatalf("%s: pause due %v after the change, want 0", step.name, d)
		}
	}
}
