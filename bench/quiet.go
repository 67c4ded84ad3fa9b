package main

import (
	"context"
	"errors"
	"os"
	"strconv"
	"strings"
	"time"
)

// cpuTimes parses the aggregate "cpu" line of /proc/stat: the idle time (idle and
// iowait) and the total, in clock ticks.
func cpuTimes(stat string) (idle, total uint64, err error) {
	for line := range strings.Lines(stat) {
		f := strings.Fields(line)
		if len(f) < 5 || f[0] != "cpu" {
			continue
		}
		for i, s := range f[1:] {
			v, err := strconv.ParseUint(s, 10, 64)
			if err != nil {
				return 0, 0, err
			}
			total += v
			if i == 3 || i == 4 { // idle, iowait
				idle += v
			}
		}
		return idle, total, nil
	}
	return 0, 0, errors.New("no cpu line in /proc/stat")
}

// machineIdle is the share of the machine's CPU time that was idle over d.
func machineIdle(ctx context.Context, d time.Duration) (float64, error) {
	read := func() (uint64, uint64, error) {
		b, err := os.ReadFile("/proc/stat")
		if err != nil {
			return 0, 0, err
		}
		return cpuTimes(string(b))
	}
	i0, t0, err := read()
	if err != nil {
		return 0, err
	}
	sleepCtx(ctx, d)
	i1, t1, err := read()
	if err != nil {
		return 0, err
	}
	if t1 <= t0 {
		return 1, nil
	}
	return float64(i1-i0) / float64(t1-t0), nil
}

// quietIdle is how idle (a share of all CPUs) the machine must be, over a second,
// before an idle figure is taken.
const quietIdle = 0.9

// waitQuiet waits, at most max, until the machine has been at least quietIdle idle
// over a second, so that an idle figure is not taken beside other work (a run that
// starts right after another may still share the machine with the last run's
// processes ending and its gigabytes of files being removed). It returns the last
// idle share seen and how long it waited.
func waitQuiet(ctx context.Context, max time.Duration) (float64, time.Duration) {
	start := time.Now()
	for {
		idle, err := machineIdle(ctx, time.Second)
		if err != nil || idle >= quietIdle || time.Since(start) >= max || ctx.Err() != nil {
			return idle, time.Since(start)
		}
	}
}
