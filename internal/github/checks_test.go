package github

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/triangulate-nhs/triangulate/internal/github/githubtest"
)

// newAppPublisher is a run's Publisher acting as the App's installation on
// f, recording waits in *sleeps.
func newAppPublisher(t testing.TB, f *githubtest.Server, sleeps *[]time.Duration) *Publisher {
	t.Helper()
	a := newTestApp(t, f, githubtest.AppID, f.AppPrivateKeyPEM(), sleeps)
	p, err := a.Publisher(t.Context(), githubtest.InstallationID)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// checkScenario is one run of an App publisher against a fresh fake GitHub.
type checkScenario struct {
	name  string
	setup func(f *githubtest.Server)
	// run does the run's work; the error is Publish's (or Fail's).
	run   func(t *testing.T, p *Publisher) error
	check func(t *testing.T, f *githubtest.Server, err error, sleeps []time.Duration)
}

func TestCheckRuns(t *testing.T) {
	success := func() Publication {
		p := basePub()
		p.Status = Status{State: StateSuccess, Description: "Submittable: nothing blocks RTK"}
		return p
	}
	publish := func(pub func() Publication) func(*testing.T, *Publisher) error {
		return func(t *testing.T, p *Publisher) error {
			if err := p.Start(t.Context(), pub().PR); err != nil {
				t.Fatalf("Start: %v", err)
			}
			_, err := p.Publish(t.Context(), pub())
			return err
		}
	}
	runScenariosAsApp(t, []checkScenario{
		{
			name: "started in progress, then completed with the verdict",
			run:  publish(basePub),
			check: func(t *testing.T, f *githubtest.Server, err error, _ []time.Duration) {
				if err != nil {
					t.Fatalf("Publish: %v", err)
				}
				runs := f.CheckRuns()
				if len(runs) != 1 {
					t.Fatalf("check runs = %d, want the started one only", len(runs))
				}
				got := runs[0]
				want := githubtest.CheckRun{
					ID: got.ID, Name: "triangulate", HeadSHA: head1, Status: "completed", Conclusion: "failure",
					Title: "2 blocking findings: A01 (1), B01 (1)", Summary: basePub().Summary,
					DetailsURL: fmt.Sprintf("https://github.example/o/r/pull/7#issuecomment-%d", f.IssueComments()[0].ID), AppID: githubtest.AppID,
					StartedAt: got.StartedAt, CompletedAt: got.CompletedAt,
				}
				if diff := cmp.Diff(want, got, cmpopts.IgnoreUnexported(githubtest.CheckRun{})); diff != "" {
					t.Errorf("check run (-want +got):\n%s", diff)
				}
				creates := f.RequestsTo("checks/create")
				if len(creates) != 1 || creates[0].Body["status"] != "in_progress" {
					t.Errorf("creations = %+v, want one in progress", creates)
				}
				if upd := f.RequestsTo("checks/update"); len(upd) != 1 || upd[0].Body["completed_at"] != "2019-03-01T09:00:00Z" {
					t.Errorf("updates = %+v, want one completing at the clock's time", upd)
				}
				if len(f.Statuses()) != 0 {
					t.Errorf("statuses = %v, want none", f.Statuses())
				}
			},
		},
		{
			name: "an interrupted attempt's run is taken over, not left spinning",
			setup: func(f *githubtest.Server) {
				f.AddCheckRun(githubtest.CheckRun{Name: "triangulate", HeadSHA: head1, Status: "in_progress", AppID: githubtest.AppID})
			},
			run: publish(success),
			check: func(t *testing.T, f *githubtest.Server, err error, _ []time.Duration) {
				if err != nil {
					t.Fatal(err)
				}
				runs := f.CheckRuns()
				if len(runs) != 1 || runs[0].Conclusion != "success" || f.Count("checks/create", 0) != 0 {
					t.Errorf("check runs = %+v, want the old one completed and none created", runs)
				}
			},
		},
		{
			name: "a forged run by a workflow is neither taken over nor counted",
			setup: func(f *githubtest.Server) {
				f.AddCheckRun(githubtest.CheckRun{Name: "triangulate", HeadSHA: head1, Status: "in_progress", AppID: githubtest.ActionsAppID})
			},
			run: publish(basePub),
			check: func(t *testing.T, f *githubtest.Server, err error, _ []time.Duration) {
				runs := f.CheckRuns()
				if err != nil || len(runs) != 2 || runs[0].Status != "in_progress" || runs[1].Conclusion != "failure" || runs[1].AppID != githubtest.AppID {
					t.Errorf("err %v, check runs %+v: want the forged one untouched and the App's own failed", err, runs)
				}
			},
		},
		{
			name: "a merge group gets the verdict only",
			run: func(t *testing.T, p *Publisher) error {
				pub := Publication{PR: PR{Owner: "triangulate-nhs", Repo: "plans", HeadSHA: head2},
					Summary: "## Triangulate\n\nC03 fails with both changes.", Details: "RTK and RA2 together plan £12m more deficit.",
					Status: Status{State: StateFailure, Description: "Not submittable: C03"}}
				_, err := p.Publish(t.Context(), pub)
				return err
			},
			check: func(t *testing.T, f *githubtest.Server, err error, _ []time.Duration) {
				runs := f.CheckRuns()
				if err != nil || len(runs) != 1 || runs[0].HeadSHA != head2 || runs[0].Text != "RTK and RA2 together plan £12m more deficit." || runs[0].DetailsURL != "" {
					t.Errorf("err %v, runs %+v", err, runs)
				}
				for _, r := range f.Requests() {
					if strings.HasPrefix(r.Op, "pulls/") || strings.HasPrefix(r.Op, "issues/") {
						t.Errorf("%s sent for a merge group", r.Op)
					}
				}
			},
		},
		{
			name: "a summary over GitHub's limit is cut with a note",
			run: publish(func() Publication {
				p := success()
				p.Summary = strings.Repeat("é", 70000)
				return p
			}),
			check: func(t *testing.T, f *githubtest.Server, err error, _ []time.Duration) {
				sum := f.CheckRuns()[0].Summary
				if err != nil || len(sum) > maxCheckTextBytes || !strings.HasSuffix(sum, checkTruncatedNote) {
					t.Errorf("err %v, summary of %d bytes ending %q", err, len(sum), sum[max(0, len(sum)-40):])
				}
			},
		},
		{
			name: "a review that fails fails the check, naming why",
			setup: func(f *githubtest.Server) {
				f.Fail("pulls/create-review", 10, http.StatusInternalServerError, nil, `{"message":"Server Error"}`)
			},
			run: publish(success),
			check: func(t *testing.T, f *githubtest.Server, err error, _ []time.Duration) {
				if err == nil || !strings.Contains(err.Error(), "create review on triangulate-nhs/plans#7") {
					t.Errorf("error = %v, want the review's failure", err)
				}
				r := f.CheckRuns()[0]
				if r.Conclusion != "failure" || r.Title != "Not wholly published: Submittable: nothing blocks RTK" ||
					!strings.Contains(r.Summary, "did not reach the pull request") || !strings.Contains(r.Summary, "500 Server Error") ||
					!strings.HasSuffix(r.Summary, basePub().Summary) {
					t.Errorf("check run %+v, want a failure naming the review", r)
				}
			},
		},
		{
			name: "the App refused a comment: the check still fails with the reason",
			setup: func(f *githubtest.Server) {
				f.Fail("pulls/create-review", 1, http.StatusForbidden, nil, `{"message":"Resource not accessible by integration"}`)
			},
			run: publish(success),
			check: func(t *testing.T, f *githubtest.Server, err error, _ []time.Duration) {
				if !errors.Is(err, ErrReadOnly) {
					t.Errorf("error = %v, want ErrReadOnly", err)
				}
				if r := f.CheckRuns()[0]; r.Conclusion != "failure" || !strings.Contains(r.Summary, "Resource not accessible by integration") {
					t.Errorf("check run %+v, want a failure naming the refusal", r)
				}
			},
		},
		{
			name: "500s exhausting retries on the check run's update: one more try reports the failure",
			setup: func(f *githubtest.Server) {
				f.Fail("checks/update", 4, http.StatusInternalServerError, nil, `{"message":"Server Error"}`)
			},
			run: publish(success),
			check: func(t *testing.T, f *githubtest.Server, err error, sleeps []time.Duration) {
				if err == nil || !strings.Contains(err.Error(), `write check run "triangulate" on `+head1) || !strings.Contains(err.Error(), "500") {
					t.Errorf("error = %v, want the check run's failure", err)
				}
				if n := f.Count("checks/update", 0); n != 5 {
					t.Errorf("updates = %d, want 4 attempts and the failure", n)
				}
				if r := f.CheckRuns()[0]; r.Conclusion != "failure" || r.Title != "Triangulate could not report its verdict" || !strings.Contains(r.Summary, "500 Server Error") {
					t.Errorf("check run %+v, want the failure reported", r)
				}
			},
		},
		{
			name: "500s on every update: the error says both tries failed",
			setup: func(f *githubtest.Server) {
				f.Fail("checks/update", 100, http.StatusInternalServerError, nil, `{"message":"Server Error"}`)
			},
			run: publish(success),
			check: func(t *testing.T, f *githubtest.Server, err error, sleeps []time.Duration) {
				if err == nil || !strings.Contains(err.Error(), "report the failure instead") {
					t.Errorf("error = %v, want both failures", err)
				}
				if n := f.Count("checks/update", 0); n != 8 {
					t.Errorf("updates = %d, want two bounded tries of 4", n)
				}
				if len(sleeps) != 6 {
					t.Errorf("waits = %v, want 3 per try", sleeps)
				}
			},
		},
		{
			name: "Fail puts the reason in a code block, where no markup renders",
			run: func(t *testing.T, p *Publisher) error {
				return p.Fail(t.Context(), basePub().PR, errors.New("resolve head: ``` @triangulate-nhs/regulators [x](https://evil.example)"))
			},
			check: func(t *testing.T, f *githubtest.Server, err error, _ []time.Duration) {
				r := f.CheckRuns()[0]
				want := "Triangulate could not review this commit, so this check fails until a re-run succeeds.\n\n" +
					"````text\nresolve head: ``` @triangulate-nhs/regulators [x](https://evil.example)\n````"
				if err != nil || r.Conclusion != "failure" || r.Summary != want {
					t.Errorf("err %v, check run %+v; want summary %q", err, r, want)
				}
			},
		},
	})
}

func runScenariosAsApp(t *testing.T, tests []checkScenario) {
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := githubtest.NewServer(t)
			f.AllowLines(rtkFile, 1, 60)
			f.AllowLines(ccgFile, 1, 20)
			if tt.setup != nil {
				tt.setup(f)
			}
			var sleeps []time.Duration
			p := newAppPublisher(t, f, &sleeps)
			err := tt.run(t, p)
			tt.check(t, f, err, sleeps)
		})
	}
}
