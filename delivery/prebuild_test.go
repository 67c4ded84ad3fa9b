package delivery_test

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/cairnhq/cairn/delivery"
	"github.com/cairnhq/cairn/service/cloudtrail"
)

// TestScheduler_PrebuiltFilesEqualBuilt delivers the same events twice: once with
// the open window's files written as its events arrive (over several prebuild
// steps), once built from the log when the window closes. The objects must be the
// same, byte for byte: a job retried after a crash (which loses the prebuild)
// rewrites the same keys with the same content.
func TestScheduler_PrebuiltFilesEqualBuilt(t *testing.T) {
	var first, second []ev
	for i := range 3000 {
		x := ev{region: []string{east, west, "eu-west-1"}[i%3], name: []string{"GetTrail", "CreateTrail", "ListTrails"}[i%3],
			readOnly: i%3 != 1, at: time.Duration(i) * time.Millisecond, id: fmt.Sprintf("00000000-0000-4000-8000-%012d", i)}
		if i < 1800 {
			first = append(first, x)
		} else {
			second = append(second, x)
		}
	}
	deliver := func(prebuild bool) (map[string][]byte, delivery.Stats) {
		e := newEnv(t)
		e.bucket("all")
		e.bucket("east")
		e.trail(east, "all", "all", cloudtrail.CreateTrailParams{IsMultiRegionTrail: ptr(true)})
		e.trail(east, "east", "east", cloudtrail.CreateTrailParams{S3KeyPrefix: ptr("p")})
		s := e.open(delivery.Config{MaxFileBytes: 60_000})
		delivery.SetPrebuild(s, prebuild)
		e.appendEvents(first...)
		if prebuild {
			// Let a prebuild step (every second) write the first events.
			deadline := time.Now().Add(30 * time.Second)
			for s.Stats().Built < uint64(len(first)) {
				if time.Now().After(deadline) {
					t.Fatalf("prebuild did not reach the first %d events: %+v", len(first), s.Stats())
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
		e.appendEvents(second...)
		e.clock.set(t0.Add(time.Hour))
		flush(t, s)
		objs := map[string][]byte{}
		for _, b := range []string{"all", "east"} {
			infos, err := e.store.List(e.ctx, b, "", "", 1000)
			if err != nil {
				t.Fatal(err)
			}
			for _, oi := range infos {
				rc, _, err := e.store.Get(e.ctx, b, oi.Key)
				if err != nil {
					t.Fatal(err)
				}
				body, err := io.ReadAll(rc)
				rc.Close()
				if err != nil {
					t.Fatal(err)
				}
				objs[b+"/"+oi.Key] = body
			}
		}
		return objs, s.Stats()
	}
	pre, preStats := deliver(true)
	built, builtStats := deliver(false)
	if preStats.PrebuiltFiles == 0 || preStats.PrebuiltFiles != preStats.Files {
		t.Errorf("with prebuild: %d of %d files prebuilt, want all", preStats.PrebuiltFiles, preStats.Files)
	}
	if builtStats.PrebuiltFiles != 0 {
		t.Errorf("without prebuild: %d files prebuilt", builtStats.PrebuiltFiles)
	}
	if preStats.Records != 3000+1000 || builtStats.Records != preStats.Records {
		t.Errorf("records delivered: %d with prebuild, %d without; want 4000", preStats.Records, builtStats.Records)
	}
	if len(pre) != len(built) || len(pre) < 8 {
		t.Fatalf("%d objects with prebuild, %d without (want the same, several parts per region)", len(pre), len(built))
	}
	for k, b := range built {
		if !bytes.Equal(pre[k], b) {
			t.Errorf("%s differs (%d bytes prebuilt, %d built)", k, len(pre[k]), len(b))
		}
	}
}

// TestScheduler_PrebuildDroppedWhenTrailChanges changes a trail after the open
// window's files were written: the window's job, planned with the new
// configuration, is built from the log, with every event and the new key prefix.
func TestScheduler_PrebuildDroppedWhenTrailChanges(t *testing.T) {
	e := newEnv(t)
	e.bucket("logs")
	e.trail(east, "trl", "logs", cloudtrail.CreateTrailParams{S3KeyPrefix: ptr("old")})
	s := e.open(delivery.Config{})
	ids := e.appendEvents(ev{}, ev{name: "GetTrail", readOnly: true}, ev{name: "ListTrails", readOnly: true})
	deadline := time.Now().Add(30 * time.Second)
	for s.Stats().Built < uint64(len(ids)) {
		if time.Now().After(deadline) {
			t.Fatalf("prebuild did not reach the events: %+v", s.Stats())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := e.trails.Update(e.ctx, acct, east, "trl", cloudtrail.UpdateTrailParams{S3KeyPrefix: ptr("new")}); err != nil {
		t.Fatal(err)
	}
	ids = append(ids, e.appendEvents(ev{name: "GetTrailStatus", readOnly: true})...)
	flush(t, s)
	files := e.files("logs")
	if got, want := eventIDs(files), sorted(ids); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("delivered %v, want %v", got, want)
	}
	for _, f := range files {
		if !strings.HasPrefix(f.key, "new/AWSLogs/") {
			t.Errorf("key %s: want the new prefix", f.key)
		}
	}
	if n := s.Stats().PrebuiltFiles; n != 0 {
		t.Errorf("%d prebuilt files used for a trail that changed", n)
	}
}

// TestScheduler_PrebuildStepStopsAtBoundary slows the writing of the open window's
// files to a crawl (a tiny CPU share) and closes the window while a step is
// writing: the step stops at the boundary, so the window is planned at once
// instead of after the step, which at this share would take minutes.
func TestScheduler_PrebuildStepStopsAtBoundary(t *testing.T) {
	e := newEnv(t)
	e.bucket("logs")
	e.trail(east, "trl", "logs", cloudtrail.CreateTrailParams{IsMultiRegionTrail: ptr(true)})
	s := e.open(delivery.Config{CPUShare: 0.0005})
	batch := make([]ev, 1000)
	for i := range batch {
		batch[i] = ev{region: []string{east, west}[i%2], at: time.Duration(i) * time.Millisecond}
	}
	for range 20 {
		e.appendEvents(batch...)
	}
	last, err := e.log.LastSeq(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for s.Stats().Built == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no prebuild step began: %+v", s.Stats())
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(time.Second)
	if st := s.Stats(); st.Built >= last/2 {
		t.Fatalf("the step wrote %d of %d events in a second (%+v): the test did not slow it", st.Built, last, st)
	}
	e.clock.set(t0.Add(time.Hour)) // the window closes
	closed := time.Now()
	for s.Stats().Cursor < last {
		if time.Since(closed) > 10*time.Second {
			t.Fatalf("window not planned 10 s after it closed: %+v, log at %d", s.Stats(), last)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
