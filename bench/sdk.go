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
	"sync"
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
	buf   *[]byte       // pooled body buffer, released when the call is done
}

// bodyBuffers hold response bodies until the SDK call that reads them ends: reading
// a 3 MiB ListDistributions page with io.ReadAll cost the harness more CPU (fresh,
// zeroed, doubling buffers) than the server spent answering it, inside the timed
// wire latency.
var bodyBuffers sync.Pool

// release returns the call's body buffer to the pool.
func (w *wireInfo) release() {
	if w.buf != nil {
		bodyBuffers.Put(w.buf)
		w.buf = nil
	}
}

// readBodyCloser is a response body the doer has read in full.
type readBodyCloser struct {
	*bytes.Reader
	b []byte
}

func (*readBodyCloser) Close() error { return nil }

// Bytes returns the whole body.
func (r *readBodyCloser) Bytes() []byte { return r.b }

// readBody reads resp's body, into a pooled buffer kept in wire when the length is
// known and wire is set.
func readBody(resp *http.Response, wire *wireInfo) ([]byte, error) {
	n := resp.ContentLength
	if n < 0 || wire == nil {
		return io.ReadAll(resp.Body)
	}
	bp, _ := bodyBuffers.Get().(*[]byte)
	if bp == nil {
		bp = new([]byte)
	}
	if int64(cap(*bp)) < n {
		*bp = make([]byte, n)
	}
	body := (*bp)[:n]
	wire.buf = bp
	if _, err := io.ReadFull(resp.Body, body); err != nil {
		return nil, err
	}
	return body, nil
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
	wire, _ := req.Context().Value(wireKey{}).(*wireInfo)
	body, err := readBody(resp, wire)
	resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("read response: %w", err)
	}
	resp.Body = &readBodyCloser{Reader: bytes.NewReader(body), b: body}
	if wire != nil {
		wire.lat, wire.bytes = time.Since(start), len(body)
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
		wire.release()
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
