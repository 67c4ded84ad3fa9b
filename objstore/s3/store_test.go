package s3_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/cairnhq/cairn"
	"github.com/cairnhq/cairn/internal/versitygw"
	"github.com/cairnhq/cairn/objstore/objstoretest"
	"github.com/cairnhq/cairn/objstore/s3"
)

func newStore(t testing.TB, srv *versitygw.Server, mod func(*s3.Config)) *s3.Store {
	t.Helper()
	cfg := s3.Config{
		Endpoint:        srv.Endpoint,
		Region:          srv.Region,
		PathStyle:       true,
		AccessKeyID:     srv.AccessKey,
		SecretAccessKey: srv.SecretKey,
	}
	if mod != nil {
		mod(&cfg)
	}
	st, err := s3.New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func createBucket(t testing.TB, st *s3.Store, bucket string) {
	t.Helper()
	if _, err := st.Client().CreateBucket(context.Background(), &awss3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatalf("CreateBucket(%s) = %v", bucket, err)
	}
}

func TestStore_Conformance(t *testing.T) {
	srv := versitygw.Start(t)
	objstoretest.Run(t, objstoretest.Harness{
		NewStore: func(t testing.TB) cairn.ObjectStore { return newStore(t, srv, nil) },
		CreateBucket: func(t testing.TB, st cairn.ObjectStore, bucket string) {
			createBucket(t, st.(*s3.Store), bucket)
		},
	})
}

func TestStore_CheckBucketPolicy(t *testing.T) {
	t.Parallel()
	srv := versitygw.Start(t)
	st := newStore(t, srv, nil)
	ctx := context.Background()
	const (
		bucket = "policy-bucket"
		prefix = "logs/AWSLogs/123456789012/"
		trail  = "arn:aws:cloudtrail:us-east-1:123456789012:trail/t"
	)
	createBucket(t, st, bucket)
	if err := st.CheckBucket(ctx, bucket, prefix, trail); err != nil {
		t.Fatalf("CheckBucket(no policy) = %v", err)
	}
	// versitygw v1.8.0 accepts only AWS account principals or "*", and
	// Statement only as an array, so the policies here use "*".
	tests := []struct {
		name, policy string
		ok           bool
	}{
		{"AllowAll", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":["s3:GetBucketAcl","s3:PutObject"],"Resource":["arn:aws:s3:::policy-bucket","arn:aws:s3:::policy-bucket/*"]}]}`, true},
		{"NoAclCheck", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::policy-bucket/*"}]}`, false},
		{"OtherPrefix", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":["s3:GetBucketAcl","s3:PutObject"],"Resource":["arn:aws:s3:::policy-bucket","arn:aws:s3:::policy-bucket/other/*"]}]}`, false},
		{"Denied", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::policy-bucket","arn:aws:s3:::policy-bucket/*"]},{"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::policy-bucket/logs/*"}]}`, false},
	}
	for _, tt := range tests {
		if _, err := st.Client().PutBucketPolicy(ctx, &awss3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(tt.policy)}); err != nil {
			t.Fatalf("%s: PutBucketPolicy = %v", tt.name, err)
		}
		err := st.CheckBucket(ctx, bucket, prefix, trail)
		var pe *cairn.BucketPolicyError
		switch {
		case tt.ok && err != nil:
			t.Errorf("%s: CheckBucket = %v, want nil", tt.name, err)
		case !tt.ok && (!errors.As(err, &pe) || pe.Bucket != bucket):
			t.Errorf("%s: CheckBucket = %v, want *cairn.BucketPolicyError", tt.name, err)
		}
		// Cairn writes as the bucket owner, whatever the policy says.
		if err := st.Put(ctx, bucket, prefix+"x", strings.NewReader("x"), 1, cairn.PutOptions{}); err != nil {
			t.Errorf("%s: Put = %v", tt.name, err)
		}
	}
}

func TestStore_Errors(t *testing.T) {
	t.Parallel()
	srv := versitygw.Start(t)
	ctx := context.Background()
	createBucket(t, newStore(t, srv, nil), "errors-bucket")
	// A wrong secret key. (An unknown access key is not tested: versitygw
	// v1.8.0 answers 404 XAdminUserNotFound, where AWS answers 403
	// InvalidAccessKeyId.)
	st := newStore(t, srv, func(c *s3.Config) { c.SecretAccessKey = "wrong" })
	_, headErr := st.Head(ctx, "errors-bucket", "k")
	for _, tt := range []struct {
		op   string
		err  error
		code string
	}{
		{"Put", st.Put(ctx, "errors-bucket", "k", strings.NewReader("x"), 1, cairn.PutOptions{}), "SignatureDoesNotMatch"},
		{"List", second(st.List(ctx, "errors-bucket", "", "", 0)), "SignatureDoesNotMatch"},
		{"Head", headErr, "AccessDenied"}, // HEAD: a 403 without body
		{"CheckBucket", st.CheckBucket(ctx, "errors-bucket", "AWSLogs/1/", ""), "AccessDenied"},
	} {
		var se *cairn.StoreError
		if !errors.As(tt.err, &se) || se.Code != tt.code {
			t.Errorf("%s = %v, want StoreError code %s", tt.op, tt.err, tt.code)
		}
	}
}

// TestStore_Outage stops the server under the store: calls fail fast with
// RequestError and work again after a restart, with the data kept.
func TestStore_Outage(t *testing.T) {
	t.Parallel()
	srv := versitygw.Start(t)
	st := newStore(t, srv, nil)
	ctx := context.Background()
	createBucket(t, st, "outage-bucket")
	if err := st.Put(ctx, "outage-bucket", "before", strings.NewReader("1"), 1, cairn.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	srv.Stop()
	start := time.Now()
	err := st.Put(ctx, "outage-bucket", "during", strings.NewReader("2"), 1, cairn.PutOptions{})
	var se *cairn.StoreError
	if !errors.As(err, &se) || se.Code != "RequestError" {
		t.Errorf("Put during outage = %v, want StoreError code RequestError", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Put during outage took %v; SDK retries should be modest", d)
	}
	srv.Restart()
	if err := st.Put(ctx, "outage-bucket", "after", strings.NewReader("3"), 1, cairn.PutOptions{}); err != nil {
		t.Fatalf("Put after restart = %v", err)
	}
	objs, err := st.List(ctx, "outage-bucket", "", "", 0)
	if err != nil || len(objs) != 2 || objs[0].Key != "after" || objs[1].Key != "before" {
		t.Errorf("List after restart = %+v, %v", objs, err)
	}
}

// TestStore_ACLFallback checks that a server rejecting x-amz-acl still gets the
// object, and that later puts to that bucket skip the header.
func TestStore_ACLFallback(t *testing.T) {
	t.Parallel()
	var withACL, withoutACL atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if r.Method != http.MethodPut {
			http.Error(w, "unexpected", http.StatusMethodNotAllowed)
			return
		}
		if r.Header.Get("x-amz-acl") != "" {
			withACL.Add(1)
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessControlListNotSupported</Code><Message>The bucket does not allow ACLs</Message></Error>`)
			return
		}
		withoutACL.Add(1)
		w.Header().Set("ETag", `"x"`)
	}))
	defer srv.Close()
	st, err := s3.New(context.Background(), s3.Config{Endpoint: srv.URL, Region: "us-east-1", PathStyle: true, AccessKeyID: "a", SecretAccessKey: "s"})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := st.Put(context.Background(), "noacl", "k", strings.NewReader("body"), 4, cairn.PutOptions{}); err != nil {
			t.Fatalf("Put #%d = %v", i, err)
		}
	}
	if withACL.Load() != 1 || withoutACL.Load() != 3 {
		t.Errorf("requests with x-amz-acl %d, without %d; want 1 and 3", withACL.Load(), withoutACL.Load())
	}
}

func second[T any](_ T, err error) error { return err }
