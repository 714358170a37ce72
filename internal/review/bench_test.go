package review_test

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/triangulate-nhs/triangulate/internal/cache"
	"github.com/triangulate-nhs/triangulate/internal/check"
	"github.com/triangulate-nhs/triangulate/internal/generate"
	"github.com/triangulate-nhs/triangulate/internal/gitrepo"
	"github.com/triangulate-nhs/triangulate/internal/review"
	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

// BenchmarkReviewNational: a pull request that changes one trust's surplus
// in the generated England (452 plans), reviewed as merged into main, with
// no result cache and with one that earlier reviews have filled.
func BenchmarkReviewNational(b *testing.B) {
	src := testutil.EnglandFS(b, generate.DefaultSystems, 1)
	g := testutil.NewGitOf(b, src)
	var name string
	for _, n := range slices.Sorted(maps.Keys(src)) {
		if strings.HasPrefix(n, "plans/2019-20/providers/") {
			name = n
			break
		}
	}
	g.Branch("one-plan")
	g.Replace(name, `status:    "final"`, `status:    "draft"`)
	head := g.Commit("one plan changed")
	g.Checkout("main")
	repo := gitrepo.Wrap(g.Repo)
	ctx := context.Background()
	run := func(b *testing.B, c *cache.Cache) {
		o := review.Options{Check: check.Options{Today: opts.Check.Today, Cache: c}}
		for b.Loop() {
			if _, err := review.RunMerged(ctx, repo, review.PullRequest{Base: "main", Head: head}, o); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("cold", func(b *testing.B) { run(b, nil) })
	b.Run("warm", func(b *testing.B) {
		c, err := cache.Open(b.TempDir(), 0)
		if err != nil {
			b.Fatal(err)
		}
		run(b, c)
	})
}
