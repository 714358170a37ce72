package ledger_test

import (
	"context"
	"testing"

	"github.com/triangulate-nhs/triangulate/internal/cache"
	"github.com/triangulate-nhs/triangulate/internal/gitrepo"
	"github.com/triangulate-nhs/triangulate/internal/ledger"
	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

// BenchmarkRead draws up the ledger of testutil.SubmissionHistory (3
// commits with submissions, 9 versions) with every gate result computed,
// read from the cache, or not needed (tags only).
func BenchmarkRead(b *testing.B) {
	g := testutil.NewGit(b)
	testutil.SubmissionHistory(g)
	repo := gitrepo.Wrap(g.Repo)
	warm, err := cache.Open(b.TempDir(), 0)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := ledger.Read(context.Background(), repo, ledger.Options{Cache: warm, Version: "bench"}); err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		opts ledger.Options
	}{
		{"computed", ledger.Options{}},
		{"cached", ledger.Options{Cache: warm, Version: "bench"}},
		{"tags-only", ledger.Options{NoGates: true}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ledger.Read(context.Background(), repo, bc.opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
