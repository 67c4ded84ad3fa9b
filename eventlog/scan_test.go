package eventlog_test

import (
	"errors"
	"testing"

	"github.com/cairnhq/cairn"
	"github.com/cairnhq/cairn/eventlog"
)

func TestLog_Scan(t *testing.T) {
	t.Parallel()
	ctx := ctxT(t)
	l := mustOpen(t, t.TempDir())
	var events []*cairn.Event
	for i := range 20 {
		events = append(events, newEvent(i, "111111111111", "us-east-1"))
	}
	if err := l.Append(ctx, events...); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name          string
		from, to      uint64
		first, last   uint64
		wantScanCount int
	}{
		{"whole log", 0, 20, 1, 20, 20},
		{"middle", 5, 9, 5, 9, 5},
		{"one", 7, 7, 7, 7, 1},
		{"past the end", 15, 100, 15, 20, 6},
		{"empty range", 9, 8, 0, 0, 0},
		{"beyond the log", 30, 40, 0, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var seqs []uint64
			err := l.Scan(ctx, tc.from, tc.to, func(m eventlog.Message) error {
				if len(m.Raw) == 0 {
					t.Errorf("seq %d: no record bytes", m.Seq)
				}
				if m.Account != "111111111111" || m.Region != "us-east-1" {
					t.Errorf("seq %d: routing facts %q %q", m.Seq, m.Account, m.Region)
				}
				seqs = append(seqs, m.Seq)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(seqs) != tc.wantScanCount {
				t.Fatalf("scanned %v, want %d events", seqs, tc.wantScanCount)
			}
			for i, s := range seqs {
				if s != tc.first+uint64(i) {
					t.Fatalf("scanned %v, want %d..%d in order", seqs, tc.first, tc.last)
				}
			}
		})
	}
	stop := errors.New("stop")
	n := 0
	err := l.Scan(ctx, 1, 20, func(eventlog.Message) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Fatalf("Scan with failing fn = %v after %d calls", err, n)
	}
}
