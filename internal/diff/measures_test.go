package diff

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/build"
	"cuelang.org/go/cue/cuecontext"
	"cuelang.org/go/cue/parser"

	"github.com/triangulate-nhs/triangulate/internal/plan"
	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

// schemaDef compiles the repository's schema, as the loader does, and
// returns one definition.
func schemaDef(t *testing.T, def string) cue.Value {
	t.Helper()
	dir := filepath.Join(testutil.Root(t), plan.SchemaDir)
	names, err := filepath.Glob(filepath.Join(dir, "*.cue"))
	if err != nil || len(names) == 0 {
		t.Fatalf("find schema files in %s: %v", dir, err)
	}
	inst := build.NewContext().NewInstance(plan.SchemaDir, nil)
	for _, name := range names {
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(name, src)
		if err != nil {
			t.Fatal(err)
		}
		if err := inst.AddSyntax(f); err != nil {
			t.Fatal(err)
		}
	}
	v := cuecontext.New().BuildInstance(inst).LookupPath(cue.ParsePath(def))
	if !v.Exists() {
		t.Fatalf("schema has no %s", def)
	}
	return v
}

// leaf is one field a key-figure struct reads, with a value of the type
// the struct reads it as.
type leaf struct {
	path   []cue.Selector
	sample any
}

// leaves lists every field typ reads. keys gives a sample key for each map
// (a CUE pattern such as [#CCGCode]), by the map's dotted path.
func leaves(t *testing.T, typ reflect.Type, path []cue.Selector, keys map[string]string) []leaf {
	twelve := make([]int, 12)
	for i := range twelve {
		twelve[i] = 1
	}
	switch typ.Kind() {
	case reflect.Pointer:
		return leaves(t, typ.Elem(), path, keys)
	case reflect.Struct:
		var out []leaf
		for f := range typ.Fields() {
			if f.Anonymous {
				out = append(out, leaves(t, f.Type, path, keys)...)
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" {
				t.Fatalf("%s.%s has no json name: it would read a field the schema may not have", typ, f.Name)
			}
			out = append(out, leaves(t, f.Type, append(append([]cue.Selector{}, path...), cue.Str(name)), keys)...)
		}
		return out
	case reflect.Map:
		key, ok := keys[cue.MakePath(path...).String()]
		if !ok {
			t.Fatalf("no sample key for the map at %s", cue.MakePath(path...))
		}
		return leaves(t, typ.Elem(), append(append([]cue.Selector{}, path...), cue.Str(key)), keys)
	case reflect.Slice:
		return []leaf{{path, twelve}}
	case reflect.Float64:
		return []leaf{{path, 1}}
	case reflect.String:
		return []leaf{{path, "x"}}
	}
	t.Fatalf("key figures read %s at %s: teach this test the type", typ, cue.MakePath(path...))
	return nil
}

// schemaRejects returns, for each field typ reads, the schema's complaint
// when a value of the type the struct reads is put there; none for a path
// the schema defines with a matching type.
func schemaRejects(t *testing.T, def cue.Value, typ reflect.Type, keys map[string]string) []string {
	var out []string
	for _, l := range leaves(t, typ, nil, keys) {
		if err := def.FillPath(cue.MakePath(l.path...), l.sample).Validate(); err != nil {
			out = append(out, err.Error())
		}
	}
	return out
}

// TestMeasurePathsExistInSchema: every field the key figures read is a
// field of the schema with the type the figures read it as. A misspelt or
// renamed field would otherwise decode as absent and show "n/a".
func TestMeasurePathsExistInSchema(t *testing.T) {
	tests := []struct {
		def  string
		typ  reflect.Type
		keys map[string]string
	}{
		{"#ProviderPlan", reflect.TypeFor[providerPlan](), map[string]string{"activity": "09N", "finance.income.by_commissioner": "09N"}},
		{"#CommissionerPlan", reflect.TypeFor[commissionerPlan](), map[string]string{"contracts": "RTK"}},
	}
	for _, tc := range tests {
		t.Run(tc.def, func(t *testing.T) {
			def := schemaDef(t, tc.def)
			if n := len(leaves(t, tc.typ, nil, tc.keys)); n < 5 {
				t.Fatalf("%d fields found, want every field the figures read", n)
			}
			for _, err := range schemaRejects(t, def, tc.typ, tc.keys) {
				t.Error(err)
			}
		})
	}
}

// TestSchemaCheckCanFail: the check above fails on a misspelt field, a
// field of the wrong type and a map key the schema refuses.
func TestSchemaCheckCanFail(t *testing.T) {
	def := schemaDef(t, "#ProviderPlan")
	type misspelt struct {
		Finance struct {
			Surplus *float64 `json:"surplsu"`
		} `json:"finance"`
	}
	type wrongType struct {
		Workforce struct {
			Total *float64 `json:"total"` // a list of twelve months
		} `json:"workforce"`
	}
	type wrongKey struct {
		Activity map[string]activityLines `json:"activity"`
	}
	for name, got := range map[string][]string{
		"misspelt":   schemaRejects(t, def, reflect.TypeFor[misspelt](), nil),
		"wrong type": schemaRejects(t, def, reflect.TypeFor[wrongType](), nil),
		"wrong key":  schemaRejects(t, def, reflect.TypeFor[wrongKey](), map[string]string{"activity": "RTK"}),
	} {
		if len(got) == 0 {
			t.Errorf("%s: the schema check passed", name)
		}
	}
}

// TestBundledPlansHaveEveryMeasure: each bundled provider and commissioner
// plan decodes, and every measure is stated by at least one of them (a
// mental health trust has no A&E line, so not by all).
func TestBundledPlansHaveEveryMeasure(t *testing.T) {
	fsys := testutil.RepoFS(t)
	s, err := plan.LoadSchema(fsys)
	if err != nil {
		t.Fatal(err)
	}
	set, err := s.Load(fsys, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	stated := map[string]map[string]bool{"provider": {}, "commissioner": {}}
	for _, d := range set.Documents {
		if d.Kind != "provider" && d.Kind != "commissioner" {
			continue
		}
		ms, err := Compare(nil, d, Options{Monthly: true, Counterparties: true})
		if err != nil || !d.Valid {
			t.Errorf("%s: valid %v, %v", d.File, d.Valid, err)
		}
		for _, m := range ms {
			stated[d.Kind][m.Key] = true
		}
	}
	for _, l := range providerLines([]string{"09N"}) {
		for _, k := range []string{l.key, l.key + ".m12"} {
			if !stated["provider"][k] && (k == l.key || l.unit != Money || strings.HasPrefix(k, "income.by_commissioner")) {
				t.Errorf("no bundled provider plan states %q", k)
			}
		}
	}
	for _, l := range commissionerLines([]string{"RTK"}) {
		if !stated["commissioner"][l.key] {
			t.Errorf("no bundled commissioner plan states %q", l.key)
		}
	}
}

// TestDecodeFailsLoudlyOnlyForValidPlans: a plan that passed the schema but
// does not decode is an error; one that failed the schema with a value of
// the wrong type is not read.
func TestDecodeFailsLoudlyOnlyForValidPlans(t *testing.T) {
	data := map[string]any{"finance": map[string]any{"surplus": "not a number", "qipp": 5}}
	if _, err := decodePlan[commissionerPlan](&plan.Document{File: "x.cue", Valid: true, Data: data}); err == nil {
		t.Error("a valid plan that does not decode gave no error")
	}
	if p, err := decodePlan[commissionerPlan](&plan.Document{File: "x.cue", Data: data}); p != nil || err != nil {
		t.Errorf("invalid plan: %+v, %v; want it unread, so no zero stands for its text", p, err)
	}
	// A plan that failed the schema for another reason is read.
	ok := map[string]any{"finance": map[string]any{"surplus": -5, "qipp": 5}}
	if p, err := decodePlan[commissionerPlan](&plan.Document{File: "x.cue", Data: ok}); err != nil || p == nil || *p.Finance.Surplus != -5 {
		t.Errorf("invalid plan of the right types: %+v, %v; want it read", p, err)
	}
}
