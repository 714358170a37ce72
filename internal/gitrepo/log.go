package gitrepo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// MaxLogCommits bounds how many commits of a first-parent history Log walks:
// a planning repository gains a few thousand merges a year, so a history
// longer than this is refused rather than read for minutes.
const MaxLogCommits = 100_000

// LogEntry is one commit of a branch's first-parent history.
type LogEntry struct {
	Commit
	// Parents counts the commit's parents: 2 or more for a merge.
	Parents int
	// Message is the full commit message.
	Message string
	// Author is "Name <email>" of the commit's author.
	Author string
	// Changed lists the paths under the log's folder that differ from the
	// first parent (every path there for the root commit), sorted; Removed
	// says which of them the commit deletes.
	Changed []string
	Removed map[string]bool
}

// Log walks head's first-parent history, the line a branch such as main
// moves along as pull requests merge into it, and returns it oldest first
// with the paths under dir ("plans") each commit changes. Commits that
// change nothing under dir are included with Changed empty, so callers can
// tell a quiet history from a short one.
func (r *Repo) Log(ctx context.Context, head Commit, dir string) ([]LogEntry, error) {
	if head.c == nil {
		return nil, fmt.Errorf("read history: %w", errUnresolved)
	}
	var out []LogEntry
	for c := head.c; c != nil; {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("read history of %s: %w", short(head.Hash), err)
		}
		if len(out) == MaxLogCommits {
			return nil, fmt.Errorf("read history of %s: more than %d commits on its first-parent line", short(head.Hash), MaxLogCommits)
		}
		var parent *object.Commit
		if c.NumParents() > 0 {
			p, err := c.Parent(0)
			if err != nil {
				return nil, fmt.Errorf("read parent of %s: %w", short(c.Hash.String()), err)
			}
			parent = p
		}
		changed, removed, err := changedUnder(ctx, parent, c, dir)
		if err != nil {
			return nil, err
		}
		out = append(out, LogEntry{Commit: newCommit(c), Parents: c.NumParents(), Message: c.Message,
			Author: fmt.Sprintf("%s <%s>", c.Author.Name, c.Author.Email), Changed: changed, Removed: removed})
		c = parent
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, nil
}

// subtree returns the tree at dir of c, or nil when c has none there.
func subtree(c *object.Commit, dir string) (*object.Tree, error) {
	if c == nil {
		return nil, nil
	}
	t, err := c.Tree()
	if err != nil {
		return nil, fmt.Errorf("read tree of %s: %w", short(c.Hash.String()), err)
	}
	if dir == "" || dir == "." {
		return t, nil
	}
	st, err := t.Tree(dir)
	if errors.Is(err, object.ErrDirectoryNotFound) || errors.Is(err, plumbing.ErrObjectNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s/ of %s: %w", dir, short(c.Hash.String()), err)
	}
	return st, nil
}

// changedUnder lists the paths under dir that differ between parent and c.
// Equal tree hashes short-cut the common case: a commit that leaves dir alone.
func changedUnder(ctx context.Context, parent, c *object.Commit, dir string) ([]string, map[string]bool, error) {
	from, err := subtree(parent, dir)
	if err != nil {
		return nil, nil, err
	}
	to, err := subtree(c, dir)
	if err != nil {
		return nil, nil, err
	}
	if from == nil && to == nil || from != nil && to != nil && from.Hash == to.Hash {
		return nil, nil, nil
	}
	changes, err := object.DiffTreeWithOptions(ctx, orEmpty(from), orEmpty(to), nil)
	if err != nil {
		return nil, nil, fmt.Errorf("diff %s/ of %s: %w", dir, short(c.Hash.String()), err)
	}
	var paths []string
	removed := map[string]bool{}
	for _, ch := range changes {
		name := ch.To.Name
		if name == "" {
			name = ch.From.Name
			removed[path.Join(dir, name)] = true
		}
		paths = append(paths, path.Join(dir, name))
	}
	sort.Strings(paths)
	return paths, removed, nil
}

func orEmpty(t *object.Tree) *object.Tree {
	if t == nil {
		return &object.Tree{}
	}
	return t
}

// Tags returns the tags whose names start with prefix ("submission/"), each
// with the commit it points to (annotated tags peeled).
func (r *Repo) Tags(prefix string) (map[string]string, error) {
	it, err := r.r.Tags()
	if err != nil {
		return nil, fmt.Errorf("list tags: %w", err)
	}
	out := map[string]string{}
	err = it.ForEach(func(ref *plumbing.Reference) error {
		name := ref.Name().Short()
		if !strings.HasPrefix(name, prefix) {
			return nil
		}
		h := ref.Hash()
		if tag, err := r.r.TagObject(h); err == nil {
			c, err := tag.Commit()
			if err != nil {
				return fmt.Errorf("peel tag %s: %w", name, err)
			}
			h = c.Hash
		}
		out[name] = h.String()
		return nil
	})
	if err != nil && !errors.Is(err, storer.ErrStop) && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("list tags: %w", err)
	}
	return out, nil
}
