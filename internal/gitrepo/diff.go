package gitrepo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/format/diff"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// DiffContext is how many unchanged lines GitHub shows around a change; a
// review comment may sit on any line of a hunk, context included.
const DiffContext = 3

// MaxDiffBytes is the largest file whose lines a review diffs. go-git's line
// diff is quadratic in the worst case and panics past about 1.11 million
// distinct lines; the largest plan, schema or policy file in the repository
// is under 15 KB, so 1 MiB leaves room for seventy times that and stays
// clear of both.
const MaxDiffBytes = 1 << 20

// MaxDiffLines is the most lines a file may have, before or after the change,
// for a review to diff it. A file rewritten line for line costs go-git time
// quadratic in its length: 20,000 lines took 1.1 s on two cores, 50,000 took
// 7 s. The largest file the review reads today has under 300 lines.
const MaxDiffLines = 20_000

// MaxRenameCandidates bounds the files compared for renames by content, as
// git's own diff.renameLimit does (and with its default): every deleted file
// is compared with every added one, so a pull request that adds and deletes
// thousands of files would otherwise cost millions of comparisons. Past it,
// only renames of unchanged content are found.
const MaxRenameCandidates = 1000

// Why a file's lines were not diffed; see FileChange.NotDiffed.
var (
	// ErrNotReviewed marks a file outside the paths a review reads (see
	// Reviewed): it is listed as changed, and its contents are not read.
	ErrNotReviewed = errors.New("outside the files a review reads")
	// ErrTooLarge marks a file over MaxDiffBytes or MaxDiffLines.
	ErrTooLarge = errors.New("too large to comment on")
	// ErrNotText marks a file git takes for binary, or an entry that is not
	// a file (a submodule).
	ErrNotText = errors.New("not a text file")
	// ErrDiffFailed marks a file the diff library failed on, panics
	// included: that file gets no line comments, and the review goes on.
	ErrDiffFailed = errors.New("diff failed")
)

// reviewedPrefixes are the folders whose files a review judges or places
// comments in: plans, the schema, the policies with their register and
// waivers, and the CUE module.
var reviewedPrefixes = []string{"plans/", "schema/", "policy/", "cue.mod/"}

// codeownersFiles are where GitHub looks for CODEOWNERS, which says whom the
// review mentions.
var codeownersFiles = []string{".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS"}

// Reviewed reports whether a review reads the file at path (slash-separated,
// from the repository root), and so whether its lines are diffed.
func Reviewed(path string) bool {
	for _, p := range reviewedPrefixes {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	for _, f := range codeownersFiles {
		if path == f {
			return true
		}
	}
	return false
}

// FileChange is one file a pull request changes.
type FileChange struct {
	// From and To are the paths before and after; From is empty for an added
	// file, To for a deleted one.
	From, To string
	// Added lists the added lines of To, ascending.
	Added []int
	// NotDiffed says why the lines of To were not read although it exists:
	// ErrNotReviewed, ErrTooLarge, ErrNotText or ErrDiffFailed (test with
	// errors.Is; the message names the file and the limit). It is nil when
	// Added and Commentable are complete, and for a deleted file.
	NotDiffed error
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

// Changes lists the files changed from base to head (renames detected),
// sorted by path, with the lines of each new file that a review comment may
// target. Only files a review reads (Reviewed) are diffed, and only within
// MaxDiffBytes and MaxDiffLines; every other change is listed with
// NotDiffed saying why, so one odd file never stops a review.
func (r *Repo) Changes(ctx context.Context, base, head Commit) ([]FileChange, error) {
	if base.c == nil || head.c == nil {
		return nil, errors.New("diff commits: a commit was not resolved")
	}
	return r.changes(ctx, base.c, head.c)
}

func (r *Repo) changes(ctx context.Context, base, head *object.Commit) ([]FileChange, error) {
	where := fmt.Sprintf("%s..%s", short(base.Hash.String()), short(head.Hash.String()))
	from, err := base.Tree()
	if err != nil {
		return nil, fmt.Errorf("diff %s: read tree of %s: %w", where, short(base.Hash.String()), err)
	}
	to, err := head.Tree()
	if err != nil {
		return nil, fmt.Errorf("diff %s: read tree of %s: %w", where, short(head.Hash.String()), err)
	}
	changes, err := object.DiffTreeWithOptions(ctx, from, to, &object.DiffTreeOptions{
		DetectRenames: true,
		RenameScore:   object.DefaultDiffTreeOptions.RenameScore,
		RenameLimit:   MaxRenameCandidates,
	})
	if ctx.Err() != nil {
		// go-git reports its own ErrCanceled; callers test for the context's.
		return nil, fmt.Errorf("diff %s: %w", where, ctx.Err())
	}
	if err != nil {
		return nil, fmt.Errorf("diff %s: %w", where, err)
	}
	out := make([]FileChange, 0, len(changes))
	for _, ch := range changes {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("diff %s: %w", where, err)
		}
		c := FileChange{From: ch.From.Name, To: ch.To.Name}
		if c.To != "" {
			c.Added, c.commentable, c.NotDiffed = r.diffFile(ctx, ch)
			if errors.Is(c.NotDiffed, context.Canceled) || errors.Is(c.NotDiffed, context.DeadlineExceeded) {
				return nil, fmt.Errorf("diff %s: %w", where, c.NotDiffed)
			}
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path() < out[j].Path() })
	return out, nil
}

// diffFile returns the added and commentable lines of the new side of ch, or
// why they were not read.
func (r *Repo) diffFile(ctx context.Context, ch *object.Change) (added []int, commentable map[int]bool, err error) {
	path := ch.To.Name
	if !Reviewed(path) {
		return nil, nil, ErrNotReviewed
	}
	from, to, err := ch.Files()
	if err != nil {
		return nil, nil, fmt.Errorf("diff %s: %w: %w", path, ErrDiffFailed, err)
	}
	if to == nil {
		return nil, nil, fmt.Errorf("diff %s: %s entry: %w", path, ch.To.TreeEntry.Mode, ErrNotText)
	}
	if err := fitsDiff(from); err != nil {
		return nil, nil, fmt.Errorf("diff %s: before the change, %w", path, err)
	}
	if err := fitsDiff(to); err != nil {
		return nil, nil, fmt.Errorf("diff %s: %w", path, err)
	}
	defer func() {
		// go-git's diff library panics on some inputs (too many distinct
		// lines, for one); a file it fails on gets no line comments.
		if p := recover(); p != nil {
			added, commentable = nil, nil
			err = fmt.Errorf("diff %s: %w: %v", path, ErrDiffFailed, p)
		}
	}()
	patch, err := r.patch(ctx, ch)
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		return nil, nil, fmt.Errorf("diff %s: %w: %w", path, ErrDiffFailed, err)
	}
	fps := patch.FilePatches()
	if len(fps) != 1 {
		return nil, nil, fmt.Errorf("diff %s: %w: %d file patches for one file", path, ErrDiffFailed, len(fps))
	}
	if fps[0].IsBinary() {
		return nil, nil, fmt.Errorf("diff %s: binary: %w", path, ErrNotText)
	}
	added, commentable = lines(fps[0].Chunks())
	return added, commentable, nil
}

// fitsDiff checks one side of a change against MaxDiffBytes before reading
// it, then against MaxDiffLines. A nil file (the old side of an added file)
// fits.
func fitsDiff(f *object.File) error {
	if f == nil {
		return nil
	}
	if f.Size > MaxDiffBytes {
		return fmt.Errorf("%d bytes, over the %d a review diffs: %w", f.Size, MaxDiffBytes, ErrTooLarge)
	}
	r, err := f.Reader()
	if err != nil {
		return fmt.Errorf("read contents: %w: %w", ErrDiffFailed, err)
	}
	defer r.Close()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(r); err != nil {
		return fmt.Errorf("read contents: %w: %w", ErrDiffFailed, err)
	}
	if n := lineCount(buf.Bytes()); n > MaxDiffLines {
		return fmt.Errorf("%d lines, over the %d a review diffs: %w", n, MaxDiffLines, ErrTooLarge)
	}
	return nil
}

// lineCount counts lines as the diff does: a last line without a newline
// still counts.
func lineCount(b []byte) int {
	n := bytes.Count(b, []byte{'\n'})
	if len(b) > 0 && b[len(b)-1] != '\n' {
		n++
	}
	return n
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
