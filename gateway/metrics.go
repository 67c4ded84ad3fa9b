package gateway

import (
	"fmt"
	"io"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/cairnhq/cairn/awsproto"
)

// Metrics counts requests and their latency, written as Prometheus text.
type Metrics struct {
	mu       sync.Mutex
	requests map[reqKey]uint64
	buckets  []float64 // upper bounds, seconds
	counts   []uint64  // per bucket (cumulative when written)
	sum      float64
	n        uint64
	// Gauges are extra values written on each scrape (name → value func).
	Gauges map[string]func() float64
}

type reqKey struct{ service, op, code string }

// NewMetrics returns an empty metrics registry.
func NewMetrics() *Metrics {
	b := []float64{0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5}
	return &Metrics{requests: map[reqKey]uint64{}, buckets: b, counts: make([]uint64, len(b)), Gauges: map[string]func() float64{}}
}

func (m *Metrics) observe(rc *awsproto.RequestContext, d time.Duration) {
	if m == nil {
		return
	}
	code := "ok"
	if rc.Err != nil {
		code = awsproto.AsError(rc.Err).Code
	}
	s := d.Seconds()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests[reqKey{rc.Service, rc.Operation, code}]++
	m.sum += s
	m.n++
	for i, ub := range m.buckets {
		if s <= ub {
			m.counts[i]++
			break
		}
	}
}

// WriteTo writes the Prometheus text exposition.
func (m *Metrics) WriteTo(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4")
	if m == nil {
		return
	}
	m.write(w)
}

func (m *Metrics) write(w io.Writer) {
	m.mu.Lock()
	keys := make([]reqKey, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.service != b.service {
			return a.service < b.service
		}
		if a.op != b.op {
			return a.op < b.op
		}
		return a.code < b.code
	})
	fmt.Fprintln(w, "# HELP cairn_requests_total API requests served, by service, operation and error code.")
	fmt.Fprintln(w, "# TYPE cairn_requests_total counter")
	for _, k := range keys {
		fmt.Fprintf(w, "cairn_requests_total{service=%q,operation=%q,code=%q} %d\n", k.service, k.op, k.code, m.requests[k])
	}
	fmt.Fprintln(w, "# HELP cairn_request_duration_seconds API request latency, including the durable append of its event.")
	fmt.Fprintln(w, "# TYPE cairn_request_duration_seconds histogram")
	var cum uint64
	for i, ub := range m.buckets {
		cum += m.counts[i]
		fmt.Fprintf(w, "cairn_request_duration_seconds_bucket{le=\"%g\"} %d\n", ub, cum)
	}
	fmt.Fprintf(w, "cairn_request_duration_seconds_bucket{le=\"+Inf\"} %d\n", m.n)
	fmt.Fprintf(w, "cairn_request_duration_seconds_sum %g\ncairn_request_duration_seconds_count %d\n", m.sum, m.n)
	names := make([]string, 0, len(m.Gauges))
	for n := range m.Gauges {
		names = append(names, n)
	}
	sort.Strings(names)
	gauges := m.Gauges
	m.mu.Unlock()
	for _, n := range names {
		fmt.Fprintf(w, "# TYPE %s gauge\n%s %g\n", n, n, gauges[n]())
	}
}
