package cli

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"golang.org/x/term"
)

// progressEvery throttles the progress line: often enough to look alive,
// rarely enough that printing never costs what the checking does.
const progressEvery = 100 * time.Millisecond

// progressLine shows "checking plans: 123/452" on one terminal line,
// rewritten in place, and clears it when done. It writes nothing unless
// stderr is a terminal: logs and CI output stay clean.
type progressLine struct {
	mu   sync.Mutex
	w    io.Writer
	what string
	// then is shown after the count once every item is done: what the
	// command does next, so the line does not look stuck.
	then  string
	now   func() time.Time
	last  time.Time
	shown bool
}

// newProgress returns a progress line on w for a count of what, or nil when
// progress is not wanted (quiet, or w is not a terminal).
func newProgress(w io.Writer, what, then string, quiet bool) *progressLine {
	f, ok := w.(*os.File)
	if quiet || !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	return &progressLine{w: w, what: what, then: then, now: time.Now}
}

// Report is plan.Options.Progress: calls are serialised by the caller, the
// mutex guards Done.
func (p *progressLine) Report(done, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if t := p.now(); done == total || t.Sub(p.last) >= progressEvery {
		p.last = t
		fmt.Fprintf(p.w, "\r%s: %d/%d", p.what, done, total)
		if done == total && p.then != "" {
			fmt.Fprintf(p.w, "; %s", p.then)
		}
		p.shown = true
	}
}

// Done clears the line.
func (p *progressLine) Done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		fmt.Fprint(p.w, "\r\033[K")
		p.shown = false
	}
}

// hook is the progress callback, nil for no progress line.
func (p *progressLine) hook() func(done, total int) {
	if p == nil {
		return nil
	}
	return p.Report
}

func (p *progressLine) finish() {
	if p != nil {
		p.Done()
	}
}
