package policy

import (
	"context"
	"encoding/json"
	"io/fs"
	"path"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/storage/inmem"

	"github.com/triangulate-nhs/triangulate/internal/generate"
	"github.com/triangulate-nhs/triangulate/internal/plan"
	"github.com/triangulate-nhs/triangulate/internal/register"
	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

// BenchmarkRules measures each rule alone over the generated England with
// problems planted in 30% of its trusts (seed 7), the set
// BenchmarkEvaluateNationalFaults evaluates whole: one prepared query per
// rule, data.triangulate.rules.<id>.findings, as the engine evaluates the
// rules side by side, over input converted once. A sub-benchmark per rule
// id shows which rules the national check waits for.
func BenchmarkRules(b *testing.B) {
	ctx := context.Background()
	fsys := testutil.EnglandFaultsFS(b, generate.DefaultSystems, 7, 0.3)
	s, err := plan.LoadSchema(fsys)
	if err != nil {
		b.Fatal(err)
	}
	set, err := s.Load(fsys, plan.Options{})
	if err != nil {
		b.Fatal(err)
	}
	regs, bad := register.Load(fsys, s)
	if len(bad) > 0 {
		b.Fatalf("register: %v", bad)
	}
	years := set.Years()
	if len(years) != 1 {
		b.Fatalf("%d years in the generated set, want 1", len(years))
	}
	year := years[0]
	docs := yearDocs(set, year)
	in, err := inputValue(input(set, docs, regs.Data(year), year), docs, nil)
	if err != nil {
		b.Fatal(err)
	}
	compiler, store, ids := compileRules(b, fsys)
	if len(ids) == 0 {
		b.Fatal("no rules under policy/rules")
	}
	for _, id := range ids {
		q, err := rego.New(
			rego.Query("data.triangulate.rules."+id+".findings"),
			rego.Compiler(compiler),
			rego.Store(store),
			rego.Capabilities(Capabilities()),
			rego.StrictBuiltinErrors(true),
		).PrepareForEval(ctx)
		if err != nil {
			b.Fatalf("prepare %s: %v", id, err)
		}
		b.Run(strings.ToUpper(id), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				rs, err := q.Eval(ctx, rego.EvalParsedInput(in))
				if err != nil {
					b.Fatal(err)
				}
				if len(rs) != 1 {
					b.Fatalf("%d results, want 1", len(rs))
				}
			}
		})
	}
}

// compileRules compiles the policies under policy/ in fsys, as Load does,
// and lists the rule packages under policy/rules.
func compileRules(b *testing.B, fsys fs.FS) (*ast.Compiler, storage.Store, []string) {
	b.Helper()
	modules := map[string]*ast.Module{}
	err := fs.WalkDir(fsys, Dir, func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(name, ".rego") || strings.HasSuffix(name, "_test.rego") {
			return err
		}
		src, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		m, err := ast.ParseModuleWithOpts(name, string(src), ast.ParserOptions{ProcessAnnotation: true, RegoVersion: ast.RegoV1})
		modules[name] = m
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	compiler := ast.NewCompiler().WithCapabilities(Capabilities())
	if compiler.Compile(modules); compiler.Failed() {
		b.Fatal(compiler.Errors)
	}
	raw, err := fs.ReadFile(fsys, path.Join(Dir, "data.json"))
	if err != nil {
		b.Fatal(err)
	}
	data := map[string]any{}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	if err := dec.Decode(&data); err != nil {
		b.Fatal(err)
	}
	entries, err := fs.ReadDir(fsys, path.Join(Dir, "rules"))
	if err != nil {
		b.Fatal(err)
	}
	var ids []string
	for _, e := range entries {
		if e.IsDir() {
			ids = append(ids, e.Name())
		}
	}
	return compiler, inmem.NewFromObject(data), ids
}
