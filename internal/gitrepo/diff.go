package gitrepo

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/format/diff"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// DiffContext is how many unchanged lines GitHub shows around a change; a
// review comment may sit on any line of a hunk, context included.
const DiffContext = 3

// FileChange is one file a pull request changes.
type FileChange struct {
	// From and To are the paths before and after; From is empty for an added
	// file, To for a deleted one.
	From, To string
	// Added lists the added lines of To, ascending.
	Added []int
	// commentable holds the lines of To that appear in the diff.
	commentable map[int]bool
}

// Path is the file's current path, or its old one when deleted.
func (c FileChange) Path() string {
	if c.To != "" {
		return c.To
	}
	return c.From
}

// Commentable reports whether a review comment may be placed on line of the
// new file: GitHub accepts lines inside the diff's hunks only.
func (c FileChange) Commentable(line int) bool { return c.commentable[line] }

// MergeBase returns the commit GitHub diffs a pull request against.
func (r *Repo) MergeBase(base, head *object.Commit) (*object.Commit, error) {
	bases, err := base.MergeBase(head)
	if err != nil {
		return nil, fmt.Errorf("find merge base of %s and %s: %w", base.Hash, head.Hash, err)
	}
	if len(bases) == 0 {
		return nil, fmt.Errorf("find merge base of %s and %s: no common history", base.Hash, head.Hash)
	}
	return bases[0], nil
}

// Diff lists the files changed from base to head (renames detected), with
// the lines of each new file that a review comment may target.
func (r *Repo) Diff(ctx context.Context, base, head *object.Commit) ([]FileChange, error) {
	patch, err := base.PatchContext(ctx, head)
	if err != nil {
		return nil, fmt.Errorf("diff %s..%s: %w", base.Hash, head.Hash, err)
	}
	var out []FileChange
	for _, fp := range patch.FilePatches() {
		from, to := fp.Files()
		var c FileChange
		if from != nil {
			c.From = from.Path()
		}
		if to != nil {
			c.To = to.Path()
		}
		if !fp.IsBinary() && to != nil {
			c.Added, c.commentable = lines(fp.Chunks())
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path() < out[j].Path() })
	return out, nil
}

// lines walks whole-file chunks and returns the added lines of the new file
// and every line within DiffContext of a change.
func lines(chunks []diff.Chunk) ([]int, map[int]bool) {
	var added []int
	var spans [][2]int // new-file line ranges a hunk shows
	line := 0          // last line number of the new file seen
	for _, ch := range chunks {
		n := strings.Count(ch.Content(), "\n")
		if !strings.HasSuffix(ch.Content(), "\n") && ch.Content() != "" {
			n++
		}
		switch ch.Type() {
		case diff.Equal:
			line += n
		case diff.Add:
			for i := 1; i <= n; i++ {
				added = append(added, line+i)
				spans = append(spans, [2]int{line + i - DiffContext, line + i + DiffContext})
			}
			line += n
		case diff.Delete:
			// A deletion sits between line and line+1 of the new file.
			spans = append(spans, [2]int{line + 1 - DiffContext, line + DiffContext})
		}
	}
	commentable := map[int]bool{}
	for _, sp := range spans {
		for l := sp[0]; l <= sp[1]; l++ {
			if l >= 1 && l <= line {
				commentable[l] = true
			}
		}
	}
	return added, commentable
}
