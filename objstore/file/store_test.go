package file_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/cairnhq/cairn"
	"github.com/cairnhq/cairn/objstore/file"
	"github.com/cairnhq/cairn/objstore/objstoretest"
)

func TestStore_Conformance(t *testing.T) {
	objstoretest.Run(t, objstoretest.Harness{
		NewStore: func(t testing.TB) cairn.ObjectStore { return mustNew(t) },
		CreateBucket: func(t testing.TB, st cairn.ObjectStore, bucket string) {
			if err := os.Mkdir(filepath.Join(st.(*file.Store).Root(), bucket), 0o755); err != nil {
				t.Fatal(err)
			}
		},
	})
}

func mustNew(t testing.TB) *file.Store {
	t.Helper()
	st, err := file.New(filepath.Join(t.TempDir(), "buckets"))
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// mustBucket returns a store with an empty bucket "b" and the bucket's directory.
func mustBucket(t testing.TB) (*file.Store, string) {
	t.Helper()
	st := mustNew(t)
	dir := filepath.Join(st.Root(), "b")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return st, dir
}

func put(t testing.TB, st *file.Store, key, body string, opts cairn.PutOptions) {
	t.Helper()
	if err := st.Put(context.Background(), "b", key, strings.NewReader(body), int64(len(body)), opts); err != nil {
		t.Fatalf("Put(%q) = %v", key, err)
	}
}

func TestStore_Layout(t *testing.T) {
	t.Parallel()
	st, dir := mustBucket(t)
	key := "AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2024/01/02/d.json.gz"
	put(t, st, key, "digest", cairn.PutOptions{
		ContentType:     "application/json",
		ContentEncoding: "gzip",
		Metadata:        map[string]string{"Signature": "00ff", "signature-algorithm": "SHA256withRSA"},
	})
	if b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(key))); err != nil || string(b) != "digest" {
		t.Fatalf("object file = %q, %v", b, err)
	}
	// The sidecar is the documented JSON at .cairn/meta/<key>.json.
	b, err := os.ReadFile(filepath.Join(dir, ".cairn", "meta", filepath.FromSlash(key)+".json"))
	if err != nil {
		t.Fatalf("sidecar: %v", err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("sidecar %s: %v", b, err)
	}
	want := map[string]any{
		"version":         1.0,
		"size":            6.0,
		"etag":            `"` + "c10f77963a2b21079156a0e5c5a4bb3c" + `"`,
		"contentType":     "application/json",
		"contentEncoding": "gzip",
		"metadata":        map[string]any{"signature": "00ff", "signature-algorithm": "SHA256withRSA"},
	}
	gotJS, _ := json.Marshal(got)
	wantJS, _ := json.Marshal(want)
	if string(gotJS) != string(wantJS) {
		t.Errorf("sidecar =\n%s\nwant\n%s", gotJS, wantJS)
	}
	// No temp files are left behind.
	if ents, err := os.ReadDir(filepath.Join(dir, ".cairn", "tmp")); err != nil || len(ents) != 0 {
		t.Errorf("tmp dir: %v, %v", ents, err)
	}
	// Delete removes the sidecar too.
	if err := st.Delete(context.Background(), "b", key); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, ".cairn", "meta", filepath.FromSlash(key)+".json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("sidecar after Delete: %v", err)
	}
}

func TestStore_ForeignFiles(t *testing.T) {
	t.Parallel()
	st, dir := mustBucket(t)
	ctx := context.Background()
	put(t, st, "ours", "cairn", cairn.PutOptions{ContentType: "text/plain"})
	// A file copied in by another tool, and one replaced behind Cairn's back.
	os.MkdirAll(filepath.Join(dir, "x"), 0o755)
	os.WriteFile(filepath.Join(dir, "x", "theirs"), []byte("foreign"), 0o644)
	os.WriteFile(filepath.Join(dir, "ours"), []byte("overwritten"), 0o644)
	os.Symlink("ours", filepath.Join(dir, "link"))

	info, err := st.Head(ctx, "b", "x/theirs")
	if err != nil || info.Size != 7 || info.ETag != "" || info.Metadata != nil {
		t.Errorf("Head(foreign) = %+v, %v; want size 7 and no ETag or metadata", info, err)
	}
	info, err = st.Head(ctx, "b", "ours")
	if err != nil || info.Size != 11 || info.ETag != "" || info.ContentType != "" {
		t.Errorf("Head(stale sidecar) = %+v, %v; want the sidecar ignored", info, err)
	}
	objs, err := st.List(ctx, "b", "", "", 0)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, o := range objs {
		keys = append(keys, o.Key)
	}
	if !slices.Equal(keys, []string{"ours", "x/theirs"}) {
		t.Errorf("List = %q, want [ours x/theirs] (no .cairn, no symlink)", keys)
	}
}

func TestStore_InvalidKeys(t *testing.T) {
	t.Parallel()
	st, _ := mustBucket(t)
	ctx := context.Background()
	for _, key := range []string{"", "/abs", "a//b", "a/", "./a", "a/./b", "../escape", "a/../../escape", "a\x00b",
		".cairn", ".cairn/meta/x.json", strings.Repeat("k", 1025)} {
		err := st.Put(ctx, "b", key, strings.NewReader("x"), 1, cairn.PutOptions{})
		var se *cairn.StoreError
		if !errors.As(err, &se) || se.Code != "InvalidArgument" {
			t.Errorf("Put(%q) = %v, want StoreError InvalidArgument", key, err)
		}
		if _, _, err := st.Get(ctx, "b", key); err == nil {
			t.Errorf("Get(%q) = nil error", key)
		}
	}
	// Allowed: dots inside elements, a .cairn element below the top.
	for _, key := range []string{"a..b", ".hidden", "a/.cairn", "a/..b/c", strings.Repeat("k", 200)} {
		put(t, st, key, "ok", cairn.PutOptions{})
	}
	// Prefixes naming no valid directory list nothing and never escape the bucket.
	for _, prefix := range []string{"../", "a/../", ".cairn/", "/", "a//"} {
		if objs, err := st.List(ctx, "b", prefix, "", 0); err != nil || len(objs) != 0 {
			t.Errorf("List(%q) = %v, %v; want nothing", prefix, objs, err)
		}
	}
}

func TestStore_KeyConflicts(t *testing.T) {
	t.Parallel()
	st, _ := mustBucket(t)
	ctx := context.Background()
	put(t, st, "a/b", "file", cairn.PutOptions{})
	if err := st.Put(ctx, "b", "a/b/c", strings.NewReader("x"), 1, cairn.PutOptions{}); err == nil {
		t.Error("Put below an object = nil error")
	}
	if err := st.Put(ctx, "b", "a", strings.NewReader("x"), 1, cairn.PutOptions{}); err == nil {
		t.Error("Put over a directory of keys = nil error")
	}
	if err := st.Delete(ctx, "b", "a"); err != nil {
		t.Errorf("Delete of a directory of keys = %v, want nil (no such object)", err)
	}
	rc, _, err := st.Get(ctx, "b", "a/b")
	if err != nil {
		t.Fatalf("Get(a/b) = %v", err)
	}
	rc.Close()
}

func TestStore_Buckets(t *testing.T) {
	t.Parallel()
	st := mustNew(t)
	ctx := context.Background()
	os.WriteFile(filepath.Join(st.Root(), "plainfile"), nil, 0o644)
	if err := st.CheckBucket(ctx, "plainfile", "", ""); !errors.Is(err, cairn.ErrNoSuchBucket) {
		t.Errorf("CheckBucket(file) = %v, want ErrNoSuchBucket", err)
	}
	for _, b := range []string{"", ".", "..", "a/b", `a\b`} {
		if err := st.CheckBucket(ctx, b, "", ""); err == nil || errors.Is(err, cairn.ErrNoSuchBucket) {
			t.Errorf("CheckBucket(%q) = %v, want an invalid name error", b, err)
		}
	}
	if _, err := file.New(filepath.Join(st.Root(), "plainfile")); err == nil {
		t.Error("New(file) = nil error")
	}
}
