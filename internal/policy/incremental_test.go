package policy

import (
	"context"
	"encoding/json"
	"maps"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/triangulate-nhs/triangulate/internal/generate"
	"github.com/triangulate-nhs/triangulate/internal/plan"
	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

// TestEveryRuleDeclaresItsReach: the repository's rules each say what their
// findings read, so none falls back to being evaluated over every plan by
// omission; only the national asks read everything.
func TestEveryRuleDeclaresItsReach(t *testing.T) {
	e, err := Load(context.Background(), testutil.RepoFS(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range e.Rules() {
		reach := e.reach[r.ID]
		national := strings.HasPrefix(r.ID, "N")
		if national != (reach == ReadsAll) {
			t.Errorf("%s reads %q", r.ID, reach)
		}
		if _, ok := e.packageReach(e.pkgOf[r.ID]); !ok {
			t.Errorf("%s: package %q has no single reach", r.ID, e.pkgOf[r.ID])
		}
	}
}

// TestReachMetadata: custom.reads takes plan, pair, system or all; no
// value means all; anything else is refused when the policies load.
func TestReachMetadata(t *testing.T) {
	const file = "policy/rules/b05/b05.rego"
	tests := []struct {
		name, line string
		want       Reach
		wantErr    bool
	}{
		{"plan", "#   reads: plan\n", ReadsPlan, false},
		{"pair", "#   reads: pair\n", ReadsPair, false},
		{"system", "#   reads: system\n", ReadsSystem, false},
		{"all", "#   reads: all\n", ReadsAll, false},
		{"absent", "", ReadsAll, false},
		{"unknown", "#   reads: region\n", "", true},
		{"not a string", "#   reads: [plan]\n", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fsys := testutil.RepoFS(t)
			src := regexp.MustCompile(`(?m)^#   reads: \w+\n`).ReplaceAllString(string(fsys[file].Data), tc.line)
			fsys[file] = &fstest.MapFile{Data: []byte(src)}
			e, err := Load(context.Background(), fsys)
			if tc.wantErr {
				if err == nil || !strings.Contains(err.Error(), "custom.reads") || !strings.Contains(err.Error(), file) {
					t.Fatalf("error %v, want one naming custom.reads and %s", err, file)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := e.reach["B05"]; got != tc.want {
				t.Errorf("B05 reads %q, want %q", got, tc.want)
			}
		})
	}
}

// TestChangeScopeIsSmall: in a generated England, a change to one trust's
// plan is judged by plan rules on that plan alone, by pair rules on it and
// its commissioners, and by system rules on the members of its system:
// each a small part of the 400-odd plans.
func TestChangeScopeIsSmall(t *testing.T) {
	files, err := generate.Generate(os.DirFS(testutil.Root(t)), generate.Options{Systems: generate.DefaultSystems, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{}
	for name, data := range files {
		fsys[name] = &fstest.MapFile{Data: data}
	}
	set, _ := loadSet(t, fsys)
	var trust *plan.Document
	for _, d := range set.Documents {
		if d.Kind == "provider" {
			trust = d
			break
		}
	}
	s := reachOfChange(map[string]bool{trust.Org: true}, set, set)
	docs := yearDocs(set, trust.Year)
	plans := 0
	for _, d := range docs {
		if d.Kind != "system" {
			plans++
		}
	}
	count := func(r Reach) int {
		n := 0
		for _, d := range s.docs(r, docs) {
			if d.Kind != "system" {
				n++
			}
		}
		return n
	}
	if n := count(ReadsPlan); n != 1 {
		t.Errorf("plan rules read %d plans, want 1", n)
	}
	if n := count(ReadsPair); n < 2 || n > plans/10 {
		t.Errorf("pair rules read %d of %d plans", n, plans)
	}
	if n := count(ReadsSystem); n < 2 || n > plans/10 {
		t.Errorf("system rules read %d of %d plans", n, plans)
	}
	if n := count(ReadsAll); n != plans {
		t.Errorf("national rules read %d of %d plans", n, plans)
	}
	if !s.systems[trust.Data["system"].(string)] {
		t.Errorf("the trust's system %v is not among those affected: %v", trust.Data["system"], s.systems)
	}
}

// TestEvaluateChangeFallsBack: a change the rules' reach cannot bound is
// evaluated over the whole set, and gives Evaluate's findings: the
// reference list changed (a system's members with it), and an entrypoint
// that is not the plain union of the rules.
func TestEvaluateChangeFallsBack(t *testing.T) {
	ctx := context.Background()
	base := testutil.RepoFS(t)
	const refList = plan.ReferenceListFile
	tests := []struct {
		name   string
		policy map[string]string
		change func(fs fstest.MapFS)
	}{
		{"reference list", nil, func(fs fstest.MapFS) {
			// RA2 leaves QXU: its system's sums change with no plan
			// changed.
			src := regexp.MustCompile(`(RA2: \{[^}]*system: )"QXU"`).ReplaceAllString(string(fs[refList].Data), `$1"QAA"`)
			fs[refList] = &fstest.MapFile{Data: []byte(src)}
		}},
		{"entrypoint filters", map[string]string{
			"policy/main/main.rego": strings.Replace(unionSource, "some f in data.triangulate.rules[id].findings", "some f in data.triangulate.rules[id].findings\n\tf.severity != \"info\"", 1),
		}, editSurplus},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := fstest.MapFS{}
			for k, v := range base {
				before[k] = v
			}
			for name, src := range tc.policy {
				before[name] = &fstest.MapFile{Data: []byte(src)}
			}
			after := fstest.MapFS{}
			for k, v := range before {
				after[k] = v
			}
			tc.change(after)
			e, err := Load(ctx, before)
			if err != nil {
				t.Fatal(err)
			}
			e.perRuleMinPlans = 0
			prev, regs := loadSet(t, before)
			set, _ := loadSet(t, after)
			prevFindings, err := e.Evaluate(ctx, prev, regs)
			if err != nil {
				t.Fatal(err)
			}
			want, err := e.Evaluate(ctx, set, regs)
			if err != nil {
				t.Fatal(err)
			}
			got, err := e.EvaluateChange(ctx, prev, prevFindings, set, regs, plan.ChangedFiles(prev, set))
			if err != nil {
				t.Fatal(err)
			}
			if reflect.DeepEqual(want, prevFindings) {
				t.Fatal("the change moved no finding: nothing is shown")
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("findings differ from a full evaluation:\n got %v\nwant %v", got, want)
			}
		})
	}
}

// editSurplus lowers RTK's planned surplus, which moves C01 and C03.
func editSurplus(fs fstest.MapFS) {
	const name = "plans/2019-20/providers/rtk.cue"
	src := regexp.MustCompile(`(?m)^(\tsurplus: +)(-?\d+)$`).ReplaceAllString(string(fs[name].Data), "${1}-90000")
	fs[name] = &fstest.MapFile{Data: []byte(src)}
}

// TestPlanFieldsMetadata: custom.plan_fields takes a list of dotted paths,
// only on a rule that reads every plan; anything else is refused when the
// policies load, naming the file.
func TestPlanFieldsMetadata(t *testing.T) {
	tests := []struct {
		name, file, lines string
		want              [][]string
		wantErr           string
	}{
		{"paths", "policy/rules/n04/n04.rego", "#   plan_fields:\n#     - finance.mental_health\n#     - prior_year\n", [][]string{{"finance", "mental_health"}, {"prior_year"}}, ""},
		{"absent", "policy/rules/n04/n04.rego", "", nil, ""},
		{"not a list", "policy/rules/n04/n04.rego", "#   plan_fields: finance.mental_health\n", nil, "not a list of paths"},
		{"empty segment", "policy/rules/n04/n04.rego", "#   plan_fields:\n#     - finance..mental_health\n", nil, "not a dotted path"},
		{"not a string", "policy/rules/n04/n04.rego", "#   plan_fields:\n#     - 3\n", nil, "not a dotted path"},
		{"a plan rule", "policy/rules/b05/b05.rego", "#   plan_fields:\n#     - finance.surplus\n", nil, "only for a rule that reads all plans"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fsys := testutil.RepoFS(t)
			src := regexp.MustCompile(`(?m)^#   plan_fields:\n(#     - .*\n)*`).ReplaceAllString(string(fsys[tc.file].Data), "")
			src = regexp.MustCompile(`(?m)^#   reads: \w+\n`).ReplaceAllStringFunc(src, func(s string) string { return s + tc.lines })
			fsys[tc.file] = &fstest.MapFile{Data: []byte(src)}
			e, err := Load(context.Background(), fsys)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), tc.file) {
					t.Fatalf("error %v, want one saying %q and naming %s", err, tc.wantErr, tc.file)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, e.fields["N04"]); d != "" {
				t.Errorf("N04 fields (-want +got):\n%s", d)
			}
			if (tc.want == nil) != (e.allFields == nil) {
				t.Errorf("all-plan fields %v with N04 declaring %v", e.allFields, tc.want)
			}
		})
	}
}

// TestPlanFieldsSuffice: the rules that read every plan read no more of a
// plan than they declare (custom.plan_fields). Over a generated England
// with faults, every national ask set and the plans edited so that each
// rule finds something, each finds exactly the same over plans cut down to
// the declared fields as over whole plans. A rule reading an undeclared
// field finds nothing (or less) over the cut plans, and fails here.
func TestPlanFieldsSuffice(t *testing.T) {
	files, err := generate.Generate(os.DirFS(testutil.Root(t)), generate.Options{Systems: generate.DefaultSystems, Seed: 3, Faults: 0.3})
	if err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{}
	for name, data := range files {
		fsys[name] = &fstest.MapFile{Data: data}
	}
	set, regs := loadSet(t, fsys)
	e, err := Load(context.Background(), fsys)
	if err != nil {
		t.Fatal(err)
	}
	if e.allFields == nil {
		t.Fatal("the national rules do not all declare plan_fields")
	}
	year := set.Years()[0]
	docs := yearDocs(set, year)
	// Every provider's lists grew from a year before, every CCG's mental
	// health spend stood still: each national ask has something to find.
	for _, d := range docs {
		prior, _ := d.Data["prior_year"].(map[string]any)
		switch {
		case prior == nil:
		case d.Kind == "provider":
			prior["rtt_waiting_list_march"] = json.Number("0")
			prior["waits_52_weeks_march"] = json.Number("1")
		case d.Kind == "commissioner":
			if fin, ok := d.Data["finance"].(map[string]any); ok {
				fin["mental_health"] = prior["mental_health"]
			}
		}
	}
	reg := maps.Clone(regs.Data(year))
	reg["national_asks"] = map[string]any{
		"provider_sector_surplus_min":       json.Number("100000000"),
		"rtt_waiting_list_no_growth":        true,
		"waits_52_weeks_max_pct":            json.Number("0"),
		"mental_health_investment_standard": true,
	}
	idx := e.groups[ReadsAll]
	var results [2][][]any
	for i, fields := range [][][]string{nil, e.allFields} {
		in, err := inputValue(input(set, docs, reg, year), docs, fields)
		if err != nil {
			t.Fatal(err)
		}
		if results[i], err = e.evalRules(context.Background(), in, idx); err != nil {
			t.Fatal(err)
		}
	}
	for n, i := range idx {
		if len(results[0][n]) == 0 {
			t.Errorf("%s found nothing over whole plans: the test cannot tell", e.ids[i])
		}
		if d := cmp.Diff(results[0][n], results[1][n]); d != "" {
			t.Errorf("%s over plans cut to %v differs (-whole +cut):\n%s", e.ids[i], e.allFields, d)
		}
	}
}
