package report

import (
	"fmt"
	"slices"
	"strings"

	"github.com/triangulate-nhs/triangulate/internal/finding"
	"github.com/triangulate-nhs/triangulate/internal/gate"
	"github.com/triangulate-nhs/triangulate/internal/review"
)

var icons = map[finding.Severity]string{finding.Error: "❌", finding.Warning: "⚠️", finding.Info: "ℹ️"}

func icon(s finding.Severity) string { return icons[s] }

// commentBody explains a finding on one of its sides, naming each other
// side with its code owners so both organisations see a misalignment.
func commentBody(rv *review.Review, p review.Placed, side int) string {
	f := p.Finding
	var b strings.Builder
	fmt.Fprintf(&b, "%s **%s %s**: %s%s\n\n", icon(f.Severity), mdText(f.Rule), mdText(string(f.Severity)), scopeMD(f), mdText(ruleTitle(rv.Catalogue, f)))
	// The message starts a line: mdText escapes whatever would open a
	// block there.
	fmt.Fprintf(&b, "%s\n", mdText(f.Message))
	if note := f.StatusNote(); note != "" {
		fmt.Fprintf(&b, "\n*(%s)*\n", mdText(note))
	}
	var others []string
	for i, s := range p.Sides {
		if i == side || s.File == p.Sides[side].File && s.Line == p.Sides[side].Line {
			continue
		}
		o := fmt.Sprintf("%s at %s", mdText(s.Org), mdCode(s.Location.String()))
		if s.Owners != "" {
			// Owners come from the base's CODEOWNERS: mentioning them is
			// the point, so they are not escaped.
			o += " (" + s.Owners + ")"
		}
		others = append(others, o)
	}
	if len(others) > 0 {
		fmt.Fprintf(&b, "\nOther side: %s. Both plans must agree before either can be submitted.\n", strings.Join(others, "; "))
	}
	at := p.Sides[side].Org
	switch {
	case f.Status != finding.Open:
		// Explained or waived: nothing left to do, and the note says so.
	case f.Severity == finding.Warning && gate.NeedsAgreement(f):
		counterparty := ""
		if others := slices.DeleteFunc(slices.Clone(f.Orgs), func(o string) bool { return o == at }); len(others) > 0 {
			counterparty = others[0]
		}
		fmt.Fprintf(&b, "\n<sub>This warning blocks submission until every organisation it involves (%s) lists it in <code>explanations</code>: "+
			"one explains it with %s and each of the others explains it too or acknowledges it, e.g. %s. One side alone does not explain it.</sub>\n",
			mdText(strings.Join(f.Orgs, ", ")), mdCode(fmt.Sprintf(`{rule: %q, text: "..."}`, f.Rule)),
			mdCode(fmt.Sprintf(`{rule: %q, counterparty: %q, acknowledge: true}`, f.Rule, counterparty)))
	case f.Severity == finding.Warning:
		fmt.Fprintf(&b, "\n<sub>A warning blocks submission unless the plan explains it: add %s to <code>explanations</code>.</sub>\n",
			mdCode(fmt.Sprintf(`{rule: %q, text: "..."}`, f.Rule)))
	case f.Severity == finding.Error:
		b.WriteString("\n<sub>An error blocks submission until it is fixed.</sub>\n")
	}
	return b.String()
}

// commentBrief is a line comment in one line, with its place and the
// finding's message (which carries the figures), for the review body when
// GitHub cannot take the comment.
func commentBrief(rv *review.Review, p review.Placed, s review.Side) string {
	f := p.Finding
	return fmt.Sprintf("%s **%s %s** at %s: %s%s%s", icon(f.Severity), mdText(f.Rule), mdText(string(f.Severity)),
		mdCode(s.Location.String()), scopeMD(f), mdText(f.Message), statusMD(f))
}

// reviewBody is the review's own text: the verdict, and the new findings on
// lines the diff does not show, which no line comment can carry.
func reviewBody(rv *review.Review, unshown []review.Placed) string {
	var b strings.Builder
	fmt.Fprintf(&b, "**Triangulate:** %s.\n", mdText(gateDescription(rv.Gate)))
	if len(unshown) > 0 {
		b.WriteString("\nNew findings on lines this pull request does not show:\n\n")
		for _, p := range unshown {
			f := p.Finding
			fmt.Fprintf(&b, "- %s **%s** %s %s: %s%s%s\n", icon(f.Severity), mdText(f.Rule), mdText(string(f.Severity)),
				mdCode(f.Location.String()), scopeMD(f), mdText(f.Message), statusMD(f))
		}
	}
	return b.String()
}

// statusMD says why a finding does or does not block, after its message:
// " *(explained by RA2: ...; acknowledged by 09Y)*", or for an open finding
// one side has explained " *(explained by RTK; awaiting 09Y: ...)*".
func statusMD(f finding.Finding) string {
	note := f.StatusNote()
	if note == "" {
		return ""
	}
	return " *(" + mdText(note) + ")*"
}

// scopeMD marks a roll-up finding, e.g. "\[national\] "; "" for others.
func scopeMD(f finding.Finding) string {
	if m := scopeMarker(f); m != "" {
		return mdText(strings.TrimSpace(m)) + " "
	}
	return ""
}

// whoMD names a finding's organisations, after its scope for a roll-up.
func whoMD(f finding.Finding) string {
	return scopeMD(f) + mdText(strings.Join(f.Orgs, ", "))
}
