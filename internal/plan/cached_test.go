package plan

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/triangulate-nhs/triangulate/internal/finding"
	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

// memCache is a ResultCache in memory that counts what it is asked and can
// damage what it returns.
type memCache struct {
	mu      sync.Mutex
	entries map[[sha256.Size]byte][]byte
	hits    int
	puts    int
	damage  func([]byte) []byte
}

func (m *memCache) Get(k [sha256.Size]byte) ([]byte, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.entries[k]
	if !ok {
		return nil, false
	}
	m.hits++
	if m.damage != nil {
		b = m.damage(append([]byte(nil), b...))
	}
	return b, true
}

func (m *memCache) Put(k [sha256.Size]byte, b []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.entries == nil {
		m.entries = map[[sha256.Size]byte][]byte{}
	}
	m.entries[k] = b
	m.puts++
	return nil
}

// mixedPlans is a plan set with something of everything a load can find:
// the bundled plans, a generated system with faults, every bad schema
// fixture filed as a plan, files refused before parsing, a file CUE must
// evaluate itself and a file that is not data.
func mixedPlans(t *testing.T) fstest.MapFS {
	t.Helper()
	fsys := testutil.RepoFS(t)
	for name, f := range testutil.EnglandFaultsFS(t, 2, 7, 0.5) {
		if strings.HasPrefix(name, "plans/2019-20/") {
			fsys[name] = f
		}
	}
	bad, err := filepath.Glob(filepath.Join(testutil.Root(t), "schema", "testdata", "bad", "*.cue"))
	if err != nil || len(bad) == 0 {
		t.Fatalf("no bad fixtures: %v", err)
	}
	for _, p := range bad {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		fsys["plans/2019-20/bad/"+filepath.Base(p)] = &fstest.MapFile{Data: b, Mode: 0o644}
	}
	for name, src := range map[string]string{
		"plans/2019-20/bad/merged.cue":    "kind: \"provider\"\norg: \"R0A\"\norg: \"R0A\"\n",
		"plans/2019-20/bad/conflict.cue":  "kind: \"provider\"\norg: \"R0A\"\norg: \"R0B\"\n",
		"plans/2019-20/bad/syntax.cue":    "kind: \"provider\"\norg: {\n",
		"plans/2019-20/bad/exponent.cue":  "kind: \"provider\"\nx: 5e3\n",
		"plans/2019-20/bad/reference.cue": "kind: \"provider\"\norg: kind\n",
		"plans/2019-20/notes.txt":         "not a plan",
	} {
		fsys[name] = &fstest.MapFile{Data: []byte(src), Mode: 0o644}
	}
	return fsys
}

var setOpts = cmp.Options{
	cmp.AllowUnexported(Set{}, position{}, refs{}, counterparty{}, source{}),
	cmpopts.EquateEmpty(),
	// A document compares by what it holds: its positions whether decoded
	// or still as the cache holds them, and no memo.
	cmp.Transformer("document", func(d *Document) docView {
		if d == nil {
			return docView{}
		}
		return docView{d.File, d.Kind, d.Org, d.Year, d.Data, d.Valid, d.positions(), d.refs}
	}),
	// Each file's result again by path for a later load.
	cmpopts.IgnoreFields(Set{}, "checked"),
}

// docView is what a Document holds, for comparing.
type docView struct {
	File, Kind, Org, Year string
	Data                  map[string]any
	Valid                 bool
	Index                 map[string]position
	Refs                  refs
}

// TestCachedLoadIsTheSame: a load from the cache gives the same set as a
// load without it, documents, positions, findings and digest alike, and
// evaluates nothing.
func TestCachedLoadIsTheSame(t *testing.T) {
	fsys := mixedPlans(t)
	s := loadTestSchema(t)
	want, err := s.Load(fsys, Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := &memCache{}
	salt := []byte("rules")
	for run := range 2 {
		got, err := s.Load(fsys, Options{Cache: c, CacheSalt: salt})
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(want, got, setOpts); d != "" {
			t.Fatalf("run %d: set differs from an uncached load (-want +got):\n%s", run, d)
		}
		if got.Digest() != want.Digest() {
			t.Errorf("run %d: digest differs", run)
		}
	}
	read := 0
	for name := range fsys {
		if strings.HasPrefix(name, "plans/") && strings.HasSuffix(name, ".cue") {
			read++
		}
	}
	if c.puts != read || c.hits != read {
		t.Errorf("%d files read: %d results stored and %d taken from the cache, want all of them", read, c.puts, c.hits)
	}
	// Another salt (other rules) shares nothing.
	before := c.hits
	if _, err := s.Load(fsys, Options{Cache: c, CacheSalt: []byte("other rules")}); err != nil {
		t.Fatal(err)
	}
	if c.hits != before {
		t.Errorf("%d results taken under other rules", c.hits-before)
	}
}

// TestDamagedResultsAreRecomputed: a stored result cut short anywhere, or
// given for another file, is not used: the file is checked again and the
// set is the same as without a cache.
func TestDamagedResultsAreRecomputed(t *testing.T) {
	fsys := fstest.MapFS{}
	for name, f := range mixedPlans(t) {
		if strings.HasPrefix(name, "plans/2019-20/providers/") || strings.HasPrefix(name, "plans/2019-20/bad/") || name == ReferenceListFile {
			fsys[name] = f
		}
	}
	s := loadTestSchema(t)
	want, err := s.Load(fsys, Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := &memCache{}
	if _, err := s.Load(fsys, Options{Cache: c, CacheSalt: nil}); err != nil {
		t.Fatal(err)
	}
	for _, cut := range []int{0, 1, 7, 100, 1000} {
		c.damage = func(b []byte) []byte { return b[:max(0, len(b)-1-cut*len(b)/1001)] }
		got, err := s.Load(fsys, Options{Cache: c})
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(want, got, setOpts); d != "" {
			t.Fatalf("cut %d: set differs (-want +got):\n%s", cut, d)
		}
	}
	// An entry cut short fails to decode, and none
	// decodes for another file.
	checked := 0
	for name, f := range fsys {
		b, ok := c.entries[fileKey(nil, name, sha256.Sum256(f.Data))]
		if !ok {
			continue
		}
		checked++
		// Every cut near either end, and a hundred between.
		for n := range len(b) {
			if n >= 64 && n < len(b)-64 && n%max(1, len(b)/100) != 0 {
				continue
			}
			if _, err := decodeChecked(b[:n], name); err == nil {
				t.Fatalf("%s: entry cut to %d of %d bytes decoded", name, n, len(b))
			}
		}
		if _, err := decodeChecked(b, name+".other"); err == nil {
			t.Fatalf("%s: entry decoded for another file", name)
		}
	}
	if checked != len(c.entries) {
		t.Errorf("checked %d entries of %d", checked, len(c.entries))
	}
}

// TestCheckPanics: a check that panics (a bug in the checker or in CUE on
// some input) neither ends the process nor passes the file: the file gets
// an S00 finding saying it was not judged, nothing is cached for it, and
// the next file checks as usual.
func TestCheckPanics(t *testing.T) {
	const bad = "plans/2019-20/providers/ra2.cue"
	src, err := fs.ReadFile(testutil.RepoFS(t), bad)
	if err != nil {
		t.Fatal(err)
	}
	testHookCheck = func(name string) {
		if name == bad {
			panic("index out of range [7] with length 7\ngoroutine 1 [running]:")
		}
	}
	defer func() { testHookCheck = nil }()
	s := loadTestSchema(t)
	doc, fs := s.CheckFile(bad, src)
	if doc != nil || len(fs) != 1 || fs[0].Rule != "S00" || fs[0].Severity != finding.Error ||
		!strings.Contains(fs[0].Message, "the checker failed on it (index out of range [7] with length 7); it is not judged") {
		t.Fatalf("CheckFile: doc %v, findings %+v", doc, fs)
	}
	if r, _ := s.checkFile(t0, bad, src, DefaultFileDeadline); cacheable(r) {
		t.Error("a panicked check is cacheable")
	}
	if doc, fs := s.CheckFile("plans/2019-20/providers/other.cue", src); doc == nil || len(fs) != 0 {
		t.Fatalf("the next file: doc %v, findings %+v", doc, fs)
	}
}

func loadTestSchema(t testing.TB) *Schema {
	t.Helper()
	s, err := LoadSchema(testutil.RepoFS(t))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var t0 = context.Background()

// FuzzDecodeChecked: no entry, however damaged, makes decoding panic or
// allocate beyond its size.
func FuzzDecodeChecked(f *testing.F) {
	s, err := LoadSchema(testutil.RepoFS(f))
	if err != nil {
		f.Fatal(err)
	}
	fsys := testutil.RepoFS(f)
	_ = fs.WalkDir(fsys, "plans", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		src, _ := fs.ReadFile(fsys, name)
		r, _ := s.checkFile(t0, name, src, DefaultFileDeadline)
		if b, err := encodeChecked(r); err == nil {
			f.Add(b)
		}
		return nil
	})
	f.Fuzz(func(t *testing.T, b []byte) {
		if r, err := decodeChecked(b, "plans/2019-20/providers/rtk.cue"); err == nil && r.doc != nil && r.doc.File != "plans/2019-20/providers/rtk.cue" {
			t.Fatal("decoded an entry for another file")
		}
	})
}

// idFS serves a MapFS whose directory entries name their files' bytes
// (ContentIDer), as a git tree does, and counts the files opened.
type idFS struct {
	fstest.MapFS
	opened map[string]int
}

type idEntry struct {
	fs.DirEntry
	id string
}

func (e idEntry) ContentID() string { return e.id }

func (f *idFS) Open(name string) (fs.File, error) {
	f.opened[name]++
	return f.MapFS.Open(name)
}

func (f *idFS) ReadFile(name string) ([]byte, error) {
	f.opened[name]++
	return f.MapFS.ReadFile(name)
}

func (f *idFS) ReadDir(name string) ([]fs.DirEntry, error) {
	es, err := f.MapFS.ReadDir(name)
	for i, e := range es {
		if file, ok := f.MapFS[path.Join(name, e.Name())]; ok && e.Type().IsRegular() {
			es[i] = idEntry{e, fmt.Sprintf("%x", sha256.Sum256(file.Data))}
		}
	}
	return es, err
}

// TestReuseByContentID: a load given an earlier one (Options.Reuse) over a
// file system that names each file's bytes opens only the files whose bytes
// changed, and gives the same set as a load from scratch; a file that
// became a link is judged as one, not reused.
func TestReuseByContentID(t *testing.T) {
	s := loadTestSchema(t)
	base := mixedPlans(t)
	head := fstest.MapFS{}
	for name, f := range base {
		head[name] = f
	}
	const changed = "plans/2019-20/providers/rtk.cue"
	head[changed] = &fstest.MapFile{Data: bytes.Replace(base[changed].Data, []byte("surplus:"), []byte("surplus: 1 + "), 1), Mode: 0o644}
	const linked = "plans/2019-20/providers/ra2.cue"
	head[linked] = &fstest.MapFile{Data: base[linked].Data, Mode: fs.ModeSymlink}
	prev, err := s.Load(&idFS{base, map[string]int{}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	hfs := &idFS{head, map[string]int{}}
	got, err := s.Load(hfs, Options{Reuse: prev})
	if err != nil {
		t.Fatal(err)
	}
	want, err := s.Load(head, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want, got, setOpts); d != "" {
		t.Fatalf("set differs from a load from scratch (-want +got):\n%s", d)
	}
	if got.Digest() != want.Digest() {
		t.Error("digest differs")
	}
	var opened []string
	for name := range hfs.opened {
		if strings.HasPrefix(name, "plans/") && name != "plans" && !strings.HasSuffix(name, "/") && hfs.MapFS[name] != nil {
			opened = append(opened, name)
		}
	}
	slices.Sort(opened)
	if d := cmp.Diff([]string{changed}, opened); d != "" {
		t.Errorf("files opened (-want +got):\n%s", d)
	}
	if !slices.ContainsFunc(got.Findings, func(f finding.Finding) bool { return f.File == linked && f.Rule == "S00" }) {
		t.Errorf("the link at %s was not refused", linked)
	}
}

// TestCachedByContentID: over a file system that names each file's bytes,
// a load whose results are cached reads no plan file at all and gives the
// same set as a load without a cache; a file whose result was lost from
// the cache is read and checked again, and one over the size limit is
// refused by its remembered size without being read.
func TestCachedByContentID(t *testing.T) {
	s := loadTestSchema(t)
	plans := mixedPlans(t)
	want, err := s.Load(plans, Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := &memCache{}
	salt := []byte("rules")
	planOpens := func(f *idFS) (n int) {
		for name, k := range f.opened {
			if f.MapFS[name] != nil && !f.MapFS[name].Mode.IsDir() && strings.HasPrefix(name, "plans/") && strings.HasSuffix(name, ".cue") {
				n += k
			}
		}
		return n
	}
	for run, wantOpens := range []int{-1, 0} {
		fsys := &idFS{plans, map[string]int{}}
		got, err := s.Load(fsys, Options{Cache: c, CacheSalt: salt})
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(want, got, setOpts); d != "" {
			t.Fatalf("run %d: set differs from an uncached load (-want +got):\n%s", run, d)
		}
		if got.Digest() != want.Digest() {
			t.Errorf("run %d: digest differs", run)
		}
		if n := planOpens(fsys); wantOpens >= 0 && n != wantOpens {
			t.Errorf("run %d: %d plan files read, want %d", run, n, wantOpens)
		}
	}

	// Results lost (a trim), what is known of the bytes kept.
	lost := 0
	for k, b := range c.entries {
		if len(b) != sha256.Size+8 {
			delete(c.entries, k)
			lost++
		}
	}
	fsys := &idFS{plans, map[string]int{}}
	got, err := s.Load(fsys, Options{Cache: c, CacheSalt: salt})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want, got, setOpts); d != "" {
		t.Fatalf("results lost: set differs (-want +got):\n%s", d)
	}
	if n := planOpens(fsys); n == 0 || lost == 0 {
		t.Errorf("results lost: %d plan files read after %d results were lost", n, lost)
	}

	// A smaller size limit: the largest plan is refused by its known size.
	const big = "plans/2019-20/providers/rtk.cue"
	limit := int64(len(plans[big].Data) - 1)
	small, err := s.Load(plans, Options{MaxFileSize: limit})
	if err != nil {
		t.Fatal(err)
	}
	fsys = &idFS{plans, map[string]int{}}
	got, err = s.Load(fsys, Options{Cache: c, CacheSalt: salt, MaxFileSize: limit})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(small, got, setOpts); d != "" {
		t.Fatalf("size limit: set differs (-want +got):\n%s", d)
	}
	if fsys.opened[big] != 0 {
		t.Errorf("%s read though its size was known to be over the limit", big)
	}
}
