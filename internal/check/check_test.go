package check_test

import (
	"context"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/triangulate-nhs/triangulate/internal/check"
	"github.com/triangulate-nhs/triangulate/internal/finding"
	"github.com/triangulate-nhs/triangulate/internal/generate"
	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

var opts = check.Options{Today: time.Date(2019, 3, 1, 0, 0, 0, 0, time.UTC)}

// TestScaledCopiesStayClean: the bundled system copied under new codes is as
// clean as the original, so the benchmarks below measure a realistic,
// mostly clean national plan set rather than an error storm.
func TestScaledCopiesStayClean(t *testing.T) {
	ctx := context.Background()
	fsys := testutil.ScaledRepoFS(t, 3)
	rules, err := check.LoadRules(ctx, fsys, opts)
	if err != nil {
		t.Fatal(err)
	}
	res, err := check.Run(ctx, rules, fsys, opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.PlansRead != 24 {
		t.Errorf("read %d plans, want 24", res.PlansRead)
	}
	c := finding.Count(res.Findings)
	if c.Blocking != 0 || c.Explained != 9 {
		for _, f := range res.Findings {
			t.Logf("%s %s %s %s", f.Location, f.Rule, f.Status, f.Message)
		}
		t.Errorf("counts %+v, want 0 blocking and 9 explained (3 per copy)", c)
	}
}

func benchCheck(b *testing.B, fsys fs.FS) {
	ctx := context.Background()
	rules, err := check.LoadRules(ctx, fsys, opts)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := check.Run(ctx, rules, fsys, opts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheckBundled is `triangulate check` on the bundled plans once the
// rules are compiled: load, validate, evaluate, gate.
func BenchmarkCheckBundled(b *testing.B) { benchCheck(b, testutil.RepoFS(b)) }

// BenchmarkCheckNational is the generated England: 42 systems, 220 trusts
// and 190 CCGs (452 plans), cold: no result cache (see
// BenchmarkCheckNationalWarm).
func BenchmarkCheckNational(b *testing.B) {
	benchCheck(b, testutil.EnglandFS(b, generate.DefaultSystems, 1))
}

// BenchmarkLoadRules is the fixed cost of compiling schema and policies.
func BenchmarkLoadRules(b *testing.B) {
	ctx := context.Background()
	fsys := testutil.RepoFS(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := check.LoadRules(ctx, fsys, opts); err != nil {
			b.Fatal(err)
		}
	}
}

// TestStartRules: rules whose policies compile in the background judge as
// LoadRules' do; policies that do not compile are LoadRules' error at once,
// and StartRules' from Err and from the Run that needs them.
func TestStartRules(t *testing.T) {
	ctx := context.Background()
	fsys := testutil.RepoFS(t)
	loaded, err := check.LoadRules(ctx, fsys, opts)
	if err != nil {
		t.Fatal(err)
	}
	want, err := check.Run(ctx, loaded, fsys, opts)
	if err != nil {
		t.Fatal(err)
	}
	started, err := check.StartRules(ctx, fsys, opts)
	if err != nil {
		t.Fatal(err)
	}
	got, err := check.Run(ctx, started, fsys, opts)
	if err != nil || started.Err() != nil {
		t.Fatalf("run: %v, rules: %v", err, started.Err())
	}
	if d := cmp.Diff(want.Findings, got.Findings); d != "" {
		t.Errorf("findings (-LoadRules +StartRules):\n%s", d)
	}
	if d := cmp.Diff(loaded.Catalogue(), started.Catalogue()); d != "" {
		t.Errorf("catalogue (-LoadRules +StartRules):\n%s", d)
	}

	fsys["policy/rules/x01/x01.rego"] = &fstest.MapFile{Data: []byte("package triangulate.rules.x01\n\nfindings contains f if {\n")}
	if _, err := check.LoadRules(ctx, fsys, opts); err == nil || !strings.Contains(err.Error(), "x01.rego") {
		t.Fatalf("LoadRules: %v, want the compile error naming x01.rego", err)
	}
	started, err = check.StartRules(ctx, fsys, opts)
	if err != nil {
		t.Fatalf("StartRules: %v, want the compile error left to Err and Run", err)
	}
	if _, err := check.Run(ctx, started, fsys, opts); err == nil || !strings.Contains(err.Error(), "x01.rego") {
		t.Errorf("Run: %v, want the compile error", err)
	}
	if err := started.Err(); err == nil || !strings.Contains(err.Error(), "x01.rego") {
		t.Errorf("Err: %v, want the compile error", err)
	}
}
