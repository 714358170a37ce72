package gitrepo_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing/transport"

	"github.com/triangulate-nhs/triangulate/internal/gitrepo"
	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

const rtkPlan = "plans/2019-20/providers/rtk.cue"

// remote is a GitHub-like repository: main, and pull request 7 whose head
// is one commit on a branch of its own.
func remote(t *testing.T, g *testutil.Git) (mainSHA, prSHA string) {
	t.Helper()
	mainSHA = g.Head()
	g.Branch("shorter-name")
	g.Replace(rtkPlan, `name:      "Ashford and St Peter's Hospitals NHS Foundation Trust"`, `name:      "Ashford and St Peter's Hospitals NHS FT"`)
	prSHA = g.Commit("shorter name")
	g.SetRef("refs/pull/7/head", prSHA)
	g.Checkout("main")
	return mainSHA, prSHA
}

func newCache(t *testing.T) (*gitrepo.Cache, string) {
	t.Helper()
	dir := t.TempDir()
	c, err := gitrepo.NewCache(dir)
	if err != nil {
		t.Fatal(err)
	}
	return c, dir
}

// fetch fetches and checks that each want resolves to the SHA wanted.
func fetch(t *testing.T, c *gitrepo.Cache, url string, auth gitrepo.Auth, want map[string]string) {
	t.Helper()
	var wants []string
	for ref := range want {
		wants = append(wants, ref)
	}
	repo, err := c.Fetch(context.Background(), url, auth, wants...)
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	for ref, sha := range want {
		got, err := repo.Resolve(ref)
		if err != nil || got.Hash != sha {
			t.Errorf("%s resolves to %s (%v), want %s", ref, got.Hash, err, sha)
		}
	}
}

// TestFetchOverHTTPIsCached: fetching main and a pull request's head with
// an installation token works, and the next fetch brings only what was
// pushed since, into the same repository.
func TestFetchOverHTTPIsCached(t *testing.T) {
	g := testutil.NewGit(t)
	mainSHA, prSHA := remote(t, g)
	srv := testutil.ServeGit(t, g, "ghs_token")
	c, dir := newCache(t)
	auth := gitrepo.TokenAuth("ghs_token")

	fetch(t, c, srv.CloneURL, auth, map[string]string{"refs/heads/main": mainSHA, "refs/pull/7/head": prSHA})
	first := srv.Sent()

	g.Replace(rtkPlan, `system:    "QXU"`, `system:    "QX"`)
	newMain := g.Commit("a small change on main")
	fetch(t, c, srv.CloneURL, auth, map[string]string{"refs/heads/main": newMain, "refs/pull/7/head": prSHA})
	second := srv.Sent() - first
	t.Logf("first fetch %d bytes, second (one new commit) %d bytes", first, second)
	// The whole repository is over 100 KB packed; one commit changing one
	// line of a 15 KB plan is a few KB (the server sends the new blob
	// whole, not as a delta).
	if first < 20_000 || second*20 > first {
		t.Errorf("first fetch sent %d bytes, second %d: want the second to carry only the new commit", first, second)
	}
	fetches, _ := srv.Fetches()
	fetch(t, c, srv.CloneURL, auth, map[string]string{"refs/heads/main": newMain})
	if again, _ := srv.Fetches(); again != fetches {
		t.Errorf("a fetch with nothing new asked for a pack")
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 1 {
		t.Errorf("cache holds %d entries (%v), want one repository", len(entries), err)
	}

	// A commit no ref names any more (a merge group's, say) is fetched by
	// its SHA.
	g.Branch("gh-readonly-queue/main/pr-7")
	g.Write("plans/2019-20/notes.txt", "queued\n")
	groupSHA := g.Commit("merge group")
	g.Checkout("main")
	fetch(t, c, srv.CloneURL, auth, map[string]string{groupSHA: groupSHA})
}

func TestFetchRefusals(t *testing.T) {
	g := testutil.NewGit(t)
	remote(t, g)
	srv := testutil.ServeGit(t, g, "ghs_token")
	c, _ := newCache(t)
	tests := []struct {
		name  string
		url   string
		auth  gitrepo.Auth
		wants []string
		is    error
		says  string
	}{
		{"wrong token", srv.CloneURL, gitrepo.TokenAuth("ghs_other"), []string{"refs/heads/main"}, transport.ErrAuthenticationRequired, "refs/heads/main from 127.0.0.1"},
		{"no token", srv.CloneURL, gitrepo.Auth{}, []string{"refs/heads/main"}, transport.ErrAuthenticationRequired, ""},
		{"missing ref", srv.CloneURL, gitrepo.TokenAuth("ghs_token"), []string{"refs/pull/8/head"}, nil, "refs/pull/8/head"},
		{"unknown commit", srv.CloneURL, gitrepo.TokenAuth("ghs_token"), []string{strings.Repeat("ab", 20)}, nil, "abab"},
		{"short sha", srv.CloneURL, gitrepo.TokenAuth("ghs_token"), []string{"abc123"}, nil, "neither a full ref name nor a full commit SHA"},
		{"nothing", srv.CloneURL, gitrepo.Auth{}, nil, nil, "nothing to fetch"},
		{"credentials in url", "https://x-access-token:ghs_token@github.com/o/r.git", gitrepo.Auth{}, []string{"refs/heads/main"}, gitrepo.ErrCloneURL, "pass them as Auth"},
		{"token over plain http", "http://github.com/o/r.git", gitrepo.TokenAuth("t"), []string{"refs/heads/main"}, gitrepo.ErrCloneURL, "loopback only"},
		{"ssh", "git@github.com:o/r.git", gitrepo.Auth{}, []string{"refs/heads/main"}, gitrepo.ErrCloneURL, "protocol"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			repo, err := c.Fetch(context.Background(), tc.url, tc.auth, tc.wants...)
			if err == nil {
				repo.Close()
				t.Fatal("fetched")
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %v, want %v", err, tc.is)
			}
			if !strings.Contains(err.Error(), tc.says) || strings.Contains(err.Error(), "ghs_token") {
				t.Errorf("error %q, want it to say %q and never the token", err, tc.says)
			}
		})
	}
}

// TestFetchLocalPath: a local repository path is a clone URL too (go-git's
// file transport runs git-upload-pack).
func TestFetchLocalPath(t *testing.T) {
	if _, err := exec.LookPath("git-upload-pack"); err != nil {
		t.Skip("git-upload-pack is not installed")
	}
	g, dir := testutil.NewGitDir(t)
	mainSHA, prSHA := remote(t, g)
	c, cacheDir := newCache(t)
	// git-upload-pack refuses wants by SHA unless configured to allow
	// them: the head's SHA comes with its ref, and is not asked for.
	want := map[string]string{"refs/heads/main": mainSHA, "refs/pull/7/head": prSHA, prSHA: prSHA}
	fetch(t, c, dir, gitrepo.Auth{}, want)
	packs := func() int {
		m, _ := filepath.Glob(filepath.Join(cacheDir, "*", "objects", "pack", "*.pack"))
		return len(m)
	}
	if packs() != 1 {
		t.Fatalf("%d packs after the first fetch, want 1", packs())
	}
	g.Replace(rtkPlan, `system:    "QXU"`, `system:    "QX"`)
	want["refs/heads/main"] = g.Commit("a small change on main")
	fetch(t, c, "file://"+dir, gitrepo.Auth{}, want)
	if packs() != 2 {
		t.Errorf("%d packs after the second fetch, want 2: the cache reused, one pack added", packs())
	}
}

// TestFetchWaitsForReaders: a fetch into a repository a review is reading
// waits until the review closes it, for as long as its context allows;
// another repository is fetched meanwhile.
func TestFetchWaitsForReaders(t *testing.T) {
	g := testutil.NewGit(t)
	mainSHA, _ := remote(t, g)
	srv := testutil.ServeGit(t, g, "")
	og := testutil.NewGit(t)
	other := testutil.ServeGit(t, og, "")
	c, _ := newCache(t)
	ctx := context.Background()
	reading, err := c.Fetch(ctx, srv.CloneURL, gitrepo.Auth{}, "refs/heads/main")
	if err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if r, err := c.Fetch(short, srv.CloneURL, gitrepo.Auth{}, "refs/heads/main"); !errors.Is(err, context.DeadlineExceeded) {
		if r != nil {
			r.Close()
		}
		t.Fatalf("fetch during a read: %v, want it to wait past its deadline", err)
	}
	fetch(t, c, other.CloneURL, gitrepo.Auth{}, map[string]string{"refs/heads/main": og.Head()})
	if err := reading.Close(); err != nil {
		t.Fatal(err)
	}
	reading.Close() // twice is harmless

	// Many reviews of two repositories at once: every fetch lands, and
	// every reader sees what it fetched.
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Go(func() {
			url := srv.CloneURL
			if i%2 == 1 {
				url = other.CloneURL
			}
			r, err := c.Fetch(ctx, url, gitrepo.Auth{}, "refs/heads/main")
			if err != nil {
				t.Error(err)
				return
			}
			defer r.Close()
			if got, err := r.Resolve("main"); err != nil || (i%2 == 0 && got.Hash != mainSHA) {
				t.Errorf("main is %s (%v)", got.Hash, err)
			}
		})
	}
	wg.Wait()
}
