package review_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/triangulate-nhs/triangulate/internal/finding"
	"github.com/triangulate-nhs/triangulate/internal/report"
	"github.com/triangulate-nhs/triangulate/internal/review"
	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

// overAgency takes RTK's agency spend over its £6,000k ceiling (B05, a
// warning about RTK alone), moving £1,000k from substantive pay.
func overAgency(g *testutil.Git) {
	g.Replace(rtk, "substantive: 174800", "substantive: 173800")
	g.Replace(rtk, "agency:      5600", "agency:      6600")
}

func toDraft(g *testutil.Git) { g.Replace(rtk, `status:    "final"`, `status:    "draft"`) }
func toFinal(g *testutil.Git) { g.Replace(rtk, `status:    "draft"`, `status:    "final"`) }

func rulesOf(fs []finding.Finding) []string {
	var out []string
	for _, f := range fs {
		if !slices.Contains(out, f.Rule) {
			out = append(out, f.Rule)
		}
	}
	slices.Sort(out)
	return out
}

// TestFinalMustBeSubmittable: a final plan with a blocking finding is
// refused with G03 on its status line; the same plan as a draft carries the
// finding and passes; setting it final later is refused again.
func TestFinalMustBeSubmittable(t *testing.T) {
	g := testutil.NewGit(t)
	g.Branch("final-over-ceiling")
	overAgency(g)
	g.Commit("agency over the ceiling, final")
	g.Checkout("main")
	g.Branch("draft-over-ceiling")
	overAgency(g)
	toDraft(g)
	g.Commit("agency over the ceiling, draft")
	g.Checkout("main")

	final := run(t, g, "main", "final-over-ceiling")
	if final.Pass() || !slices.Equal(rulesOf(final.Blocking), []string{"B05", "G03"}) {
		t.Fatalf("final plan over its agency ceiling: pass %v, blocked by %v; want B05 and G03", final.Pass(), rulesOf(final.Blocking))
	}
	var g03 finding.Finding
	for _, f := range final.Blocking {
		if f.Rule == "G03" {
			g03 = f
		}
	}
	if g03.File != rtk || g03.Line != 16 || g03.Severity != finding.Error || !slices.Equal(g03.Orgs, []string{"RTK"}) ||
		!strings.Contains(g03.Message, "RTK's plan for 2019/20 is final, but 1 blocking finding involves it (B05): a final plan must be submittable") ||
		g03.Title != "A final plan must be submittable" {
		t.Errorf("G03 = %+v", g03)
	}
	if body := report.RenderReview(final).Summary; !strings.Contains(body, "G03") || !strings.Contains(body, "a final plan must be submittable") {
		t.Errorf("summary does not give the reason:\n%s", body)
	}

	draft := run(t, g, "main", "draft-over-ceiling")
	if !draft.Pass() || !slices.Equal(rulesOf(draft.Drafts), []string{"B05"}) {
		t.Fatalf("draft over its ceiling: pass %v, blocked by %v, carried %v; want a pass carrying B05", draft.Pass(), rulesOf(draft.Blocking), rulesOf(draft.Drafts))
	}
	if body := report.RenderReview(draft).Summary; !strings.Contains(body, "1 blocking finding carried by draft plans") || !strings.Contains(body, "B05") {
		t.Errorf("summary does not show the carried finding:\n%s", body)
	}

	// The draft lands; a later pull request changes only its status.
	g.Replace(rtk, "substantive: 174800", "substantive: 173800")
	g.Replace(rtk, "agency:      5600", "agency:      6600")
	toDraft(g)
	g.CommitMerge("Merge pull request #3 from rtk/draft", g.Head())
	g.Branch("set-final")
	toFinal(g)
	g.Commit("final")
	g.Checkout("main")
	setFinal := run(t, g, "main", "set-final")
	if setFinal.Pass() || !slices.Equal(rulesOf(setFinal.Blocking), []string{"B05", "G03"}) {
		t.Fatalf("setting a plan with a finding final: pass %v, blocked by %v; want B05 and G03", setFinal.Pass(), rulesOf(setFinal.Blocking))
	}
	for _, p := range setFinal.New {
		if p.Rule == "G03" && (len(p.Sides) == 0 || p.Sides[0].Placement != review.InDiff || p.Sides[0].DiffLine != 16) {
			t.Errorf("G03 is not on the status line the pull request changed: %+v", p.Sides)
		}
	}
}

// TestDraftCannotCarryAFinalsFinding: a draft may carry its own findings,
// not one that involves an organisation whose plan is final.
func TestDraftCannotCarryAFinalsFinding(t *testing.T) {
	g := testutil.NewGit(t)
	g.Branch("draft-misaligned")
	toDraft(g)
	g.Replace(rtk, "gp_referrals: {total: 44000, months: [3498, 3673, 3498, 4022, 3526, 3672, 4022, 3672, 3148, 3924, 3498, 3847]}",
		"gp_referrals: {total: 45320, months: [3608, 3783, 3608, 4132, 3636, 3782, 4132, 3782, 3258, 4034, 3608, 3957]}")
	g.Commit("draft with 3% more GP referrals than 09Y pays for")
	g.Checkout("main")
	r := run(t, g, "main", "draft-misaligned")
	if r.Pass() || !slices.Contains(rulesOf(r.Blocking), "A01") || slices.Contains(rulesOf(r.Blocking), "G03") {
		t.Errorf("draft misaligned with a final: pass %v, blocked by %v, carried %v; want A01 blocking, no G03", r.Pass(), rulesOf(r.Blocking), rulesOf(r.Drafts))
	}
}
