package cli

import (
	"bytes"
	"os"
	"testing"
	"time"
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
