package report

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzReviewMarkdown feeds arbitrary text, as a plan, a path or a proposed
// rule could carry it, through every part of the review renderer and checks
// that it stays text: no link, image, tag, entity, mention, reference or
// bare URL comes out live, and the markdown's block structure (headings,
// lists, quotes, table rows and their cell counts) is the one plain text
// gives. Run in CI: go test ./internal/report -run '^$' -fuzz FuzzReviewMarkdown -fuzztime 20s
func FuzzReviewMarkdown(f *testing.F) {
	for _, seed := range []string{
		"", "RTK", hostileMarkdown, hostileText, "@team", "@org/team", "[a](b)", "![i](u)", "<b>", "<https://x>",
		"# h", "- x", "+ x", "1. x", "3) x", "===", "---", "***", "    code", "\n\nx", "|", "a | b", "```", "~~~",
		"<br>", "www.x.example", "http://x", "#1", "GH-1", "&#64;", "\\", "`", "$", "\u202e", "\r", "\x00", "\xff",
	} {
		f.Add(seed)
	}
	plain := reviewParts(judged(func(string) string { return "x" }))
	f.Fuzz(func(t *testing.T, in string) {
		// "x" after the input keeps an empty input from emptying a line,
		// which would change the structure without any markup.
		parts := reviewParts(judged(func(string) string { return in + "x" }))
		for name, md := range parts {
			for _, p := range liveMarkup(md, owners...) {
				t.Errorf("%s: %s", name, p)
			}
			if diff := cmp.Diff(skeleton(plain[name]), skeleton(md)); diff != "" {
				t.Errorf("%s: block structure changed (-plain +fuzzed):\n%s", name, diff)
			}
		}
		if got := mdText(in); strings.ContainsAny(got, "\n\r") {
			t.Errorf("mdText(%q) spans lines: %q", in, got)
		}
	})
}
