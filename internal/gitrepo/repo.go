// Package gitrepo reads plan trees straight from git objects with go-git:
// the files at any ref as an fs.FS, and what changed between two refs, line
// by line, so a review can place comments on the lines a pull request
// touches. Nothing is checked out.
package gitrepo

import (
	"fmt"
	"io/fs"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// Repo is a git repository opened for reading.
type Repo struct {
	r *git.Repository
}

// Open opens the repository containing dir.
func Open(dir string) (*Repo, error) {
	r, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
	if err != nil {
		return nil, fmt.Errorf("open git repository at %s: %w", dir, err)
	}
	return &Repo{r: r}, nil
}

// Wrap uses an already opened repository (an in-memory one in tests).
func Wrap(r *git.Repository) *Repo { return &Repo{r: r} }

// Commit resolves a ref (branch, tag, SHA, HEAD~1 ...) to its commit.
func (r *Repo) Commit(ref string) (*object.Commit, error) {
	h, err := r.r.ResolveRevision(plumbing.Revision(ref))
	if err != nil {
		return nil, fmt.Errorf("resolve %s: %w", ref, err)
	}
	c, err := r.r.CommitObject(*h)
	if err != nil {
		return nil, fmt.Errorf("read commit %s: %w", ref, err)
	}
	return c, nil
}

// FS returns the files of ref as a read-only file system.
func (r *Repo) FS(ref string) (fs.FS, *object.Commit, error) {
	c, err := r.Commit(ref)
	if err != nil {
		return nil, nil, err
	}
	t, err := c.Tree()
	if err != nil {
		return nil, nil, fmt.Errorf("read tree of %s: %w", ref, err)
	}
	return TreeFS(t, c.Committer.When), c, nil
}
