package check_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/triangulate-nhs/triangulate/internal/cache"
	"github.com/triangulate-nhs/triangulate/internal/check"
	"github.com/triangulate-nhs/triangulate/internal/generate"
	"github.com/triangulate-nhs/triangulate/internal/report"
	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

var updateIdentical = flag.Bool("update", false, "rewrite testdata/identical from the current code")

// baselineDay is the day the baselines in testdata/identical were taken: it
// decides which waivers are in date.
var baselineDay = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

// TestFindingsIdentical runs the whole check, as `triangulate check --format
// json` does, on the bundled plans and on generated national sets, and
// compares every finding (rule, severity, organisations, message, file, line,
// column, path, status, related findings) and the counts with the baselines
// in testdata/identical, which were written by `triangulate check --format
// json` from a directory made by `triangulate generate --out DIR --seed S
// --faults F`. Each set is checked without the result cache, then with an
// empty one, then from it. Any change to a finding fails it: the loader, the
// result cache and the policy engine may get faster, never different.
func TestFindingsIdentical(t *testing.T) {
	cases := []struct {
		golden   string
		national bool
		seed     uint64
		faults   float64
	}{
		{golden: "bundled.json"},
		{golden: "england_seed1_clean.json", national: true, seed: 1},
		{golden: "england_seed7_faults0.3.json", national: true, seed: 7, faults: 0.3},
		{golden: "england_seed11_faults0.3.json", national: true, seed: 11, faults: 0.3},
	}
	for _, tc := range cases {
		t.Run(tc.golden, func(t *testing.T) {
			if tc.national && testing.Short() {
				t.Skip("national sets are checked without -short (CI runs them)")
			}
			var fsys fs.FS = testutil.RepoFS(t)
			if tc.national {
				fsys = testutil.EnglandFaultsFS(t, generate.DefaultSystems, tc.seed, tc.faults)
			}
			c, err := cache.Open(t.TempDir(), 0)
			if err != nil {
				t.Fatal(err)
			}
			// Without the cache, then filling it, then from it.
			for run, rc := range []*cache.Cache{nil, c, c} {
				before := c.Stats()
				got := checkJSON(t, fsys, rc)
				if s := c.Stats(); run == 2 && (s.Writes != before.Writes || s.Misses != before.Misses || s.Hits == before.Hits) {
					t.Errorf("second cached run: %+v after %+v, want only hits", s, before)
				}
				file := filepath.Join("testdata", "identical", tc.golden)
				if *updateIdentical && run == 0 {
					if err := os.WriteFile(file, got, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(file)
				if err != nil {
					t.Fatal(err)
				}
				compareReports(t, want, got)
			}
		})
	}
}

// checkJSON is `triangulate check --format json` on fsys.
func checkJSON(t *testing.T, fsys fs.FS, c *cache.Cache) []byte {
	t.Helper()
	ctx := context.Background()
	o := check.Options{Today: baselineDay, Cache: c}
	rules, err := check.LoadRules(ctx, fsys, o)
	if err != nil {
		t.Fatal(err)
	}
	res, err := check.Run(ctx, rules, fsys, o)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	r := report.Result{Findings: res.Findings, Rules: rules.Catalogue(), PlansRead: res.PlansRead, Ref: "."}
	if err := report.Write(&b, "json", r); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// compareReports compares two JSON reports but for the run's ref, naming
// each finding that differs.
func compareReports(t *testing.T, want, got []byte) {
	t.Helper()
	var w, g map[string]any
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("baseline: %v", err)
	}
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("report: %v", err)
	}
	delete(w, "ref")
	delete(g, "ref")
	wf, _ := w["findings"].([]any)
	gf, _ := g["findings"].([]any)
	delete(w, "findings")
	delete(g, "findings")
	if d := cmp.Diff(w, g); d != "" {
		t.Errorf("counts differ from the baseline (-want +got):\n%s", d)
	}
	if len(wf) != len(gf) {
		t.Errorf("%d findings, want %d", len(gf), len(wf))
	}
	for i := range max(len(wf), len(gf)) {
		var a, b any
		if i < len(wf) {
			a = wf[i]
		}
		if i < len(gf) {
			b = gf[i]
		}
		if d := cmp.Diff(a, b); d != "" {
			t.Errorf("finding %d differs from the baseline (-want +got):\n%s", i, d)
		}
	}
}
