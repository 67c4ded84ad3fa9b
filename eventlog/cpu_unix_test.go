//go:build unix

package eventlog_test

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time (user+system) the process has used so far, server and
// client together: on a shared machine it measures cost where wall time cannot.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
