package gitrepo

import (
	"context"
	"errors"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/memory"
)

// history commits each tree in turn on main, in memory storage, straight
// as git objects: no work tree, so a test can commit a file of millions of
// lines in milliseconds. A tree maps each file's path to its contents.
func history(t testing.TB, trees ...map[string]string) *Repo {
	t.Helper()
	st := memory.NewStorage()
	var parent []plumbing.Hash
	for i, files := range trees {
		root := writeTree(t, st, files, "")
		when := time.Date(2019, 3, 1, 9, i, 0, 0, time.UTC)
		sig := object.Signature{Name: "planner", Email: "planner@nhs.test", When: when}
		c := &object.Commit{Author: sig, Committer: sig, Message: "step " + strconv.Itoa(i), TreeHash: root, ParentHashes: parent}
		parent = []plumbing.Hash{store(t, st, c)}
	}
	if err := st.SetReference(plumbing.NewHashReference(plumbing.Main, parent[0])); err != nil {
		t.Fatal(err)
	}
	if err := st.SetReference(plumbing.NewSymbolicReference(plumbing.HEAD, plumbing.Main)); err != nil {
		t.Fatal(err)
	}
	r, err := git.Open(st, nil)
	if err != nil {
		t.Fatal(err)
	}
	return Wrap(r)
}

// writeTree stores the files under dir (dir itself, its subfolders through
// recursion) and returns the tree's hash.
func writeTree(t testing.TB, st *memory.Storage, files map[string]string, dir string) plumbing.Hash {
	t.Helper()
	var entries []object.TreeEntry
	subdirs := map[string]bool{}
	for p, data := range files {
		rest, ok := strings.CutPrefix(p, dir)
		if !ok {
			continue
		}
		if sub, _, nested := strings.Cut(rest, "/"); nested {
			subdirs[sub] = true
			continue
		}
		blob := st.NewEncodedObject()
		blob.SetType(plumbing.BlobObject)
		w, err := blob.Writer()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(data)); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		h, err := st.SetEncodedObject(blob)
		if err != nil {
			t.Fatal(err)
		}
		entries = append(entries, object.TreeEntry{Name: rest, Mode: filemode.Regular, Hash: h})
	}
	for sub := range subdirs {
		entries = append(entries, object.TreeEntry{Name: sub, Mode: filemode.Dir, Hash: writeTree(t, st, files, dir+sub+"/")})
	}
	sort.Sort(object.TreeEntrySorter(entries))
	return store(t, st, &object.Tree{Entries: entries})
}

func store(t testing.TB, st *memory.Storage, o interface {
	Encode(plumbing.EncodedObject) error
}) plumbing.Hash {
	t.Helper()
	obj := st.NewEncodedObject()
	if err := o.Encode(obj); err != nil {
		t.Fatal(err)
	}
	h, err := st.SetEncodedObject(obj)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// changesOf diffs main~1..main.
func changesOf(t testing.TB, r *Repo) []FileChange {
	t.Helper()
	base, err := r.Resolve("main~1")
	if err != nil {
		t.Fatal(err)
	}
	head, err := r.Resolve("main")
	if err != nil {
		t.Fatal(err)
	}
	changes, err := r.Changes(t.Context(), base, head)
	if err != nil {
		t.Fatal(err)
	}
	return changes
}

// numbered is n distinct lines, each ending in a newline.
func numbered(n int) string {
	b := make([]byte, 0, n*8)
	for i := range n {
		b = append(b, "l "...)
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, '\n')
	}
	return string(b)
}

const plan = "plans/2019-20/providers/rtk.cue"

// planBefore and planAfter differ on line 2 only.
var (
	planBefore = "organisation: \"RTK\"\nsystem: \"QXU\"\nyear: \"2019-20\"\n"
	planAfter  = "organisation: \"RTK\"\nsystem: \"QX\"\nyear: \"2019-20\"\n"
)

// TestHugeFileBesidePlan is the row: a pull request adding a file of
// 1.12 million distinct lines outside the plans made go-git's diff panic
// (exit 2, no status). The file is listed and not read, and the plan beside
// it is still diffed, well under a second.
func TestHugeFileBesidePlan(t *testing.T) {
	huge := numbered(1_120_000)
	tests := []struct {
		name    string
		path    string
		wantErr error
	}{
		{"outside the reviewed files", "docs/exports/all.csv", ErrNotReviewed},
		{"as a plan", "plans/2019-20/providers/huge.cue", ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := history(t,
				map[string]string{plan: planBefore},
				map[string]string{plan: planAfter, tt.path: huge})
			start := time.Now()
			changes := changesOf(t, r)
			if d := time.Since(start); d > time.Second {
				t.Errorf("diff took %v, want under 1s", d)
			}
			byPath := map[string]FileChange{}
			for _, c := range changes {
				byPath[c.Path()] = c
			}
			big, p := byPath[tt.path], byPath[plan]
			if !errors.Is(big.NotDiffed, tt.wantErr) || big.Added != nil {
				t.Errorf("%s: NotDiffed %v, %d added lines; want %v and none", tt.path, big.NotDiffed, len(big.Added), tt.wantErr)
			}
			if p.NotDiffed != nil || !slices.Equal(p.Added, []int{2}) || !p.Commentable(1) || !p.Commentable(3) {
				t.Errorf("plan: NotDiffed %v, added %v; want line 2 added, lines 1-3 commentable", p.NotDiffed, p.Added)
			}
		})
	}
}

func TestChangesCaps(t *testing.T) {
	// lines of 1023 bytes and a newline: MaxDiffBytes exactly in 1,024 lines.
	atBytes := strings.Repeat(strings.Repeat("x", 1023)+"\n", MaxDiffBytes/1024)
	tests := []struct {
		name      string
		before    string // "" for an added file
		after     string
		wantErr   error
		wantAdded int
	}{
		{"bytes at the limit", "", atBytes, nil, MaxDiffBytes / 1024},
		{"bytes one past", "", atBytes + "y", ErrTooLarge, 0},
		{"lines at the limit", "", strings.Repeat("\n", MaxDiffLines), nil, MaxDiffLines},
		{"lines at the limit, last without newline", "", strings.Repeat("\n", MaxDiffLines-1) + "z", nil, MaxDiffLines},
		{"lines one past", "", strings.Repeat("\n", MaxDiffLines) + "z", ErrTooLarge, 0},
		{"old side too large", strings.Repeat("\n", MaxDiffLines+1), "a\n", ErrTooLarge, 0},
		{"old side too large in bytes", atBytes + "y", "a\n", ErrTooLarge, 0},
		{"binary", "", "PNG\x00\x01\x02\n", ErrNotText, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const p = "plans/2019-20/providers/x.cue"
			first := map[string]string{plan: planBefore}
			if tt.before != "" {
				first[p] = tt.before
			}
			r := history(t, first, map[string]string{plan: planBefore, p: tt.after})
			changes := changesOf(t, r)
			if len(changes) != 1 || changes[0].Path() != p {
				t.Fatalf("changes %+v, want %s alone", changes, p)
			}
			c := changes[0]
			if !errors.Is(c.NotDiffed, tt.wantErr) || (tt.wantErr == nil) != (c.NotDiffed == nil) {
				t.Errorf("NotDiffed = %v, want %v", c.NotDiffed, tt.wantErr)
			}
			if len(c.Added) != tt.wantAdded {
				t.Errorf("%d added lines, want %d", len(c.Added), tt.wantAdded)
			}
			if c.NotDiffed != nil && !strings.HasPrefix(c.NotDiffed.Error(), "diff "+p+": ") {
				t.Errorf("message %q does not name the file", c.NotDiffed)
			}
		})
	}
}

func TestChangesDiffOnlyReviewedFiles(t *testing.T) {
	files := []string{
		plan,
		"plans/2019-20/notes.md",
		"schema/plan.cue",
		"policy/a01/a01.rego",
		"policy/register/2019-20.cue",
		"policy/waivers/2019-20.cue",
		"cue.mod/module.cue",
		".github/CODEOWNERS",
		"CODEOWNERS",
		"docs/CODEOWNERS",
		"README.md",
		"docs/guide.md",
		".github/workflows/review.yml",
		"planssss/x.cue",
		"internal/plan/load.go",
	}
	first, second := map[string]string{}, map[string]string{}
	for _, f := range files {
		first[f] = "one\n"
		second[f] = "one\ntwo\n"
	}
	// A rename out of the reviewed files, and one into them.
	first["plans/2019-20/moved-out.cue"] = numbered(50)
	second["docs/moved-out.cue"] = numbered(50) + "new\n"
	other := strings.ReplaceAll(numbered(50), "l ", "m ")
	first["docs/moved-in.cue"] = other
	second["plans/2019-20/moved-in.cue"] = other + "new\n"
	// Deleted: nothing to read on the new side.
	first["plans/2019-20/gone.cue"] = "x\n"
	first["docs/gone.md"] = "x\n"

	r := history(t, first, second)
	got := map[string]string{}
	for _, c := range changesOf(t, r) {
		state := "diffed " + strconv.Itoa(len(c.Added))
		switch {
		case errors.Is(c.NotDiffed, ErrNotReviewed):
			state = "not reviewed"
		case c.NotDiffed != nil:
			state = c.NotDiffed.Error()
		case c.To == "":
			state = "deleted"
		}
		got[c.From+" -> "+c.To] = state
	}
	want := map[string]string{
		"plans/2019-20/moved-out.cue -> docs/moved-out.cue": "not reviewed",
		"docs/moved-in.cue -> plans/2019-20/moved-in.cue":   "diffed 1",
		"plans/2019-20/gone.cue -> ":                        "deleted",
		"docs/gone.md -> ":                                  "deleted",
	}
	for _, f := range files {
		want[f+" -> "+f] = "diffed 1"
	}
	for _, f := range []string{"README.md", "docs/guide.md", ".github/workflows/review.yml", "planssss/x.cue", "internal/plan/load.go"} {
		want[f+" -> "+f] = "not reviewed"
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %q, want %q", k, got[k], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d changes, want %d: %v", len(got), len(want), got)
	}
}

// TestChangesRecoversDiffPanic stands in for go-git's diff panicking (as it
// does past about 1.11 million distinct lines, which the caps keep out): the
// file it panics on is marked, and the others are still diffed.
func TestChangesRecoversDiffPanic(t *testing.T) {
	r := history(t,
		map[string]string{plan: planBefore, "plans/b.cue": "a\n"},
		map[string]string{plan: planAfter, "plans/b.cue": "b\n"})
	patch := r.patch
	r.patch = func(ctx context.Context, c *object.Change) (*object.Patch, error) {
		if c.To.Name == "plans/b.cue" {
			panic("Error encoding an int 1 with size 4")
		}
		return patch(ctx, c)
	}
	changes := changesOf(t, r)
	if len(changes) != 2 {
		t.Fatalf("%d changes, want 2", len(changes))
	}
	p, b := changes[0], changes[1]
	if !errors.Is(b.NotDiffed, ErrDiffFailed) || !strings.Contains(b.NotDiffed.Error(), "Error encoding") || b.Added != nil {
		t.Errorf("plans/b.cue: NotDiffed %v, added %v; want the recovered panic and no lines", b.NotDiffed, b.Added)
	}
	if p.NotDiffed != nil || !slices.Equal(p.Added, []int{2}) {
		t.Errorf("plan: NotDiffed %v, added %v; want line 2", p.NotDiffed, p.Added)
	}
}

func TestChangesStopsWhenContextEnds(t *testing.T) {
	r := history(t, map[string]string{plan: planBefore}, map[string]string{plan: planAfter})
	base, _ := r.Resolve("main~1")
	head, _ := r.Resolve("main")
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := r.Changes(ctx, base, head); !errors.Is(err, context.Canceled) {
		t.Errorf("Changes on a cancelled context: %v, want context.Canceled", err)
	}
	if _, err := r.Changes(t.Context(), Commit{}, head); err == nil {
		t.Error("Changes from a zero Commit succeeded")
	}
}

func TestReviewed(t *testing.T) {
	tests := map[string]bool{
		"plans/2019-20/providers/rtk.cue": true,
		"schema/plan.cue":                 true,
		"policy/register/2019-20.cue":     true,
		"policy/waivers/2019-20.cue":      true,
		"cue.mod/module.cue":              true,
		".github/CODEOWNERS":              true,
		"CODEOWNERS":                      true,
		"docs/CODEOWNERS":                 true,
		"plans":                           false, // a file named like the folder
		"plansx/a.cue":                    false,
		".github/workflows/ci.yml":        false,
		"docs/CODEOWNERS.md":              false,
		"README.md":                       false,
		"internal/plans/a":                false,
	}
	for p, want := range tests {
		if got := Reviewed(p); got != want {
			t.Errorf("Reviewed(%q) = %v, want %v", p, got, want)
		}
	}
}

func TestRenameCandidates(t *testing.T) {
	tests := []struct {
		name        string
		deleted     int // files deleted, the renamed one included
		wantRename  bool
		wantChanges int
	}{
		{"at the limit", MaxRenameCandidates, true, MaxRenameCandidates},
		{"one past: only exact renames", MaxRenameCandidates + 1, false, MaxRenameCandidates + 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const from, to = "plans/2019-20/old.cue", "plans/2019-20/new.cue"
			first := map[string]string{from: numbered(50)}
			for i := range tt.deleted - 1 {
				first["docs/old/"+strconv.Itoa(i)] = "doc " + strconv.Itoa(i) + "\n"
			}
			// Edited as well as moved, so only a comparison of contents
			// finds the rename.
			changes := changesOf(t, history(t, first, map[string]string{to: numbered(50) + "new\n"}))
			renamed := slices.ContainsFunc(changes, func(c FileChange) bool { return c.From == from && c.To == to })
			if renamed != tt.wantRename {
				t.Errorf("rename found: %v, want %v", renamed, tt.wantRename)
			}
			if len(changes) != tt.wantChanges {
				t.Errorf("%d changes, want %d", len(changes), tt.wantChanges)
			}
		})
	}
}
