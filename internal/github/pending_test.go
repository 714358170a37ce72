package github

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/triangulate-nhs/triangulate/internal/github/githubtest"
)

// TestHeadHasFinishedCheck: what a restarted server counts as reviewed. A
// check run a workflow created under the same name is the forgery of the
// issue and does not count; nor does an unfinished run, or a finished one
// followed by a newer run still in progress (a re-run cut short).
func TestHeadHasFinishedCheck(t *testing.T) {
	app := func(status, conclusion string) githubtest.CheckRun {
		return githubtest.CheckRun{Name: "triangulate", HeadSHA: head1, Status: status, Conclusion: conclusion, AppID: githubtest.AppID}
	}
	forged := githubtest.CheckRun{Name: "triangulate", HeadSHA: head1, Status: "completed", Conclusion: "success", AppID: githubtest.ActionsAppID}
	tests := []struct {
		name string
		runs []githubtest.CheckRun
		want bool
	}{
		{name: "none"},
		{name: "in progress", runs: []githubtest.CheckRun{app("in_progress", "")}},
		{name: "completed", runs: []githubtest.CheckRun{app("completed", "failure")}, want: true},
		{name: "forged by a workflow", runs: []githubtest.CheckRun{forged}},
		{name: "forged after the App's run", runs: []githubtest.CheckRun{app("in_progress", ""), forged}},
		{name: "re-run still in progress", runs: []githubtest.CheckRun{app("completed", "failure"), app("in_progress", "")}},
		{name: "another commit", runs: []githubtest.CheckRun{{Name: "triangulate", HeadSHA: head2, Status: "completed", Conclusion: "success", AppID: githubtest.AppID}}},
		{name: "another name", runs: []githubtest.CheckRun{{Name: "lint", HeadSHA: head1, Status: "completed", Conclusion: "success", AppID: githubtest.AppID}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := githubtest.NewServer(t)
			for _, r := range tt.runs {
				f.AddCheckRun(r)
			}
			p := newAppPublisher(t, f, nil)
			got, err := p.HeadHasFinishedCheck(t.Context(), "triangulate-nhs", "plans", head1, CheckName)
			if err != nil || got != tt.want {
				t.Errorf("HeadHasFinishedCheck = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

// TestHeadHasFinishedStatus: with a token, the verdict is the newest
// commit status of the context by the tool's own login.
func TestHeadHasFinishedStatus(t *testing.T) {
	tests := []struct {
		name   string
		states []string // oldest first
		author string
		want   bool
	}{
		{name: "none"},
		{name: "pending", states: []string{"pending"}},
		{name: "finished", states: []string{"pending", "failure"}, want: true},
		{name: "pending again", states: []string{"failure", "pending"}},
		{name: "by someone else", states: []string{"success"}, author: "someone[bot]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := githubtest.NewServer(t)
			p := newTestPublisher(t, f)
			for _, st := range tt.states {
				if err := p.setStatus(t.Context(), basePub().PR, Status{State: st}, ""); err != nil {
					t.Fatal(err)
				}
			}
			if tt.author != "" {
				WithAuthor(tt.author)(p)
			}
			got, err := p.HeadHasFinishedCheck(t.Context(), "triangulate-nhs", "plans", head1, StatusContext)
			if err != nil || got != tt.want {
				t.Errorf("HeadHasFinishedCheck = %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestListOpenPullRequests(t *testing.T) {
	f := githubtest.NewServer(t)
	f.SetPageSize(2)
	for n := 1; n <= 5; n++ {
		f.SetPullRequest(n, strings.Repeat("b", 40), strings.Repeat(string(rune('0'+n)), 40), "main", "branch")
	}
	f.ClosePullRequest(2)
	f.SetCloneURL("triangulate-nhs/plans", "/srv/git/plans.git")
	p := newTestPublisher(t, f)
	got, err := p.ListOpenPullRequests(t.Context(), "triangulate-nhs", "plans")
	if err != nil {
		t.Fatal(err)
	}
	var numbers []int
	for _, pr := range got {
		numbers = append(numbers, pr.Number)
		if pr.CloneURL != "/srv/git/plans.git" || pr.HeadSHA != strings.Repeat(string(rune('0'+pr.Number)), 40) || pr.BaseRef != "main" {
			t.Errorf("pull request %+v", pr)
		}
	}
	if diff := cmp.Diff([]int{5, 4, 3, 1}, numbers); diff != "" {
		t.Errorf("open pull requests (-want +got):\n%s", diff)
	}
	if n := f.Count("pulls/list", 200); n != 2 {
		t.Errorf("pages read = %d, want 2", n)
	}
	if _, err := p.ListOpenPullRequests(t.Context(), "", "plans"); err == nil {
		t.Error("no error without an owner")
	}
}

// TestStartAndFailAsStatus: with a token the same calls set a pending and
// then an error commit status, the reason in its description.
func TestStartAndFailAsStatus(t *testing.T) {
	f := githubtest.NewServer(t)
	p := newTestPublisher(t, f)
	pr := basePub().PR
	if err := p.Start(t.Context(), pr); err != nil {
		t.Fatal(err)
	}
	if err := p.Fail(t.Context(), pr, errors.New("fetch plans:\nconnection reset")); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, st := range f.Statuses() {
		got = append(got, st["state"].(string)+": "+st["description"].(string))
	}
	want := []string{"pending: Triangulate is reviewing this commit", "error: Triangulate could not review this commit: fetch plans: connection reset"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
}

// TestValidateByMode: what each way of reporting accepts.
func TestValidateByMode(t *testing.T) {
	mergeGroup := Publication{PR: PR{Owner: "o", Repo: "r", HeadSHA: head1}, Status: Status{State: StateSuccess}}
	tests := []struct {
		name    string
		as      ReportAs
		pub     Publication
		wantErr string
	}{
		{name: "merge group as check", as: ReportCheck, pub: mergeGroup},
		{name: "merge group as status", as: ReportStatus, pub: mergeGroup},
		{name: "negative number", as: ReportCheck, pub: func() Publication { p := basePub(); p.PR.Number = -1; return p }(), wantErr: "invalid pull request number -1"},
		{name: "neutral as check", as: ReportCheck, pub: func() Publication { p := basePub(); p.Status.State = StateNeutral; return p }()},
		{name: "neutral as status", as: ReportStatus, pub: func() Publication { p := basePub(); p.Status.State = StateNeutral; return p }(), wantErr: "neutral is for check runs only"},
		{name: "comments without a pull request", as: ReportCheck, pub: func() Publication { p := basePub(); p.PR.Number = 0; return p }(), wantErr: "need a pull request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := (&Publisher{reportAs: tt.as}).validate(tt.pub)
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("validate = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

// TestMergeGroupAsStatus: with a token, a merge group's verdict is a commit
// status on its head, and nothing else is sent.
func TestMergeGroupAsStatus(t *testing.T) {
	f := githubtest.NewServer(t)
	p := newTestPublisher(t, f)
	pub := Publication{PR: PR{Owner: "triangulate-nhs", Repo: "plans", HeadSHA: head2},
		Summary: "## Triangulate", Status: Status{State: StateSuccess, Description: "Submittable"}}
	if _, err := p.Publish(t.Context(), pub); err != nil {
		t.Fatal(err)
	}
	if ops := f.Requests(); len(ops) != 1 || ops[0].Op != "repos/create-commit-status" || f.Statuses()[0]["sha"] != head2 {
		t.Errorf("requests %+v, want one status on the merge group's head", ops)
	}
}

// TestReconcileScope: what a restarted App server reviews is every open pull
// request of every repository of every installation.
func TestReconcileScope(t *testing.T) {
	f := githubtest.NewServer(t)
	f.SetPageSize(1)
	f.SetInstallationRepositories(githubtest.InstallationID, "nhs-east/plans", "nhs-east/plans-2020")
	f.SetInstallationRepositories(80, "nhs-west/plans")
	f.SetCloneURL("nhs-east/plans", "/srv/git/east.git")
	a := newTestApp(t, f, githubtest.AppID, f.AppPrivateKeyPEM(), nil)
	ids, err := a.Installations(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int64{githubtest.InstallationID, 80}, ids); diff != "" {
		t.Errorf("installations (-want +got):\n%s", diff)
	}
	p, err := a.Publisher(t.Context(), githubtest.InstallationID)
	if err != nil {
		t.Fatal(err)
	}
	repos, err := p.InstallationRepositories(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := []Repository{
		{Owner: "nhs-east", Name: "plans", CloneURL: "/srv/git/east.git"},
		{Owner: "nhs-east", Name: "plans-2020", CloneURL: "https://github.example/nhs-east/plans-2020.git"},
	}
	if diff := cmp.Diff(want, repos); diff != "" {
		t.Errorf("repositories (-want +got):\n%s", diff)
	}
	// A workflow's token cannot ask: GitHub keeps this to installations.
	rec := &recorder{TB: t}
	g := githubtest.NewServer(rec)
	if _, err := newTestPublisher(t, g).InstallationRepositories(t.Context()); !isStatus(err, 403) {
		t.Errorf("with a plain token: %v, want 403", err)
	}
	rec.finish()
}
