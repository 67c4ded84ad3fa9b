package history_test

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cairnhq/cairn"
	"github.com/cairnhq/cairn/history"
)

// TestIndex_Concurrent runs a follower, pruning and paging readers at once (meant for
// -race): every walk must be strictly newest first and contain no duplicate.
func TestIndex_Concurrent(t *testing.T) {
	t.Parallel()
	clk := &testClock{t: t0}
	ix := history.New(history.Config{Clock: clk, Retention: time.Hour})
	var done atomic.Bool
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // the follower
		defer wg.Done()
		defer done.Store(true)
		now := t0
		for i := uint64(1); i <= 20000; i++ {
			now = now.Add(time.Second)
			clk.Set(now)
			ix.Add(mgmt(i, now.Add(-time.Duration(i%5)*time.Second), cairn.LookupFields{EventName: []string{"A", "B"}[i%2]}))
			if i%2000 == 0 {
				ix.Prune()
			}
		}
	}()
	for r := 0; r < 4; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !done.Load() {
				q := history.Query{Account: acctA, Region: region, MaxResults: 50}
				if r%2 == 1 {
					q.Attributes = attr("EventName", "B")
				}
				seen := map[uint64]bool{}
				var last history.Entry
				for pages := 0; pages < 20; pages++ {
					p, err := ix.Lookup(q)
					if err != nil {
						t.Error(err)
						return
					}
					for _, e := range p.Events {
						if seen[e.Seq] {
							t.Errorf("seq %d twice", e.Seq)
							return
						}
						seen[e.Seq] = true
						if last.Seq != 0 && (e.Time.After(last.Time) || e.Time.Equal(last.Time) && e.Seq > last.Seq) {
							t.Errorf("seq %d at %v after seq %d at %v", e.Seq, e.Time, last.Seq, last.Time)
							return
						}
						last = e
					}
					if q.NextToken = p.NextToken; q.NextToken == "" {
						break
					}
				}
			}
		}()
	}
	wg.Wait()
}
