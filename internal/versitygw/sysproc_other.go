//go:build !linux

package versitygw

import "syscall"

func sysProcAttr() *syscall.SysProcAttr { return nil }
