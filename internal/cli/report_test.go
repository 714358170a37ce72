package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

// reportRepo is a repository on disk after a round of submissions.
func reportRepo(t *testing.T) (string, []string) {
	t.Helper()
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	g, dir := testutil.NewGitDir(t)
	return dir, testutil.SubmissionHistory(g)
}

func TestReport(t *testing.T) {
	dir, shas := reportRepo(t)
	head := shas[len(shas)-1]
	out := filepath.Join(t.TempDir(), "site")
	t.Setenv("GITHUB_SERVER_URL", "https://github.example")
	t.Setenv("GITHUB_REPOSITORY", "nhs/plans")
	stdout, stderr, code := run(t, "report", dir, "--ref", "main", "--out", out)
	if code != ExitClean {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "dashboard of main ("+head[:12]+") written to "+filepath.Join(out, "index.html")) {
		t.Errorf("stdout: %q", stdout)
	}
	if stderr != "" {
		t.Errorf("stderr: %q", stderr)
	}
	rtk, err := os.ReadFile(filepath.Join(out, "orgs", "RTK.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		// Links go to the repository from the environment at the ref's commit.
		`href="https://github.example/nhs/plans/blob/` + head + `/plans/2019-20/providers/rtk.cue#L`,
		// The ledger and the weekly status come from the history.
		"<th scope=\"row\">v3</th><td>final</td><td>2019-04-10</td>",
		`title="2019-04-12: RTK says in dispute, 09N says signed">D/S</td>`,
	} {
		if !strings.Contains(string(rtk), want) {
			t.Errorf("RTK's page has no %s", want)
		}
	}

	// Files on disk in a folder that is no repository: the site is
	// written, the history is said to be unread, and links need a commit.
	t.Setenv("GITHUB_SERVER_URL", "")
	folder := repoDir(t, nil)
	_, stderr, code = run(t, "report", folder, "--out", filepath.Join(t.TempDir(), "site"))
	if code != ExitClean {
		t.Fatalf("folder: exit %d: %s", code, stderr)
	}
	for _, want := range []string{"not a git repository: submissions and weekly contract status not read", "findings are not linked"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("folder: stderr %q, want %q", stderr, want)
		}
	}
}

func TestReportUsageErrors(t *testing.T) {
	dir, _ := reportRepo(t)
	noPlans := repoDir(t, nil)
	if err := os.RemoveAll(filepath.Join(noPlans, "plans")); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no out", []string{dir}, "give --out DIR"},
		{"unknown ref", []string{dir, "--out", out, "--ref", "submission/2019-20/RTK/v9"}, "submission/2019-20/RTK/v9"},
		{"no plans", []string{noPlans, "--out", out}, "no plans there"},
		{"empty folder", []string{t.TempDir(), "--out", out}, "no plans there"},
		{"out is a file", []string{dir, "--out", file}, "write the dashboard to " + file},
		{"out under a file", []string{dir, "--out", filepath.Join(file, "site")}, "write the dashboard to"},
		{"hostile repo url", []string{dir, "--out", out, "--repo-url", "javascript:alert(1)"}, "--repo-url"},
		{"bad commit", []string{dir, "--out", out, "--commit", "main"}, `--commit "main"`},
		{"bad year", []string{dir, "--out", out, "--year", "2019"}, `--year "2019"`},
		{"bad from", []string{dir, "--out", out, "--from", "29/01/2019"}, `--from "29/01/2019"`},
		{"year without plans", []string{dir, "--ref", "main", "--out", out, "--year", "2031/32"}, "no plans to show for 2031/32"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, errOut, code := run(t, append([]string{"report"}, tc.args...)...)
			if code != ExitInput || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit %d mentioning %q", code, errOut, ExitInput, tc.want)
			}
		})
	}
}
