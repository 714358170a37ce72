package report

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/triangulate-nhs/triangulate/internal/diff"
	"github.com/triangulate-nhs/triangulate/internal/finding"
)

// DiffFormats are the formats of the diff command.
var DiffFormats = []string{"text", "markdown", "json"}

// WriteDiff renders a comparison of two versions of the plan set.
func WriteDiff(w io.Writer, format string, r *diff.Result) error {
	switch format {
	case "text":
		return writeDiffText(w, r)
	case "markdown":
		return writeDiffMarkdown(w, r)
	case "json":
		return writeDiffJSON(w, r)
	}
	return fmt.Errorf("unknown format %q", format)
}

// planTitle is "RTK Name, 2019/20" with the plan's state.
func planTitle(p diff.Plan) string {
	t := p.Org
	if p.Name != "" {
		t += " " + p.Name
	}
	if p.Year != "" {
		t += ", " + p.Year
	}
	switch {
	case p.Added:
		t += " (new plan)"
	case p.Removed:
		t += " (plan removed)"
	}
	return t
}

func systemTitle(s diff.System) string {
	t := "System " + s.Code
	if s.Name != "" {
		t += " " + s.Name
	}
	return t + ", " + s.Year
}

func diffSummary(r *diff.Result) string {
	added, removed := 0, 0
	for _, p := range r.Plans {
		switch {
		case p.Added:
			added++
		case p.Removed:
			removed++
		}
	}
	return fmt.Sprintf("%s (%d added, %d removed), %s; %s, %d fixed",
		plural(len(r.Plans), "plan changed", "plans changed"), added, removed,
		plural(len(r.Systems), "system changed", "systems changed"),
		plural(len(r.New), "new finding", "new findings"), len(r.Fixed))
}

const judgedBy = "Each side is judged by its own schema, policies, register and waivers."

func writeDiffText(w io.Writer, r *diff.Result) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "diff %s -> %s\n%s\n", oneLine(r.Base), oneLine(r.Head), judgedBy)
	table := func(title, sub string, ms []diff.Measure) {
		fmt.Fprintf(bw, "\n%s\n", oneLine(title))
		if sub != "" {
			fmt.Fprintf(bw, "  %s\n", oneLine(sub))
		}
		if len(ms) == 0 {
			return
		}
		rows := [][4]string{{"measure", "before", "after", "change"}}
		for _, m := range ms {
			rows = append(rows, [4]string{oneLine(m.Label), figureValue(m.Before, m.Unit), figureValue(m.After, m.Unit), figureChange(m)})
		}
		writeColumns(bw, rows)
	}
	for _, p := range r.Plans {
		table(planTitle(p), p.File, p.Measures)
	}
	for _, s := range r.Systems {
		table(systemTitle(s), "sum over "+strings.Join(s.Members, ", "), s.Measures)
	}
	findings := func(title string, fs []finding.Finding) {
		if len(fs) == 0 {
			return
		}
		fmt.Fprintf(bw, "\n%s (%d)\n", title, len(fs))
		for _, f := range fs {
			bw.WriteString("  ")
			if loc := f.Location.String(); loc != "" {
				bw.WriteString(oneLine(loc) + ": ")
			}
			fmt.Fprintf(bw, "%s %s %s%s\n", f.Severity, oneLine(f.Rule), oneLine(scopeMarker(f)), oneLine(f.Message))
		}
	}
	findings("New findings", r.New)
	findings("Fixed findings", r.Fixed)
	fmt.Fprintf(bw, "\n%s\n", diffSummary(r))
	return bw.Flush()
}

// writeColumns writes rows as aligned columns: the first, a label, to the
// left, the figures to the right.
func writeColumns(w io.Writer, rows [][4]string) {
	var width [4]int
	for _, r := range rows {
		for i, c := range r {
			width[i] = max(width[i], utf8.RuneCountInString(c))
		}
	}
	for _, r := range rows {
		line := "  " + r[0] + strings.Repeat(" ", width[0]-utf8.RuneCountInString(r[0]))
		for i := 1; i < 4; i++ {
			line += "  " + strings.Repeat(" ", width[i]-utf8.RuneCountInString(r[i])) + r[i]
		}
		fmt.Fprintln(w, line)
	}
}

func writeDiffMarkdown(w io.Writer, r *diff.Result) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "## Plans compared: %s → %s\n\n%s %s.\n\n", mdText(r.Base), mdText(r.Head), judgedBy, mdText(diffSummary(r)))
	table := func(title, sub string, ms []diff.Measure) {
		fmt.Fprintf(bw, "### %s\n\n", mdText(title))
		if sub != "" {
			fmt.Fprintf(bw, "%s\n\n", sub)
		}
		if len(ms) == 0 {
			return
		}
		bw.WriteString("| Measure | Before | After | Change |\n| --- | ---: | ---: | ---: |\n")
		for _, m := range ms {
			fmt.Fprintf(bw, "| %s | %s | %s | %s |\n", mdText(m.Label), figureValue(m.Before, m.Unit), figureValue(m.After, m.Unit), figureChange(m))
		}
		bw.WriteString("\n")
	}
	for _, p := range r.Plans {
		table(planTitle(p), mdCode(p.File), p.Measures)
	}
	for _, s := range r.Systems {
		table(systemTitle(s), "Sum over "+mdText(strings.Join(s.Members, ", "))+".", s.Measures)
	}
	findings := func(title string, fs []finding.Finding, strike string) {
		if len(fs) == 0 {
			return
		}
		fmt.Fprintf(bw, "### %s\n\n", title)
		for _, f := range fs {
			fmt.Fprintf(bw, "- %s%s %s %s %s%s: %s\n", strike, mdText(f.Rule), mdText(string(f.Severity)), whoMD(f), mdCode(f.Location.String()), strike, mdText(f.Message))
		}
		bw.WriteString("\n")
	}
	findings("New findings", r.New, "")
	findings("Fixed findings", r.Fixed, "~~")
	return bw.Flush()
}

// jsonMeasure is a measure with its change worked out, so a consumer need
// not repeat the arithmetic.
type jsonMeasure struct {
	Key       string    `json:"key"`
	Label     string    `json:"label"`
	Unit      diff.Unit `json:"unit"`
	Before    *float64  `json:"before"`
	After     *float64  `json:"after"`
	Change    *float64  `json:"change"`
	PctChange *float64  `json:"pct_change"`
}

func jsonMeasures(ms []diff.Measure) []jsonMeasure {
	out := make([]jsonMeasure, 0, len(ms))
	for _, m := range ms {
		out = append(out, jsonMeasure{m.Key, m.Label, m.Unit, m.Before, m.After, m.Change(), m.Pct()})
	}
	return out
}

func writeDiffJSON(w io.Writer, r *diff.Result) error {
	type plan struct {
		diff.Plan
		Measures []jsonMeasure `json:"measures"`
	}
	type system struct {
		diff.System
		Measures []jsonMeasure `json:"measures"`
	}
	out := struct {
		Base     string            `json:"base"`
		Head     string            `json:"head"`
		JudgedBy string            `json:"judged_by"`
		Plans    []plan            `json:"plans"`
		Systems  []system          `json:"systems"`
		New      []finding.Finding `json:"new_findings"`
		Fixed    []finding.Finding `json:"fixed_findings"`
	}{Base: r.Base, Head: r.Head, JudgedBy: "each side's own rules",
		Plans: []plan{}, Systems: []system{}, New: nonNil(r.New), Fixed: nonNil(r.Fixed)}
	for _, p := range r.Plans {
		out.Plans = append(out.Plans, plan{p, jsonMeasures(p.Measures)})
	}
	for _, s := range r.Systems {
		out.Systems = append(out.Systems, system{s, jsonMeasures(s.Measures)})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func nonNil(fs []finding.Finding) []finding.Finding {
	if fs == nil {
		return []finding.Finding{}
	}
	return fs
}
