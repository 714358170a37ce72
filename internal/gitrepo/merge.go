package gitrepo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// Merged is a pull request's head merged, file by file, into the current tip
// of its base: what the base would hold if the pull request merged now. It
// is computed from the three trees alone (no merge commit, no checkout).
type Merged struct {
	// MergeBase is the best common ancestor of the tip and the head: the
	// pull request's own diff, as GitHub shows it, starts there.
	MergeBase Commit
	// Conflicts lists, sorted, the paths both sides changed since the merge
	// base, differently (contents, mode, or one side deleting what the other
	// edited). The merged files hold the head's version of each, so the
	// pull request's own lines can still be judged and placed; a merge with
	// conflicts must not pass.
	Conflicts []string
	fsys      fs.FS
}

// FS returns the merged files as a read-only file system.
func (m *Merged) FS() fs.FS { return m.fsys }

// blobEntry is a file's entry in a tree: its blob and mode. The zero value
// is a deleted (absent) file.
type blobEntry struct {
	hash plumbing.Hash
	mode filemode.FileMode
}

// Merge merges head into tip at the level of whole files: a path changed on
// only one side since the merge base takes that side's version, a path both
// sides changed the same way takes it, and a path both changed differently
// is a conflict. Renames are not followed: a file moved on one side and
// edited on the other is a conflict, which is the safe reading for plans
// bound to their paths.
func (r *Repo) Merge(ctx context.Context, tip, head Commit) (*Merged, error) {
	if tip.c == nil || head.c == nil {
		return nil, fmt.Errorf("merge commits: %w", errUnresolved)
	}
	where := fmt.Sprintf("%s into %s", short(head.Hash), short(tip.Hash))
	mb, err := mergeBase(tip.c, head.c)
	if err != nil {
		return nil, fmt.Errorf("merge %s: %w", where, err)
	}
	var trees [3]*object.Tree
	for i, c := range []*object.Commit{mb, tip.c, head.c} {
		if trees[i], err = c.Tree(); err != nil {
			return nil, fmt.Errorf("merge %s: read tree of %s: %w", where, short(c.Hash.String()), err)
		}
	}
	ours, err := pathChanges(ctx, trees[0], trees[1])
	if err != nil {
		return nil, fmt.Errorf("merge %s: %w", where, err)
	}
	theirs, err := pathChanges(ctx, trees[0], trees[2])
	if err != nil {
		return nil, fmt.Errorf("merge %s: %w", where, err)
	}
	files, err := treeFiles(ctx, trees[1])
	if err != nil {
		return nil, fmt.Errorf("merge %s: %w", where, err)
	}
	m := &Merged{MergeBase: newCommit(mb)}
	for p, e := range theirs {
		if o, both := ours[p]; both && o != e {
			m.Conflicts = append(m.Conflicts, p)
		} else if both {
			continue
		}
		if e == (blobEntry{}) {
			delete(files, p)
		} else {
			files[p] = e
		}
	}
	when := tip.When
	if head.When.After(when) {
		when = head.When
	}
	mfs := &mergedFS{files: files, dirs: map[string][]string{}, blob: r.r.BlobObject, info: fileInfo{when: when}}
	m.Conflicts = append(m.Conflicts, mfs.index()...)
	sort.Strings(m.Conflicts)
	m.Conflicts = compactStrings(m.Conflicts)
	m.fsys = mfs
	return m, nil
}

// pathChanges maps each path changed from a to b to its entry in b (the zero
// entry when deleted).
func pathChanges(ctx context.Context, a, b *object.Tree) (map[string]blobEntry, error) {
	changes, err := object.DiffTreeWithOptions(ctx, a, b, &object.DiffTreeOptions{})
	if ctx.Err() != nil {
		return nil, fmt.Errorf("diff trees: %w", ctx.Err())
	}
	if err != nil {
		return nil, fmt.Errorf("diff trees: %w", err)
	}
	out := make(map[string]blobEntry, len(changes))
	for _, ch := range changes {
		if ch.From.Name != "" {
			out[ch.From.Name] = blobEntry{}
		}
		if ch.To.Name != "" {
			out[ch.To.Name] = blobEntry{hash: ch.To.TreeEntry.Hash, mode: ch.To.TreeEntry.Mode}
		}
	}
	return out, nil
}

// treeFiles lists every entry of t that is not a directory, by path.
func treeFiles(ctx context.Context, t *object.Tree) (map[string]blobEntry, error) {
	out := map[string]blobEntry{}
	w := object.NewTreeWalker(t, true, nil)
	defer w.Close()
	for {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("list files: %w", err)
		}
		name, e, err := w.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("list files: %w", err)
		}
		if e.Mode != filemode.Dir {
			out[name] = blobEntry{hash: e.Hash, mode: e.Mode}
		}
	}
}

func compactStrings(xs []string) []string {
	out := xs[:0]
	for i, x := range xs {
		if i == 0 || x != xs[i-1] {
			out = append(out, x)
		}
	}
	return out
}

// mergedFS serves merged files, each a blob of the repository, the way
// treeFS serves a commit's tree: symbolic links and submodules are listed
// and never read.
type mergedFS struct {
	files map[string]blobEntry
	// dirs lists each directory's children by name, sorted; "." is the root.
	dirs map[string][]string
	blob func(plumbing.Hash) (*object.Blob, error)
	info fileInfo // the time every entry carries
}

var (
	_ fs.ReadDirFS = (*mergedFS)(nil)
	_ fs.StatFS    = (*mergedFS)(nil)
)

// index builds dirs from files. A path that is a file on one side and a
// directory on the other cannot be both: the directory stays, and the path
// is returned as a conflict.
func (m *mergedFS) index() []string {
	children := map[string]map[string]bool{".": {}}
	for p := range m.files {
		for child := p; child != "."; child = path.Dir(child) {
			dir := path.Dir(child)
			if children[dir] == nil {
				children[dir] = map[string]bool{}
			}
			children[dir][path.Base(child)] = true
		}
	}
	var clashes []string
	for p := range m.files {
		if children[p] != nil {
			clashes = append(clashes, p)
			delete(m.files, p)
		}
	}
	for dir, names := range children {
		list := make([]string, 0, len(names))
		for n := range names {
			list = append(list, n)
		}
		sort.Strings(list)
		m.dirs[dir] = list
	}
	return clashes
}

func (m *mergedFS) Stat(name string) (fs.FileInfo, error) {
	fi, err := m.stat(name)
	if err != nil {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: err}
	}
	return fi, nil
}

func (m *mergedFS) stat(name string) (*fileInfo, error) {
	fi, _, err := m.lookup(name)
	return fi, err
}

// lookup returns name's file info and, for a file, its blob: looked up
// once for both.
func (m *mergedFS) lookup(name string) (*fileInfo, *object.Blob, error) {
	if !fs.ValidPath(name) {
		return nil, nil, fs.ErrInvalid
	}
	fi := m.info
	fi.name = path.Base(name)
	if _, ok := m.dirs[name]; ok {
		fi.mode = goMode(filemode.Dir)
		return &fi, nil, nil
	}
	e, ok := m.files[name]
	if !ok {
		return nil, nil, fs.ErrNotExist
	}
	fi.mode = goMode(e.mode)
	if !e.mode.IsFile() {
		return &fi, nil, nil
	}
	b, err := m.blob(e.hash)
	if err != nil {
		return nil, nil, err
	}
	fi.size = b.Size
	return &fi, b, nil
}

func (m *mergedFS) Open(name string) (fs.File, error) {
	fi, b, err := m.lookup(name)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	if fi.IsDir() {
		entries, err := m.ReadDir(name)
		if err != nil {
			return nil, err
		}
		return &dirFile{info: fi, entries: entries}, nil
	}
	e := m.files[name]
	if e.mode != filemode.Regular && e.mode != filemode.Executable && e.mode != filemode.Deprecated {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fmt.Errorf("%s entries are not read: %w", e.mode, errors.ErrUnsupported)}
	}
	return readBlob(name, fi, b.Reader)
}

func (m *mergedFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrInvalid}
	}
	children, ok := m.dirs[name]
	if !ok {
		if _, isFile := m.files[name]; isFile {
			return nil, &fs.PathError{Op: "readdir", Path: name, Err: errors.New("not a directory")}
		}
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrNotExist}
	}
	out := make([]fs.DirEntry, 0, len(children))
	for _, c := range children {
		full := path.Join(name, c)
		d := &dirEntry{name: c, mode: filemode.Dir, info: func() (fs.FileInfo, error) {
			fi, err := m.stat(full)
			if err != nil {
				return nil, &fs.PathError{Op: "stat", Path: full, Err: err}
			}
			return fi, nil
		}}
		if e, ok := m.files[full]; ok {
			d.mode, d.hash = e.mode, e.hash
		}
		out = append(out, d)
	}
	return out, nil
}
