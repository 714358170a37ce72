package review

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/triangulate-nhs/triangulate/internal/finding"
	"github.com/triangulate-nhs/triangulate/internal/gate"
	"github.com/triangulate-nhs/triangulate/internal/github"
	"github.com/triangulate-nhs/triangulate/internal/gitrepo"
)

var icon = map[finding.Severity]string{finding.Error: "❌", finding.Warning: "⚠️", finding.Info: "ℹ️"}

// Gate is the commit status: pass or fail, and one line saying why.
func (r *Review) Gate() github.Gate {
	if r.Pass() {
		what := "no plan changes"
		if len(r.ChangedOrgs) > 0 {
			what = strings.Join(r.ChangedOrgs, ", ")
		}
		return github.Gate{State: github.StateSuccess, Description: "Submittable: nothing blocks " + what}
	}
	orgs := map[string]bool{}
	rules := map[string]bool{}
	for _, f := range r.Blocking {
		rules[f.Rule] = true
		for _, o := range f.Orgs {
			if slices.Contains(r.ChangedOrgs, o) {
				orgs[o] = true
			}
		}
	}
	desc := fmt.Sprintf("%d blocking finding%s", len(r.Blocking), plural(len(r.Blocking)))
	if len(orgs) > 0 {
		desc += " involve " + strings.Join(sortedSet(orgs), ", ")
	}
	desc += " (" + strings.Join(sortedSet(rules), ", ") + ")"
	return github.Gate{State: github.StateFailure, Description: desc}
}

// Publication is everything to post to GitHub for pr.
func (r *Review) Publication(pr github.PR) github.Publication {
	comments, body, keep := r.placed()
	return github.Publication{
		PR:       pr,
		Summary:  r.Summary(),
		Body:     body,
		Comments: comments,
		Keep:     keep,
		Gate:     r.Gate(),
	}
}

// placed puts each new finding on its line when the diff shows that line
// (and on the counterparty's line too, for a misalignment), and lists the
// rest in the review body.
func (r *Review) placed() ([]github.Comment, string, []string) {
	changes := r.changesByPath()
	var comments []github.Comment
	var elsewhere []finding.Finding
	var keep []string
	for _, f := range r.New {
		fp := f.Fingerprint()
		keep = append(keep, fp)
		onLine := false
		if changes.shows(f.Location) {
			comments = append(comments, github.Comment{Path: f.File, Line: f.Line, Fingerprint: fp, Body: r.commentBody(f, f.Location)})
			onLine = true
		}
		for i, rel := range f.Related {
			rfp := fmt.Sprintf("%s-%d", fp, i+1)
			keep = append(keep, rfp)
			if changes.shows(rel) {
				comments = append(comments, github.Comment{Path: rel.File, Line: rel.Line, Fingerprint: rfp, Body: r.commentBody(f, rel)})
				onLine = true
			}
		}
		if !onLine {
			elsewhere = append(elsewhere, f)
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "**Triangulate** %s: %s\n", verdict(r.Pass()), r.Gate().Description)
	if len(elsewhere) > 0 {
		fmt.Fprintf(&b, "\nNew findings on lines this pull request does not show:\n\n")
		for _, f := range elsewhere {
			fmt.Fprintf(&b, "- %s **%s** %s `%s`: %s%s%s\n", icon[f.Severity], f.Rule, f.Severity, f.Location.String(), scope(f), md(f.Message), status(f))
		}
	}
	return comments, b.String(), keep
}

// commentBody explains a finding on one of its lines, naming the other
// organisation and mentioning its owners so both sides see a misalignment.
func (r *Review) commentBody(f finding.Finding, at finding.Location) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s **%s %s**: %s%s\n\n%s\n", icon[f.Severity], f.Rule, f.Severity, scope(f), md(f.Title), md(f.Message))
	if s := status(f); s != "" {
		fmt.Fprintf(&b, "\n%s\n", strings.TrimSpace(s))
	}
	var others []string
	for _, loc := range append([]finding.Location{f.Location}, f.Related...) {
		if loc.File == at.File && loc.Line == at.Line {
			continue
		}
		s := fmt.Sprintf("%s at `%s`", loc.Org, loc.String())
		if r.Owners != nil {
			if m := r.Owners.Mention(loc.File); m != "" {
				s += " (" + m + ")"
			}
		}
		others = append(others, s)
	}
	if len(others) > 0 {
		fmt.Fprintf(&b, "\nOther side: %s. Both plans must agree before either can be submitted.\n", strings.Join(others, "; "))
	}
	switch {
	case f.Severity == finding.Warning && gate.NeedsAgreement(f):
		others := slices.DeleteFunc(slices.Clone(f.Orgs), func(o string) bool { return o == at.Org })
		fmt.Fprintf(&b, "\n<sub>This warning blocks submission until every organisation it involves (%s) lists it in `explanations`: "+
			"one explains it with `{rule: %q, text: \"...\"}` and each of the others explains it too or acknowledges it, "+
			"e.g. `{rule: %q, counterparty: %q, acknowledge: true}`. One side alone does not explain it.</sub>\n",
			strings.Join(f.Orgs, ", "), f.Rule, f.Rule, others[0])
	case f.Severity == finding.Warning:
		fmt.Fprintf(&b, "\n<sub>A warning blocks submission unless the plan explains it: add `{rule: %q, text: \"...\"}` to `explanations`.</sub>\n", f.Rule)
	case f.Severity == finding.Error:
		b.WriteString("\n<sub>An error blocks submission until it is fixed.</sub>\n")
	}
	return b.String()
}

// Summary is the comment regulators read: the gate, the counts, what the
// change does to each organisation's key figures, and what proposed rule
// changes would do.
func (r *Review) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "## Triangulate: %s %s\n\n", map[bool]string{true: "✅", false: "❌"}[r.Pass()], verdict(r.Pass()))
	if len(r.RulesChanged) > 0 {
		fmt.Fprintf(&b, "> [!WARNING]\n> This pull request changes the rules plans are judged by (%s). It is judged by the rules on the base branch; the regulators who own those files decide on the change. See *Policy impact* below.\n\n",
			codeList(r.RulesChanged))
	}
	fmt.Fprintf(&b, "**Gate:** %s: %s.\n\n", r.Gate().State, md(r.Gate().Description))
	changed := "none"
	if len(r.ChangedOrgs) > 0 {
		changed = strings.Join(r.ChangedOrgs, ", ")
	}
	fmt.Fprintf(&b, "Organisations changed: %s · base `%s` → head `%s`\n\n", changed, short(r.BaseSHA), short(r.HeadSHA))
	fmt.Fprintf(&b, "| Findings | Errors | Warnings | Info |\n| --- | ---: | ---: | ---: |\n")
	for _, row := range []struct {
		name string
		fs   []finding.Finding
	}{{"New", r.New}, {"Fixed", r.Fixed}, {"Still present", r.Still}, {"Blocking this change", r.Blocking}} {
		c := finding.Count(row.fs)
		fmt.Fprintf(&b, "| %s | %d | %d | %d |\n", row.name, c.Errors, c.Warnings, c.Infos)
	}
	b.WriteString("\n")
	if len(r.Blocking) > 0 {
		b.WriteString("### Blocking\n\n| | Rule | Organisations | Where | Finding |\n| --- | --- | --- | --- | --- |\n")
		for _, f := range r.Blocking {
			fmt.Fprintf(&b, "| %s | %s %s | %s | `%s` | %s%s |\n", icon[f.Severity], f.Rule, md(f.Title), who(f), f.Location.String(), md(f.Message), status(f))
		}
		b.WriteString("\n")
	}
	if other := r.outside(); len(other) > 0 {
		fmt.Fprintf(&b, "<details><summary>%d blocking finding%s elsewhere, not caused by this change (shown, not blocking it)</summary>\n\n", len(other), plural(len(other)))
		for _, f := range other {
			fmt.Fprintf(&b, "- %s %s `%s`: %s%s\n", f.Rule, who(f), f.Location.String(), md(f.Message), status(f))
		}
		b.WriteString("\n</details>\n\n")
	}
	if len(r.Fixed) > 0 {
		b.WriteString("### Fixed by this change\n\n")
		for _, f := range r.Fixed {
			fmt.Fprintf(&b, "- ~~%s %s~~: %s\n", f.Rule, who(f), md(f.Message))
		}
		b.WriteString("\n")
	}
	if ex := explained(r.New); len(ex) > 0 {
		b.WriteString("### Explained or waived\n\n")
		for _, f := range ex {
			fmt.Fprintf(&b, "- %s %s %s `%s`: %s. *%s*\n", f.Rule, f.Severity, who(f), f.Location.String(), md(f.Message), md(f.StatusNote()))
		}
		b.WriteString("\n")
	}
	r.writeFigures(&b)
	r.writeImpact(&b)
	return b.String()
}

// outside lists blocking findings at head that the change did not touch.
func (r *Review) outside() []finding.Finding {
	var out []finding.Finding
	for _, f := range r.Head.Findings {
		if f.Blocking() && !containsFinding(r.Blocking, f) {
			out = append(out, f)
		}
	}
	return out
}

// writeFigures tables the key figures of every plan file the change touches.
func (r *Review) writeFigures(b *strings.Builder) {
	for _, c := range r.Changes {
		before, after := docByFile(r.Base.Set, c.From), docByFile(r.Head.Set, c.To)
		if before == nil && after == nil {
			continue
		}
		figs := figures(before, after)
		if len(figs) == 0 {
			continue
		}
		d := after
		if d == nil {
			d = before
		}
		title := d.Org
		if n, _ := d.Data["name"].(string); n != "" {
			title += " " + n
		}
		if d.Year != "" {
			title += ", " + d.Year
		}
		switch {
		case before == nil:
			title += " (new plan)"
		case after == nil:
			title += " (plan removed)"
		}
		fmt.Fprintf(b, "### %s\n\n| Key figure | Before | After | Change |\n| --- | ---: | ---: | ---: |\n", md(title))
		for _, f := range figs {
			bv, av := "n/a", "n/a"
			if f.hasB {
				bv = format(f.before, f.unit)
			}
			if f.hasA {
				av = format(f.after, f.unit)
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s |\n", md(f.label), bv, av, change(f))
		}
		b.WriteString("\n")
	}
}

func (r *Review) writeImpact(b *strings.Builder) {
	if r.Impact == nil {
		return
	}
	b.WriteString("### Policy impact\n\nIf the proposed rules were merged, judged on this pull request's plans:\n\n")
	switch {
	case r.Impact.Err != nil:
		fmt.Fprintf(b, "- The proposed rules do not load: %s\n", md(r.Impact.Err.Error()))
	case len(r.Impact.NewlyFailing)+len(r.Impact.NewlyPassing) == 0:
		b.WriteString("- No organisation's verdict would change.\n")
	default:
		for _, o := range r.Impact.NewlyFailing {
			fmt.Fprintf(b, "- **%s would newly fail** (%s)\n", o.Org, strings.Join(o.Rules, ", "))
		}
		for _, o := range r.Impact.NewlyPassing {
			fmt.Fprintf(b, "- **%s would newly pass** (no longer blocked by %s)\n", o.Org, strings.Join(o.Rules, ", "))
		}
	}
	b.WriteString("\n")
}

// Markdown is the review as it would be posted, for a terminal or a job
// summary: the summary, then each line comment with its place, then the
// review body.
func (r *Review) Markdown() string {
	comments, body, _ := r.placed()
	var b strings.Builder
	b.WriteString(r.Summary())
	if len(comments) > 0 {
		fmt.Fprintf(&b, "### Line comments (%d)\n\n", len(comments))
		sort.SliceStable(comments, func(i, j int) bool {
			if comments[i].Path != comments[j].Path {
				return comments[i].Path < comments[j].Path
			}
			return comments[i].Line < comments[j].Line
		})
		for _, c := range comments {
			fmt.Fprintf(&b, "#### `%s:%d`\n\n%s\n", c.Path, c.Line, c.Body)
		}
	}
	fmt.Fprintf(&b, "### Review body\n\n%s", body)
	return b.String()
}

func explained(fs []finding.Finding) []finding.Finding {
	var out []finding.Finding
	for _, f := range fs {
		if f.Status != finding.Open {
			out = append(out, f)
		}
	}
	return out
}

// status says why a finding does or does not block, after its message:
// " *(explained by RA2: ...; acknowledged by 09Y)*", or for an open finding
// one side has explained " *(explained by RTK; awaiting 09Y: ...)*".
func status(f finding.Finding) string {
	note := f.StatusNote()
	if note == "" {
		return ""
	}
	return " *(" + md(note) + ")*"
}

// scope marks a roll-up finding, e.g. "[national] "; "" for others.
func scope(f finding.Finding) string {
	if l := f.ScopeLabel(); l != "" {
		return "[" + l + "] "
	}
	return ""
}

// who names a finding's organisations, after its scope for a roll-up:
// "RTK, 09Y", "[national] RTK, RA2".
func who(f finding.Finding) string {
	return scope(f) + strings.Join(f.Orgs, ", ")
}

func verdict(pass bool) string {
	if pass {
		return "submittable"
	}
	return "not submittable"
}

func containsFinding(fs []finding.Finding, f finding.Finding) bool {
	for _, g := range fs {
		if g.Fingerprint() == f.Fingerprint() {
			return true
		}
	}
	return false
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func codeList(xs []string) string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = "`" + x + "`"
	}
	return strings.Join(out, ", ")
}

// md makes text from plans safe inside markdown tables and lists: no
// line breaks, pipes or raw HTML.
var md = strings.NewReplacer("|", `\|`, "\r", " ", "\n", " ", "<", "&lt;", ">", "&gt;").Replace

// Relocated returns the new findings each placed on the line of the change
// that shows it: a misalignment whose provider line did not change is moved
// to the commissioner's line that did, keeping the other side as related.
// Annotations use it, since they show inline only on changed files.
func (r *Review) Relocated() []finding.Finding {
	changes := r.changesByPath()
	out := make([]finding.Finding, 0, len(r.New))
	for _, f := range r.New {
		if !changes.shows(f.Location) {
			for i, rel := range f.Related {
				if changes.shows(rel) {
					others := append([]finding.Location{f.Location}, f.Related[:i]...)
					f.Related = append(others, f.Related[i+1:]...)
					f.Location = rel
					break
				}
			}
		}
		out = append(out, f)
	}
	return out
}

type changeIndex map[string]gitrepo.FileChange

func (r *Review) changesByPath() changeIndex {
	m := changeIndex{}
	for _, c := range r.Changes {
		if c.To != "" {
			m[c.To] = c
		}
	}
	return m
}

func (c changeIndex) shows(l finding.Location) bool {
	ch, ok := c[l.File]
	return ok && l.Line > 0 && ch.Commentable(l.Line)
}
