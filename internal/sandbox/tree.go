package sandbox

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/triangulate-nhs/triangulate/internal/plan"
	"github.com/triangulate-nhs/triangulate/internal/policy"
)

// treeDirs are the folders the pipeline reads: the schema, the policies
// with their data, register and waivers, the plans, and the CUE module.
var treeDirs = []string{plan.SchemaDir, policy.Dir, plan.PlansDir, "cue.mod"}

// file is one entry of the head's tree as the child sees it. Only regular
// files carry data; a symbolic link or any other kind is sent as what it
// is, so the loaders refuse it exactly as they do at the parent. A regular
// file over the per-file cap is sent with its size and no data.
type file struct {
	Path     string      `json:"path"`
	Type     fs.FileMode `json:"type,omitempty"`
	Size     int64       `json:"size"`
	Data     []byte      `json:"data,omitempty"`
	Withheld bool        `json:"withheld,omitempty"`
}

// snapshot reads the files under treeDirs in fsys, sending the contents of
// regular files up to maxFile bytes each and maxTotal bytes in all.
func snapshot(fsys fs.FS, maxTotal, maxFile int64) ([]file, error) {
	var out []file
	var total int64
	for _, dir := range treeDirs {
		err := fs.WalkDir(fsys, dir, func(name string, d fs.DirEntry, err error) error {
			switch {
			case errors.Is(err, fs.ErrNotExist) && name == dir:
				return fs.SkipDir
			case err != nil:
				return err
			case d.IsDir():
				return nil
			}
			f := file{Path: name, Type: d.Type()}
			if !d.Type().IsRegular() {
				out = append(out, f)
				return nil
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			if f.Size = info.Size(); f.Size > maxFile {
				f.Withheld = true
				out = append(out, f)
				return nil
			}
			if total += f.Size; total > maxTotal {
				return fmt.Errorf("the schema, policies and plans are over %s", bytesInWords(maxTotal))
			}
			if f.Data, err = fs.ReadFile(fsys, name); err != nil {
				return err
			}
			f.Size = int64(len(f.Data))
			out = append(out, f)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", dir, err)
		}
	}
	return out, nil
}

// memFS serves a snapshot to the loaders in the child, with the same
// answers the parent's tree gave: file kinds, sizes and contents.
type memFS struct {
	files map[string]*file
	dirs  map[string][]fs.DirEntry
}

var (
	_ fs.ReadDirFS = (*memFS)(nil)
	_ fs.StatFS    = (*memFS)(nil)
)

// errWithheld is what reading a file sent without its contents gives.
var errWithheld = errors.New("the file is too large to send to the sandbox")

func newMemFS(files []file) (*memFS, error) {
	m := &memFS{files: map[string]*file{}, dirs: map[string][]fs.DirEntry{".": nil}}
	for i := range files {
		f := &files[i]
		if !fs.ValidPath(f.Path) || f.Path == "." || m.files[f.Path] != nil || m.dirs[f.Path] != nil {
			return nil, fmt.Errorf("read the request: %q is not a new file path", f.Path)
		}
		m.files[f.Path] = f
		child := fs.DirEntry(fs.FileInfoToDirEntry(f.info()))
		// Add f to its folder, and each missing folder to its parent.
		for p := f.Path; ; {
			dir := path.Dir(p)
			_, known := m.dirs[dir]
			if m.files[dir] != nil {
				return nil, fmt.Errorf("read the request: %q is both a file and a folder", dir)
			}
			m.dirs[dir] = append(m.dirs[dir], child)
			if known {
				break
			}
			child = fs.FileInfoToDirEntry(dirInfo(dir))
			p = dir
		}
	}
	for _, entries := range m.dirs {
		slices.SortFunc(entries, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	}
	return m, nil
}

func (m *memFS) Stat(name string) (fs.FileInfo, error) {
	if f := m.files[name]; f != nil {
		return f.info(), nil
	}
	if _, ok := m.dirs[name]; ok {
		return dirInfo(name), nil
	}
	return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrNotExist}
}

func (m *memFS) ReadDir(name string) ([]fs.DirEntry, error) {
	entries, ok := m.dirs[name]
	if !ok {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrNotExist}
	}
	return slices.Clone(entries), nil
}

func (m *memFS) Open(name string) (fs.File, error) {
	if entries, ok := m.dirs[name]; ok {
		return &memDir{info: dirInfo(name), entries: slices.Clone(entries)}, nil
	}
	f := m.files[name]
	switch {
	case f == nil:
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	case !f.Type.IsRegular():
		return nil, &fs.PathError{Op: "open", Path: name, Err: fmt.Errorf("%s entries are not read: %w", f.Type, errors.ErrUnsupported)}
	case f.Withheld:
		return nil, &fs.PathError{Op: "open", Path: name, Err: fmt.Errorf("%w (%d bytes)", errWithheld, f.Size)}
	}
	return &memFile{info: f.info(), r: bytes.NewReader(f.Data)}, nil
}

func (f *file) info() fileInfo {
	mode := f.Type | 0o444
	if !f.Type.IsRegular() {
		mode = f.Type | 0o777
	}
	return fileInfo{name: path.Base(f.Path), size: f.Size, mode: mode}
}

func dirInfo(name string) fileInfo {
	return fileInfo{name: path.Base(name), mode: fs.ModeDir | 0o555}
}

type fileInfo struct {
	name string
	size int64
	mode fs.FileMode
}

func (i fileInfo) Name() string       { return i.name }
func (i fileInfo) Size() int64        { return i.size }
func (i fileInfo) Mode() fs.FileMode  { return i.mode }
func (i fileInfo) ModTime() time.Time { return time.Time{} }
func (i fileInfo) IsDir() bool        { return i.mode.IsDir() }
func (i fileInfo) Sys() any           { return nil }

type memFile struct {
	info fileInfo
	r    *bytes.Reader
}

func (f *memFile) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *memFile) Read(p []byte) (int, error) { return f.r.Read(p) }
func (f *memFile) Close() error               { return nil }

type memDir struct {
	info    fileInfo
	entries []fs.DirEntry
}

func (d *memDir) Stat() (fs.FileInfo, error) { return d.info, nil }
func (d *memDir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.info.name, Err: errors.New("is a directory")}
}
func (d *memDir) Close() error { return nil }

// ReadDir follows fs.ReadDirFile: n <= 0 returns all that is left.
func (d *memDir) ReadDir(n int) ([]fs.DirEntry, error) {
	if n <= 0 {
		out := d.entries
		d.entries = nil
		return out, nil
	}
	if len(d.entries) == 0 {
		return nil, io.EOF
	}
	n = min(n, len(d.entries))
	out := d.entries[:n]
	d.entries = d.entries[n:]
	return out, nil
}
