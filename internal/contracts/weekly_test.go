package contracts_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/go-git/go-billy/v5/memfs"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/memory"

	"github.com/triangulate-nhs/triangulate/internal/cache"
	"github.com/triangulate-nhs/triangulate/internal/contracts"
	"github.com/triangulate-nhs/triangulate/internal/gitrepo"
	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

func day(s string) time.Time {
	t, err := time.ParseInLocation(time.DateOnly, s, contracts.London)
	if err != nil {
		panic(err)
	}
	return t
}

func row(t *testing.T, w contracts.Week, provider, commissioner string) contracts.WeekRow {
	t.Helper()
	for _, r := range w.Contracts {
		if r.Provider == provider && r.Commissioner == commissioner {
			return r
		}
	}
	t.Fatalf("week %s has no %s-%s contract", w.Friday, provider, commissioner)
	return contracts.WeekRow{}
}

func TestWeekly(t *testing.T) {
	g := testutil.NewGit(t)
	shas := testutil.SubmissionHistory(g)
	h, err := contracts.Weekly(context.Background(), gitrepo.Wrap(g.Repo), contracts.WeeklyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	fridays := []string{"2019-03-01", "2019-03-08", "2019-03-15", "2019-03-22", "2019-03-29", "2019-04-05", "2019-04-12"}
	commits := []string{shas[0], shas[0], shas[0], shas[1], shas[2], shas[2], shas[4]}
	if len(h.Weeks) != len(fridays) {
		t.Fatalf("%d weeks, want %d", len(h.Weeks), len(fridays))
	}
	for i, w := range h.Weeks {
		if w.Friday != fridays[i] || w.Commit != commits[i] || len(w.Contracts) != 12 || w.Error != "" {
			t.Errorf("week %d: %s at %.12s, %d contracts %q; want %s at %.12s, 12", i, w.Friday, w.Commit, len(w.Contracts), w.Error, fridays[i], commits[i])
		}
	}
	tests := []struct {
		week                   int
		provider, commissioner string
		moved                  bool
		since                  int
		agree                  bool
	}{
		{0, "RTK", "09Y", true, 0, true},
		{2, "RTK", "09Y", false, 2, true},
		{3, "RTK", "09Y", true, 0, true},  // pull request #5: 3% more GP referrals
		{5, "RTK", "09Y", false, 2, true}, // unchanged since
		{6, "RTK", "09Y", true, 0, true},  // back in line
		{5, "RTK", "09N", false, 5, true},
		{6, "RTK", "09N", true, 0, false}, // RTK says in dispute, 09N signed
		{6, "RA2", "09N", false, 6, true},
	}
	for _, tc := range tests {
		r := row(t, h.Weeks[tc.week], tc.provider, tc.commissioner)
		if r.Moved != tc.moved || r.WeeksSinceMoved != tc.since || r.StatesAgree != tc.agree {
			t.Errorf("%s %s-%s: moved %v, weeks since %d, agree %v; want %v, %d, %v", fridays[tc.week], tc.provider, tc.commissioner,
				r.Moved, r.WeeksSinceMoved, r.StatesAgree, tc.moved, tc.since, tc.agree)
		}
	}
	// RTK planned 176 more GP referrals than 09Y; #5 adds 1,320.
	if r := row(t, h.Weeks[3], "RTK", "09Y"); r.ActivityGaps["gp_referrals"] != 176+1320 || r.WidestLine != "gp_referrals" {
		t.Errorf("RTK-09Y gaps after #5: %v widest %s", r.ActivityGaps, r.WidestLine)
	}
	if r := row(t, h.Weeks[6], "RTK", "09N"); r.ProviderSide.State != "in_dispute" || r.CommissionerSide.State != "signed" {
		t.Errorf("RTK-09N in the last week: %+v %+v", r.ProviderSide, r.CommissionerSide)
	}

	// From and To pick the weeks; the age of a position still counts from
	// before From.
	h, err = contracts.Weekly(context.Background(), gitrepo.Wrap(g.Repo), contracts.WeeklyOptions{From: day("2019-03-27"), To: day("2019-04-05")})
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Weeks) != 2 || h.Weeks[0].Friday != "2019-03-29" || row(t, h.Weeks[1], "RA2", "09N").WeeksSinceMoved != 5 {
		t.Errorf("weeks %+v", h.Weeks)
	}
}

// TestWeeklyFridayInLondon: a week ends at midnight London time, so a merge
// at 23:30 UTC on a Friday in British Summer Time (00:30 on Saturday in
// London) counts from the next week.
func TestWeeklyFridayInLondon(t *testing.T) {
	g := testutil.NewGit(t)
	g.SetClock(time.Date(2019, 4, 12, 23, 29, 0, 0, time.UTC)) // 00:30 BST on Saturday
	g.Replace("plans/2019-20/providers/rtk.cue", `"09N": {state: "signed", date: "2019-03-21"}`, `"09N": {state: "in_dispute", date: "2019-04-12"}`)
	late := g.Commit("RTK disputes 09N's contract")
	h, err := contracts.Weekly(context.Background(), gitrepo.Wrap(g.Repo), contracts.WeeklyOptions{From: day("2019-04-12"), To: day("2019-04-19")})
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Weeks) != 2 || h.Weeks[0].Commit == late || h.Weeks[1].Commit != late {
		t.Errorf("weeks %+v", h.Weeks)
	}
	// 23:30 GMT on a Friday in winter is still that Friday.
	g.SetClock(time.Date(2019, 12, 13, 23, 29, 0, 0, time.UTC))
	g.Write("README.md", "x\n")
	g.Replace("plans/2019-20/providers/rtk.cue", `"09N": {state: "in_dispute", date: "2019-04-12"}`, `"09N": {state: "signed", date: "2019-12-13"}`)
	winter := g.Commit("Signed")
	h, err = contracts.Weekly(context.Background(), gitrepo.Wrap(g.Repo), contracts.WeeklyOptions{From: day("2019-12-13"), To: day("2019-12-13")})
	if err != nil || len(h.Weeks) != 1 || h.Weeks[0].Commit != winter {
		t.Errorf("winter week %+v %v", h.Weeks, err)
	}
}

func TestWeeklyRefusals(t *testing.T) {
	g := testutil.NewGit(t)
	repo := gitrepo.Wrap(g.Repo)
	tests := []struct {
		name string
		opts contracts.WeeklyOptions
	}{
		{"unknown ref", contracts.WeeklyOptions{Ref: "nope"}},
		{"from after to", contracts.WeeklyOptions{From: day("2019-05-01"), To: day("2019-04-01")}},
		{"too many weeks", contracts.WeeklyOptions{From: day("2000-01-01")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := contracts.Weekly(context.Background(), repo, tc.opts); err == nil {
				t.Error("no error")
			}
		})
	}
	// A history that never touches plans/.
	r, err := git.InitWithOptions(memory.NewStorage(), memfs.New(), git.InitOptions{DefaultBranch: plumbing.Main})
	if err != nil {
		t.Fatal(err)
	}
	wt, _ := r.Worktree()
	f, _ := wt.Filesystem.Create("README.md")
	f.Write([]byte("x\n"))
	f.Close()
	wt.Add("README.md")
	if _, err := wt.Commit("readme", &git.CommitOptions{Author: &object.Signature{Name: "a", Email: "a@b", When: day("2019-01-01")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := contracts.Weekly(context.Background(), gitrepo.Wrap(r), contracts.WeeklyOptions{}); !errors.Is(err, contracts.ErrNoPlanHistory) {
		t.Errorf("history without plans: %v", err)
	}
}

// TestWeeklyCache: with a cache each commit's position is read once and
// then taken from the cache; an entry that is damaged, another commit's or
// another version's is read afresh.
func TestWeeklyCache(t *testing.T) {
	g := testutil.NewGit(t)
	shas := testutil.SubmissionHistory(g)
	repo := gitrepo.Wrap(g.Repo)
	first, err := contracts.Weekly(context.Background(), repo, contracts.WeeklyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// planted is the entry a run with Version "test" reads for shas[0]:
	// what the cache holds is what the next run shows.
	const planted = "from the cache"
	plantedKey := cache.NewKey([]byte("test"), []byte("contracts-position/1"), []byte(shas[0]))
	tests := []struct {
		name    string
		version string
		damage  func(t *testing.T, c *cache.Cache, entries []string)
		// hits counts the entries read; from shas[0] they show planted.
		hits       int
		showsPlant bool
	}{
		{"as written", "test", nil, 4, false},
		{"another version", "other", nil, 0, false},
		{"truncated", "test", func(t *testing.T, _ *cache.Cache, entries []string) {
			for _, f := range entries {
				b, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(f, b[:len(b)/2], 0o600); err != nil {
					t.Fatal(err)
				}
			}
		}, 0, false},
		{"planted", "test", func(t *testing.T, c *cache.Cache, _ []string) {
			if err := c.PutJSON(plantedKey, contracts.Week{Error: planted, Contracts: []contracts.WeekRow{}}); err != nil {
				t.Fatal(err)
			}
		}, 4, true},
		{"another commit's entry", "test", func(t *testing.T, c *cache.Cache, entries []string) {
			if err := c.PutJSON(plantedKey, contracts.Week{Error: planted, Contracts: []contracts.WeekRow{}}); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(filepath.Join(c.Dir(), fmt.Sprintf("%x", plantedKey)))
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range entries {
				if err := os.WriteFile(f, b, 0o600); err != nil {
					t.Fatal(err)
				}
			}
		}, 1, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if _, err := contracts.Weekly(context.Background(), repo, contracts.WeeklyOptions{Cache: open(t, dir), Version: "test"}); err != nil {
				t.Fatal(err)
			}
			c := open(t, dir)
			entries, _ := filepath.Glob(filepath.Join(c.Dir(), "*"))
			if len(entries) != 4 {
				t.Fatalf("%d entries, want one per distinct commit (4)", len(entries))
			}
			if tc.damage != nil {
				tc.damage(t, c, entries)
			}
			c = open(t, dir)
			h, err := contracts.Weekly(context.Background(), repo, contracts.WeeklyOptions{Cache: c, Version: tc.version})
			if err != nil {
				t.Fatal(err)
			}
			if s := c.Stats(); s.Hits != int64(tc.hits) || s.Hits+s.Misses != 4 {
				t.Errorf("stats %+v, want %d hits of 4 lookups", s, tc.hits)
			}
			if !tc.showsPlant {
				a, _ := json.Marshal(first)
				b, _ := json.Marshal(h)
				if !bytes.Equal(a, b) {
					t.Error("the run differs from one without a cache")
				}
				return
			}
			// A planted position changes the weeks after it too (what
			// moved, and when); each week's own position is either the
			// planted one or read afresh.
			plantedWeeks := 0
			for i, w := range h.Weeks {
				want := first.Weeks[i]
				if w.Commit == shas[0] {
					want.Error, want.Contracts = planted, nil
					plantedWeeks++
				}
				if w.Commit != want.Commit || w.Error != want.Error || len(w.Contracts) != len(want.Contracts) {
					t.Errorf("week %s: commit %.12s, error %q, %d contracts; want %.12s, %q, %d",
						w.Friday, w.Commit, w.Error, len(w.Contracts), want.Commit, want.Error, len(want.Contracts))
				}
			}
			if plantedWeeks == 0 {
				t.Errorf("no week at %.12s to show the planted position", shas[0])
			}
		})
	}
}

func open(t *testing.T, dir string) *cache.Cache {
	t.Helper()
	c, err := cache.Open(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestWeeklyCheckCache: with the check's cache of plan files, the weekly
// history is the same, and a second run reads plan files from it.
func TestWeeklyCheckCache(t *testing.T) {
	g := testutil.NewGit(t)
	testutil.SubmissionHistory(g)
	repo := gitrepo.Wrap(g.Repo)
	plain, err := contracts.Weekly(context.Background(), repo, contracts.WeeklyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	checks := open(t, t.TempDir())
	for run := range 2 {
		hits := checks.Stats().Hits
		h, err := contracts.Weekly(context.Background(), repo, contracts.WeeklyOptions{CheckCache: checks})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(plain, h) {
			t.Errorf("run %d: the history with the check's cache differs from the history without", run)
		}
		if run == 1 && checks.Stats().Hits == hits {
			t.Error("the second run read no plan file from the check's cache")
		}
	}
}
