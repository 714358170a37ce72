package contracts_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/triangulate-nhs/triangulate/internal/resultcache"

	"github.com/go-git/go-billy/v5/memfs"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/memory"

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

// TestWeeklyCache: with a cache directory each commit's position is read
// once and then taken from the cache.
func TestWeeklyCache(t *testing.T) {
	g := testutil.NewGit(t)
	shas := testutil.SubmissionHistory(g)
	repo := gitrepo.Wrap(g.Repo)
	dir := t.TempDir()
	opts := contracts.WeeklyOptions{CacheDir: dir, Version: "test"}
	first, err := contracts.Weekly(context.Background(), repo, opts)
	if err != nil {
		t.Fatal(err)
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "*.json")); len(files) != 4 {
		t.Errorf("%d entries, want one per distinct commit (4)", len(files))
	}
	again, err := contracts.Weekly(context.Background(), repo, opts)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(first)
	b, _ := json.Marshal(again)
	if !bytes.Equal(a, b) {
		t.Error("the cached run differs")
	}
	// The entry is what the next run reads.
	if err := (resultcache.Cache{Dir: dir, Version: "test"}).Store(shas[0], contracts.Week{Error: "from the cache", Contracts: []contracts.WeekRow{}}); err != nil {
		t.Fatal(err)
	}
	h, err := contracts.Weekly(context.Background(), repo, opts)
	if err != nil || h.Weeks[0].Error != "from the cache" {
		t.Errorf("first week %+v (%v), want the cached entry", h.Weeks[0], err)
	}
	if h, err := contracts.Weekly(context.Background(), repo, contracts.WeeklyOptions{}); err != nil || h.Weeks[0].Error != "" {
		t.Errorf("without a cache directory the cache was read: %+v", h.Weeks[0])
	}
}
