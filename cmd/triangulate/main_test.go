package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

// helperEnv makes the test binary act as the command (see TestMain), so the
// tests send real signals to a real process without building it first.
const helperEnv = "TRIANGULATE_TEST_HELPER"

// testGrace is the grace period of the helper processes: short, so a test
// that waits it out stays fast.
const testGrace = 200 * time.Millisecond

func TestMain(m *testing.M) {
	switch os.Getenv(helperEnv) {
	case "":
		// The helper processes inherit a result cache of their own,
		// away from the user's.
		dir, err := os.MkdirTemp("", "triangulate-main-cache-")
		if err != nil {
			panic(err)
		}
		os.Setenv("XDG_CACHE_HOME", dir)
		code := m.Run()
		os.RemoveAll(dir)
		os.Exit(code)
	case "cli":
		main()
	case "stuck":
		// Work that ignores its context, as CUE evaluation does: it has
		// written part of a report when the signal comes.
		os.Exit(run(func(_ context.Context, _ []string, stdout, stderr io.Writer) int {
			fmt.Fprint(stdout, "partial report\n")
			fmt.Fprintln(stderr, "ready")
			select {}
		}, os.Args[1:], os.Stdout, os.Stderr, testGrace))
	case "prompt":
		// Work that honours its context and returns at once.
		os.Exit(run(func(ctx context.Context, _ []string, stdout, stderr io.Writer) int {
			fmt.Fprint(stdout, "partial report\n")
			fmt.Fprintln(stderr, "ready")
			<-ctx.Done()
			return 2
		}, os.Args[1:], os.Stdout, os.Stderr, testGrace))
	case "server":
		// A server stops on a signal by design and returns its own code.
		os.Exit(runServer(func(ctx context.Context, _ []string, _, stderr io.Writer) int {
			fmt.Fprintln(stderr, "ready")
			<-ctx.Done()
			time.Sleep(50 * time.Millisecond) // reviews finishing
			return 0
		}, os.Args[1:], os.Stdout, os.Stderr, testGrace))
	case "server-stuck":
		os.Exit(runServer(func(_ context.Context, _ []string, _, stderr io.Writer) int {
			fmt.Fprintln(stderr, "ready")
			select {}
		}, os.Args[1:], os.Stdout, os.Stderr, testGrace))
	case "done":
		os.Exit(run(func(_ context.Context, _ []string, stdout, _ io.Writer) int {
			fmt.Fprint(stdout, "whole report\n")
			return 1
		}, os.Args[1:], os.Stdout, os.Stderr, testGrace))
	}
}

// proc is a helper process under test.
type proc struct {
	cmd            *exec.Cmd
	stdout, stderr bytes.Buffer
	ready          chan struct{} // closed when the work has started
	read           chan struct{} // closed when stderr is read to its end
}

func start(t *testing.T, mode string, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(os.Args[0], args...), ready: make(chan struct{}), read: make(chan struct{})}
	p.cmd.Env = append(os.Environ(), helperEnv+"="+mode)
	p.cmd.Stdout = &p.stdout
	errPipe, err := p.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(p.read)
		sc := bufio.NewScanner(errPipe)
		for sc.Scan() {
			if sc.Text() == "ready" {
				close(p.ready)
				continue
			}
			p.stderr.WriteString(sc.Text() + "\n")
		}
	}()
	t.Cleanup(func() { _ = p.cmd.Process.Kill() })
	return p
}

// wait waits for the process to exit and returns its exit code and how long
// it took.
func (p *proc) wait(t *testing.T, from time.Time) (int, time.Duration) {
	t.Helper()
	<-p.read // the pipe closes when the process exits
	took := time.Since(from)
	err := p.cmd.Wait()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, took
	case errors.As(err, &ee):
		return ee.ExitCode(), took
	}
	t.Fatal(err)
	return 0, 0
}

// TestInterrupt: on SIGTERM or SIGINT the process exits within the grace
// period with exitInterrupted, a message on stderr and nothing on stdout,
// whether or not the work honours its context; a run that is not
// interrupted writes its report and exit code as before.
func TestInterrupt(t *testing.T) {
	tests := []struct {
		mode   string
		signal syscall.Signal
		within time.Duration
	}{
		{"stuck", syscall.SIGTERM, testGrace + time.Second},
		{"stuck", syscall.SIGINT, testGrace + time.Second},
		{"prompt", syscall.SIGTERM, testGrace},
	}
	for _, tc := range tests {
		t.Run(tc.mode+"/"+tc.signal.String(), func(t *testing.T) {
			p := start(t, tc.mode)
			select {
			case <-p.ready:
			case <-time.After(10 * time.Second):
				t.Fatal("helper never started its work")
			}
			sent := time.Now()
			if err := p.cmd.Process.Signal(tc.signal); err != nil {
				t.Fatal(err)
			}
			code, took := p.wait(t, sent)
			if code != exitInterrupted || took > tc.within {
				t.Errorf("exit %d after %v, want %d within %v", code, took, exitInterrupted, tc.within)
			}
			if p.stdout.Len() != 0 {
				t.Errorf("stdout %q, want nothing: an interrupted run writes no partial report", p.stdout.String())
			}
			if !strings.Contains(p.stderr.String(), "interrupted: partial results discarded") {
				t.Errorf("stderr %q does not say the run was interrupted", p.stderr.String())
			}
		})
	}
	t.Run("not interrupted", func(t *testing.T) {
		p := start(t, "done")
		code, _ := p.wait(t, time.Now())
		if code != 1 || p.stdout.String() != "whole report\n" {
			t.Errorf("exit %d, stdout %q; want 1 and the whole report", code, p.stdout.String())
		}
	})
}

// TestInterruptCheck: SIGTERM during a real check of a large plan set (it
// takes seconds) ends the process promptly, with no partial report. Before
// signal handling waited for the work, the load ran to its end, ignoring the
// signal, and the process exited 2.
func TestInterruptCheck(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the command on a large plan set")
	}
	dir := largeRepo(t, 1000)
	p := start(t, "cli", "check", dir)
	// Into the run, which takes about five seconds here (two cores): the
	// signal lands while the plans are read.
	time.Sleep(300 * time.Millisecond)
	sent := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	code, took := p.wait(t, sent)
	t.Logf("exit %d %v after SIGTERM", code, took)
	if code != exitInterrupted || took > gracePeriod+500*time.Millisecond {
		t.Errorf("exit %d after %v, want %d within %v", code, took, exitInterrupted, gracePeriod+500*time.Millisecond)
	}
	if p.stdout.Len() != 0 {
		t.Errorf("stdout %q, want nothing", p.stdout.String())
	}
	if !strings.Contains(p.stderr.String(), "interrupted: partial results discarded") {
		t.Errorf("stderr %q does not say the run was interrupted", p.stderr.String())
	}
}

// largeRepo is the repository's schema and policies with n copies of a
// provider plan, each filed as its own trust.
func largeRepo(t *testing.T, n int) string {
	t.Helper()
	root, dir := testutil.Root(t), t.TempDir()
	for _, d := range []string{"cue.mod", "schema", "policy", "plans"} {
		if err := os.CopyFS(filepath.Join(dir, d), os.DirFS(filepath.Join(root, d))); err != nil {
			t.Fatal(err)
		}
	}
	src, err := os.ReadFile(filepath.Join(root, "plans", "2019-20", "providers", "rtk.cue"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		name := filepath.Join(dir, "plans", "2019-20", "providers", fmt.Sprintf("r%02d.cue", i))
		if err := os.WriteFile(name, src, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestServerStops: SIGTERM is how a server stops: it shuts down and exits
// with its own code (0); one whose shutdown hangs is abandoned after the
// grace period with exitInterrupted.
func TestServerStops(t *testing.T) {
	for _, tc := range []struct {
		mode string
		code int
	}{{"server", 0}, {"server-stuck", exitInterrupted}} {
		t.Run(tc.mode, func(t *testing.T) {
			p := start(t, tc.mode)
			<-p.ready
			from := time.Now()
			if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			code, took := p.wait(t, from)
			if code != tc.code || took > testGrace+2*time.Second {
				t.Errorf("exit %d after %v, want %d within the grace period", code, took, tc.code)
			}
		})
	}
}

// TestCPUProfile: TRIANGULATE_CPUPROFILE writes a CPU profile of the run
// (gzipped protocol buffers, as `go tool pprof` reads them); a path that
// cannot be written is said on stderr and the run goes on.
func TestCPUProfile(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name, path, stderr string
	}{
		{"written", filepath.Join(dir, "cpu.prof"), ""},
		{"unwritable", filepath.Join(dir, "missing", "cpu.prof"), "triangulate: no CPU profile: open " + filepath.Join(dir, "missing", "cpu.prof")},
	} {
		t.Run(c.name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "help")
			cmd.Env = append(os.Environ(), helperEnv+"=cli", "TRIANGULATE_CPUPROFILE="+c.path)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil || !strings.Contains(string(out), "check") {
				t.Fatalf("help: %v\n%s%s", err, out, stderr.String())
			}
			if c.stderr != "" {
				if !strings.HasPrefix(stderr.String(), c.stderr) {
					t.Fatalf("stderr %q, want %q...", stderr.String(), c.stderr)
				}
				return
			}
			b, err := os.ReadFile(c.path)
			if err != nil || len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
				t.Fatalf("profile: %v, % x", err, b[:min(len(b), 4)])
			}
		})
	}
}
