package gitrepo_test

import (
	"context"
	"errors"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/triangulate-nhs/triangulate/internal/gitrepo"
	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

// TestMergeFileByFile: each path takes the side that changed it, and a path
// both sides changed differently is a conflict holding the head's version.
func TestMergeFileByFile(t *testing.T) {
	g := testutil.NewGit(t)
	for _, f := range []string{"head-edits", "main-edits", "both-same", "both-differ", "head-deletes", "main-deletes", "moved"} {
		g.Write("notes/"+f, f+"\n")
	}
	g.Commit("notes")
	g.Branch("pr")
	g.Write("notes/head-edits", "head\n")
	g.Write("notes/both-same", "same\n")
	g.Write("notes/both-differ", "head\n")
	g.Write("notes/head-adds", "head\n")
	g.Write("notes/both-add", "head\n")
	g.Write("notes/clash/inside", "head\n")
	remove(t, g, "notes/head-deletes", "notes/moved")
	g.Write("notes/moved-here", "moved\n")
	head := g.Commit("pull request")
	g.Checkout("main")
	g.Write("notes/main-edits", "main\n")
	g.Write("notes/both-same", "same\n")
	g.Write("notes/both-differ", "main\n")
	g.Write("notes/head-deletes", "main\n")
	g.Write("notes/both-add", "main\n")
	g.Write("notes/clash", "main\n")
	g.Write("notes/moved", "moved, and edited on main\n")
	remove(t, g, "notes/main-deletes")
	g.Commit("main moves on")

	repo := gitrepo.Wrap(g.Repo)
	m := merge(t, repo, "main", head)
	want := map[string]string{
		"notes/head-edits":   "head\n",
		"notes/main-edits":   "main\n",
		"notes/both-same":    "same\n",
		"notes/both-differ":  "head\n",
		"notes/head-adds":    "head\n",
		"notes/both-add":     "head\n",
		"notes/clash/inside": "head\n",
		"notes/moved-here":   "moved\n",
		"notes/head-deletes": "", // deleted on the head: a conflict, the head's version is no file
		"notes/main-deletes": "",
		"notes/moved":        "",
		"notes/clash":        "", // a directory now
	}
	for p, data := range want {
		got, err := fs.ReadFile(m.FS(), p)
		switch {
		case data == "" && err == nil:
			t.Errorf("%s is in the merge: %q", p, got)
		case data != "" && string(got) != data:
			t.Errorf("%s = %q (%v), want %q", p, got, err, data)
		}
	}
	wantConflicts := []string{"notes/both-add", "notes/both-differ", "notes/clash", "notes/head-deletes", "notes/moved"}
	if diff := cmp.Diff(wantConflicts, m.Conflicts); diff != "" {
		t.Errorf("conflicts (-want +got):\n%s", diff)
	}
	if mb, _ := repo.Resolve("main~1"); m.MergeBase.Hash != mb.Hash {
		t.Errorf("merge base %s, want %s", m.MergeBase.Hash, mb.Hash)
	}
	if err := fstest.TestFS(m.FS(), "notes/head-edits", "notes/clash/inside", "plans/2019-20/providers/rtk.cue", "schema/provider.cue"); err != nil {
		t.Error(err)
	}
}

// TestMergeUpToDate: a head built on the tip merges to the head itself, and
// a head already in the tip to the tip.
func TestMergeUpToDate(t *testing.T) {
	g := testutil.NewGit(t)
	g.Branch("pr")
	g.Replace(rtkPlan, `system:    "QXU"`, `system:    "QX"`)
	head := g.Commit("pull request")
	repo := gitrepo.Wrap(g.Repo)
	for _, tc := range []struct{ tip, head, want string }{{"main", head, `"QX"`}, {head, "main", `"QX"`}} {
		m := merge(t, repo, tc.tip, tc.head)
		data, err := fs.ReadFile(m.FS(), rtkPlan)
		if err != nil || !strings.Contains(string(data), "system:    "+tc.want) || len(m.Conflicts) != 0 {
			t.Errorf("%s into %s: conflicts %v, rtk.cue %v", tc.head, tc.tip, m.Conflicts, err)
		}
	}
}

func TestMergeRefusesSymlinkReads(t *testing.T) {
	g := testutil.NewGit(t)
	g.Branch("pr")
	if err := g.FS.Symlink("/etc/passwd", "plans/2019-20/evil.cue"); err != nil {
		t.Fatal(err)
	}
	g.Stage("plans/2019-20/evil.cue")
	head := g.Commit("a link")
	m := merge(t, gitrepo.Wrap(g.Repo), "main", head)
	fi, err := fs.Stat(m.FS(), "plans/2019-20/evil.cue")
	if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Fatalf("stat %v %v, want a symlink listed", fi, err)
	}
	if _, err := fs.ReadFile(m.FS(), "plans/2019-20/evil.cue"); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("reading a symlink: %v, want it refused", err)
	}
}

func merge(t *testing.T, repo *gitrepo.Repo, tipRef, headRef string) *gitrepo.Merged {
	t.Helper()
	tip, err := repo.Resolve(tipRef)
	if err != nil {
		t.Fatal(err)
	}
	head, err := repo.Resolve(headRef)
	if err != nil {
		t.Fatal(err)
	}
	m, err := repo.Merge(context.Background(), tip, head)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func remove(t *testing.T, g *testutil.Git, paths ...string) {
	t.Helper()
	for _, p := range paths {
		if err := g.FS.Remove(p); err != nil {
			t.Fatal(err)
		}
		g.Stage(p)
	}
}
