package report

import (
	"fmt"
	"regexp"
	"strings"
)

// The checks below read markdown the way GitHub would render it, enough to
// tell whether text from a plan came out live: a link, image, mention,
// reference, tag, entity or bare URL, or a line that opens a block.

// ownTags are the HTML tags the renderers write themselves.
var ownTags = []string{"<br>", "<code>", "</code>", "<sub>", "</sub>", "<details>", "</details>", "<summary>", "</summary>"}

// ownAlerts are GitHub alert markers the review summary writes.
var ownAlerts = []string{"> [!WARNING]", "> [!NOTE]"}

// escaped reports whether the byte at i is escaped by an odd run of
// backslashes before it.
func escaped(s string, i int) bool {
	n := 0
	for j := i - 1; j >= 0 && s[j] == '\\'; j-- {
		n++
	}
	return n%2 == 1
}

var (
	mentionRe = regexp.MustCompile(`@[A-Za-z0-9]`)
	refRe     = regexp.MustCompile(`(?i)(#[0-9]|\bgh-[0-9])`)
	urlRe     = regexp.MustCompile(`(?i)(://|\bwww\.)`)
)

// liveMarkup lists what in md would render as more than text. trusted are
// strings the renderer writes on purpose (owners' mentions from the base's
// CODEOWNERS), removed before looking.
func liveMarkup(md string, trusted ...string) []string {
	for _, t := range trusted {
		md = strings.ReplaceAll(md, t, "")
	}
	for _, a := range ownAlerts {
		md = strings.ReplaceAll(md, a, ">")
	}
	var out []string
	bad := func(line int, format string, args ...any) {
		out = append(out, fmt.Sprintf("line %d: ", line+1)+fmt.Sprintf(format, args...))
	}
	for n, line := range strings.Split(md, "\n") {
		for i := 0; i < len(line); i++ {
			c := line[i]
			switch {
			case c == '[' && !escaped(line, i), c == ']' && !escaped(line, i):
				bad(n, "unescaped %q (a link or image) in %q", c, line)
			case c == '<' && !escaped(line, i):
				own := false
				for _, tag := range ownTags {
					own = own || strings.HasPrefix(line[i:], tag)
				}
				if !own {
					bad(n, "unescaped < (HTML or an autolink) in %q", line)
				}
			case c == '&' && !escaped(line, i):
				bad(n, "unescaped & (an entity) in %q", line)
			case (c == '`' || c == '$') && !escaped(line, i):
				bad(n, "unescaped %q (code or maths) in %q", c, line)
			}
		}
		if mentionRe.MatchString(line) {
			bad(n, "a mention in %q", line)
		}
		if refRe.MatchString(line) {
			bad(n, "an issue reference in %q", line)
		}
		if urlRe.MatchString(line) {
			bad(n, "a bare URL in %q", line)
		}
	}
	return out
}

// Block kinds, as CommonMark reads the start of a line.
var (
	headingRe  = regexp.MustCompile(`^ {0,3}(#{1,6})( |$)`)
	bulletRe   = regexp.MustCompile(`^ {0,3}[-+*]( |$)`)
	orderedRe  = regexp.MustCompile(`^ {0,3}[0-9]{1,9}[.)]( |$)`)
	underRe    = regexp.MustCompile(`^ {0,3}(=+|-+)\s*$`)
	fenceRe    = regexp.MustCompile("^ {0,3}(```|~~~)")
	breakRe    = regexp.MustCompile(`^ {0,3}([-*_] *){3,}$`)
	pipeRe     = regexp.MustCompile(`\|`)
	linkDefRe  = regexp.MustCompile(`^ {0,3}\[`)
	indentedRe = regexp.MustCompile(`^( {4}|\t)`)
)

// skeleton is the block structure of md: one kind per line, with a table
// row's cell count. Text from a plan must never change it.
func skeleton(md string) []string {
	var out []string
	for _, line := range strings.Split(md, "\n") {
		var kind string
		switch {
		case strings.TrimSpace(line) == "":
			kind = "blank"
		case indentedRe.MatchString(line):
			kind = "indented code"
		case headingRe.MatchString(line):
			kind = "h" + fmt.Sprint(len(headingRe.FindStringSubmatch(line)[1]))
		case breakRe.MatchString(line):
			kind = "rule"
		case bulletRe.MatchString(line):
			kind = "bullet"
		case orderedRe.MatchString(line):
			kind = "ordered"
		case underRe.MatchString(line):
			kind = "underline"
		case fenceRe.MatchString(line):
			kind = "fence"
		case strings.HasPrefix(line, ">"):
			kind = "quote"
		case strings.HasPrefix(line, "|"):
			cells := 0
			for _, m := range pipeRe.FindAllStringIndex(line, -1) {
				if !escaped(line, m[0]) {
					cells++
				}
			}
			kind = fmt.Sprintf("row of %d", cells-1)
		case strings.HasPrefix(line, "<"):
			kind = "html " + line[:strings.IndexAny(line+">", "> ")+1]
		case linkDefRe.MatchString(line):
			kind = "link definition"
		default:
			kind = "paragraph"
		}
		out = append(out, kind)
	}
	return out
}
