package cli

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
)

// TestMain lets a test run the test binary as the triangulate command, the
// way a workflow's shell step runs the built tool.
//
// Tests, and the commands they run, keep a result cache of their own, away
// from the user's.
func TestMain(m *testing.M) {
	if os.Getenv("TRIANGULATE_TEST_MAIN") == "1" {
		os.Exit(Main(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
	}
	dir, err := os.MkdirTemp("", "triangulate-cli-cache-")
	if err != nil {
		panic(err)
	}
	os.Setenv("XDG_CACHE_HOME", dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// workflowStep returns the shell script of the step called name in a
// workflow file.
func workflowStep(t *testing.T, file, name string) string {
	t.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(src), "\n")
	start := slices.IndexFunc(lines, func(l string) bool { return strings.TrimSpace(l) == "- name: "+name })
	if start < 0 {
		t.Fatalf("%s has no step %q", file, name)
	}
	for i := start + 1; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) != "run: |" {
			continue
		}
		indent := len(lines[i+1]) - len(strings.TrimLeft(lines[i+1], " "))
		var script []string
		for _, l := range lines[i+1:] {
			if strings.TrimSpace(l) != "" && len(l)-len(strings.TrimLeft(l, " ")) < indent {
				break
			}
			script = append(script, strings.TrimPrefix(l, strings.Repeat(" ", indent)))
		}
		return strings.Join(script, "\n")
	}
	t.Fatalf("step %q of %s has no run block", name, file)
	return ""
}

func runGit(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// TestSubmissionsWorkflowTags runs the workflow's tagging step against a
// clone of a repository with a remote: it creates and pushes every missing
// tag, leaves a misplaced one where it is, and a second run creates nothing.
func TestSubmissionsWorkflowTags(t *testing.T) {
	for _, tool := range []string{"git", "bash"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed: %v", tool, err)
		}
	}
	script := workflowStep(t, filepath.Join("..", "..", ".github", "workflows", "submissions.yml"), "Tag new submissions")
	g, dir, shas := submissionRepo(t)
	if _, err := g.Repo.CreateTag("submission/2019-20/RTK/v2", plumbing.NewHash(shas[0]), nil); err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	remote, work := filepath.Join(tmp, "remote.git"), filepath.Join(tmp, "work")
	runGit(t, tmp, "clone", "-q", "--bare", dir, remote)
	runGit(t, tmp, "clone", "-q", remote, work)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	runner := t.TempDir()
	wrapper := "#!/bin/sh\nTRIANGULATE_TEST_MAIN=1 exec '" + self + "' \"$@\"\n"
	if err := os.WriteFile(filepath.Join(runner, "triangulate"), []byte(wrapper), 0o755); err != nil {
		t.Fatal(err)
	}
	step := func() string {
		cmd := exec.Command("bash", "-c", script)
		cmd.Dir = work
		cmd.Env = append(os.Environ(), "RUNNER_TEMP="+runner, "HEAD_SHA="+shas[4], "XDG_CACHE_HOME="+t.TempDir())
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("tagging step: %v\n%s", err, out)
		}
		return string(out)
	}
	out := step()
	tags := runGit(t, remote, "for-each-ref", "refs/tags", "--format=%(refname:short) %(objectname)")
	want := []string{
		"submission/2019-20/09N/v1 " + shas[0], "submission/2019-20/09Y/v1 " + shas[0], "submission/2019-20/99H/v1 " + shas[0],
		"submission/2019-20/RA2/v1 " + shas[0], "submission/2019-20/RTK/v1 " + shas[0],
		"submission/2019-20/RTK/v2 " + shas[0], // misplaced before the workflow ran, and left so
		"submission/2019-20/RTK/v3 " + shas[3], "submission/2019-20/RTP/v1 " + shas[0], "submission/2019-20/RXX/v1 " + shas[0],
	}
	if got := strings.Split(strings.TrimSpace(tags), "\n"); !slices.Equal(got, want) {
		t.Errorf("remote tags after the step:\n%s\nwant\n%s\nstep said:\n%s", tags, strings.Join(want, "\n"), out)
	}
	if !strings.Contains(out, "submission/2019-20/RTK/v2 already names commit "+shas[0]) {
		t.Errorf("the step did not warn about the misplaced tag:\n%s", out)
	}
	if again := step(); strings.Contains(again, "created ") {
		t.Errorf("a second run created tags:\n%s", again)
	}
}
