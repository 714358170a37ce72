package plan_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/triangulate-nhs/triangulate/internal/finding"
	"github.com/triangulate-nhs/triangulate/internal/plan"
	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

// reportedPerFile is the most findings one file gets: maxErrors and the
// count of the rest.
const reportedPerFile = 101

// rtkPlan is the bundled provider plan, the base of the hostile files.
func rtkPlan(t testing.TB) string {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(testutil.Root(t), "plans", "2019-20", "providers", "rtk.cue"))
	if err != nil {
		t.Fatal(err)
	}
	return string(src)
}

// lineOf is the line of the first occurrence of marker in src.
func lineOf(t testing.TB, src, marker string) int {
	t.Helper()
	i := strings.Index(src, marker)
	if i < 0 {
		t.Fatalf("%q not in the file", marker)
	}
	return strings.Count(src[:i], "\n") + 1
}

// hostile is one row of issue 8's table: a file that crashed the checker or
// kept it busy for minutes. n is its size in the test, chosen so the code
// before the caps fails the bound; full is the size, for the
// benchmark. line is where the finding must be.
type hostile struct {
	name    string
	n, full int
	src     func(rtk string, n int) string
	line    func(t testing.TB, src string) int
	text    string
	before  string // measured on the code before the caps, for the record
	bound   time.Duration
	records int // findings expected (1 unless errors are listed)
}

var hostiles = []hostile{
	{
		name: "shorthand nesting", n: 100_000, full: 349_525, // 1 MiB
		src:    func(_ string, n int) string { return strings.Repeat("a: ", n) + "1\n" },
		line:   func(testing.TB, string) int { return 1 },
		text:   "values nested more than 24 levels deep",
		before: "100k levels: 0.47 s; 200k: 1.15 s and 1 GB; 350k (1 MiB): fatal stack overflow in astutil.Resolve",
		bound:  100 * time.Millisecond, records: 1,
	},
	{
		name: "long list of numbers", n: 20_000, full: 524_288, // 1 MiB
		src: func(rtk string, n int) string {
			return strings.Replace(rtk, "beds_core: months: [", "beds_core: months: ["+strings.Repeat("1,", n), 1)
		},
		line:   func(t testing.TB, src string) int { return lineOf(t, src, "beds_core") },
		text:   "more than 1000 elements in one list",
		before: "10k numbers: 0.17 s; 20k: 0.6 s; 524k (1 MiB): 12 min 45 s, 920 MB",
		bound:  100 * time.Millisecond, records: 1,
	},
	{
		name: "syntax errors", n: 20_000, full: 524_000, // 1 MiB
		src: func(_ string, n int) string {
			return "a: \"" + strings.Repeat(`\q`, n) + "\"\n"
		},
		line:   func(testing.TB, string) int { return 1 },
		text:   "not valid CUE: unknown escape sequence",
		before: "20k errors: 0.35 s, each one a finding; 40k: 1.25 s; 524k (1 MiB): 3 min 55 s in cue/errors.Append",
		bound:  100 * time.Millisecond, records: reportedPerFile,
	},
	{
		name: "unknown ODS keys", n: 1_500, full: 60_000, // 783 KB
		src: func(rtk string, n int) string {
			var keys strings.Builder
			for i := range n {
				fmt.Fprintf(&keys, "\t\"X%04d\": {}\n", i)
			}
			return strings.Replace(rtk, "activity: {\n", "activity: {\n"+keys.String(), 1)
		},
		line:   func(t testing.TB, src string) int { return lineOf(t, src, `"X1000"`) },
		text:   "more than 1000 fields in one struct",
		before: "1k keys: 0.64 s; 2k: 2.3 s; 10k: 61 s; 60k: over 105 s",
		bound:  100 * time.Millisecond, records: 1,
	},
	{
		name: "450,000-digit money figure", n: 450_000, full: 450_000,
		src: func(rtk string, n int) string {
			return strings.Replace(rtk, "agency:      5600", "agency:      5"+strings.Repeat("0", n), 1)
		},
		line:   func(t testing.TB, src string) int { return lineOf(t, src, "agency:      50") },
		text:   "has 450001 digits; a plan figure has at most 15",
		before: "accepted as valid (0.25 s); the check then spent 198 s in OPA formatting it",
		bound:  100 * time.Millisecond, records: 1,
	},
	{
		name: "exponent notation", n: 0, full: 0,
		src: func(rtk string, _ int) string {
			return strings.Replace(rtk, "agency:      5600", "agency:      5600e100000", 1)
		},
		line:   func(t testing.TB, src string) int { return lineOf(t, src, "5600e100000") },
		text:   "number 5600e100000 uses exponent notation",
		before: "accepted as valid, exported as 5600: exit 0, submittable",
		bound:  100 * time.Millisecond, records: 1,
	},
}

// TestHostileInputs: each row of issue 8's table about plan files is
// refused before evaluation, with a finding at the right file:line, within
// its time bound and 64 MB of allocation. The code before the caps crashed,
// took longer, or accepted the file (the before field of each row).
func TestHostileInputs(t *testing.T) {
	s := loadSchema(t)
	rtk := rtkPlan(t)
	const file = "plans/2019-20/providers/rtk.cue"
	for _, h := range hostiles {
		t.Run(h.name, func(t *testing.T) {
			src := h.src(rtk, h.n)
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			doc, fs := s.CheckFile(file, []byte(src))
			took := time.Since(start)
			runtime.ReadMemStats(&after)
			if bound := h.bound * raceSlowdown; took > bound {
				t.Errorf("took %v, over the bound of %v (before the caps: %s)", took, bound, h.before)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
				t.Errorf("allocated %d MB, over 64 MB", alloc>>20)
			}
			if doc != nil {
				t.Errorf("the file was evaluated; it must be refused before")
			}
			if len(fs) != h.records {
				t.Fatalf("%d findings, want %d: %v", len(fs), h.records, summary(fs))
			}
			f, line := fs[0], h.line(t, src)
			if f.Rule != "S00" || f.File != file || f.Line != line || !strings.Contains(f.Message, h.text) {
				t.Errorf("got %s %s:%d %q; want S00 at line %d containing %q", f.Rule, f.File, f.Line, f.Message, line, h.text)
			}
			if h.records == reportedPerFile {
				if last := fs[len(fs)-1]; !strings.Contains(last.Message, fmt.Sprintf("… and %d more problems", h.n-100)) {
					t.Errorf("last finding %q does not count the unlisted problems", last.Message)
				}
			}
		})
	}
}

// BenchmarkHostileInputs checks the full-size cases (1 MiB files).
func BenchmarkHostileInputs(b *testing.B) {
	s := loadSchema(b)
	rtk := rtkPlan(b)
	for _, h := range hostiles {
		src := []byte(h.src(rtk, h.full))
		b.Run(h.name, func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				if doc, _ := s.CheckFile("plans/2019-20/providers/rtk.cue", src); doc != nil {
					b.Fatal("the file was evaluated")
				}
			}
		})
	}
}

func summary(fs []finding.Finding) []string {
	var out []string
	for _, f := range fs[:min(len(fs), 5)] {
		out = append(out, fmt.Sprintf("%s %s %s", f.Location, f.Rule, f.Message))
	}
	return out
}

// TestCaps: every cap at its limit and one past it. At the limit the file
// is read as it was before the caps (other findings are possible: these
// files are not plans); past it, one S00 finding names the cap where it was
// passed.
func TestCaps(t *testing.T) {
	s := loadSchema(t)
	lines := func(n int, format string) string {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, format, i)
		}
		return b.String()
	}
	lists := func(fields, elems int) string {
		return lines(fields, "l%d: ["+strings.Repeat("1,", elems)+"]\n")
	}
	structs := func(n int, inner string) string {
		return strings.Repeat("x: [{", n) + inner + strings.Repeat("}]", n) + "\n"
	}
	tests := []struct {
		name     string
		at, past string
		line     int // of the finding past the cap
		text     string
	}{
		{"depth, shorthand labels", strings.Repeat("a: ", 24) + "1\n", strings.Repeat("a: ", 25) + "1\n", 1,
			"nested more than 24 levels"},
		{"depth, lists", "a: " + strings.Repeat("[", 23) + strings.Repeat("]", 23) + "\n",
			"a: " + strings.Repeat("[", 24) + strings.Repeat("]", 24) + "\n", 1, "nested more than 24 levels"},
		{"depth, lists of structs", structs(11, "x: [1]"), structs(11, "x: [[1]]"), 1, "nested more than 24 levels"},
		{"depth, structs", strings.Repeat("a: {", 23) + "b: 1" + strings.Repeat("}", 23) + "\n",
			strings.Repeat("a: {", 24) + "b: 1" + strings.Repeat("}", 24) + "\n", 1, "nested more than 24 levels"},
		{"elements in one list", "a: [" + strings.Repeat("1,", 1000) + "]\n", "a: [" + strings.Repeat("1,", 1001) + "]\n", 1,
			"more than 1000 elements in one list"},
		{"fields in one struct", lines(1000, "f%d: 1\n"), lines(1001, "f%d: 1\n"), 1001, "more than 1000 fields in one struct"},
		{"fields and elements in one file", lists(50, 999), lists(50, 999) + "x: 1\n", 51,
			"more than 50000 fields and list elements in one file"},
		{"tokens in one value", "a: -1" + strings.Repeat("+1", 11) + "\n", "a: 1" + strings.Repeat("+1", 12) + "\n", 1,
			"runs to more than 24 tokens"},
		{"digits", "a: 123456789012345\n", "a: 1234567890123456\n", 1, "has 16 digits"},
		{"digits after the point", "a: 0.000000000000001\n", "a: 0.0000000000000001\n", 1, "has 16 digits"},
		{"digits both sides", "a: 1234567890.12345\n", "a: -1234567890.123456\n", 1, "has 16 digits"},
	}
	const file = "plans/2019-20/x.cue"
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, fs := s.CheckFile(file, []byte(tc.at))
			for _, f := range fs {
				if strings.Contains(f.Message, tc.text) {
					t.Errorf("at the limit: %s %s", f.Location, f.Message)
				}
			}
			_, fs = s.CheckFile(file, []byte(tc.past))
			check(t, fs, []want{{"S00", file, tc.line, tc.text}})
		})
	}
}

// TestErrorsPerFile: a file's first hundred problems are listed and the
// rest counted, whichever stage found them.
func TestErrorsPerFile(t *testing.T) {
	s := loadSchema(t)
	escapes := func(n int) string { return "a: \"" + strings.Repeat(`\q`, n) + "\"\n" }
	members := func(n int) string {
		return strings.Replace(system, `["RTK", "09N"]`, "["+strings.Repeat("1, ", n)+"]", 1)
	}
	exponents := func(n int) string { return strings.Repeat("a: 1e3\n", n) }
	for _, tc := range []struct {
		name string
		src  func(int) string
		line int // of the count past the limit
	}{
		{"lexical errors", escapes, 1},
		{"schema errors", members, 6},
		{"numbers", exponents, 101},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, fs := s.CheckFile("plans/2019-20/x.cue", []byte(tc.src(100)))
			if len(fs) != 100 || strings.Contains(fs[99].Message, "more problems") {
				t.Errorf("at the limit: %d findings, want the 100 problems: %v", len(fs), summary(fs))
			}
			_, fs = s.CheckFile("plans/2019-20/x.cue", []byte(tc.src(101)))
			if len(fs) != 101 {
				t.Fatalf("one past: %d findings, want 100 and the count", len(fs))
			}
			if last := fs[100]; last.Rule != "S00" || last.Line != tc.line || last.Message != "… and 1 more problems in this file, not listed: at most 100 are reported for one file" {
				t.Errorf("one past: last finding %s %s %q", last.Location, last.Rule, last.Message)
			}
		})
	}
}

// TestNumberNotation: plan data holds decimal numbers written out in full.
func TestNumberNotation(t *testing.T) {
	s := loadSchema(t)
	tests := []struct {
		lit, text string // text: "" when the number is accepted
	}{
		{"5600", ""},
		{"-5600.25", ""},
		{"1_000_000", ""},
		{"0.5", ""},
		{".5", ""},
		{"0", ""},
		{"5600e100000", "exponent notation"},
		{"1e3", "exponent notation"},
		{"1E-3", "exponent notation"},
		{"2.5e+2", "exponent notation"},
		{"1e-999999999", "exponent notation"},
		{"0x10", "not decimal"},
		{"0b101", "not decimal"},
		{"0o17", "not decimal"},
		{"1K", "multiplier"},
		{"1Ki", "multiplier"},
		{"5.6M", "multiplier"},
	}
	for _, tc := range tests {
		t.Run(tc.lit, func(t *testing.T) {
			src := "kind: \"organisations\"\norganisations: {}\nsynthetic: true\na: " + tc.lit + "\n"
			_, fs := s.CheckFile("plans/x.cue", []byte(src))
			var got []finding.Finding
			for _, f := range fs {
				if f.Rule == "S00" && f.Line == 4 {
					got = append(got, f)
				}
			}
			switch {
			case tc.text == "" && len(got) > 0:
				t.Errorf("refused: %s", got[0].Message)
			case tc.text != "" && (len(got) != 1 || !strings.Contains(got[0].Message, tc.text)):
				t.Errorf("findings %v, want one S00 at line 4 containing %q", summary(fs), tc.text)
			}
		})
	}
}

// TestFileDeadline: a file not checked within its deadline is refused with
// a finding, and the schema is usable afterwards (its CUE context, which the
// abandoned evaluation may still hold, is replaced).
func TestFileDeadline(t *testing.T) {
	s := loadSchema(t)
	const qxu = "plans/2019-20/system-qxu.cue"
	files := fstest.MapFS{qxu: {Data: []byte(system)}, "plans/organisations.cue": {Data: []byte(orgList)}}
	set, err := s.Load(files, plan.Options{FileDeadline: time.Nanosecond})
	if err != nil {
		t.Fatal(err)
	}
	check(t, set.Findings, []want{
		{"S00", qxu, 0, "took longer than 1ns, the limit for one plan file"},
		{"S00", "plans/organisations.cue", 0, "took longer than 1ns"},
		{"S01", "", 0, "no organisation reference list"},
	})
	if len(set.Documents) != 0 {
		t.Errorf("%d documents read past their deadline", len(set.Documents))
	}
	set, err = s.Load(files, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	check(t, set.Findings, nil)
}

// TestLoadCancelled: a cancelled load returns the context's error, at once
// when it was cancelled before and within a file's time when during.
func TestLoadCancelled(t *testing.T) {
	s := loadSchema(t)
	files := fstest.MapFS{"plans/organisations.cue": {Data: []byte(orgList)}}
	for i := range 2000 {
		files[fmt.Sprintf("plans/2019-20/system-q%02d.cue", i)] = &fstest.MapFile{Data: []byte(system)}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.LoadContext(ctx, files, plan.Options{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled before: err %v, want context.Canceled", err)
	}
	// Cancelled once the first file is checked: the load stops there,
	// however fast the files are.
	ctx, cancel = context.WithCancel(context.Background())
	checked := 0
	_, err := s.LoadContext(ctx, files, plan.Options{Progress: func(done, _ int) {
		checked = done
		if done == 1 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled during: err %v, want context.Canceled (%d of 2,000 files checked)", err, checked)
	}
	if checked > 100 {
		t.Errorf("cancelled after the first file, went on to check %d", checked)
	}
}

// TestBrokenInterpolations: strings whose interpolations the parser cannot
// close are invalid CUE, never a crash. The pre-scan resumed a string after
// every parenthesis it took for an interpolation's, and CUE's scanner
// panicked when the string had run out unterminated (a fuzzed file).
func TestBrokenInterpolations(t *testing.T) {
	s := loadSchema(t)
	for _, src := range []string{
		"a: \"\\((((())))))))))(\n(x)\\(\"\\(y)\")\"\nb: ((((((((((((((((((((((((((((())))))))))(\n",
		"a: \"\\(x))(\n(y)\n",
		"a: \"\\(x)(\n(y)\n",
		"a: \"\\(x)\\(\n(y)\n",
		"a: \"\"\"\n\t\\(x))(\n(y)\n",
		"a: #\"\\#(x))(\n(y)\n",
		"a: \"\\q\\(x)(\n(y)(z)\n",
		"a: \"\\(\"\\(x)(\n(y)\")\"(\n(z)\n",
		"a: \"\\(x)\"\nb: \"\\(y)\"\n",
	} {
		t.Run(strconv.Quote(src), func(t *testing.T) {
			doc, fs := s.CheckFile("plans/2019-20/x.cue", []byte(src))
			if doc != nil || len(fs) == 0 {
				t.Fatalf("doc %v, findings %v", doc, summary(fs))
			}
			for _, f := range fs {
				if f.Rule != "S00" || strings.Contains(f.Message, "the checker failed") {
					t.Errorf("finding %s %q", f.Rule, f.Message)
				}
			}
		})
	}
}
