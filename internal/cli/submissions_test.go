package cli

import (
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

// submissionRepo is testutil.SubmissionHistory on disk.
func submissionRepo(t *testing.T) (*testutil.Git, string, []string) {
	t.Helper()
	g, dir := testutil.NewGitDir(t)
	return g, dir, testutil.SubmissionHistory(g)
}

// anonymise replaces commit SHAs (whole or abbreviated) with their place in
// the history, so the goldens do not change whenever a shipped file does.
func anonymise(out string, shas []string) string {
	for i, sha := range shas {
		out = strings.ReplaceAll(out, sha, fmt.Sprintf("<commit %d>", i))
		out = strings.ReplaceAll(out, sha[:12], fmt.Sprintf("<commit %d>", i))
	}
	return out
}

func TestSubmissionsGolden(t *testing.T) {
	_, dir, shas := submissionRepo(t)
	tests := []struct {
		name string
		args []string
	}{
		{"submissions_text", nil},
		{"submissions_json", []string{"--format", "json"}},
		{"submissions_rtk_before_deadline_text", []string{"--org", "RTK", "--year", "2019-20", "--as-of", "2019-03-22"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"submissions", dir, "--as-of", "2019-06-01", "--cache-dir", t.TempDir()}, tc.args...)
			out, errOut, code := run(t, args...)
			if code != ExitClean {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			golden(t, tc.name, anonymise(out, shas))
		})
	}
}

// TestSubmissionTagsThenDiff is the regulator's round trip: the tags the
// workflow would create, created, then two versions compared by tag.
func TestSubmissionTagsThenDiff(t *testing.T) {
	g, dir, shas := submissionRepo(t)
	// v1 of RTK is tagged already; v2 was tagged at the wrong commit.
	for name, sha := range map[string]string{"submission/2019-20/RTK/v1": shas[0], "submission/2019-20/RTK/v2": shas[0]} {
		if _, err := g.Repo.CreateTag(name, plumbing.NewHash(sha), nil); err != nil {
			t.Fatal(err)
		}
	}
	out, errOut, code := run(t, "submissions", dir, "--tags", "--no-cache")
	if code != ExitClean {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	// Seven organisations' v1, of which RTK's exists, and RTK's v3.
	want := []string{"submission/2019-20/09N/v1 " + shas[0], "submission/2019-20/09Y/v1 " + shas[0], "submission/2019-20/99H/v1 " + shas[0],
		"submission/2019-20/RA2/v1 " + shas[0], "submission/2019-20/RTK/v3 " + shas[3], "submission/2019-20/RTP/v1 " + shas[0],
		"submission/2019-20/RXX/v1 " + shas[0]}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("tags to create:\n%s\nwant\n%s", out, strings.Join(want, "\n"))
	}
	if !strings.Contains(errOut, "submission/2019-20/RTK/v2 already names commit "+shas[0]) {
		t.Errorf("no warning about the misplaced tag: %q", errOut)
	}
	for _, l := range lines {
		name, sha, _ := strings.Cut(l, " ")
		if _, err := g.Repo.CreateTag(name, plumbing.NewHash(sha), nil); err != nil {
			t.Fatal(err)
		}
	}
	if out, _, _ := run(t, "submissions", dir, "--tags", "--no-cache"); out != "" {
		t.Errorf("after tagging, still to create: %q", out)
	}
	out, errOut, code = run(t, "diff", "--dir", dir, "submission/2019-20/RTK/v1", "submission/2019-20/RTK/v3", "--org", "RTK")
	if code != ExitClean || !strings.Contains(out, "in_dispute") && !strings.Contains(out, "A06") {
		t.Errorf("diff by tags: exit %d %s\n%s", code, errOut, out)
	}
}

func TestSubmissionsUsageErrors(t *testing.T) {
	_, dir, _ := submissionRepo(t)
	noHistory := t.TempDir()
	if out, err := exec.Command("git", "init", "-q", noHistory).CombinedOutput(); err != nil {
		t.Skipf("git not available: %v %s", err, out)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown ref", []string{dir, "--ref", "no-such-branch"}, "no-such-branch"},
		{"malformed date", []string{dir, "--as-of", "2019-13-01"}, `--as-of "2019-13-01"`},
		{"malformed year", []string{dir, "--year", "19/20"}, `--year "19/20"`},
		{"unknown organisation", []string{dir, "--org", "RZZ"}, `"RZZ": not in the reference list`},
		{"unknown format", []string{dir, "--format", "csv"}, `unknown --format "csv"`},
		{"not a repository", []string{t.TempDir()}, "open git repository"},
		{"no commits", []string{noHistory}, "resolve main"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, errOut, code := run(t, append([]string{"submissions", "--no-cache"}, tc.args...)...)
			if code != ExitInput || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit %d mentioning %q", code, errOut, ExitInput, tc.want)
			}
		})
	}
}

// TestSubmissionsHostileAuthor: what a commit says about its author stays
// on its own row of the text table.
func TestSubmissionsHostileAuthor(t *testing.T) {
	g, dir, _ := submissionRepo(t)
	g.Replace("plans/2019-20/providers/rtk.cue", `name:      "Ashford and St Peter's Hospitals NHS Foundation Trust"`, `name:      "Ashford and St Peter's Hospitals NHS FT"`)
	wt, err := g.Repo.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	forged := "Evil\n2019/20  RTK  v9  2019-01-01 00:00 GMT  final  on time  submittable\t\x1b[31m"
	if _, err := wt.Commit("rename", &git.CommitOptions{Author: &object.Signature{Name: forged, Email: "e@x", When: time.Date(2019, 4, 30, 0, 0, 0, 0, time.UTC)}}); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := run(t, "submissions", dir, "--org", "RTK", "--no-cache")
	if code != ExitClean {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "2019/20  RTK  v9") || strings.Contains(l, "\x1b") {
			t.Errorf("the author's text made a row of its own or kept a control character: %q", l)
		}
	}
	if !slices.ContainsFunc(strings.Split(out, "\n"), func(l string) bool { return strings.HasPrefix(l, "2019/20  RTK  v4") && strings.Contains(l, "Evil") }) {
		t.Errorf("v4 by the hostile author is not listed on one line:\n%s", out)
	}
}
