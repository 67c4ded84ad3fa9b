// Command cairn is Cairn's single binary: the server (cairn serve), its operator
// commands (cairn admin …) and its version. Only this package wires the layers
// together.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Version is set at build time with -ldflags "-X main.Version=…".
var Version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	m := NewMain()
	if err := m.Run(ctx, os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(2)
		}
		fmt.Fprintln(m.Stderr, "cairn:", err)
		os.Exit(1)
	}
}

// Main is the program: subcommands run through it so tests can call Run directly.
type Main struct {
	Stdout, Stderr io.Writer
	Getenv         func(string) string
}

// NewMain returns a Main bound to the process's standard streams and environment.
func NewMain() *Main { return &Main{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv} }

// Run runs the subcommand named by args[0].
func (m *Main) Run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		m.usage()
		return flag.ErrHelp
	}
	switch args[0] {
	case "serve":
		return (&ServeCommand{Main: m}).Run(ctx, args[1:])
	case "admin":
		return (&AdminCommand{Main: m}).Run(ctx, args[1:])
	case "validate-logs":
		return (&ValidateLogsCommand{Main: m, Exit: os.Exit}).Run(ctx, args[1:])
	case "version", "-version", "--version":
		fmt.Fprintln(m.Stdout, "cairn", Version)
		return nil
	case "help", "-h", "--help":
		m.usage()
		return nil
	}
	m.usage()
	return fmt.Errorf("unknown command %q", args[0])
}

func (m *Main) usage() {
	fmt.Fprint(m.Stderr, `Cairn: a self-hosted, AWS-wire-compatible CloudTrail.

Usage:
  cairn serve [flags]      run the server (cairn serve -h lists the flags)
  cairn admin <command>    manage accounts, IAM users and access keys
  cairn validate-logs      validate a trail's digest and log files (like aws cloudtrail validate-logs)
  cairn version            print the version
`)
}
