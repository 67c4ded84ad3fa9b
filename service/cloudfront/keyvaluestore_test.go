package cloudfront

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cairnhq/cairn"
	"github.com/cairnhq/cairn/api/cloudfront"
	"github.com/cairnhq/cairn/awsproto"
	"github.com/cairnhq/cairn/internal/memstore"
	"github.com/cairnhq/cairn/kvs"
)

// The identifiers of this file start with kvs or TestKeyValueStores: the rest of the
// package belongs to the CloudFront control plane.

const kvsTestAccount = "111122223333"

var kvsTestTime = time.Date(2024, 2, 2, 19, 26, 1, 0, time.UTC)

func kvsTestStores(t *testing.T) *KeyValueStores {
	t.Helper()
	return &KeyValueStores{Stores: &kvs.Manager{Meta: memstore.New(), Clock: cairn.ClockFunc(func() time.Time { return kvsTestTime })}}
}

func kvsTestCtx(account string) (context.Context, *awsproto.RequestContext) {
	rc := &awsproto.RequestContext{Principal: &cairn.Principal{AccountID: account, Type: "Root"}, Region: "us-east-1"}
	return awsproto.WithRequestContext(context.Background(), rc), rc
}

func kvsTestCode(err error) string {
	var e *awsproto.Error
	if errors.As(err, &e) {
		return e.Code
	}
	if err != nil {
		return "non-API error: " + err.Error()
	}
	return ""
}

func kvsTestCreate(t *testing.T, k *KeyValueStores, account, name string) *cloudfront.CreateKeyValueStoreResult {
	t.Helper()
	ctx, _ := kvsTestCtx(account)
	out, err := k.CreateKeyValueStore(ctx, &cloudfront.CreateKeyValueStoreRequest{Name: kvsStr(name), Comment: kvsStr("c-" + name)})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestKeyValueStores_Create(t *testing.T) {
	k := kvsTestStores(t)
	ctx, rc := kvsTestCtx(kvsTestAccount)
	out, err := k.CreateKeyValueStore(ctx, &cloudfront.CreateKeyValueStoreRequest{Name: kvsStr("my-store"), Comment: kvsStr("hello"),
		Tags: &cloudfront.Tags{Items: []cloudfront.Tag{{Key: kvsStr("team"), Value: kvsStr("edge")}}}})
	if err != nil {
		t.Fatal(err)
	}
	s := out.KeyValueStore
	id := *s.Id
	if !kvs.IsID(id) || *s.ARN != "arn:aws:cloudfront::111122223333:key-value-store/"+id || *s.Name != "my-store" ||
		*s.Comment != "hello" || *s.Status != "READY" || !s.LastModifiedTime.Equal(kvsTestTime) {
		t.Fatalf("KeyValueStore %+v", s)
	}
	if len(*out.ETag) != 14 || (*out.ETag)[0] != 'E' {
		t.Fatalf("ETag %s", *out.ETag)
	}
	if *out.Location != "https://cloudfront.amazonaws.com/2020-05-31/key-value-store/my-store" {
		t.Fatalf("Location %s", *out.Location)
	}
	want := []cairn.LookupResource{{Type: "AWS::CloudFront::KeyValueStore", Name: *s.ARN}}
	if !reflect.DeepEqual(rc.LookupResources, want) {
		t.Fatalf("LookupResources %+v", rc.LookupResources)
	}
	if rc.Category != "" || rc.RecordResources != nil {
		t.Fatal("the control plane must leave the event a management event")
	}
}

func TestKeyValueStores_Errors(t *testing.T) {
	k := kvsTestStores(t)
	k.Stores.Limits.MaxStoresPerAccount = 2
	first := kvsTestCreate(t, k, kvsTestAccount, "first")
	kvsTestCreate(t, k, "444455556666", "theirs")
	for _, tc := range []struct {
		name string
		call func(ctx context.Context) error
		code string
	}{
		{"create: duplicate name", func(ctx context.Context) error {
			_, err := k.CreateKeyValueStore(ctx, &cloudfront.CreateKeyValueStoreRequest{Name: kvsStr("first")})
			return err
		}, "EntityAlreadyExists"},
		{"create: bad name", func(ctx context.Context) error {
			_, err := k.CreateKeyValueStore(ctx, &cloudfront.CreateKeyValueStoreRequest{Name: kvsStr("no spaces")})
			return err
		}, "InvalidArgument"},
		{"create: import from S3", func(ctx context.Context) error {
			_, err := k.CreateKeyValueStore(ctx, &cloudfront.CreateKeyValueStoreRequest{Name: kvsStr("imp"),
				ImportSource: &cloudfront.ImportSource{SourceType: cloudfront.ImportSourceTypeS3, SourceARN: kvsStr("arn:aws:s3:::bucket/data.json")}})
			return err
		}, "UnsupportedOperation"},
		{"describe: unknown", func(ctx context.Context) error {
			_, err := k.DescribeKeyValueStore(ctx, &cloudfront.DescribeKeyValueStoreRequest{Name: kvsStr("nope")})
			return err
		}, "EntityNotFound"},
		{"describe: another account's", func(ctx context.Context) error {
			_, err := k.DescribeKeyValueStore(ctx, &cloudfront.DescribeKeyValueStoreRequest{Name: kvsStr("theirs")})
			return err
		}, "EntityNotFound"},
		{"update: no If-Match", func(ctx context.Context) error {
			_, err := k.UpdateKeyValueStore(ctx, &cloudfront.UpdateKeyValueStoreRequest{Name: kvsStr("first"), Comment: kvsStr("x")})
			return err
		}, "InvalidIfMatchVersion"},
		{"update: stale If-Match", func(ctx context.Context) error {
			_, err := k.UpdateKeyValueStore(ctx, &cloudfront.UpdateKeyValueStoreRequest{Name: kvsStr("first"), Comment: kvsStr("x"), IfMatch: kvsStr("E2QWRUHEXAMPLE")})
			return err
		}, "PreconditionFailed"},
		{"update: unknown", func(ctx context.Context) error {
			_, err := k.UpdateKeyValueStore(ctx, &cloudfront.UpdateKeyValueStoreRequest{Name: kvsStr("nope"), Comment: kvsStr("x"), IfMatch: first.ETag})
			return err
		}, "EntityNotFound"},
		{"update: comment too long", func(ctx context.Context) error {
			_, err := k.UpdateKeyValueStore(ctx, &cloudfront.UpdateKeyValueStoreRequest{Name: kvsStr("first"), Comment: kvsStr(strings.Repeat("c", 129)), IfMatch: first.ETag})
			return err
		}, "InvalidArgument"},
		{"delete: no If-Match", func(ctx context.Context) error {
			_, err := k.DeleteKeyValueStore(ctx, &cloudfront.DeleteKeyValueStoreRequest{Name: kvsStr("first")})
			return err
		}, "InvalidIfMatchVersion"},
		{"delete: stale If-Match", func(ctx context.Context) error {
			_, err := k.DeleteKeyValueStore(ctx, &cloudfront.DeleteKeyValueStoreRequest{Name: kvsStr("first"), IfMatch: kvsStr("E2QWRUHEXAMPLE")})
			return err
		}, "PreconditionFailed"},
		{"delete: another account's", func(ctx context.Context) error {
			_, err := k.DeleteKeyValueStore(ctx, &cloudfront.DeleteKeyValueStoreRequest{Name: kvsStr("theirs"), IfMatch: first.ETag})
			return err
		}, "EntityNotFound"},
		{"list: bad MaxItems", func(ctx context.Context) error {
			_, err := k.ListKeyValueStores(ctx, &cloudfront.ListKeyValueStoresRequest{MaxItems: kvsStr("ten")})
			return err
		}, "InvalidArgument"},
		{"no principal", func(context.Context) error {
			_, err := k.ListKeyValueStores(context.Background(), &cloudfront.ListKeyValueStoresRequest{})
			return err
		}, "AccessDenied"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, _ := kvsTestCtx(kvsTestAccount)
			if got := kvsTestCode(tc.call(ctx)); got != tc.code {
				t.Fatalf("error %q, want %s", got, tc.code)
			}
		})
	}
	kvsTestCreate(t, k, kvsTestAccount, "second")
	ctx, _ := kvsTestCtx(kvsTestAccount)
	_, err := k.CreateKeyValueStore(ctx, &cloudfront.CreateKeyValueStoreRequest{Name: kvsStr("third")})
	if kvsTestCode(err) != "EntityLimitExceeded" {
		t.Fatalf("over the quota: %v", err)
	}
}

func TestKeyValueStores_UpdateDelete(t *testing.T) {
	k := kvsTestStores(t)
	c := kvsTestCreate(t, k, kvsTestAccount, "s")
	ctx, rc := kvsTestCtx(kvsTestAccount)
	u, err := k.UpdateKeyValueStore(ctx, &cloudfront.UpdateKeyValueStoreRequest{Name: kvsStr("s"), Comment: kvsStr("new"), IfMatch: c.ETag})
	if err != nil {
		t.Fatal(err)
	}
	if *u.ETag == *c.ETag || *u.KeyValueStore.Comment != "new" || *u.KeyValueStore.Id != *c.KeyValueStore.Id || len(rc.LookupResources) != 1 {
		t.Fatalf("update: %+v %+v", u, u.KeyValueStore)
	}
	ctx, _ = kvsTestCtx(kvsTestAccount)
	d, err := k.DescribeKeyValueStore(ctx, &cloudfront.DescribeKeyValueStoreRequest{Name: kvsStr("s")})
	if err != nil || *d.ETag != *u.ETag || *d.KeyValueStore.Comment != "new" {
		t.Fatalf("describe: %+v, %v", d, err)
	}
	// The old ETag no longer deletes; the new one does, once.
	ctx, _ = kvsTestCtx(kvsTestAccount)
	if _, err := k.DeleteKeyValueStore(ctx, &cloudfront.DeleteKeyValueStoreRequest{Name: kvsStr("s"), IfMatch: c.ETag}); kvsTestCode(err) != "PreconditionFailed" {
		t.Fatalf("delete with old ETag: %v", err)
	}
	ctx, rc = kvsTestCtx(kvsTestAccount)
	if _, err := k.DeleteKeyValueStore(ctx, &cloudfront.DeleteKeyValueStoreRequest{Name: kvsStr("s"), IfMatch: u.ETag}); err != nil {
		t.Fatal(err)
	}
	if len(rc.LookupResources) != 1 || rc.LookupResources[0].Name != *c.KeyValueStore.ARN {
		t.Fatalf("delete LookupResources %+v", rc.LookupResources)
	}
	ctx, _ = kvsTestCtx(kvsTestAccount)
	if _, err := k.DeleteKeyValueStore(ctx, &cloudfront.DeleteKeyValueStoreRequest{Name: kvsStr("s"), IfMatch: u.ETag}); kvsTestCode(err) != "EntityNotFound" {
		t.Fatalf("second delete: %v", err)
	}
}

// TestKeyValueStores_UpdateIgnoresDataWrites: data-plane writes do not change the
// control-plane ETag, and an update racing them still succeeds.
func TestKeyValueStores_UpdateIgnoresDataWrites(t *testing.T) {
	k := kvsTestStores(t)
	c := kvsTestCreate(t, k, kvsTestAccount, "s")
	id := *c.KeyValueStore.Id
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range 200 {
			in, err := k.Stores.DescribeData(context.Background(), kvsTestAccount, id)
			if err != nil {
				t.Error(err)
				return
			}
			if _, err := k.Stores.Put(context.Background(), kvsTestAccount, id, in.DataETag, fmt.Sprint("k", i), "v"); err != nil && kvs.KindOf(err) != kvs.KindETagMismatch {
				t.Error(err)
				return
			}
		}
	}()
	etag := c.ETag
	for i := range 50 {
		ctx, _ := kvsTestCtx(kvsTestAccount)
		u, err := k.UpdateKeyValueStore(ctx, &cloudfront.UpdateKeyValueStoreRequest{Name: kvsStr("s"), Comment: kvsStr(fmt.Sprint(i)), IfMatch: etag})
		if err != nil {
			t.Fatalf("update %d: %v", i, err)
		}
		etag = u.ETag
	}
	wg.Wait()
}

func TestKeyValueStores_List(t *testing.T) {
	k := kvsTestStores(t)
	for _, n := range []string{"delta", "alpha", "charlie", "bravo", "echo"} {
		kvsTestCreate(t, k, kvsTestAccount, n)
	}
	kvsTestCreate(t, k, "444455556666", "zulu")
	var names []string
	var marker *string
	for pages := 0; ; pages++ {
		ctx, _ := kvsTestCtx(kvsTestAccount)
		out, err := k.ListKeyValueStores(ctx, &cloudfront.ListKeyValueStoresRequest{MaxItems: kvsStr("2"), Marker: marker})
		if err != nil {
			t.Fatal(err)
		}
		l := out.KeyValueStoreList
		if *l.MaxItems != 2 || int(*l.Quantity) != len(l.Items) || len(l.Items) > 2 {
			t.Fatalf("page %+v", l)
		}
		for _, s := range l.Items {
			names = append(names, *s.Name)
			if *s.Status != "READY" || s.ARN == nil || s.Id == nil || s.LastModifiedTime == nil {
				t.Fatalf("item %+v", s)
			}
		}
		if l.NextMarker == nil {
			break
		}
		marker = l.NextMarker
	}
	if !reflect.DeepEqual(names, []string{"alpha", "bravo", "charlie", "delta", "echo"}) {
		t.Fatalf("listed %v", names)
	}
	ctx, _ := kvsTestCtx(kvsTestAccount)
	out, err := k.ListKeyValueStores(ctx, &cloudfront.ListKeyValueStoresRequest{Status: kvsStr("PROVISIONING")})
	if err != nil || *out.KeyValueStoreList.Quantity != 0 || *out.KeyValueStoreList.MaxItems != 100 {
		t.Fatalf("status filter: %+v, %v", out.KeyValueStoreList, err)
	}
}
