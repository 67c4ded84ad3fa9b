package main

import (
	"testing"
	"time"
)

func TestLatencies_StretchP99s(t *testing.T) {
	l := &Latencies{}
	// Three stretches of 100: the second holds one slow sample (its p99 is the
	// 99th of 100, so the slow one shows only as the max), the third two.
	for i := range 300 {
		d := time.Millisecond
		if i == 150 || i == 250 || i == 251 {
			d = 10 * time.Millisecond
		}
		l.Add(d)
	}
	l.Add(time.Hour) // a short last stretch is dropped
	got := l.StretchP99s(100)
	want := []time.Duration{time.Millisecond, time.Millisecond, 10 * time.Millisecond}
	if len(got) != len(want) {
		t.Fatalf("StretchP99s = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("StretchP99s = %v, want %v", got, want)
		}
	}
	c := CompareStretches(5*time.Millisecond, 100, l)
	if c.Stretch != 3 || c.AtLeast != 1 || c.Median != time.Millisecond || c.Ratio() != 5 {
		t.Errorf("CompareStretches = %+v (ratio %.2f)", c, c.Ratio())
	}
}
