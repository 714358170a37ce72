package testutil

import (
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-billy/v5/memfs"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/memory"
)

// Git is an in-memory repository whose first commit on main holds the
// repository's own schema, policies and plans.
type Git struct {
	t    testing.TB
	Repo *git.Repository
	FS   billy.Filesystem
	wt   *git.Worktree
	tick int
}

// NewGit creates the repository in memory and commits the shipped files to
// main.
func NewGit(t testing.TB) *Git {
	t.Helper()
	r, err := git.InitWithOptions(memory.NewStorage(), memfs.New(), git.InitOptions{DefaultBranch: plumbing.Main})
	if err != nil {
		t.Fatal(err)
	}
	return newGit(t, r)
}

// NewGitDir is NewGit on disk, in a temporary directory, for code that opens
// a repository by path.
func NewGitDir(t testing.TB) (*Git, string) {
	t.Helper()
	dir := t.TempDir()
	r, err := git.PlainInitWithOptions(dir, &git.PlainInitOptions{InitOptions: git.InitOptions{DefaultBranch: plumbing.Main}})
	if err != nil {
		t.Fatal(err)
	}
	return newGit(t, r), dir
}

func newGit(t testing.TB, r *git.Repository) *Git {
	t.Helper()
	wt, err := r.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	g := &Git{t: t, Repo: r, FS: wt.Filesystem, wt: wt}
	src := RepoFS(t)
	names := make([]string, 0, len(src))
	for name := range src {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		g.Write(name, string(src[name].Data))
	}
	g.Commit("plans as submitted")
	return g
}

// Read returns a file of the work tree.
func (g *Git) Read(name string) string {
	g.t.Helper()
	f, err := g.FS.Open(name)
	if err != nil {
		g.t.Fatal(err)
	}
	defer f.Close()
	var b strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := f.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return b.String()
}

// Write puts a file in the work tree and stages it.
func (g *Git) Write(name, data string) {
	g.t.Helper()
	f, err := g.FS.Create(name)
	if err != nil {
		g.t.Fatal(err)
	}
	if _, err := f.Write([]byte(data)); err != nil {
		g.t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		g.t.Fatal(err)
	}
	if _, err := g.wt.Add(name); err != nil {
		g.t.Fatal(err)
	}
}

// Replace edits a file in place; old must occur exactly once.
func (g *Git) Replace(name, old, new string) {
	g.t.Helper()
	data := g.Read(name)
	if n := strings.Count(data, old); n != 1 {
		g.t.Fatalf("replace in %s: %q occurs %d times, want 1", name, old, n)
	}
	g.Write(name, strings.Replace(data, old, new, 1))
}

// Stage adds a path already written through FS (a symlink, say).
func (g *Git) Stage(name string) {
	g.t.Helper()
	if _, err := g.wt.Add(name); err != nil {
		g.t.Fatal(err)
	}
}

// Commit records the staged changes on the current branch.
func (g *Git) Commit(msg string) string {
	g.t.Helper()
	g.tick++
	sig := &object.Signature{Name: "Planning lead", Email: "lead@example.nhs.uk",
		When: time.Date(2019, 3, 1, 9, g.tick, 0, 0, time.UTC)}
	h, err := g.wt.Commit(msg, &git.CommitOptions{Author: sig, AllowEmptyCommits: true})
	if err != nil {
		g.t.Fatal(err)
	}
	return h.String()
}

// Branch creates branch at the current commit and checks it out.
func (g *Git) Branch(name string) {
	g.t.Helper()
	if err := g.wt.Checkout(&git.CheckoutOptions{Branch: plumbing.NewBranchReferenceName(name), Create: true}); err != nil {
		g.t.Fatal(err)
	}
}
