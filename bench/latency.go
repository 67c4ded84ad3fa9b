package main

import (
	"slices"
	"time"
)

// Latencies collects samples; it is not safe for concurrent use (give each worker
// its own and Merge them).
type Latencies struct{ d []time.Duration }

// Add records one sample.
func (l *Latencies) Add(d time.Duration) { l.d = append(l.d, d) }

// Merge appends the samples of others.
func (l *Latencies) Merge(others ...*Latencies) {
	for _, o := range others {
		l.d = append(l.d, o.d...)
	}
}

// Len is the number of samples.
func (l *Latencies) Len() int { return len(l.d) }

// Summary is the distribution of a set of samples.
type Summary struct {
	N             int
	P50, P99, Max time.Duration
}

// Summary sorts the samples and returns p50, p99 and max (nearest rank).
func (l *Latencies) Summary() Summary {
	if len(l.d) == 0 {
		return Summary{}
	}
	slices.Sort(l.d)
	return Summary{N: len(l.d), P50: rank(l.d, 0.50), P99: rank(l.d, 0.99), Max: l.d[len(l.d)-1]}
}

func rank(sorted []time.Duration, q float64) time.Duration {
	i := int(q*float64(len(sorted))+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func medianDur(v []time.Duration) time.Duration {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func medianF(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// MedianSummary is the per-field median of several runs' summaries.
func MedianSummary(runs []Summary) Summary {
	var p50, p99, mx []time.Duration
	n := 0
	for _, r := range runs {
		p50, p99, mx = append(p50, r.P50), append(p99, r.P99), append(mx, r.Max)
		n += r.N
	}
	return Summary{N: n, P50: medianDur(p50), P99: medianDur(p99), Max: medianDur(mx)}
}
