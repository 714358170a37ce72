// Package report writes findings in the formats people and tools read.
//
// Every format starts from the same Result, so a run checked on a laptop, in
// CI and in a pull request says the same thing in each place; only the
// presentation differs.
package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"

	"github.com/triangulate-nhs/triangulate/internal/finding"
)

// Result is what one run found.
type Result struct {
	Findings  []finding.Finding // already sorted, statuses applied
	Rules     []finding.Rule    // the catalogue (for SARIF rule metadata and titles)
	PlansRead int
	Ref       string // what was checked: a directory or a git ref; may be empty
}

// Formats lists the accepted format names: text, json, sarif, github, markdown.
var Formats = []string{"text", "json", "sarif", "github", "markdown"}

var writers = map[string]func(io.Writer, Result) error{
	"text":     writeText,
	"json":     writeJSON,
	"sarif":    writeSARIF,
	"github":   writeGitHub,
	"markdown": writeMarkdown,
}

// Write writes r to w in the named format; an unknown format is an error
// naming the known ones.
func Write(w io.Writer, format string, r Result) error {
	write, ok := writers[format]
	if !ok {
		return fmt.Errorf("unknown report format %q: want one of %s", format, strings.Join(Formats, ", "))
	}
	if err := write(w, r); err != nil {
		return fmt.Errorf("write %s report: %w", format, err)
	}
	return nil
}

// Submittable reports whether nothing in r blocks submission.
func (r Result) Submittable() bool {
	return finding.Count(r.Findings).Blocking == 0
}

// verdict is the one word (or two) every format ends on.
func verdict(submittable bool) string {
	if submittable {
		return "submittable"
	}
	return "not submittable"
}

// title finds a human title for a finding; see ruleTitle.
func (r Result) title(f finding.Finding) string { return ruleTitle(r.Rules, f) }

// ruleTitle is the one place every format takes a finding's title from: the
// catalogue's, which the rule declares, else the finding's own for a rule
// the catalogue lacks.
func ruleTitle(catalogue []finding.Rule, f finding.Finding) string {
	for _, rule := range catalogue {
		if rule.ID == f.Rule && rule.Title != "" {
			return rule.Title
		}
	}
	return f.Title
}

// severityTally counts one severity's findings and how many of them no
// longer count because they were explained or waived.
type severityTally struct {
	total, explained, waived int
}

func (t severityTally) String(singular, plural string) string {
	noun := plural
	if t.total == 1 {
		noun = singular
	}
	s := fmt.Sprintf("%d %s", t.total, noun)
	var notes []string
	if t.explained > 0 {
		notes = append(notes, fmt.Sprintf("%d explained", t.explained))
	}
	if t.waived > 0 {
		notes = append(notes, fmt.Sprintf("%d waived", t.waived))
	}
	if len(notes) > 0 {
		s += " (" + strings.Join(notes, ", ") + ")"
	}
	return s
}

// tallies splits statuses by severity, which finding.Counts does not: a
// waived error and an explained warning mean different things to a reader.
func tallies(fs []finding.Finding) map[finding.Severity]severityTally {
	out := map[finding.Severity]severityTally{}
	for _, f := range fs {
		sev := f.Severity
		if sev != finding.Error && sev != finding.Warning {
			sev = finding.Info
		}
		t := out[sev]
		t.total++
		switch f.Status {
		case finding.Explained:
			t.explained++
		case finding.Waived:
			t.waived++
		}
		out[sev] = t
	}
	return out
}

// summary is the one-line tally shared by the text and Actions formats, e.g.
// "3 plans read: 0 errors, 2 warnings (2 explained), 0 info: submittable".
func summary(r Result) string {
	t := tallies(r.Findings)
	plans := "plans"
	if r.PlansRead == 1 {
		plans = "plan"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d %s read: %s, %s, %s", r.PlansRead, plans,
		t[finding.Error].String("error", "errors"),
		t[finding.Warning].String("warning", "warnings"),
		t[finding.Info].String("info", "info"))
	if n := finding.Count(r.Findings).Blocking; n > 0 {
		fmt.Fprintf(&b, "; %d blocking", n)
	}
	b.WriteString(": ")
	b.WriteString(verdict(r.Submittable()))
	return b.String()
}

// oneLine keeps hostile or accidental control characters in plan text from
// breaking line-oriented output or driving a terminal: line breaks become
// visible escapes and other control characters their Go escape.
func oneLine(s string) string {
	return showControls(s, false)
}

// showControls writes control characters as Go escapes ("\x1b"), tabs as
// spaces, and line breaks either as they are or, unless keepBreaks, as "\n"
// and "\r".
func showControls(s string, keepBreaks bool) string {
	var b strings.Builder
	for _, c := range s {
		switch {
		case (c == '\n' || c == '\r') && keepBreaks:
			b.WriteRune(c)
		case c == '\t':
			b.WriteByte(' ')
		case unicode.IsControl(c):
			q := strconv.QuoteRune(c)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}

// relatedText describes one other side of a finding, e.g.
// "plans/2019-20/15M.cue:40 (15M)".
func relatedText(l finding.Location) string {
	where := l.String()
	if where == "" {
		where = l.Path
	}
	switch {
	case where == "" && l.Org == "":
		return ""
	case where == "":
		return l.Org
	case l.Org == "":
		return where
	default:
		return fmt.Sprintf("%s (%s)", where, l.Org)
	}
}

// scopeMarker marks a roll-up finding in line-oriented output, e.g.
// "[national] " or "[system QXU] "; it is "" for other findings.
func scopeMarker(f finding.Finding) string {
	if l := f.ScopeLabel(); l != "" {
		return "[" + l + "] "
	}
	return ""
}

// orgs lists a finding's organisations, falling back to the location's.
func orgs(f finding.Finding) []string {
	if len(f.Orgs) > 0 {
		return f.Orgs
	}
	if f.Org != "" {
		return []string{f.Org}
	}
	return nil
}
