package policy_test

import (
	"context"
	"io/fs"
	"os"
	"testing"
	"testing/fstest"

	"github.com/triangulate-nhs/triangulate/internal/generate"
	"github.com/triangulate-nhs/triangulate/internal/plan"
	"github.com/triangulate-nhs/triangulate/internal/policy"
	"github.com/triangulate-nhs/triangulate/internal/register"
	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

// explainedPerSystem is the number of warnings the bundled system explains.
const explainedPerSystem = 3

// benchEvaluate measures policy evaluation alone: every rule over a loaded
// plan set, including building the input and mapping findings to lines.
// want < 0 takes the count of the first evaluation, which every later one
// must then match.
func benchEvaluate(b *testing.B, fsys fs.FS, want int) {
	ctx := context.Background()
	s, err := plan.LoadSchema(fsys)
	if err != nil {
		b.Fatal(err)
	}
	set, err := s.Load(fsys, plan.Options{})
	if err != nil {
		b.Fatal(err)
	}
	e, err := policy.Load(ctx, fsys)
	if err != nil {
		b.Fatal(err)
	}
	regs, bad := register.Load(fsys, s)
	if len(bad) > 0 {
		b.Fatalf("register: %v", bad)
	}
	if want < 0 {
		fs, err := e.Evaluate(ctx, set, regs)
		if err != nil {
			b.Fatal(err)
		}
		if want = len(fs); want == 0 {
			b.Fatal("no findings")
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		fs, err := e.Evaluate(ctx, set, regs)
		if err != nil {
			b.Fatal(err)
		}
		if len(fs) != want {
			b.Fatalf("%d findings, want %d", len(fs), want)
		}
	}
}

// BenchmarkEvaluateBundled: the bundled system (4 trusts, 3 CCGs).
func BenchmarkEvaluateBundled(b *testing.B) {
	benchEvaluate(b, testutil.RepoFS(b), explainedPerSystem)
}

// BenchmarkEvaluateNational: the generated England, 42 systems, 220 trusts
// and 190 CCGs, which checks clean.
func BenchmarkEvaluateNational(b *testing.B) {
	benchEvaluate(b, testutil.EnglandFS(b, generate.DefaultSystems, 1), 0)
}

// BenchmarkEvaluateNationalFaults: the generated England with a problem
// planted in 30% of its trusts, so the rules also build the messages of
// their findings.
func BenchmarkEvaluateNationalFaults(b *testing.B) {
	files, err := generate.Generate(os.DirFS(testutil.Root(b)), generate.Options{Systems: generate.DefaultSystems, Seed: 7, Faults: 0.3})
	if err != nil {
		b.Fatal(err)
	}
	fsys := fstest.MapFS{}
	for name, data := range files {
		fsys[name] = &fstest.MapFile{Data: data, Mode: 0o644}
	}
	benchEvaluate(b, fsys, -1)
}
