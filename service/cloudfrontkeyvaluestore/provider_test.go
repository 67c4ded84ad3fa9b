package cloudfrontkeyvaluestore_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cairnhq/cairn"
	api "github.com/cairnhq/cairn/api/cloudfrontkeyvaluestore"
	"github.com/cairnhq/cairn/awsproto"
	"github.com/cairnhq/cairn/capture"
	"github.com/cairnhq/cairn/internal/memstore"
	"github.com/cairnhq/cairn/kvs"
	"github.com/cairnhq/cairn/service/cloudfrontkeyvaluestore"
)

const acct = "111122223333"

var t0 = time.Date(2023, 11, 1, 23, 41, 28, 0, time.UTC)

type fixture struct {
	p   *cloudfrontkeyvaluestore.Provider
	m   *kvs.Manager
	arn string
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	m := &kvs.Manager{Meta: memstore.New(), Clock: cairn.ClockFunc(func() time.Time { return t0 })}
	s, err := m.Create(context.Background(), acct, kvs.CreateParams{Name: "store"})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{p: &cloudfrontkeyvaluestore.Provider{Stores: m}, m: m, arn: s.ARN}
}

// callCtx is the context of one request by account's root user.
func callCtx(account string) (context.Context, *awsproto.RequestContext) {
	rc := &awsproto.RequestContext{Principal: &cairn.Principal{AccountID: account, Type: "Root"}, Region: "us-east-1"}
	return awsproto.WithRequestContext(context.Background(), rc), rc
}

func s(v string) *string { return &v }

func code(err error) string {
	var e *awsproto.Error
	if errors.As(err, &e) {
		return e.Code
	}
	if err != nil {
		return "non-API error: " + err.Error()
	}
	return ""
}

func (f *fixture) etag(t testing.TB) string {
	t.Helper()
	ctx, _ := callCtx(acct)
	d, err := f.p.DescribeKeyValueStore(ctx, &api.DescribeKeyValueStoreRequest{KvsARN: &f.arn})
	if err != nil {
		t.Fatal(err)
	}
	return *d.ETag
}

func (f *fixture) put(t testing.TB, key, value string) *api.PutKeyResponse {
	t.Helper()
	ctx, _ := callCtx(acct)
	out, err := f.p.PutKey(ctx, &api.PutKeyRequest{KvsARN: &f.arn, Key: &key, Value: &value, IfMatch: s(f.etag(t))})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestDescribeKeyValueStore(t *testing.T) {
	f := newFixture(t)
	ctx, rc := callCtx(acct)
	d, err := f.p.DescribeKeyValueStore(ctx, &api.DescribeKeyValueStoreRequest{KvsARN: &f.arn})
	if err != nil {
		t.Fatal(err)
	}
	if *d.KvsARN != f.arn || *d.ItemCount != 0 || *d.TotalSizeInBytes != 0 || *d.Status != "READY" ||
		!d.Created.Equal(t0) || !d.LastModified.Equal(t0) || !strings.HasPrefix(*d.ETag, "KV") || len(*d.ETag) != 15 {
		t.Fatalf("describe: %+v", d)
	}
	if rc.Category != "Data" || rc.Management || !rc.ReadOnly {
		t.Fatalf("event: category %q management %v readOnly %v", rc.Category, rc.Management, rc.ReadOnly)
	}
	want := []cairn.Resource{{AccountID: acct, Type: "AWS::CloudFront::KeyValueStore", ARN: f.arn}}
	if !reflect.DeepEqual(rc.RecordResources, want) {
		t.Fatalf("resources %+v", rc.RecordResources)
	}
	// A bare store id is accepted too.
	id := f.arn[strings.LastIndexByte(f.arn, '/')+1:]
	if _, err := f.p.DescribeKeyValueStore(ctx, &api.DescribeKeyValueStoreRequest{KvsARN: &id}); err != nil {
		t.Fatalf("by id: %v", err)
	}
}

func TestErrors(t *testing.T) {
	f := newFixture(t)
	f.put(t, "present", "v")
	etag := f.etag(t)
	other := kvs.ARN("444455556666", f.arn[strings.LastIndexByte(f.arn, '/')+1:])
	unknown := kvs.ARN(acct, "00000000-0000-0000-0000-000000000000")
	big := strings.Repeat("v", 1024)
	for _, tc := range []struct {
		name string
		call func(ctx context.Context) error
		code string
	}{
		{"describe unknown store", func(ctx context.Context) error {
			_, err := f.p.DescribeKeyValueStore(ctx, &api.DescribeKeyValueStoreRequest{KvsARN: &unknown})
			return err
		}, "ResourceNotFoundException"},
		{"describe another account's store", func(ctx context.Context) error {
			_, err := f.p.DescribeKeyValueStore(ctx, &api.DescribeKeyValueStoreRequest{KvsARN: &other})
			return err
		}, "ResourceNotFoundException"},
		{"malformed ARN", func(ctx context.Context) error {
			_, err := f.p.DescribeKeyValueStore(ctx, &api.DescribeKeyValueStoreRequest{KvsARN: s("arn:aws:s3:::bucket")})
			return err
		}, "ValidationException"},
		{"get missing key", func(ctx context.Context) error {
			_, err := f.p.GetKey(ctx, &api.GetKeyRequest{KvsARN: &f.arn, Key: s("absent")})
			return err
		}, "ResourceNotFoundException"},
		{"get from another account's store", func(ctx context.Context) error {
			_, err := f.p.GetKey(ctx, &api.GetKeyRequest{KvsARN: &other, Key: s("present")})
			return err
		}, "ResourceNotFoundException"},
		{"put without If-Match", func(ctx context.Context) error {
			_, err := f.p.PutKey(ctx, &api.PutKeyRequest{KvsARN: &f.arn, Key: s("k"), Value: s("v")})
			return err
		}, "ValidationException"},
		{"put with stale If-Match", func(ctx context.Context) error {
			_, err := f.p.PutKey(ctx, &api.PutKeyRequest{KvsARN: &f.arn, Key: s("k"), Value: s("v"), IfMatch: s("KV3O6B1CX531EBP")})
			return err
		}, "ConflictException"},
		{"put key too long", func(ctx context.Context) error {
			_, err := f.p.PutKey(ctx, &api.PutKeyRequest{KvsARN: &f.arn, Key: s(strings.Repeat("k", 513)), Value: s("v"), IfMatch: &etag})
			return err
		}, "ValidationException"},
		{"put empty key", func(ctx context.Context) error {
			_, err := f.p.PutKey(ctx, &api.PutKeyRequest{KvsARN: &f.arn, Key: s(""), Value: s("v"), IfMatch: &etag})
			return err
		}, "ValidationException"},
		{"put value too long", func(ctx context.Context) error {
			_, err := f.p.PutKey(ctx, &api.PutKeyRequest{KvsARN: &f.arn, Key: s("k"), Value: s(big + "!"), IfMatch: &etag})
			return err
		}, "ValidationException"},
		{"put without value", func(ctx context.Context) error {
			_, err := f.p.PutKey(ctx, &api.PutKeyRequest{KvsARN: &f.arn, Key: s("k"), IfMatch: &etag})
			return err
		}, "ValidationException"},
		{"put into another account's store", func(ctx context.Context) error {
			_, err := f.p.PutKey(ctx, &api.PutKeyRequest{KvsARN: &other, Key: s("k"), Value: s("v"), IfMatch: &etag})
			return err
		}, "ResourceNotFoundException"},
		{"delete missing key", func(ctx context.Context) error {
			_, err := f.p.DeleteKey(ctx, &api.DeleteKeyRequest{KvsARN: &f.arn, Key: s("absent"), IfMatch: &etag})
			return err
		}, "ResourceNotFoundException"},
		{"delete without If-Match", func(ctx context.Context) error {
			_, err := f.p.DeleteKey(ctx, &api.DeleteKeyRequest{KvsARN: &f.arn, Key: s("present")})
			return err
		}, "ValidationException"},
		{"delete with stale If-Match", func(ctx context.Context) error {
			_, err := f.p.DeleteKey(ctx, &api.DeleteKeyRequest{KvsARN: &f.arn, Key: s("present"), IfMatch: s("KVSTALE")})
			return err
		}, "ConflictException"},
		{"update keys: 51 keys", func(ctx context.Context) error {
			in := &api.UpdateKeysRequest{KvsARN: &f.arn, IfMatch: &etag}
			for i := range 51 {
				in.Puts = append(in.Puts, api.PutKeyRequestListItem{Key: s(fmt.Sprint("k", i)), Value: s("v")})
			}
			_, err := f.p.UpdateKeys(ctx, in)
			return err
		}, "ValidationException"},
		{"update keys: nothing", func(ctx context.Context) error {
			_, err := f.p.UpdateKeys(ctx, &api.UpdateKeysRequest{KvsARN: &f.arn, IfMatch: &etag})
			return err
		}, "ValidationException"},
		{"update keys: same key twice", func(ctx context.Context) error {
			_, err := f.p.UpdateKeys(ctx, &api.UpdateKeysRequest{KvsARN: &f.arn, IfMatch: &etag,
				Puts: []api.PutKeyRequestListItem{{Key: s("a"), Value: s("1")}}, Deletes: []api.DeleteKeyRequestListItem{{Key: s("a")}}})
			return err
		}, "ValidationException"},
		{"update keys: put without value", func(ctx context.Context) error {
			_, err := f.p.UpdateKeys(ctx, &api.UpdateKeysRequest{KvsARN: &f.arn, IfMatch: &etag, Puts: []api.PutKeyRequestListItem{{Key: s("a")}}})
			return err
		}, "ValidationException"},
		{"update keys: stale If-Match", func(ctx context.Context) error {
			_, err := f.p.UpdateKeys(ctx, &api.UpdateKeysRequest{KvsARN: &f.arn, IfMatch: s("KVSTALE"), Deletes: []api.DeleteKeyRequestListItem{{Key: s("present")}}})
			return err
		}, "ConflictException"},
		{"list: MaxResults 51", func(ctx context.Context) error {
			n := int32(51)
			_, err := f.p.ListKeys(ctx, &api.ListKeysRequest{KvsARN: &f.arn, MaxResults: &n})
			return err
		}, "ValidationException"},
		{"list: bad token", func(ctx context.Context) error {
			_, err := f.p.ListKeys(ctx, &api.ListKeysRequest{KvsARN: &f.arn, NextToken: s("%%%")})
			return err
		}, "ValidationException"},
		{"no principal", func(context.Context) error {
			_, err := f.p.GetKey(context.Background(), &api.GetKeyRequest{KvsARN: &f.arn, Key: s("present")})
			return err
		}, "AccessDeniedException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, _ := callCtx(acct)
			if got := code(tc.call(ctx)); got != tc.code {
				t.Fatalf("error %q, want %s", got, tc.code)
			}
		})
	}
	// None of the failures changed the store.
	if got := f.etag(t); got != etag {
		t.Fatalf("ETag changed from %s to %s", etag, got)
	}
}

func TestStoreSizeQuota(t *testing.T) {
	f := newFixture(t)
	f.m.Limits.MaxStoreBytes = 2048
	f.put(t, "a", strings.Repeat("x", 1023)) // 1024 bytes
	f.put(t, "b", strings.Repeat("x", 1023)) // 2048 bytes: the limit
	ctx, _ := callCtx(acct)
	_, err := f.p.PutKey(ctx, &api.PutKeyRequest{KvsARN: &f.arn, Key: s("c"), Value: s(""), IfMatch: s(f.etag(t))})
	if code(err) != "ServiceQuotaExceededException" {
		t.Fatalf("over quota: %v", err)
	}
}

func TestWritesRotateETagAndReport(t *testing.T) {
	f := newFixture(t)
	ctx, rc := callCtx(acct)
	e0 := f.etag(t)
	p, err := f.p.PutKey(ctx, &api.PutKeyRequest{KvsARN: &f.arn, Key: s("key1"), Value: s("secret-1"), IfMatch: &e0})
	if err != nil {
		t.Fatal(err)
	}
	if *p.ETag == e0 || *p.ItemCount != 1 || *p.TotalSizeInBytes != 12 || *p.ETag != f.etag(t) {
		t.Fatalf("put: %+v", p)
	}
	if rc.ReadOnly || rc.Category != "Data" || rc.Management {
		t.Fatalf("put event: %+v", rc)
	}
	// Replacing a value changes the ETag and the size, not the count.
	p2 := f.put(t, "key1", "s")
	if *p2.ETag == *p.ETag || *p2.ItemCount != 1 || *p2.TotalSizeInBytes != 5 {
		t.Fatalf("replace: %+v", p2)
	}
	ctx, _ = callCtx(acct)
	g, err := f.p.GetKey(ctx, &api.GetKeyRequest{KvsARN: &f.arn, Key: s("key1")})
	if err != nil || *g.Key != "key1" || *g.Value != "s" || *g.ItemCount != 1 || *g.TotalSizeInBytes != 5 {
		t.Fatalf("get: %+v, %v", g, err)
	}
	ctx, _ = callCtx(acct)
	d, err := f.p.DeleteKey(ctx, &api.DeleteKeyRequest{KvsARN: &f.arn, Key: s("key1"), IfMatch: p2.ETag})
	if err != nil || *d.ETag == *p2.ETag || *d.ItemCount != 0 || *d.TotalSizeInBytes != 0 {
		t.Fatalf("delete: %+v, %v", d, err)
	}
}

// TestUpdateKeysRecord checks the CloudTrail record of UpdateKeys against AWS's example:
// requestParameters with keys only, responseElements {itemCount, totalSizeInBytes,
// eTag}, the store in resources, a data event.
func TestUpdateKeysRecord(t *testing.T) {
	f := newFixture(t)
	f.put(t, "key1", "secret-value-1")
	ctx, rc := callCtx(acct)
	etag := f.etag(t)
	in := &api.UpdateKeysRequest{KvsARN: &f.arn, IfMatch: &etag, Deletes: []api.DeleteKeyRequestListItem{{Key: s("key1")}}}
	rc.Input = in
	out, err := f.p.UpdateKeys(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	rc.Output = out
	rec := build(t, rc)
	seed := readSeed(t)
	seed.RequestParameters = json.RawMessage(strings.ReplaceAll(string(seed.RequestParameters), "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111", f.arn[strings.LastIndexByte(f.arn, '/')+1:]))
	seed.RequestParameters = json.RawMessage(strings.ReplaceAll(string(seed.RequestParameters), "KV3O6B1CX531EBP", etag))
	seed.ResponseElements = json.RawMessage(strings.ReplaceAll(string(seed.ResponseElements), "KVDC9VEVZ71ZGO", *out.ETag))
	seed.Resources[0].ARN = f.arn
	assertJSON(t, "requestParameters", rec.RequestParameters, seed.RequestParameters)
	assertJSON(t, "responseElements", rec.ResponseElements, seed.ResponseElements)
	if !reflect.DeepEqual(rec.Resources, seed.Resources) {
		t.Errorf("resources %+v, want %+v", rec.Resources, seed.Resources)
	}
	if rec.EventCategory != "Data" || *rec.ManagementEvent || *rec.ReadOnly {
		t.Errorf("category %s management %v readOnly %v", rec.EventCategory, *rec.ManagementEvent, *rec.ReadOnly)
	}

	// Puts: keys only — a value never reaches the record, not even hidden.
	ctx, rc = callCtx(acct)
	etag = *out.ETag
	in = &api.UpdateKeysRequest{KvsARN: &f.arn, IfMatch: &etag,
		Puts: []api.PutKeyRequestListItem{{Key: s("a"), Value: s("secret-a")}, {Key: s("b"), Value: s("secret-b")}}}
	rc.Input = in
	out, err = f.p.UpdateKeys(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	rc.Output = out
	rec = build(t, rc)
	assertJSON(t, "requestParameters", rec.RequestParameters, json.RawMessage(fmt.Sprintf(
		`{"kvsARN":%q,"ifMatch":%q,"puts":[{"key":"a"},{"key":"b"}]}`, f.arn, etag)))
	assertJSON(t, "responseElements", rec.ResponseElements, json.RawMessage(fmt.Sprintf(
		`{"itemCount":2,"totalSizeInBytes":18,"eTag":%q}`, *out.ETag)))
	if raw := string(rec.RequestParameters) + string(rec.ResponseElements); strings.Contains(raw, "secret") || strings.Contains(raw, "HIDDEN") {
		t.Errorf("record holds values: %s", raw)
	}
}

// TestFailedWritesRecordNoValues: a failed PutKey or UpdateKeys is recorded with keys
// only as well.
func TestFailedWritesRecordNoValues(t *testing.T) {
	f := newFixture(t)
	for _, call := range []func(ctx context.Context) (any, error){
		func(ctx context.Context) (any, error) {
			return f.p.PutKey(ctx, &api.PutKeyRequest{KvsARN: &f.arn, Key: s("k"), Value: s("secret"), IfMatch: s("KVSTALE")})
		},
		func(ctx context.Context) (any, error) {
			return f.p.UpdateKeys(ctx, &api.UpdateKeysRequest{KvsARN: &f.arn, IfMatch: s("KVSTALE"), Puts: []api.PutKeyRequestListItem{{Key: s("k"), Value: s("secret")}}})
		},
		func(ctx context.Context) (any, error) {
			return f.p.PutKey(ctx, &api.PutKeyRequest{KvsARN: s("arn:aws:s3:::nope"), Key: s("k"), Value: s("secret"), IfMatch: s("KVSTALE")})
		},
	} {
		ctx, rc := callCtx(acct)
		_, err := call(ctx)
		if err == nil {
			t.Fatal("call succeeded")
		}
		rc.Err = err
		rec := build(t, rc)
		if strings.Contains(string(rec.RequestParameters), "secret") || !strings.Contains(string(rec.RequestParameters), `"key":"k"`) {
			t.Errorf("requestParameters %s", rec.RequestParameters)
		}
		if rec.ResponseElements != nil {
			t.Errorf("responseElements %s", rec.ResponseElements)
		}
	}
}

func build(t *testing.T, rc *awsproto.RequestContext) *cairn.Record {
	t.Helper()
	rc.EventSource, rc.Operation = cloudfrontkeyvaluestore.EventSource, "UpdateKeys"
	ev, err := (&capture.Recorder{Clock: cairn.ClockFunc(func() time.Time { return t0 })}).Build(rc)
	if err != nil {
		t.Fatal(err)
	}
	return ev.Record
}

func readSeed(t *testing.T) *cairn.Record {
	t.Helper()
	b, err := os.ReadFile("../../../shared/reference/seed-examples/update-keys.json")
	if err != nil {
		t.Skipf("seed example not available: %v", err)
	}
	var r cairn.Record
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	return &r
}

func assertJSON(t *testing.T, what string, got, want json.RawMessage) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("%s: %v in %s", what, err, got)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("%s: want: %v", what, err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("%s:\n got %s\nwant %s", what, got, want)
	}
}

// TestUpdateKeysAtomic: an UpdateKeys whose second put breaks a limit changes nothing.
func TestUpdateKeysAtomic(t *testing.T) {
	f := newFixture(t)
	f.put(t, "keep", "1")
	for _, tc := range []struct {
		name   string
		second api.PutKeyRequestListItem
		limit  int64
		code   string
	}{
		{"value too long", api.PutKeyRequestListItem{Key: s("b"), Value: s(strings.Repeat("v", 1025))}, 0, "ValidationException"},
		{"key too long", api.PutKeyRequestListItem{Key: s(strings.Repeat("k", 513)), Value: s("v")}, 0, "ValidationException"},
		{"store size", api.PutKeyRequestListItem{Key: s("b"), Value: s(strings.Repeat("v", 1000))}, 1100, "ServiceQuotaExceededException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f.m.Limits.MaxStoreBytes = tc.limit
			before := f.etag(t)
			ctx, _ := callCtx(acct)
			_, err := f.p.UpdateKeys(ctx, &api.UpdateKeysRequest{KvsARN: &f.arn, IfMatch: &before,
				Puts:    []api.PutKeyRequestListItem{{Key: s("a"), Value: s(strings.Repeat("v", 100))}, tc.second},
				Deletes: []api.DeleteKeyRequestListItem{{Key: s("keep")}}})
			if code(err) != tc.code {
				t.Fatalf("error %v, want %s", err, tc.code)
			}
			ctx, _ = callCtx(acct)
			l, err := f.p.ListKeys(ctx, &api.ListKeysRequest{KvsARN: &f.arn})
			if err != nil || len(l.Items) != 1 || *l.Items[0].Key != "keep" || f.etag(t) != before {
				t.Fatalf("store changed: %+v, %v", l, err)
			}
		})
	}
}

func TestListKeysPagination(t *testing.T) {
	f := newFixture(t)
	f.m.PageBytes = 512 // many pages
	etag := f.etag(t)
	var want []string
	for b := range 5 {
		in := &api.UpdateKeysRequest{KvsARN: &f.arn, IfMatch: &etag}
		for i := range 50 {
			k := fmt.Sprintf("key-%03d", (i*7+b*50*3)%250)
			in.Puts = append(in.Puts, api.PutKeyRequestListItem{Key: &k, Value: s("value-" + k)})
		}
		ctx, _ := callCtx(acct)
		out, err := f.p.UpdateKeys(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		etag = *out.ETag
	}
	for i := range 250 {
		want = append(want, fmt.Sprintf("key-%03d", i))
	}
	for _, max := range []int32{0, 1, 7, 50} {
		var got []string
		var tok *string
		calls := 0
		for {
			ctx, _ := callCtx(acct)
			in := &api.ListKeysRequest{KvsARN: &f.arn, NextToken: tok}
			if max > 0 {
				in.MaxResults = &max
			}
			out, err := f.p.ListKeys(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			calls++
			limit := max
			if limit == 0 {
				limit = 10
			}
			if len(out.Items) > int(limit) {
				t.Fatalf("MaxResults %d: %d items", max, len(out.Items))
			}
			for _, it := range out.Items {
				if *it.Value != "value-"+*it.Key {
					t.Fatalf("value of %s: %s", *it.Key, *it.Value)
				}
				got = append(got, *it.Key)
			}
			if out.NextToken == nil {
				break
			}
			tok = out.NextToken
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("MaxResults %d: listed %d keys, want %d in order", max, len(got), len(want))
		}
		lim := int(max)
		if lim == 0 {
			lim = 10
		}
		if wantCalls := (250 + lim - 1) / lim; calls != wantCalls && calls != wantCalls+1 {
			t.Fatalf("MaxResults %d: %d calls", max, calls)
		}
	}
}

func TestAccountIsolation(t *testing.T) {
	f := newFixture(t)
	f.put(t, "k", "mine")
	const other = "444455556666"
	s2, err := f.m.Create(context.Background(), other, kvs.CreateParams{Name: "store"})
	if err != nil {
		t.Fatal(err)
	}
	// The other account's store with the same name has its own id and keys.
	ctx, _ := callCtx(other)
	if _, err := f.p.GetKey(ctx, &api.GetKeyRequest{KvsARN: &s2.ARN, Key: s("k")}); code(err) != "ResourceNotFoundException" {
		t.Fatalf("other account sees the key: %v", err)
	}
	// Its own id under the first account's ARN is not found either way round.
	mine := f.arn
	crossed := kvs.ARN(other, mine[strings.LastIndexByte(mine, '/')+1:])
	for _, tc := range []struct{ account, arn string }{{other, mine}, {other, crossed}, {acct, s2.ARN}} {
		ctx, _ := callCtx(tc.account)
		_, err := f.p.GetKey(ctx, &api.GetKeyRequest{KvsARN: &tc.arn, Key: s("k")})
		if code(err) != "ResourceNotFoundException" {
			t.Fatalf("%s reading %s: %v", tc.account, tc.arn, err)
		}
		_, err = f.p.UpdateKeys(ctx, &api.UpdateKeysRequest{KvsARN: &tc.arn, IfMatch: s("x"), Deletes: []api.DeleteKeyRequestListItem{{Key: s("k")}}})
		if code(err) != "ResourceNotFoundException" {
			t.Fatalf("%s writing %s: %v", tc.account, tc.arn, err)
		}
	}
}

// TestRacingUpdateKeys: 32 writers with the same If-Match: exactly one wins, the others
// get ConflictException, and the winner's change is the one the store holds.
func TestRacingUpdateKeys(t *testing.T) {
	f := newFixture(t)
	f.put(t, "counter", "0")
	etag := f.etag(t)
	const n = 32
	errs := make([]error, n)
	outs := make([]*api.UpdateKeysResponse, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, _ := callCtx(acct)
			<-start
			outs[i], errs[i] = f.p.UpdateKeys(ctx, &api.UpdateKeysRequest{KvsARN: &f.arn, IfMatch: &etag,
				Puts:    []api.PutKeyRequestListItem{{Key: s(fmt.Sprint("racer-", i)), Value: s("x")}, {Key: s("counter"), Value: s(fmt.Sprint(i))}},
				Deletes: nil})
		}()
	}
	close(start)
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch code(err) {
		case "":
			if winner >= 0 {
				t.Fatalf("two winners: %d and %d", winner, i)
			}
			winner = i
		case "ConflictException":
		default:
			t.Fatalf("writer %d: %v", i, err)
		}
	}
	if winner < 0 {
		t.Fatal("no winner")
	}
	ctx, _ := callCtx(acct)
	l, err := f.p.ListKeys(ctx, &api.ListKeysRequest{KvsARN: &f.arn})
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Items) != 2 || *l.Items[1].Key != fmt.Sprint("racer-", winner) || *l.Items[0].Value != fmt.Sprint(winner) {
		t.Fatalf("store holds %+v, winner %d", l.Items, winner)
	}
	if f.etag(t) != *outs[winner].ETag {
		t.Fatal("ETag is not the winner's")
	}
}

// TestNoLostUpdates: 32 writers each increment a counter 5 times with read, UpdateKeys
// (If-Match) and retry on ConflictException; every increment survives.
func TestNoLostUpdates(t *testing.T) {
	f := newFixture(t)
	f.put(t, "counter", "0")
	const n, per = 32, 5
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < per; {
				ctx, _ := callCtx(acct)
				etag := f.etag(t)
				g, err := f.p.GetKey(ctx, &api.GetKeyRequest{KvsARN: &f.arn, Key: s("counter")})
				if err != nil {
					t.Error(err)
					return
				}
				var c int
				fmt.Sscan(*g.Value, &c)
				_, err = f.p.UpdateKeys(ctx, &api.UpdateKeysRequest{KvsARN: &f.arn, IfMatch: &etag,
					Puts: []api.PutKeyRequestListItem{{Key: s("counter"), Value: s(fmt.Sprint(c + 1))}, {Key: s(fmt.Sprintf("w%02d-%d", i, j)), Value: s("x")}}})
				switch code(err) {
				case "":
					j++
				case "ConflictException": // someone else went first: re-read
				default:
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	ctx, _ := callCtx(acct)
	g, err := f.p.GetKey(ctx, &api.GetKeyRequest{KvsARN: &f.arn, Key: s("counter")})
	if err != nil || *g.Value != fmt.Sprint(n*per) || *g.ItemCount != n*per+1 {
		t.Fatalf("counter %v, items %v, %v; want %d, %d", *g.Value, *g.ItemCount, err, n*per, n*per+1)
	}
}

// TestConcurrentPutKeyWithRetries: concurrent PutKeys of distinct keys, each retrying
// with a fresh ETag on ConflictException: every key is present at the end.
func TestConcurrentPutKeyWithRetries(t *testing.T) {
	f := newFixture(t)
	f.m.PageBytes = 1024
	const n, per = 16, 20
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range per {
				for {
					ctx, _ := callCtx(acct)
					k := fmt.Sprintf("w%02d-k%02d", i, j)
					_, err := f.p.PutKey(ctx, &api.PutKeyRequest{KvsARN: &f.arn, Key: &k, Value: s("v-" + k), IfMatch: s(f.etag(t))})
					if err == nil {
						break
					}
					if code(err) != "ConflictException" {
						t.Error(err)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	for i := range n {
		for j := range per {
			ctx, _ := callCtx(acct)
			k := fmt.Sprintf("w%02d-k%02d", i, j)
			g, err := f.p.GetKey(ctx, &api.GetKeyRequest{KvsARN: &f.arn, Key: &k})
			if err != nil || *g.Value != "v-"+k {
				t.Fatalf("%s: %v", k, err)
			}
		}
	}
	ctx, _ := callCtx(acct)
	d, _ := f.p.DescribeKeyValueStore(ctx, &api.DescribeKeyValueStoreRequest{KvsARN: &f.arn})
	if *d.ItemCount != n*per {
		t.Fatalf("ItemCount %d", *d.ItemCount)
	}
}

func TestRedactedRequestParameters(t *testing.T) {
	put := &api.PutKeyRequest{KvsARN: s("arn"), Key: s("k"), Value: s("secret"), IfMatch: s("KV1")}
	upd := &api.UpdateKeysRequest{KvsARN: s("arn"), IfMatch: s("KV1"), Puts: []api.PutKeyRequestListItem{{Key: s("a"), Value: s("secret")}}}
	for _, tc := range []struct {
		in   any
		want string
	}{
		{put, `{"ifMatch":"KV1","key":"k","kvsARN":"arn"}`},
		{upd, `{"ifMatch":"KV1","kvsARN":"arn","puts":[{"key":"a"}]}`},
	} {
		assertJSON(t, fmt.Sprintf("%T", tc.in), capture.Params(cloudfrontkeyvaluestore.RedactedRequestParameters(tc.in)), json.RawMessage(tc.want))
	}
	if cloudfrontkeyvaluestore.RedactedRequestParameters(&api.GetKeyRequest{}) != nil {
		t.Fatal("GetKey input is recorded as is")
	}
}
