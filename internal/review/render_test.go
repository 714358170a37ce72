package review

import (
	"strings"
	"testing"

	"github.com/triangulate-nhs/triangulate/internal/check"
	"github.com/triangulate-nhs/triangulate/internal/finding"
	"github.com/triangulate-nhs/triangulate/internal/plan"
)

const (
	rtkFile = "plans/2019-20/providers/rtk.cue"
	y09File = "plans/2019-20/commissioners/09y.cue"
	regFile = "policy/register/2019-20.cue"
)

var (
	// awaiting is a misalignment RTK has explained and 09Y has not agreed.
	awaiting = finding.Finding{Rule: "A01", Title: "Activity agrees between commissioner and provider", Category: "alignment",
		Severity: finding.Warning, Orgs: []string{"RTK", "09Y"}, Message: "1.8% apart",
		Location: finding.Location{Org: "RTK", File: rtkFile, Line: 46, Column: 17},
		Related:  []finding.Location{{Org: "09Y", File: y09File, Line: 60, Column: 3}},
		Reason:   "explained by RTK; awaiting 09Y: virtual clinics from April"}
	// agreed is a national roll-up every organisation agreed to.
	agreed = finding.Finding{Rule: "N01", Title: "Provider sector surplus", Category: "national", Scope: finding.ScopeNational,
		Severity: finding.Warning, Orgs: []string{"RTK", "RA2"}, Message: "£-9,000k below the ask",
		Location: finding.Location{File: regFile, Line: 52, Column: 3},
		Status:   finding.Explained, Reason: "explained by RTK: stroke unit; acknowledged by RA2"}
	// system is a system roll-up error placed in the register.
	system = finding.Finding{Rule: "C03", Title: "System control total met", Category: "control_total", Scope: finding.ScopeSystem,
		Severity: finding.Error, Orgs: []string{"QXU", "RTK"}, Message: "£1,000k short",
		Location: finding.Location{Org: "QXU", File: regFile, Line: 31, Column: 18}}
	// hostile has plan text in its reason that could break markdown.
	hostile = finding.Finding{Rule: "A03", Category: "alignment", Severity: finding.Warning, Orgs: []string{"RTK", "09Y"},
		Message: "m", Location: finding.Location{Org: "RTK", File: rtkFile, Line: 3},
		Reason: "explained by RTK; awaiting 09Y: a | b\n<script>x</script>"}
)

func reviewOf(fs ...finding.Finding) *Review {
	r := &Review{ChangedOrgs: []string{"RTK"},
		Base: &check.Result{Set: &plan.Set{}}, Head: &check.Result{Set: &plan.Set{}, Findings: fs}, New: fs}
	for _, f := range fs {
		if f.Blocking() {
			r.Blocking = append(r.Blocking, f)
		}
	}
	return r
}

// TestRenderShowsReasonsAndScopes: an open finding's reason (whom a
// misalignment awaits) and a roll-up's scope reach the summary, the review
// body and the line comments.
func TestRenderShowsReasonsAndScopes(t *testing.T) {
	r := reviewOf(awaiting, agreed, system, hostile)
	_, body, _ := r.placed()
	tests := []struct {
		name    string
		got     string
		want    []string
		notWant []string
	}{
		{"summary", r.Summary(), []string{
			"| ⚠️ | A01 Activity agrees between commissioner and provider | RTK, 09Y | `" + rtkFile + ":46:17` | 1.8% apart *(explained by RTK; awaiting 09Y: virtual clinics from April)* |",
			"| ❌ | C03 System control total met | [system QXU] QXU, RTK | `" + regFile + ":31:18` | £1,000k short |",
			"- N01 warning [national] RTK, RA2 `" + regFile + ":52:3`: £-9,000k below the ask. *explained by RTK: stroke unit; acknowledged by RA2*",
			`*(explained by RTK; awaiting 09Y: a \| b &lt;script&gt;x&lt;/script&gt;)*`,
		}, []string{"<script>", "explained: explained"}},
		{"review body", body, []string{
			"- ⚠️ **A01** warning `" + rtkFile + ":46:17`: 1.8% apart *(explained by RTK; awaiting 09Y: virtual clinics from April)*",
			"- ❌ **C03** error `" + regFile + ":31:18`: [system QXU] £1,000k short",
			"- ⚠️ **N01** warning `" + regFile + ":52:3`: [national] £-9,000k below the ask *(explained by RTK: stroke unit; acknowledged by RA2)*",
		}, []string{"<script>"}},
		{"comment on the provider's line", r.commentBody(awaiting, awaiting.Location), []string{
			"*(explained by RTK; awaiting 09Y: virtual clinics from April)*",
			"until every organisation it involves (RTK, 09Y) lists it in `explanations`",
			`{rule: "A01", counterparty: "09Y", acknowledge: true}`,
			"Other side: 09Y at `" + y09File + ":60:3`",
		}, []string{"unless the plan explains it"}},
		{"comment on the commissioner's line", r.commentBody(awaiting, awaiting.Related[0]), []string{
			`{rule: "A01", counterparty: "RTK", acknowledge: true}`,
			"Other side: RTK at `" + rtkFile + ":46:17`",
		}, nil},
		{"comment on a roll-up", r.commentBody(agreed, agreed.Location), []string{
			"⚠️ **N01 warning**: [national] Provider sector surplus",
			"*(explained by RTK: stroke unit; acknowledged by RA2)*",
		}, nil},
		{"comment on a one-sided warning", r.commentBody(finding.Finding{Rule: "B01", Severity: finding.Warning, Orgs: []string{"RTK"},
			Message: "m", Location: finding.Location{Org: "RTK", File: rtkFile, Line: 9}}, finding.Location{Org: "RTK", File: rtkFile, Line: 9}), []string{
			"unless the plan explains it: add `{rule: \"B01\", text: \"...\"}`",
		}, []string{"*(", "every organisation"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, w := range tc.want {
				if !strings.Contains(tc.got, w) {
					t.Errorf("lacks %q in:\n%s", w, tc.got)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(tc.got, w) {
					t.Errorf("holds %q in:\n%s", w, tc.got)
				}
			}
		})
	}
}

func TestStatus(t *testing.T) {
	tests := []struct {
		f    finding.Finding
		want string
	}{
		{finding.Finding{}, ""},
		{finding.Finding{Reason: "explained by RTK; awaiting 09Y: x"}, " *(explained by RTK; awaiting 09Y: x)*"},
		{finding.Finding{Status: finding.Explained, Reason: "explained by RTK: x"}, " *(explained by RTK: x)*"},
		{finding.Finding{Status: finding.Waived, Reason: "agreed"}, " *(waived: agreed)*"},
		{finding.Finding{Status: finding.Waived}, " *(waived)*"},
	}
	for _, tc := range tests {
		if got := status(tc.f); got != tc.want {
			t.Errorf("status(%+v) = %q, want %q", tc.f, got, tc.want)
		}
	}
}
