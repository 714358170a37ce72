package report

import (
	"fmt"
	"strings"

	"github.com/triangulate-nhs/triangulate/internal/diff"
	"github.com/triangulate-nhs/triangulate/internal/finding"
	"github.com/triangulate-nhs/triangulate/internal/review"
)

// reviewSummary is the comment regulators read: the gate, the counts, what
// blocks, what the change does to each organisation's key figures, and what
// proposed rule changes would do.
func reviewSummary(rv *review.Review) string {
	var b strings.Builder
	mark := "❌"
	if rv.Gate.Pass {
		mark = "✅"
	}
	fmt.Fprintf(&b, "## Triangulate: %s %s\n\n", mark, verdict(rv.Gate.Pass))
	if len(rv.RulesChanged) > 0 {
		fmt.Fprintf(&b, "> [!WARNING]\n> This pull request changes the rules plans are judged by (%s). It is judged by the rules on the base branch; the regulators who own those files decide on the change. See *Policy impact* below.\n\n",
			codeList(rv.RulesChanged))
	}
	fmt.Fprintf(&b, "**Gate:** %s.\n\n", mdText(gateDescription(rv.Gate)))
	changed := "none"
	if len(rv.ChangedOrgs) > 0 {
		changed = mdText(strings.Join(rv.ChangedOrgs, ", "))
	}
	fmt.Fprintf(&b, "Organisations changed: %s · base %s → head %s\n\n", changed, mdCode(shortSHA(rv.BaseSHA)), mdCode(shortSHA(rv.HeadSHA)))
	if len(rv.Undiffed) > 0 {
		var files []string
		for _, u := range rv.Undiffed {
			files = append(files, mdCode(u.Path)+" ("+mdText(u.Err.Error())+")")
		}
		fmt.Fprintf(&b, "> [!NOTE]\n> No line comment can sit on %s: %s. Findings there are listed in the review.\n\n",
			plural(len(files), "changed file", "changed files"), strings.Join(files, "; "))
	}
	b.WriteString("| Findings | Errors | Warnings | Info |\n| --- | ---: | ---: | ---: |\n")
	for _, row := range []struct {
		name string
		fs   []finding.Finding
	}{{"New", review.Findings(rv.New)}, {"Fixed", review.Findings(rv.Fixed)}, {"Still present", review.Findings(rv.Still)}, {"Blocking this change", rv.Blocking}} {
		c := finding.Count(row.fs)
		fmt.Fprintf(&b, "| %s | %d | %d | %d |\n", row.name, c.Errors, c.Warnings, c.Infos)
	}
	b.WriteString("\n")
	if len(rv.Blocking) > 0 {
		b.WriteString("### Blocking\n\n| | Rule | Organisations | Where | Finding |\n| --- | --- | --- | --- | --- |\n")
		for _, f := range rv.Blocking {
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s%s |\n", icon(f.Severity), mdText(f.Rule+" "+ruleTitle(rv.Catalogue, f)),
				whoMD(f), mdCode(f.Location.String()), mdText(f.Message), statusMD(f))
		}
		b.WriteString("\n")
	}
	findingsDetails(&b, rv.Elsewhere, "elsewhere, not caused by this change (shown, not blocking it)")
	findingsDetails(&b, rv.Drafts, "carried by draft plans (shown, not blocking; they block once the plan is final)")
	if len(rv.Fixed) > 0 {
		b.WriteString("### Fixed by this change\n\n")
		for _, p := range rv.Fixed {
			fmt.Fprintf(&b, "- ~~%s %s~~: %s\n", mdText(p.Rule), whoMD(p.Finding), mdText(p.Message))
		}
		b.WriteString("\n")
	}
	var settled []finding.Finding
	for _, p := range rv.New {
		if p.Status != finding.Open {
			settled = append(settled, p.Finding)
		}
	}
	if len(settled) > 0 {
		b.WriteString("### Explained or waived\n\n")
		for _, f := range settled {
			fmt.Fprintf(&b, "- %s %s %s %s: %s. *%s*\n", mdText(f.Rule), mdText(string(f.Severity)), whoMD(f),
				mdCode(f.Location.String()), mdText(f.Message), mdText(f.StatusNote()))
		}
		b.WriteString("\n")
	}
	writeFigures(&b, rv.Figures)
	writeImpact(&b, rv.Impact)
	return b.String()
}

// writeFigures tables the key figures of every plan file the change touches.
func writeFigures(b *strings.Builder, plans []review.PlanFigures) {
	for _, pf := range plans {
		title := planTitle(diff.Plan{Org: pf.Org, Name: pf.Name, Year: pf.Year, Added: pf.Added, Removed: pf.Removed})
		fmt.Fprintf(b, "### %s\n\n| Key figure | Before | After | Change |\n| --- | ---: | ---: | ---: |\n", mdText(title))
		for _, f := range pf.Figures {
			fmt.Fprintf(b, "| %s | %s | %s | %s |\n", mdText(f.Label), figureValue(f.Before, f.Unit), figureValue(f.After, f.Unit), figureChange(f))
		}
		b.WriteString("\n")
	}
}

func writeImpact(b *strings.Builder, im *review.Impact) {
	if im == nil {
		return
	}
	b.WriteString("### Policy impact\n\nIf the proposed rules were merged, judged on this pull request's plans:\n\n")
	switch {
	case im.Err != nil && im.Stopped:
		fmt.Fprintf(b, "- Not evaluated: %s.\n", mdText(im.Err.Error()))
	case im.Err != nil:
		fmt.Fprintf(b, "- The proposed rules do not load: %s\n", mdText(im.Err.Error()))
	case len(im.NewlyFailing)+len(im.NewlyPassing) == 0:
		b.WriteString("- No organisation's verdict would change.\n")
	default:
		for _, o := range im.NewlyFailing {
			fmt.Fprintf(b, "- **%s would newly fail** (%s)\n", mdText(o.Org), mdText(strings.Join(o.Rules, ", ")))
		}
		for _, o := range im.NewlyPassing {
			fmt.Fprintf(b, "- **%s would newly pass** (no longer blocked by %s)\n", mdText(o.Org), mdText(strings.Join(o.Rules, ", ")))
		}
	}
	b.WriteString("\n")
}

func codeList(xs []string) string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = mdCode(x)
	}
	return strings.Join(out, ", ")
}

func shortSHA(sha string) string { return sha[:min(12, len(sha))] }

// findingsDetails lists blocking findings that do not count against the
// change in a folded section, "N blocking findings <what>"; nothing when
// there are none.
func findingsDetails(b *strings.Builder, fs []finding.Finding, what string) {
	if len(fs) == 0 {
		return
	}
	fmt.Fprintf(b, "<details><summary>%s %s</summary>\n\n", plural(len(fs), "blocking finding", "blocking findings"), what)
	for _, f := range fs {
		fmt.Fprintf(b, "- %s %s %s: %s%s\n", mdText(f.Rule), whoMD(f), mdCode(f.Location.String()), mdText(f.Message), statusMD(f))
	}
	b.WriteString("\n</details>\n\n")
}
