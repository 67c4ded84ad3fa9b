package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// The CloudFront suite drives Cairn with aws-sdk-go-v2's own clients, as
// cmd/cairn/seed_test.go does: AWS's host names and endpoints are kept
// (cloudfront.amazonaws.com, <account>.cloudfront-kvs.global.api.aws with SigV4A)
// and only the dialer is pointed at Cairn's HTTPS listener, whose self-signed
// certificate (<data-dir>/tls/cert.pem) is trusted.

// wireKey is the context key of a *wireInfo that timedDoer fills.
type wireKey struct{}

// wireInfo is what the transport saw of one call.
type wireInfo struct {
	lat   time.Duration // request handed to the transport until the body was read
	bytes int           // response body size
}

// timedDoer is the SDK's HTTP client. It reads each response body in full before
// handing the response to the SDK, and stores the time from handing the signed
// request to the transport until the body was read (the same definition as the
// CloudTrail suite's latency) in the context's *wireInfo. The SDK call's own
// time (serialize, sign, send, parse) is measured around the call.
type timedDoer struct {
	hc       *http.Client
	requests atomic.Int64 // HTTP requests sent (the SDK does not retry: see sdkConfig)
}

func (d *timedDoer) Do(req *http.Request) (*http.Response, error) {
	d.requests.Add(1)
	start := time.Now()
	resp, err := d.hc.Do(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("read response: %w", err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if p, ok := req.Context().Value(wireKey{}).(*wireInfo); ok {
		p.lat, p.bytes = time.Since(start), len(body)
	}
	return resp, nil
}

// sdkConfig returns an aws.Config whose clients reach the server's TLS listener with
// up to conns keep-alive connections. Retries are off, so that every error counts
// and every call is one request (one recorded event).
func (b *Bench) sdkConfig(conns int) (aws.Config, *timedDoer, error) {
	if b.srv.TLSAddr == "" {
		return aws.Config{}, nil, fmt.Errorf("server started without --tls-listen")
	}
	pem, err := os.ReadFile(filepath.Join(b.srv.DataDir, "tls", "cert.pem"))
	if err != nil {
		return aws.Config{}, nil, fmt.Errorf("server's self-signed certificate: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return aws.Config{}, nil, fmt.Errorf("no certificate in %s/tls/cert.pem", b.srv.DataDir)
	}
	dialer := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	addr := b.srv.TLSAddr
	tr := &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool},
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, network, addr)
		},
		MaxIdleConns:        conns * 2,
		MaxIdleConnsPerHost: conns,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	d := &timedDoer{hc: &http.Client{Transport: tr, Timeout: 60 * time.Second}}
	return aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider(b.srv.Root.Key, b.srv.Root.Secret, ""),
		HTTPClient:  d,
		Retryer:     func() aws.Retryer { return aws.NopRetryer{} },
	}, d, nil
}

// SDKRun is one load run made through the SDK. Load.Lat is the wire latency (request
// handed to the transport until the response body was read); Call is the latency of
// the SDK call as a whole.
type SDKRun struct {
	Load LoadResult
	Call Summary
}

// sdkLoad runs call in a closed loop like RunLoad. Calls are not canceled when the
// run ends (a canceled write would leave the worker without the resource's new
// ETag); each is bounded by the HTTP client's timeout.
func (b *Bench) sdkLoad(ctx context.Context, name string, workers int, total int64, d time.Duration, call func(ctx context.Context, w int) error) SDKRun {
	calls := make([]*Latencies, workers)
	for i := range calls {
		calls[i] = &Latencies{}
	}
	res := RunLoad(ctx, b.srv, LoadSpec{Name: name, Workers: workers, Total: total, Duration: d}, func(ctx context.Context, w int, lat *Latencies) (int, error) {
		var wire wireInfo
		cctx := context.WithValue(context.WithoutCancel(ctx), wireKey{}, &wire)
		start := time.Now()
		err := call(cctx, w)
		el := time.Since(start)
		if err != nil {
			return 1, err
		}
		lat.Add(wire.lat)
		calls[w].Add(el)
		return 1, nil
	})
	all := &Latencies{}
	all.Merge(calls...)
	return SDKRun{Load: res, Call: all.Summary()}
}

// medianSDK is the median over runs of rate, wire latency and call latency, with
// CPU shares.
func medianSDK(runs []SDKRun) (rate float64, wire, call Summary, clientPct, serverPct float64) {
	var loads []LoadResult
	var calls []Summary
	for _, r := range runs {
		loads = append(loads, r.Load)
		calls = append(calls, r.Call)
	}
	rate, wire, _, clientPct, serverPct = loadMedians(loads)
	return rate, wire, MedianSummary(calls), clientPct, serverPct
}

func sdkErrors(runs []SDKRun) (n int64, first string) {
	for _, r := range runs {
		n += r.Load.Errors
		if first == "" {
			first = r.Load.FirstError
		}
	}
	return n, first
}
