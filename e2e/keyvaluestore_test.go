//go:build e2e

package e2e

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cfsdk "github.com/aws/aws-sdk-go-v2/service/cloudfront"
	kvssdk "github.com/aws/aws-sdk-go-v2/service/cloudfrontkeyvaluestore"
	kvstypes "github.com/aws/aws-sdk-go-v2/service/cloudfrontkeyvaluestore/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
)

// kvsAWSConfig is an SDK configuration that keeps AWS's own host names
// (cloudfront.amazonaws.com, <account>.cloudfront-kvs.global.api.aws) and SigV4A, but
// dials the server's TLS address and trusts its self-signed certificate.
func kvsAWSConfig(t *testing.T, s *Server) aws.Config {
	t.Helper()
	pem, err := os.ReadFile(filepath.Join(s.DataDir, "tls", "cert.pem"))
	if err != nil {
		t.Fatalf("self-signed certificate: %v", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatal("bad certificate PEM")
	}
	dialer := &net.Dialer{Timeout: 10 * time.Second}
	transport := &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool},
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, network, s.TLSAddr)
		},
		MaxIdleConnsPerHost: 16,
	}
	t.Cleanup(transport.CloseIdleConnections)
	return aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider(s.Key, s.Secret, ""),
		HTTPClient:  &http.Client{Transport: transport},
	}
}

var kvsETagRE = regexp.MustCompile(`^KV[A-Z0-9]{13}$`)

// kvsKeys lists every key of the store with ListKeys pages of max and returns them with
// the page sizes.
func kvsKeys(t *testing.T, kv *kvssdk.Client, arn *string, max int32) (map[string]string, []string, []int) {
	t.Helper()
	items := map[string]string{}
	var order []string
	var sizes []int
	in := &kvssdk.ListKeysInput{KvsARN: arn, MaxResults: aws.Int32(max)}
	for {
		out, err := kv.ListKeys(ctx(t), in)
		if err != nil {
			t.Fatalf("ListKeys: %v", err)
		}
		sizes = append(sizes, len(out.Items))
		for _, it := range out.Items {
			k := aws.ToString(it.Key)
			if _, dup := items[k]; dup {
				t.Fatalf("ListKeys returned %q twice", k)
			}
			items[k] = aws.ToString(it.Value)
			order = append(order, k)
		}
		if out.NextToken == nil {
			return items, order, sizes
		}
		in.NextToken = out.NextToken
	}
}

// TestKeyValueStore drives the CloudFront KeyValueStore data plane with
// aws-sdk-go-v2 (SigV4A, the account in the host name) over TLS: reads, writes,
// If-Match, limits, atomic UpdateKeys, paging, 16 concurrent writers with one ETag,
// and checks that data events stay out of LookupEvents while the control plane's
// CreateKeyValueStore is there.
func TestKeyValueStore(t *testing.T) {
	t.Parallel()
	s := cfStartServer(t, true)
	cfg := kvsAWSConfig(t, s)
	cf := cfsdk.NewFromConfig(cfg)
	kv := kvssdk.NewFromConfig(cfg)

	created, err := cf.CreateKeyValueStore(ctx(t), &cfsdk.CreateKeyValueStoreInput{Name: aws.String("e2e-store"), Comment: aws.String("data plane")})
	if err != nil {
		t.Fatalf("CreateKeyValueStore: %v", err)
	}
	arn := created.KeyValueStore.ARN
	if !strings.HasPrefix(aws.ToString(arn), "arn:aws:cloudfront::"+testAccount+":key-value-store/") {
		t.Fatalf("ARN = %s", aws.ToString(arn))
	}

	// etag is the data ETag the next write must give.
	var etag *string

	t.Run("describe put get", func(t *testing.T) {
		d, err := kv.DescribeKeyValueStore(ctx(t), &kvssdk.DescribeKeyValueStoreInput{KvsARN: arn})
		if err != nil {
			t.Fatalf("DescribeKeyValueStore: %v", err)
		}
		if aws.ToString(d.KvsARN) != aws.ToString(arn) || !kvsETagRE.MatchString(aws.ToString(d.ETag)) || aws.ToInt32(d.ItemCount) != 0 ||
			aws.ToInt64(d.TotalSizeInBytes) != 0 || aws.ToString(d.Status) != "READY" || d.Created == nil || time.Since(*d.Created) > time.Minute {
			t.Fatalf("DescribeKeyValueStore = %+v", d)
		}
		put, err := kv.PutKey(ctx(t), &kvssdk.PutKeyInput{KvsARN: arn, IfMatch: d.ETag, Key: aws.String("greeting"), Value: aws.String("hello")})
		if err != nil {
			t.Fatalf("PutKey: %v", err)
		}
		if !kvsETagRE.MatchString(aws.ToString(put.ETag)) || aws.ToString(put.ETag) == aws.ToString(d.ETag) ||
			aws.ToInt32(put.ItemCount) != 1 || aws.ToInt64(put.TotalSizeInBytes) != int64(len("greeting")+len("hello")) {
			t.Fatalf("PutKey = ETag %s ItemCount %d TotalSizeInBytes %d", aws.ToString(put.ETag), aws.ToInt32(put.ItemCount), aws.ToInt64(put.TotalSizeInBytes))
		}
		got, err := kv.GetKey(ctx(t), &kvssdk.GetKeyInput{KvsARN: arn, Key: aws.String("greeting")})
		if err != nil || aws.ToString(got.Value) != "hello" || aws.ToInt32(got.ItemCount) != 1 {
			t.Fatalf("GetKey: %v %+v", err, got)
		}
		d2, err := kv.DescribeKeyValueStore(ctx(t), &kvssdk.DescribeKeyValueStoreInput{KvsARN: arn})
		if err != nil || aws.ToString(d2.ETag) != aws.ToString(put.ETag) || aws.ToInt32(d2.ItemCount) != 1 || d2.LastModified == nil {
			t.Fatalf("DescribeKeyValueStore after PutKey: %v %+v", err, d2)
		}
		etag = put.ETag

		// Overwriting a key keeps the count.
		over, err := kv.PutKey(ctx(t), &kvssdk.PutKeyInput{KvsARN: arn, IfMatch: etag, Key: aws.String("greeting"), Value: aws.String("hi")})
		if err != nil || aws.ToInt32(over.ItemCount) != 1 || aws.ToInt64(over.TotalSizeInBytes) != int64(len("greeting")+len("hi")) {
			t.Fatalf("PutKey overwrite: %v %+v", err, over)
		}
		etag = over.ETag
	})
	if etag == nil {
		t.FailNow()
	}

	t.Run("errors", func(t *testing.T) {
		// An empty IfMatch passes the SDK's required check and sends no If-Match header.
		_, err := kv.PutKey(ctx(t), &kvssdk.PutKeyInput{KvsARN: arn, IfMatch: aws.String(""), Key: aws.String("k"), Value: aws.String("v")})
		cfWantErr(t, "PutKey without If-Match", err, "ValidationException", 400)
		_, err = kv.UpdateKeys(ctx(t), &kvssdk.UpdateKeysInput{KvsARN: arn, IfMatch: aws.String(""), Puts: []kvstypes.PutKeyRequestListItem{{Key: aws.String("k"), Value: aws.String("v")}}})
		cfWantErr(t, "UpdateKeys without If-Match", err, "ValidationException", 400)
		_, err = kv.DeleteKey(ctx(t), &kvssdk.DeleteKeyInput{KvsARN: arn, IfMatch: aws.String(""), Key: aws.String("greeting")})
		cfWantErr(t, "DeleteKey without If-Match", err, "ValidationException", 400)

		stale := aws.String("KV" + strings.Repeat("A", 13))
		_, err = kv.PutKey(ctx(t), &kvssdk.PutKeyInput{KvsARN: arn, IfMatch: stale, Key: aws.String("k"), Value: aws.String("v")})
		cfWantErr(t, "PutKey with a stale If-Match", err, "ConflictException", 409)
		_, err = kv.DeleteKey(ctx(t), &kvssdk.DeleteKeyInput{KvsARN: arn, IfMatch: stale, Key: aws.String("greeting")})
		cfWantErr(t, "DeleteKey with a stale If-Match", err, "ConflictException", 409)

		_, err = kv.PutKey(ctx(t), &kvssdk.PutKeyInput{KvsARN: arn, IfMatch: etag, Key: aws.String(strings.Repeat("k", 513)), Value: aws.String("v")})
		cfWantErr(t, "PutKey with a 513-byte key", err, "ValidationException", 400)
		_, err = kv.PutKey(ctx(t), &kvssdk.PutKeyInput{KvsARN: arn, IfMatch: etag, Key: aws.String("big"), Value: aws.String(strings.Repeat("v", 1025))})
		cfWantErr(t, "PutKey with a 1025-byte value", err, "ValidationException", 400)
		_, err = kv.UpdateKeys(ctx(t), &kvssdk.UpdateKeysInput{KvsARN: arn, IfMatch: etag, Puts: []kvstypes.PutKeyRequestListItem{
			{Key: aws.String("fine"), Value: aws.String("v")}, {Key: aws.String("big"), Value: aws.String(strings.Repeat("v", 1025))}}})
		cfWantErr(t, "UpdateKeys with a 1025-byte value", err, "ValidationException", 400)

		_, err = kv.GetKey(ctx(t), &kvssdk.GetKeyInput{KvsARN: arn, Key: aws.String("absent")})
		cfWantErr(t, "GetKey of a missing key", err, "ResourceNotFoundException", 404)

		unknown := aws.String("arn:aws:cloudfront::" + testAccount + ":key-value-store/00000000-1111-2222-3333-444444444444")
		_, err = kv.DescribeKeyValueStore(ctx(t), &kvssdk.DescribeKeyValueStoreInput{KvsARN: unknown})
		cfWantErr(t, "DescribeKeyValueStore of an unknown ARN", err, "ResourceNotFoundException", 404)
		_, err = kv.GetKey(ctx(t), &kvssdk.GetKeyInput{KvsARN: unknown, Key: aws.String("greeting")})
		cfWantErr(t, "GetKey in an unknown ARN", err, "ResourceNotFoundException", 404)
		_, err = kv.PutKey(ctx(t), &kvssdk.PutKeyInput{KvsARN: unknown, IfMatch: etag, Key: aws.String("k"), Value: aws.String("v")})
		cfWantErr(t, "PutKey in an unknown ARN", err, "ResourceNotFoundException", 404)

		other := aws.String("arn:aws:cloudfront::999988887777:key-value-store/" + strings.TrimPrefix(aws.ToString(arn), "arn:aws:cloudfront::"+testAccount+":key-value-store/"))
		_, err = kv.GetKey(ctx(t), &kvssdk.GetKeyInput{KvsARN: other, Key: aws.String("greeting")})
		cfWantErr(t, "GetKey in the store's id under another account", err, "ResourceNotFoundException", 404)

		var many []kvstypes.PutKeyRequestListItem
		for i := range 51 {
			many = append(many, kvstypes.PutKeyRequestListItem{Key: aws.String(fmt.Sprint("m", i)), Value: aws.String("v")})
		}
		_, err = kv.UpdateKeys(ctx(t), &kvssdk.UpdateKeysInput{KvsARN: arn, IfMatch: etag, Puts: many})
		cfWantErr(t, "UpdateKeys with 51 keys", err, "ValidationException", 400)
		_, err = kv.UpdateKeys(ctx(t), &kvssdk.UpdateKeysInput{KvsARN: arn, IfMatch: etag,
			Puts:    []kvstypes.PutKeyRequestListItem{{Key: aws.String("twice"), Value: aws.String("v")}},
			Deletes: []kvstypes.DeleteKeyRequestListItem{{Key: aws.String("twice")}}})
		cfWantErr(t, "UpdateKeys putting and deleting one key", err, "ValidationException", 400)

		// A store deleted through the control plane is gone from the data plane.
		gone, err := cf.CreateKeyValueStore(ctx(t), &cfsdk.CreateKeyValueStoreInput{Name: aws.String("short-lived")})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cf.DeleteKeyValueStore(ctx(t), &cfsdk.DeleteKeyValueStoreInput{Name: aws.String("short-lived"), IfMatch: gone.ETag}); err != nil {
			t.Fatal(err)
		}
		_, err = kv.DescribeKeyValueStore(ctx(t), &kvssdk.DescribeKeyValueStoreInput{KvsARN: gone.KeyValueStore.ARN})
		cfWantErr(t, "DescribeKeyValueStore of a deleted store", err, "ResourceNotFoundException", 404)

		// None of it changed the store.
		d, err := kv.DescribeKeyValueStore(ctx(t), &kvssdk.DescribeKeyValueStoreInput{KvsARN: arn})
		if err != nil || aws.ToString(d.ETag) != aws.ToString(etag) || aws.ToInt32(d.ItemCount) != 1 {
			t.Fatalf("after the errors: %v %+v", err, d)
		}
	})

	t.Run("limits at the boundary", func(t *testing.T) {
		key, value := strings.Repeat("k", 512), strings.Repeat("v", 1024)
		out, err := kv.PutKey(ctx(t), &kvssdk.PutKeyInput{KvsARN: arn, IfMatch: etag, Key: aws.String(key), Value: aws.String(value)})
		if err != nil {
			t.Fatalf("PutKey with a 512-byte key and a 1024-byte value: %v", err)
		}
		got, err := kv.GetKey(ctx(t), &kvssdk.GetKeyInput{KvsARN: arn, Key: aws.String(key)})
		if err != nil || aws.ToString(got.Value) != value {
			t.Fatalf("GetKey of the 512-byte key: %v", err)
		}
		del, err := kv.DeleteKey(ctx(t), &kvssdk.DeleteKeyInput{KvsARN: arn, IfMatch: out.ETag, Key: aws.String(key)})
		if err != nil || aws.ToInt32(del.ItemCount) != 1 || aws.ToString(del.ETag) == aws.ToString(out.ETag) {
			t.Fatalf("DeleteKey: %v %+v", err, del)
		}
		_, err = kv.GetKey(ctx(t), &kvssdk.GetKeyInput{KvsARN: arn, Key: aws.String(key)})
		cfWantErr(t, "GetKey of a deleted key", err, "ResourceNotFoundException", 404)
		_, err = kv.DeleteKey(ctx(t), &kvssdk.DeleteKeyInput{KvsARN: arn, IfMatch: del.ETag, Key: aws.String(key)})
		cfWantErr(t, "DeleteKey of a missing key", err, "ResourceNotFoundException", 404)
		etag = del.ETag
	})

	t.Run("UpdateKeys and ListKeys", func(t *testing.T) {
		var puts []kvstypes.PutKeyRequestListItem
		for i := range 25 {
			puts = append(puts, kvstypes.PutKeyRequestListItem{Key: aws.String(fmt.Sprintf("item-%02d", i)), Value: aws.String(fmt.Sprintf("value-%02d", i))})
		}
		out, err := kv.UpdateKeys(ctx(t), &kvssdk.UpdateKeysInput{KvsARN: arn, IfMatch: etag, Puts: puts,
			Deletes: []kvstypes.DeleteKeyRequestListItem{{Key: aws.String("greeting")}}})
		if err != nil {
			t.Fatalf("UpdateKeys: %v", err)
		}
		if aws.ToInt32(out.ItemCount) != 25 || aws.ToString(out.ETag) == aws.ToString(etag) {
			t.Fatalf("UpdateKeys = ItemCount %d ETag %s", aws.ToInt32(out.ItemCount), aws.ToString(out.ETag))
		}
		etag = out.ETag

		items, order, sizes := kvsKeys(t, kv, arn, 10)
		if fmt.Sprint(sizes) != "[10 10 5]" || len(items) != 25 || !sort.StringsAreSorted(order) {
			t.Fatalf("ListKeys pages %v, %d items, order %v", sizes, len(items), order)
		}
		if _, ok := items["greeting"]; ok || items["item-07"] != "value-07" {
			t.Fatalf("ListKeys items = %v", items)
		}
		// The SDK's paginator with its default page size.
		n := 0
		p := kvssdk.NewListKeysPaginator(kv, &kvssdk.ListKeysInput{KvsARN: arn})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx(t))
			if err != nil {
				t.Fatal(err)
			}
			n += len(page.Items)
		}
		if n != 25 {
			t.Errorf("paginator saw %d keys", n)
		}

		// A batch that breaks a rule changes nothing, although its other puts and
		// deletes are fine.
		_, err = kv.UpdateKeys(ctx(t), &kvssdk.UpdateKeysInput{KvsARN: arn, IfMatch: etag,
			Puts: []kvstypes.PutKeyRequestListItem{
				{Key: aws.String("item-00"), Value: aws.String("changed")},
				{Key: aws.String("new-key"), Value: aws.String("new")},
				{Key: aws.String(strings.Repeat("x", 600)), Value: aws.String("too long a key")},
			},
			Deletes: []kvstypes.DeleteKeyRequestListItem{{Key: aws.String("item-01")}}})
		cfWantErr(t, "UpdateKeys with one oversized key", err, "ValidationException", 400)
		after, _, _ := kvsKeys(t, kv, arn, 50)
		if after["item-00"] != "value-00" || after["item-01"] != "value-01" || after["new-key"] != "" || len(after) != 25 {
			t.Fatalf("a rejected UpdateKeys changed the store: %v", after)
		}

		// A valid mixed batch applies all of it together.
		mixed, err := kv.UpdateKeys(ctx(t), &kvssdk.UpdateKeysInput{KvsARN: arn, IfMatch: etag,
			Puts: []kvstypes.PutKeyRequestListItem{
				{Key: aws.String("item-00"), Value: aws.String("changed")},
				{Key: aws.String("new-key"), Value: aws.String("new")},
			},
			Deletes: []kvstypes.DeleteKeyRequestListItem{{Key: aws.String("item-01")}, {Key: aws.String("item-02")}}})
		if err != nil {
			t.Fatalf("mixed UpdateKeys: %v", err)
		}
		after, _, _ = kvsKeys(t, kv, arn, 50)
		if after["item-00"] != "changed" || after["new-key"] != "new" || len(after) != 24 || aws.ToInt32(mixed.ItemCount) != 24 {
			t.Fatalf("after the mixed UpdateKeys: ItemCount %d, %v", aws.ToInt32(mixed.ItemCount), after)
		}
		if _, ok := after["item-01"]; ok {
			t.Fatal("item-01 survived its delete")
		}
		var size int64
		for k, v := range after {
			size += int64(len(k) + len(v))
		}
		if aws.ToInt64(mixed.TotalSizeInBytes) != size {
			t.Errorf("TotalSizeInBytes = %d, want %d", aws.ToInt64(mixed.TotalSizeInBytes), size)
		}
		etag = mixed.ETag
	})

	t.Run("16 concurrent UpdateKeys with one ETag", func(t *testing.T) {
		const n = 16
		results := make([]*kvssdk.UpdateKeysOutput, n)
		errs := make([]error, n)
		gate := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-gate
				results[i], errs[i] = kv.UpdateKeys(context.Background(), &kvssdk.UpdateKeysInput{KvsARN: arn, IfMatch: etag,
					Puts: []kvstypes.PutKeyRequestListItem{
						{Key: aws.String("winner"), Value: aws.String(fmt.Sprint(i))},
						{Key: aws.String(fmt.Sprintf("writer-%02d", i)), Value: aws.String("x")},
					},
					Deletes: []kvstypes.DeleteKeyRequestListItem{{Key: aws.String("new-key")}}})
			}()
		}
		close(gate)
		wg.Wait()
		winner := -1
		for i := range n {
			switch {
			case errs[i] == nil:
				if winner >= 0 {
					t.Errorf("writers %d and %d both succeeded", winner, i)
				}
				winner = i
			case cfCode(errs[i]) != "ConflictException" || cfStatus(errs[i]) != 409:
				t.Errorf("writer %d: %v, want ConflictException (409)", i, errs[i])
			}
		}
		if winner < 0 {
			t.Fatalf("no writer succeeded: %v", errs)
		}
		items, _, _ := kvsKeys(t, kv, arn, 50)
		var writers []string
		for k := range items {
			if strings.HasPrefix(k, "writer-") {
				writers = append(writers, k)
			}
		}
		if items["winner"] != fmt.Sprint(winner) || fmt.Sprint(writers) != fmt.Sprintf("[writer-%02d]", winner) || items["new-key"] != "" || len(items) != 25 {
			t.Fatalf("final state is not the winner's (%d): winner=%q writers=%v, %d items", winner, items["winner"], writers, len(items))
		}
		d, err := kv.DescribeKeyValueStore(ctx(t), &kvssdk.DescribeKeyValueStoreInput{KvsARN: arn})
		if err != nil || aws.ToString(d.ETag) != aws.ToString(results[winner].ETag) || aws.ToInt32(d.ItemCount) != 25 {
			t.Fatalf("DescribeKeyValueStore after the race: %v ETag %s (winner's %s) ItemCount %d", err, aws.ToString(d.ETag), aws.ToString(results[winner].ETag), aws.ToInt32(d.ItemCount))
		}
	})

	t.Run("records", func(t *testing.T) {
		// A control-plane call after all the data-plane ones: once it is in the Event
		// history, so would be any data event before it.
		if _, err := cf.DescribeKeyValueStore(ctx(t), &cfsdk.DescribeKeyValueStoreInput{Name: aws.String("e2e-store")}); err != nil {
			t.Fatal(err)
		}
		byName := cfRecords(t, s, "cloudfront.amazonaws.com", "CreateKeyValueStore", "DescribeKeyValueStore")
		ck := cfFind(t, byName, "CreateKeyValueStore", "", func(r map[string]any) bool { return cfStr(r, "requestParameters.name") == "e2e-store" })
		r := ck.rec
		if r["awsRegion"] != "us-east-1" || r["managementEvent"] != true || r["eventCategory"] != "Management" || r["readOnly"] != false {
			t.Errorf("CreateKeyValueStore record = %s", cfJSON(r))
		}
		if cfStr(r, "requestParameters.name") != "e2e-store" || cfStr(r, "responseElements.keyValueStore.aRN") != aws.ToString(arn) {
			t.Errorf("CreateKeyValueStore parameters = %s / %s", cfJSON(r["requestParameters"]), cfJSON(r["responseElements"]))
		}
		if h := cfStr(r, "tlsDetails.clientProvidedHostHeader"); h != "cloudfront.amazonaws.com" {
			t.Errorf("tlsDetails.clientProvidedHostHeader = %q", h)
		}
		if len(ck.ev.Resources) != 1 || aws.ToString(ck.ev.Resources[0].ResourceType) != "AWS::CloudFront::KeyValueStore" || aws.ToString(ck.ev.Resources[0].ResourceName) != aws.ToString(arn) {
			t.Errorf("CreateKeyValueStore Resources = %s", cfJSON(ck.ev.Resources))
		}

		ct := s.CloudTrail(s.Root(), "us-east-1")
		for _, a := range []cttypes.LookupAttribute{
			{AttributeKey: cttypes.LookupAttributeKeyEventSource, AttributeValue: aws.String("edgekeyvaluestore.amazonaws.com")},
			{AttributeKey: cttypes.LookupAttributeKeyEventSource, AttributeValue: aws.String("cloudfront-keyvaluestore.amazonaws.com")},
			{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("UpdateKeys")},
			{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("PutKey")},
			{AttributeKey: cttypes.LookupAttributeKeyEventName, AttributeValue: aws.String("GetKey")},
		} {
			if evs := lookupAll(t, ct, &cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{a}}); len(evs) != 0 {
				t.Errorf("LookupEvents %s=%s: %d data events, want none (first: %s)", a.AttributeKey, aws.ToString(a.AttributeValue), len(evs), aws.ToString(evs[0].CloudTrailEvent))
			}
		}
		// Nor under the store's ARN: only the control plane's calls.
		evs := lookupAll(t, ct, &cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{
			{AttributeKey: cttypes.LookupAttributeKeyResourceName, AttributeValue: arn}}})
		for _, e := range evs {
			if src := record(t, e)["eventSource"]; src != "cloudfront.amazonaws.com" {
				t.Errorf("ResourceName=%s holds a %v event %s", aws.ToString(arn), src, aws.ToString(e.EventName))
			}
		}
		if len(evs) < 2 {
			t.Errorf("ResourceName=%s: %d events, want CreateKeyValueStore and DescribeKeyValueStore", aws.ToString(arn), len(evs))
		}
	})

	// Data-plane calls refused before the provider runs (by the model's constraints, or
	// by authentication) are data events too, and stay out of the Event history.
	t.Run("refused data-plane calls are data events too", func(t *testing.T) {
		_, err := kv.ListKeys(ctx(t), &kvssdk.ListKeysInput{KvsARN: arn, MaxResults: aws.Int32(51)})
		cfWantErr(t, "ListKeys MaxResults 51", err, "ValidationException", 400)
		bad := cfg.Copy()
		bad.Credentials = credentials.NewStaticCredentialsProvider(s.Key, "not-the-secret-not-the-secret-not-the-se", "")
		_, err = kvssdk.NewFromConfig(bad).GetKey(ctx(t), &kvssdk.GetKeyInput{KvsARN: arn, Key: aws.String("winner")})
		if c := cfCode(err); c != "InvalidSignatureException" && c != "SignatureDoesNotMatch" {
			t.Fatalf("GetKey with a wrong secret: %v, want a signature error", err)
		}
		if _, err := cf.ListKeyValueStores(ctx(t), &cfsdk.ListKeyValueStoresInput{}); err != nil {
			t.Fatal(err)
		}
		cfRecords(t, s, "cloudfront.amazonaws.com", "ListKeyValueStores")
		evs := lookupAll(t, s.CloudTrail(s.Root(), "us-east-1"), &cloudtrail.LookupEventsInput{LookupAttributes: []cttypes.LookupAttribute{
			{AttributeKey: cttypes.LookupAttributeKeyEventSource, AttributeValue: aws.String("edgekeyvaluestore.amazonaws.com")}}})
		for _, e := range evs {
			r := record(t, e)
			t.Errorf("LookupEvents shows a KeyValueStore data-plane call: %s errorCode=%v managementEvent=%v eventCategory=%v",
				aws.ToString(e.EventName), r["errorCode"], r["managementEvent"], r["eventCategory"])
		}
	})
}
