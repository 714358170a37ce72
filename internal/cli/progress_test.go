package cli

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
)

func TestProgressOnlyOnATerminal(t *testing.T) {
	if p := newProgress(&bytes.Buffer{}, "checking plans", "", false); p != nil {
		t.Error("a progress line on a buffer")
	}
	f, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if p := newProgress(f, "checking plans", "", false); p != nil {
		t.Error("a progress line on a regular file")
	}
	if p := newProgress(os.Stderr, "checking plans", "", true); p != nil {
		t.Error("a progress line with --quiet")
	}
	var none *progressLine
	if none.hook() != nil {
		t.Error("no progress line, yet a hook")
	}
	none.finish() // must not panic
}

func TestProgressLine(t *testing.T) {
	var b bytes.Buffer
	now := time.Date(2019, 3, 1, 9, 0, 0, 0, time.UTC)
	p := &progressLine{w: &b, what: "checking plans", then: "evaluating policies", now: func() time.Time { return now }}
	steps := []struct {
		advance time.Duration
		done    int
		want    string
	}{
		{0, 1, "\rchecking plans: 1/4"},
		{50 * time.Millisecond, 2, ""},                                      // throttled
		{progressEvery, 3, "\rchecking plans: 3/4"},                         // a tick later
		{time.Millisecond, 4, "\rchecking plans: 4/4; evaluating policies"}, // the last always shows
	}
	for _, s := range steps {
		now = now.Add(s.advance)
		b.Reset()
		p.hook()(s.done, 4)
		if b.String() != s.want {
			t.Errorf("done %d: wrote %q, want %q", s.done, b.String(), s.want)
		}
	}
	b.Reset()
	p.finish()
	if b.String() != "\r\033[K" {
		t.Errorf("finish wrote %q, want the line cleared", b.String())
	}
	b.Reset()
	p.finish()
	if b.Len() != 0 {
		t.Errorf("a second finish wrote %q", b.String())
	}
}

// TestProgressOnARealTerminal runs commands with stderr on a pseudo-terminal,
// as a user at a shell sees them: a progress line that is rewritten in place
// and cleared before the command's own output; --quiet shows none.
func TestProgressOnARealTerminal(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "england")
	for _, tc := range []struct {
		name  string
		args  []string
		want  string // the progress line's text
		shown bool
	}{
		{"generate", []string{"generate", "--out", dir, "--systems", "2"}, "writing files: ", true},
		{"check", []string{"check", dir}, "checking plans: ", true},
		{"report", []string{"report", "--out", filepath.Join(t.TempDir(), "site"), dir}, "checking plans: ", true},
		{"check quiet", []string{"check", "--quiet", dir}, "checking plans", false},
		{"generate quiet", []string{"generate", "-q", "--out", dir, "--systems", "2"}, "writing files", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := onTerminal(t, tc.args...)
			if !tc.shown {
				if strings.Contains(got, tc.want) || strings.Contains(got, "\033[K") {
					t.Errorf("a progress line despite --quiet: %q", got)
				}
				return
			}
			if !strings.Contains(got, "\r"+tc.want) {
				t.Errorf("no progress line %q on the terminal: %q", tc.want, got)
			}
			if !strings.Contains(got, "\r\033[K") {
				t.Errorf("the progress line is never cleared: %q", got)
			}
		})
	}
}

// onTerminal runs the command line with stderr on a pseudo-terminal and
// returns what the terminal received.
func onTerminal(t *testing.T, args ...string) string {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal on this machine: %v", err)
	}
	defer ptmx.Close()
	read := make(chan string)
	go func() {
		b, _ := io.ReadAll(ptmx) // ends with EIO once the tty side is closed
		read <- string(b)
	}()
	Main(context.Background(), args, io.Discard, tty)
	tty.Close()
	return <-read
}
