package restjson_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	kvssdk "github.com/aws/aws-sdk-go-v2/service/cloudfrontkeyvaluestore"
	kvstypes "github.com/aws/aws-sdk-go-v2/service/cloudfrontkeyvaluestore/types"
	smithyendpoints "github.com/aws/smithy-go/endpoints"
	kvsapi "github.com/cairnhq/cairn/api/cloudfrontkeyvaluestore"
	"github.com/cairnhq/cairn/awsproto"
	"github.com/cairnhq/cairn/awsproto/rest"
	"github.com/cairnhq/cairn/awsproto/restjson"
)

const kvsARN = "arn:aws:cloudfront::111122223333:key-value-store/0c1e3b8f-6b61-4b2a-a1b9-1f0ec0a3e6e2"

var storeCreated = time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)

// store is a tiny KeyValueStore provider: one store, an ETag per version.
type store struct {
	kvsapi.UnimplementedService
	mu      sync.Mutex
	version int
	items   map[string]string
	// lastList is the last ListKeys input.
	lastList *kvsapi.ListKeysRequest
}

func (s *store) etag() *string { return aws.String(fmt.Sprintf("KV%d", s.version)) }

func (s *store) size() (*int32, *int64) {
	var n int64
	for k, v := range s.items {
		n += int64(len(k) + len(v))
	}
	return aws.Int32(int32(len(s.items))), aws.Int64(n)
}

func (s *store) find(arn *string) error {
	if aws.ToString(arn) != kvsARN {
		return kvsapi.NewResourceNotFoundException("Key value store %s not found.", aws.ToString(arn))
	}
	return nil
}

// write checks the ARN and If-Match, then bumps the version.
func (s *store) write(arn, ifMatch *string) error {
	if err := s.find(arn); err != nil {
		return err
	}
	if aws.ToString(ifMatch) != *s.etag() {
		return kvsapi.NewConflictException("Pre-condition failed: ETag %s does not match %s.", aws.ToString(ifMatch), *s.etag())
	}
	s.version++
	return nil
}

func (s *store) DescribeKeyValueStore(_ context.Context, in *kvsapi.DescribeKeyValueStoreRequest) (*kvsapi.DescribeKeyValueStoreResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.find(in.KvsARN); err != nil {
		return nil, err
	}
	n, size := s.size()
	return &kvsapi.DescribeKeyValueStoreResponse{KvsARN: in.KvsARN, ETag: s.etag(), ItemCount: n, TotalSizeInBytes: size,
		Created: awsproto.NewTimestamp(storeCreated), Status: aws.String("READY")}, nil
}

func (s *store) PutKey(_ context.Context, in *kvsapi.PutKeyRequest) (*kvsapi.PutKeyResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.write(in.KvsARN, in.IfMatch); err != nil {
		return nil, err
	}
	s.items[*in.Key] = *in.Value
	n, size := s.size()
	return &kvsapi.PutKeyResponse{ETag: s.etag(), ItemCount: n, TotalSizeInBytes: size}, nil
}

func (s *store) GetKey(_ context.Context, in *kvsapi.GetKeyRequest) (*kvsapi.GetKeyResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.find(in.KvsARN); err != nil {
		return nil, err
	}
	v, ok := s.items[*in.Key]
	if !ok {
		return nil, kvsapi.NewResourceNotFoundException("Key %s not found.", *in.Key)
	}
	n, size := s.size()
	return &kvsapi.GetKeyResponse{Key: in.Key, Value: &v, ItemCount: n, TotalSizeInBytes: size}, nil
}

func (s *store) UpdateKeys(_ context.Context, in *kvsapi.UpdateKeysRequest) (*kvsapi.UpdateKeysResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.write(in.KvsARN, in.IfMatch); err != nil {
		return nil, err
	}
	for _, p := range in.Puts {
		s.items[*p.Key] = *p.Value
	}
	for _, d := range in.Deletes {
		delete(s.items, *d.Key)
	}
	n, size := s.size()
	return &kvsapi.UpdateKeysResponse{ETag: s.etag(), ItemCount: n, TotalSizeInBytes: size}, nil
}

func (s *store) ListKeys(_ context.Context, in *kvsapi.ListKeysRequest) (*kvsapi.ListKeysResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lastList = in
	if err := s.find(in.KvsARN); err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(s.items))
	for k := range s.items {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := &kvsapi.ListKeysResponse{Items: []kvsapi.ListKeysResponseListItem{}}
	for _, k := range keys {
		out.Items = append(out.Items, kvsapi.ListKeysResponseListItem{Key: aws.String(k), Value: aws.String(s.items[k])})
	}
	return out, nil
}

// kvsServer serves svc with the rest-json codec alone (no gateway, no signature
// check), recording the raw request URIs.
func kvsServer(t *testing.T, svc kvsapi.Service) (*httptest.Server, func() []string) {
	t.Helper()
	router := rest.MustNewRouter(kvsapi.Operations)
	var mu sync.Mutex
	var uris []string
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n++
		rid := fmt.Sprintf("kvs-%d", n)
		uris = append(uris, r.Method+" "+r.URL.EscapedPath())
		mu.Unlock()
		body, _ := io.ReadAll(r.Body)
		m, ok := router.Route(r)
		if !ok {
			restjson.WriteError(w, rid, restjson.UnknownOperation(r.Method, r.URL.Path))
			return
		}
		in, _ := kvsapi.NewInput(m.Operation.Name)
		if err := restjson.Decode(r, body, m.Operation, m.Labels, in); err != nil {
			restjson.WriteError(w, rid, awsproto.AsError(err))
			return
		}
		if err := in.Validate(); err != nil {
			restjson.WriteError(w, rid, kvsapi.NewValidationException("%s", err.Error()))
			return
		}
		out, err := kvsapi.Invoke(r.Context(), svc, m.Operation.Name, in)
		if err != nil {
			restjson.WriteError(w, rid, awsproto.AsError(err))
			return
		}
		restjson.WriteResponse(w, rid, m.Operation, out)
	}))
	t.Cleanup(srv.Close)
	return srv, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), uris...)
	}
}

// fixedEndpoint sends every request to the test server instead of
// <account>.cloudfront-kvs.global.api.aws.
type fixedEndpoint struct{ u url.URL }

func (f fixedEndpoint) ResolveEndpoint(context.Context, kvssdk.EndpointParameters) (smithyendpoints.Endpoint, error) {
	return smithyendpoints.Endpoint{URI: f.u}, nil
}

func kvsClient(t *testing.T, raw string) *kvssdk.Client {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return kvssdk.NewFromConfig(aws.Config{
		Region: "us-east-1", RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
	}, func(o *kvssdk.Options) { o.EndpointResolverV2 = fixedEndpoint{u: *u} })
}

func TestSDK_KeyValueStore(t *testing.T) {
	t.Parallel()
	s := &store{items: map[string]string{}}
	srv, uris := kvsServer(t, s)
	c := kvsClient(t, srv.URL)
	ctx := context.Background()

	desc, err := c.DescribeKeyValueStore(ctx, &kvssdk.DescribeKeyValueStoreInput{KvsARN: aws.String(kvsARN)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(desc.ETag) != "KV0" || aws.ToString(desc.KvsARN) != kvsARN || !desc.Created.Equal(storeCreated) ||
		aws.ToInt32(desc.ItemCount) != 0 || aws.ToString(desc.Status) != "READY" {
		t.Fatalf("DescribeKeyValueStore: %+v", desc)
	}
	if rid, _ := awsmiddleware.GetRequestIDMetadata(desc.ResultMetadata); rid != "kvs-1" {
		t.Fatalf("request id %q", rid)
	}
	// The SDK escapes the ARN's ":" and "/" inside the label.
	if got := uris()[0]; got != "GET /key-value-stores/arn%3Aaws%3Acloudfront%3A%3A111122223333%3Akey-value-store%2F0c1e3b8f-6b61-4b2a-a1b9-1f0ec0a3e6e2" {
		t.Fatalf("the SDK sent %s", got)
	}

	// PutKey: Key from the URI (with a "/" in it), Value from the body, If-Match header.
	put, err := c.PutKey(ctx, &kvssdk.PutKeyInput{KvsARN: aws.String(kvsARN), Key: aws.String("path/to key"), Value: aws.String("v1"), IfMatch: aws.String("KV0")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(put.ETag) != "KV1" || aws.ToInt32(put.ItemCount) != 1 || aws.ToInt64(put.TotalSizeInBytes) != int64(len("path/to key")+2) {
		t.Fatalf("PutKey: ETag %q items %d size %d", aws.ToString(put.ETag), aws.ToInt32(put.ItemCount), aws.ToInt64(put.TotalSizeInBytes))
	}
	got, err := c.GetKey(ctx, &kvssdk.GetKeyInput{KvsARN: aws.String(kvsARN), Key: aws.String("path/to key")})
	if err != nil || aws.ToString(got.Value) != "v1" || aws.ToString(got.Key) != "path/to key" {
		t.Fatalf("GetKey: %+v %v", got, err)
	}

	// UpdateKeys: If-Match header, lists in the body.
	upd, err := c.UpdateKeys(ctx, &kvssdk.UpdateKeysInput{KvsARN: aws.String(kvsARN), IfMatch: aws.String("KV1"),
		Puts:    []kvstypes.PutKeyRequestListItem{{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("b"), Value: aws.String("2")}},
		Deletes: []kvstypes.DeleteKeyRequestListItem{{Key: aws.String("path/to key")}}})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(upd.ETag) != "KV2" || aws.ToInt32(upd.ItemCount) != 2 {
		t.Fatalf("UpdateKeys: %+v", upd)
	}

	// ListKeys: MaxResults and NextToken from the query string.
	list, err := c.ListKeys(ctx, &kvssdk.ListKeysInput{KvsARN: aws.String(kvsARN), MaxResults: aws.Int32(10), NextToken: aws.String("t0")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToInt32(s.lastList.MaxResults) != 10 || aws.ToString(s.lastList.NextToken) != "t0" {
		t.Fatalf("provider saw %+v", s.lastList)
	}
	if len(list.Items) != 2 || aws.ToString(list.Items[0].Key) != "a" || aws.ToString(list.Items[1].Value) != "2" {
		t.Fatalf("ListKeys: %+v", list.Items)
	}

	// A stale If-Match is the SDK's typed ConflictException.
	_, err = c.PutKey(ctx, &kvssdk.PutKeyInput{KvsARN: aws.String(kvsARN), Key: aws.String("a"), Value: aws.String("x"), IfMatch: aws.String("KV0")})
	var ce *kvstypes.ConflictException
	if !errors.As(err, &ce) || !strings.Contains(aws.ToString(ce.Message), "KV0") {
		t.Fatalf("stale PutKey: %v, want *types.ConflictException with the message", err)
	}
	var re *awshttp.ResponseError
	if !errors.As(err, &re) || re.HTTPStatusCode() != http.StatusConflict || re.ServiceRequestID() == "" {
		t.Fatalf("ConflictException response: %v", err)
	}

	// Other modeled errors arrive typed too.
	_, err = c.DescribeKeyValueStore(ctx, &kvssdk.DescribeKeyValueStoreInput{KvsARN: aws.String(kvsARN + "-other")})
	var nf *kvstypes.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Fatalf("unknown store: %v, want *types.ResourceNotFoundException", err)
	}
	_, err = c.DeleteKey(ctx, &kvssdk.DeleteKeyInput{KvsARN: aws.String(kvsARN), Key: aws.String("a"), IfMatch: aws.String("KV2")})
	var ve *kvstypes.ValidationException
	if !errors.As(err, &ve) || !strings.Contains(aws.ToString(ve.Message), "not supported") {
		t.Fatalf("unimplemented DeleteKey: %v, want *types.ValidationException", err)
	}
}
