package gitrepo_test

import (
	"fmt"
	"io/fs"
	"runtime"
	"strings"
	"testing"

	"github.com/triangulate-nhs/triangulate/internal/gitrepo"
	"github.com/triangulate-nhs/triangulate/internal/plan"
	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

// memRepo is the shipped repository in memory, with each later step
// committed in turn on main.
func memRepo(t *testing.T, later ...func(g *testutil.Git)) *gitrepo.Repo {
	t.Helper()
	g := testutil.NewGit(t)
	for _, step := range later {
		step(g)
		g.Commit("change")
	}
	return gitrepo.Wrap(g.Repo)
}

func TestLoadFromRefs(t *testing.T) {
	repo := memRepo(t, func(g *testutil.Git) {
		g.Replace("plans/2019-20/providers/rtk.cue", `system:    "QXU"`, `system:    "QX"`)
	})
	tests := []struct {
		ref      string
		findings int
	}{
		{"main~1", 0},
		{"main", 1},
		{"HEAD", 1},
	}
	for _, tc := range tests {
		t.Run(tc.ref, func(t *testing.T) {
			c, err := repo.Resolve(tc.ref)
			if err != nil {
				t.Fatal(err)
			}
			fsys, err := c.FS()
			if err != nil {
				t.Fatal(err)
			}
			s, err := plan.LoadSchema(fsys)
			if err != nil {
				t.Fatal(err)
			}
			set, err := s.Load(fsys, plan.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(set.Findings) != tc.findings {
				t.Fatalf("%d findings, want %d: %+v", len(set.Findings), tc.findings, set.Findings)
			}
			if len(set.Documents) != 9 {
				t.Errorf("%d documents, want 9", len(set.Documents))
			}
			if tc.findings == 1 {
				f := set.Findings[0]
				if f.File != "plans/2019-20/providers/rtk.cue" || f.Rule != "S01" || f.Line != 14 {
					t.Errorf("finding %s %s:%d, want S01 at rtk.cue:14", f.Rule, f.File, f.Line)
				}
			}
		})
	}
	if _, err := repo.Resolve("no-such-branch"); err == nil {
		t.Error("unknown ref resolved")
	}
	if _, err := (gitrepo.Commit{}).FS(); err == nil {
		t.Error("a zero Commit has files")
	}
}

func TestSymlinkInTreeIsRejected(t *testing.T) {
	repo := memRepo(t, func(g *testutil.Git) {
		if err := g.FS.Symlink("/etc/passwd", "plans/2019-20/evil.cue"); err != nil {
			t.Fatal(err)
		}
		g.Stage("plans/2019-20/evil.cue")
	})
	c, err := repo.Resolve("main")
	if err != nil {
		t.Fatal(err)
	}
	fsys, err := c.FS()
	if err != nil {
		t.Fatal(err)
	}
	if err := fstestCheck(fsys); err != nil {
		t.Fatal(err)
	}
	s, err := plan.LoadSchema(fsys)
	if err != nil {
		t.Fatal(err)
	}
	set, err := s.Load(fsys, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Findings) != 1 || set.Findings[0].Rule != "S00" || !strings.Contains(set.Findings[0].Message, "symbolic links") {
		t.Fatalf("findings %+v, want one S00 about symbolic links", set.Findings)
	}
}

// fstestCheck walks the whole tree, reading every regular file, as a
// sanity check of the fs.FS adapter.
func fstestCheck(fsys fs.FS) error {
	return fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !d.Type().IsRegular() {
			return err
		}
		_, err = fs.ReadFile(fsys, p)
		return err
	})
}

func TestDiff(t *testing.T) {
	rtk := string(testutil.RepoFS(t)["plans/2019-20/providers/rtk.cue"].Data)
	lines := strings.Split(rtk, "\n")
	repo := memRepo(t, func(g *testutil.Git) {
		changed := append([]string(nil), lines...)
		changed[13] = strings.Replace(changed[13], "QXU", "QX", 1) // line 14
		changed = append(changed[:40], changed[41:]...)            // delete line 41
		g.Write("plans/2019-20/providers/rtk.cue", strings.Join(changed, "\n"))
		g.Write("plans/2019-20/notes.md", "new file\nsecond line\n")
	})
	head, err := repo.Resolve("main")
	if err != nil {
		t.Fatal(err)
	}
	base, err := repo.Resolve("main~1")
	if err != nil {
		t.Fatal(err)
	}
	mb, err := base.MergeBase(head)
	if err != nil || mb.Hash != base.Hash {
		t.Fatalf("merge base = %v, %v; want main~1", mb.Hash, err)
	}
	changes, err := repo.Changes(t.Context(), base, head)
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 2 {
		t.Fatalf("%d changes, want 2: %+v", len(changes), changes)
	}
	notes, rtkc := changes[0], changes[1]
	if notes.From != "" || notes.To != "plans/2019-20/notes.md" || len(notes.Added) != 2 {
		t.Errorf("notes change = %+v", notes)
	}
	if rtkc.Path() != "plans/2019-20/providers/rtk.cue" || len(rtkc.Added) != 1 || rtkc.Added[0] != 14 {
		t.Errorf("rtk change added %v, want [14]", rtkc.Added)
	}
	for line, want := range map[int]bool{10: false, 11: true, 14: true, 17: true, 18: false, 37: false, 38: true, 40: true, 43: true, 44: false} {
		if got := rtkc.Commentable(line); got != want {
			t.Errorf("Commentable(%d) = %v, want %v", line, got, want)
		}
	}
}

// committed commits on main, in a repository on disk, the shipped files and
// what files writes (each file its chunks in turn, so a large one need not
// be held whole), and returns main's files as the repository gives them, and
// their schema.
func committed(t *testing.T, files func(write func(name string, chunks ...[]byte))) (fs.FS, *plan.Schema) {
	t.Helper()
	g, dir := testutil.NewGitDir(t)
	files(func(name string, chunks ...[]byte) {
		f, err := g.FS.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range chunks {
			if _, err := f.Write(c); err != nil {
				t.Fatal(err)
			}
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		g.Stage(name)
	})
	g.Commit("large files")
	repo, err := gitrepo.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	c, err := repo.Resolve("main")
	if err != nil {
		t.Fatal(err)
	}
	fsys, err := c.FS()
	if err != nil {
		t.Fatal(err)
	}
	s, err := plan.LoadSchema(fsys)
	if err != nil {
		t.Fatal(err)
	}
	return fsys, s
}

// TestCompressedBombIsNotInflated: a blob compresses, so a pushed file of
// 80 MB of zeros is tens of kilobytes in git. Listing it, learning its
// size and loading the commit never inflate it into memory (the loader
// refuses it by size), and opening it is refused over MaxBlobRead.
func TestCompressedBombIsNotInflated(t *testing.T) {
	const bomb = "plans/2019-20/providers/zz.cue"
	const size = 80 << 20
	fsys, s := committed(t, func(write func(name string, chunks ...[]byte)) {
		zeros := make([]byte, 1<<20)
		chunks := make([][]byte, size>>20)
		for i := range chunks {
			chunks[i] = zeros
		}
		write(bomb, chunks...)
	})
	allocated := func(f func()) uint64 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		f()
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	var info fs.FileInfo
	var err error
	if n := allocated(func() { info, err = fs.Stat(fsys, bomb) }); err != nil || info.Size() != size || n > 4<<20 {
		t.Fatalf("stat: %v, size %d, allocated %d bytes", err, info.Size(), n)
	}
	var set *plan.Set
	if n := allocated(func() { set, err = s.Load(fsys, plan.Options{}) }); err != nil || n > 64<<20 {
		t.Fatalf("load: %v, allocated %d bytes", err, n)
	}
	if len(set.Findings) != 1 || set.Findings[0].File != bomb || !strings.Contains(set.Findings[0].Message, "over the 1048576-byte limit") {
		t.Errorf("findings %+v, want the bomb refused by size", set.Findings)
	}
	_, err = fsys.Open(bomb)
	if err == nil || !strings.Contains(err.Error(), "file is 83886080 bytes, over the 67108864-byte limit of what is read from a commit") {
		t.Errorf("open: %v", err)
	}
}

// TestRefusedFilesAreNotKept: files a load stats and refuses for their size
// are not held in memory afterwards, however many: only the one file just
// stat'ed is kept for its open.
func TestRefusedFilesAreNotKept(t *testing.T) {
	if testing.Short() {
		t.Skip("commits 120 MiB")
	}
	// More than go-git's object cache holds (96 MiB), each file under the
	// lazy-object threshold, so each is inflated when stat'ed.
	const n, size = 40, 3 << 20
	fsys, s := committed(t, func(write func(name string, chunks ...[]byte)) {
		for i := range n {
			data := make([]byte, size)
			data[0] = byte(i) // distinct blobs
			write(fmt.Sprintf("plans/2019-20/providers/z%02d.cue", i), data)
		}
	})
	live := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	before := live()
	set, err := s.Load(fsys, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	refused := 0
	for _, f := range set.Findings {
		if strings.Contains(f.Message, "over the 1048576-byte limit") {
			refused++
		}
	}
	if refused != n {
		t.Fatalf("%d files refused for their size, want %d", refused, n)
	}
	// go-git's own object cache keeps what it keeps (96 MiB at most);
	// the tree must add no file per refusal on top of it.
	if grown := int64(live()) - int64(before); grown > 104<<20 {
		t.Errorf("%d MiB still live after refusing %d files of %d MiB", grown>>20, n, size>>20)
	}
	runtime.KeepAlive(fsys)
}
