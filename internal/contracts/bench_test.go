package contracts_test

import (
	"context"
	"testing"

	"github.com/triangulate-nhs/triangulate/internal/contracts"
	"github.com/triangulate-nhs/triangulate/internal/gitrepo"
	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

// BenchmarkWeekly rebuilds 7 weeks of 12 contracts from
// testutil.SubmissionHistory (4 distinct commits read).
func BenchmarkWeekly(b *testing.B) {
	g := testutil.NewGit(b)
	testutil.SubmissionHistory(g)
	repo := gitrepo.Wrap(g.Repo)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := contracts.Weekly(context.Background(), repo, contracts.WeeklyOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}
