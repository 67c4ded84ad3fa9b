package objstoretest

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cairnhq/cairn"
)

// Harness adapts an implementation to the suite.
type Harness struct {
	// NewStore returns a store for one subtest. Stores may share a backend:
	// every subtest uses buckets of its own.
	NewStore func(t testing.TB) cairn.ObjectStore
	// CreateBucket creates bucket in the backend of store, as an operator would.
	CreateBucket func(t testing.TB, store cairn.ObjectStore, bucket string)
}

var bucketSeq atomic.Int64

// bucketName returns a bucket name valid on S3, unique in this process.
func bucketName() string {
	return fmt.Sprintf("cairn-test-%d-%d", os.Getpid()%100000, bucketSeq.Add(1))
}

// setup returns a store and a fresh bucket in it.
func (h Harness) setup(t *testing.T) (cairn.ObjectStore, string) {
	t.Helper()
	st := h.NewStore(t)
	b := bucketName()
	h.CreateBucket(t, st, b)
	return st, b
}

// Run runs the conformance suite; subtests run in parallel.
func Run(t *testing.T, h Harness) {
	tests := []struct {
		name string
		fn   func(*testing.T, Harness)
	}{
		{"RoundTrip", testRoundTrip},
		{"NoOptions", testNoOptions},
		{"Replace", testReplace},
		{"Large", testLarge},
		{"Bodies", testBodies},
		{"ShortBody", testShortBody},
		{"ListOrder", testListOrder},
		{"ListPaging", testListPaging},
		{"Delete", testDelete},
		{"MissingBucket", testMissingBucket},
		{"MissingKey", testMissingKey},
		{"CheckBucket", testCheckBucket},
		{"ConcurrentKeys", testConcurrentKeys},
		{"ConcurrentSameKey", testConcurrentSameKey},
		{"Canceled", testCanceled},
		{"CanceledDuringPut", testCanceledDuringPut},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, h)
		})
	}
}

func etagOf(b []byte) string {
	sum := md5.Sum(b)
	return `"` + hex.EncodeToString(sum[:]) + `"`
}

func put(t testing.TB, st cairn.ObjectStore, bucket, key string, body []byte, opts cairn.PutOptions) {
	t.Helper()
	if err := st.Put(context.Background(), bucket, key, bytes.NewReader(body), int64(len(body)), opts); err != nil {
		t.Fatalf("Put(%s, %q) = %v", bucket, key, err)
	}
}

func get(t testing.TB, st cairn.ObjectStore, bucket, key string) ([]byte, cairn.ObjectInfo) {
	t.Helper()
	rc, info, err := st.Get(context.Background(), bucket, key)
	if err != nil {
		t.Fatalf("Get(%s, %q) = %v", bucket, key, err)
	}
	defer rc.Close()
	var buf bytes.Buffer
	buf.Grow(int(max(info.Size, 0)) + 1)
	_, err = buf.ReadFrom(rc)
	b := buf.Bytes()
	if err != nil {
		t.Fatalf("Get(%s, %q): read: %v", bucket, key, err)
	}
	return b, info
}

func gzipped(t testing.TB, s string) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write([]byte(s))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func checkInfo(t testing.TB, what string, got cairn.ObjectInfo, key string, body []byte, opts cairn.PutOptions) {
	t.Helper()
	if got.Key != key || got.Size != int64(len(body)) || got.ETag != etagOf(body) {
		t.Errorf("%s: key %q size %d etag %s, want %q %d %s", what, got.Key, got.Size, got.ETag, key, len(body), etagOf(body))
	}
	if opts.ContentType != "" && got.ContentType != opts.ContentType {
		t.Errorf("%s: content type %q, want %q", what, got.ContentType, opts.ContentType)
	}
	if got.ContentEncoding != opts.ContentEncoding {
		t.Errorf("%s: content encoding %q, want %q", what, got.ContentEncoding, opts.ContentEncoding)
	}
	if len(got.Metadata) != len(opts.Metadata) || (len(opts.Metadata) > 0 && !maps.Equal(got.Metadata, opts.Metadata)) {
		t.Errorf("%s: metadata %v, want %v", what, got.Metadata, opts.Metadata)
	}
	if d := time.Since(got.LastModified); d < -time.Minute || d > time.Minute {
		t.Errorf("%s: last modified %v, want about now", what, got.LastModified)
	}
}

func testRoundTrip(t *testing.T, h Harness) {
	st, b := h.setup(t)
	// A CloudTrail digest file: gzip content stored as is, with its signature.
	body := gzipped(t, `{"awsAccountId":"123456789012","logFiles":[]}`)
	key := "AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2024/01/02/123456789012_CloudTrail-Digest_us-east-1_t_us-east-1_20240102T030405Z.json.gz"
	opts := cairn.PutOptions{
		ContentType:     "application/json",
		ContentEncoding: "gzip",
		Metadata:        map[string]string{"signature": "0a1b2c", "signature-algorithm": "SHA256withRSA"},
	}
	put(t, st, b, key, body, opts)
	got, info := get(t, st, b, key)
	if !bytes.Equal(got, body) {
		t.Fatalf("Get body = %q, want the %d gzip bytes put (no transparent decompression)", got, len(body))
	}
	checkInfo(t, "Get", info, key, body, opts)
	hinfo, err := st.Head(context.Background(), b, key)
	if err != nil {
		t.Fatalf("Head = %v", err)
	}
	checkInfo(t, "Head", hinfo, key, body, opts)
	objs, err := st.List(context.Background(), b, "", "", 0)
	if err != nil || len(objs) != 1 {
		t.Fatalf("List = %v, %v; want one object", objs, err)
	}
	if o := objs[0]; o.Key != key || o.Size != int64(len(body)) || o.ETag != etagOf(body) || o.LastModified.IsZero() {
		t.Errorf("List = %+v, want key, size, etag %s and time", o, etagOf(body))
	}
}

func testNoOptions(t *testing.T, h Harness) {
	st, b := h.setup(t)
	put(t, st, b, "empty", nil, cairn.PutOptions{})
	put(t, st, b, "plain", []byte("plain"), cairn.PutOptions{})
	got, info := get(t, st, b, "empty")
	if len(got) != 0 {
		t.Errorf("Get(empty) = %q", got)
	}
	checkInfo(t, "Get(empty)", info, "empty", nil, cairn.PutOptions{})
	hinfo, err := st.Head(context.Background(), b, "plain")
	if err != nil {
		t.Fatalf("Head = %v", err)
	}
	checkInfo(t, "Head(plain)", hinfo, "plain", []byte("plain"), cairn.PutOptions{})
}

func testReplace(t *testing.T, h Harness) {
	st, b := h.setup(t)
	put(t, st, b, "k", []byte("version one, longer"), cairn.PutOptions{
		ContentType: "text/plain", ContentEncoding: "identity", Metadata: map[string]string{"a": "1", "b": "2"},
	})
	v2 := cairn.PutOptions{ContentType: "application/json", Metadata: map[string]string{"b": "3"}}
	put(t, st, b, "k", []byte("v2"), v2)
	got, info := get(t, st, b, "k")
	if string(got) != "v2" {
		t.Fatalf("Get = %q, want v2", got)
	}
	checkInfo(t, "Get", info, "k", got, v2)
	objs, err := st.List(context.Background(), b, "", "", 0)
	if err != nil || len(objs) != 1 || objs[0].Size != 2 {
		t.Fatalf("List = %+v, %v; want one object of 2 bytes", objs, err)
	}
}

func testLarge(t *testing.T, h Harness) {
	st, b := h.setup(t)
	body := largeBody(8<<20 + 123)
	// From a file, as delivery puts its spooled batches.
	path := filepath.Join(t.TempDir(), "large")
	if err := os.WriteFile(path, body, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	opts := cairn.PutOptions{ContentType: "application/octet-stream"}
	if err := st.Put(context.Background(), b, "large/file", f, int64(len(body)), opts); err != nil {
		t.Fatalf("Put = %v", err)
	}
	got, info := get(t, st, b, "large/file")
	if !bytes.Equal(got, body) {
		t.Fatalf("Get returned %d bytes differing from the %d put", len(got), len(body))
	}
	checkInfo(t, "Get", info, "large/file", body, opts)
	// From a reader that cannot seek.
	if err := st.Put(context.Background(), b, "large/stream", onlyReader{bytes.NewReader(body)}, int64(len(body)), opts); err != nil {
		t.Fatalf("Put(stream) = %v", err)
	}
	got, info = get(t, st, b, "large/stream")
	if !bytes.Equal(got, body) {
		t.Fatalf("Get(stream) returned %d bytes differing from the %d put", len(got), len(body))
	}
	checkInfo(t, "Get(stream)", info, "large/stream", body, opts)
}

// largeBody returns n bytes: a random 64 KiB block repeated, each copy
// starting with its index, so lost, repeated or reordered chunks show.
func largeBody(n int) []byte {
	block := make([]byte, 64<<10)
	rand.NewChaCha8([32]byte{1}).Read(block)
	body := make([]byte, n)
	for off, i := 0, uint64(0); off < n; off, i = off+len(block), i+1 {
		binary.BigEndian.PutUint64(block, i)
		copy(body[off:], block)
	}
	return body
}

// onlyReader hides every method of a reader but Read.
type onlyReader struct{ r io.Reader }

func (r onlyReader) Read(p []byte) (int, error) { return r.r.Read(p) }

func testBodies(t *testing.T, h Harness) {
	st, b := h.setup(t)
	ctx := context.Background()
	tests := []struct {
		name string
		body func() io.Reader
		size int64
		want string
	}{
		{"SizeLimitsBytesReader", func() io.Reader { return strings.NewReader("hello world") }, 5, "hello"},
		{"SizeLimitsStream", func() io.Reader { return onlyReader{strings.NewReader("hello world")} }, 5, "hello"},
		{"FromCurrentOffset", func() io.Reader {
			r := bytes.NewReader([]byte("skip:data"))
			r.Seek(5, io.SeekStart)
			return r
		}, 4, "data"},
		{"UnknownSize", func() io.Reader { return bytes.NewReader([]byte("all of it")) }, -1, "all of it"},
		{"UnknownSizeStream", func() io.Reader { return onlyReader{strings.NewReader("streamed")} }, -1, "streamed"},
	}
	for i, tt := range tests {
		key := "bodies/" + strconv.Itoa(i)
		if err := st.Put(ctx, b, key, tt.body(), tt.size, cairn.PutOptions{}); err != nil {
			t.Errorf("%s: Put = %v", tt.name, err)
			continue
		}
		if got, info := get(t, st, b, key); string(got) != tt.want || info.Size != int64(len(tt.want)) {
			t.Errorf("%s: Get = %q (size %d), want %q", tt.name, got, info.Size, tt.want)
		}
	}
}

func testShortBody(t *testing.T, h Harness) {
	st, b := h.setup(t)
	ctx := context.Background()
	for _, body := range []io.Reader{strings.NewReader("short"), onlyReader{strings.NewReader("short")}} {
		err := st.Put(ctx, b, "short", body, 100, cairn.PutOptions{})
		if err == nil {
			t.Errorf("Put(%T with 5 of 100 bytes) = nil, want an error", body)
		}
		if _, err := st.Head(ctx, b, "short"); !errors.Is(err, cairn.ErrNoSuchKey) {
			t.Errorf("Head after a failed Put = %v, want ErrNoSuchKey", err)
		}
	}
}

// orderKeys are keys whose S3 order (bytes) differs from a directory walk's:
// '-' < '.' < '/' < '0' < 'A' < '_' < 'a' < '~' < UTF-8. No key is a "directory"
// of another, which a file system cannot store.
var orderKeys = []string{
	"AWSLogs/123456789012/CloudTrail/us-east-1/2024/01/02/x.json.gz",
	"AWSLogs/123456789012/CloudTrail/us-east-1/2024/01/10/x.json.gz",
	"AWSLogs/123456789012/CloudTrail/us-east-1/2024/1/x.json.gz",
	"AWSLogs/123456789012/CloudTrail/us-east-10/x",
	"AWSLogs/123456789012/CloudTrail/us-east-1-x",
	"AWSLogs/123456789012/CloudTrail-Digest/us-east-1/d.json.gz",
	"AWSLogs/123456789012/CloudTrail-Insight/z",
	"AWSLogs/123456789012/CloudTrail.txt",
	"AWSLogs/123456789012/CloudTrail0",
	"AWSLogs/123456789012/CloudTrailX",
	"AWSLogs/1234567890120/y",
	"AWSLogs-old/1",
	"AWSLogs.txt",
	"AWSLogs0",
	"a",
	"a-",
	"a!x",
	"a.b/c",
	"b/c/d/e/f",
	"b/c-d",
	"b/c.d",
	"b/c0",
	"b/cc",
	"b0",
	"0",
	"9/9",
	"Z",
	"_",
	"~",
	"é/1",
	"日本",
}

func sortedKeys(keys []string) []string {
	s := slices.Clone(keys)
	slices.Sort(s) // byte-wise, as S3
	return s
}

func putKeys(t *testing.T, st cairn.ObjectStore, b string, keys []string) {
	t.Helper()
	var wg sync.WaitGroup
	for _, k := range keys {
		wg.Go(func() { put(t, st, b, k, []byte(k), cairn.PutOptions{}) })
	}
	wg.Wait()
}

func listKeys(t testing.TB, st cairn.ObjectStore, b, prefix, startAfter string, max int) []string {
	t.Helper()
	objs, err := st.List(context.Background(), b, prefix, startAfter, max)
	if err != nil {
		t.Fatalf("List(%q, %q, %d) = %v", prefix, startAfter, max, err)
	}
	keys := []string{}
	for _, o := range objs {
		keys = append(keys, o.Key)
		if o.Size != int64(len(o.Key)) {
			t.Errorf("List: %q has size %d, want %d", o.Key, o.Size, len(o.Key))
		}
	}
	return keys
}

func testListOrder(t *testing.T, h Harness) {
	st, b := h.setup(t)
	putKeys(t, st, b, orderKeys)
	want := sortedKeys(orderKeys)
	if got := listKeys(t, st, b, "", "", 0); !slices.Equal(got, want) {
		t.Fatalf("List order:\n got %q\nwant %q", got, want)
	}
}

func testListPaging(t *testing.T, h Harness) {
	st, b := h.setup(t)
	putKeys(t, st, b, orderKeys)
	all := sortedKeys(orderKeys)
	model := func(prefix, startAfter string, max int) []string {
		if max <= 0 {
			max = 1000
		}
		out := []string{}
		for _, k := range all {
			if strings.HasPrefix(k, prefix) && k > startAfter && len(out) < max {
				out = append(out, k)
			}
		}
		return out
	}
	prefixes := []string{"", "AWSLogs/123456789012/CloudTrail", "AWSLogs/123456789012/CloudTrail/",
		"AWSLogs", "b/c", "nomatch/", "é"}
	afters := []string{"", "AWSLogs/123456789012/CloudTrail-E", "AWSLogs/123456789012/CloudTrail/",
		"AWSLogs/123456789012/CloudTrail/us-east-1/2024/01/02/x.json.gz", "AWSLogs0", "b/c/", "b/c/d/e/f", "\xff"}
	for _, p := range prefixes {
		for _, a := range afters {
			for _, max := range []int{0, 2} {
				if got, want := listKeys(t, st, b, p, a, max), model(p, a, max); !slices.Equal(got, want) {
					t.Errorf("List(%q, %q, %d):\n got %q\nwant %q", p, a, max, got, want)
				}
			}
		}
	}
	// Paging by startAfter = last key of the previous page.
	for _, p := range []string{"", "AWSLogs/"} {
		var got []string
		after := ""
		for {
			page := listKeys(t, st, b, p, after, 2)
			if len(page) == 0 {
				break
			}
			got = append(got, page...)
			after = page[len(page)-1]
		}
		if want := model(p, "", 0); !slices.Equal(got, want) {
			t.Errorf("paging %q by 2:\n got %q\nwant %q", p, got, want)
		}
	}
}

func testDelete(t *testing.T, h Harness) {
	st, b := h.setup(t)
	ctx := context.Background()
	putKeys(t, st, b, []string{"d/1", "d/2", "d/sub/3"})
	for _, k := range []string{"d/1", "d/sub/3"} {
		if err := st.Delete(ctx, b, k); err != nil {
			t.Fatalf("Delete(%q) = %v", k, err)
		}
		if _, err := st.Head(ctx, b, k); !errors.Is(err, cairn.ErrNoSuchKey) {
			t.Errorf("Head(%q) after Delete = %v, want ErrNoSuchKey", k, err)
		}
		if _, _, err := st.Get(ctx, b, k); !errors.Is(err, cairn.ErrNoSuchKey) {
			t.Errorf("Get(%q) after Delete = %v, want ErrNoSuchKey", k, err)
		}
	}
	for _, k := range []string{"d/1", "never", "d/sub/never/deeper"} {
		if err := st.Delete(ctx, b, k); err != nil {
			t.Errorf("Delete(missing %q) = %v, want nil", k, err)
		}
	}
	if got := listKeys(t, st, b, "", "", 0); !slices.Equal(got, []string{"d/2"}) {
		t.Errorf("List after Delete = %q, want [d/2]", got)
	}
	// A deleted key can be written again.
	put(t, st, b, "d/1", []byte("again"), cairn.PutOptions{})
	if got, _ := get(t, st, b, "d/1"); string(got) != "again" {
		t.Errorf("Get after re-Put = %q", got)
	}
}

func isNoSuchBucket(err error) bool {
	var se *cairn.StoreError
	return errors.Is(err, cairn.ErrNoSuchBucket) && errors.As(err, &se) && se.Code == "NoSuchBucket"
}

func testMissingBucket(t *testing.T, h Harness) {
	st := h.NewStore(t)
	ctx := context.Background()
	b := bucketName() // never created
	if err := st.Put(ctx, b, "k", strings.NewReader("x"), 1, cairn.PutOptions{}); !isNoSuchBucket(err) {
		t.Errorf("Put = %v, want ErrNoSuchBucket and StoreError code NoSuchBucket", err)
	}
	if _, _, err := st.Get(ctx, b, "k"); !isNoSuchBucket(err) {
		t.Errorf("Get = %v, want ErrNoSuchBucket", err)
	}
	if _, err := st.Head(ctx, b, "k"); !isNoSuchBucket(err) {
		t.Errorf("Head = %v, want ErrNoSuchBucket", err)
	}
	if _, err := st.List(ctx, b, "", "", 0); !isNoSuchBucket(err) {
		t.Errorf("List = %v, want ErrNoSuchBucket", err)
	}
	if err := st.Delete(ctx, b, "k"); !isNoSuchBucket(err) {
		t.Errorf("Delete = %v, want ErrNoSuchBucket", err)
	}
	if err := st.CheckBucket(ctx, b, "AWSLogs/123456789012/", "arn:aws:cloudtrail:us-east-1:123456789012:trail/t"); !isNoSuchBucket(err) {
		t.Errorf("CheckBucket = %v, want ErrNoSuchBucket", err)
	}
}

func testMissingKey(t *testing.T, h Harness) {
	st, b := h.setup(t)
	ctx := context.Background()
	put(t, st, b, "dir/present", []byte("x"), cairn.PutOptions{})
	for _, k := range []string{"absent", "dir/absent", "dir/present/below", "dir"} {
		if _, _, err := st.Get(ctx, b, k); !errors.Is(err, cairn.ErrNoSuchKey) || errors.Is(err, cairn.ErrNoSuchBucket) {
			t.Errorf("Get(%q) = %v, want ErrNoSuchKey", k, err)
		}
		if _, err := st.Head(ctx, b, k); !errors.Is(err, cairn.ErrNoSuchKey) || errors.Is(err, cairn.ErrNoSuchBucket) {
			t.Errorf("Head(%q) = %v, want ErrNoSuchKey", k, err)
		}
	}
}

func testCheckBucket(t *testing.T, h Harness) {
	st, b := h.setup(t)
	if err := st.CheckBucket(context.Background(), b, "AWSLogs/123456789012/", "arn:aws:cloudtrail:us-east-1:123456789012:trail/t"); err != nil {
		t.Fatalf("CheckBucket(new bucket) = %v", err)
	}
	if err := st.CheckBucket(context.Background(), b, "prefix/AWSLogs/123456789012/", ""); err != nil {
		t.Fatalf("CheckBucket(prefix, no trail) = %v", err)
	}
}

func testConcurrentKeys(t *testing.T, h Harness) {
	st, b := h.setup(t)
	var keys []string
	for i := range 32 {
		keys = append(keys, fmt.Sprintf("c/%02d/obj", i%7)+strconv.Itoa(i))
	}
	putKeys(t, st, b, keys)
	if got, want := listKeys(t, st, b, "c/", "", 0), sortedKeys(keys); !slices.Equal(got, want) {
		t.Fatalf("List = %q, want %q", got, want)
	}
	for _, k := range keys {
		if got, _ := get(t, st, b, k); string(got) != k {
			t.Errorf("Get(%q) = %q", k, got)
		}
	}
}

// testConcurrentSameKey races writers of one key with readers: every read sees
// one writer's content whole, with that writer's metadata.
func testConcurrentSameKey(t *testing.T, h Harness) {
	st, b := h.setup(t)
	const writers, rounds = 6, 4
	content := func(w int) []byte {
		return bytes.Repeat([]byte{byte('a' + w)}, 64<<10+w*4099)
	}
	check := func(body []byte, info cairn.ObjectInfo) {
		w := int(body[0] - 'a')
		if w < 0 || w >= writers || !bytes.Equal(body, content(w)) {
			t.Errorf("torn object: %d bytes starting %q", len(body), body[:min(len(body), 8)])
			return
		}
		if info.Metadata["writer"] != strconv.Itoa(w) || info.Size != int64(len(body)) {
			t.Errorf("content of writer %d with metadata %v, size %d", w, info.Metadata, info.Size)
		}
	}
	key := "same/key"
	put(t, st, b, key, content(0), cairn.PutOptions{Metadata: map[string]string{"writer": "0"}})
	ctx := context.Background()
	var done atomic.Bool
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for range rounds {
				body := content(w)
				if err := st.Put(ctx, b, key, bytes.NewReader(body), int64(len(body)), cairn.PutOptions{Metadata: map[string]string{"writer": strconv.Itoa(w)}}); err != nil {
					t.Errorf("Put(writer %d) = %v", w, err)
				}
			}
		})
	}
	var readers sync.WaitGroup
	for range 3 {
		readers.Go(func() {
			for !done.Load() {
				rc, info, err := st.Get(ctx, b, key)
				if err != nil {
					t.Errorf("Get during writes = %v", err)
					return
				}
				body, err := io.ReadAll(rc)
				rc.Close()
				if err != nil {
					t.Errorf("read during writes: %v", err)
					return
				}
				check(body, info)
			}
		})
	}
	wg.Wait()
	done.Store(true)
	readers.Wait()
	body, info := get(t, st, b, key)
	check(body, info)
	// Sequential writes: the last one wins.
	put(t, st, b, key, content(2), cairn.PutOptions{Metadata: map[string]string{"writer": "2"}})
	put(t, st, b, key, content(1), cairn.PutOptions{Metadata: map[string]string{"writer": "1"}})
	if body, info := get(t, st, b, key); !bytes.Equal(body, content(1)) {
		t.Errorf("after sequential puts got writer %q's content, want 1", info.Metadata["writer"])
	}
}

func testCanceled(t *testing.T, h Harness) {
	st, b := h.setup(t)
	put(t, st, b, "k", []byte("x"), cairn.PutOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	check := func(op string, err error) {
		t.Helper()
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a canceled context = %v, want context.Canceled", op, err)
		}
	}
	check("Put", st.Put(ctx, b, "k2", strings.NewReader("x"), 1, cairn.PutOptions{}))
	_, _, err := st.Get(ctx, b, "k")
	check("Get", err)
	_, err = st.Head(ctx, b, "k")
	check("Head", err)
	_, err = st.List(ctx, b, "", "", 0)
	check("List", err)
	check("Delete", st.Delete(ctx, b, "k"))
	check("CheckBucket", st.CheckBucket(ctx, b, "AWSLogs/1/", ""))
	if got, _ := get(t, st, b, "k"); string(got) != "x" {
		t.Errorf("object changed by canceled calls: %q", got)
	}
	if _, err := st.Head(context.Background(), b, "k2"); !errors.Is(err, cairn.ErrNoSuchKey) {
		t.Errorf("Head(k2) after a canceled Put = %v, want ErrNoSuchKey", err)
	}
}

// slowReader yields 4 KiB every 5 ms.
type slowReader struct{ left int }

func (r *slowReader) Read(p []byte) (int, error) {
	if r.left == 0 {
		return 0, io.EOF
	}
	time.Sleep(5 * time.Millisecond)
	n := min(len(p), 4096, r.left)
	clear(p[:n])
	r.left -= n
	return n, nil
}

func testCanceledDuringPut(t *testing.T, h Harness) {
	st, b := h.setup(t)
	const size = 4 << 20 // 5 s at the reader's pace
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	err := st.Put(ctx, b, "slow", &slowReader{left: size}, size, cairn.PutOptions{})
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Put took %v after its context was canceled at 100ms", d)
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("canceled Put = %v, want context.Canceled", err)
	}
	if _, err := st.Head(context.Background(), b, "slow"); !errors.Is(err, cairn.ErrNoSuchKey) {
		t.Errorf("Head after a canceled Put = %v, want ErrNoSuchKey", err)
	}
}
