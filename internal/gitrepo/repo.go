// Package gitrepo reads plan trees straight from git objects with go-git:
// the files at any ref as an fs.FS, what changed between two refs, line by
// line, so a review can place comments on the lines a pull request touches,
// and a pull request merged file by file into the current tip of its base
// (Merge). Cache fetches repositories from their clone URLs into bare
// repositories kept between reviews. Nothing is checked out.
//
// go-git's types stay inside this package: callers get a Commit (a hash, a
// time and the files) and FileChanges, so go-git can be upgraded or replaced
// here alone, and the diff's limits apply to every caller.
package gitrepo

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// Repo is a git repository opened for reading.
type Repo struct {
	r *git.Repository
	// patch diffs one change; a field so a test can make it panic the way
	// go-git's diff library does on inputs too costly to build in a test.
	patch func(context.Context, *object.Change) (*object.Patch, error)
	// close releases what Cache.Fetch holds for the reader; nil otherwise.
	close func() error
}

// Close releases the repository: for one from Cache.Fetch, its read lock,
// so the next fetch into it can run. It is safe to call more than once, and
// does nothing for a repository from Open or Wrap.
func (r *Repo) Close() error {
	if r.close == nil {
		return nil
	}
	return r.close()
}

// Open opens the repository containing dir.
func Open(dir string) (*Repo, error) {
	r, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
	if err != nil {
		return nil, fmt.Errorf("open git repository at %s: %w", dir, err)
	}
	// Opened again over the same git directory (found as git finds it, a
	// worktree's common directory included), with storage that reads
	// large objects lazily.
	st, ok := r.Storer.(*filesystem.Storage)
	if !ok {
		return nil, fmt.Errorf("open git repository at %s: unexpected storage %T", dir, r.Storer)
	}
	if r, err = git.Open(newStorage(st.Filesystem()), nil); err != nil {
		return nil, fmt.Errorf("open git repository at %s: %w", dir, err)
	}
	return Wrap(r), nil
}

// newStorage is the storage every repository is read through: objects over
// inMemoryObjects are read from disk when their content is read, never
// inflated into memory to learn their size.
func newStorage(dot billy.Filesystem) *filesystem.Storage {
	return filesystem.NewStorageWithOptions(dot, cache.NewObjectLRUDefault(), filesystem.Options{LargeObjectThreshold: inMemoryObjects})
}

// Wrap uses an already opened repository (an in-memory one in tests).
func Wrap(r *git.Repository) *Repo {
	return &Repo{r: r, patch: func(ctx context.Context, c *object.Change) (*object.Patch, error) {
		return c.PatchContext(ctx)
	}}
}

// Commit is a commit of the repository.
type Commit struct {
	// Hash is the commit's full hexadecimal SHA.
	Hash string
	// When is the committer time, given as the modification time of the
	// commit's files.
	When time.Time
	c    *object.Commit
}

var errUnresolved = errors.New("commit was not resolved from the repository")

// Resolve finds the commit a ref names (branch, tag, SHA, HEAD~1 ...).
func (r *Repo) Resolve(ref string) (Commit, error) {
	c, err := r.commit(ref)
	if err != nil {
		return Commit{}, err
	}
	return newCommit(c), nil
}

func newCommit(c *object.Commit) Commit {
	return Commit{Hash: c.Hash.String(), When: c.Committer.When, c: c}
}

func (r *Repo) commit(ref string) (*object.Commit, error) {
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

// FS returns the commit's files as a read-only file system.
func (c Commit) FS() (fs.FS, error) {
	if c.c == nil {
		return nil, fmt.Errorf("read files: %w", errUnresolved)
	}
	t, err := c.c.Tree()
	if err != nil {
		return nil, fmt.Errorf("read tree of %s: %w", short(c.Hash), err)
	}
	return &treeFS{root: t, when: c.When}, nil
}

// MergeBase returns the best common ancestor of c and other: GitHub diffs a
// pull request from the merge base of its base and head.
func (c Commit) MergeBase(other Commit) (Commit, error) {
	if c.c == nil || other.c == nil {
		return Commit{}, fmt.Errorf("find merge base: %w", errUnresolved)
	}
	mb, err := mergeBase(c.c, other.c)
	if err != nil {
		return Commit{}, err
	}
	return newCommit(mb), nil
}

func mergeBase(base, head *object.Commit) (*object.Commit, error) {
	bases, err := base.MergeBase(head)
	if err != nil {
		return nil, fmt.Errorf("find merge base of %s and %s: %w", short(base.Hash.String()), short(head.Hash.String()), err)
	}
	if len(bases) == 0 {
		return nil, fmt.Errorf("find merge base of %s and %s: no common history", short(base.Hash.String()), short(head.Hash.String()))
	}
	return bases[0], nil
}

func short(sha string) string { return sha[:min(12, len(sha))] }
