package policy

import (
	"context"
	"io/fs"
	"os"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/triangulate-nhs/triangulate/internal/generate"
	"github.com/triangulate-nhs/triangulate/internal/plan"
	"github.com/triangulate-nhs/triangulate/internal/register"
	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

// TestPerRuleMatchesEntrypoint: the rules evaluated one query each, side by
// side, give exactly the findings of the single entrypoint query, in the
// same order, on the bundled plans and on a generated England with problems
// planted in half of its trusts.
func TestPerRuleMatchesEntrypoint(t *testing.T) {
	faults, err := generate.Generate(os.DirFS(testutil.Root(t)), generate.Options{Systems: 4, Seed: 7, Faults: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	england := fstest.MapFS{}
	for name, data := range faults {
		england[name] = &fstest.MapFile{Data: data, Mode: 0o644}
	}
	for name, fsys := range map[string]fstest.MapFS{"bundled": testutil.RepoFS(t), "england with faults": england} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			e, err := Load(ctx, fsys)
			if err != nil {
				t.Fatal(err)
			}
			if len(e.perRule) != len(e.rules) {
				t.Fatalf("%d per-rule queries for %d rules: the repository's entrypoint is the plain union", len(e.perRule), len(e.rules))
			}
			set, regs := loadSet(t, fsys)
			e.perRuleMinPlans = 0
			got, err := e.Evaluate(ctx, set, regs)
			if err != nil {
				t.Fatal(err)
			}
			single := *e
			single.perRule = nil
			want, err := single.Evaluate(ctx, set, regs)
			if err != nil {
				t.Fatal(err)
			}
			if len(want) == 0 {
				t.Fatal("no findings to compare")
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("per-rule findings differ from the entrypoint's:\n got %v\nwant %v", got, want)
			}
		})
	}
}

func loadSet(t *testing.T, fsys fs.FS) (*plan.Set, register.Registers) {
	t.Helper()
	s, err := plan.LoadSchema(fsys)
	if err != nil {
		t.Fatal(err)
	}
	set, err := s.Load(fsys, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	regs, bad := register.Load(fsys, s)
	if len(bad) > 0 {
		t.Fatalf("register: %v", bad)
	}
	return set, regs
}

// TestPerRuleOnlyForThePlainUnion: any entrypoint other than the plain union
// of data.triangulate.rules[id].findings, or rules or data that the union
// would read beyond one package per id, is evaluated as written, in one
// query.
func TestPerRuleOnlyForThePlainUnion(t *testing.T) {
	const mainFile = "policy/main/main.rego"
	tests := []struct {
		name  string
		files map[string]string
		want  bool
	}{
		{"the repository", nil, true},
		{"a helper package under rules", map[string]string{
			"policy/rules/zz/helpers/helpers.rego": "package triangulate.rules.zz.helpers\n\nlimit := 3\n",
		}, true},
		{"entrypoint that filters", map[string]string{
			mainFile: strings.Replace(unionSource, "some f in data.triangulate.rules[id].findings", "some f in data.triangulate.rules[id].findings\n\tf.severity == \"error\"", 1),
		}, false},
		{"second entrypoint rule", map[string]string{
			mainFile: unionSource + "\nfindings contains {\"rule\": \"X01\"}\n",
		}, false},
		{"entrypoint added to from another file", map[string]string{
			"policy/extra/extra.rego": "package triangulate.main\n\nfindings contains {\"rule\": \"X01\"}\n",
		}, false},
		{"entrypoint added to by a ref head", map[string]string{
			"policy/extra/extra.rego": "package triangulate\n\nmain.findings contains {\"rule\": \"X01\"}\n",
		}, false},
		{"a rule package defined whole", map[string]string{
			"policy/extra/extra.rego": "package triangulate.rules\n\nx01 := {\"findings\": [{\"rule\": \"X01\"}]}\n",
		}, false},
		{"findings in the base data", map[string]string{
			"policy/data.json": `{"triangulate": {"rules": {"x01": {"findings": [{"rule": "X01"}]}}}}`,
		}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fsys := testutil.RepoFS(t)
			for name, src := range tc.files {
				fsys[name] = &fstest.MapFile{Data: []byte(src)}
			}
			e, err := Load(context.Background(), fsys)
			if err != nil {
				t.Fatal(err)
			}
			if got := len(e.perRule) > 0; got != tc.want {
				t.Errorf("per-rule evaluation %v, want %v", got, tc.want)
			}
		})
	}
}
