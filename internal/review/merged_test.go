package review_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/triangulate-nhs/triangulate/internal/finding"
	"github.com/triangulate-nhs/triangulate/internal/gitrepo"
	"github.com/triangulate-nhs/triangulate/internal/report"
	"github.com/triangulate-nhs/triangulate/internal/review"
	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

const (
	n09y   = "plans/2019-20/commissioners/09y.cue"
	n99h   = "plans/2019-20/commissioners/99h.cue"
	policy = "policy/data.json"
)

func runMerged(t *testing.T, g *testutil.Git, pr review.PullRequest) *review.Review {
	t.Helper()
	r, err := review.RunMerged(context.Background(), gitrepo.Wrap(g.Repo), pr, opts)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func runGroup(t *testing.T, g *testutil.Git, mg review.MergeGroup) *review.Review {
	t.Helper()
	r, err := review.RunGroup(context.Background(), gitrepo.Wrap(g.Repo), mg, opts)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// blockedBy lists the rules of the blocking findings, each once.
func blockedBy(r *review.Review) []string {
	var rules []string
	for _, f := range r.Blocking {
		if !slices.Contains(rules, f.Rule) {
			rules = append(rules, f.Rule)
		}
	}
	slices.Sort(rules)
	return rules
}

// loosen widens the alignment tolerances so that misalign passes.
func loosen(g *testutil.Git) {
	g.Replace(policy, `"activity_warning_pct": 1,`, `"activity_warning_pct": 10,`)
	g.Replace(policy, `"activity_error_pct": 5,`, `"activity_error_pct": 50,`)
	g.Replace(policy, `"growth_gap_points": 1,`, `"growth_gap_points": 20,`)
}

func tighten(g *testutil.Git) {
	g.Replace(policy, `"activity_warning_pct": 10,`, `"activity_warning_pct": 1,`)
	g.Replace(policy, `"activity_error_pct": 50,`, `"activity_error_pct": 5,`)
	g.Replace(policy, `"growth_gap_points": 20,`, `"growth_gap_points": 1,`)
}

const waivers = "policy/waivers/2019-20.cue"

// waive lets misalign's A01 and A03 through the gate until June.
func waive(g *testutil.Git) {
	var b strings.Builder
	for _, rule := range []string{"A01", "A03"} {
		b.WriteString("{\n\trule: \"" + rule + "\"\n\torg: \"RA2\"\n\tcounterparty: \"09N\"\n\treason: \"Referral forecast in arbitration\"\n\tapprover: \"Regional director of commissioning\"\n\texpires: \"2019-06-30\"\n}, ")
	}
	g.Replace(waivers, "waivers: []", "waivers: ["+strings.TrimSuffix(b.String(), ", ")+"]")
}

func revoke(g *testutil.Git) { g.Write(waivers, "kind: \"waivers\"\nwaivers: []\n") }

// TestStaleJudgementIsJudgedByCurrentMain: main's rules tightened after a
// pull request branched judge it, not the rules it branched from.
func TestStaleJudgementIsJudgedByCurrentMain(t *testing.T) {
	tests := []struct {
		name       string
		mainBefore func(*testutil.Git) // on main before the branch
		pr         func(*testutil.Git)
		mainAfter  func(*testutil.Git) // on main after the branch
	}{
		{"threshold tightened", loosen, misalign, tighten},
		{"waiver revoked", waive, misalign, revoke},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := testutil.NewGit(t)
			tc.mainBefore(g)
			g.Commit("main before")
			g.Branch("pr")
			tc.pr(g)
			head := g.Commit("pull request")
			g.Checkout("main")
			if r := runMerged(t, g, review.PullRequest{Base: "main", Head: head}); !r.Pass() {
				t.Fatalf("setup: blocked by %v before main moved on", blockedBy(r))
			}
			tc.mainAfter(g)
			tip := g.Commit("main after")
			if r := run(t, g, "main", head); !r.Pass() {
				t.Fatalf("setup: judged at the merge base, the pull request is blocked by %v, so this is no bypass", blockedBy(r))
			}
			r := runMerged(t, g, review.PullRequest{Base: "main", Head: head})
			if got := blockedBy(r); !cmp.Equal(got, []string{"A01", "A03", "G03"}) || r.Gate.Pass {
				t.Errorf("blocked by %v, want A01 and A03 (and G03: the plans are final) under current main's rules", got)
			}
			if r.BaseSHA != tip || r.HeadSHA != head || r.Judged != review.MergedIntoBase {
				t.Errorf("judged %s %s..%s, want merged into %s", r.Judged, r.BaseSHA, r.HeadSHA, tip)
			}
		})
	}
}

// controlTotalPRs prepares the two pull requests of the control-total case
// from the same main. The bundled QXU system plans £-21,100k against a
// control total of £-22,500k: £1,400k of headroom. 09Y (required surplus 0)
// and 99H (required surplus £1,000k) each plan £900k less, explaining their
// own C04: each fits alone, together they overrun C03 by £400k. The
// providers cannot be used: RTK and RA2 sit at their own control totals
// (C01), and the provider sector at £200k above breakeven (N01).
func controlTotalPRs(t *testing.T, g *testutil.Git) (pr1, pr2 string) {
	t.Helper()
	g.Branch("09y-deficit")
	deficit09Y(g)
	pr1 = g.Commit("09Y plans a £700k deficit")
	g.Checkout("main")
	g.Branch("99h-surplus")
	deficit99H(g)
	pr2 = g.Commit("99H plans £100k surplus")
	g.Checkout("main")
	return pr1, pr2
}

func deficit09Y(g *testutil.Git) {
	g.Replace(n09y, "\tsurplus:     200\n", "\tsurplus:     -700\n")
	g.Replace(n09y, "other_spend: 251860", "other_spend: 252760")
	g.Replace(n09y, "explanations: [{\n", "explanations: [{\n\trule: \"C04\"\n\ttext: \"Continuing healthcare costs rise by £0.9m; the deficit is repaid in 2020/21.\"\n}, {\n")
}

func deficit99H(g *testutil.Git) {
	g.Replace(n99h, "\tsurplus:     1000\n", "\tsurplus:     100\n")
	g.Replace(n99h, "other_spend: 214179", "other_spend: 215079")
	g.Replace(n99h, "// Forecast outturn 2018/19 by provider", "explanations: [{\n\trule: \"C04\"\n\ttext: \"Prescribing costs rise by £0.9m; the shortfall is recovered in 2020/21.\"\n}]\n\n// Forecast outturn 2018/19 by provider")
}

// TestTwoPullRequestsOverrunTheControlTotal: each pull request fits the
// system control total alone; once the first merges, the second, judged
// against current main, is blocked by C03, and a merge group holding both
// is blocked too.
func TestTwoPullRequestsOverrunTheControlTotal(t *testing.T) {
	g := testutil.NewGit(t)
	main0 := g.Head()
	pr1, pr2 := controlTotalPRs(t, g)
	for _, head := range []string{pr1, pr2} {
		if r := runMerged(t, g, review.PullRequest{Base: "main", Head: head}); !r.Pass() {
			t.Fatalf("alone, %s is blocked by %v", head[:7], blockedBy(r))
		}
	}

	// The merge queue: GitHub's commit for the group holds both.
	g.Branch("gh-readonly-queue/main/pr-2")
	deficit09Y(g)
	deficit99H(g)
	both := g.CommitMerge("merge group: #1 and #2", pr1, pr2)
	g.Checkout("main")
	group := runGroup(t, g, review.MergeGroup{Base: "refs/heads/main", BaseSHA: main0, HeadSHA: both})
	if got := blockedBy(group); !cmp.Equal(got, []string{"C03", "G03"}) {
		t.Errorf("merge group blocked by %v, want C03 and G03", got)
	}
	if group.Judged != review.MergeGroupCommit || len(report.RenderReview(group).Comments) != 0 {
		t.Errorf("merge group judged as %s with line comments: want a gate only", group.Judged)
	}
	if diff := cmp.Diff([]string{"09Y", "99H"}, group.ChangedOrgs); diff != "" {
		t.Errorf("merge group changed orgs (-want +got):\n%s", diff)
	}
	g.Branch("gh-readonly-queue/main/pr-1")
	g.Checkout("gh-readonly-queue/main/pr-1")
	deficit09Y(g)
	alone := g.CommitMerge("merge group: #1", pr1)
	g.Checkout("main")
	if r := runGroup(t, g, review.MergeGroup{Base: "refs/heads/main", BaseSHA: main0, HeadSHA: alone}); !r.Pass() {
		t.Errorf("merge group of #1 alone blocked by %v", blockedBy(r))
	}

	// #1 merges; #2 is re-judged against main as it is now.
	deficit09Y(g)
	g.CommitMerge("Merge pull request #1", pr1)
	if r := run(t, g, "main", pr2); !r.Pass() {
		t.Fatalf("setup: judged at its merge base #2 is blocked by %v, so this is no bypass", blockedBy(r))
	}
	r := runMerged(t, g, review.PullRequest{Base: "main", Head: pr2})
	if got := blockedBy(r); !cmp.Equal(got, []string{"C03", "G03"}) {
		t.Fatalf("#2 after #1 merged: blocked by %v, want C03 and G03", got)
	}
	if c03 := r.Blocking[0]; !c03.Involves("QXU") && !c03.Involves("99H") {
		t.Errorf("C03 %+v names neither the system nor 99H", c03)
	}
	if r.Gate.Pass || !strings.Contains(report.RenderReview(r).Description, "C03") {
		t.Errorf("gate %+v", r.Gate)
	}
}

// TestOnlyTheSubmissionBranchIsABase: a pull request or merge group aimed
// at any other branch fails, saying why, and nothing is judged.
func TestOnlyTheSubmissionBranchIsABase(t *testing.T) {
	g := testutil.NewGit(t)
	g.Branch("weakened-branch")
	loosen(g)
	g.Commit("loosen the rules")
	g.Branch("pr")
	misalign(g)
	head := g.Commit("misaligned referrals")
	g.Checkout("main")
	tests := []struct {
		name, base, submission string
		group                  bool
		want                   string // the G01 message; "" for a judgement against the base
	}{
		{"retargeted from a weakened branch", "weakened-branch", "", false, "pull requests are judged only against main; this one targets weakened-branch"},
		{"full ref", "refs/heads/weakened-branch", "", false, "pull requests are judged only against main; this one targets weakened-branch"},
		{"merge group on another branch", "refs/heads/weakened-branch", "", true, "pull requests are judged only against main; this one targets weakened-branch"},
		{"configured submission branch", "main", "submissions", false, "pull requests are judged only against submissions; this one targets main"},
		{"main", "main", "", false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := opts
			o.SubmissionBranch = tc.submission
			repo := gitrepo.Wrap(g.Repo)
			var r *review.Review
			var err error
			if tc.group {
				r, err = review.RunGroup(context.Background(), repo, review.MergeGroup{Base: tc.base, BaseSHA: g.Head(), HeadSHA: head}, o)
			} else {
				r, err = review.RunMerged(context.Background(), repo, review.PullRequest{Base: tc.base, Head: head}, o)
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.Pass() {
				t.Fatal("passed")
			}
			if tc.want == "" {
				if got := blockedBy(r); !cmp.Equal(got, []string{"A01", "A03", "G03"}) {
					t.Errorf("blocked by %v, want main's A01 and A03, and G03", got)
				}
				// The branch's looser rules come with it, as a proposal
				// evaluated on the merged plans.
				if r.Impact == nil || r.Impact.Err != nil || len(r.Impact.NewlyPassing) != 2 {
					t.Errorf("impact %+v, want 09N and RA2 newly passing", r.Impact)
				}
				return
			}
			want := []finding.Finding{{Rule: "G01", Title: review.RuleOtherBase.Title, Category: "gate", Severity: finding.Error, Message: tc.want}}
			if diff := cmp.Diff(want, r.Blocking); diff != "" {
				t.Errorf("blocking (-want +got):\n%s", diff)
			}
			out := report.RenderReview(r)
			if out.State != report.StateFailure || !strings.Contains(out.Summary, tc.want) || len(out.Comments) != 0 {
				t.Errorf("rendered %s, %d comments, summary:\n%s", out.State, len(out.Comments), out.Summary)
			}
		})
	}
}

// TestConflictWithMainIsReported: a plan both the pull request and main
// changed since it branched is reported, naming the file, and blocks; the
// same change on both sides is no conflict.
func TestConflictWithMainIsReported(t *testing.T) {
	for _, same := range []bool{false, true} {
		g := testutil.NewGit(t)
		g.Branch("pr")
		g.Replace(rtk, `name:      "Ashford and St Peter's Hospitals NHS Foundation Trust"`, `name:      "Ashford and St Peter's Hospitals NHS FT"`)
		head := g.Commit("shorter name")
		g.Checkout("main")
		if same {
			g.Replace(rtk, `name:      "Ashford and St Peter's Hospitals NHS Foundation Trust"`, `name:      "Ashford and St Peter's Hospitals NHS FT"`)
		} else {
			g.Replace(rtk, `name:      "Ashford and St Peter's Hospitals NHS Foundation Trust"`, `name:      "Ashford & St Peter's Hospitals NHS Foundation Trust"`)
		}
		g.Commit("main edits RTK's plan too")
		r := runMerged(t, g, review.PullRequest{Base: "main", Head: head})
		if same {
			if !r.Pass() {
				t.Errorf("the same change on both sides is blocked by %v", r.Blocking)
			}
			continue
		}
		msg := "plans/2019-20/providers/rtk.cue was changed on main since this pull request branched: update the branch"
		want := []finding.Finding{{Rule: "G02", Title: review.RuleConflict.Title, Category: "gate", Severity: finding.Error,
			Orgs: []string{"RTK"}, Message: msg, Location: finding.Location{Org: "RTK", File: rtk}}}
		if diff := cmp.Diff(want, r.Blocking); diff != "" {
			t.Errorf("blocking (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(review.Gate{Blocking: 1, Rules: []string{"G02"}, Orgs: []string{"RTK"}, Changed: []string{"RTK"}}, r.Gate); diff != "" {
			t.Errorf("gate (-want +got):\n%s", diff)
		}
		out := report.RenderReview(r)
		if !strings.Contains(out.Summary, "was changed on main since this pull request branched: update the branch") ||
			!strings.Contains(out.Summary, review.RuleConflict.Title) || out.State != report.StateFailure {
			t.Errorf("summary does not say so:\n%s", out.Summary)
		}
	}
}

// TestMergedPlacesOnThePullRequestsDiff: judged merged into a main that
// moved on elsewhere, findings still sit on the pull request's own lines,
// and main's own changes are neither the pull request's organisations nor
// its figures.
func TestMergedPlacesOnThePullRequestsDiff(t *testing.T) {
	g := testutil.NewGit(t)
	branched := g.Head()
	g.Branch("referrals")
	misalign(g)
	head := g.Commit("new referral forecast")
	g.Checkout("main")
	g.Replace(rtk, `name:      "Ashford and St Peter's Hospitals NHS Foundation Trust"`, `name:      "Ashford and St Peter's Hospitals NHS FT"`)
	tip := g.Commit("RTK's shorter name")
	alone := run(t, g, "main", head)
	merged := runMerged(t, g, review.PullRequest{Base: "main", BaseTip: tip, Head: head})
	if merged.BaseSHA != tip || merged.MergeBaseSHA != branched || alone.MergeBaseSHA != branched {
		t.Errorf("merged: base %s merge base %s; want %s and %s", merged.BaseSHA, merged.MergeBaseSHA, tip, branched)
	}
	if diff := cmp.Diff(alone.New, merged.New, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("placement differs from the pull request's own diff (-alone +merged):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"09N", "RA2"}, merged.ChangedOrgs); diff != "" {
		t.Errorf("changed orgs (-want +got):\n%s", diff)
	}
	for _, pf := range merged.Figures {
		if pf.Org == "RTK" {
			t.Errorf("RTK's figures shown: main changed them, not this pull request")
		}
	}
	if merged.Gate.Pass || len(report.RenderReview(merged).Comments) == 0 {
		t.Errorf("gate %+v, want the misalignment blocking with its line comments", merged.Gate)
	}
}
