package server

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestRerunTasks: a re-run becomes a review of each pull request it names;
// of the merge group on a merge-queue branch; else a search by head.
func TestRerunTasks(t *testing.T) {
	head := sha("h")
	repo := `"repository": {"name": "plans-2019", "clone_url": "c", "owner": {"login": "nhs-plans"}}, "installation": {"id": 42}`
	run := func(prs, branch string) string {
		return `{"action": "rerequested", "check_run": {"name": "triangulate", "head_sha": "` + head + `", "app": {"id": 7},
 "pull_requests": [` + prs + `], "check_suite": {"head_branch": "` + branch + `"}}, ` + repo + `}`
	}
	type shape struct {
		Key  string
		Job  Job
		Fan  *fanout
		Mode mode
	}
	base := Job{Kind: KindRerequest, Delivery: "d", Installation: 42, Owner: "nhs-plans", Repo: "plans-2019", CloneURL: "c", HeadSHA: head}
	with := func(f func(*Job)) Job { j := base; f(&j); return j }
	cases := []struct {
		name string
		body string
		want []shape
	}{
		{"names two pull requests", run(`{"number": 3, "head": {"sha": "`+head+`"}, "base": {"ref": "main", "sha": "`+sha("b")+`"}},
 {"number": 4, "head": {"sha": "`+head+`"}, "base": {"ref": "weakened", "sha": "`+sha("w")+`"}}`, "topic"), []shape{
			{"nhs-plans/plans-2019#3", with(func(j *Job) { j.PR, j.BaseRef, j.BaseSHA = 3, "main", sha("b") }), nil, active},
			{"nhs-plans/plans-2019#4", with(func(j *Job) { j.PR, j.BaseRef, j.BaseSHA = 4, "weakened", sha("w") }), nil, active},
		}},
		{"merge queue branch", run("", "gh-readonly-queue/release/2019/pr-12-"+sha("x")), []shape{
			{"nhs-plans/plans-2019@" + head, with(func(j *Job) { j.BaseRef = "release/2019" }), nil, active},
		}},
		{"a fork's pull request: search by head", run("", "patch-1"), []shape{
			{"nhs-plans/plans-2019!rerun@" + head, base, &fanout{kind: KindRerequest, headSHA: head}, active},
		}},
	}
	s := newTestServer(t, newFakeGitHub(), func(c *Config) { c.AppID = 7 })
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ts, ignored, err := s.tasks("check_run", "d", []byte(c.body))
			if err != nil || ignored != "" {
				t.Fatalf("err %v, ignored %q", err, ignored)
			}
			var got []shape
			for _, x := range ts {
				got = append(got, shape{x.key, x.job, x.fan, x.mode})
			}
			if diff := cmp.Diff(c.want, got, cmp.AllowUnexported(fanout{})); diff != "" {
				t.Errorf("tasks (-want +got):\n%s", diff)
			}
		})
	}
}
