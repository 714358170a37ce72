package policy_test

import (
	"context"
	"testing"

	"github.com/triangulate-nhs/triangulate/internal/plan"
	"github.com/triangulate-nhs/triangulate/internal/policy"
	"github.com/triangulate-nhs/triangulate/internal/register"
	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

// explainedPerSystem is the number of warnings the bundled system explains.
const explainedPerSystem = 3

// benchEvaluate measures policy evaluation alone: every rule over a loaded
// plan set, including building the input and mapping findings to lines.
func benchEvaluate(b *testing.B, copies int) {
	ctx := context.Background()
	fsys := testutil.ScaledRepoFS(b, copies)
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
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		fs, err := e.Evaluate(ctx, set, regs)
		if err != nil {
			b.Fatal(err)
		}
		if len(fs) != explainedPerSystem*copies {
			b.Fatalf("%d findings, want the %d explained warnings", len(fs), explainedPerSystem*copies)
		}
	}
}

// BenchmarkEvaluateBundled: the bundled system (4 trusts, 3 CCGs).
func BenchmarkEvaluateBundled(b *testing.B) { benchEvaluate(b, 1) }

// BenchmarkEvaluateNational: 45 systems, 180 trusts and 135 CCGs.
func BenchmarkEvaluateNational(b *testing.B) { benchEvaluate(b, 45) }
