package cli

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

var update = flag.Bool("update", false, "rewrite golden files")

type edit struct{ file, old, new string }

// brokenRTK is the acceptance case: a typo'd field, a 13th month, a
// negative count and a bad ODS code, one finding each.
var brokenRTK = []edit{
	{"plans/2019-20/providers/rtk.cue", `system:    "QXU"`, `system:    "QX"`},
	{"plans/2019-20/providers/rtk.cue", `elective_ordinary: {total: 420,`, `elective_ordinry: {total: 420,`},
	{"plans/2019-20/providers/rtk.cue", `elective_ordinary: {total: 4800, months: [387,`, `elective_ordinary: {total: 4800, months: [-387,`},
	{"plans/2019-20/providers/rtk.cue", `beds_core: months: [492, 492, 492, 492, 492, 492, 492, 492, 492, 492, 492, 492]`, `beds_core: months: [492, 492, 492, 492, 492, 492, 492, 492, 492, 492, 492, 492, 492]`},
}

// repoDir writes the repository's schema, policies and plans, with edits,
// into a temporary directory.
func repoDir(t *testing.T, edits []edit) string {
	t.Helper()
	fsys := testutil.RepoFS(t)
	for _, e := range edits {
		mf := fsys[e.file]
		if mf == nil || strings.Count(string(mf.Data), e.old) != 1 {
			t.Fatalf("edit %s: %q must occur exactly once", e.file, e.old)
		}
		mf.Data = []byte(strings.Replace(string(mf.Data), e.old, e.new, 1))
	}
	dir := t.TempDir()
	for name, mf := range fsys {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, mf.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func run(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(context.Background(), args, &out, &errb)
	return out.String(), errb.String(), code
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	p := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(p, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("read golden (run with -update): %v", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from golden:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func TestCheckGolden(t *testing.T) {
	tests := []struct {
		name  string
		edits []edit
		args  []string
		code  int
	}{
		{"check_clean_text", nil, nil, ExitClean},
		{"check_clean_json", nil, []string{"--format", "json"}, ExitClean},
		{"check_broken_text", brokenRTK, nil, ExitBlocking},
		{"check_misaligned_markdown", []edit{{"plans/2019-20/commissioners/09n.cue",
			`gp_referrals: {total: 46148, months: [3669,`, `gp_referrals: {total: 49148, months: [6669,`}}, []string{"--format", "markdown"}, ExitBlocking},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := repoDir(t, tc.edits)
			out, errOut, code := run(t, append([]string{"check", dir}, tc.args...)...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stderr: %s\n%s", code, tc.code, errOut, out)
			}
			// Markdown escapes the underscores of the temporary path.
			out = strings.ReplaceAll(out, strings.ReplaceAll(dir, "_", `\_`), "$REPO")
			golden(t, tc.name, strings.ReplaceAll(out, dir, "$REPO"))
		})
	}
}

func TestUsageErrors(t *testing.T) {
	dir := repoDir(t, nil)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown format", []string{"check", dir, "--format", "xml"}, `unknown --format "xml"`},
		{"unknown flag", []string{"check", "--frobnicate"}, "unknown flag: --frobnicate"},
		{"too many args", []string{"check", dir, dir}, "accepts at most 1 arg"},
		{"missing path", []string{"check", filepath.Join(dir, "nope")}, "no such file or directory"},
		{"no plans folder", []string{"check", filepath.Join(dir, "plans")}, "read schema"},
		{"ref without git", []string{"check", dir, "--ref", "main"}, "open git repository"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, errOut, code := run(t, tc.args...)
			if code != ExitInput {
				t.Fatalf("exit %d, want %d", code, ExitInput)
			}
			if !strings.Contains(errOut, tc.want) {
				t.Errorf("stderr %q does not contain %q", errOut, tc.want)
			}
		})
	}
}

func TestRulesCommand(t *testing.T) {
	out, errOut, code := run(t, "rules", repoDir(t, nil))
	if code != ExitClean {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	golden(t, "rules", out)
}

func TestHelp(t *testing.T) {
	out, _, code := run(t, "check", "--help")
	if code != ExitClean || !strings.Contains(out, "triangulate check --ref origin/main") {
		t.Fatalf("help (exit %d) lacks examples:\n%s", code, out)
	}
}

func TestCheckFindsTheRootFromASubdirectory(t *testing.T) {
	dir := repoDir(t, nil)
	t.Chdir(filepath.Join(dir, "plans", "2019-20"))
	out, errOut, code := run(t, "check")
	if code != ExitClean || !strings.Contains(out, "8 plans read") {
		t.Fatalf("exit %d: %s\n%s", code, errOut, out)
	}
	if !strings.Contains(out, "plans/2019-20/providers/rtk.cue:") {
		t.Errorf("locations are not relative to the repository root:\n%s", out)
	}
}
