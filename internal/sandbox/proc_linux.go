package sandbox

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"runtime/debug"
	"strconv"
	"syscall"
)

// supported: Linux has every limit the sandbox relies on.
const supported = true

// limitSelf sets the child's own limits. RLIMIT_AS counts address space,
// and a Go process has already reserved about 1.5 GiB of it, mostly
// untouched, before main runs: the budget is added to what is mapped now.
// The CPU limit is both soft and hard, so the kernel sends SIGKILL when it
// is reached (the Go runtime ignores SIGXCPU). No core file: a dump of a
// rule set's evaluation is of no use and could fill the disk.
func limitSelf(lim Limits) error {
	mapped, err := mappedBytes()
	if err != nil {
		return err
	}
	as := uint64(mapped) + uint64(lim.Memory)
	cpu := lim.cpuSeconds()
	for _, l := range []struct {
		name     string
		resource int
		value    uint64
	}{
		{"RLIMIT_AS", syscall.RLIMIT_AS, as},
		{"RLIMIT_CPU", syscall.RLIMIT_CPU, cpu},
		{"RLIMIT_CORE", syscall.RLIMIT_CORE, 0},
	} {
		// Never above a hard limit the child inherited: only root may
		// raise one.
		var old syscall.Rlimit
		if err := syscall.Getrlimit(l.resource, &old); err != nil {
			return fmt.Errorf("read %s: %w", l.name, err)
		}
		l.value = min(l.value, old.Max)
		if err := syscall.Setrlimit(l.resource, &syscall.Rlimit{Cur: l.value, Max: l.value}); err != nil {
			return fmt.Errorf("set %s to %d: %w", l.name, l.value, err)
		}
	}
	// Collect harder as the heap nears the budget, so a rule set that fits
	// is not stopped by garbage it no longer uses.
	debug.SetMemoryLimit(lim.Memory * 3 / 4)
	return nil
}

// mappedBytes is the process's address space now: the first field of
// /proc/self/statm, in pages.
func mappedBytes() (int64, error) {
	raw, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0, fmt.Errorf("read the address space in use: %w", err)
	}
	fields := bytes.Fields(raw)
	if len(fields) == 0 {
		return 0, fmt.Errorf("read the address space in use: /proc/self/statm is empty")
	}
	pages, err := strconv.ParseInt(string(fields[0]), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("read the address space in use: %w", err)
	}
	return pages * int64(os.Getpagesize()), nil
}

// isolate puts the child in a process group of its own, and has the wall
// limit (the command's context) kill the whole group. There is no
// parent-death signal: Linux sends it when the forking thread exits, which
// in Go can happen at any time; a child left behind still meets its CPU
// limit, or EOF on stdin, or EPIPE on stdout.
func isolate(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}

// killed reports whether the child died of SIGKILL, as the kernel kills at
// the CPU limit.
func killed(ps *os.ProcessState) bool {
	ws, ok := ps.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL
}
