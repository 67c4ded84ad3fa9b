package eventlog_test

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"

	"github.com/cairnhq/cairn"
	"github.com/cairnhq/cairn/eventlog"
)

// TestLog_ExternalURL runs against a NATS server reached over TCP, as a cluster
// deployment does (--nats-url).
func TestLog_ExternalURL(t *testing.T) {
	t.Parallel()
	srv, err := server.NewServer(&server.Options{
		Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(), NoSigs: true, NoLog: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	srv.Start()
	t.Cleanup(func() { srv.Shutdown(); srv.WaitForShutdown() })
	if !srv.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats server not ready")
	}
	ctx := ctxT(t)
	l, err := eventlog.Open(ctx, eventlog.Config{URL: srv.ClientURL(), MaxAge: 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close(context.Background())

	events := []*cairn.Event{newEvent(1, "111111111111", "us-east-1"), newEvent(2, "111111111111", "us-east-1")}
	if err := l.Append(ctx, events...); err != nil {
		t.Fatal(err)
	}
	got := followN(t, l, 1, 2)
	for i, g := range got {
		checkLogged(t, g, uint64(i+1), events[i])
	}
	raws, err := l.GetMany(ctx, []uint64{2, 1})
	if err != nil || string(raws[0]) != string(events[1].Raw) || string(raws[1]) != string(events[0].Raw) {
		t.Fatalf("GetMany = %q, %v", raws, err)
	}
	if _, err := l.Meta().Create(ctx, "trails", "a/b", []byte("x")); err != nil {
		t.Fatal(err)
	}
	if e, err := l.Meta().Get(ctx, "trails", "a/b"); err != nil || string(e.Value) != "x" {
		t.Fatalf("Meta().Get = %+v, %v", e, err)
	}
}
