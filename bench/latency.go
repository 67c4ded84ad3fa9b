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

// StretchP99s splits the samples, in the order they were added, into consecutive
// stretches of n (a shorter last one is dropped) and returns each stretch's p99.
// Call it before Summary, which sorts the samples.
func (l *Latencies) StretchP99s(n int) []time.Duration {
	if n <= 0 {
		return nil
	}
	var out []time.Duration
	buf := make([]time.Duration, n)
	for i := 0; i+n <= len(l.d); i += n {
		copy(buf, l.d[i:i+n])
		slices.Sort(buf)
		out = append(out, rank(buf, 0.99))
	}
	return out
}

// StretchCompare is a p99 measured over n samples set against the p99s of the
// stretches of n samples of a baseline taken in the same minutes.
type StretchCompare struct {
	N       int
	P99     time.Duration
	Median  time.Duration // median of the baseline stretches' p99s
	Stretch int           // baseline stretches
	AtLeast int           // baseline stretches whose p99 is at least P99
}

// CompareStretches sets p99, measured over n samples, against base's stretches of n.
func CompareStretches(p99 time.Duration, n int, base *Latencies) StretchCompare {
	ps := base.StretchP99s(n)
	c := StretchCompare{N: n, P99: p99, Stretch: len(ps), Median: medianDur(ps)}
	for _, x := range ps {
		if x >= p99 {
			c.AtLeast++
		}
	}
	return c
}

// Ratio is P99 over the median stretch p99.
func (c StretchCompare) Ratio() float64 {
	if c.Median <= 0 {
		return 0
	}
	return float64(c.P99) / float64(c.Median)
}

// P99 is the samples' p99, leaving their order as it was (for StretchP99s).
func (l *Latencies) P99() time.Duration {
	if len(l.d) == 0 {
		return 0
	}
	return l.StretchP99s(len(l.d))[0]
}
