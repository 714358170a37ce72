// Command triangulate checks NHS operational plans held as code: each plan a
// CUE file validated against the schema, the whole set checked by OPA
// policies for alignment, believability and control totals. See README.md.
package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/triangulate-nhs/triangulate/internal/cli"
)

// exitInterrupted is the exit code of a run stopped by SIGINT or SIGTERM
// (128 + SIGINT, as shells report Ctrl-C), documented in the README. One
// code for both: a CI job cancelled with SIGTERM and a person pressing
// Ctrl-C both mean "no result".
const exitInterrupted = 130

// gracePeriod is how long an interrupted run may take to wind down before
// the process exits regardless. Work that honours its context returns in
// milliseconds; CUE evaluation does not (a file under its deadline can take
// up to two seconds), and nobody waiting on Ctrl-C should wait longer.
const gracePeriod = 2 * time.Second

// serveGrace bounds how long `serve` may take to stop after SIGTERM: for a
// server the signal is the ordinary way to stop, so its own shutdown (let
// running reviews finish within --shutdown-grace, 25 s by default) decides
// the exit code, and this only catches a shutdown that hangs.
const serveGrace = 90 * time.Second

func main() {
	args := os.Args[1:]
	if len(args) > 0 && args[0] == "serve" {
		os.Exit(runServer(cli.Main, args, os.Stdout, os.Stderr, serveGrace))
	}
	stop := profile(os.Getenv("TRIANGULATE_CPUPROFILE"), os.Stderr)
	code := run(cli.Main, args, os.Stdout, os.Stderr, gracePeriod)
	stop()
	os.Exit(code)
}

// profile writes a CPU profile of the whole run to path when it is set
// (README, Performance: for `go tool pprof`); the returned function ends it.
func profile(path string, stderr io.Writer) func() {
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err == nil {
		err = pprof.StartCPUProfile(f)
	}
	if err != nil {
		fmt.Fprintf(stderr, "triangulate: no CPU profile: %v\n", err)
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			fmt.Fprintf(stderr, "triangulate: CPU profile: %v\n", err)
		}
	}
}

// runServer runs a server until it returns: a signal cancels its context
// and it shuts down gracefully, returning its own exit code; one that has
// not returned within grace is abandoned with exitInterrupted.
func runServer(w work, args []string, stdout, stderr io.Writer, grace time.Duration) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	done := make(chan int, 1)
	go func() { done <- w(ctx, args, stdout, stderr) }()
	select {
	case code := <-done:
		return code
	case <-ctx.Done():
		stop() // a second signal ends the process at once
	}
	timer := time.NewTimer(grace)
	defer timer.Stop()
	select {
	case code := <-done:
		return code
	case <-timer.C:
		fmt.Fprintln(stderr, "triangulate: serve did not stop within its grace period")
		return exitInterrupted
	}
}

// work is the command line proper; run adds signal handling around it.
type work func(ctx context.Context, args []string, stdout, stderr io.Writer) int

// run runs w with a context that the first SIGINT or SIGTERM cancels. The
// report is held until w returns, so an interrupted run never writes part of
// one: on a signal, run waits up to grace for w to return, discards its
// output, says so on stderr and returns exitInterrupted. A second signal
// ends the process at once (the default action, restored after the first).
func run(w work, args []string, stdout, stderr io.Writer, grace time.Duration) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var out bytes.Buffer
	done := make(chan int, 1) // buffered: an abandoned w must not block
	go func() { done <- w(ctx, args, &out, stderr) }()
	select {
	case code := <-done:
		if ctx.Err() == nil {
			stop()
			if _, err := stdout.Write(out.Bytes()); err != nil {
				fmt.Fprintf(stderr, "triangulate: write output: %v\n", err)
				return cli.ExitInput
			}
			return code
		}
	case <-ctx.Done():
		stop()
		timer := time.NewTimer(grace)
		defer timer.Stop()
		select {
		case <-done:
		case <-timer.C:
		}
	}
	fmt.Fprintln(stderr, "triangulate: interrupted: partial results discarded")
	return exitInterrupted
}
