package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Creds are an access key pair.
type Creds struct{ Key, Secret string }

// User is a caller identity: root or an IAM user with one access key.
type User struct {
	Name string // LookupEvents Username ("root" for the root)
	Creds
}

// Client sends hand-signed requests over one tuned keep-alive transport.
type Client struct {
	base   string
	hc     *http.Client
	signer *v4.Signer

	// ReuseSignatures makes requests with identical (key, region, service, target,
	// body) reuse the signed headers for up to sigReuse, as a client that signs once
	// per second would: the server still verifies every request.
	ReuseSignatures bool
	mu              sync.Mutex
	sigs            map[sigKey]signed
}

const sigReuse = time.Second

type sigKey struct{ key, region, service, target, bodySum string }

type signed struct {
	at      time.Time
	headers http.Header
}

// NewClient returns a client whose transport keeps conns idle connections to the
// server.
func NewClient(base string, conns int) *Client {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        conns * 2,
		MaxIdleConnsPerHost: conns,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
		ForceAttemptHTTP2:   false,
	}
	return &Client{base: base, hc: &http.Client{Transport: tr, Timeout: 60 * time.Second}, signer: v4.NewSigner(), sigs: map[sigKey]signed{}}
}

// Response is one answered call.
type Response struct {
	Status    int
	Body      []byte
	RequestID string
	// Latency runs from handing the signed request to the transport until the body
	// was read in full; it excludes signing.
	Latency time.Duration
}

// OK reports a 2xx status.
func (r *Response) OK() bool { return r.Status/100 == 2 }

// Err is nil for a 2xx response, else an error with the start of the body.
func (r *Response) Err(op string) error {
	if r.OK() {
		return nil
	}
	b := r.Body
	if len(b) > 300 {
		b = b[:300]
	}
	return fmt.Errorf("%s: HTTP %d: %s", op, r.Status, b)
}

// CloudTrail calls a CloudTrail JSON operation.
func (c *Client) CloudTrail(ctx context.Context, u *User, region, op string, body []byte) (*Response, error) {
	return c.do(ctx, u, region, "cloudtrail", "CloudTrail_20131101."+op, "application/x-amz-json-1.1", body)
}

// STSGetCallerIdentity calls sts GetCallerIdentity with the query protocol.
func (c *Client) STSGetCallerIdentity(ctx context.Context, u *User, region string) (*Response, error) {
	return c.do(ctx, u, region, "sts", "", "application/x-www-form-urlencoded; charset=utf-8", stsBody)
}

var stsBody = []byte("Action=GetCallerIdentity&Version=2011-06-15")

func (c *Client) do(ctx context.Context, u *User, region, service, target, ctype string, body []byte) (*Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("User-Agent", "cairn-bench/1")
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
	}
	if err := c.sign(ctx, req, u, region, service, target, body); err != nil {
		return nil, err
	}
	start := time.Now()
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, err
	}
	out, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	lat := time.Since(start)
	if err != nil {
		return nil, fmt.Errorf("read response: %w", err)
	}
	return &Response{Status: resp.StatusCode, Body: out, RequestID: resp.Header.Get("X-Amzn-Requestid"), Latency: lat}, nil
}

func (c *Client) sign(ctx context.Context, req *http.Request, u *User, region, service, target string, body []byte) error {
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	var k sigKey
	if c.ReuseSignatures {
		k = sigKey{u.Key, region, service, target, hash}
		c.mu.Lock()
		s, ok := c.sigs[k]
		c.mu.Unlock()
		if ok && time.Since(s.at) < sigReuse {
			for h, v := range s.headers {
				req.Header[h] = v
			}
			return nil
		}
	}
	before := req.Header.Clone()
	now := time.Now()
	if err := c.signer.SignHTTP(ctx, aws.Credentials{AccessKeyID: u.Key, SecretAccessKey: u.Secret}, req, hash, service, region, now); err != nil {
		return fmt.Errorf("sign: %w", err)
	}
	if c.ReuseSignatures {
		added := http.Header{}
		for h, v := range req.Header {
			if _, had := before[h]; !had || h == "Authorization" || h == "X-Amz-Date" {
				added[h] = v
			}
		}
		c.mu.Lock()
		c.sigs[k] = signed{at: now, headers: added}
		c.mu.Unlock()
	}
	return nil
}

// SignCost measures the client CPU cost of signing one GetTrail request (median of
// rounds of n signatures, wall time on an otherwise idle client).
func SignCost(n, rounds int) time.Duration {
	u := &User{Name: "root", Creds: Creds{benchRootKey, benchRootSec}}
	c := NewClient("http://127.0.0.1:1", 1)
	body := []byte(`{"Name":"bench"}`)
	var per []time.Duration
	for range rounds {
		start := time.Now()
		for range n {
			req, _ := http.NewRequest(http.MethodPost, c.base+"/", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/x-amz-json-1.1")
			req.Header.Set("X-Amz-Target", "CloudTrail_20131101.GetTrail")
			c.sign(context.Background(), req, u, "us-east-1", "cloudtrail", "CloudTrail_20131101.GetTrail", body)
		}
		per = append(per, time.Since(start)/time.Duration(n))
	}
	return medianDur(per)
}
