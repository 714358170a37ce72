package ledger_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/google/go-cmp/cmp"

	"github.com/triangulate-nhs/triangulate/internal/cache"
	"github.com/triangulate-nhs/triangulate/internal/gitrepo"
	"github.com/triangulate-nhs/triangulate/internal/ledger"
	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

const rtk = "plans/2019-20/providers/rtk.cue"

// history is testutil.SubmissionHistory: RTK v1 final on time, v2 a draft
// (late, A01) merged from pull request #5, v3 final again after the
// deadline (squashed #7); 99K added to the reference list and never
// submitting.
func history(t *testing.T) (*testutil.Git, []string) {
	t.Helper()
	g := testutil.NewGit(t)
	return g, testutil.SubmissionHistory(g)
}

func read(t *testing.T, g *testutil.Git, opts ledger.Options) *ledger.Ledger {
	t.Helper()
	opts.Version = "test"
	l, err := ledger.Read(context.Background(), gitrepo.Wrap(g.Repo), opts)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// openCache opens the cache in dir as a separate run would.
func openCache(t *testing.T, dir string) *cache.Cache {
	t.Helper()
	c, err := cache.Open(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func entry(t *testing.T, l *ledger.Ledger, year, org string) ledger.Entry {
	t.Helper()
	for _, e := range l.Entries {
		if e.Year == year && e.Org == org {
			return e
		}
	}
	t.Fatalf("no entry for %s %s in %+v", year, org, l.Entries)
	return ledger.Entry{}
}

func TestLedger(t *testing.T) {
	g, shas := history(t)
	l := read(t, g, ledger.Options{AsOf: time.Date(2019, 6, 1, 0, 0, 0, 0, time.UTC)})

	r := entry(t, l, "2019/20", "RTK")
	type want struct {
		commit, status, timeliness string
		pr                         int
		submittable                bool
		rule                       string
	}
	wants := []want{
		{shas[0], "final", ledger.OnTime, 0, true, ""},
		{shas[1], "draft", ledger.Late, 5, false, "A01"},
		{shas[3], "final", ledger.Late, 7, false, "A06"},
	}
	if len(r.Versions) != len(wants) {
		t.Fatalf("RTK has %d versions, want %d: %+v", len(r.Versions), len(wants), r.Versions)
	}
	for i, w := range wants {
		v := r.Versions[i]
		if v.N != i+1 || v.Commit != w.commit || v.Status != w.status || v.Timeliness != w.timeliness || v.PR != w.pr ||
			v.Gate.Submittable != w.submittable || (w.rule != "" && !slices.Contains(v.Gate.Rules, w.rule)) || v.File != rtk {
			t.Errorf("RTK v%d = %+v, want %+v", i+1, v, w)
		}
		if tag := ledger.TagName("2019/20", "RTK", i+1); v.Tag != tag {
			t.Errorf("RTK v%d tag %q, want %q", i+1, v.Tag, tag)
		}
	}
	if r.Versions[1].Deadline != "2019-02-12" || r.Versions[2].Deadline != "2019-04-04" {
		t.Errorf("deadlines %q, %q", r.Versions[1].Deadline, r.Versions[2].Deadline)
	}
	// The first submission, final on 1 March, is after the draft deadline:
	// the draft is late, the final on time; the latest version, a final
	// whose contract status with 09N disagrees with 09N's, is not
	// submittable.
	if r.Draft != ledger.Late || r.Final != ledger.OnTime || r.Submittable {
		t.Errorf("RTK draft %s final %s submittable %v", r.Draft, r.Final, r.Submittable)
	}
	// 09Y's plan never changed after v1; the A01 that RTK's v2 raised
	// involves it but is not a submission of it.
	if y := entry(t, l, "2019/20", "09Y"); len(y.Versions) != 1 {
		t.Errorf("09Y versions %+v", y.Versions)
	}
	k := entry(t, l, "2019/20", "99K")
	if len(k.Versions) != 0 || k.Draft != ledger.Missing || k.Final != ledger.Missing || k.Submittable {
		t.Errorf("99K = %+v, want missing", k)
	}
	if got := len(l.Entries); got != 8 {
		t.Errorf("%d entries, want 8 (7 organisations with plans and 99K)", got)
	}
	// Three commits changed plans; the README edit and the reference-list
	// change are not submissions, but the gate is also run at the tip.
	if l.Computed != 4 || l.Cached != 0 || l.At != shas[4] {
		t.Errorf("computed %d cached %d at %s, want 4 and 0 at the tip", l.Computed, l.Cached, l.At)
	}
	if !slices.Equal(r.Now.Rules, []string{"A06"}) {
		t.Errorf("RTK now %+v, want blocked by A06", r.Now)
	}

	// 09N's plan follows RTK into dispute, merged from pull request #9:
	// 09N's second version, late, and RTK now submittable though its own
	// last version was not when it landed.
	g.SetClock(time.Date(2019, 4, 20, 10, 0, 0, 0, time.UTC))
	g.Branch("09n-dispute")
	g.Replace("plans/2019-20/commissioners/09n.cue", `status: {state: "signed", date: "2019-03-21"}`, `status: {state: "in_dispute", date: "2019-04-09"}`)
	pr := g.Commit("09N: RTK contract in dispute")
	g.Checkout("main")
	g.Replace("plans/2019-20/commissioners/09n.cue", `status: {state: "signed", date: "2019-03-21"}`, `status: {state: "in_dispute", date: "2019-04-09"}`)
	merge := g.CommitMerge("Merge pull request #9 from 09n/dispute", pr)
	l = read(t, g, ledger.Options{AsOf: time.Date(2019, 6, 1, 0, 0, 0, 0, time.UTC)})
	n := entry(t, l, "2019/20", "09N")
	if len(n.Versions) != 2 || n.Versions[1].Commit != merge || n.Versions[1].PR != 9 || n.Versions[1].Timeliness != ledger.Late || !n.Versions[1].Gate.Submittable {
		t.Errorf("09N after #9: %+v", n.Versions)
	}
	if r := entry(t, l, "2019/20", "RTK"); r.Submittable || !r.Now.Submittable || len(r.Versions) != 3 {
		t.Errorf("RTK after #9: last version submittable %v, now %+v", r.Submittable, r.Now)
	}
}

// TestLedgerAsOf: before the final deadline nothing is missing yet, and
// commits after the date are not yet submitted.
func TestLedgerAsOf(t *testing.T) {
	g, _ := history(t)
	l := read(t, g, ledger.Options{AsOf: time.Date(2019, 3, 22, 0, 0, 0, 0, time.UTC), Org: "rtk", Year: "2019-20"})
	if len(l.Entries) != 1 {
		t.Fatalf("entries %+v, want RTK alone", l.Entries)
	}
	r := l.Entries[0]
	if len(r.Versions) != 2 || r.Submittable {
		t.Errorf("RTK as of 22 March: %+v", r)
	}
	k := read(t, g, ledger.Options{AsOf: time.Date(2019, 3, 22, 0, 0, 0, 0, time.UTC), Org: "99K"}).Entries[0]
	if k.Final != ledger.Due || k.Draft != ledger.Missing {
		t.Errorf("99K as of 22 March: draft %s final %s, want missing and due", k.Draft, k.Final)
	}
}

func TestLedgerTags(t *testing.T) {
	g, shas := history(t)
	// v1 is tagged already; a v2 tag someone pointed at the wrong commit
	// is reported and left alone.
	for name, sha := range map[string]string{"submission/2019-20/RTK/v1": shas[0], "submission/2019-20/RTK/v2": shas[0]} {
		if _, err := g.Repo.CreateTag(name, plumbing.NewHash(sha), nil); err != nil {
			t.Fatal(err)
		}
	}
	l := read(t, g, ledger.Options{Org: "RTK"})
	missing, conflicts := l.MissingTags()
	if len(missing) != 1 || missing[0] != (ledger.Tag{Name: "submission/2019-20/RTK/v3", Commit: shas[3]}) {
		t.Errorf("missing %+v", missing)
	}
	if len(conflicts) != 1 || conflicts[0] != (ledger.Tag{Name: "submission/2019-20/RTK/v2", Commit: shas[0]}) {
		t.Errorf("conflicts %+v", conflicts)
	}
	if all := l.Tags(); len(all) != 3 {
		t.Errorf("tags %+v", all)
	}
	// Knowing which tags to create needs no check at all.
	quick := read(t, g, ledger.Options{Org: "RTK", NoGates: true})
	if m, c := quick.MissingTags(); quick.Computed+quick.Cached != 0 || !slices.Equal(m, missing) || !slices.Equal(c, conflicts) {
		t.Errorf("without gates: %d checks, missing %+v, conflicts %+v", quick.Computed+quick.Cached, m, c)
	}
	// A submission tag resolves like any ref, so diff can compare two.
	c, err := gitrepo.Wrap(g.Repo).Resolve("submission/2019-20/RTK/v1")
	if err != nil || c.Hash != shas[0] {
		t.Errorf("resolve tag: %v %v", c.Hash, err)
	}
}

func TestLedgerCache(t *testing.T) {
	g, _ := history(t)
	dir := t.TempDir()
	first := read(t, g, ledger.Options{Cache: openCache(t, dir)})
	again := read(t, g, ledger.Options{Cache: openCache(t, dir)})
	if again.Computed != 0 || again.Cached != 4 {
		t.Errorf("second run computed %d cached %d, want 0 and 4", again.Computed, again.Cached)
	}
	if a, b := first.Entries, again.Entries; !slices.EqualFunc(a, b, func(x, y ledger.Entry) bool {
		return x.Submittable == y.Submittable && len(x.Versions) == len(y.Versions)
	}) {
		t.Errorf("cached ledger differs")
	}
	files, _ := filepath.Glob(filepath.Join(openCache(t, dir).Dir(), "*"))
	if len(files) != 4 {
		t.Fatalf("cache holds %d entries, want 4", len(files))
	}
	// One entry truncated, one with a result edited to pass (still valid
	// JSON: only the checksum tells), and one replaced by another commit's
	// entry: each is recomputed, and only the fourth is read.
	truncated, edited, foreign := "", "", ""
	for i, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case edited == "" && bytes.Contains(b, []byte(`"submittable":false`)):
			edited = f
			b = bytes.Replace(b, []byte(`"submittable":false`), []byte(`"submittable":true`), 1)
		case truncated == "":
			truncated = f
			b = b[:len(b)/2]
		case foreign == "":
			foreign = f
			if b, err = os.ReadFile(files[(i+1)%len(files)]); err != nil {
				t.Fatal(err)
			}
		default:
			continue
		}
		if err := os.WriteFile(f, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if truncated == "" || edited == "" || foreign == "" {
		t.Fatal("no entry to damage")
	}
	if l := read(t, g, ledger.Options{Cache: openCache(t, dir)}); l.Computed != 3 || l.Cached != 1 {
		t.Errorf("after damage computed %d cached %d, want 3 and 1", l.Computed, l.Cached)
	}
	if l := read(t, g, ledger.Options{Cache: openCache(t, dir)}); l.Computed != 0 || l.Cached != 4 {
		t.Errorf("damaged entries not rewritten: computed %d cached %d, want 0 and 4", l.Computed, l.Cached)
	}
	// Another version of the rules never reads these entries.
	l, err := ledger.Read(context.Background(), gitrepo.Wrap(g.Repo), ledger.Options{Cache: openCache(t, dir), Version: "other"})
	if err != nil || l.Computed != 4 {
		t.Errorf("other version computed %d (%v), want 4", l.Computed, err)
	}
	// Without a cache every result is computed.
	if l := read(t, g, ledger.Options{}); l.Computed != 4 || l.Cached != 0 {
		t.Errorf("without a cache computed %d cached %d, want 4 and 0", l.Computed, l.Cached)
	}
}

func TestLedgerRefusals(t *testing.T) {
	g, _ := history(t)
	repo := gitrepo.Wrap(g.Repo)
	tests := []struct {
		name string
		opts ledger.Options
		want string
	}{
		{"unknown ref", ledger.Options{Ref: "no-such-branch"}, "no-such-branch"},
		{"malformed year", ledger.Options{Year: "2019"}, `year "2019"`},
		{"unknown organisation", ledger.Options{Org: "RZZ"}, `"RZZ": not in the reference list`},
		{"no year matches", ledger.Options{Year: "2030/31"}, `"2030/31"`},
		{"before the first commit", ledger.Options{AsOf: time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC)}, "as of 2018-01-01"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ledger.Read(context.Background(), repo, tc.opts); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}

func TestPullRequest(t *testing.T) {
	for msg, want := range map[string]int{
		"Merge pull request #12 from rtk/final\n\nFinal plan": 12,
		"RTK final plan (#7)":                    7,
		"RTK final plan (#7)\n\n* more":          7,
		"Merge branch 'main' into rtk":           0,
		"Fix #12 in the text":                    0,
		"Merge pull request #99999999999 from x": 0,
	} {
		if got := ledger.PullRequest(msg); got != want {
			t.Errorf("PullRequest(%q) = %d, want %d", msg, got, want)
		}
	}
}

// TestLedgerCheckCache: with the check's own cache, the gates the ledger
// computes are the same as without it, and a second ledger (its own gate
// results not kept) takes the plans' and policies' results from it.
func TestLedgerCheckCache(t *testing.T) {
	g, _ := history(t)
	plain := read(t, g, ledger.Options{})
	checks := openCache(t, t.TempDir())
	first := read(t, g, ledger.Options{CheckCache: checks})
	if s := checks.Stats(); s.Writes == 0 {
		t.Fatalf("the checks wrote nothing to their cache: %+v", s)
	}
	hits := checks.Stats().Hits
	again := read(t, g, ledger.Options{CheckCache: checks})
	if checks.Stats().Hits == hits {
		t.Error("a second ledger took nothing from the check's cache")
	}
	if again.Computed != first.Computed {
		t.Errorf("second ledger computed %d gates, want %d: the check's cache must not stand in for the ledger's", again.Computed, first.Computed)
	}
	for _, l := range []*ledger.Ledger{first, again} {
		if !cmp.Equal(gatesOf(plain), gatesOf(l)) {
			t.Errorf("gates with the check's cache differ:\n%s", cmp.Diff(gatesOf(plain), gatesOf(l)))
		}
	}
}

// gatesOf lists each version's gate result.
func gatesOf(l *ledger.Ledger) []string {
	var out []string
	for _, e := range l.Entries {
		for _, v := range e.Versions {
			out = append(out, fmt.Sprintf("%s %s v%d %+v", e.Year, e.Org, v.N, v.Gate))
		}
		out = append(out, fmt.Sprintf("%s %s now %v", e.Year, e.Org, e.Submittable))
	}
	return out
}
