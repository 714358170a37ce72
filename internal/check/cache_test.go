package check_test

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/triangulate-nhs/triangulate/internal/cache"
	"github.com/triangulate-nhs/triangulate/internal/check"
	"github.com/triangulate-nhs/triangulate/internal/finding"
	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

// run checks fsys, with c when it is not nil, and returns the rules' hash
// and the findings.
func run(t *testing.T, fsys fstest.MapFS, c *cache.Cache) ([]byte, []finding.Finding) {
	t.Helper()
	ctx := context.Background()
	o := opts
	o.Cache = c
	rules, err := check.LoadRules(ctx, fsys, o)
	if err != nil {
		t.Fatal(err)
	}
	res, err := check.Run(ctx, rules, fsys, o)
	if err != nil {
		t.Fatal(err)
	}
	return rules.Hash, res.Findings
}

// TestCacheFollowsRules: a change to any part of the rules (schema,
// policies and their data, the register, the waivers, the organisation
// reference list) changes the rules' hash, and a warm cache then gives
// exactly what an uncached check of the changed tree gives, never the
// findings cached under the old rules.
func TestCacheFollowsRules(t *testing.T) {
	c, err := cache.Open(t.TempDir(), 0)
	if err != nil {
		t.Fatal(err)
	}
	base := testutil.RepoFS(t)
	baseHash, baseFindings := run(t, base, c)
	if len(baseHash) == 0 {
		t.Fatal("no rules hash with a cache")
	}
	if h, _ := run(t, base, nil); !bytes.Equal(h, baseHash) {
		t.Error("the rules' hash depends on whether there is a cache")
	}
	tests := []struct {
		name, file, old, new string
		changes              bool // the findings differ from the base's
	}{
		{"policy data", "policy/data.json", `"warning_pct": 92`, `"warning_pct": 80`, true},
		{"register", "policy/register/2019-20.cue", "control_total: -7500", "control_total: -5000", true},
		{"waivers", "policy/waivers/2019-20.cue", "waivers: []", `waivers: [{rule: "B01", org: "RTK", year: "2019/20", reason: "Ward opening", approver: "Regional director", expires: "2019-12-31"}]`, true},
		{"reference list", "plans/organisations.cue", "\tRTK: {name:", "\tRTZ: {name:", true},
		{"schema comment", "schema/common.cue", "", "\n// A comment changes no finding, but it changes the rules.\n", false},
		{"policy comment", "policy/rules/a01/a01.rego", "", "\n# A comment changes no finding, but it changes the rules.\n", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fsys := testutil.RepoFS(t)
			src := string(fsys[tc.file].Data)
			if tc.old == "" {
				src += tc.new
			} else if !strings.Contains(src, tc.old) {
				t.Fatalf("%s has no %q", tc.file, tc.old)
			} else {
				src = strings.Replace(src, tc.old, tc.new, 1)
			}
			fsys[tc.file] = &fstest.MapFile{Data: []byte(src), Mode: 0o644}
			h, got := run(t, fsys, c)
			if bytes.Equal(h, baseHash) {
				t.Error("rules hash unchanged")
			}
			_, want := run(t, fsys, nil)
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("cached check differs from an uncached one (-want +got):\n%s", d)
			}
			if differs := cmp.Diff(baseFindings, got) != ""; differs != tc.changes {
				t.Errorf("findings differ from the base's: %v, want %v", differs, tc.changes)
			}
		})
	}
}

// TestDamagedCacheIsRecomputed: with every entry on disk damaged (cut
// short, a byte changed, emptied, or swapped with another entry), a check
// gives the same findings as without a cache, and writes the entries
// again.
func TestDamagedCacheIsRecomputed(t *testing.T) {
	dir := t.TempDir()
	c, err := cache.Open(dir, 0)
	if err != nil {
		t.Fatal(err)
	}
	fsys := testutil.ScaledRepoFS(t, 2)
	_, want := run(t, fsys, c)
	entries, err := filepath.Glob(filepath.Join(dir, "results-v1", "*"))
	if err != nil || len(entries) < 10 {
		t.Fatalf("%d entries after a run: %v", len(entries), err)
	}
	damages := []func(i int, b []byte) []byte{
		func(_ int, b []byte) []byte { return b[:len(b)/2] },
		func(_ int, b []byte) []byte { b[len(b)-3] ^= 0x20; return b },
		func(int, []byte) []byte { return nil },
		func(i int, _ []byte) []byte {
			other, err := os.ReadFile(entries[(i+1)%len(entries)])
			if err != nil {
				t.Fatal(err)
			}
			return other
		},
	}
	for n, damage := range damages {
		for i, e := range entries {
			b, err := os.ReadFile(e)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(e, damage(i, b), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		c2, err := cache.Open(dir, 0)
		if err != nil {
			t.Fatal(err)
		}
		_, got := run(t, fsys, c2)
		if d := cmp.Diff(want, got); d != "" {
			t.Fatalf("damage %d: findings differ (-want +got):\n%s", n, d)
		}
		if s := c2.Stats(); s.Hits != 0 || s.Writes != int64(len(entries)) {
			t.Errorf("damage %d: %+v, want no hits and %d entries written again", n, s, len(entries))
		}
	}
}

// BenchmarkCheckNationalWarm is BenchmarkCheckNational with the result cache
// filled: what `triangulate check` costs when no plan has changed (the
// rules are compiled once, outside the loop, as in the cold benchmark).
func BenchmarkCheckNationalWarm(b *testing.B) {
	fsys := testutil.EnglandFS(b, 42, 1)
	c, err := cache.Open(b.TempDir(), 0)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	o := opts
	o.Cache = c
	rules, err := check.LoadRules(ctx, fsys, o)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := check.Run(ctx, rules, fsys, o); err != nil {
		b.Fatal(err)
	}
	filled := c.Stats()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := check.Run(ctx, rules, fsys, o); err != nil {
			b.Fatal(err)
		}
	}
	// A file that ran out of its deadline while the cache was filled (on
	// a loaded machine) is not cached, and is checked again: reported
	// rather than failed.
	b.ReportMetric(float64(c.Stats().Misses-filled.Misses)/float64(b.N), "misses/op")
}

// changingFS serves file as first on the first read and as then on every
// later one: a working tree edited while the rules load.
type changingFS struct {
	fstest.MapFS
	file        string
	first, then []byte
	reads       int
}

func (c *changingFS) Open(name string) (fs.File, error) {
	if name == c.file {
		c.reads++
		data := c.then
		if c.reads == 1 {
			data = c.first
		}
		return fstest.MapFS{name: &fstest.MapFile{Data: data, Mode: 0o644}}.Open(name)
	}
	return c.MapFS.Open(name)
}

func (c *changingFS) ReadFile(name string) ([]byte, error) { return fs.ReadFile(fsOnly{c}, name) }

// fsOnly hides all but Open.
type fsOnly struct{ fs.FS }

// TestRulesAreWhatWasHashed: the rules are read once, hashed and compiled
// from that one reading, so a file edited while they load gives the rules
// its first bytes make, under their hash, never a mix.
func TestRulesAreWhatWasHashed(t *testing.T) {
	ctx := context.Background()
	const file = "policy/data.json"
	base := testutil.RepoFS(t)
	first := base[file].Data
	then := bytes.Replace(first, []byte(`"warning_pct": 92`), []byte(`"warning_pct": 80`), 1)
	if bytes.Equal(first, then) {
		t.Fatal("no edit")
	}
	c, err := cache.Open(t.TempDir(), 0)
	if err != nil {
		t.Fatal(err)
	}
	o := opts
	o.Cache = c
	want, err := check.LoadRules(ctx, base, o)
	if err != nil {
		t.Fatal(err)
	}
	edited := &changingFS{MapFS: base, file: file, first: first, then: then}
	got, err := check.LoadRules(ctx, edited, o)
	if err != nil {
		t.Fatal(err)
	}
	if edited.reads != 1 || len(got.Hash) == 0 || !bytes.Equal(got.Hash, want.Hash) {
		t.Fatalf("%s read %d times; hash equal to the first bytes' %v", file, edited.reads, bytes.Equal(got.Hash, want.Hash))
	}
	a, err := check.Run(ctx, want, base, opts)
	if err != nil {
		t.Fatal(err)
	}
	b, err := check.Run(ctx, got, base, o)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(a.Findings, b.Findings); d != "" {
		t.Errorf("findings (-first bytes +edited during the load):\n%s", d)
	}
}
