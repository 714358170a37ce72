// Package sandbox evaluates rules a pull request proposes (its schema,
// policies, register and waivers) over its plans in a child process with
// memory, CPU and wall-clock limits. Those rules are written by the people
// the tool judges: CUE evaluation cannot be interrupted and OPA builds
// whatever a rule asks for, so only the operating system can stop them.
//
// The parent (Evaluate) re-runs its own executable with the hidden
// subcommand Command, sends the head's rules and plans as JSON on stdin and
// reads the findings back as JSON, each way bounded. The child (Serve) sets
// its own resource limits before it reads a byte of input. A rule set that
// breaks a limit comes back as a *LimitError saying which, in words.
//
// The limits need Linux (setrlimit, process groups, /proc); elsewhere
// Evaluate refuses with ErrUnsupported rather than run the rules unbounded.
package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/triangulate-nhs/triangulate/internal/check"
	"github.com/triangulate-nhs/triangulate/internal/finding"
)

// Command is the hidden subcommand that runs the child: `triangulate
// __sandbox`. The underscores keep it out of anyone's way; it is not for
// people.
const Command = "__sandbox"

// Default limits for one evaluation of proposed rules.
const (
	// DefaultMemory is the address space the child may map on top of what
	// the Go runtime has mapped when it starts (about 1.5 GiB of mostly
	// untouched reservations, so an absolute RLIMIT_AS would not do). The
	// bundled rules over a national-scale plan set (about 400 organisations,
	// BenchmarkEvaluateNationalScale) peak at about 450 MiB resident and
	// pass within 512 MiB; 1 GiB is twice that, and stops a rule building a
	// list of 1e10 numbers in about 6 s.
	DefaultMemory = 1 << 30
	// DefaultCPU is the CPU time the child may use. The national-scale plan
	// set takes about 3 s of CPU; a minute is twenty times that, and stops a
	// quadratic comprehension that would run for hours.
	DefaultCPU = 60 * time.Second
	// DefaultWall bounds the whole evaluation in real time, enforced by the
	// parent: it stops a child that waits instead of computing, and gives
	// the CPU limit, whose message names the cause, half a minute to act
	// first on a child that shares a busy machine.
	DefaultWall = 90 * time.Second
)

// Caps on what crosses the process boundary.
const (
	// MaxRequest bounds the rules and plans sent to the child. A year's
	// plans at national scale (about 400 organisations) with the bundled
	// rules are under 4 MiB; sixteen times that leaves room for years.
	MaxRequest = 64 << 20
	// MaxRequestFile bounds one file sent with its contents; a larger one is
	// sent by name and size only. Every loader refuses a file this size
	// before reading it (plans and registers at 1 MiB by default), and the
	// child's memory is for evaluating rules, not for holding files.
	MaxRequestFile = 8 << 20
	// MaxOutput bounds the findings read back. The bundled plans at
	// national scale give about 115 KiB; 32 MiB holds a 2 KiB finding from
	// every rule on every organisation at that scale (34 x 400 x 2 KiB is
	// about 27 MiB), and stops a rule that floods.
	MaxOutput = 32 << 20
	// MaxStderr bounds what is kept of the child's error output: the first
	// lines say why it stopped; the rest would be a goroutine dump.
	MaxStderr = 16 << 10
)

// maxWire bounds the request as encoded: file contents travel in base64
// (4/3 of their size) and the rest is names and sizes.
const maxWire = 2 * MaxRequest

// waitDelay is how long the parent waits for the child's pipes to close
// after killing it, before giving up on them.
const waitDelay = 2 * time.Second

// envChild marks the environment of a child, so a test binary, which has no
// Command, knows to serve instead of running its tests (see child.go).
const envChild = "TRIANGULATE_SANDBOX_CHILD"

// Limits bound one evaluation. Zero fields take the defaults.
type Limits struct {
	// Memory is in bytes of address space above the child's starting point
	// (RLIMIT_AS).
	Memory int64
	// CPU is rounded up to whole seconds (RLIMIT_CPU).
	CPU time.Duration
	// Wall is enforced by the parent, which kills the child's process group.
	Wall time.Duration
}

func (l Limits) withDefaults() Limits {
	if l.Memory <= 0 {
		l.Memory = DefaultMemory
	}
	if l.CPU <= 0 {
		l.CPU = DefaultCPU
	}
	if l.Wall <= 0 {
		l.Wall = DefaultWall
	}
	return l
}

// cpuSeconds is the CPU limit as setrlimit takes it: whole seconds, at
// least one.
func (l Limits) cpuSeconds() uint64 {
	return uint64(max(1, (l.CPU+time.Second-1)/time.Second))
}

// ErrUnsupported is returned where the child cannot be limited.
var ErrUnsupported = errors.New("proposed rules are only evaluated on Linux, where they can be sandboxed")

// LimitError says which limit a rule set broke.
type LimitError struct {
	// Limit is "memory", "CPU", "time" or "output".
	Limit string
	// Size is the limit in words, e.g. "1 GiB" or "60 s".
	Size string
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("the proposed rules exceeded the %s %s limit and were stopped", e.Size, e.Limit)
}

// request is what the parent sends: the options of the run and the head's
// files under the folders the pipeline reads.
type request struct {
	Options check.Options `json:"options"`
	Files   []file        `json:"files"`
}

// response is what the child sends back. Error is set when the proposed
// rules do not load or evaluate; it is the pipeline's own message.
type response struct {
	Findings []finding.Finding `json:"findings"`
	Error    string            `json:"error,omitempty"`
}

// Evaluate checks the plans in head with head's own rules in a child
// process, within lim, and returns the findings. An error is a *LimitError
// when a limit stopped the child, the pipeline's message when the rules do
// not load, or what went wrong with the child otherwise. It never hangs
// past lim.Wall (plus a moment to reap the child).
func Evaluate(ctx context.Context, head fs.FS, opts check.Options, lim Limits) ([]finding.Finding, error) {
	if !supported {
		return nil, ErrUnsupported
	}
	lim = lim.withDefaults()
	files, err := snapshot(head, MaxRequest, MaxRequestFile)
	if err != nil {
		return nil, fmt.Errorf("send the proposed rules to the sandbox: %w", err)
	}
	req, err := json.Marshal(request{Options: opts, Files: files})
	if err == nil && len(req) > maxWire {
		err = fmt.Errorf("%d files are over %s as a request", len(files), bytesInWords(maxWire))
	}
	if err != nil {
		return nil, fmt.Errorf("send the proposed rules to the sandbox: %w", err)
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("find the sandbox executable: %w", err)
	}
	return run(ctx, append([]string{exe}, childArgs(lim)...), req, lim)
}

// childArgs are the arguments that make an executable the child.
func childArgs(lim Limits) []string {
	return []string{Command, "-memory", strconv.FormatInt(lim.Memory, 10), "-cpu", strconv.FormatUint(lim.cpuSeconds(), 10)}
}

var (
	errWall   = errors.New("wall-clock limit")
	errOutput = errors.New("output limit")
)

// run starts argv as the child, feeds it req and judges how it ended.
func run(ctx context.Context, argv []string, req []byte, lim Limits) ([]finding.Finding, error) {
	ctx, cancelWall := context.WithTimeoutCause(ctx, lim.Wall, errWall)
	defer cancelWall()
	ctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)

	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	// Only what the child needs: the marker, and the shortest dump the
	// runtime allows when it dies (the first line says why; a dump of every
	// goroutine of a rule set's evaluation would be megabytes).
	cmd.Env = []string{envChild + "=1", "GOTRACEBACK=none"}
	cmd.Stdin = bytes.NewReader(req)
	stdout := &capped{max: MaxOutput, full: func() { stop(errOutput) }}
	stderr := &capped{max: MaxStderr}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.WaitDelay = waitDelay
	isolate(cmd)

	err := cmd.Run()
	cause := context.Cause(ctx)
	var exit *exec.ExitError
	switch {
	case errors.Is(cause, errOutput):
		return nil, &LimitError{Limit: "output", Size: bytesInWords(MaxOutput)}
	case err == nil:
		return decode(stdout.buf.Bytes())
	case errors.Is(cause, errWall):
		return nil, &LimitError{Limit: "time", Size: durationInWords(lim.Wall)}
	case cause != nil:
		return nil, fmt.Errorf("evaluate the proposed rules: %w", cause)
	case errors.As(err, &exit):
		return nil, ended(exit.ProcessState, stderr.String(), lim)
	default:
		return nil, fmt.Errorf("run the sandbox: %w", err)
	}
}

// decode reads the child's result. Anything but one well-formed response
// is refused: the child's output is as untrusted as the rules it ran.
func decode(out []byte) ([]finding.Finding, error) {
	var resp response
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&resp); err != nil || dec.More() {
		return nil, fmt.Errorf("read the sandbox's result: the child's output is not a result (%d bytes)", len(out))
	}
	if resp.Error != "" {
		return nil, errors.New(resp.Error)
	}
	return resp.Findings, nil
}

// ended explains a child that exited with an error or was killed.
func ended(ps *os.ProcessState, stderr string, lim Limits) error {
	cpu := ps.UserTime() + ps.SystemTime()
	// The kernel kills at the limit, measured in the same clock; allow for
	// its tick when comparing.
	if killed(ps) && cpu >= time.Duration(lim.cpuSeconds())*time.Second-100*time.Millisecond {
		return &LimitError{Limit: "CPU", Size: durationInWords(time.Duration(lim.cpuSeconds()) * time.Second)}
	}
	if outOfMemory(stderr) {
		return &LimitError{Limit: "memory", Size: bytesInWords(lim.Memory)}
	}
	first := firstLine(stderr)
	if first == "" {
		return fmt.Errorf("the sandbox evaluating the proposed rules stopped (%s)", ps)
	}
	return fmt.Errorf("the sandbox evaluating the proposed rules stopped (%s): %s", ps, first)
}

// outOfMemory recognises, in the child's error output, the Go runtime's
// messages when a mapping fails under RLIMIT_AS: "fatal error: out of
// memory", "runtime: out of memory: cannot allocate ...", "runtime: cannot
// allocate memory", a thread it could not create for want of memory (errno
// 12, ENOMEM), or, in a test binary built with -race, "too many address
// space collisions".
func outOfMemory(stderr string) bool {
	for _, m := range []string{"out of memory", "cannot allocate memory", "errno=12", "address space collisions"} {
		if strings.Contains(stderr, m) {
			return true
		}
	}
	return false
}

// firstLine is the first non-empty line of s, cut to a readable length.
func firstLine(s string) string {
	for line := range strings.SplitSeq(s, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			if len(line) > 200 {
				line = strings.ToValidUTF8(line[:200], "") + "…"
			}
			return line
		}
	}
	return ""
}

func bytesInWords(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	default:
		return fmt.Sprintf("%d-byte", n)
	}
}

func durationInWords(d time.Duration) string {
	if d >= time.Second && d%time.Second == 0 {
		return fmt.Sprintf("%d s", d/time.Second)
	}
	return d.String()
}

// capped keeps the first max bytes written to it and calls full once when
// more arrive; it never blocks the writer.
type capped struct {
	max  int
	buf  bytes.Buffer
	full func()
	over bool
}

func (c *capped) Write(p []byte) (int, error) {
	room := c.max - c.buf.Len()
	if len(p) <= room {
		c.buf.Write(p)
		return len(p), nil
	}
	c.buf.Write(p[:max(room, 0)])
	if !c.over && c.full != nil {
		c.full()
	}
	c.over = true
	return len(p), nil
}

func (c *capped) String() string { return c.buf.String() }
