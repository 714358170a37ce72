package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"strings"
	"testing"

	"github.com/triangulate-nhs/triangulate/internal/github/githubtest"
	"github.com/triangulate-nhs/triangulate/internal/gitrepo"
	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

const (
	ra2 = "plans/2019-20/providers/ra2.cue"
	n09 = "plans/2019-20/commissioners/09n.cue"
	rtk = "plans/2019-20/providers/rtk.cue"
)

// prRepo is an on-disk repository holding main and the branches of the
// pull requests under review.
type prRepo struct {
	*testutil.Git
	dir string
	t   *testing.T
}

func newPRRepo(t *testing.T) *prRepo {
	g, dir := testutil.NewGitDir(t)
	return &prRepo{Git: g, dir: dir, t: t}
}

func (p *prRepo) sha(ref string) string {
	c, err := gitrepo.Wrap(p.Repo).Resolve(ref)
	if err != nil {
		p.t.Fatal(err)
	}
	return c.Hash
}

// open tells the fake GitHub about pull request n from branch onto main and
// which lines its diff shows, as GitHub would.
func (p *prRepo) open(srv *githubtest.Server, n int, branch string) {
	p.t.Helper()
	repo := gitrepo.Wrap(p.Repo)
	base, err := repo.Resolve("main")
	if err != nil {
		p.t.Fatal(err)
	}
	head, err := repo.Resolve(branch)
	if err != nil {
		p.t.Fatal(err)
	}
	mb, err := base.MergeBase(head)
	if err != nil {
		p.t.Fatal(err)
	}
	changes, err := repo.Changes(context.Background(), mb, head)
	if err != nil {
		p.t.Fatal(err)
	}
	for _, c := range changes {
		for l := 1; l < 2000; l++ {
			if c.Commentable(l) {
				srv.AllowLines(c.Path(), l, l)
			}
		}
	}
	srv.SetPullRequest(n, base.Hash, head.Hash, "main", branch)
}

// reviewPR runs `triangulate review --repo o/plans --pr n` against srv.
func (p *prRepo) reviewPR(w *world, n int) (string, string, int) {
	p.t.Helper()
	return w.review(p.t, "-C", p.dir, "--repo", "o/plans", "--pr", itoa(n))
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func lastStatus(t *testing.T, srv *githubtest.Server) map[string]any {
	t.Helper()
	st := srv.Statuses()
	if len(st) == 0 {
		t.Fatal("no commit status set")
	}
	s := st[len(st)-1]
	if s["context"] != "triangulate" {
		t.Errorf("status context %v, want triangulate", s["context"])
	}
	return s
}

func TestReviewCleanPRFromActionsEvent(t *testing.T) {
	p := newPRRepo(t)
	p.Branch("rename")
	p.Replace(rtk, `name:      "Ashford and St Peter's Hospitals NHS Foundation Trust"`, `name:      "Ashford and St Peter's Hospitals NHS FT"`)
	p.Commit("shorter name")
	srv := githubtest.NewServer(t)
	p.open(srv, 7, "rename")

	event := map[string]any{
		"action": "synchronize", "number": 7,
		"pull_request": map[string]any{"number": 7,
			"base": map[string]any{"sha": p.sha("main"), "ref": "main"},
			"head": map[string]any{"sha": p.sha("rename"), "ref": "rename"}},
		"repository": map[string]any{"full_name": "o/plans"},
	}
	raw, _ := json.Marshal(event)
	w := newWorld(srv)
	w.files["/github/workflow/event.json"] = bytes.NewBuffer(raw)
	w.vars["GITHUB_EVENT_PATH"] = "/github/workflow/event.json"
	out, errOut, code := w.review(t, "-C", p.dir)
	if code != ExitClean {
		t.Fatalf("exit %d: %s\n%s", code, errOut, out)
	}
	if s := lastStatus(t, srv); s["state"] != "success" || s["description"] != "Submittable: nothing blocks RTK" {
		t.Errorf("status %v", s)
	}
	if n := len(srv.ReviewComments()); n != 0 {
		t.Errorf("%d line comments on a clean change", n)
	}
	// The verdict once: it used to read "submittable: Submittable: ...".
	if r := srv.Reviews(); len(r) != 1 || !strings.HasPrefix(r[0]["body"].(string), "**Triangulate:** Submittable: nothing blocks RTK.\n") {
		t.Errorf("reviews %v, want one saying the verdict once", r)
	}
	ic := srv.IssueComments()
	if len(ic) != 1 || !strings.Contains(ic[0].Body, "✅ submittable") || !strings.Contains(ic[0].Body, "<!-- triangulate:summary -->") {
		t.Errorf("summary comments: %+v", ic)
	}
	if inv := srv.Invalid(); len(inv) != 0 {
		t.Errorf("requests outside GitHub's REST description: %v", inv)
	}
}

// TestReviewLifecycle: a misalignment, a re-run on the same head, then the
// push that fixes it, against one pull request.
func TestReviewLifecycle(t *testing.T) {
	p := newPRRepo(t)
	p.Branch("referrals")
	p.Replace(ra2, `gp_referrals: {total: 46240, months: [3676,`, `gp_referrals: {total: 47240, months: [4676,`)
	p.Replace(n09, `gp_referrals: {total: 46148, months: [3669,`, `gp_referrals: {total: 50148, months: [7669,`)
	p.Commit("new referral forecasts")
	srv := githubtest.NewServer(t)
	p.open(srv, 12, "referrals")
	w := newWorld(srv)

	out, errOut, code := p.reviewPR(w, 12)
	if code != ExitBlocking {
		t.Fatalf("misalignment: exit %d, want %d: %s\n%s", code, ExitBlocking, errOut, out)
	}
	comments := srv.ReviewComments()
	onLine := map[string]string{}
	for _, c := range comments {
		if strings.Contains(c.Body, "**A01 error**") {
			onLine[c.Path+":"+itoa(c.Line)] = c.Body
		}
	}
	if len(onLine) != 2 || onLine[ra2+":26"] == "" || onLine[n09+":27"] == "" {
		t.Fatalf("A01 comments at %v, want ra2.cue:26 and 09n.cue:27", keys(onLine))
	}
	if !strings.Contains(onLine[ra2+":26"], "@triangulate-nhs/09n-planning") || !strings.Contains(onLine[n09+":27"], "@triangulate-nhs/ra2-planning") {
		t.Error("comments do not mention the counterparty's owners")
	}
	if s := lastStatus(t, srv); s["state"] != "failure" || s["description"] != "Not submittable: 4 blocking findings involve 09N, RA2 (A01, A03, G03)" {
		t.Errorf("status %v", s)
	}
	reviews := srv.Count("pulls/create-review", 200)
	if reviews != 1 {
		t.Errorf("%d reviews created, want 1", reviews)
	}

	// A re-run on the same head posts nothing new.
	if _, errOut, code := p.reviewPR(w, 12); code != ExitBlocking {
		t.Fatalf("re-run: exit %d: %s", code, errOut)
	}
	if got := srv.Count("pulls/create-review", 200); got != reviews {
		t.Errorf("re-run created %d more reviews", got-reviews)
	}
	if got := len(srv.ReviewComments()); got != len(comments) {
		t.Errorf("re-run: %d line comments, want still %d", got, len(comments))
	}
	if ic := srv.IssueComments(); len(ic) != 1 || srv.Count("issues/update-comment", 200) != 1 {
		t.Errorf("summary comments %d, updates %d: want one comment updated in place", len(ic), srv.Count("issues/update-comment", 200))
	}

	// The fix push: 09N agrees; the bot's outdated comments go.
	p.Replace(n09, `gp_referrals: {total: 50148, months: [7669,`, `gp_referrals: {total: 47148, months: [4669,`)
	p.Commit("agree referrals with RA2")
	p.open(srv, 12, "referrals")
	out, errOut, code = p.reviewPR(w, 12)
	if code != ExitClean {
		t.Fatalf("fix push: exit %d: %s\n%s", code, errOut, out)
	}
	if got := srv.ReviewComments(); len(got) != 0 {
		t.Errorf("%d outdated comments left after the fix", len(got))
	}
	if s := lastStatus(t, srv); s["state"] != "success" || s["sha"] != nil && s["sha"] != p.sha("referrals") {
		t.Errorf("status after fix %v", s)
	}
	if inv := srv.Invalid(); len(inv) != 0 {
		t.Errorf("requests outside GitHub's REST description: %v", inv)
	}
}

func TestReviewWeakenedPolicyJudgedByBaseRules(t *testing.T) {
	p := newPRRepo(t)
	p.Branch("loosen")
	p.Replace(n09, `gp_referrals: {total: 46148, months: [3669,`, `gp_referrals: {total: 50148, months: [7669,`)
	p.Replace("policy/data.json", `"activity_warning_pct": 1,`, `"activity_warning_pct": 10,`)
	p.Replace("policy/data.json", `"activity_error_pct": 5,`, `"activity_error_pct": 50,`)
	p.Replace("policy/data.json", `"growth_gap_points": 1,`, `"growth_gap_points": 20,`)
	p.Commit("loosen tolerances and plan more referrals")
	srv := githubtest.NewServer(t)
	p.open(srv, 3, "loosen")
	if _, errOut, code := p.reviewPR(newWorld(srv), 3); code != ExitBlocking {
		t.Fatalf("exit %d, want %d: %s", code, ExitBlocking, errOut)
	}
	if s := lastStatus(t, srv); s["state"] != "failure" {
		t.Errorf("status %v: the loosened rules were applied to their own PR", s)
	}
	sum := srv.IssueComments()[0].Body
	for _, want := range []string{"This pull request changes the rules", "### Policy impact", "would newly pass"} {
		if !strings.Contains(sum, want) {
			t.Errorf("summary lacks %q", want)
		}
	}
}

func TestReviewRetriesA502(t *testing.T) {
	p := newPRRepo(t)
	p.Branch("referrals")
	p.Replace(n09, `gp_referrals: {total: 46148, months: [3669,`, `gp_referrals: {total: 50148, months: [7669,`)
	p.Commit("more referrals")
	srv := githubtest.NewServer(t)
	p.open(srv, 5, "referrals")
	srv.Fail("pulls/create-review", 1, 502, nil, `{"message":"Bad Gateway"}`)
	if _, errOut, code := p.reviewPR(newWorld(srv), 5); code != ExitBlocking {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if got := srv.Count("pulls/create-review", 502); got != 1 {
		t.Errorf("%d 502s served, want 1", got)
	}
	if got := srv.Count("pulls/create-review", 200); got != 1 {
		t.Errorf("%d reviews created after the retry, want 1", got)
	}
	if len(srv.ReviewComments()) == 0 {
		t.Error("no line comments after the retry")
	}
}

func TestReviewForkFallsBackToAnnotations(t *testing.T) {
	p := newPRRepo(t)
	p.Branch("fork")
	p.Replace(n09, `gp_referrals: {total: 46148, months: [3669,`, `gp_referrals: {total: 50148, months: [7669,`)
	p.Commit("more referrals")
	srv := githubtest.NewServer(t)
	p.open(srv, 9, "fork")
	srv.SetReadOnly(true)
	w := newWorld(srv)
	w.vars["GITHUB_STEP_SUMMARY"] = "/github/step_summary"
	out, errOut, code := p.reviewPR(w, 9)
	// ExitPublish, not ExitBlocking as before issue 9: the verdict never
	// reached the pull request, so the job must show red whatever the
	// verdict, with the result in the annotations and the job summary.
	if code != ExitPublish {
		t.Fatalf("exit %d, want %d: %s", code, ExitPublish, errOut)
	}
	if !strings.Contains(errOut, "cannot write") || !strings.Contains(errOut, "create review on o/plans#9") || !strings.Contains(out, "::error file="+n09+",line=27") {
		t.Errorf("no annotation fallback:\nstdout %s\nstderr %s", out, errOut)
	}
	if b := w.files["/github/step_summary"]; b == nil || !strings.Contains(b.String(), "❌ not submittable") {
		t.Errorf("job summary not written: %v", b)
	}
	if len(srv.ReviewComments()) != 0 || len(srv.Statuses()) != 0 {
		t.Error("the read-only server recorded writes")
	}
}

func TestReviewLocal(t *testing.T) {
	p := newPRRepo(t)
	p.Branch("referrals")
	p.Replace(n09, `gp_referrals: {total: 46148, months: [3669,`, `gp_referrals: {total: 50148, months: [7669,`)
	p.Commit("more referrals")
	out, errOut, code := newWorld(nil).review(t, "-C", p.dir, "--local", "main", "referrals")
	if code != ExitBlocking {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"## Triangulate: ❌ not submittable", "#### <code>" + n09 + ":27</code>", "RA2 at <code>" + ra2 + ":26:18</code> (@triangulate-nhs/ra2-planning)", "### Review body"} {
		if !strings.Contains(out, want) {
			t.Errorf("local review lacks %q:\n%s", want, out)
		}
	}
}

func TestReviewUsageErrors(t *testing.T) {
	p := newPRRepo(t)
	tests := []struct {
		args []string
		vars map[string]string
		want string
	}{
		{args: []string{"-C", p.dir, "--local", "main"}, want: "--local takes two refs"},
		{args: []string{"-C", p.dir}, want: "not in GitHub Actions"},
		{args: []string{"-C", p.dir}, vars: map[string]string{"GITHUB_EVENT_PATH": "/nowhere/event.json"}, want: "read event payload"},
		{args: []string{"-C", p.dir, "--repo", "o", "--pr", "1"}, want: "--repo OWNER/NAME and --pr N go together"},
		{args: []string{"-C", p.dir, "--repo", "o/plans", "--pr", "1"}, want: "GITHUB_TOKEN is not set"},
		{args: []string{"-C", p.dir, "--local", "main", "nope"}, want: "resolve nope"},
		{args: []string{"-C", t.TempDir(), "--local", "main", "main"}, want: "open git repository"},
		{args: []string{"-C", p.dir, "--pr", "x"}, want: "invalid argument"},
	}
	for _, tc := range tests {
		w := newWorld(nil)
		maps.Copy(w.vars, tc.vars)
		_, errOut, code := w.review(t, tc.args...)
		if code != ExitInput || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and %q", tc.args, code, errOut, tc.want)
		}
	}
}

// TestReviewThroughMain: the command Main builds reads the real
// environment; with no token it stops before any network.
func TestReviewThroughMain(t *testing.T) {
	p := newPRRepo(t)
	t.Setenv("GITHUB_TOKEN", "")
	_, errOut, code := run(t, "review", "-C", p.dir, "--repo", "o/plans", "--pr", "1")
	if code != ExitInput || !strings.Contains(errOut, "GITHUB_TOKEN is not set") {
		t.Errorf("exit %d, stderr %q; want exit 2 and the missing token", code, errOut)
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// hostile is markdown that GitHub would render live: a team mention, a
// link, an image, a tag and a bare URL.
const hostile = "@triangulate-nhs/regulators [link](https://evil.example) ![img](https://evil.example/i.png) <img src=x> www.evil.example"

// TestReviewHostilePlanText: a plan's name and an explanation that carry
// mentions, links and images reach the summary, the review and its line
// comments as text; before issue 8 they went out live (only | < > and line
// breaks were escaped), notifying the team and linking off-site.
func TestReviewHostilePlanText(t *testing.T) {
	p := newPRRepo(t)
	p.Branch("hostile")
	p.Replace(rtk, `name:      "Ashford and St Peter's Hospitals NHS Foundation Trust"`, `name:      "Ashford `+hostile+`"`)
	for _, e := range oneSidedExplanation {
		p.Replace(e.file, e.old, strings.Replace(e.new, "The new direct-access MSK pathway opens in April.", "MSK pathway "+hostile, 1))
	}
	p.Commit("hostile text in a plan")
	srv := githubtest.NewServer(t)
	p.open(srv, 4, "hostile")
	if _, errOut, code := p.reviewPR(newWorld(srv), 4); code != ExitBlocking {
		t.Fatalf("exit %d, want %d: %s", code, ExitBlocking, errOut)
	}
	posted := map[string]string{"summary": srv.IssueComments()[0].Body}
	for i, r := range srv.Reviews() {
		posted[fmt.Sprintf("review %d", i)] = r["body"].(string)
	}
	for _, c := range srv.ReviewComments() {
		posted[fmt.Sprintf("comment on %s:%d", c.Path, c.Line)] = c.Body
	}
	if len(posted) < 3 {
		t.Fatalf("posted %v, want a summary, a review and a line comment", keys(posted))
	}
	for where, body := range posted {
		body = strings.ReplaceAll(body, `\<`, "") // an escaped < shows as text
		for _, live := range []string{"@triangulate-nhs/regulators", "[link](", "![img](", "](https://", "<img", "https://evil", "www.evil"} {
			if strings.Contains(body, live) {
				t.Errorf("%s holds %q live:\n%s", where, live, body)
			}
		}
	}
	if !strings.Contains(posted["summary"], "### RTK Ashford @\u200btriangulate-nhs/regulators \\[link\\]") {
		t.Errorf("the summary does not show RTK's name as text:\n%s", posted["summary"])
	}
}
