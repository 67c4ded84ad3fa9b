package delivery_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/cairnhq/cairn/delivery"
	"github.com/cairnhq/cairn/eventlog"
	"github.com/cairnhq/cairn/service/cloudtrail"
)

func TestParseTargets(t *testing.T) {
	pub := &eventlog.Log{}
	tests := []struct {
		spec  string
		pub   delivery.Publisher
		names []string
		err   string
	}{
		{"", nil, []string{}, ""},
		{"a=http://h/x, b=https://h:8443/y", nil, []string{"a", "b"}, ""},
		{"n=nats:cloudtrail.notify", pub, []string{"n"}, ""},
		{"n=nats:cloudtrail.notify", nil, nil, "need a NATS connection"},
		{"n=nats:events.x", pub, nil, "not a NATS subject"},
		{"n=nats:a.*", pub, nil, "not a NATS subject"},
		{"n=ftp://h", nil, nil, "neither an http(s) URL"},
		{"n", nil, nil, "want name=url"},
		{"a=http://h,a=http://i", nil, nil, "defined twice"},
	}
	for _, tc := range tests {
		got, err := delivery.ParseTargets(tc.spec, tc.pub)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseTargets(%q) = %v, want an error with %q", tc.spec, err, tc.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseTargets(%q): %v", tc.spec, err)
			continue
		}
		if names := got.Names(); strings.Join(names, ",") != strings.Join(tc.names, ",") {
			t.Errorf("ParseTargets(%q) names %v, want %v", tc.spec, names, tc.names)
		}
	}
}

// TestScheduler_NotifiesNATSSubject publishes the notification to a NATS subject that
// a JetStream stream captures, on a NATS server reached by URL (--nats-url).
func TestScheduler_NotifiesNATSSubject(t *testing.T) {
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
	e := newEnvWith(t, eventlog.Config{URL: srv.ClientURL()})
	targets, err := delivery.ParseTargets("audit=nats:cloudtrail.notify.audit", e.log)
	if err != nil {
		t.Fatal(err)
	}
	e.trails.Topics = targets
	e.bucket("logs")
	e.trail(east, "trail1", "logs", cloudtrail.CreateTrailParams{SnsTopicName: ptr("audit")})
	s := e.open(delivery.Config{Notifier: targets})
	e.appendEvents(ev{})
	e.clock.set(t0.Add(5 * time.Minute))
	flush(t, s) // delivered; no stream captures the subject yet: the notification waits
	if st := s.Stats(); st.PendingNotify != 1 {
		t.Fatalf("stats before a stream listens = %+v", st)
	}

	nc, err := nats.Connect(srv.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	stream, err := js.CreateStream(e.ctx, jetstream.StreamConfig{Name: "NOTIFY", Subjects: []string{"cloudtrail.notify.>"}})
	if err != nil {
		t.Fatal(err)
	}
	flush(t, s) // retried, now acknowledged
	if st := s.Stats(); st.PendingNotify != 0 {
		t.Fatalf("stats after the retry = %+v", st)
	}
	msg, err := stream.GetMsg(e.ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		S3Bucket    string   `json:"s3Bucket"`
		S3ObjectKey []string `json:"s3ObjectKey"`
	}
	if err := json.Unmarshal(msg.Data, &m); err != nil {
		t.Fatal(err)
	}
	fs := e.files("logs")
	if msg.Subject != "cloudtrail.notify.audit" || m.S3Bucket != "logs" || len(m.S3ObjectKey) != 1 || m.S3ObjectKey[0] != fs[0].key {
		t.Errorf("published %s %s; delivered %s", msg.Subject, msg.Data, fs[0].key)
	}
}
