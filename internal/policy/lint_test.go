package policy_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

// TestRegoLint holds the policies to the Regal rules the project has been
// bitten by. Regal itself is not served by the module proxy here, so the
// three checks it would make on these policies are made from OPA's own AST:
//
//   - ambiguous-scope: METADATA above one definition of a rule that has
//     several, without saying whether it documents that definition or all;
//   - shadowing: a variable or argument named like a builtin (count, sum);
//   - non-loop-expression: a threshold looked up after a `some`, so it is
//     evaluated once per iteration instead of once.
func TestRegoLint(t *testing.T) {
	root := testutil.Root(t)
	var problems []string
	err := filepath.WalkDir(filepath.Join(root, "policy"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".rego") {
			return err
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		m, err := ast.ParseModuleWithOpts(rel, string(src), ast.ParserOptions{ProcessAnnotation: true, RegoVersion: ast.RegoV1})
		if err != nil {
			return err
		}
		problems = append(problems, lintModule(rel, string(src), m)...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(problems)
	for _, p := range problems {
		t.Error(p)
	}
}

// TestRegoLintCanFail: each check reports the mistake it exists for.
func TestRegoLintCanFail(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"ambiguous scope", "package x\n\n# METADATA\n# description: d\nf(1) := 1\n\nf(2) := 2\n", "ambiguous-scope"},
		{"explicit scope", "package x\n\n# METADATA\n# scope: document\n# description: d\nf(1) := 1\n\nf(2) := 2\n", ""},
		{"shadowed builtin", "package x\n\nr if {\n\tcount := 1\n\tcount > 0\n}\n", "shadows the builtin count"},
		{"shadowing argument", "package x\n\nf(sum) := sum + 1\n", "shadows the builtin sum"},
		{"threshold after some", "package x\n\nr contains v if {\n\tsome v in input.xs\n\tlimit := data.triangulate.thresholds.a\n\tv > limit\n}\n", "non-loop-expression"},
		{"threshold before some", "package x\n\nr contains v if {\n\tlimit := data.triangulate.thresholds.a\n\tsome v in input.xs\n\tv > limit\n}\n", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := ast.ParseModuleWithOpts("x.rego", tc.src, ast.ParserOptions{ProcessAnnotation: true, RegoVersion: ast.RegoV1})
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Join(lintModule("x.rego", tc.src, m), "\n")
			if tc.want == "" && got != "" || tc.want != "" && !strings.Contains(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func lintModule(file, src string, m *ast.Module) []string {
	var out []string
	lines := strings.Split(src, "\n")
	defs := map[string]int{}
	for _, r := range m.Rules {
		defs[r.Head.Ref().String()]++
	}
	for _, r := range m.Rules {
		name := r.Head.Ref().String()
		for _, a := range r.Annotations {
			if a.Scope == "rule" && defs[name] > 1 && !explicitScope(lines, a.Location.Row) {
				out = append(out, file+":"+strconv.Itoa(a.Location.Row)+": ambiguous-scope: METADATA above one of "+strconv.Itoa(defs[name])+" definitions of "+name+"; say scope: document or scope: rule")
			}
		}
		for _, v := range declared(r) {
			if _, ok := ast.BuiltinMap[string(v)]; ok {
				out = append(out, file+":"+strconv.Itoa(r.Location.Row)+": "+name+": variable "+string(v)+" shadows the builtin "+string(v))
			}
		}
		seenSome := false
		for _, e := range r.Body {
			if isSome(e) {
				seenSome = true
				continue
			}
			if seenSome && thresholdLookup(e) {
				out = append(out, file+":"+strconv.Itoa(e.Location.Row)+": non-loop-expression: "+e.String()+" does not depend on the loop; look the threshold up before the first some")
			}
		}
	}
	return dedupe(out)
}

// declared lists the variables a rule names itself: function arguments,
// the left of :=, and the variables of some.
func declared(r *ast.Rule) []ast.Var {
	var out []ast.Var
	collect := func(x any) {
		ast.WalkVars(x, func(v ast.Var) bool {
			out = append(out, v)
			return false
		})
	}
	for _, a := range r.Head.Args {
		collect(a)
	}
	ast.WalkExprs(r, func(e *ast.Expr) bool {
		switch t := e.Terms.(type) {
		case *ast.SomeDecl:
			for _, sym := range t.Symbols {
				if call, ok := sym.Value.(ast.Call); ok && len(call) > 1 {
					for _, arg := range call[1 : len(call)-1] {
						collect(arg)
					}
					continue
				}
				collect(sym)
			}
		case []*ast.Term:
			if e.IsAssignment() && len(t) == 3 {
				collect(t[1])
			}
		}
		return false
	})
	return out
}

// explicitScope reports whether the METADATA block starting at row says
// its scope.
func explicitScope(lines []string, row int) bool {
	for i := row; i < len(lines) && strings.HasPrefix(strings.TrimSpace(lines[i]), "#"); i++ {
		if strings.HasPrefix(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(lines[i]), "#")), "scope:") {
			return true
		}
	}
	return false
}

func isSome(e *ast.Expr) bool {
	if _, ok := e.Terms.(*ast.SomeDecl); ok {
		return true
	}
	return false
}

// thresholdLookup: `x := <ref into thresholds>` with nothing else in it.
func thresholdLookup(e *ast.Expr) bool {
	if !e.IsAssignment() && !e.IsEquality() {
		return false
	}
	terms, ok := e.Terms.([]*ast.Term)
	if !ok || len(terms) != 3 {
		return false
	}
	ref, ok := terms[2].Value.(ast.Ref)
	if !ok || !strings.Contains(ref.String(), "thresholds") {
		return false
	}
	loopFree := true
	for _, t := range ref[1:] {
		ast.WalkVars(t, func(ast.Var) bool {
			loopFree = false
			return true
		})
	}
	return loopFree
}

func dedupe(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}
