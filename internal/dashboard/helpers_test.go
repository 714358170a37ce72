package dashboard_test

import (
	"context"
	"io/fs"
	"testing"
	"time"

	"github.com/triangulate-nhs/triangulate/internal/check"
	"github.com/triangulate-nhs/triangulate/internal/contracts"
	"github.com/triangulate-nhs/triangulate/internal/dashboard"
	"github.com/triangulate-nhs/triangulate/internal/gitrepo"
	"github.com/triangulate-nhs/triangulate/internal/ledger"
	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

// testSource is a repository address and commit for the links.
var testSource = dashboard.Source{Label: "main (0123456789ab)", RepoURL: "https://github.com/triangulate-nhs/plans",
	Commit: "0123456789abcdef0123456789abcdef01234567"}

// judged checks fsys the way `triangulate report` does and returns the
// dashboard's input.
func judged(t testing.TB, fsys fs.FS) dashboard.Input {
	t.Helper()
	ctx := context.Background()
	rules, err := check.LoadRules(ctx, fsys, check.Options{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := check.Run(ctx, rules, fsys, check.Options{})
	if err != nil {
		t.Fatal(err)
	}
	occ, err := rules.Engine().Occupancy(ctx, res.Set, rules.Registers)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := contracts.Position(res.Set)
	if err != nil {
		t.Fatal(err)
	}
	return dashboard.Input{Set: res.Set, Findings: res.Findings, Registers: rules.Registers, Occupancy: occ,
		Contracts: rows, Source: testSource}
}

// withHistory is the bundled plans after testutil.SubmissionHistory's round
// of submissions, judged at main, with the ledger and the weekly contract
// status read from that history as of asOf.
func withHistory(t testing.TB, asOf time.Time) (dashboard.Input, fs.FS) {
	t.Helper()
	ctx := context.Background()
	g := testutil.NewGit(t)
	testutil.SubmissionHistory(g)
	repo := gitrepo.Wrap(g.Repo)
	head, err := repo.Resolve("main")
	if err != nil {
		t.Fatal(err)
	}
	fsys, err := head.FS()
	if err != nil {
		t.Fatal(err)
	}
	in := judged(t, fsys)
	in.Ledger, err = ledger.Read(ctx, repo, ledger.Options{Ref: "main", AsOf: asOf})
	if err != nil {
		t.Fatal(err)
	}
	in.Weekly, err = contracts.Weekly(ctx, repo, contracts.WeeklyOptions{Ref: "main"})
	if err != nil {
		t.Fatal(err)
	}
	return in, fsys
}
