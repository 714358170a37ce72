package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/triangulate-nhs/triangulate/internal/testutil"
)

// The change the diff goldens compare: RTK plans 100 more non-elective
// spells a month from 09Y, and 09N puts £500k more into its RTK contract.
var diffEdits = []edit{
	{rtk, "non_elective: {total: 31160, months: [2481, 2577, 2469, 2563, 2537, 2481, 2603, 2544, 2747, 2906, 2583, 2669]}",
		"non_elective: {total: 32360, months: [2581, 2677, 2569, 2663, 2637, 2581, 2703, 2644, 2847, 3006, 2683, 2769]}"},
	{rtk, "non_elective_los: {total: 21812, months: [1737, 1804, 1728, 1794, 1776, 1737, 1822, 1781, 1923, 2034, 1808, 1868]}",
		"non_elective_los: {total: 23012, months: [1837, 1904, 1828, 1894, 1876, 1837, 1922, 1881, 2023, 2134, 1908, 1968]}"},
	{n09, "value: {total: 17547, months: [1400,", "value: {total: 18047, months: [1900,"},
}

// diffRepo is the shipped plans on main, with branches: feature (diffEdits),
// removed (RXX's plan deleted) and hostile (RTK's name is markdown).
func diffRepo(t *testing.T) string {
	t.Helper()
	g, dir := testutil.NewGitDir(t)
	branch := func(name string, do func()) {
		g.Checkout("main")
		g.Branch(name)
		do()
		g.Commit(name)
	}
	branch("feature", func() {
		for _, e := range diffEdits {
			g.Replace(e.file, e.old, e.new)
		}
	})
	branch("removed", func() {
		wt, err := g.Repo.Worktree()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := wt.Remove("plans/2019-20/providers/rxx.cue"); err != nil {
			t.Fatal(err)
		}
	})
	branch("hostile", func() {
		g.Replace(rtk, `name:      "Ashford and St Peter's Hospitals NHS Foundation Trust"`, `name:      "Ashford [x](y) @team <b>hi</b>"`)
		g.Replace(rtk, "surplus: -7500\n", "surplus: -7000\n")
	})
	g.Checkout("main")
	for tag, branch := range map[string]string{"submission/2019-20/RTK/v1": "main", "submission/2019-20/RTK/v2": "feature"} {
		ref, err := g.Repo.Reference(plumbing.NewBranchReferenceName(branch), true)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := g.Repo.CreateTag(tag, ref.Hash(), nil); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestDiffTags: submission tags compare like the branches they mark.
func TestDiffTags(t *testing.T) {
	dir := diffRepo(t)
	tags, errOut, code := run(t, "diff", "--dir", dir, "submission/2019-20/RTK/v1", "submission/2019-20/RTK/v2", "--org", "RTK")
	branches, _, _ := run(t, "diff", "--dir", dir, "main", "feature", "--org", "RTK")
	_, a, _ := strings.Cut(tags, "\n")
	_, b, _ := strings.Cut(branches, "\n")
	if code != ExitClean || a != b || !strings.Contains(a, "Non-elective spells (E.M.11), 09Y") {
		t.Errorf("exit %d %s\ntags:\n%s\nbranches:\n%s", code, errOut, tags, branches)
	}
}

var sha = regexp.MustCompile(`\([0-9a-f]{12}\)`)

func TestDiffGolden(t *testing.T) {
	dir := diffRepo(t)
	tests := []struct {
		name string
		args []string
	}{
		{"feature_text", []string{"main", "feature"}},
		{"feature_markdown", []string{"main", "feature", "--format", "markdown"}},
		{"feature_json", []string{"main", "feature", "--format", "json"}},
		{"org_monthly_text", []string{"main", "feature", "--org", "RTK,09n", "--monthly"}},
		{"system_markdown", []string{"main", "feature", "--system", "QXU", "-f", "markdown"}},
		{"removed_text", []string{"main", "removed"}},
		{"hostile_markdown", []string{"main", "hostile", "--format", "markdown"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := run(t, append([]string{"diff", "--dir", dir}, tc.args...)...)
			if code != ExitClean {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			golden(t, "diff/"+tc.name, sha.ReplaceAllString(out, "(SHA)"))
		})
	}
}

// TestDiffHostileNameStaysInert: a plan's name is shown as text in
// markdown: no link, mention or HTML forms from it.
func TestDiffHostileNameStaysInert(t *testing.T) {
	out, errOut, code := run(t, "diff", "--dir", diffRepo(t), "main", "hostile", "--format", "markdown")
	if code != ExitClean {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "Ashford") {
		t.Fatalf("the renamed plan is not shown:\n%s", out)
	}
	for _, live := range []string{"[x](y)", "@team", "<b>"} {
		if strings.Contains(out, live) {
			t.Errorf("markdown holds %q live:\n%s", live, out)
		}
	}
}

func TestDiffTwoFolders(t *testing.T) {
	base, head := repoDir(t, nil), repoDir(t, diffEdits)
	out, errOut, code := run(t, "diff", base, head)
	if code != ExitClean {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	out = strings.NewReplacer(base, "BASE", head, "HEAD").Replace(out)
	golden(t, "diff/folders_text", out)
}

// TestDiffFolderMatchesRefs: the same change read from folders and from
// git refs gives the same measures and findings.
func TestDiffFolderMatchesRefs(t *testing.T) {
	base, head := repoDir(t, nil), repoDir(t, diffEdits)
	folders, _, _ := run(t, "diff", base, head)
	refs, _, _ := run(t, "diff", "--dir", diffRepo(t), "main", "feature")
	_, f, _ := strings.Cut(folders, "\n")
	_, r, _ := strings.Cut(refs, "\n")
	if f != r {
		t.Errorf("folders and refs differ:\n%s\n---\n%s", folders, refs)
	}
}

func TestDiffInputErrors(t *testing.T) {
	dir := diffRepo(t)
	empty1, empty2 := t.TempDir(), t.TempDir()
	noPlans := repoDir(t, nil)
	if err := os.RemoveAll(filepath.Join(noPlans, "plans")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown ref", []string{"--dir", dir, "main", "no-such-branch"}, "no-such-branch"},
		{"unknown tag", []string{"--dir", dir, "submission/2019-20/RTK/v9", "main"}, "submission/2019-20/RTK/v9"},
		{"empty folders", []string{empty1, empty2}, "load rules"},
		{"folder with no plans", []string{repoDir(t, nil), noPlans}, "no plans there"},
		{"folder and ref", []string{"--dir", dir, empty1, "main"}, "two folders or two refs"},
		{"not a repository", []string{"--dir", empty1, "main", "feature"}, "open repository"},
		{"one argument", []string{"main"}, "BASE and HEAD"},
		{"bad format", []string{"--dir", dir, "main", "feature", "--format", "sarif"}, "unknown --format"},
		{"org and system", []string{"--dir", dir, "main", "feature", "--org", "RTK", "--system", "QXU"}, "not both"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := run(t, append([]string{"diff"}, tc.args...)...)
			if code != ExitInput || !strings.Contains(errOut, tc.want) || out != "" {
				t.Errorf("exit %d, stderr %q, stdout %q; want exit %d naming %q", code, errOut, out, ExitInput, tc.want)
			}
		})
	}
}

func TestDiffOutputFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "diff.json")
	out, errOut, code := run(t, "diff", "--dir", diffRepo(t), "main", "feature", "-f", "json", "-o", p)
	if code != ExitClean || out != "" {
		t.Fatalf("exit %d, stdout %q, stderr %s", code, out, errOut)
	}
	data, err := os.ReadFile(p)
	if err != nil || !strings.Contains(string(data), `"pct_change"`) {
		t.Errorf("report file: %v\n%s", err, data)
	}
}
