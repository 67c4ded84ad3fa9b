package versitygw

import "syscall"

// sysProcAttr makes the kernel kill the server when the test process dies
// without running its cleanups (a panic or -timeout), so no server outlives it.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
