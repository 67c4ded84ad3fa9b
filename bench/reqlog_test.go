package main

import (
	"errors"
	"fmt"
	"testing"
)

func TestReqLog_IDs(t *testing.T) {
	var r reqLog
	var want []string
	// Enough ids to fill several chunks, so that ids meet chunk boundaries.
	for i := range 3 * reqLogChunk / 36 {
		id := fmt.Sprintf("%08d-0000-4000-8000-%012d", i, i)
		want = append(want, id)
		r.add(&Response{RequestID: id}, nil)
		if i%1000 == 0 {
			r.add(nil, errors.New("refused"))
			r.add(&Response{}, nil) // no request id
		}
	}
	if len(r.chunks) < 3 {
		t.Fatalf("%d chunks, want at least 3", len(r.chunks))
	}
	got := r.ids()
	if len(got) != len(want) {
		t.Fatalf("%d ids, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("id %d is %q, want %q", i, got[i], want[i])
		}
	}
	if n, wantN := r.unanswered.Load(), int64(2*(len(want)+999)/1000); n != wantN {
		t.Errorf("%d unanswered, want %d", n, wantN)
	}
	if again := r.ids(); len(again) != 0 {
		t.Errorf("ids after ids: %d, want none", len(again))
	}
}
