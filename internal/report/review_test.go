package report

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/triangulate-nhs/triangulate/internal/finding"
	"github.com/triangulate-nhs/triangulate/internal/review"
)

const (
	rtkPlan = "plans/2019-20/providers/rtk.cue"
	ra2Plan = "plans/2019-20/providers/ra2.cue"
	n09Plan = "plans/2019-20/commissioners/09n.cue"
	y09Plan = "plans/2019-20/commissioners/09y.cue"
	regFile = "policy/register/2019-20.cue"
)

// owners are the mentions the fixture's sides carry, as from the base's
// CODEOWNERS: live on purpose.
var owners = []string{"@triangulate-nhs/rtk-planning", "@triangulate-nhs/ra2-planning", "@triangulate-nhs/09n-planning"}

func num(x float64) *float64 { return &x }

// judged is a change judged by the review package, with every string a plan,
// a path or a proposed rule could carry passed through text: the identity
// for the plain fixture, hostile text appended for the hostile one, a
// fuzzer's input in FuzzReviewMarkdown.
func judged(text func(string) string) *review.Review {
	org := func(o string) string { return text(o) }
	side := func(o, file string, line int, p review.Placement, own string) review.Side {
		s := review.Side{Location: finding.Location{Org: org(o), File: text(file), Line: line, Column: 5}, Placement: p, Owners: own}
		if p != review.OutOfDiff {
			s.DiffLine = line
		}
		return s
	}
	placed := func(f finding.Finding, sides ...review.Side) review.Placed {
		f.Location = sides[0].Location
		for _, s := range sides[1:] {
			f.Related = append(f.Related, s.Location)
		}
		return review.Placed{Finding: f, Sides: sides}
	}
	misaligned := placed(finding.Finding{Rule: "A01", Severity: finding.Error, Orgs: []string{org("RA2"), org("09N")},
		Message: text("GP referrals: RA2 plans 47,240 from 09N; 09N plans 50,148 with RA2: 6.2% apart")},
		side("RA2", ra2Plan, 26, review.InDiff, owners[1]), side("09N", n09Plan, 46, review.InDiff, owners[2]))
	awaiting := placed(finding.Finding{Rule: "A01", Severity: finding.Warning, Orgs: []string{org("RTK"), org("09Y")},
		Message: text("RTK plans 70,300 follow-ups from 09Y; 09Y plans 69,035: 1.8% apart"),
		Reason:  "explained by " + org("RTK") + "; awaiting " + org("09Y") + ": " + text("virtual clinics from April")},
		side("RTK", rtkPlan, 49, review.InContext, owners[0]), side("09Y", y09Plan, 60, review.OutOfDiff, ""))
	explained := placed(finding.Finding{Rule: "B01", Severity: finding.Warning, Orgs: []string{org("RTK")},
		Message: text("G&A occupancy 94.1% in M10 (January)"), Status: finding.Explained, Reason: text("40 winter escalation beds")},
		side("RTK", rtkPlan, 210, review.InDiff, owners[0]))
	offDiff := placed(finding.Finding{Rule: "A04", Severity: finding.Warning, Orgs: []string{org("RTK")},
		Message: text("contract with 99X named by RTK, but 99X has no plan")},
		side("RTK", rtkPlan, 0, review.OutOfDiff, owners[0]))
	national := placed(finding.Finding{Rule: "N01", Title: text("Provider sector surplus"), Scope: finding.ScopeNational, Severity: finding.Warning,
		Orgs: []string{org("RTK"), org("RA2")}, Message: text("providers plan £-9,000k in total, below the national ask of £0k"),
		Status: finding.Explained, Reason: "explained by " + org("RTK") + ": " + text("stroke unit") + "; acknowledged by " + org("RA2")},
		side("", regFile, 52, review.OutOfDiff, ""))
	system := placed(finding.Finding{Rule: "C03", Title: text("System control total met"), Scope: finding.ScopeSystem, Severity: finding.Error,
		Orgs: []string{org("QXU"), org("RTK")}, Message: text("QXU members plan £-23,500k against £-22,500k")},
		side("QXU", regFile, 31, review.OutOfDiff, ""))
	fixed := placed(finding.Finding{Rule: "B05", Title: text("Agency within ceiling"), Severity: finding.Warning, Orgs: []string{org("RTK")},
		Message: text("agency £9,100k over the ceiling £8,700k")}, side("RTK", rtkPlan, 120, review.OutOfDiff, ""))
	still := placed(finding.Finding{Rule: "B08", Severity: finding.Info, Orgs: []string{org("RTK")},
		Message: text("A&E attendances are the same every month")}, side("RTK", rtkPlan, 90, review.OutOfDiff, ""))
	elsewhere := finding.Finding{Rule: "S01", Title: text("Organisation codes are valid and known"), Severity: finding.Error, Orgs: []string{org("RXX")},
		Message: text(`system "QX" is not a known system code`), Location: finding.Location{Org: org("RXX"), File: text("plans/2019-20/providers/rxx.cue"), Line: 14, Column: 12}}
	changed := []string{org("09N"), org("RA2"), org("RTK")}
	return &review.Review{
		BaseSHA: "1111111111111111111111111111111111111111", HeadSHA: "2222222222222222222222222222222222222222",
		RulesChanged: []string{text("policy/data.json")},
		ChangedOrgs:  changed,
		PlansRead:    9,
		New:          []review.Placed{misaligned, awaiting, explained, offDiff, national, system},
		Fixed:        []review.Placed{fixed},
		Still:        []review.Placed{still},
		Blocking:     []finding.Finding{misaligned.Finding, awaiting.Finding, offDiff.Finding, system.Finding},
		Elsewhere:    []finding.Finding{elsewhere},
		Figures: []review.PlanFigures{
			{Org: org("RTK"), Name: text("Ashford and St Peter's Hospitals NHS Foundation Trust"), Year: text("2019/20"), File: rtkPlan, Figures: []review.Figure{
				{Label: "GP referrals (E.M.1)", Unit: review.Count, Before: num(44000), After: num(45320)},
				{Label: "Income", Unit: review.Money, Before: num(294000), After: num(294000)},
				{Label: "Surplus/(deficit) before sustainability funding", Unit: review.Money, Before: num(-7500), After: num(-12000)},
				{Label: "WTE (average)", Unit: review.Average, Before: num(4102.25), After: num(4110)},
				{Label: "G&A beds (average)", Unit: review.Average, After: num(512)},
			}},
			{Org: org("09N"), Name: text("NHS East Surrey CCG"), Year: text("2019/20"), File: n09Plan, Added: true, Figures: []review.Figure{
				{Label: "Surplus/(deficit)", Unit: review.Money, After: num(0)},
			}},
		},
		Undiffed: []review.Undiffed{{Path: text("plans/2019-20/notes.cue"), Err: errors.New(text("2000000 bytes, over the 1048576 a review diffs: too large to comment on"))}},
		Gate:     review.Gate{Blocking: 4, Rules: []string{"A01", "A04", "C03"}, Orgs: changed, Changed: changed},
		Impact: &review.Impact{
			NewlyFailing: []review.OrgRules{{Org: org("RTK"), Rules: []string{"B01"}}},
			NewlyPassing: []review.OrgRules{{Org: org("RA2"), Rules: []string{"A01", "A03"}}},
		},
		Catalogue: rules,
	}
}

// clean is a change nothing blocks: one organisation renamed.
func clean() *review.Review {
	return &review.Review{
		BaseSHA: "1111111111111111111111111111111111111111", HeadSHA: "3333333333333333333333333333333333333333",
		ChangedOrgs: []string{"RTK"}, PlansRead: 9,
		Gate:      review.Gate{Pass: true, Changed: []string{"RTK"}},
		Catalogue: rules,
	}
}

// brokenRules is a change whose proposed rules do not load, touching no plan.
func brokenRules() *review.Review {
	return &review.Review{
		BaseSHA: "1111111111111111111111111111111111111111", HeadSHA: "4444444444444444444444444444444444444444",
		RulesChanged: []string{"policy/rules/x01/x01.rego"}, PlansRead: 9,
		Gate:      review.Gate{Pass: true},
		Impact:    &review.Impact{Err: errors.New("1 error occurred: policy/rules/x01/x01.rego:3: rego_parse_error: unexpected eof token")},
		Catalogue: rules,
	}
}

// hostileMarkdown is everything that would be live in GitHub's markdown.
const hostileMarkdown = "@triangulate-nhs/regulators @everyone [link](https://evil.example) ![img](https://evil.example/i.png) " +
	"<https://evil.example/a> <img src=x onerror=alert(1)> https://evil.example/b www.evil.example #12 GH-7 &#64;x " +
	"`code` $x$ **bold** ~~strike~~ | cell |\n# heading\n> quote\n- item\n1. item\n    indented\n```\n===\n[ref]: https://evil.example"

func withHostile(s string) string { return s + " " + hostileMarkdown }

var reviewCases = []struct {
	name string
	rv   *review.Review
}{
	{"mixed", judged(func(s string) string { return s })},
	{"clean", clean()},
	{"broken-rules", brokenRules()},
	{"hostile", judged(withHostile)},
}

// renderedReview is everything RenderReview produces, laid out for a golden
// file: the status, the summary, the body, then each line comment.
func renderedReview(out ReviewOutput) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<!-- status: %s: %s -->\n<!-- summary -->\n%s<!-- body -->\n%s", out.State, out.Description, out.Summary, out.Body)
	for _, c := range out.Comments {
		fmt.Fprintf(&b, "<!-- comment %s:%d %s %s -->\n%s<!-- brief -->\n%s\n", c.Path, c.Line, c.Side, c.Fingerprint, c.Body, c.Brief)
	}
	fmt.Fprintf(&b, "<!-- keep %s -->\n", strings.Join(out.Keep, " "))
	return b.String()
}

func TestReviewGolden(t *testing.T) {
	for _, c := range reviewCases {
		t.Run(c.name, func(t *testing.T) {
			golden(t, "review/"+c.name+".md", []byte(renderedReview(RenderReview(c.rv))))
		})
	}
	var buf bytes.Buffer
	if err := WriteReview(&buf, reviewCases[0].rv); err != nil {
		t.Fatal(err)
	}
	golden(t, "review/mixed-local.md", buf.Bytes())
}

// TestReviewPlacesCommentsOnShownSides: each side the diff shows gets a
// comment on its line, a finding no side of which is shown goes in the
// body, and every side's fingerprint is kept.
func TestReviewPlacesCommentsOnShownSides(t *testing.T) {
	out := RenderReview(reviewCases[0].rv)
	var got []string
	for _, c := range out.Comments {
		got = append(got, fmt.Sprintf("%s:%d %s", c.Path, c.Line, c.Side))
	}
	want := []string{ra2Plan + ":26 RIGHT", n09Plan + ":46 RIGHT", rtkPlan + ":49 RIGHT", rtkPlan + ":210 RIGHT"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("comments (-want +got):\n%s", diff)
	}
	for _, want := range []string{"**A04** warning <code>" + rtkPlan + "</code>", "**C03** error <code>" + regFile + ":31:5</code>: \\[system QXU\\] "} {
		if !strings.Contains(out.Body, want) {
			t.Errorf("body lacks %q:\n%s", want, out.Body)
		}
	}
	if strings.Contains(out.Body, "**A01**") {
		t.Errorf("body lists a finding that has line comments:\n%s", out.Body)
	}
	if len(out.Keep) != 8 || out.Comments[0].Fingerprint == out.Comments[1].Fingerprint {
		t.Errorf("keep %v; comments %q and %q: want every side kept, each its own", out.Keep, out.Comments[0].Fingerprint, out.Comments[1].Fingerprint)
	}
}

// TestGateDescription: the wording of item 7 of issue 8.
func TestGateDescription(t *testing.T) {
	tests := []struct {
		g    review.Gate
		want string
	}{
		{review.Gate{Pass: true, Changed: []string{"RTK"}}, "Submittable: nothing blocks RTK"},
		{review.Gate{Pass: true}, "Submittable: nothing blocks this change"},
		{review.Gate{Blocking: 1, Rules: []string{"A01"}, Orgs: []string{"09N"}}, "Not submittable: 1 blocking finding involves 09N (A01)"},
		{review.Gate{Blocking: 2, Rules: []string{"A01", "A03"}, Orgs: []string{"09N", "RA2"}}, "Not submittable: 2 blocking findings involve 09N, RA2 (A01, A03)"},
		{review.Gate{Blocking: 3, Rules: []string{"S01", "S04"}}, "Not submittable: 3 blocking findings (S01, S04)"},
	}
	for _, tc := range tests {
		if got := gateDescription(tc.g); got != tc.want {
			t.Errorf("gateDescription(%+v) = %q, want %q", tc.g, got, tc.want)
		}
	}
	for _, c := range reviewCases {
		body := RenderReview(c.rv).Body
		if first, _, _ := strings.Cut(body, "\n"); strings.Count(strings.ToLower(first), "submittable") != 1 {
			t.Errorf("%s: body opens %q, want the verdict once", c.name, first)
		}
	}
}

// reviewParts are the markdown pieces of a rendered review, by name.
func reviewParts(rv *review.Review) map[string]string {
	out := RenderReview(rv)
	parts := map[string]string{"summary": out.Summary, "body": out.Body, "local": string(mustWriteReview(rv))}
	for i, c := range out.Comments {
		parts[fmt.Sprintf("comment %d", i)] = c.Body
		parts[fmt.Sprintf("brief %d", i)] = c.Brief
	}
	return parts
}

func mustWriteReview(rv *review.Review) []byte {
	var buf bytes.Buffer
	if err := WriteReview(&buf, rv); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// TestReviewHostile: text from plans, paths and proposed rules carrying
// every live markdown construct renders as text in every part of the
// review, and leaves the markdown's block structure as it is with plain
// text.
func TestReviewHostile(t *testing.T) {
	plain, hostile := reviewParts(judged(func(s string) string { return s + " x" })), reviewParts(judged(withHostile))
	if len(plain) != len(hostile) {
		t.Fatalf("%d parts, %d with plain text", len(hostile), len(plain))
	}
	for name, md := range hostile {
		for _, p := range liveMarkup(md, owners...) {
			t.Errorf("%s: %s", name, p)
		}
		if diff := cmp.Diff(skeleton(plain[name]), skeleton(md)); diff != "" {
			t.Errorf("%s: hostile text changed the block structure (-plain +hostile):\n%s", name, diff)
		}
	}
	if !strings.Contains(hostile["summary"], "@triangulate-nhs/ra2-planning") && !strings.Contains(hostile["comment 1"], "@triangulate-nhs/ra2-planning") {
		t.Error("the owners' mentions from CODEOWNERS are gone")
	}
}

// TestLiveMarkupCanFail: the checks above see live markup and a broken
// block structure when they are there.
func TestLiveMarkupCanFail(t *testing.T) {
	for _, md := range []string{"[a](b)", "![i](u)", "<b>x</b>", "hi @team", "see #12", "https://x.example", "www.x.example", "&#64;x", "`x`"} {
		if len(liveMarkup("text "+md)) == 0 {
			t.Errorf("liveMarkup(%q) found nothing", md)
		}
	}
	if cmp.Equal(skeleton("a\nb"), skeleton("a\n# b")) || cmp.Equal(skeleton("| a |"), skeleton("| a | b |")) {
		t.Error("skeleton missed a heading or a cell")
	}
}

// TestReviewAnnotationsOnShownSide: in a fork's fallback, a misalignment
// shown only on its second side is annotated there.
func TestReviewAnnotationsOnShownSide(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteReviewAnnotations(&buf, reviewCases[0].rv); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(buf.String(), "\n")
	for _, want := range []string{
		"::error file=" + ra2Plan + ",line=26,col=5,title=A01 Activity agrees between commissioner and provider::",
		"::warning file=" + rtkPlan + ",line=49,col=5,title=A01 Activity agrees between commissioner and provider::",
		"::warning file=" + rtkPlan + ",title=A04 Counterparties name each other::",
	} {
		found := false
		for _, l := range lines {
			found = found || strings.HasPrefix(l, want)
		}
		if !found {
			t.Errorf("no annotation starting %q in:\n%s", want, buf.String())
		}
	}
	// Moved to the shown side: the misalignment whose first side is not
	// shown lands on its second.
	p := review.Placed{Finding: finding.Finding{Rule: "A01", Location: finding.Location{File: "a.cue", Line: 1}, Related: []finding.Location{{File: "b.cue", Line: 2}}},
		Sides: []review.Side{{Location: finding.Location{File: "a.cue", Line: 1}, Placement: review.OutOfDiff}, {Location: finding.Location{File: "b.cue", Line: 2}, Placement: review.InDiff, DiffLine: 2}}}
	if f := onShownSide(p); f.File != "b.cue" || len(f.Related) != 1 || f.Related[0].File != "a.cue" {
		t.Errorf("onShownSide = %+v, want it on b.cue with a.cue related", f)
	}
}

// TestReviewJobSummaryLimit: the job summary fits GitHub's limit at the
// limit and one past the full text, dropping the line comments first and
// then cutting at a line.
func TestReviewJobSummaryLimit(t *testing.T) {
	rv := reviewCases[0].rv
	full := string(mustWriteReview(rv))
	short := reviewMarkdown(RenderReview(rv), false)
	tests := []struct {
		name  string
		limit int
		want  func(string) bool
	}{
		{"at the limit: whole", len(full), func(s string) bool { return s == full }},
		{"one under: no line comments", len(full) - 1, func(s string) bool { return s == short }},
		{"under the short form: cut at a line", len(short) - 1, func(s string) bool {
			return strings.HasSuffix(s, cutNote) && len(s) <= len(short)-1
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := writeReviewJobSummary(&buf, rv, tc.limit); err != nil {
				t.Fatal(err)
			}
			if got := buf.String(); !tc.want(got) || len(got) > tc.limit {
				t.Errorf("%d bytes for a limit of %d:\n%s", len(got), tc.limit, got)
			}
		})
	}
}
