package review_test

import (
	"context"
	"errors"

	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/triangulate-nhs/triangulate/internal/check"
	"github.com/triangulate-nhs/triangulate/internal/finding"
	"github.com/triangulate-nhs/triangulate/internal/gitrepo"
	"github.com/triangulate-nhs/triangulate/internal/report"
	"github.com/triangulate-nhs/triangulate/internal/review"
	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

var opts = review.Options{Check: check.Options{Today: time.Date(2019, 3, 1, 0, 0, 0, 0, time.UTC)}}

const (
	ra2 = "plans/2019-20/providers/ra2.cue"
	n09 = "plans/2019-20/commissioners/09n.cue"
	rtk = "plans/2019-20/providers/rtk.cue"
)

// Both sides of the RA2-09N contract edit GP referrals, 8% apart.
func misalign(g *testutil.Git) {
	g.Replace(ra2, `gp_referrals: {total: 46240, months: [3676,`, `gp_referrals: {total: 47240, months: [4676,`)
	g.Replace(n09, `gp_referrals: {total: 46148, months: [3669,`, `gp_referrals: {total: 50148, months: [7669,`)
}

func run(t *testing.T, g *testutil.Git, base, head string) *review.Review {
	t.Helper()
	r, err := review.Run(context.Background(), gitrepo.Wrap(g.Repo), base, head, opts)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestCleanChange(t *testing.T) {
	g := testutil.NewGit(t)
	g.Branch("rename")
	g.Replace(rtk, `name:      "Ashford and St Peter's Hospitals NHS Foundation Trust"`, `name:      "Ashford and St Peter's Hospitals NHS FT"`)
	g.Commit("shorter name")
	r := run(t, g, "main", "rename")
	if !r.Pass() || len(r.New) != 0 || len(r.Fixed) != 0 {
		t.Fatalf("pass=%v new=%d fixed=%d, want a clean pass", r.Pass(), len(r.New), len(r.Fixed))
	}
	if strings.Join(r.ChangedOrgs, ",") != "RTK" || len(r.RulesChanged) != 0 {
		t.Errorf("changed orgs %v rules %v", r.ChangedOrgs, r.RulesChanged)
	}
	if len(r.Still) != 3 {
		t.Errorf("%d findings still present, want the 3 explained warnings", len(r.Still))
	}
	if diff := cmp.Diff(review.Gate{Pass: true, Changed: []string{"RTK"}}, r.Gate); diff != "" {
		t.Errorf("gate (-want +got):\n%s", diff)
	}
	if len(r.Figures) != 1 || r.Figures[0].Org != "RTK" || r.Figures[0].Name != "Ashford and St Peter's Hospitals NHS FT" {
		t.Errorf("figures %+v, want RTK's under its new name", r.Figures)
	}
}

func TestMisalignmentCommentsOnBothLinesAndFailsTheGate(t *testing.T) {
	g := testutil.NewGit(t)
	g.Branch("referrals")
	misalign(g)
	g.Commit("new referral forecast")
	r := run(t, g, "main", "referrals")
	if r.Pass() {
		t.Fatal("gate passed a misalignment")
	}
	if got := strings.Join(r.ChangedOrgs, ","); got != "09N,RA2" {
		t.Errorf("changed orgs %s", got)
	}
	rules := map[string]finding.Severity{}
	for _, f := range r.New {
		rules[f.Rule] = f.Severity
	}
	// Both plans are final, so each is refused as not submittable (G03).
	if rules["A01"] != finding.Error || rules["A03"] != finding.Warning || rules["G03"] != finding.Error || len(r.New) != 4 {
		t.Fatalf("new findings %v, want A01 error, A03 warning and G03 for RA2 and 09N", rules)
	}
	// Both sides of the A01 misalignment are on lines the change rewrote,
	// each naming its file's owners from the base's CODEOWNERS.
	var a01 review.Placed
	for _, p := range r.New {
		if p.Rule == "A01" {
			a01 = p
		}
	}
	want := []review.Side{
		{Location: finding.Location{Org: "RA2", File: ra2, Line: 26, Column: 18}, Placement: review.InDiff, DiffLine: 26, Owners: "@triangulate-nhs/ra2-planning"},
		{Location: finding.Location{Org: "09N", File: n09, Line: 27, Column: 19}, Placement: review.InDiff, DiffLine: 27, Owners: "@triangulate-nhs/09n-planning"},
	}
	if diff := cmp.Diff(want, a01.Sides, cmpopts.IgnoreFields(finding.Location{}, "Path")); diff != "" {
		t.Errorf("A01 sides (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(review.Gate{Blocking: 4, Rules: []string{"A01", "A03", "G03"}, Orgs: []string{"09N", "RA2"}, Changed: []string{"09N", "RA2"}}, r.Gate); diff != "" {
		t.Errorf("gate (-want +got):\n%s", diff)
	}
	gp := figure(t, r, "09N", "GP referrals (E.M.1)")
	if gp.Before == nil || gp.After == nil || *gp.Before != 63551 || *gp.After != 67551 {
		t.Errorf("09N GP referrals %v -> %v, want 63,551 -> 67,551", gp.Before, gp.After)
	}
	again := run(t, g, "main", "referrals")
	if diff := cmp.Diff(r.New, again.New); diff != "" || !cmp.Equal(r.Figures, again.Figures) {
		t.Errorf("a re-run on the same head judges differently (-first +again):\n%s", diff)
	}
}

// figure finds one key figure of org's plan in r.
func figure(t *testing.T, r *review.Review, org, label string) review.Figure {
	t.Helper()
	for _, pf := range r.Figures {
		for _, f := range pf.Figures {
			if pf.Org == org && f.Label == label {
				return f
			}
		}
	}
	t.Fatalf("no %q for %s in %+v", label, org, r.Figures)
	return review.Figure{}
}

func TestFixPushClearsFindings(t *testing.T) {
	g := testutil.NewGit(t)
	g.Branch("referrals")
	misalign(g)
	g.Commit("new referral forecast")
	first := run(t, g, "main", "referrals")
	g.Replace(n09, `gp_referrals: {total: 50148, months: [7669,`, `gp_referrals: {total: 47148, months: [4669,`)
	g.Commit("agree referrals with RA2")
	r := run(t, g, "main", "referrals")
	if !r.Pass() || len(r.New) != 0 {
		t.Fatalf("after the fix: pass=%v new=%v", r.Pass(), r.New)
	}
	// Nothing of the first push stands, so none of its comments is kept.
	now := map[string]bool{}
	for _, p := range append(r.New, r.Still...) {
		now[p.Fingerprint()] = true
	}
	for _, p := range first.New {
		if now[p.Fingerprint()] {
			t.Errorf("%s still stands after the fix", p.Rule)
		}
	}
}

// brokenMain is the shipped repository with an S01 committed on main: RTK
// names a system code that does not exist.
func brokenMain(t *testing.T) *testutil.Git {
	g := testutil.NewGit(t)
	g.Replace(rtk, `system:    "QXU"`, `system:    "QX"`)
	g.Commit("a broken main")
	return g
}

// TestFixOfMainIsFixedAndOffTheDiff: a problem on main that the change fixes
// is Fixed, and placed off the diff, since it sits on the base's lines.
func TestFixOfMainIsFixedAndOffTheDiff(t *testing.T) {
	g := brokenMain(t)
	g.Branch("fix")
	g.Replace(rtk, `system:    "QX"`, `system:    "QXU"`)
	g.Commit("fix the system code")
	r := run(t, g, "main", "fix")
	if len(r.Fixed) != 1 || r.Fixed[0].Rule != "S01" {
		t.Fatalf("fixed %+v, want main's S01", r.Fixed)
	}
	for _, s := range r.Fixed[0].Sides {
		if s.Shown() || s.DiffLine != 0 {
			t.Errorf("fixed S01 is placed on the head's diff: %+v", s)
		}
	}
}

func TestWeakenedPolicyIsJudgedByBaseRules(t *testing.T) {
	g := testutil.NewGit(t)
	g.Branch("loosen")
	misalign(g)
	g.Replace("policy/data.json", `"activity_warning_pct": 1,`, `"activity_warning_pct": 10,`)
	g.Replace("policy/data.json", `"activity_error_pct": 5,`, `"activity_error_pct": 50,`)
	g.Replace("policy/data.json", `"growth_gap_points": 1,`, `"growth_gap_points": 20,`)
	g.Commit("loosen alignment tolerance")
	r := run(t, g, "main", "loosen")
	if r.Pass() {
		t.Fatal("a pull request loosened the rules it is judged by")
	}
	if strings.Join(r.RulesChanged, ",") != "policy/data.json" {
		t.Errorf("rules changed: %v", r.RulesChanged)
	}
	if r.Impact == nil || r.Impact.Err != nil || len(r.Impact.NewlyPassing) != 2 {
		t.Fatalf("impact %+v, want 09N and RA2 newly passing", r.Impact)
	}
	if diff := cmp.Diff([]review.OrgRules{{Org: "09N", Rules: []string{"A01", "A03"}}, {Org: "RA2", Rules: []string{"A01", "A03"}}}, r.Impact.NewlyPassing); diff != "" {
		t.Errorf("newly passing (-want +got):\n%s", diff)
	}
}

func TestBrokenProposedRules(t *testing.T) {
	g := testutil.NewGit(t)
	g.Branch("typo")
	g.Write("policy/rules/x01/x01.rego", "package triangulate.rules.x01\n\nfindings contains f if {\n")
	g.Commit("half a rule")
	r := run(t, g, "main", "typo")
	if !r.Pass() {
		t.Error("plans did not change, yet the gate failed")
	}
	if r.Impact == nil || r.Impact.Err == nil {
		t.Errorf("impact %+v; want the proposed rules' error", r.Impact)
	}
}

// TestBrokenBaseRules: rules on the submission branch that do not compile
// leave nothing to judge by: the review fails with ErrBaseRules, naming the
// rule file, whatever the pull request changes.
func TestBrokenBaseRules(t *testing.T) {
	g := testutil.NewGit(t)
	g.Write("policy/rules/x01/x01.rego", "package triangulate.rules.x01\n\nfindings contains f if {\n")
	g.Commit("half a rule on main")
	g.Branch("rename")
	g.Replace(rtk, `name:      "Ashford and St Peter's Hospitals NHS Foundation Trust"`, `name:      "Ashford and St Peter's Hospitals NHS FT"`)
	g.Commit("shorter name")
	_, err := review.Run(context.Background(), gitrepo.Wrap(g.Repo), "main", "rename", opts)
	if !errors.Is(err, review.ErrBaseRules) || !strings.Contains(err.Error(), "x01.rego") {
		t.Fatalf("err = %v, want ErrBaseRules naming x01.rego", err)
	}
}

func TestNewBrokenFileBlocks(t *testing.T) {
	g := testutil.NewGit(t)
	g.Branch("new")
	g.Write("plans/2019-20/providers/rzz.cue", "kind: \"provider\"\norg: RZZ\n")
	g.Commit("start a plan")
	r := run(t, g, "main", "new")
	if r.Pass() || len(r.Blocking) == 0 || r.Blocking[0].Rule != "S00" {
		t.Fatalf("pass=%v blocking=%v, want the new file's S00 to block", r.Pass(), r.Blocking)
	}
	if len(r.New) != 1 || r.New[0].Sides[0].Placement != review.InDiff || r.New[0].Sides[0].File != "plans/2019-20/providers/rzz.cue" || r.New[0].Sides[0].DiffLine != 2 {
		t.Errorf("new %+v, want one finding placed on rzz.cue:2", r.New)
	}
}

func TestPreExistingProblemsElsewhereDoNotBlock(t *testing.T) {
	g := brokenMain(t)
	g.Branch("other")
	g.Replace(n09, `gp_referrals: {total: 46148, months: [3669,`, `gp_referrals: {total: 46158, months: [3679,`)
	g.Commit("small 09N change")
	r := run(t, g, "main", "other")
	if !r.Pass() {
		t.Fatalf("blocked by %v, which this change did not touch", r.Blocking)
	}
	if len(r.Elsewhere) != 1 || r.Elsewhere[0].Rule != "S01" {
		t.Errorf("elsewhere %+v, want main's S01", r.Elsewhere)
	}
}

func TestFirstPlansIntoAnEmptyRepository(t *testing.T) {
	g := testutil.NewGit(t)
	rtkPlan := g.Read(rtk)
	for _, f := range []string{rtk, ra2, n09, "plans/2019-20/providers/rtp.cue", "plans/2019-20/providers/rxx.cue",
		"plans/2019-20/commissioners/09y.cue", "plans/2019-20/commissioners/99h.cue", "plans/2019-20/system-qxu.cue", "plans/organisations.cue"} {
		if err := g.FS.Remove(f); err != nil {
			t.Fatal(err)
		}
		g.Stage(f)
	}
	g.Commit("rules only")
	g.Branch("first")
	g.Write("plans/organisations.cue", "kind: \"organisations\"\norganisations: {\n\tQXU: {name: \"Example ICS\", type: \"system\"}\n\tRTK: {name: \"Example Trust\", type: \"trust\", system: \"QXU\"}\n}\n")
	g.Write(rtk, rtkPlan)
	g.Commit("RTK's first plan")
	r := run(t, g, "main", "first")
	if got := strings.Join(r.ChangedOrgs, ","); got != "RTK" {
		t.Errorf("changed orgs %q", got)
	}
	if len(r.Figures) != 1 || !r.Figures[0].Added || r.Figures[0].Org != "RTK" {
		t.Errorf("figures %+v, want RTK's as a new plan", r.Figures)
	}
	// RTK names commissioners with no plan yet: S04 (unknown) blocks.
	if r.Pass() {
		t.Error("RTK's plan names commissioners missing from the reference list, yet the gate passed")
	}
}

func TestReferenceListChangeThatBreaksOtherPlansBlocks(t *testing.T) {
	g := testutil.NewGit(t)
	g.Branch("drop")
	g.Replace("plans/organisations.cue", `"99H":`, `"99X":`)
	g.Commit("rename a CCG in the reference list")
	r := run(t, g, "main", "drop")
	if len(r.ChangedOrgs) != 0 {
		t.Errorf("changed orgs %v, want none: only the reference list changed", r.ChangedOrgs)
	}
	if r.Pass() {
		t.Fatal("the gate passed a change that leaves 99H's plan and its counterparties unknown")
	}
	// The register's QXU control total no longer matches its members (99X
	// has no figures): C06 is new and blocks too.
	for _, f := range r.Blocking {
		if f.Rule != "S01" && f.Rule != "S04" && f.Rule != "C06" {
			t.Errorf("unexpected blocking %s: %s", f.Rule, f.Message)
		}
	}
}

// TestRegisterIsJudgedFromBase: a pull request that lowers RTK's control
// total in the register and plans the deeper deficit in the same change is
// judged by the register on main; the rebase shows only as a rules change.
func TestRegisterIsJudgedFromBase(t *testing.T) {
	g := testutil.NewGit(t)
	g.Branch("rebase")
	g.Replace("policy/register/2019-20.cue", "control_total: -7500", "control_total: -12000")
	g.Replace(rtk, "\tsurplus: -7500\n", "\tsurplus: -12000\n")
	g.Replace(rtk, "non_pay:      98000", "non_pay:      102500")
	g.Commit("RTK rebases its own control total")
	r := run(t, g, "main", "rebase")
	if r.Pass() {
		t.Fatal("a pull request changed the register it is judged by and passed")
	}
	var c01 bool
	for _, f := range r.Blocking {
		if f.Rule == "C01" && f.Involves("RTK") {
			c01 = true
			if !strings.Contains(f.Message, "£-7,500k") {
				t.Errorf("C01 judged against the proposed register: %s", f.Message)
			}
		}
	}
	if !c01 {
		t.Errorf("no blocking C01 for RTK: %+v", r.Blocking)
	}
	if strings.Join(r.RulesChanged, ",") != "policy/register/2019-20.cue" {
		t.Errorf("rules changed: %v", r.RulesChanged)
	}
	// Under the proposed register RTK meets its control total but the
	// system and the sector still fall short, so it is not newly passing:
	// the impact is computed, and says nothing about RTK.
	if r.Impact == nil || r.Impact.Err != nil {
		t.Fatalf("impact %+v, want the proposed register evaluated", r.Impact)
	}

}

// TestProposedRulesOverALimit: a proposed schema with a quadratic
// comprehension is stopped by the sandbox, and the summary names the limit
// instead of hanging the review.
func TestProposedRulesOverALimit(t *testing.T) {
	g := testutil.NewGit(t)
	g.Branch("slow")
	g.Write("schema/zz.cue", "package schema\n\n_n: 20000\n_slow: [for i in list.Range(0, _n, 1) for j in list.Range(0, _n, 1) if i == j+1 {i}]\n")
	g.Replace("schema/zz.cue", "package schema\n", "package schema\n\nimport \"list\"\n")
	g.Commit("a schema that takes quadratic time")
	o := opts
	o.ProposedRulesTimeout = 3 * time.Second
	r, err := review.Run(context.Background(), gitrepo.Wrap(g.Repo), "main", "slow", o)
	if err != nil {
		t.Fatal(err)
	}
	if r.Impact == nil || r.Impact.Err == nil || !r.Impact.Stopped {
		t.Fatalf("impact %+v, want the proposed rules stopped at a limit", r.Impact)
	}
	if !strings.Contains(r.Impact.Err.Error(), "limit") {
		t.Errorf("impact error %q does not name the limit", r.Impact.Err)
	}
	if s := report.RenderReview(r).Summary; !strings.Contains(s, "- Not evaluated: the proposed rules exceeded the") {
		t.Errorf("summary does not say the proposed rules were stopped:\n%s", s)
	}
}
