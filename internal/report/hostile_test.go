package report

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/triangulate-nhs/triangulate/internal/finding"
)

// withText returns r with every string a plan author controls passed
// through text.
func withText(r Result, text func(string) string) Result {
	loc := func(l finding.Location) finding.Location {
		l.Org, l.Path, l.File = text(l.Org), text(l.Path), text(l.File)
		return l
	}
	out := r
	out.Findings = nil
	for _, f := range r.Findings {
		f.Title, f.Message, f.Reason = text(f.Title), text(f.Message), text(f.Reason)
		f.Orgs = slices.Clone(f.Orgs)
		for i := range f.Orgs {
			f.Orgs[i] = text(f.Orgs[i])
		}
		f.Location = loc(f.Location)
		f.Related = slices.Clone(f.Related)
		for i := range f.Related {
			f.Related[i] = loc(f.Related[i])
		}
		out.Findings = append(out.Findings, f)
	}
	return out
}

// calm replaces the hostile text with plain words of its own.
func calm(s string) string { return strings.ReplaceAll(s, hostileText, "plain words") }

// TestHostileTextInEveryFormat runs the hostile fixture through every
// format, the review's included. Markdown must show no link, image,
// mention, reference, HTML or heading from the text, and keep the block
// structure it has with plain words; the other formats are read as plain
// text by their consumers (a terminal, a JSON or SARIF parser, the Actions
// runner), so there the text must come back whole without adding a line.
func TestHostileTextInEveryFormat(t *testing.T) {
	plain := withText(hostile, calm)
	for _, format := range append(slices.Clone(Formats), "review") {
		t.Run(format, func(t *testing.T) {
			switch format {
			case "review":
				// The review renderer takes a judged change: see
				// TestReviewHostile for every part; here the whole.
				got, want := string(mustWriteReview(judged(withHostile))), string(mustWriteReview(judged(func(s string) string { return s + " x" })))
				for _, p := range liveMarkup(got, owners...) {
					t.Error(p)
				}
				if diff := cmp.Diff(skeleton(want), skeleton(got)); diff != "" {
					t.Errorf("block structure changed (-plain +hostile):\n%s", diff)
				}
			case "markdown":
				got := string(render(t, format, hostile))
				for _, p := range liveMarkup(got) {
					t.Error(p)
				}
				if diff := cmp.Diff(skeleton(string(render(t, format, plain))), skeleton(got)); diff != "" {
					t.Errorf("block structure changed (-plain +hostile):\n%s", diff)
				}
			case "text", "github":
				got, want := render(t, format, hostile), render(t, format, plain)
				if g, w := strings.Count(string(got), "\n"), strings.Count(string(want), "\n"); g != w {
					t.Errorf("%d lines, %d with plain words: the text added lines:\n%s", g, w, got)
				}
			case "json", "sarif":
				got := render(t, format, hostile)
				var doc any
				if err := json.Unmarshal(got, &doc); err != nil {
					t.Fatalf("not JSON: %v", err)
				}
				if !strings.Contains(string(got), mustJSON(t, hostile.Findings[0].Message)) {
					t.Errorf("the message does not come back whole")
				}
			default:
				t.Fatalf("format %q has no hostile-text check: add one", format)
			}
		})
	}
}

func mustJSON(t *testing.T, s string) string {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Trim(string(b), `"`)
}
