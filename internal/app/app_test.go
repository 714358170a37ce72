package app_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/triangulate-nhs/triangulate/internal/app"
	"github.com/triangulate-nhs/triangulate/internal/cache"
	"github.com/triangulate-nhs/triangulate/internal/github"
	"github.com/triangulate-nhs/triangulate/internal/github/githubtest"
	"github.com/triangulate-nhs/triangulate/internal/gitrepo"
	"github.com/triangulate-nhs/triangulate/internal/server"
	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

const (
	installation = 7
	n09          = "plans/2019-20/commissioners/09n.cue"
	ra2          = "plans/2019-20/providers/ra2.cue"
)

// fixture is a repository served over git's HTTP protocol, the fake GitHub
// that knows it, and the App backend between them.
type fixture struct {
	g       *testutil.Git
	gh      *githubtest.Server
	backend *app.Backend
	url     string
	base    string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	g := testutil.NewGit(t)
	gs := testutil.ServeGit(t, g, "")
	f := githubtest.NewServer(t)
	f.AddInstallation(installation)
	f.SetInstallationRepositories(installation, "nhs/plans")
	f.SetCloneURL("nhs/plans", gs.CloneURL)
	a, err := github.NewApp(githubtest.AppID, f.AppPrivateKeyPEM(), f.URL(), f.Client())
	if err != nil {
		t.Fatal(err)
	}
	cache, err := gitrepo.NewCache(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	b := &app.Backend{GitHub: app.AppGitHub{App: a}, Cache: cache,
		Now: func() time.Time { return time.Date(2019, 3, 1, 0, 0, 0, 0, time.UTC) }}
	return &fixture{g: g, gh: f, backend: b, url: gs.CloneURL, base: g.Head()}
}

// pullRequest commits edit on a new branch as pull request n.
func (fx *fixture) pullRequest(t *testing.T, n int, branch string, edit func(g *testutil.Git)) server.Job {
	t.Helper()
	fx.g.Checkout("main")
	fx.g.Branch(branch)
	edit(fx.g)
	head := fx.g.Commit(branch)
	fx.g.SetRef("refs/pull/"+strconv.Itoa(n)+"/head", head)
	fx.gh.SetPullRequest(n, fx.base, head, "main", branch)
	return server.Job{Kind: server.KindPullRequest, Installation: installation, Owner: "nhs", Repo: "plans",
		CloneURL: fx.url, PR: n, HeadSHA: head, BaseRef: "main", BaseSHA: fx.base}
}

func lastCheck(t *testing.T, f *githubtest.Server, sha string) githubtest.CheckRun {
	t.Helper()
	var got *githubtest.CheckRun
	for _, c := range f.CheckRuns() {
		if c.HeadSHA == sha && c.Name == github.CheckName {
			c := c
			got = &c
		}
	}
	if got == nil {
		t.Fatalf("no %s check run on %s: %+v", github.CheckName, sha, f.CheckRuns())
	}
	return *got
}

// TestReviewPublishesTheAppsCheck: a misaligned pull request, fetched over
// git's HTTP protocol, judged as merged into main, ends as the App's own
// failed check run with the finding in its summary; a clean one succeeds.
func TestReviewPublishesTheAppsCheck(t *testing.T) {
	fx := newFixture(t)
	ctx := context.Background()
	bad := fx.pullRequest(t, 1, "misalign", func(g *testutil.Git) {
		g.Replace(ra2, `gp_referrals: {total: 46240, months: [3676,`, `gp_referrals: {total: 47240, months: [4676,`)
		g.Replace(n09, `gp_referrals: {total: 46148, months: [3669,`, `gp_referrals: {total: 50148, months: [7669,`)
	})
	if err := fx.backend.Review(ctx, bad); err != nil {
		t.Fatal(err)
	}
	c := lastCheck(t, fx.gh, bad.HeadSHA)
	if c.Status != "completed" || c.Conclusion != "failure" || c.AppID != githubtest.AppID {
		t.Errorf("check %+v, want the App's completed failure", c)
	}
	if !strings.Contains(c.Summary, "A01") {
		t.Errorf("check summary lacks the A01 misalignment:\n%s", c.Summary)
	}
	good := fx.pullRequest(t, 2, "rename", func(g *testutil.Git) {
		g.Replace(ra2, `name:      "Royal Surrey County Hospital NHS Foundation Trust"`, `name:      "Royal Surrey NHS Foundation Trust"`)
	})
	if err := fx.backend.Review(ctx, good); err != nil {
		t.Fatal(err)
	}
	if c := lastCheck(t, fx.gh, good.HeadSHA); c.Conclusion != "success" {
		t.Errorf("clean pull request: check %+v, want success", c)
	}
	if bad := fx.gh.Invalid(); len(bad) != 0 {
		t.Errorf("requests GitHub's description rejects: %v", bad)
	}
}

// TestPendingAfterRestart: a pull request whose head has no finished check
// is pending; once reviewed it is not.
func TestPendingAfterRestart(t *testing.T) {
	fx := newFixture(t)
	ctx := context.Background()
	j := fx.pullRequest(t, 1, "rename", func(g *testutil.Git) {
		g.Replace(ra2, `name:      "Royal Surrey County Hospital NHS Foundation Trust"`, `name:      "Royal Surrey NHS Foundation Trust"`)
	})
	pending, err := fx.backend.Pending(ctx, installation, "nhs", "plans")
	if err != nil {
		t.Fatal(err)
	}
	if len(pending) != 1 || pending[0].PR != 1 || pending[0].HeadSHA != j.HeadSHA || pending[0].CloneURL != fx.url {
		t.Fatalf("pending %+v, want pull request 1 at its head", pending)
	}
	if err := fx.backend.Review(ctx, pending[0]); err != nil {
		t.Fatal(err)
	}
	if pending, err = fx.backend.Pending(ctx, installation, "nhs", "plans"); err != nil || len(pending) != 0 {
		t.Errorf("after the review: pending %+v, %v; want none", pending, err)
	}
	repos, err := fx.backend.Repositories(ctx)
	if err != nil || len(repos) != 1 || repos[0].Installation != installation || repos[0].Owner != "nhs" {
		t.Errorf("repositories %+v, %v", repos, err)
	}
}

// TestRetargetedPullRequestFails: a pull request judged against another
// branch fails with the reason, never passes.
func TestRetargetedPullRequestFails(t *testing.T) {
	fx := newFixture(t)
	j := fx.pullRequest(t, 1, "weakened", func(g *testutil.Git) {
		g.Replace(ra2, `name:      "Royal Surrey County Hospital NHS Foundation Trust"`, `name:      "Royal Surrey NHS Foundation Trust"`)
	})
	j.BaseRef = "weakened"
	if err := fx.backend.Review(context.Background(), j); err != nil {
		t.Fatal(err)
	}
	c := lastCheck(t, fx.gh, j.HeadSHA)
	if c.Conclusion != "failure" || !strings.Contains(c.Summary, "judged only against main") {
		t.Errorf("check %+v, want a failure saying only main is judged", c)
	}
}

// TestFailureOnLastAttemptIsVisible: when the repository cannot be fetched,
// the last attempt leaves a failed check with the reason.
func TestFailureOnLastAttemptIsVisible(t *testing.T) {
	fx := newFixture(t)
	j := fx.pullRequest(t, 1, "rename", func(g *testutil.Git) {
		g.Replace(ra2, `name:      "Royal Surrey County Hospital NHS Foundation Trust"`, `name:      "Royal Surrey NHS Foundation Trust"`)
	})
	j.CloneURL = fx.url + "-gone"
	if err := fx.backend.Review(context.Background(), j); err == nil {
		t.Fatal("a review that could not fetch its repository succeeded")
	}
	c := lastCheck(t, fx.gh, j.HeadSHA)
	if c.Status != "completed" || c.Conclusion != "failure" {
		t.Errorf("check %+v, want a completed failure with the reason", c)
	}
}

// panickingGitHub is GitHub whose git credentials panic, as a bug met
// while judging would.
type panickingGitHub struct{ app.GitHub }

func (panickingGitHub) GitAuth(context.Context, int64) (gitrepo.Auth, error) {
	panic("credentials exploded")
}

// TestPanicWhileJudgingIsVisible: a panic while judging fails the review
// with an error, and its last attempt leaves a failed check saying so; the
// check is never left in progress.
func TestPanicWhileJudgingIsVisible(t *testing.T) {
	fx := newFixture(t)
	fx.backend.GitHub = panickingGitHub{fx.backend.GitHub}
	j := fx.pullRequest(t, 1, "rename", func(g *testutil.Git) {
		g.Replace(ra2, `name:      "Royal Surrey County Hospital NHS Foundation Trust"`, `name:      "Royal Surrey NHS Foundation Trust"`)
	})
	err := fx.backend.Review(context.Background(), j)
	if err == nil || !strings.Contains(err.Error(), "credentials exploded") {
		t.Fatalf("got %v, want the panic as an error", err)
	}
	c := lastCheck(t, fx.gh, j.HeadSHA)
	if c.Status != "completed" || c.Conclusion != "failure" || !strings.Contains(c.Summary, "credentials exploded") {
		t.Errorf("check %+v, want a completed failure naming the panic", c)
	}
}

// TestReviewsKeepTheCacheBounded: the server writes each review's results
// to the cache on disk and keeps the directory under its limit as it goes.
func TestReviewsKeepTheCacheBounded(t *testing.T) {
	fx := newFixture(t)
	const limit = 64 << 10
	dir := t.TempDir()
	c, err := cache.Open(dir, limit)
	if err != nil {
		t.Fatal(err)
	}
	fx.backend.Results = c
	j := fx.pullRequest(t, 1, "rename", func(g *testutil.Git) {
		g.Replace(ra2, `name:      "Royal Surrey County Hospital NHS Foundation Trust"`, `name:      "Royal Surrey NHS Foundation Trust"`)
	})
	if err := fx.backend.Review(context.Background(), j); err != nil {
		t.Fatal(err)
	}
	if c.Stats().Writes == 0 {
		t.Fatal("the review wrote nothing to the cache")
	}
	var size int64
	err = filepath.WalkDir(c.Dir(), func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		if err == nil {
			size += fi.Size()
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if size > limit {
		t.Errorf("cache holds %d bytes after a review, over its %d-byte limit", size, limit)
	}
}

// TestWebhookToCheck runs the whole App: a signed pull_request delivery
// reaches the server, the backend fetches and judges the pull request, and
// the App's check run on its head ends in failure; a delivery with a bad
// signature changes nothing.
func TestWebhookToCheck(t *testing.T) {
	fx := newFixture(t)
	j := fx.pullRequest(t, 1, "misalign", func(g *testutil.Git) {
		g.Replace(ra2, `gp_referrals: {total: 46240, months: [3676,`, `gp_referrals: {total: 47240, months: [4676,`)
		g.Replace(n09, `gp_referrals: {total: 46148, months: [3669,`, `gp_referrals: {total: 50148, months: [7669,`)
	})
	secret := []byte("a webhook secret of some length")
	srv, err := server.New(server.Config{Secret: secret, Reviewer: fx.backend, Lister: fx.backend,
		AppID: githubtest.AppID, ReconcileInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx, ln) }()
	defer func() {
		cancel()
		<-done
	}()
	body := []byte(`{"action":"synchronize","number":1,` +
		`"pull_request":{"number":1,"updated_at":"2019-03-01T10:00:00Z","head":{"sha":"` + j.HeadSHA + `"},"base":{"ref":"main","sha":"` + fx.base + `"}},` +
		`"repository":{"name":"plans","clone_url":"` + fx.url + `","owner":{"login":"nhs"}},"installation":{"id":7}}`)
	post := func(sig string) int {
		req, _ := http.NewRequest(http.MethodPost, "http://"+ln.Addr().String()+"/webhook", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-GitHub-Event", "pull_request")
		req.Header.Set("X-GitHub-Delivery", "delivery-"+sig[:8])
		req.Header.Set("X-Hub-Signature-256", sig)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post("sha256=" + strings.Repeat("0", 64)); code != http.StatusUnauthorized {
		t.Fatalf("bad signature: status %d, want 401", code)
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	if code := post("sha256=" + hex.EncodeToString(mac.Sum(nil))); code >= 300 {
		t.Fatalf("signed delivery: status %d", code)
	}
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		for _, c := range fx.gh.CheckRuns() {
			if c.HeadSHA == j.HeadSHA && c.Status == "completed" {
				if c.Conclusion != "failure" {
					t.Errorf("check %+v, want failure", c)
				}
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no completed check run within 20 s: %+v", fx.gh.CheckRuns())
}
