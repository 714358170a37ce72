package gitrepo_test

import (
	"context"
	"slices"
	"testing"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/triangulate-nhs/triangulate/internal/gitrepo"
	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

func TestLogFirstParent(t *testing.T) {
	g := testutil.NewGit(t)
	shas := testutil.SubmissionHistory(g)
	wt, err := g.Repo.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wt.Remove("plans/2019-20/providers/rxx.cue"); err != nil {
		t.Fatal(err)
	}
	removed := g.Commit("withdraw RXX")
	repo := gitrepo.Wrap(g.Repo)
	head, err := repo.Resolve("main")
	if err != nil {
		t.Fatal(err)
	}
	log, err := repo.Log(context.Background(), head, "plans")
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		sha     string
		parents int
		changed []string
	}{
		{shas[0], 0, nil}, // every plan: checked by count below
		{shas[1], 2, []string{"plans/2019-20/providers/rtk.cue"}},
		{shas[2], 1, nil},
		{shas[3], 1, []string{"plans/2019-20/providers/rtk.cue"}},
		{shas[4], 1, []string{"plans/organisations.cue"}},
		{removed, 1, []string{"plans/2019-20/providers/rxx.cue"}},
	}
	if len(log) != len(want) {
		t.Fatalf("%d commits on the first-parent line, want %d (the pull request's own commit is not on it)", len(log), len(want))
	}
	for i, w := range want {
		e := log[i]
		if e.Hash != w.sha || e.Parents != w.parents || (i > 0 && !slices.Equal(e.Changed, w.changed)) {
			t.Errorf("commit %d: %.12s parents %d changed %v; want %.12s %d %v", i, e.Hash, e.Parents, e.Changed, w.sha, w.parents, w.changed)
		}
	}
	if n := len(log[0].Changed); n != 9 { // the reference list, a system file and 7 plans
		t.Errorf("root commit changes %d files under plans/: %v", n, log[0].Changed)
	}
	if !log[5].Removed["plans/2019-20/providers/rxx.cue"] || len(log[3].Removed) != 0 {
		t.Errorf("removed: %v / %v", log[5].Removed, log[3].Removed)
	}
	if log[1].Message != "Merge pull request #5 from rtk/update\n\nMore GP referrals" || log[1].Author != "GitHub <noreply@github.com>" {
		t.Errorf("merge message %q author %q", log[1].Message, log[1].Author)
	}
}

func TestTagsPeeled(t *testing.T) {
	g := testutil.NewGit(t)
	root := g.Head()
	if _, err := g.Repo.CreateTag("submission/2019-20/RTK/v1", plumbing.NewHash(root), nil); err != nil {
		t.Fatal(err)
	}
	sig := &object.Signature{Name: "Regulator", Email: "r@example.nhs.uk"}
	if _, err := g.Repo.CreateTag("submission/2019-20/RA2/v1", plumbing.NewHash(root), &git.CreateTagOptions{Tagger: sig, Message: "RA2 v1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := g.Repo.CreateTag("release-1", plumbing.NewHash(root), nil); err != nil {
		t.Fatal(err)
	}
	tags, err := gitrepo.Wrap(g.Repo).Tags("submission/")
	if err != nil {
		t.Fatal(err)
	}
	if len(tags) != 2 || tags["submission/2019-20/RTK/v1"] != root || tags["submission/2019-20/RA2/v1"] != root {
		t.Errorf("tags %v, want both submission tags at %s (the annotated one peeled)", tags, root)
	}
}
