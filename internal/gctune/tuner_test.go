package gctune

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestPercent(t *testing.T) {
	const mib = 1 << 20
	tests := []struct {
		live, headroom uint64
		want           int
	}{
		{0, 128 * mib, 100},
		{64 * mib, 128 * mib, 100},
		{128 * mib, 128 * mib, 100},
		{256 * mib, 128 * mib, 50},
		{200 * mib, 128 * mib, 64},
		{1024 * mib, 128 * mib, MinPercent},
		{256 * mib, 0, 100}, // no headroom: Go's default
	}
	for _, tt := range tests {
		if got := Percent(tt.live, tt.headroom); got != tt.want {
			t.Errorf("Percent(%d MiB, %d MiB) = %d, want %d", tt.live/mib, tt.headroom/mib, got, tt.want)
		}
	}
}

// TestTuner_Run feeds the tuner a live heap that grows and shrinks and checks the
// GOGC it sets, and that it restores the original one when it stops.
func TestTuner_Run(t *testing.T) {
	var live atomic.Uint64
	var mu sync.Mutex
	percent := 80 // as if GOGC=80 were set before
	var sets []int
	tu := &Tuner{Headroom: 100, Every: time.Millisecond,
		live: live.Load,
		setPercent: func(p int) int {
			mu.Lock()
			defer mu.Unlock()
			old := percent
			percent = p
			sets = append(sets, p)
			return old
		}}
	get := func() int { mu.Lock(); defer mu.Unlock(); return percent }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { tu.Run(ctx); close(done) }()
	wait := func(want int) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for get() != want {
			if time.Now().After(deadline) {
				t.Fatalf("GOGC %d, want %d", get(), want)
			}
			time.Sleep(time.Millisecond)
		}
	}
	live.Store(50)
	wait(100)
	live.Store(200)
	wait(50)
	live.Store(1000)
	wait(MinPercent)
	live.Store(10)
	wait(100)
	cancel()
	<-done
	if got := get(); got != 80 {
		t.Errorf("GOGC %d after Run, want the original 80", got)
	}
	mu.Lock()
	defer mu.Unlock()
	for i := 1; i < len(sets)-1; i++ {
		if sets[i] == sets[i-1] {
			t.Errorf("GOGC set to %d twice in a row: %v", sets[i], sets)
			break
		}
	}
}

func TestTuner_NoHeadroom(t *testing.T) {
	called := false
	tu := &Tuner{live: func() uint64 { return 1 << 40 }, setPercent: func(int) int { called = true; return 100 }}
	tu.Run(context.Background()) // returns at once
	if called {
		t.Error("a Tuner without headroom set GOGC")
	}
}

func TestLiveHeap(t *testing.T) {
	keep := make([]*[1 << 20]byte, 4)
	for i := range keep {
		keep[i] = new([1 << 20]byte)
	}
	runtime.GC()
	if n := liveHeap(); n < 4<<20 {
		t.Errorf("live heap %d bytes, want at least the 4 MiB held", n)
	}
	runtime.KeepAlive(keep)
	if liveHeap() == 0 {
		t.Error("live heap 0: the runtime metric is not read")
	}
}
