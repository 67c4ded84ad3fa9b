package eventlog_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/cairnhq/cairn"
	"github.com/cairnhq/cairn/eventlog"
)

func testLogger(t testing.TB) *slog.Logger {
	if os.Getenv("CAIRN_TEST_NATS_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

// mustOpen opens a Log on dir and closes it when the test ends.
func mustOpen(t testing.TB, dir string) *eventlog.Log {
	t.Helper()
	l, err := eventlog.Open(context.Background(), eventlog.Config{Dir: dir, Logger: testLogger(t)})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := l.Close(ctx); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return l
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// newEvent builds an event as capture would: record bytes plus routing facts.
func newEvent(i int, account, region string) *cairn.Event {
	id := uuid.NewString()
	now := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Millisecond)
	name := fmt.Sprintf("Op%d", i%10)
	raw := fmt.Appendf(nil, `{"eventVersion":"1.11","eventTime":"%s","eventSource":"cloudtrail.amazonaws.com","eventName":"%s","awsRegion":"%s","eventID":"%s","recipientAccountId":"%s","requestParameters":{"i":%d},"eventType":"AwsApiCall","eventCategory":"Management"}`,
		cairn.FormatEventTime(now), name, region, id, account, i)
	return &cairn.Event{
		Raw:     raw,
		Time:    now,
		Account: account,
		Region:  region,
		Lookup: cairn.LookupFields{
			EventID:     id,
			EventName:   name,
			EventSource: "cloudtrail.amazonaws.com",
			ReadOnly:    "false",
			Username:    "alice",
			AccessKeyID: "AKIAEXAMPLE",
			Category:    cairn.EventCategoryManagement,
			Resources:   []cairn.LookupResource{{Type: "AWS::CloudTrail::Trail", Name: fmt.Sprintf("trail-%d", i)}},
		},
	}
}

func checkLogged(t testing.TB, got cairn.LoggedEvent, seq uint64, e *cairn.Event) {
	t.Helper()
	if got.Seq != seq || got.TimeNanos != e.Time.UnixNano() || got.Account != e.Account ||
		got.Region != e.Region || fmt.Sprint(got.Lookup) != fmt.Sprint(e.Lookup) {
		t.Fatalf("logged event = %+v\nwant seq %d of %+v", got, seq, e)
	}
}

// followN collects n events from Follow starting at from.
func followN(t testing.TB, l *eventlog.Log, from uint64, n int) []cairn.LoggedEvent {
	t.Helper()
	var out []cairn.LoggedEvent
	stop := errors.New("enough")
	if n == 0 {
		return nil
	}
	err := l.Follow(ctxT(t), from, func(e cairn.LoggedEvent) error {
		out = append(out, e)
		if len(out) == n {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) {
		t.Fatalf("Follow: %v (after %d events)", err, len(out))
	}
	return out
}

func TestLog_AppendGetFollow(t *testing.T) {
	t.Parallel()
	l := mustOpen(t, t.TempDir())
	ctx := ctxT(t)

	var events []*cairn.Event
	for i := range 25 {
		account := "111111111111"
		if i%2 == 1 {
			account = "222222222222"
		}
		events = append(events, newEvent(i, account, "us-east-1"))
	}
	// One batch, then one by one.
	if err := l.Append(ctx, events[:10]...); err != nil {
		t.Fatal(err)
	}
	for _, e := range events[10:] {
		if err := l.Append(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	last, err := l.LastSeq(ctx)
	if err != nil || last != 25 {
		t.Fatalf("LastSeq = %d, %v; want 25", last, err)
	}
	for i, e := range events {
		raw, err := l.Get(ctx, uint64(i+1))
		if err != nil {
			t.Fatalf("Get(%d): %v", i+1, err)
		}
		if string(raw) != string(e.Raw) {
			t.Fatalf("Get(%d) = %s, want %s", i+1, raw, e.Raw)
		}
	}
	seqs := []uint64{25, 3, 999, 1, 3}
	many, err := l.GetMany(ctx, seqs)
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range seqs {
		if s == 999 {
			if many[i] != nil {
				t.Fatalf("GetMany missing seq = %q, want nil", many[i])
			}
			continue
		}
		if string(many[i]) != string(events[s-1].Raw) {
			t.Fatalf("GetMany[%d] (seq %d) = %s", i, s, many[i])
		}
	}

	got := followN(t, l, 0, 25)
	for i, g := range got {
		checkLogged(t, g, uint64(i+1), events[i])
	}
	got = followN(t, l, 20, 6)
	for i, g := range got {
		checkLogged(t, g, uint64(20+i), events[19+i])
	}
	st, err := l.State(ctx)
	if err != nil || st.Msgs != 25 || st.FirstSeq != 1 || st.LastSeq != 25 || st.Bytes == 0 {
		t.Fatalf("State = %+v, %v", st, err)
	}
}

// TestLog_FollowTail: a follower started on a non-empty log sees the backlog and then
// every new event, in order.
func TestLog_FollowTail(t *testing.T) {
	t.Parallel()
	l := mustOpen(t, t.TempDir())
	ctx := ctxT(t)
	first := newEvent(0, "111111111111", "eu-west-1")
	if err := l.Append(ctx, first); err != nil {
		t.Fatal(err)
	}
	var (
		mu  sync.Mutex
		got []cairn.LoggedEvent
	)
	fctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- l.Follow(fctx, 1, func(e cairn.LoggedEvent) error {
			mu.Lock()
			got = append(got, e)
			mu.Unlock()
			return nil
		})
	}()
	events := []*cairn.Event{first}
	for i := 1; i <= 50; i++ {
		e := newEvent(i, "111111111111", "eu-west-1")
		events = append(events, e)
		if err := l.Append(ctx, e); err != nil {
			t.Fatal(err)
		}
		if i%10 == 0 {
			time.Sleep(5 * time.Millisecond)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		n := len(got)
		mu.Unlock()
		if n == len(events) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("follower saw %d of %d events", n, len(events))
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Follow after cancel = %v, want context.Canceled", err)
	}
	for i, g := range got {
		checkLogged(t, g, uint64(i+1), events[i])
	}
}

func TestLog_FollowEmpty(t *testing.T) {
	t.Parallel()
	l := mustOpen(t, t.TempDir())
	ctx := ctxT(t)
	go func() {
		time.Sleep(50 * time.Millisecond)
		_ = l.Append(ctx, newEvent(1, "111111111111", "us-east-1"))
	}()
	got := followN(t, l, 0, 1)
	if got[0].Seq != 1 {
		t.Fatalf("seq %d", got[0].Seq)
	}
	// Following from beyond the end waits for that sequence.
	go func() {
		time.Sleep(50 * time.Millisecond)
		_ = l.Append(ctx, newEvent(2, "111111111111", "us-east-1"))
	}()
	if got := followN(t, l, 2, 1); got[0].Seq != 2 {
		t.Fatalf("seq %d", got[0].Seq)
	}
}

func TestLog_Dedup(t *testing.T) {
	t.Parallel()
	l := mustOpen(t, t.TempDir())
	ctx := ctxT(t)
	a, b := newEvent(1, "111111111111", "us-east-1"), newEvent(2, "111111111111", "us-east-1")
	if err := l.Append(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := l.Append(ctx, a); err != nil {
		t.Fatalf("duplicate Append: %v", err)
	}
	if err := l.Append(ctx, a, b, b); err != nil {
		t.Fatalf("batch with duplicates: %v", err)
	}
	// Same id, different body: still a duplicate (the id is the identity).
	c := newEvent(3, "111111111111", "us-east-1")
	c.Lookup.EventID = a.Lookup.EventID
	if err := l.Append(ctx, c); err != nil {
		t.Fatal(err)
	}
	st, err := l.State(ctx)
	if err != nil || st.Msgs != 2 || st.LastSeq != 2 {
		t.Fatalf("State = %+v, %v; want 2 messages", st, err)
	}
	raw, err := l.Get(ctx, 1)
	if err != nil || string(raw) != string(a.Raw) {
		t.Fatalf("Get(1) = %s, %v", raw, err)
	}
}

func TestLog_AppendInvalid(t *testing.T) {
	t.Parallel()
	l := mustOpen(t, t.TempDir())
	ctx := ctxT(t)
	noID := newEvent(1, "111111111111", "us-east-1")
	noID.Lookup.EventID = ""
	if err := l.Append(ctx, noID); err == nil {
		t.Fatal("Append without event id succeeded")
	}
	noRaw := newEvent(1, "111111111111", "us-east-1")
	noRaw.Raw = nil
	if err := l.Append(ctx, noRaw); err == nil {
		t.Fatal("Append without record bytes succeeded")
	}
	// Odd account/region values still map to a valid subject.
	odd := newEvent(2, "", "a.b*c>d e")
	if err := l.Append(ctx, odd); err != nil {
		t.Fatalf("Append with odd region: %v", err)
	}
	got := followN(t, l, 1, 1)
	if got[0].Region != "a.b*c>d e" || got[0].Account != "" {
		t.Fatalf("routing facts not preserved: %+v", got[0])
	}
	if s := eventlog.Subject("", "a.b*c>d e"); s != "events._.a_b_c_d_e" {
		t.Fatalf("Subject = %q", s)
	}
}

func TestLog_GetNotFound(t *testing.T) {
	t.Parallel()
	l := mustOpen(t, t.TempDir())
	ctx := ctxT(t)
	for _, seq := range []uint64{0, 1, 1 << 40} {
		_, err := l.Get(ctx, seq)
		if !errors.Is(err, eventlog.ErrNotFound) || !errors.Is(err, cairn.ErrNotFound) {
			t.Fatalf("Get(%d) on empty log = %v, want ErrNotFound", seq, err)
		}
	}
}

func TestLog_ConcurrentAppend(t *testing.T) {
	t.Parallel()
	l := mustOpen(t, t.TempDir())
	ctx := ctxT(t)
	const workers, per = 16, 100
	ids := make(chan string, workers*per)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range per {
				e := newEvent(w*per+i, fmt.Sprintf("%012d", w), "us-west-2")
				if err := l.Append(ctx, e); err != nil {
					t.Error(err)
					return
				}
				ids <- e.Lookup.EventID
			}
		}()
	}
	wg.Wait()
	close(ids)
	want := map[string]bool{}
	for id := range ids {
		want[id] = true
	}
	got := followN(t, l, 1, workers*per)
	for i, g := range got {
		if g.Seq != uint64(i+1) {
			t.Fatalf("event %d has seq %d", i, g.Seq)
		}
		if !want[g.Lookup.EventID] {
			t.Fatalf("unexpected or repeated id %s", g.Lookup.EventID)
		}
		delete(want, g.Lookup.EventID)
	}
	if len(want) != 0 {
		t.Fatalf("%d acknowledged events missing", len(want))
	}
}

func TestLog_Restart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx := ctxT(t)
	l, err := eventlog.Open(ctx, eventlog.Config{Dir: dir, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	var events []*cairn.Event
	for i := range 20 {
		events = append(events, newEvent(i, "111111111111", "us-east-1"))
	}
	if err := l.Append(ctx, events...); err != nil {
		t.Fatal(err)
	}
	rev, err := l.Meta().Create(ctx, "trails", "111111111111/main", []byte(`{"name":"main"}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(ctx); err != nil {
		t.Fatalf("second Close: %v", err)
	}

	l2 := mustOpen(t, dir)
	got := followN(t, l2, 1, 20)
	for i, g := range got {
		checkLogged(t, g, uint64(i+1), events[i])
	}
	raw, err := l2.Get(ctx, 7)
	if err != nil || string(raw) != string(events[6].Raw) {
		t.Fatalf("Get(7) after restart = %s, %v", raw, err)
	}
	e, err := l2.Meta().Get(ctx, "trails", "111111111111/main")
	if err != nil || string(e.Value) != `{"name":"main"}` || e.Revision != rev {
		t.Fatalf("meta after restart = %+v, %v", e, err)
	}
	// Dedup state and sequence numbers carry on.
	if err := l2.Append(ctx, events[3], newEvent(99, "111111111111", "us-east-1")); err != nil {
		t.Fatal(err)
	}
	if last, _ := l2.LastSeq(ctx); last != 21 {
		t.Fatalf("LastSeq after restart and append = %d, want 21", last)
	}
}

func TestLog_SyncAlways(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx := ctxT(t)
	l, err := eventlog.Open(ctx, eventlog.Config{Dir: dir, SyncAlways: true, MaxAge: time.Hour, MaxBytes: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	e := newEvent(1, "111111111111", "us-east-1")
	if err := l.Append(ctx, e); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(ctx); err != nil {
		t.Fatal(err)
	}
	l2 := mustOpen(t, dir)
	if raw, err := l2.Get(ctx, 1); err != nil || string(raw) != string(e.Raw) {
		t.Fatalf("Get = %s, %v", raw, err)
	}
}

func TestLog_DirLocked(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mustOpen(t, dir)
	if l, err := eventlog.Open(ctxT(t), eventlog.Config{Dir: dir}); err == nil {
		l.Close(context.Background())
		t.Fatal("second Open of the same Dir succeeded")
	}
}

func TestLog_Close(t *testing.T) {
	t.Parallel()
	ctx := ctxT(t)
	l, err := eventlog.Open(ctx, eventlog.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Append(ctx, newEvent(1, "111111111111", "us-east-1")); err != nil {
		t.Fatal(err)
	}
	started := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- l.Follow(ctx, 1, func(cairn.LoggedEvent) error {
			close(started)
			return nil
		})
	}()
	<-started
	if err := l.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := <-done; !errors.Is(err, cairn.ErrClosed) {
		t.Fatalf("Follow after Close = %v, want ErrClosed", err)
	}
	if err := l.Append(ctx, newEvent(2, "111111111111", "us-east-1")); !errors.Is(err, cairn.ErrClosed) {
		t.Fatalf("Append after Close = %v", err)
	}
	if _, err := l.Get(ctx, 1); !errors.Is(err, cairn.ErrClosed) {
		t.Fatalf("Get after Close = %v", err)
	}
	if _, err := l.Meta().Get(ctx, "b", "k"); !errors.Is(err, cairn.ErrClosed) {
		t.Fatalf("Meta().Get after Close = %v", err)
	}
	if err := l.Close(ctx); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}
