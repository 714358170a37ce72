package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/triangulate-nhs/triangulate/internal/github"
	"github.com/triangulate-nhs/triangulate/internal/github/githubtest"
	"github.com/triangulate-nhs/triangulate/internal/gitrepo"
	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

const (
	ra2 = "plans/2019-20/providers/ra2.cue"
	n09 = "plans/2019-20/commissioners/09n.cue"
	rtk = "plans/2019-20/providers/rtk.cue"
)

func init() {
	publisherOptions = []github.Option{github.WithSleep(func(context.Context, time.Duration) error { return nil })}
}

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
	c, err := gitrepo.Wrap(p.Repo).Commit(ref)
	if err != nil {
		p.t.Fatal(err)
	}
	return c.Hash.String()
}

// open tells the fake GitHub about pull request n from branch onto main and
// which lines its diff shows, as GitHub would.
func (p *prRepo) open(srv *githubtest.Server, n int, branch string) {
	p.t.Helper()
	repo := gitrepo.Wrap(p.Repo)
	base, _ := repo.Commit("main")
	head, _ := repo.Commit(branch)
	mb, err := repo.MergeBase(base, head)
	if err != nil {
		p.t.Fatal(err)
	}
	changes, err := repo.Diff(context.Background(), mb, head)
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
	srv.SetPullRequest(n, base.Hash.String(), head.Hash.String(), "main", branch)
}

// reviewPR runs `triangulate review --repo o/plans --pr n` against srv.
func (p *prRepo) reviewPR(srv *githubtest.Server, n int) (string, string, int) {
	p.t.Helper()
	p.t.Setenv("GITHUB_TOKEN", githubtest.Token)
	p.t.Setenv("GITHUB_API_URL", srv.URL())
	return run(p.t, "review", "-C", p.dir, "--repo", "o/plans", "--pr", itoa(n))
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
	path := filepath.Join(t.TempDir(), "event.json")
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GITHUB_EVENT_PATH", path)
	t.Setenv("GITHUB_TOKEN", githubtest.Token)
	t.Setenv("GITHUB_API_URL", srv.URL())
	out, errOut, code := run(t, "review", "-C", p.dir)
	if code != ExitClean {
		t.Fatalf("exit %d: %s\n%s", code, errOut, out)
	}
	if s := lastStatus(t, srv); s["state"] != "success" || s["description"] != "Submittable: nothing blocks RTK" {
		t.Errorf("status %v", s)
	}
	if n := len(srv.ReviewComments()); n != 0 {
		t.Errorf("%d line comments on a clean change", n)
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

	out, errOut, code := p.reviewPR(srv, 12)
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
	if len(onLine) != 2 || onLine[ra2+":26"] == "" || onLine[n09+":46"] == "" {
		t.Fatalf("A01 comments at %v, want ra2.cue:26 and 09n.cue:46", keys(onLine))
	}
	if !strings.Contains(onLine[ra2+":26"], "@triangulate-nhs/09n-planning") || !strings.Contains(onLine[n09+":46"], "@triangulate-nhs/ra2-planning") {
		t.Error("comments do not mention the counterparty's owners")
	}
	if s := lastStatus(t, srv); s["state"] != "failure" || !strings.Contains(s["description"].(string), "A01") {
		t.Errorf("status %v", s)
	}
	reviews := srv.Count("pulls/create-review", 200)
	if reviews != 1 {
		t.Errorf("%d reviews created, want 1", reviews)
	}

	// A re-run on the same head posts nothing new.
	if _, errOut, code := p.reviewPR(srv, 12); code != ExitBlocking {
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
	out, errOut, code = p.reviewPR(srv, 12)
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
	if _, errOut, code := p.reviewPR(srv, 3); code != ExitBlocking {
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
	if _, errOut, code := p.reviewPR(srv, 5); code != ExitBlocking {
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
	summary := filepath.Join(t.TempDir(), "summary.md")
	t.Setenv("GITHUB_STEP_SUMMARY", summary)
	out, errOut, code := p.reviewPR(srv, 9)
	if code != ExitBlocking {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(errOut, "cannot write") || !strings.Contains(out, "::error file="+n09+",line=46") {
		t.Errorf("no annotation fallback:\nstdout %s\nstderr %s", out, errOut)
	}
	b, err := os.ReadFile(summary)
	if err != nil || !strings.Contains(string(b), "❌ not submittable") {
		t.Errorf("job summary not written: %v %s", err, b)
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
	out, errOut, code := run(t, "review", "-C", p.dir, "--local", "main", "referrals")
	if code != ExitBlocking {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"## Triangulate: ❌ not submittable", "#### `" + n09 + ":46`", "RA2 at `" + ra2 + ":26:18` (@triangulate-nhs/ra2-planning)", "### Review body"} {
		if !strings.Contains(out, want) {
			t.Errorf("local review lacks %q:\n%s", want, out)
		}
	}
}

func TestReviewUsageErrors(t *testing.T) {
	p := newPRRepo(t)
	t.Setenv("GITHUB_EVENT_PATH", "")
	t.Setenv("GITHUB_TOKEN", "")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"review", "-C", p.dir, "--local", "main"}, "--local takes two refs"},
		{[]string{"review", "-C", p.dir}, "not in GitHub Actions"},
		{[]string{"review", "-C", p.dir, "--repo", "o", "--pr", "1"}, "--repo OWNER/NAME and --pr N go together"},
		{[]string{"review", "-C", p.dir, "--repo", "o/plans", "--pr", "1"}, "GITHUB_TOKEN is not set"},
		{[]string{"review", "-C", p.dir, "--local", "main", "nope"}, "resolve nope"},
		{[]string{"review", "-C", t.TempDir(), "--local", "main", "main"}, "open git repository"},
	}
	for _, tc := range tests {
		_, errOut, code := run(t, tc.args...)
		if code != ExitInput || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and %q", tc.args, code, errOut, tc.want)
		}
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
