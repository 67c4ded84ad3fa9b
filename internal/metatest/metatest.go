// Package metatest is the conformance suite of cairn.MetaStore: every implementation
// runs RunMetaStore from its own tests. It imports only the root package and the
// standard library.
package metatest

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/cairnhq/cairn"
)

// RunMetaStore checks the cairn.MetaStore contract against stores made by newStore.
// newStore is called once per subtest; the store it returns may be shared with other
// subtests (each subtest uses its own bucket names), but must start without the
// buckets they use.
func RunMetaStore(t *testing.T, newStore func(t *testing.T) cairn.MetaStore) {
	t.Helper()
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, s cairn.MetaStore, b string)
	}{
		{"CreateGet", testCreateGet},
		{"CreateExists", testCreateExists},
		{"GetNotFound", testGetNotFound},
		{"Update", testUpdate},
		{"UpdateStale", testUpdateStale},
		{"UpdateNotFound", testUpdateNotFound},
		{"UpdateRace", testUpdateRace},
		{"CreateRace", testCreateRace},
		{"Delete", testDelete},
		{"DeleteRevision", testDeleteRevision},
		{"DeleteNotFound", testDeleteNotFound},
		{"CreateAfterDelete", testCreateAfterDelete},
		{"List", testList},
		{"ListEmpty", testListEmpty},
		{"ListMany", testListMany},
		{"ListRevisions", testListRevisions},
		{"BucketsIsolated", testBucketsIsolated},
		{"ValuesAreCopies", testValuesAreCopies},
		{"KeyCharacters", testKeyCharacters},
		{"EmptyValue", testEmptyValue},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			tc.fn(t, s, "mt-"+tc.name)
		})
	}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func mustCreate(t *testing.T, s cairn.MetaStore, b, k, v string) uint64 {
	t.Helper()
	rev, err := s.Create(ctx(t), b, k, []byte(v))
	if err != nil {
		t.Fatalf("Create(%s, %s): %v", b, k, err)
	}
	if rev == 0 {
		t.Fatalf("Create(%s, %s): revision 0", b, k)
	}
	return rev
}

func mustGet(t *testing.T, s cairn.MetaStore, b, k string) cairn.MetaEntry {
	t.Helper()
	e, err := s.Get(ctx(t), b, k)
	if err != nil {
		t.Fatalf("Get(%s, %s): %v", b, k, err)
	}
	return e
}

func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s: err = %v, want %v", what, err, want)
	}
}

func testCreateGet(t *testing.T, s cairn.MetaStore, b string) {
	rev := mustCreate(t, s, b, "trails/a", `{"n":1}`)
	e := mustGet(t, s, b, "trails/a")
	if e.Key != "trails/a" || string(e.Value) != `{"n":1}` || e.Revision != rev {
		t.Fatalf("Get = %+v (value %q), want key trails/a, value {\"n\":1}, revision %d", e, e.Value, rev)
	}
}

func testCreateExists(t *testing.T, s cairn.MetaStore, b string) {
	mustCreate(t, s, b, "k", "one")
	_, err := s.Create(ctx(t), b, "k", []byte("two"))
	wantErr(t, "Create existing", err, cairn.ErrExists)
	if e := mustGet(t, s, b, "k"); string(e.Value) != "one" {
		t.Fatalf("value after failed Create = %q, want one", e.Value)
	}
}

func testGetNotFound(t *testing.T, s cairn.MetaStore, b string) {
	_, err := s.Get(ctx(t), b, "missing")
	wantErr(t, "Get missing (new bucket)", err, cairn.ErrNotFound)
	mustCreate(t, s, b, "present", "x")
	_, err = s.Get(ctx(t), b, "missing")
	wantErr(t, "Get missing", err, cairn.ErrNotFound)
	_, err = s.Get(ctx(t), b, "presen")
	wantErr(t, "Get prefix of a key", err, cairn.ErrNotFound)
}

func testUpdate(t *testing.T, s cairn.MetaStore, b string) {
	r1 := mustCreate(t, s, b, "k", "v1")
	r2, err := s.Update(ctx(t), b, "k", []byte("v2"), r1)
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	if r2 <= r1 {
		t.Fatalf("Update revision %d, want > %d", r2, r1)
	}
	e := mustGet(t, s, b, "k")
	if string(e.Value) != "v2" || e.Revision != r2 {
		t.Fatalf("Get after Update = %q rev %d, want v2 rev %d", e.Value, e.Revision, r2)
	}
	r3, err := s.Update(ctx(t), b, "k", []byte("v3"), r2)
	if err != nil || r3 <= r2 {
		t.Fatalf("second Update = %d, %v", r3, err)
	}
}

func testUpdateStale(t *testing.T, s cairn.MetaStore, b string) {
	r1 := mustCreate(t, s, b, "k", "v1")
	r2, err := s.Update(ctx(t), b, "k", []byte("v2"), r1)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Update(ctx(t), b, "k", []byte("stale"), r1)
	wantErr(t, "Update with stale revision", err, cairn.ErrRevisionMismatch)
	_, err = s.Update(ctx(t), b, "k", []byte("zero"), 0)
	wantErr(t, "Update with revision 0", err, cairn.ErrRevisionMismatch)
	_, err = s.Update(ctx(t), b, "k", []byte("future"), r2+1000)
	wantErr(t, "Update with future revision", err, cairn.ErrRevisionMismatch)
	if e := mustGet(t, s, b, "k"); string(e.Value) != "v2" || e.Revision != r2 {
		t.Fatalf("after stale updates: %q rev %d, want v2 rev %d", e.Value, e.Revision, r2)
	}
}

func testUpdateNotFound(t *testing.T, s cairn.MetaStore, b string) {
	_, err := s.Update(ctx(t), b, "missing", []byte("v"), 1)
	wantErr(t, "Update missing", err, cairn.ErrNotFound)
	_, err = s.Update(ctx(t), b, "missing", []byte("v"), 0)
	wantErr(t, "Update missing with rev 0", err, cairn.ErrNotFound)
	rev := mustCreate(t, s, b, "gone", "v")
	if err := s.Delete(ctx(t), b, "gone", rev); err != nil {
		t.Fatal(err)
	}
	_, err = s.Update(ctx(t), b, "gone", []byte("v2"), rev)
	wantErr(t, "Update deleted key", err, cairn.ErrNotFound)
	_, err = s.Get(ctx(t), b, "gone")
	wantErr(t, "Get after failed Update of deleted key", err, cairn.ErrNotFound)
}

// testUpdateRace: N writers update from the same revision; exactly one wins.
func testUpdateRace(t *testing.T, s cairn.MetaStore, b string) {
	const n = 16
	rev := mustCreate(t, s, b, "k", "start")
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		wins     []int
		winRev   uint64
		otherErr []error
	)
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			r, err := s.Update(ctx(t), b, "k", fmt.Appendf(nil, "w%d", i), rev)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				wins = append(wins, i)
				winRev = r
			case errors.Is(err, cairn.ErrRevisionMismatch):
			default:
				otherErr = append(otherErr, err)
			}
		}()
	}
	close(start)
	wg.Wait()
	if len(otherErr) > 0 {
		t.Fatalf("unexpected errors: %v", otherErr)
	}
	if len(wins) != 1 {
		t.Fatalf("%d updates won (%v), want exactly 1", len(wins), wins)
	}
	e := mustGet(t, s, b, "k")
	if want := fmt.Sprintf("w%d", wins[0]); string(e.Value) != want || e.Revision != winRev {
		t.Fatalf("value %q rev %d, want %q rev %d", e.Value, e.Revision, want, winRev)
	}
}

// testCreateRace: N writers create the same key; exactly one succeeds.
func testCreateRace(t *testing.T, s cairn.MetaStore, b string) {
	const n = 16
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		wins   int
		others []error
	)
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := s.Create(ctx(t), b, "k", fmt.Appendf(nil, "c%d", i))
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				wins++
			case errors.Is(err, cairn.ErrExists):
			default:
				others = append(others, err)
			}
		}()
	}
	close(start)
	wg.Wait()
	if len(others) > 0 || wins != 1 {
		t.Fatalf("%d creates won, other errors %v; want exactly 1 winner", wins, others)
	}
}

func testDelete(t *testing.T, s cairn.MetaStore, b string) {
	mustCreate(t, s, b, "k", "v")
	mustCreate(t, s, b, "k2", "v")
	if err := s.Delete(ctx(t), b, "k", 0); err != nil {
		t.Fatalf("Delete rev 0: %v", err)
	}
	_, err := s.Get(ctx(t), b, "k")
	wantErr(t, "Get deleted", err, cairn.ErrNotFound)
	if e := mustGet(t, s, b, "k2"); string(e.Value) != "v" {
		t.Fatalf("other key changed: %q", e.Value)
	}
}

func testDeleteRevision(t *testing.T, s cairn.MetaStore, b string) {
	r1 := mustCreate(t, s, b, "k", "v1")
	r2, err := s.Update(ctx(t), b, "k", []byte("v2"), r1)
	if err != nil {
		t.Fatal(err)
	}
	err = s.Delete(ctx(t), b, "k", r1)
	wantErr(t, "Delete with stale revision", err, cairn.ErrRevisionMismatch)
	if e := mustGet(t, s, b, "k"); string(e.Value) != "v2" {
		t.Fatalf("value after failed Delete = %q", e.Value)
	}
	if err := s.Delete(ctx(t), b, "k", r2); err != nil {
		t.Fatalf("Delete with current revision: %v", err)
	}
	_, err = s.Get(ctx(t), b, "k")
	wantErr(t, "Get deleted", err, cairn.ErrNotFound)
}

func testDeleteNotFound(t *testing.T, s cairn.MetaStore, b string) {
	wantErr(t, "Delete missing", s.Delete(ctx(t), b, "missing", 0), cairn.ErrNotFound)
	wantErr(t, "Delete missing with rev", s.Delete(ctx(t), b, "missing", 7), cairn.ErrNotFound)
	rev := mustCreate(t, s, b, "k", "v")
	if err := s.Delete(ctx(t), b, "k", rev); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "Delete twice", s.Delete(ctx(t), b, "k", 0), cairn.ErrNotFound)
	wantErr(t, "Delete twice with rev", s.Delete(ctx(t), b, "k", rev), cairn.ErrNotFound)
}

func testCreateAfterDelete(t *testing.T, s cairn.MetaStore, b string) {
	r1 := mustCreate(t, s, b, "k", "v1")
	if err := s.Delete(ctx(t), b, "k", r1); err != nil {
		t.Fatal(err)
	}
	r2 := mustCreate(t, s, b, "k", "v2")
	if r2 == r1 {
		t.Fatalf("re-created key reuses revision %d", r1)
	}
	if e := mustGet(t, s, b, "k"); string(e.Value) != "v2" || e.Revision != r2 {
		t.Fatalf("Get = %q rev %d, want v2 rev %d", e.Value, e.Revision, r2)
	}
	_, err := s.Update(ctx(t), b, "k", []byte("x"), r1)
	wantErr(t, "Update with revision from before the delete", err, cairn.ErrRevisionMismatch)
}

func keys(es []cairn.MetaEntry) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Key
	}
	return out
}

func sameKeys(t *testing.T, what string, got []cairn.MetaEntry, want ...string) {
	t.Helper()
	g := keys(got)
	if want == nil {
		want = []string{}
	}
	if fmt.Sprint(g) != fmt.Sprint(want) || len(g) != len(want) {
		t.Fatalf("%s: keys %q, want %q", what, g, want)
	}
}

func testList(t *testing.T, s cairn.MetaStore, b string) {
	revs := map[string]uint64{}
	for _, k := range []string{
		"trails/222/b", "trails/111/z", "trails/111/a", "trails/1110/x", "trails/111",
		"stores/111/a", "trailsx", "t", "trails/111/a/deep", "trails/111/a.b",
	} {
		revs[k] = mustCreate(t, s, b, k, "v:"+k)
	}
	// A deleted key is not listed.
	gone := mustCreate(t, s, b, "trails/111/gone", "x")
	if err := s.Delete(ctx(t), b, "trails/111/gone", gone); err != nil {
		t.Fatal(err)
	}
	// An updated key is listed once, with its latest value.
	r, err := s.Update(ctx(t), b, "trails/111/z", []byte("v:updated"), revs["trails/111/z"])
	if err != nil {
		t.Fatal(err)
	}
	revs["trails/111/z"] = r

	for _, tc := range []struct {
		prefix string
		want   []string
	}{
		{"trails/111/", []string{"trails/111/a", "trails/111/a.b", "trails/111/a/deep", "trails/111/z"}},
		{"trails/111", []string{"trails/111", "trails/111/a", "trails/111/a.b", "trails/111/a/deep", "trails/111/z", "trails/1110/x"}},
		{"trails/", []string{"trails/111", "trails/111/a", "trails/111/a.b", "trails/111/a/deep", "trails/111/z", "trails/1110/x", "trails/222/b"}},
		{"trails/111/a", []string{"trails/111/a", "trails/111/a.b", "trails/111/a/deep"}},
		{"trails/111/a.", []string{"trails/111/a.b"}},
		{"trail", []string{"trails/111", "trails/111/a", "trails/111/a.b", "trails/111/a/deep", "trails/111/z", "trails/1110/x", "trails/222/b", "trailsx"}},
		{"s", []string{"stores/111/a"}},
		{"nothing/", nil},
		{"trails/333/", nil},
		{"", []string{"stores/111/a", "t", "trails/111", "trails/111/a", "trails/111/a.b", "trails/111/a/deep", "trails/111/z", "trails/1110/x", "trails/222/b", "trailsx"}},
	} {
		got, err := s.List(ctx(t), b, tc.prefix)
		if err != nil {
			t.Fatalf("List(%q): %v", tc.prefix, err)
		}
		sameKeys(t, fmt.Sprintf("List(%q)", tc.prefix), got, tc.want...)
		for _, e := range got {
			want := "v:" + e.Key
			if e.Key == "trails/111/z" {
				want = "v:updated"
			}
			if string(e.Value) != want || e.Revision != revs[e.Key] {
				t.Fatalf("List(%q) entry %s = %q rev %d, want %q rev %d", tc.prefix, e.Key, e.Value, e.Revision, want, revs[e.Key])
			}
		}
	}
}

// testListRevisions: ListRevisions lists what List lists (keys, revisions) without
// values, and follows updates and deletes.
func testListRevisions(t *testing.T, s cairn.MetaStore, b string) {
	for _, k := range []string{"acct.1/a", "acct.1/b", "acct.1/c", "acct.2/a", "other"} {
		mustCreate(t, s, b, k, "v:"+k)
	}
	b1 := mustGet(t, s, b, "acct.1/b")
	if _, err := s.Update(ctx(t), b, "acct.1/b", []byte("v:new"), b1.Revision); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx(t), b, "acct.1/c", 0); err != nil {
		t.Fatal(err)
	}
	for _, prefix := range []string{"acct.1/", "acct.", "", "nothing"} {
		full, err := s.List(ctx(t), b, prefix)
		if err != nil {
			t.Fatal(err)
		}
		revs, err := s.ListRevisions(ctx(t), b, prefix)
		if err != nil {
			t.Fatalf("ListRevisions(%q): %v", prefix, err)
		}
		if len(revs) != len(full) {
			t.Fatalf("ListRevisions(%q) = %v, List = %v", prefix, keys(revs), keys(full))
		}
		for i, e := range revs {
			if e.Key != full[i].Key || e.Revision != full[i].Revision || e.Value != nil {
				t.Fatalf("ListRevisions(%q)[%d] = %s rev %d value %q, List has %s rev %d", prefix, i, e.Key, e.Revision, e.Value, full[i].Key, full[i].Revision)
			}
		}
	}
	revs, err := s.ListRevisions(ctx(t), b, "acct.1/")
	if err != nil {
		t.Fatal(err)
	}
	sameKeys(t, "ListRevisions(acct.1/)", revs, "acct.1/a", "acct.1/b")
	if revs[1].Revision == b1.Revision {
		t.Fatalf("ListRevisions: acct.1/b still at revision %d after its update", b1.Revision)
	}
}

func testListEmpty(t *testing.T, s cairn.MetaStore, b string) {
	got, err := s.List(ctx(t), b, "")
	if err != nil {
		t.Fatalf("List on a new bucket: %v", err)
	}
	if len(got) != 0 {
		t.Fatalf("List on a new bucket = %v", keys(got))
	}
}

func testListMany(t *testing.T, s cairn.MetaStore, b string) {
	const n = 2000
	var want []string
	for i := range n {
		k := fmt.Sprintf("acct/%03d/item-%d", i%7, i)
		mustCreate(t, s, b, k, k)
		if i%7 == 3 {
			want = append(want, k)
		}
	}
	sort.Strings(want)
	start := time.Now()
	got, err := s.List(ctx(t), b, "acct/003/")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("List of %d of %d keys: %v", len(got), n, time.Since(start))
	sameKeys(t, "List(acct/003/)", got, want...)
	start = time.Now()
	all, err := s.List(ctx(t), b, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("List of all %d keys: %v", len(all), time.Since(start))
	if len(all) != n {
		t.Fatalf("List all = %d keys, want %d", len(all), n)
	}
	if !sort.SliceIsSorted(all, func(i, j int) bool { return all[i].Key < all[j].Key }) {
		t.Fatal("List result not sorted by key")
	}
}

func testBucketsIsolated(t *testing.T, s cairn.MetaStore, b string) {
	b2 := b + ".other_bucket"
	mustCreate(t, s, b, "k", "one")
	_, err := s.Get(ctx(t), b2, "k")
	wantErr(t, "Get in another bucket", err, cairn.ErrNotFound)
	mustCreate(t, s, b2, "k", "two")
	if e := mustGet(t, s, b, "k"); string(e.Value) != "one" {
		t.Fatalf("bucket %s: %q", b, e.Value)
	}
	if e := mustGet(t, s, b2, "k"); string(e.Value) != "two" {
		t.Fatalf("bucket %s: %q", b2, e.Value)
	}
	l, err := s.List(ctx(t), b2, "")
	if err != nil {
		t.Fatal(err)
	}
	sameKeys(t, "List other bucket", l, "k")
}

func testValuesAreCopies(t *testing.T, s cairn.MetaStore, b string) {
	in := []byte("original")
	rev, err := s.Create(ctx(t), b, "k", in)
	if err != nil {
		t.Fatal(err)
	}
	copy(in, "XXXXXXXX")
	e := mustGet(t, s, b, "k")
	if string(e.Value) != "original" {
		t.Fatalf("store kept the caller's Create slice: %q", e.Value)
	}
	copy(e.Value, "YYYYYYYY")
	if e2 := mustGet(t, s, b, "k"); string(e2.Value) != "original" {
		t.Fatalf("Get returned the stored slice: %q", e2.Value)
	}
	l, err := s.List(ctx(t), b, "")
	if err != nil || len(l) != 1 {
		t.Fatalf("List = %v, %v", l, err)
	}
	copy(l[0].Value, "ZZZZZZZZ")
	if e3 := mustGet(t, s, b, "k"); string(e3.Value) != "original" {
		t.Fatalf("List returned the stored slice: %q", e3.Value)
	}
	up := []byte("updated!")
	if _, err := s.Update(ctx(t), b, "k", up, rev); err != nil {
		t.Fatal(err)
	}
	copy(up, "WWWWWWWW")
	if e4 := mustGet(t, s, b, "k"); string(e4.Value) != "updated!" {
		t.Fatalf("store kept the caller's Update slice: %q", e4.Value)
	}
}

// testKeyCharacters: every character of the documented key alphabet round-trips,
// including dots and slashes in awkward places.
func testKeyCharacters(t *testing.T, s cairn.MetaStore, b string) {
	ks := []string{
		"a.b", ".lead", "trail.", "a..b", "/lead", "trail/", "a//b", "=", "x=41", "x=3D",
		"A-Z_0-9", "arn=aws=x/y.z", "-", "/", ".", "a/./b",
	}
	for _, k := range ks {
		mustCreate(t, s, b, k, "v"+k)
	}
	for _, k := range ks {
		if e := mustGet(t, s, b, k); e.Key != k || string(e.Value) != "v"+k {
			t.Fatalf("Get(%q) = key %q value %q", k, e.Key, e.Value)
		}
	}
	all, err := s.List(ctx(t), b, "")
	if err != nil {
		t.Fatal(err)
	}
	want := append([]string(nil), ks...)
	sort.Strings(want)
	sameKeys(t, "List all", all, want...)
	l, err := s.List(ctx(t), b, "a/")
	if err != nil {
		t.Fatal(err)
	}
	sameKeys(t, "List(a/)", l, "a/./b", "a//b")
}

func testEmptyValue(t *testing.T, s cairn.MetaStore, b string) {
	mustCreate(t, s, b, "k", "")
	e := mustGet(t, s, b, "k")
	if len(e.Value) != 0 {
		t.Fatalf("empty value read back as %q", e.Value)
	}
}
