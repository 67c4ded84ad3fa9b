package history

import (
	"fmt"
	"hash/maphash"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
	"unsafe"

	"github.com/cairnhq/cairn"
)

func TestStore_Renumber(t *testing.T) {
	old := maxLogical
	maxLogical = 3*chunkSize + 100
	defer func() { maxLogical = old }()

	now := time.Unix(1e6, 0)
	clk := cairn.ClockFunc(func() time.Time { return now })
	retention := chunkSize * time.Second
	ix := New(Config{Clock: clk, Retention: retention})
	n := 10 * chunkSize
	for i := 1; i <= n; i++ {
		now = now.Add(time.Second)
		ix.Add(cairn.LoggedEvent{
			Seq: uint64(i), TimeNanos: now.UnixNano(), Account: "a", Region: "r",
			Lookup: cairn.LookupFields{
				EventID: fmt.Sprintf("id-%d", i), EventName: fmt.Sprint("n", i%7),
				Category: cairn.EventCategoryManagement,
			},
		})
		if i%1024 == 0 {
			ix.Prune()
		}
	}
	p := ix.partition(partKey{account: "a", region: "r"}, false)
	if p.next >= maxLogical || p.next < uint32(ix.Len()) || ix.Len() != int(retention/time.Second)+1 {
		t.Fatalf("next = %d with %d live", p.next, ix.Len())
	}
	if len(p.chunks) > 3 {
		t.Fatalf("%d chunks hold %d live entries: expired chunks were not dropped", len(p.chunks), ix.Len())
	}
	var got []uint64
	q := Query{Account: "a", Region: "r", Attributes: []Attribute{{KeyEventName, "n3"}}}
	for {
		pg, err := ix.Lookup(q)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range pg.Events {
			got = append(got, e.Seq)
		}
		if q.NextToken = pg.NextToken; q.NextToken == "" {
			break
		}
	}
	var want []uint64
	oldest := n - int(retention/time.Second)
	for i := n; i >= oldest; i-- {
		if i%7 == 3 {
			want = append(want, uint64(i))
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("got %d seqs, want %d", len(got), len(want))
	}
	for _, tt := range []struct {
		id   string
		want int
	}{{fmt.Sprint("id-", n-5), 1}, {fmt.Sprint("id-", oldest), 1}, {fmt.Sprint("id-", oldest-1), 0}, {"id-5", 0}} {
		pg, err := ix.Lookup(Query{Account: "a", Region: "r", Attributes: []Attribute{{KeyEventID, tt.id}}})
		if err != nil || len(pg.Events) != tt.want {
			t.Fatalf("EventId %s: %+v, %v; want %d events", tt.id, pg, err, tt.want)
		}
	}
}

// TestIDTable checks insert, find and backward-shift removal against a map.
func TestIDTable(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	s := newStore(maphash.MakeSeed())
	model := map[string][]uint32{}
	live := map[uint32]string{}
	// Entries only need ids here; add them through add() to set up chunks.
	for i := 0; i < 20000; i++ {
		id := fmt.Sprintf("%08x-0000-4000-8000-%012x", rng.IntN(5000), 0)
		if rng.IntN(3) == 0 {
			id = fmt.Sprint("odd-", rng.IntN(3000))
		}
		li := s.next
		s.add(uint64(i+1), int64(i), &cairn.LookupFields{EventID: id})
		model[id] = append(model[id], li)
		live[li] = id
		if rng.IntN(3) == 0 { // remove a random live entry
			for k, v := range live {
				s.ids.remove(&s, k)
				model[v] = slices.DeleteFunc(model[v], func(x uint32) bool { return x == k })
				delete(live, k)
				break
			}
		}
	}
	if s.ids.n != len(live) {
		t.Fatalf("n = %d, want %d", s.ids.n, len(live))
	}
	for id, want := range model {
		got := s.ids.find(&s, id, nil)
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Fatalf("find(%q) = %v, want %v", id, got, want)
		}
	}
}

func TestUUID(t *testing.T) {
	for _, s := range []string{"3f1c2a9e-5d7b-4c1e-9a2f-0b8e6d4c3a21", "00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff"} {
		u, ok := parseUUID(s)
		if !ok || formatUUID(u) != s {
			t.Errorf("round trip of %q: %v %q", s, ok, formatUUID(u))
		}
	}
	for _, s := range []string{"", "3F1C2A9E-5D7B-4C1E-9A2F-0B8E6D4C3A21", "3f1c2a9e5d7b4c1e9a2f0b8e6d4c3a21", "3f1c2a9e-5d7b-4c1e-9a2f-0b8e6d4c3a2g", "{3f1c2a9e-5d7b-4c1e-9a2f-0b8e6d4c3a2}", "3f1c2a9e-5d7b-4c1e-9a2f+0b8e6d4c3a21"} {
		if _, ok := parseUUID(s); ok {
			t.Errorf("parseUUID(%q) accepted", s)
		}
	}
}

func TestEntrySize(t *testing.T) {
	if n := unsafeSizeofEntry(); n != 64 {
		t.Errorf("sizeof(entry) = %d, want 64", n)
	}
}

func unsafeSizeofEntry() uintptr { return unsafe.Sizeof(entry{}) }
