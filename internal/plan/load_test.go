package plan_test

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/triangulate-nhs/triangulate/internal/finding"
	"github.com/triangulate-nhs/triangulate/internal/plan"
	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

var (
	schemaOnce sync.Once
	schema     *plan.Schema
	schemaErr  error
)

func loadSchema(t testing.TB) *plan.Schema {
	t.Helper()
	schemaOnce.Do(func() { schema, schemaErr = plan.LoadSchema(os.DirFS(testutil.Root(t))) })
	if schemaErr != nil {
		t.Fatal(schemaErr)
	}
	return schema
}

const orgList = `kind: "organisations"
organisations: {
	QXU: {name: "Example ICS", type: "system"}
	RTK: {name: "Example Trust", type: "trust", system: "QXU"}
	"09N": {name: "Example CCG", type: "ccg", system: "QXU"}
}
`

const system = `// Synthetic example.
kind:          "system"
year:          "2019/20"
name:          "Example ICS"
org:           "QXU"
members:       ["RTK", "09N"]
control_total: -1500
`

type want struct {
	rule string
	file string
	line int
	text string // a substring of the message
}

func check(t *testing.T, got []finding.Finding, wants []want) {
	t.Helper()
	if len(got) != len(wants) {
		t.Errorf("got %d findings, want %d:", len(got), len(wants))
		for _, f := range got {
			t.Logf("  %s %s %s", f.Location, f.Rule, f.Message)
		}
	}
	for _, w := range wants {
		found := false
		for _, f := range got {
			if f.Rule == w.rule && f.File == w.file && f.Line == w.line && strings.Contains(f.Message, w.text) {
				found = true
			}
		}
		if !found {
			t.Errorf("missing %s at %s:%d containing %q; got:", w.rule, w.file, w.line, w.text)
			for _, f := range got {
				t.Logf("  %s %s %s", f.Location, f.Rule, f.Message)
			}
		}
	}
}

// TestRejections covers what a plan file must never do.
func TestRejections(t *testing.T) {
	s := loadSchema(t)
	const f = "plans/2019-20/x.cue"
	tests := []struct {
		name  string
		files fstest.MapFS
		want  []want
	}{
		{"import", fstest.MapFS{f: {Data: []byte("import \"strings\"\nname: strings.ToUpper(\"a\")\n")}},
			[]want{{"S00", f, 1, "imports are not allowed"}, {"S00", f, 2, "expressions are not allowed"}}},
		{"embed", fstest.MapFS{f: {Data: []byte("@extern(embed)\n\nsecret: _ @embed(file=\"../../etc/passwd\")\n")}},
			[]want{{"S00", f, 1, "@extern(embed)"}, {"S00", f, 3, "references are not allowed"}, {"S00", f, 3, "@embed"}}},
		{"package clause", fstest.MapFS{f: {Data: []byte("package plans\n\nkind: \"system\"\n")}},
			[]want{{"S00", f, 1, "package clause"}}},
		{"definition", fstest.MapFS{f: {Data: []byte("#X: 1\n")}},
			[]want{{"S00", f, 1, "definitions and hidden fields"}}},
		{"reference", fstest.MapFS{f: {Data: []byte("a: 1\nb: a\n")}},
			[]want{{"S00", f, 2, "references are not allowed"}}},
		{"arithmetic", fstest.MapFS{f: {Data: []byte("a: 1 + 2\n")}},
			[]want{{"S00", f, 1, "expressions are not allowed"}}},
		{"interpolation", fstest.MapFS{f: {Data: []byte("a: \"\\(1)\"\n")}},
			[]want{{"S00", f, 1, "interpolation"}}},
		{"comprehension", fstest.MapFS{f: {Data: []byte("for x in [1] {a: x}\n")}},
			[]want{{"S00", f, 1, "comprehensions"}}},
		{"optional marker", fstest.MapFS{f: {Data: []byte("a?: 1\n")}},
			[]want{{"S00", f, 1, "optional or required markers"}}},
		{"syntax error", fstest.MapFS{f: {Data: []byte("a: {\n")}},
			[]want{{"S00", f, 1, "not valid CUE: expected '}'"}}},
		{"not a plan file", fstest.MapFS{"plans/2019-20/x.yaml": {Data: []byte("a: 1\n")}},
			[]want{{"S00", "plans/2019-20/x.yaml", 0, "not a plan file"}}},
		{"symlink", fstest.MapFS{f: {Data: []byte("/etc/passwd"), Mode: os.ModeSymlink}},
			[]want{{"S00", f, 0, "symbolic links"}}},
		{"too large", fstest.MapFS{f: {Data: []byte("a: \"" + strings.Repeat("x", 2<<20) + "\"\n")}},
			[]want{{"S00", f, 0, "over the"}}},
		{"waivers in plans", fstest.MapFS{f: {Data: []byte("kind: \"waivers\"\nwaivers: []\n")}},
			[]want{{"S00", f, 1, "belong in policy/waivers"}}},
		{"register in plans", fstest.MapFS{f: {Data: []byte("kind: \"register\"\nyear: \"2019/20\"\nregulator: \"R\"\nproviders: {}\ncommissioners: {}\nsystems: {}\nsubmission_windows: []\nnational_asks: {}\n")}},
			[]want{{"S00", f, 1, "belongs in policy/register"}}},
		{"unknown kind", fstest.MapFS{f: {Data: []byte("kind: \"budget\"\n")}},
			[]want{{"S03", f, 1, "kind must be one of"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.files["plans/organisations.cue"] = &fstest.MapFile{Data: []byte(orgList)}
			set, err := s.Load(tc.files, plan.Options{})
			if err != nil {
				t.Fatal(err)
			}
			check(t, set.Findings, tc.want)
		})
	}
}

// TestCrossReferences covers the rules that need the reference list.
func TestCrossReferences(t *testing.T) {
	s := loadSchema(t)
	const f = "plans/2019-20/system-qxu.cue"
	tests := []struct {
		name  string
		files fstest.MapFS
		want  []want
	}{
		{"clean", fstest.MapFS{f: {Data: []byte(system)}}, nil},
		{"unknown member", fstest.MapFS{f: {Data: []byte(strings.Replace(system, `"09N"]`, `"09N", "RZZ"]`, 1))}},
			[]want{{"S04", f, 6, "RZZ is not in the organisation reference list"}}},
		{"not a system", fstest.MapFS{f: {Data: []byte(strings.Replace(system, `org:           "QXU"`, `org:           "QZZ"`, 1))}},
			[]want{{"S01", f, 5, "QZZ is not in the organisation reference list"}}},
		{"year of another folder", fstest.MapFS{f: {Data: []byte(strings.Replace(system, "2019/20", "2018/19", 1))}},
			[]want{{"S02", f, 3, "does not match the folder 2019-20/"}}},
		{"duplicate", fstest.MapFS{f: {Data: []byte(system)}, "plans/2019-20/system-copy.cue": {Data: []byte(system)}},
			[]want{{"S01", "plans/2019-20/system-copy.cue", 5, "a second plan for QXU in 2019/20; the first is " + f},
				{"S01", "plans/2019-20/system-copy.cue", 5, "must be filed at " + f}}},
		{"no reference list", fstest.MapFS{"plans/organisations.cue": nil, f: {Data: []byte(system)}},
			[]want{{"S01", "", 0, "no organisation reference list"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, set := tc.files["plans/organisations.cue"]; !set {
				tc.files["plans/organisations.cue"] = &fstest.MapFile{Data: []byte(orgList)}
			} else {
				delete(tc.files, "plans/organisations.cue")
			}
			set, err := s.Load(tc.files, plan.Options{})
			if err != nil {
				t.Fatal(err)
			}
			check(t, set.Findings, tc.want)
		})
	}
}

func TestNoPlansFolder(t *testing.T) {
	_, err := loadSchema(t).Load(fstest.MapFS{"README.md": {}}, plan.Options{})
	if err != plan.ErrNoPlans {
		t.Fatalf("err = %v, want ErrNoPlans", err)
	}
}

func TestLocate(t *testing.T) {
	doc, fs := loadSchema(t).CheckFile("plans/2019-20/system-qxu.cue", []byte(system))
	if len(fs) != 0 || doc == nil || !doc.Valid {
		t.Fatalf("system fixture invalid: %v", fs)
	}
	tests := []struct {
		path []any
		line int
		disp string
	}{
		{[]any{"members", 1}, 6, "members[1]"},
		{[]any{"control_total"}, 7, "control_total"},
		{[]any{"members", 9}, 6, "members[9]"}, // beyond the list: its parent
		{nil, 2, ""},                           // the first field, after the leading comment
	}
	for _, tc := range tests {
		loc := doc.Locate(tc.path)
		if loc.Line != tc.line || loc.Path != tc.disp || loc.Org != "QXU" {
			t.Errorf("Locate(%v) = %+v, want line %d path %q", tc.path, loc, tc.line, tc.disp)
		}
	}
}

// FuzzCheckFile: no input makes the loader panic, and every finding it
// returns names the file.
func FuzzCheckFile(f *testing.F) {
	s := loadSchema(f)
	f.Add([]byte(system))
	f.Add([]byte(orgList))
	f.Add([]byte("kind: \"provider\"\nactivity: \"09N\": elective: {total: 1, months: [1,2,3]}\n"))
	f.Add([]byte("import \"strings\"\n@extern(embed)\na: _ @embed(file=x)\n"))
	f.Add([]byte("a: {b: [1, -2, 3.5, \"x\", true, null]}\nc: 1\nc: 2\n"))
	// The hostile shapes of issue 8, just past their caps.
	f.Add([]byte(strings.Repeat("a: ", 25) + "1\n"))
	f.Add([]byte("a: " + strings.Repeat("[{b: ", 13) + "1" + strings.Repeat("}]", 13) + "\n"))
	f.Add([]byte("a: [" + strings.Repeat("1,", 1001) + "]\n"))
	f.Add([]byte("a: \"" + strings.Repeat(`\q`, 120) + "\"\n"))
	f.Add([]byte("activity: {" + strings.Repeat("\"X0000\": {}\n", 1001) + "}\n"))
	f.Add([]byte("agency: 5" + strings.Repeat("0", 100) + "\nb: 5600e100000\nc: 0x1F\nd: 1Ki\ne: .5\n"))
	f.Add([]byte("a: b" + strings.Repeat(".b", 30) + "\nc: 1" + strings.Repeat("+1", 30) + "\nd: x" + strings.Repeat("[0]", 30) + "\n"))
	f.Add([]byte("a: \"\\(x)\\(\"\\(y)\")\"\nb: " + strings.Repeat("(", 30) + "1" + strings.Repeat(")", 30) + "\n"))
	// An interpolation's string run out unterminated: CUE's scanner
	// panicked when the pre-scan resumed it.
	f.Add([]byte("a: \"\\(x))(\n(y)\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		_, fs := s.CheckFile("plans/2019-20/fuzz.cue", src)
		for _, x := range fs {
			if x.File != "plans/2019-20/fuzz.cue" || x.Rule == "" || x.Message == "" {
				t.Fatalf("malformed finding %+v", x)
			}
			if strings.Contains(x.Message, "the checker failed on it") {
				t.Fatalf("the check panicked: %s", x.Message)
			}
		}
		if len(fs) > reportedPerFile {
			t.Fatalf("%d findings for one file, over %d", len(fs), reportedPerFile)
		}
	})
}

// TestManyUnknownFields: hundreds of unknown fields next to a real error
// are each found, without evaluating them one by one; the first hundred
// are listed and the rest counted.
func TestManyUnknownFields(t *testing.T) {
	s := loadSchema(t)
	var b strings.Builder
	b.WriteString(strings.Replace(system, `year:          "2019/20"`, `year:          "2019/21"`, 1))
	for i := range 990 {
		b.WriteString("bogus" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + "_" + itoa(i) + ": 1\n")
	}
	_, fs := s.CheckFile("plans/2019-20/x.cue", []byte(b.String()))
	if len(fs) != 101 || !strings.Contains(fs[100].Message, "… and 891 more problems in this file") {
		t.Fatalf("%d findings, want 100 of the 990 unknown fields and the year, and a count of the rest", len(fs))
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

// TestInvalid: organisations whose plan failed the schema or was refused,
// including files refused before their code could be read, whose owner is
// inferred from the path and confirmed in the reference list.
func TestInvalid(t *testing.T) {
	s := loadSchema(t)
	const (
		rtk = "plans/2019-20/providers/rtk.cue"
		n09 = "plans/2019-20/commissioners/09n.cue"
		qxu = "plans/2019-20/system-qxu.cue"
	)
	deep := "a: " + strings.Repeat("[", 100) + strings.Repeat("]", 100) + "\n"
	tests := []struct {
		name  string
		files fstest.MapFS
		year  string
		want  string // comma-separated codes, sorted
		owner string // the organisation named on the files' findings
	}{
		{"clean system", fstest.MapFS{qxu: {Data: []byte(system)}}, "2019/20", "", "QXU"},
		{"import in a provider plan", fstest.MapFS{rtk: {Data: []byte("import \"strings\"\norg: strings.ToUpper(\"rtk\")\n")}}, "2019/20", "RTK", "RTK"},
		{"another year", fstest.MapFS{rtk: {Data: []byte("import \"strings\"\n")}}, "2018/19", "", "RTK"},
		{"too large", fstest.MapFS{rtk: {Data: []byte("a: \"" + strings.Repeat("x", 2<<20) + "\"\n")}}, "2019/20", "RTK", "RTK"},
		{"symlink", fstest.MapFS{rtk: {Data: []byte("/etc/passwd"), Mode: os.ModeSymlink}}, "2019/20", "RTK", "RTK"},
		{"syntax error in a commissioner plan", fstest.MapFS{n09: {Data: []byte("org: \"09N\"\na: {\n")}}, "2019/20", "09N", "09N"},
		{"nested too deep in a system file", fstest.MapFS{qxu: {Data: []byte(deep)}}, "2019/20", "QXU", "QXU"},
		{"no org field", fstest.MapFS{qxu: {Data: []byte(strings.Replace(system, `org:           "QXU"`, "", 1))}}, "2019/20", "QXU", "QXU"},
		{"read but fails the schema", fstest.MapFS{qxu: {Data: []byte(strings.Replace(system, `["RTK", "09N"]`, `"RTK"`, 1))}}, "2019/20", "QXU", "QXU"},
		{"wrong year field, filed in 2019-20", fstest.MapFS{qxu: {Data: []byte(strings.Replace(system, "2019/20", "2019-20", 1))}}, "2019/20", "QXU", "QXU"},
		{"code not in the reference list", fstest.MapFS{"plans/2019-20/providers/rzz.cue": {Data: []byte("import \"strings\"\n")}}, "2019/20", "", ""},
		{"code of another type", fstest.MapFS{"plans/2019-20/providers/09n.cue": {Data: []byte("import \"strings\"\n")}}, "2019/20", "", ""},
		{"not filed as a plan", fstest.MapFS{"plans/2019-20/rtk.cue": {Data: []byte("import \"strings\"\n")}}, "2019/20", "", ""},
		{"filed under an upper-case name", fstest.MapFS{"plans/2019-20/providers/RTK.cue": {Data: []byte("import \"strings\"\n")}}, "2019/20", "", ""},
		{"not a plan file", fstest.MapFS{"plans/2019-20/providers/rtk.yaml": {Data: []byte("a: 1\n")}}, "2019/20", "", ""},
		{"reference list refused too", fstest.MapFS{"plans/organisations.cue": {Data: []byte("import \"strings\"\n")}, rtk: {Data: []byte("import \"strings\"\n")}}, "2019/20", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, ok := tc.files["plans/organisations.cue"]; !ok {
				tc.files["plans/organisations.cue"] = &fstest.MapFile{Data: []byte(orgList)}
			}
			set, err := s.Load(tc.files, plan.Options{})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for org, ok := range set.Invalid(tc.year) {
				if ok {
					got = append(got, org)
				}
			}
			slices.Sort(got)
			if strings.Join(got, ",") != tc.want {
				t.Errorf("Invalid(%q) = %v, want %q; findings:", tc.year, got, tc.want)
				for _, f := range set.Findings {
					t.Logf("  %s %s %v %s", f.Location, f.Rule, f.Orgs, f.Message)
				}
			}
			for _, f := range set.Findings {
				if f.File == "plans/organisations.cue" {
					continue
				}
				if want := orgs(tc.owner); !slices.Equal(f.Orgs, want) || f.Org != tc.owner {
					t.Errorf("%s %s %s: org %q orgs %v, want %q", f.Location, f.Rule, f.Message, f.Org, f.Orgs, tc.owner)
				}
			}
		})
	}
}

func orgs(code string) []string {
	if code == "" {
		return nil
	}
	return []string{code}
}

func TestFileYear(t *testing.T) {
	tests := []struct{ file, want string }{
		{"plans/2019-20/providers/rtk.cue", "2019/20"},
		{"plans/2019-20/system-qxu.cue", "2019/20"},
		{"plans/2020-21/commissioners/09n.cue", "2020/21"},
		{"policy/register/2019-20.cue", "2019/20"},
		{"plans/organisations.cue", ""},
		{"policy/waivers/w.cue", ""},
		{"", ""},
		{"plans/2019-2020/providers/rtk.cue", ""},
	}
	for _, tc := range tests {
		if got := plan.FileYear(tc.file); got != tc.want {
			t.Errorf("FileYear(%q) = %q, want %q", tc.file, got, tc.want)
		}
	}
}

// TestMaxFiles: past the limit on files under plans/, one S00 finding names
// the file where it was passed and nothing from there on is read; at the
// limit, every file is read as before.
func TestMaxFiles(t *testing.T) {
	s := loadSchema(t)
	repo := testutil.RepoFS(t)
	full, err := s.Load(repo, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for name := range repo {
		if strings.HasPrefix(name, "plans/") {
			names = append(names, name)
		}
	}
	slices.Sort(names) // walk order
	at, err := s.Load(repo, plan.Options{MaxFiles: len(names)})
	if err != nil || len(at.Documents) != len(full.Documents) || len(at.Findings) != len(full.Findings) {
		t.Fatalf("at the limit: %v, %d documents and %d findings, want %d and %d", err, len(at.Documents), len(at.Findings), len(full.Documents), len(full.Findings))
	}
	past, err := s.Load(repo, plan.Options{MaxFiles: 3})
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(past.Findings, func(f finding.Finding) bool { return strings.HasPrefix(f.Message, "more than 3 files under plans/") })
	if i < 0 || past.Findings[i].Rule != "S00" || past.Findings[i].Severity != finding.Error || past.Findings[i].File != names[3] {
		t.Fatalf("findings %v, want S00 at %s naming the limit", summary(past.Findings), names[3])
	}
	if len(past.Documents) > 3 {
		t.Errorf("%d documents read past the limit of 3 files", len(past.Documents))
	}

	// The default holds a pushed tree of many files, refused cheaply.
	many := fstest.MapFS{}
	for name, f := range repo {
		many[name] = f
	}
	for n := range plan.DefaultMaxFiles {
		many[fmt.Sprintf("plans/junk/%05d.txt", n)] = &fstest.MapFile{Data: []byte("x")}
	}
	set, err := s.Load(many, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(set.Findings, func(f finding.Finding) bool {
		return strings.HasPrefix(f.Message, fmt.Sprintf("more than %d files under plans/", plan.DefaultMaxFiles))
	}) {
		t.Errorf("no finding for %d files past the default limit", len(many))
	}
}
