package versitygw_test

import (
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/cairnhq/cairn/internal/versitygw"
)

func TestServer_StopRestart(t *testing.T) {
	t.Parallel()
	srv := versitygw.Start(t)
	if !strings.HasPrefix(srv.Endpoint, "http://127.0.0.1:") || srv.Region != "us-east-1" || srv.AccessKey == "" || srv.SecretKey == "" {
		t.Fatalf("server = %+v", srv)
	}
	client := s3.New(s3.Options{
		BaseEndpoint: aws.String(srv.Endpoint),
		Region:       srv.Region,
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(srv.AccessKey, srv.SecretKey, ""),
	})
	ctx := context.Background()
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bucket")}); err != nil {
		t.Fatalf("CreateBucket = %v", err)
	}
	if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bucket"), Key: aws.String("a/b"), Body: strings.NewReader("kept")}); err != nil {
		t.Fatalf("PutObject = %v", err)
	}
	// Buckets are directories of Dir and objects files below them.
	if b, err := os.ReadFile(filepath.Join(srv.Dir, "bucket", "a", "b")); err != nil || string(b) != "kept" {
		t.Errorf("object file = %q, %v", b, err)
	}

	srv.Stop()
	if c, err := net.Dial("tcp", strings.TrimPrefix(srv.Endpoint, "http://")); err == nil {
		c.Close()
		t.Fatal("server still accepts connections after Stop")
	}
	srv.Stop() // idempotent

	srv.Restart()
	out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bucket"), Key: aws.String("a/b")})
	if err != nil {
		t.Fatalf("GetObject after Restart = %v", err)
	}
	b, _ := io.ReadAll(out.Body)
	out.Body.Close()
	if string(b) != "kept" {
		t.Errorf("object after Restart = %q", b)
	}
}

func TestBinary(t *testing.T) {
	t.Parallel()
	p, err := versitygw.Binary()
	if err != nil {
		if !strings.Contains(err.Error(), versitygw.InstallHint) {
			t.Errorf("Binary error %q does not say how to install", err)
		}
		t.Skip(err)
	}
	if fi, err := os.Stat(p); err != nil || fi.IsDir() {
		t.Errorf("Binary = %s: %v", p, err)
	}
}
