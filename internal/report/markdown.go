package report

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/triangulate-nhs/triangulate/internal/finding"
)

// groupThreshold is the size above which a section is split by
// organisation: a short table reads best whole, a long one is easier to work
// through one organisation at a time.
const groupThreshold = 10

// column is one column of a findings table.
type column struct {
	head string
	cell func(Result, finding.Finding) string
}

var (
	colRule = column{"Rule", func(r Result, f finding.Finding) string {
		if t := r.title(f); t != "" {
			return mdText(f.Rule + " " + t)
		}
		return mdText(f.Rule)
	}}
	colSeverity = column{"Severity", func(_ Result, f finding.Finding) string { return mdText(string(f.Severity)) }}
	colOrgs     = column{"Organisation", func(_ Result, f finding.Finding) string {
		return mdText(scopeMarker(f) + strings.Join(orgs(f), ", "))
	}}
	colLocation = column{"Location", func(_ Result, f finding.Finding) string {
		var parts []string
		// Without a file, the field path still tells a reader where to look.
		if loc := cmp.Or(f.Location.String(), f.Path); loc != "" {
			parts = append(parts, mdText(loc))
		}
		for _, rel := range f.Related {
			if t := relatedText(rel); t != "" {
				parts = append(parts, "see also "+mdText(t))
			}
		}
		return strings.Join(parts, "<br>")
	}}
	colMessage = column{"Message", func(_ Result, f finding.Finding) string { return mdText(f.Message) }}
	colStatus  = column{"Status", func(_ Result, f finding.Finding) string { return mdText(string(f.Status)) }}
	colReason  = column{"Reason", func(_ Result, f finding.Finding) string { return mdText(f.Reason) }}
)

// section is one part of the report: a heading and the findings under it.
type section struct {
	title    string
	columns  []column
	findings []finding.Finding
}

// writeMarkdown writes the report a regulator reads: the verdict first, then
// what blocks, then what was explained or waived and why, then information.
func writeMarkdown(w io.Writer, r Result) error {
	return writeMarkdownRows(w, r, -1)
}

// writeMarkdownRows writes the markdown report with at most maxRows findings
// listed per section (all of them when maxRows < 0); the heading and counts
// always cover every finding.
func writeMarkdownRows(w io.Writer, r Result, maxRows int) error {
	bw := bufio.NewWriter(w)
	c := finding.Count(r.Findings)

	switch {
	case len(r.Findings) == 0:
		fmt.Fprintf(bw, "# Submittable: no findings\n\n")
	case c.Blocking == 0:
		fmt.Fprintf(bw, "# Submittable: no blocking findings\n\n")
	default:
		fmt.Fprintf(bw, "# Not submittable: %s\n\n", plural(c.Blocking, "blocking finding", "blocking findings"))
	}

	t := tallies(r.Findings)
	plans := plural(r.PlansRead, "plan", "plans")
	if r.Ref != "" {
		fmt.Fprintf(bw, "%s read from %s: ", plans, mdText(r.Ref))
	} else {
		fmt.Fprintf(bw, "%s read: ", plans)
	}
	fmt.Fprintf(bw, "%s, %s, %s.\n",
		t[finding.Error].String("error", "errors"),
		t[finding.Warning].String("warning", "warnings"),
		t[finding.Info].String("info", "info"))

	var blocking, settled, info []finding.Finding
	for _, f := range r.Findings {
		switch {
		case f.Blocking():
			blocking = append(blocking, f)
		case f.Status != finding.Open:
			settled = append(settled, f)
		default:
			info = append(info, f)
		}
	}
	blockingCols := []column{colRule, colSeverity, colOrgs, colLocation, colMessage}
	// An open finding may have a reason too: one side has explained a
	// misalignment and the other has not yet agreed.
	if slices.ContainsFunc(blocking, func(f finding.Finding) bool { return f.Reason != "" }) {
		blockingCols = []column{colRule, colSeverity, colOrgs, colReason, colLocation, colMessage}
	}
	sections := []section{
		{"Blocking findings", blockingCols, blocking},
		{"Explained and waived", []column{colRule, colSeverity, colOrgs, colStatus, colReason, colLocation, colMessage}, settled},
		{"Information", []column{colRule, colOrgs, colLocation, colMessage}, info},
	}
	for _, s := range sections {
		writeSection(bw, r, s, maxRows)
	}
	return bw.Flush()
}

// The section and table writers ignore write errors on purpose: a
// bufio.Writer keeps the first one and writeMarkdown's Flush returns it.
func writeSection(w *bufio.Writer, r Result, s section, maxRows int) {
	if len(s.findings) == 0 {
		return
	}
	fmt.Fprintf(w, "\n## %s (%d)\n", s.title, len(s.findings))
	if maxRows >= 0 && len(s.findings) > maxRows {
		defer fmt.Fprintf(w, "\n%s not listed here; the annotations and the SARIF log list every finding.\n",
			plural(len(s.findings)-maxRows, "more finding", "more findings"))
		s.findings = s.findings[:maxRows]
		if maxRows == 0 {
			return
		}
	}
	groups := byOrg(s.findings)
	if len(s.findings) <= groupThreshold || len(groups) < 2 {
		writeTable(w, r, s.columns, s.findings)
		return
	}
	for _, g := range groups {
		name := g.org
		if name == "" {
			name = "No organisation"
		}
		fmt.Fprintf(w, "\n### %s (%d)\n", mdText(name), len(g.findings))
		writeTable(w, r, s.columns, g.findings)
	}
}

func writeTable(w *bufio.Writer, r Result, cols []column, fs []finding.Finding) {
	w.WriteString("\n|")
	for _, c := range cols {
		w.WriteString(" " + c.head + " |")
	}
	w.WriteString("\n|")
	for range cols {
		w.WriteString(" --- |")
	}
	w.WriteString("\n")
	for _, f := range fs {
		w.WriteString("|")
		for _, c := range cols {
			w.WriteString(" " + c.cell(r, f) + " |")
		}
		w.WriteString("\n")
	}
}

type orgGroup struct {
	org      string
	findings []finding.Finding
}

// byOrg groups findings by their first organisation, the one whose plan the
// finding is reported against, in code order; roll-ups are grouped by their
// scope ("national", "system QXU") after the organisations. Findings keep
// their order within a group.
func byOrg(fs []finding.Finding) []orgGroup {
	var groups []orgGroup
	for _, f := range fs {
		org := f.ScopeLabel()
		if o := orgs(f); org == "" && len(o) > 0 {
			org = o[0]
		}
		i := slices.IndexFunc(groups, func(g orgGroup) bool { return g.org == org })
		if i < 0 {
			groups = append(groups, orgGroup{org: org})
			i = len(groups) - 1
		}
		groups[i].findings = append(groups[i].findings, f)
	}
	slices.SortStableFunc(groups, func(a, b orgGroup) int {
		// Findings without an organisation go last: they concern the plan set.
		switch {
		case a.org == b.org:
			return 0
		case a.org == "":
			return 1
		case b.org == "":
			return -1
		default:
			return strings.Compare(a.org, b.org)
		}
	})
	return groups
}

func plural(n int, singular, pluralForm string) string {
	if n == 1 {
		return "1 " + singular
	}
	return strconv.Itoa(n) + " " + pluralForm
}
