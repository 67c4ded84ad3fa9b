package eventlog

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/cairnhq/cairn"
)

// TestLog_ScanDeletesItsConsumer checks that a finished Scan or Follow leaves no
// consumer on the stream (a stopped one would linger until its inactive threshold,
// and the server works for every live consumer on every append).
func TestLog_ScanDeletesItsConsumer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	l, err := Open(ctx, Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close(context.Background())
	for i := range 10 {
		id := fmt.Sprintf("id-%d", i) // appends dedupe by event id
		if err := l.Append(ctx, &cairn.Event{Raw: []byte(`{"eventID":"` + id + `"}`), Time: time.Now(), Account: "111111111111", Region: "us-east-1",
			Lookup: cairn.LookupFields{EventID: id, EventName: "GetTrail", EventSource: "cloudtrail.amazonaws.com"}}); err != nil {
			t.Fatalf("append %d: %v", i, err)
		}
	}
	consumers := func() int {
		info, err := l.stream.Info(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return info.State.Consumers
	}
	before := consumers()
	for range 5 {
		n := 0
		if err := l.Scan(ctx, 1, 10, func(Message) error { n++; return nil }); err != nil || n != 10 {
			t.Fatalf("Scan = %v after %d events, want 10", err, n)
		}
	}
	stop := errors.New("stop")
	if err := l.Follow(ctx, 1, func(cairn.LoggedEvent) error { return stop }); !errors.Is(err, stop) {
		t.Fatalf("Follow = %v", err)
	}
	if got := consumers(); got != before {
		t.Errorf("%d consumers after the scans and the follow, want %d", got, before)
	}
}
