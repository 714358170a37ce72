package gitrepo

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"sync"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// treeFS serves a git tree as an fs.FS, so the loader reads a commit the same
// way it reads a directory, without a checkout. Symbolic links are reported
// as such and never followed.
type treeFS struct {
	root *object.Tree
	when time.Time

	// looked is the blob the last Info looked up, and its path, until
	// that file is opened: a walk stats each plan for its size just
	// before reading it, and a blob is looked up (for a loose object,
	// inflated) once, not twice. One only: a file stat'ed and never
	// opened (refused for its size) must not be kept.
	mu         sync.Mutex
	lookedPath string
	looked     *object.File
}

// MaxBlobRead bounds a file read from a commit. A blob is read whole into
// memory when opened, and a blob compresses: a few hundred kilobytes in a
// pushed branch can be gigabytes of zeros. Plan files are bounded far
// lower (plan.DefaultMaxFileSize) and are never opened over their limit;
// this bounds every other reader of a commit's files.
const MaxBlobRead = 64 << 20

// inMemoryObjects is the size over which the repository's storage reads a
// git object lazily instead of into memory: above any plan file's limit.
const inMemoryObjects = 4 << 20

var (
	_ fs.ReadDirFS = (*treeFS)(nil)
	_ fs.StatFS    = (*treeFS)(nil)
)

func (t *treeFS) entry(name string) (*object.TreeEntry, error) {
	if !fs.ValidPath(name) {
		return nil, fs.ErrInvalid
	}
	if name == "." {
		return &object.TreeEntry{Name: ".", Mode: filemode.Dir, Hash: t.root.Hash}, nil
	}
	e, err := t.root.FindEntry(name)
	if err != nil {
		return nil, fs.ErrNotExist
	}
	return e, nil
}

func (t *treeFS) Stat(name string) (fs.FileInfo, error) {
	e, err := t.entry(name)
	if err != nil {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: err}
	}
	return t.info(name, e)
}

func (t *treeFS) info(name string, e *object.TreeEntry) (*fileInfo, error) {
	fi := &fileInfo{name: path.Base(name), mode: goMode(e.Mode), when: t.when}
	if e.Mode.IsFile() {
		blob, err := t.root.TreeEntryFile(e)
		if err != nil {
			return nil, &fs.PathError{Op: "stat", Path: name, Err: err}
		}
		fi.size = blob.Size
		t.mu.Lock()
		t.lookedPath, t.looked = name, blob
		t.mu.Unlock()
	}
	return fi, nil
}

// blob returns the blob at name, looked up by an earlier Info or now.
func (t *treeFS) blob(name string, e *object.TreeEntry) (*object.File, error) {
	t.mu.Lock()
	f := t.looked
	ok := f != nil && t.lookedPath == name
	if ok {
		t.lookedPath, t.looked = "", nil
	}
	t.mu.Unlock()
	if ok && f.Hash == e.Hash {
		return f, nil
	}
	return t.root.TreeEntryFile(e)
}

func (t *treeFS) Open(name string) (fs.File, error) {
	e, err := t.entry(name)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	if e.Mode == filemode.Regular || e.Mode == filemode.Executable {
		// One lookup of the blob gives both its size and its content.
		f, err := t.blob(name, e)
		if err != nil {
			return nil, &fs.PathError{Op: "open", Path: name, Err: err}
		}
		fi := &fileInfo{name: path.Base(name), mode: goMode(e.Mode), when: t.when, size: f.Size}
		return readBlob(name, fi, f.Reader)
	}
	fi, err := t.info(name, e)
	if err != nil {
		return nil, err
	}
	switch {
	case e.Mode == filemode.Dir:
		entries, err := t.ReadDir(name)
		if err != nil {
			return nil, err
		}
		return &dirFile{info: fi, entries: entries}, nil
	default:
		return nil, &fs.PathError{Op: "open", Path: name, Err: fmt.Errorf("%s entries are not read: %w", e.Mode, errors.ErrUnsupported)}
	}
}

func (t *treeFS) ReadDir(name string) ([]fs.DirEntry, error) {
	sub := t.root
	if name != "." {
		e, err := t.entry(name)
		if err != nil {
			return nil, &fs.PathError{Op: "readdir", Path: name, Err: err}
		}
		if e.Mode != filemode.Dir {
			return nil, &fs.PathError{Op: "readdir", Path: name, Err: errors.New("not a directory")}
		}
		if sub, err = t.root.Tree(name); err != nil {
			return nil, &fs.PathError{Op: "readdir", Path: name, Err: err}
		}
	}
	out := make([]fs.DirEntry, 0, len(sub.Entries))
	for i := range sub.Entries {
		e := &sub.Entries[i]
		full := path.Join(name, e.Name)
		out = append(out, &dirEntry{name: e.Name, mode: e.Mode, hash: e.Hash, info: func() (fs.FileInfo, error) { return t.info(full, e) }})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out, nil
}

func goMode(m filemode.FileMode) fs.FileMode {
	switch m {
	case filemode.Dir:
		return fs.ModeDir | 0o555
	case filemode.Symlink:
		return fs.ModeSymlink | 0o777
	case filemode.Executable:
		return 0o555
	case filemode.Regular, filemode.Deprecated:
		return 0o444
	default:
		return fs.ModeIrregular
	}
}

// dirEntry is an entry of a listed directory. Its name, type and content
// id come from the tree; its size, which needs the blob, only when Info is
// asked.
type dirEntry struct {
	name string
	mode filemode.FileMode
	hash plumbing.Hash
	info func() (fs.FileInfo, error)
}

func (d *dirEntry) Name() string               { return d.name }
func (d *dirEntry) IsDir() bool                { return d.mode == filemode.Dir }
func (d *dirEntry) Type() fs.FileMode          { return goMode(d.mode).Type() }
func (d *dirEntry) Info() (fs.FileInfo, error) { return d.info() }
func (d *dirEntry) String() string             { return fs.FormatDirEntry(d) }

// ContentID names a file's bytes: its git blob id. Two files with the same
// id hold the same bytes (git, and go-git reading it, hash objects with
// SHA-1 collision detection), so a loader that has already checked one need
// not read the other (plan.Options.Reuse). Empty for anything but a file.
func (d *dirEntry) ContentID() string {
	if d.mode != filemode.Regular && d.mode != filemode.Executable && d.mode != filemode.Deprecated {
		return ""
	}
	return "git-blob:" + d.hash.String()
}

type fileInfo struct {
	name string
	size int64
	mode fs.FileMode
	when time.Time
}

func (f *fileInfo) Name() string       { return f.name }
func (f *fileInfo) Size() int64        { return f.size }
func (f *fileInfo) Mode() fs.FileMode  { return f.mode }
func (f *fileInfo) ModTime() time.Time { return f.when }
func (f *fileInfo) IsDir() bool        { return f.mode.IsDir() }
func (f *fileInfo) Sys() any           { return nil }

type blobFile struct {
	info *fileInfo
	r    *bytes.Reader
}

func (f *blobFile) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *blobFile) Read(b []byte) (int, error) { return f.r.Read(b) }
func (f *blobFile) Close() error               { return nil }

type dirFile struct {
	info    *fileInfo
	entries []fs.DirEntry
	off     int
}

func (d *dirFile) Stat() (fs.FileInfo, error) { return d.info, nil }
func (d *dirFile) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.info.name, Err: errors.New("is a directory")}
}
func (d *dirFile) Close() error { return nil }
func (d *dirFile) ReadDir(n int) ([]fs.DirEntry, error) {
	rest := d.entries[d.off:]
	if n <= 0 {
		d.off = len(d.entries)
		return rest, nil
	}
	if len(rest) == 0 {
		return nil, io.EOF
	}
	n = min(n, len(rest))
	d.off += n
	return rest[:n], nil
}

// readBlob reads a blob whole into an open file: plan files are small and
// bounded, and a reader held open would pin go-git's storage.
func readBlob(name string, fi *fileInfo, open func() (io.ReadCloser, error)) (fs.File, error) {
	if fi.size > MaxBlobRead {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fmt.Errorf("file is %d bytes, over the %d-byte limit of what is read from a commit", fi.size, MaxBlobRead)}
	}
	r, err := open()
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	defer r.Close()
	// The header's size is the content's: exactly that is read, and a
	// stream that runs on past it is damaged.
	b := make([]byte, fi.size)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, &fs.PathError{Op: "read", Path: name, Err: err}
	}
	if n, _ := r.Read(make([]byte, 1)); n > 0 {
		return nil, &fs.PathError{Op: "read", Path: name, Err: errors.New("blob is longer than its recorded size")}
	}
	return &blobFile{info: fi, r: bytes.NewReader(b)}, nil
}
