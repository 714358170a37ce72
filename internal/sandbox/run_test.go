package sandbox

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"
	"time"
)

// TestRunJudgesHowTheChildEnded drives the parent with stand-in children
// (shell one-liners) that end each way a hostile rule set could make the
// real child end, and checks the parent's verdict and that it comes back
// within the bound.
func TestRunJudgesHowTheChildEnded(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "pid")
	tests := []struct {
		name   string
		script string
		wall   time.Duration
		limit  string // the *LimitError's Limit, or "" for another error
		want   string // in the error's text; "" for success
	}{
		{"a result", `echo '{"findings": [{"rule": "X99", "severity": "error", "message": "m"}]}'`, 5 * time.Second, "", ""},
		{"garbage", `echo 'not json'`, 5 * time.Second, "", "the child's output is not a result"},
		{"a result and more", `echo '{"findings": []} {}'`, 5 * time.Second, "", "the child's output is not a result"},
		{"an unknown field", `echo '{"findings": [], "verdict": "pass"}'`, 5 * time.Second, "", "the child's output is not a result"},
		{"rules that do not load", `echo '{"error": "compile policies: undefined function http.send"}'`, 5 * time.Second, "", "undefined function http.send"},
		{"a non-zero exit", `echo 'boom' >&2; exit 3`, 5 * time.Second, "", "stopped (exit status 3): boom"},
		{"the Go runtime out of memory", `echo 'fatal error: out of memory' >&2; exit 2`, 5 * time.Second, "memory", "exceeded the 1 GiB memory limit"},
		{"killed by a signal", `kill -9 $$`, 5 * time.Second, "", "stopped (signal: killed)"},
		{"endless output", `yes`, 30 * time.Second, "output", "exceeded the 32 MiB output limit"},
		{"asleep", `sleep 60`, 200 * time.Millisecond, "time", "exceeded the 200ms time limit"},
		// The grandchild holds the output pipe open: only killing the
		// whole process group lets the parent return before WaitDelay.
		{"asleep with a grandchild", `sleep 60 & echo $! > ` + pidFile + `; wait`, 200 * time.Millisecond, "time", "exceeded the 200ms time limit"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			lim := Limits{Wall: tc.wall}.withDefaults()
			start := time.Now()
			got, err := run(context.Background(), []string{"/bin/sh", "-c", tc.script}, nil, lim)
			took := time.Since(start)
			if tc.want == "" {
				if err != nil || len(got) != 1 || got[0].Rule != "X99" {
					t.Fatalf("got %+v, %v; want one X99 finding", got, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one saying %q", err, tc.want)
			}
			var le *LimitError
			if errors.As(err, &le) != (tc.limit != "") || (le != nil && le.Limit != tc.limit) {
				t.Errorf("err = %#v, want a *LimitError for %q", err, tc.limit)
			}
			if bound := tc.wall + time.Second; took > bound {
				t.Errorf("took %s, over the %s bound", took, bound)
			}
		})
	}
	// The grandchild was killed with its group.
	raw, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Second)
	for syscall.Kill(pid, 0) == nil {
		if time.Now().After(deadline) {
			t.Fatalf("grandchild %d outlived the wall limit", pid)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestRunReportsCancellation: a review cancelled from outside is not
// blamed on the rules.
func TestRunReportsCancellation(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	_, err := run(ctx, []string{"/bin/sh", "-c", "sleep 60"}, nil, Limits{}.withDefaults())
	var le *LimitError
	if !errors.Is(err, context.Canceled) || errors.As(err, &le) {
		t.Fatalf("err = %v, want the cancellation", err)
	}
}

func TestCappedAtItsLimitAndOnePast(t *testing.T) {
	for _, tc := range []struct {
		writes []string
		full   bool
		kept   string
	}{
		{[]string{"abcd"}, false, "abcd"},
		{[]string{"ab", "cd"}, false, "abcd"},
		{[]string{"abcde"}, true, "abcd"},
		{[]string{"abcd", "e"}, true, "abcd"},
		{[]string{"abc", "de", "fg"}, true, "abcd"},
	} {
		calls := 0
		c := &capped{max: 4, full: func() { calls++ }}
		for _, w := range tc.writes {
			if n, err := c.Write([]byte(w)); n != len(w) || err != nil {
				t.Errorf("Write(%q) = %d, %v: the writer must never block or fail", w, n, err)
			}
		}
		if c.String() != tc.kept || (calls == 1) != tc.full || calls > 1 {
			t.Errorf("%q: kept %q, full called %d times; want %q, full %v", tc.writes, c.String(), calls, tc.kept, tc.full)
		}
	}
}

func TestSnapshotAtItsCapsAndOnePast(t *testing.T) {
	tree := func(sizes ...int) fstest.MapFS {
		m := fstest.MapFS{}
		for i, n := range sizes {
			m["policy/f"+strconv.Itoa(i)] = &fstest.MapFile{Data: []byte(strings.Repeat("x", n))}
		}
		return m
	}
	tests := []struct {
		name     string
		fsys     fstest.MapFS
		withheld int
		err      string
	}{
		{"total at the cap", tree(5, 5), 0, ""},
		{"total one past", tree(5, 6), 0, "over 10-byte"},
		{"file at the cap", tree(8), 0, ""},
		{"file one past: sent by size only", tree(9), 1, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			files, err := snapshot(tc.fsys, 10, 8)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			withheld := 0
			for _, f := range files {
				if f.Withheld {
					withheld++
					if f.Data != nil || f.Size != 9 {
						t.Errorf("withheld %s carries %d bytes, size %d", f.Path, len(f.Data), f.Size)
					}
				}
			}
			if withheld != tc.withheld {
				t.Errorf("%d files withheld, want %d", withheld, tc.withheld)
			}
		})
	}
}

// TestMemFSAnswersAsTheTreeDid: the child's file system is a correct
// fs.FS, and answers for withheld files and symbolic links as the parent's
// tree did: their kind and size, and no contents.
func TestMemFSAnswersAsTheTreeDid(t *testing.T) {
	regular := fstest.MapFS{
		"schema/a.cue":           {Data: []byte("package schema\n")},
		"policy/data.json":       {Data: []byte("{}")},
		"policy/rules/x/x.rego":  {Data: []byte("package x\n")},
		"plans/2019-20/notes.md": {Data: []byte("notes")},
	}
	m := memFSOf(t, regular)
	if err := fstest.TestFS(m, "schema/a.cue", "policy/data.json", "policy/rules/x/x.rego", "plans/2019-20/notes.md"); err != nil {
		t.Error(err)
	}
	m = memFSOf(t, fstest.MapFS{
		"plans/2019-20/rtk.cue":   {Data: []byte(strings.Repeat("x", 17))},
		"plans/2019-20/link.cue":  {Data: []byte("rtk.cue"), Mode: fs.ModeSymlink},
		"elsewhere/not-read.json": {Data: []byte("{}")},
	})
	if _, err := fs.Stat(m, "elsewhere/not-read.json"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a folder the pipeline does not read was sent: %v", err)
	}
	if fi, err := fs.Stat(m, "plans/2019-20/rtk.cue"); err != nil || fi.Size() != 17 || !fi.Mode().IsRegular() {
		t.Errorf("withheld file: %v, %v; want a regular file of 17 bytes", fi, err)
	}
	if _, err := fs.ReadFile(m, "plans/2019-20/rtk.cue"); !errors.Is(err, errWithheld) {
		t.Errorf("reading a withheld file: %v", err)
	}
	if fi, err := fs.Stat(m, "plans/2019-20/link.cue"); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("symbolic link: %v, %v", fi, err)
	}
	if _, err := fs.ReadFile(m, "plans/2019-20/link.cue"); err == nil {
		t.Error("a symbolic link was followed")
	}
}

// memFSOf is what the child serves of fsys, with 16 bytes as the cap on a
// file sent with its contents.
func memFSOf(t *testing.T, fsys fs.FS) *memFS {
	t.Helper()
	files, err := snapshot(fsys, 1<<20, 16)
	if err != nil {
		t.Fatal(err)
	}
	m, err := newMemFS(files)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestParseArgs(t *testing.T) {
	tests := []struct {
		args []string
		want Limits
		err  bool
	}{
		{[]string{"-memory", "268435456", "-cpu", "5"}, Limits{Memory: 256 << 20, CPU: 5 * time.Second}, false},
		{[]string{"-memory", "268435456"}, Limits{}, true},
		{[]string{"-cpu", "5"}, Limits{}, true},
		{[]string{"-memory", "-1", "-cpu", "5"}, Limits{}, true},
		{[]string{"-memory", "1", "-cpu", "5", "extra"}, Limits{}, true},
		{[]string{"-memory", "1", "-cpu", "5", "-wall", "9"}, Limits{}, true},
	}
	for _, tc := range tests {
		got, err := parseArgs(tc.args)
		if (err != nil) != tc.err || (!tc.err && got != tc.want) {
			t.Errorf("parseArgs(%q) = %+v, %v", tc.args, got, err)
		}
	}
	// What the parent sends is what the child reads.
	lim := Limits{Memory: 3 << 20, CPU: 1500 * time.Millisecond}
	got, err := parseArgs(childArgs(lim)[1:])
	if err != nil || got.Memory != lim.Memory || got.CPU != 2*time.Second {
		t.Errorf("round trip of %+v: %+v, %v; want the CPU rounded up to 2 s", lim, got, err)
	}
}
