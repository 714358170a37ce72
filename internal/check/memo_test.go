package check_test

import (
	"context"
	"errors"
	"testing"
	"testing/fstest"
	"time"

	"github.com/triangulate-nhs/triangulate/internal/check"
	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

// TestMemoRules: rules are compiled once per content and day, and again when
// a rule file changes or the day (which decides the waivers) moves on.
func TestMemoRules(t *testing.T) {
	ctx := context.Background()
	fsys := testutil.RepoFS(t)
	m := check.NewMemo()
	day := time.Date(2019, 6, 1, 12, 0, 0, 0, time.UTC)
	load := func(fsys fstest.MapFS, day time.Time) *check.Rules {
		t.Helper()
		r, err := check.LoadRules(ctx, fsys, check.Options{Today: day, Memo: m})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	first := load(fsys, day)
	if again := load(fsys, day.Add(time.Hour)); again != first {
		t.Error("the same rules on the same day were compiled again")
	}
	if next := load(fsys, day.AddDate(0, 0, 1)); next == first {
		t.Error("the next day's rules (waivers lapse by the day) were taken from the day before")
	}
	changed := fstest.MapFS{}
	for k, v := range fsys {
		changed[k] = v
	}
	changed["policy/data.json"] = &fstest.MapFile{Data: []byte(`{"triangulate": {"thresholds": {}}}`)}
	if other := load(changed, day); other == first {
		t.Error("changed rules were taken from the memo")
	}
	if r, err := check.LoadRules(ctx, fsys, check.Options{Today: day}); err != nil || r == first {
		t.Errorf("without a memo: %p, %v; want fresh rules", r, err)
	}
}

// TestMemoResult: a result is kept per rules and key, never shared between
// rules, errors are not kept, and a nil memo always runs.
func TestMemoResult(t *testing.T) {
	ctx := context.Background()
	fsys := testutil.RepoFS(t)
	a, err := check.LoadRules(ctx, fsys, check.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := check.LoadRules(ctx, fsys, check.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := check.NewMemo()
	runs := 0
	run := func(rules *check.Rules) func() (*check.Result, error) {
		return func() (*check.Result, error) {
			runs++
			return check.Run(ctx, rules, fsys, check.Options{})
		}
	}
	r1, err := m.Result(a, "c1", run(a))
	if err != nil {
		t.Fatal(err)
	}
	if r2, _ := m.Result(a, "c1", run(a)); r2 != r1 || runs != 1 {
		t.Errorf("same rules and commit: %d runs, same result %v", runs, r2 == r1)
	}
	if r3, _ := m.Result(b, "c1", run(b)); r3 == r1 || runs != 2 {
		t.Errorf("other rules, same commit: %d runs, shared result %v", runs, r3 == r1)
	}
	failing := errors.New("unreadable")
	if _, err := m.Result(a, "c2", func() (*check.Result, error) { runs++; return nil, failing }); !errors.Is(err, failing) {
		t.Fatalf("error %v", err)
	}
	if _, err := m.Result(a, "c2", run(a)); err != nil || runs != 4 {
		t.Errorf("a failed run was kept: %d runs, %v", runs, err)
	}
	var none *check.Memo
	if _, err := none.Result(a, "c1", run(a)); err != nil || runs != 5 {
		t.Errorf("nil memo: %d runs, %v", runs, err)
	}
}
