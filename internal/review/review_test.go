package review_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/triangulate-nhs/triangulate/internal/check"
	"github.com/triangulate-nhs/triangulate/internal/finding"
	"github.com/triangulate-nhs/triangulate/internal/github"
	"github.com/triangulate-nhs/triangulate/internal/gitrepo"
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
	gate := r.Gate()
	if gate.State != github.StateSuccess || gate.Description != "Submittable: nothing blocks RTK" {
		t.Errorf("gate %+v", gate)
	}
	pub := r.Publication(github.PR{Owner: "o", Repo: "r", Number: 1, HeadSHA: r.HeadSHA})
	if len(pub.Comments) != 0 || !strings.Contains(pub.Summary, "✅ submittable") {
		t.Errorf("publication: %d comments; summary:\n%s", len(pub.Comments), pub.Summary)
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
	if rules["A01"] != finding.Error || rules["A03"] != finding.Warning || len(r.New) != 2 {
		t.Fatalf("new findings %v, want A01 error and A03 warning", rules)
	}
	pub := r.Publication(github.PR{Owner: "o", Repo: "r", Number: 1, HeadSHA: r.HeadSHA})
	at := map[string]github.Comment{}
	for _, c := range pub.Comments {
		if strings.Contains(c.Body, "**A01 error**") {
			at[c.Path] = c
		}
	}
	ra2c, n09c := at[ra2], at[n09]
	if ra2c.Line != 26 || n09c.Line != 46 {
		t.Fatalf("A01 comments at %s:%d and %s:%d, want ra2.cue:26 and 09n.cue:46", ra2, ra2c.Line, n09, n09c.Line)
	}
	if !strings.Contains(ra2c.Body, "09N at `"+n09+":46:19` (@triangulate-nhs/09n-planning)") {
		t.Errorf("RA2's comment does not name 09N and its owners:\n%s", ra2c.Body)
	}
	if !strings.Contains(n09c.Body, "RA2 at `"+ra2+":26:18` (@triangulate-nhs/ra2-planning)") {
		t.Errorf("09N's comment does not name RA2 and its owners:\n%s", n09c.Body)
	}
	if ra2c.Fingerprint == n09c.Fingerprint {
		t.Error("both sides share one fingerprint: a re-run could not tell them apart")
	}
	if gate := r.Gate(); gate.State != github.StateFailure || !strings.Contains(gate.Description, "involve 09N, RA2 (A01, A03)") {
		t.Errorf("gate %+v", gate)
	}
	for _, want := range []string{"❌ not submittable", "### Blocking", "| GP referrals (E.M.1) | 63,551 | 67,551 | +4,000 (+6.3%) |", "### RA2 "} {
		if !strings.Contains(pub.Summary, want) {
			t.Errorf("summary lacks %q:\n%s", want, pub.Summary)
		}
	}
	again := run(t, g, "main", "referrals").Publication(github.PR{Owner: "o", Repo: "r", Number: 1, HeadSHA: r.HeadSHA})
	if len(again.Comments) != len(pub.Comments) || again.Comments[0].Fingerprint != pub.Comments[0].Fingerprint || again.Summary != pub.Summary {
		t.Error("a re-run on the same head publishes something different")
	}
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
	pub := r.Publication(github.PR{Owner: "o", Repo: "r", Number: 1, HeadSHA: r.HeadSHA})
	for _, c := range first.Publication(github.PR{}).Comments {
		for _, k := range pub.Keep {
			if k == c.Fingerprint {
				t.Errorf("fixed finding %s is still kept, so its comment would stay", c.Fingerprint)
			}
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
	s := r.Summary()
	for _, want := range []string{"This pull request changes the rules", "`policy/data.json`", "### Policy impact", "**09N would newly pass** (no longer blocked by A01, A03)"} {
		if !strings.Contains(s, want) {
			t.Errorf("summary lacks %q:\n%s", want, s)
		}
	}
	if strings.Index(s, "This pull request changes the rules") > strings.Index(s, "**Gate:**") {
		t.Error("the rules warning is not at the top of the summary")
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
	if r.Impact == nil || r.Impact.Err == nil || !strings.Contains(r.Summary(), "The proposed rules do not load") {
		t.Errorf("impact %+v; summary should say the proposed rules do not load", r.Impact)
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
	pub := r.Publication(github.PR{})
	if len(pub.Comments) != 1 || pub.Comments[0].Path != "plans/2019-20/providers/rzz.cue" || pub.Comments[0].Line != 2 {
		t.Errorf("comments %+v, want one on rzz.cue:2", pub.Comments)
	}
}

func TestPreExistingProblemsElsewhereDoNotBlock(t *testing.T) {
	g := testutil.NewGit(t)
	g.Replace(rtk, `system:    "QXU"`, `system:    "QX"`)
	g.Commit("a broken main")
	g.Branch("other")
	g.Replace(n09, `gp_referrals: {total: 46148, months: [3669,`, `gp_referrals: {total: 46158, months: [3679,`)
	g.Commit("small 09N change")
	r := run(t, g, "main", "other")
	if !r.Pass() {
		t.Fatalf("blocked by %v, which this change did not touch", r.Blocking)
	}
	if !strings.Contains(r.Summary(), "blocking finding elsewhere, not caused by this change") {
		t.Errorf("summary does not show the problem elsewhere:\n%s", r.Summary())
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
	if !strings.Contains(r.Summary(), "(new plan)") {
		t.Errorf("summary does not present RTK as a new plan:\n%s", r.Summary())
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
	if s := r.Summary(); !strings.Contains(s, "This pull request changes the rules") || !strings.Contains(s, "policy/register/2019-20.cue") {
		t.Errorf("summary does not say the register changed:\n%s", s)
	}
}
