package review_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/triangulate-nhs/triangulate/internal/gitrepo"
	"github.com/triangulate-nhs/triangulate/internal/review"
	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

// TestFetchedAndJudged is the server's path: fetch main and the pull
// request's head from the clone URL with a token, judge it merged into
// main as it is now, then fetch the merge group's commit by SHA and judge
// that.
func TestFetchedAndJudged(t *testing.T) {
	g := testutil.NewGit(t)
	main0 := g.Head()
	pr1, pr2 := controlTotalPRs(t, g)
	g.SetRef("refs/pull/2/head", pr2)
	g.Branch("gh-readonly-queue/main/pr-2")
	deficit09Y(g)
	deficit99H(g)
	group := g.CommitMerge("merge group: #1 and #2", pr1, pr2)
	g.Checkout("main")
	deficit09Y(g)
	g.CommitMerge("Merge pull request #1", pr1)
	srv := testutil.ServeGit(t, g, "ghs_installation")
	cache, err := gitrepo.NewCache(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	auth := gitrepo.TokenAuth("ghs_installation")

	repo, err := cache.Fetch(ctx, srv.CloneURL, auth, "refs/heads/main", "refs/pull/2/head", pr2)
	if err != nil {
		t.Fatal(err)
	}
	r, err := review.RunMerged(ctx, repo, review.PullRequest{Base: "main", Head: pr2}, opts)
	repo.Close()
	if err != nil {
		t.Fatal(err)
	}
	if got := blockedBy(r); !cmp.Equal(got, []string{"C03", "G03"}) || r.BaseSHA != g.Head() {
		t.Errorf("#2 judged on %s: blocked by %v, want C03 (and G03: 99H's plan is final) on main %s", r.BaseSHA, got, g.Head())
	}

	repo, err = cache.Fetch(ctx, srv.CloneURL, auth, "refs/heads/main", group)
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	r, err = review.RunGroup(ctx, repo, review.MergeGroup{Base: "refs/heads/main", BaseSHA: main0, HeadSHA: group}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if got := blockedBy(r); !cmp.Equal(got, []string{"C03", "G03"}) {
		t.Errorf("merge group blocked by %v, want C03 and G03", got)
	}
	// A merge group built on another commit is not what merging leaves.
	if _, err := review.RunGroup(ctx, repo, review.MergeGroup{Base: "main", BaseSHA: g.Head(), HeadSHA: group}, opts); !errors.Is(err, review.ErrNotOnBase) {
		t.Errorf("merge group not on its base: %v, want ErrNotOnBase", err)
	}
}

// BenchmarkJudgement compares judging a pull request at its merge base with
// judging it merged into a main that moved on.
func BenchmarkJudgement(b *testing.B) {
	g := testutil.NewGit(b)
	g.Branch("referrals")
	misalign(g)
	head := g.Commit("new referral forecast")
	g.Checkout("main")
	deficit09Y(g)
	g.Commit("main moves on")
	repo := gitrepo.Wrap(g.Repo)
	ctx := context.Background()
	b.Run("Run", func(b *testing.B) {
		for b.Loop() {
			if _, err := review.Run(ctx, repo, "main", head, opts); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("RunMerged", func(b *testing.B) {
		for b.Loop() {
			if _, err := review.RunMerged(ctx, repo, review.PullRequest{Base: "main", Head: head}, opts); err != nil {
				b.Fatal(err)
			}
		}
	})
}
