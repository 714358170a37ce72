package plan

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/triangulate-nhs/triangulate/internal/generate"
	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

// fastPair is the repository's schema twice: with its fast validator, and
// without it, as every file was checked before there was one.
type fastPair struct {
	fast, slow *Schema
}

func newFastPair(t testing.TB, fsys fs.FS) *fastPair {
	t.Helper()
	fast, err := LoadSchema(fsys)
	if err != nil {
		t.Fatal(err)
	}
	slow, err := LoadSchema(fsys)
	if err != nil {
		t.Fatal(err)
	}
	slow.fast, slow.ev.fast = nil, nil
	return &fastPair{fast: fast, slow: slow}
}

func (p *fastPair) check(t testing.TB, s *Schema, name string, src []byte) checked {
	t.Helper()
	r, err := s.checkFile(context.Background(), name, src, DefaultFileDeadline)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// compare checks one file both ways. It fails when the fast validator
// accepted a file CUE does not accept, or when the two checks differ in
// anything a caller sees. It returns the fast check's outcome.
func (p *fastPair) compare(t testing.TB, name string, src []byte) (fast checked, slow checked) {
	t.Helper()
	fast = p.check(t, p.fast, name, src)
	slow = p.check(t, p.slow, name, src)
	if fast.fast && len(slow.findings) > 0 {
		t.Errorf("%s: fast path accepted a file CUE reports on: %v\n%s", name, slow.findings, abbrevSrc(src))
		return fast, slow
	}
	if !reflect.DeepEqual(fast.findings, slow.findings) || fast.omitted != slow.omitted {
		t.Errorf("%s: findings differ:\nfast %v\nslow %v", name, fast.findings, slow.findings)
	}
	if (fast.doc == nil) != (slow.doc == nil) {
		t.Errorf("%s: document differs", name)
	} else if fast.doc != nil {
		a, b := fast.doc, slow.doc
		if a.Kind != b.Kind || a.Org != b.Org || a.Year != b.Year || a.Valid != b.Valid ||
			!reflect.DeepEqual(a.Data, b.Data) || !reflect.DeepEqual(a.refs, b.refs) || !reflect.DeepEqual(a.index, b.index) {
			t.Errorf("%s: documents differ", name)
		}
	}
	return fast, slow
}

func abbrevSrc(src []byte) string {
	if len(src) > 2000 {
		return string(src[:2000]) + "..."
	}
	return string(src)
}

// planFiles lists the plan files of a repository file system: every .cue
// file but the schema package itself.
func planFiles(fsys fstest.MapFS) []string {
	var out []string
	for name := range fsys {
		if !strings.HasSuffix(name, ".cue") || path.Dir(name) == SchemaDir || strings.HasPrefix(name, "cue.mod/") {
			continue
		}
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

type corpus struct {
	name string
	fsys fstest.MapFS
}

func fastCorpora(t *testing.T) []corpus {
	systems := generate.DefaultSystems
	if testing.Short() {
		systems = 4
	}
	out := []corpus{{name: "repository", fsys: testutil.RepoFS(t)}}
	for _, seed := range []uint64{1, 7, 11} {
		for _, faults := range []float64{0, 0.3} {
			out = append(out, corpus{
				name: fmt.Sprintf("england-seed%d-faults%v", seed, faults),
				fsys: testutil.EnglandFaultsFS(t, systems, seed, faults),
			})
		}
	}
	return out
}

// TestFastPathSound checks every plan file of the repository (with
// schema/testdata, good and bad) and of generated Englands both ways: the
// fast path changes no finding, and it accepts every file CUE accepts.
func TestFastPathSound(t *testing.T) {
	pair := newFastPair(t, testutil.RepoFS(t))
	for _, c := range fastCorpora(t) {
		t.Run(c.name, func(t *testing.T) {
			files := planFiles(c.fsys)
			valid, fast, bad := 0, 0, 0
			for _, name := range files {
				f, s := pair.compare(t, name, c.fsys[name].Data)
				switch {
				case len(s.findings) == 0 && s.doc != nil:
					valid++
					if !f.fast {
						t.Errorf("%s: CUE accepts it, the fast path does not", name)
					}
				default:
					bad++
				}
				if f.fast {
					fast++
				}
			}
			t.Logf("%d files: CUE accepts %d, the fast path %d; %d with findings", len(files), valid, fast, bad)
			if valid == 0 {
				t.Error("no file accepted: the corpus proves nothing")
			}
		})
	}
}

// TestFastSchemaCompiles: every kind of the repository's schema has a
// fast validator.
func TestFastSchemaCompiles(t *testing.T) {
	s, err := LoadSchema(testutil.RepoFS(t))
	if err != nil {
		t.Fatal(err)
	}
	for kind := range kinds {
		if s.fast.kinds[kind] == nil {
			t.Errorf("%s: no fast validator: %s", kind, s.fast.skipped[kind])
		}
	}
}

// TestFastSchemaOutsideSubset: a definition using CUE the fast validator
// does not model has none, the kinds that use it are checked by CUE, and
// their findings are CUE's.
func TestFastSchemaOutsideSubset(t *testing.T) {
	provider := "plans/2019-20/providers/rtk.cue"
	commissioner := "plans/2019-20/commissioners/09n.cue"
	for _, tc := range []struct {
		name, file, old, new string
		// without lists the kinds left without a fast validator; with,
		// kinds that keep theirs.
		without, with []string
		// plan, line and to: a plan with a line changed to break the new
		// constraint; want: in the finding CUE gives.
		plan, line, to, want string
	}{
		{
			name: "builtin call", file: "schema/common.cue",
			old: "package schema\n", new: "package schema\n\nimport \"strings\"\n",
			without: []string{"provider", "commissioner", "system"}, with: []string{"organisations", "register", "waivers"},
			plan: provider, line: `(?m)^name: .*$`, to: `name: ""`, want: "invalid value",
		},
		{
			name: "let", file: "schema/provider.cue",
			old: `	if type == "acute" {`, new: "	let acute = \"acute\"\n\tif type == acute {",
			without: []string{"provider"}, with: []string{"commissioner", "system", "organisations", "register", "waivers"},
			plan: provider, line: `(?m)^type: .*$`, to: `type: "hospice"`, want: "hospice",
		},
		{
			name: "unknown operator", file: "schema/commissioner.cue",
			old: `	status: "draft" | "final"`, new: `	status: "draft" | "final" & !="withdrawn"`,
			without: []string{"commissioner"}, with: []string{"provider", "system", "organisations", "register", "waivers"},
			plan: commissioner, line: `(?m)^status: .*$`, to: `status: "withdrawn"`, want: "withdrawn",
		},
		{
			name: "unresolved reference", file: "schema/system.cue",
			old: `	members: [...#OrgCode]`, new: `	members: [...#OrgCode]
	lead?: kind`,
			without: []string{"system"}, with: []string{"provider", "commissioner", "organisations", "register", "waivers"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys := testutil.RepoFS(t)
			src := string(fsys[tc.file].Data)
			if !strings.Contains(src, tc.old) {
				t.Fatalf("%s lacks %q", tc.file, tc.old)
			}
			src = strings.Replace(src, tc.old, tc.new, 1)
			if tc.name == "builtin call" {
				src = strings.Replace(src, "	name:       string & =~\"[^ \\t\\n]\"\n}", "	name:       string & strings.MinRunes(1)\n}", 1)
				if !strings.Contains(src, "strings.MinRunes") {
					t.Fatal("edit of #Header failed")
				}
			}
			fsys[tc.file] = &fstest.MapFile{Data: []byte(src)}
			pair := newFastPair(t, fsys)
			for _, k := range tc.without {
				if pair.fast.fast.kinds[k] != nil {
					t.Errorf("%s: fast validator compiled from a schema outside the subset", k)
				} else if pair.fast.fast.skipped[k] == "" {
					t.Errorf("%s: no reason given", k)
				}
			}
			for _, k := range tc.with {
				if pair.fast.fast.kinds[k] == nil {
					t.Errorf("%s: no fast validator: %s", k, pair.fast.fast.skipped[k])
				}
			}
			// Every bundled plan checks the same with or without it.
			for _, name := range planFiles(fsys) {
				f, _ := pair.compare(t, name, fsys[name].Data)
				kind, _ := f.docKind()
				for _, k := range tc.without {
					if kind == k && f.fast {
						t.Errorf("%s: fast path taken for kind %s", name, k)
					}
				}
			}
			if tc.plan == "" {
				return
			}
			re := regexp.MustCompile(tc.line)
			plan := string(fsys[tc.plan].Data)
			if !re.MatchString(plan) {
				t.Fatalf("%s lacks %s", tc.plan, tc.line)
			}
			plan = re.ReplaceAllLiteralString(plan, tc.to)
			f, s := pair.compare(t, tc.plan, []byte(plan))
			if f.fast || len(s.findings) == 0 {
				t.Fatalf("edited plan: fast %v, findings %v", f.fast, s.findings)
			}
			var msgs []string
			for _, f := range s.findings {
				msgs = append(msgs, f.Rule+" "+f.Message)
			}
			if !strings.Contains(strings.Join(msgs, "\n"), tc.want) {
				t.Errorf("findings %q lack %q", msgs, tc.want)
			}
		})
	}
}

func (r checked) docKind() (string, bool) {
	if r.doc == nil {
		return "", false
	}
	return r.doc.Kind, true
}

// mutation is one change to a plan's data.
type mutation struct {
	name  string
	apply func(root map[string]any)
}

// replacements are the values a leaf is replaced with: wrong types, signs
// and spellings of numbers, empty and blank strings, codes of every shape.
var replacements = []any{
	json.Number("-1"), json.Number("1.0"), json.Number("1e2"), json.Number("-0"), json.Number("0"),
	json.Number("2.5"), json.Number("100"), "x", "", " ", "\t", true, false, nil,
	map[string]any{}, []any{}, "RZZ", "09Z", "QZZ", "ZZZZZ", "2019/20", "2019/21", "2019-13-01",
	"2019-02-30", "acute", "community", "signed", "draft",
}

// mutations lists, deterministically, changes to every part of data: each
// field dropped, an unknown field added to every struct, keys renamed,
// lists shortened and lengthened, leaves replaced, plus the changes the
// schema's conditional parts turn on.
func mutations(data map[string]any) []mutation {
	var out []mutation
	var walk func(v any, path []any)
	walk = func(v any, path []any) {
		p := append([]any(nil), path...)
		switch v := v.(type) {
		case map[string]any:
			keys := make([]string, 0, len(v))
			for k := range v {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			out = append(out, mutation{fmt.Sprintf("%v add unknown", p), func(r map[string]any) {
				dataAt(r, p).(map[string]any)["zz_unknown"] = json.Number("1")
			}})
			for i, k := range keys {
				out = append(out, mutation{fmt.Sprintf("%v drop %s", p, k), func(r map[string]any) {
					delete(dataAt(r, p).(map[string]any), k)
				}})
				to := []string{"BAD", "RZZ", "99Z", "QZZ", "r1x", "zz_unknown"}[i%6]
				out = append(out, mutation{fmt.Sprintf("%v rename %s to %s", p, k, to), func(r map[string]any) {
					m := dataAt(r, p).(map[string]any)
					m[to] = m[k]
					delete(m, k)
				}})
				walk(v[k], append(p, k))
			}
		case []any:
			if len(v) > 0 {
				out = append(out, mutation{fmt.Sprintf("%v drop last", p), func(r map[string]any) {
					setAt(r, p, dataAt(r, p).([]any)[:len(v)-1])
				}}, mutation{fmt.Sprintf("%v repeat last", p), func(r map[string]any) {
					l := dataAt(r, p).([]any)
					setAt(r, p, append(l[:len(l):len(l)], l[len(l)-1]))
				}})
			}
			for i, e := range v {
				walk(e, append(p, i))
			}
		default:
			for j, rep := range replacements {
				out = append(out, mutation{fmt.Sprintf("%v = %v (%d)", p, rep, j), func(r map[string]any) {
					setAt(r, p, clone(rep))
				}})
			}
		}
	}
	walk(data, nil)
	// The schema's conditional parts.
	explanations := []map[string]any{
		{"rule": "A01", "text": "agreed"},
		{"rule": "A01"},
		{"rule": "A01", "text": " "},
		{"rule": "A01", "acknowledge": true},
		{"rule": "A01", "acknowledge": true, "counterparty": "09N"},
		{"rule": "A01", "acknowledge": true, "counterparty": "bad"},
		{"rule": "A01", "acknowledge": false, "counterparty": "09N"},
		{"rule": "A01", "acknowledge": false, "text": "x", "month": json.Number("12")},
		{"rule": "A01", "acknowledge": false, "text": "x", "month": json.Number("13")},
		{"rule": "A01", "acknowledge": "yes", "text": "x"},
		{"rule": "S01", "text": "x"},
		{"rule": "A01", "text": "x", "month": json.Number("1.0")},
		{"rule": "A01", "text": "x", "other": "x"},
	}
	for i, e := range explanations {
		out = append(out, mutation{fmt.Sprintf("explanation %d", i), func(r map[string]any) {
			r["explanations"] = []any{clone(e)}
		}})
	}
	for _, typ := range []string{"acute", "community", "mental_health", "specialist", "hospice"} {
		out = append(out, mutation{"type " + typ, func(r map[string]any) { r["type"] = typ }})
	}
	for _, k := range []string{"rtt", "performance"} {
		out = append(out, mutation{"non-acute with " + k, func(r map[string]any) {
			r["type"] = "community"
		}}, mutation{"acute without " + k, func(r map[string]any) {
			r["type"] = "acute"
			delete(r, k)
		}})
	}
	// A commissioner named in activity or income without a contract
	// status, and one with a status only.
	for _, where := range [][]string{{"activity"}, {"finance", "income", "by_commissioner"}, {"contract_status"}} {
		out = append(out, mutation{fmt.Sprintf("new commissioner in %v", where), func(r map[string]any) {
			var m any = r
			for _, k := range where {
				mm, ok := m.(map[string]any)
				if !ok {
					return
				}
				m = mm[k]
			}
			mm, ok := m.(map[string]any)
			if !ok {
				return
			}
			for _, v := range mm {
				mm["55Q"] = clone(v)
				return
			}
		}})
	}
	return out
}

func dataAt(r any, p []any) any {
	for _, k := range p {
		switch k := k.(type) {
		case string:
			r = r.(map[string]any)[k]
		case int:
			r = r.([]any)[k]
		}
	}
	return r
}

func setAt(r map[string]any, p []any, v any) {
	if len(p) == 0 {
		return
	}
	parent := dataAt(r, p[:len(p)-1])
	switch k := p[len(p)-1].(type) {
	case string:
		parent.(map[string]any)[k] = v
	case int:
		parent.([]any)[k] = v
	}
}

func clone(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[k] = clone(e)
		}
		return m
	case []any:
		l := make([]any, len(v))
		for i, e := range v {
			l[i] = clone(e)
		}
		return l
	}
	return v
}

// mutationBases are the files mutated: the bundled plans, the good
// fixtures and a few generated plans of every kind.
func mutationBases(t *testing.T) map[string][]byte {
	out := map[string][]byte{}
	repo := testutil.RepoFS(t)
	for _, name := range planFiles(repo) {
		if !strings.Contains(name, "/bad/") {
			out[name] = repo[name].Data
		}
	}
	england := testutil.EnglandFaultsFS(t, 2, 7, 0.3)
	taken := map[string]int{}
	for _, name := range planFiles(england) {
		dir := path.Dir(name)
		if strings.HasPrefix(name, "plans/") && taken[dir] < 2 {
			taken[dir]++
			out["generated/"+name] = england[name].Data
		}
	}
	return out
}

// TestFastPathMutations checks thousands of changed plans: whenever the
// fast path accepts one, CUE accepts it too and the check is unchanged.
func TestFastPathMutations(t *testing.T) {
	pair := newFastPair(t, testutil.RepoFS(t))
	perFile := 250
	if testing.Short() {
		perFile = 30
	}
	bases := mutationBases(t)
	names := make([]string, 0, len(bases))
	for n := range bases {
		names = append(names, n)
	}
	sort.Strings(names)
	total, accepted := 0, 0
	for _, name := range names {
		src := bases[name]
		file := strings.TrimPrefix(name, "generated/")
		base := pair.check(t, pair.fast, file, src)
		if base.doc == nil {
			t.Fatalf("%s: not data", name)
		}
		if base.fast != (len(base.findings) == 0) {
			t.Fatalf("%s: the fast path took %v a file with findings %v", name, base.fast, base.findings)
		}
		if again := pair.check(t, pair.fast, file, cueData(t, base.doc.Data)); again.fast != base.fast {
			t.Fatalf("%s: written again as data, the fast path takes it %v, not %v", name, again.fast, base.fast)
		}
		ms := mutations(base.doc.Data)
		// Every mutation of the schema's conditional parts, and of the
		// rest an even spread.
		stride := max(1, len(ms)/perFile)
		for i, m := range ms {
			if i%stride != 0 && strings.HasPrefix(m.name, "[") {
				continue
			}
			data := clone(base.doc.Data).(map[string]any)
			m.apply(data)
			b := cueData(t, data)
			total++
			f := pair.check(t, pair.fast, file, b)
			if !f.fast {
				continue
			}
			accepted++
			if _, s := pair.compare(t, file, b); len(s.findings) > 0 {
				t.Errorf("%s: mutation %s accepted by the fast path", name, m.name)
			}
		}
	}
	t.Logf("%d mutants of %d files; the fast path accepted %d, CUE agreed on every one", total, len(names), accepted)
	if total < 1000 && !testing.Short() {
		t.Errorf("only %d mutants", total)
	}
}

// cueData writes data as a plan file: JSON without its outer braces.
func cueData(t *testing.T, data map[string]any) []byte {
	t.Helper()
	b, err := json.MarshalIndent(data, "", "\t")
	if err != nil {
		t.Fatal(err)
	}
	return b[1 : len(b)-1]
}

// FuzzFastPathSound: on any input the fast path never panics, and when it
// accepts a file CUE accepts it and the check is unchanged.
func FuzzFastPathSound(f *testing.F) {
	repo := testutil.RepoFS(f)
	for _, name := range planFiles(repo) {
		f.Add(repo[name].Data)
	}
	england := testutil.EnglandFaultsFS(f, 2, 11, 0.3)
	taken := map[string]bool{}
	for _, name := range planFiles(england) {
		if dir := path.Dir(name); strings.HasPrefix(name, "plans/") && !taken[dir] {
			taken[dir] = true
			f.Add(england[name].Data)
		}
	}
	pair := newFastPair(f, repo)
	f.Fuzz(func(t *testing.T, src []byte) {
		pair.compare(t, "plans/2019-20/fuzz.cue", src)
	})
}

// TestFastPathCases: edits the schema's subtle parts turn on, each with
// CUE's verdict. The fast path must refuse what CUE refuses, and it takes
// what CUE accepts here (else it would save nothing on such plans).
func TestFastPathCases(t *testing.T) {
	repo := testutil.RepoFS(t)
	pair := newFastPair(t, repo)
	acute := "schema/testdata/good/provider-acute.cue"
	mh := "schema/testdata/good/provider-mental-health.cue"
	comm := "schema/testdata/good/commissioner.cue"
	explain := func(e string) func(string) string {
		return func(s string) string {
			return regexp.MustCompile(`(?s)explanations: \[.*?\]\n`).ReplaceAllLiteralString(s, "explanations: ["+e+"]\n")
		}
	}
	replace := func(re, to string) func(string) string {
		return func(s string) string { return regexp.MustCompile(re).ReplaceAllString(s, to) }
	}
	for _, tc := range []struct {
		name, file string
		edit       func(string) string
		valid      bool
	}{
		{"unchanged", acute, func(s string) string { return s }, true},
		{"count 1.0", acute, replace(`total: 3850,`, `total: 3850.0,`), false},
		{"count 3850. (a float dataOf spells as an int)", acute, replace(`total: 3850,`, `total: 3850.,`), false},
		{"count -0", acute, replace(`total: 3850,`, `total: -0,`), true},
		{"negative count", acute, replace(`total: 3850,`, `total: -3850,`), false},
		{"eleven months", acute, replace(`306, 321, 306, 352, 309, 321, 352, 321, 276, 343, 306, 337\]`, `306, 321, 306, 352, 309, 321, 352, 321, 276, 343, 306]`), false},
		{"thirteen months", acute, replace(`306, 321, 306, 352, 309, 321, 352, 321, 276, 343, 306, 337\]`, `306, 321, 306, 352, 309, 321, 352, 321, 276, 343, 306, 337, 1]`), false},
		{"blank name", acute, replace(`(?m)^name: .*$`, `name: " \t"`), false},
		{"empty name", acute, replace(`(?m)^name: .*$`, `name: ""`), false},
		{"bad type", acute, replace(`(?m)^type: .*$`, `type: "hospice"`), false},
		{"acute without rtt", acute, replace(`(?m)^rtt: \{`, `rtt_x: {`), false},
		{"non-acute with rtt", mh, replace(`(?m)^type: .*$`, `type: "community"`), true},
		{"mental health as acute", mh, replace(`(?m)^type: .*$`, `type: "acute"`), false},
		{"bad date", acute, replace(`"2019-03-21"`, `"2019-3-21"`), false},
		{"bad status state", acute, replace(`state: "signed"`, `state: "sealed"`), false},
		{"contract status missing", acute, replace(`(?m)^\t"09N": \{state.*$`, ``), false},
		{"explanation default acknowledge with text", acute, explain(`{rule: "B01", text: "x"}`), true},
		{"explanation without text", acute, explain(`{rule: "B01"}`), false},
		{"explanation blank text", acute, explain(`{rule: "B01", text: " "}`), false},
		{"acknowledged with counterparty", acute, explain(`{rule: "A01", acknowledge: true, counterparty: "09N"}`), true},
		{"acknowledged without counterparty", acute, explain(`{rule: "A01", acknowledge: true}`), false},
		{"acknowledge false with counterparty only", acute, explain(`{rule: "A01", acknowledge: false, counterparty: "09N"}`), false},
		{"explanation month 13", acute, explain(`{rule: "A01", text: "x", month: 13}`), false},
		{"explanation month 1.0", acute, explain(`{rule: "A01", text: "x", month: 1.0}`), false},
		{"explanation unknown field", acute, explain(`{rule: "A01", text: "x", note: "x"}`), false},
		{"commissioner bad contract key", comm, replace(`(?m)^\tRTK: \{`, "\t\"9TK\": {"), false},
		{"commissioner unknown field", comm, replace(`(?m)^status:`, "colour: \"red\"\nstatus:"), false},
		// CUE closes the declarations of activity written in #ProviderPlan
		// together, so an acute trust's [_] pattern lets any key in.
		{"acute activity under a trust code", acute, func(s string) string {
			i := strings.Index(s, "\t\"09N\": {")
			j := i + strings.Index(s[i:], "\n\t}\n") + 4
			s = s[:j] + strings.Replace(s[i:j], `"09N"`, `"RZZ"`, 1) + s[j:]
			return strings.Replace(s, "contract_status: {\n", "contract_status: {\n\t\"RZZ\": {state: \"signed\", date: \"2019-03-21\"}\n", 1)
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := string(repo[tc.file].Data)
			edited := tc.edit(src)
			if edited == src && tc.name != "unchanged" {
				t.Fatal("edit changed nothing")
			}
			f, s := pair.compare(t, "plans/2019-20/x.cue", []byte(edited))
			if cueValid := len(s.findings) == 0; cueValid != tc.valid {
				t.Fatalf("CUE valid %v, want %v: %v", cueValid, tc.valid, s.findings)
			}
			if f.fast != tc.valid {
				t.Errorf("fast path %v, want %v", f.fast, tc.valid)
			}
		})
	}
}

// recorder is a test that notes failures instead of failing.
type recorder struct {
	testing.TB
	failed bool
}

func (r *recorder) Errorf(string, ...any) { r.failed = true }

// TestFastPairDetectsUnsound: the comparison the tests above rely on fails
// when a fast validator accepts what CUE refuses.
func TestFastPairDetectsUnsound(t *testing.T) {
	repo := testutil.RepoFS(t)
	pair := newFastPair(t, repo)
	accepting := &fastSchema{kinds: map[string]*fnode{"provider": {op: opTop}}}
	pair.fast.fast, pair.fast.ev.fast = accepting, accepting
	name := "schema/testdata/bad/negative-count.cue"
	r := &recorder{TB: t}
	f, _ := pair.compare(r, name, repo[name].Data)
	if !f.fast || !r.failed {
		t.Errorf("accept-all validator: fast path %v, comparison failed %v; want both", f.fast, r.failed)
	}
}
