package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/triangulate-nhs/triangulate/internal/github/githubtest"
)

const (
	rtkFile = "plans/2019-20/providers/rtk.cue"
	ccgFile = "plans/2019-20/commissioners/09n.cue"
	head1   = "1111111111111111111111111111111111111111"
	head2   = "2222222222222222222222222222222222222222"
)

var testNow = time.Date(2019, 3, 1, 9, 0, 0, 0, time.UTC)

func basePub() Publication {
	return Publication{
		PR:      PR{Owner: "triangulate-nhs", Repo: "plans", Number: 7, HeadSHA: head1},
		Summary: "## Triangulate\n\n| | before | after |\n|---|---|---|\n| blocking | 0 | 2 |",
		Body:    "Findings outside the changed lines:\n\n- **A04** RA2 names 09Y, which has no plan.",
		Comments: []Comment{
			{Path: rtkFile, Line: 12, Body: "**A01 error** Activity agrees\n\nRTK plans 5,210 non-elective spells for 09N in M1; 09N plans 4,800 (8.5% apart).",
				Brief: "**A01 error** at rtk.cue:12: RTK plans 5,210 non-elective spells for 09N in M1; 09N plans 4,800 (8.5% apart)", Fingerprint: "a01rtk09n"},
			{Path: rtkFile, Line: 40, Side: "RIGHT", Body: "**B01 warning** planned G&A occupancy 94.1% in M10.", Fingerprint: "b01rtk"},
			{Path: ccgFile, Line: 7, Body: "**A01 error** Activity agrees\n\n09N plans 4,800 non-elective spells with RTK in M1; RTK plans 5,210.",
				Brief: "**A01 error** at 09n.cue:7: 09N plans 4,800 non-elective spells with RTK in M1; RTK plans 5,210", Fingerprint: "a01n09rtk"},
		},
		Status: Status{State: StateFailure, Description: "2 blocking findings: A01 (1), B01 (1)"},
	}
}

// counts is the part of an Outcome every scenario pins down.
type counts struct{ Posted, Skipped, Deleted, Listed, Failed int }

func countsOf(o Outcome) counts {
	return counts{o.Posted, o.Skipped, o.Deleted, o.Listed, o.Failed}
}

type run struct {
	pub     func() Publication
	want    counts
	wantErr error // matched with errors.Is; nil means success
}

// scenario is a sequence of publications against one fake GitHub.
type scenario struct {
	name  string
	setup func(f *githubtest.Server)
	opts  []Option
	runs  []run
	check func(t *testing.T, f *githubtest.Server, sleeps []time.Duration, outs []Outcome, errs []error)
}

func TestPublish(t *testing.T) {
	runScenarios(t, []scenario{
		{
			name: "first publish",
			runs: []run{{pub: basePub, want: counts{Posted: 3}}},
			check: func(t *testing.T, f *githubtest.Server, sleeps []time.Duration, outs []Outcome, _ []error) {
				reqs := f.RequestsTo("pulls/create-review")
				if len(reqs) != 1 {
					t.Fatalf("create-review requests = %d, want 1", len(reqs))
				}
				body := reqs[0].Body
				if body["event"] != "COMMENT" || body["commit_id"] != head1 {
					t.Errorf("review event/commit = %v/%v, want COMMENT/%s", body["event"], body["commit_id"], head1)
				}
				var got []string
				for _, c := range body["comments"].([]any) {
					c := c.(map[string]any)
					if _, ok := c["position"]; ok {
						t.Errorf("comment uses position: %v", c)
					}
					fp, _ := fingerprintOf(c["body"].(string))
					got = append(got, fmt.Sprintf("%v:%v:%v:%s", c["path"], c["line"], c["side"], fp))
				}
				want := []string{rtkFile + ":12:RIGHT:a01rtk09n", rtkFile + ":40:RIGHT:b01rtk", ccgFile + ":7:RIGHT:a01n09rtk"}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("review comments (-want +got):\n%s", diff)
				}
				if !strings.HasPrefix(body["body"].(string), basePub().Body) {
					t.Errorf("review body = %q, want it to start with the publication body", body["body"])
				}
				if len(f.IssueComments()) != 1 || !strings.HasSuffix(f.IssueComments()[0].Body, summaryMarker) {
					t.Fatalf("summary comments = %+v, want one ending in the marker", f.IssueComments())
				}
				if len(f.Statuses()) != 1 {
					t.Fatalf("statuses = %d, want 1", len(f.Statuses()))
				}
				wantStatus := map[string]any{
					"id": f.Statuses()[0]["id"], "sha": head1, "state": "failure", "context": "triangulate",
					"description": "2 blocking findings: A01 (1), B01 (1)", "target_url": outs[0].SummaryURL,
				}
				if diff := cmp.Diff(wantStatus, f.Statuses()[0]); diff != "" {
					t.Errorf("status (-want +got):\n%s", diff)
				}
				if outs[0].SummaryURL == "" || outs[0].ReviewURL == "" {
					t.Errorf("outcome URLs = %q, %q; want both set", outs[0].SummaryURL, outs[0].ReviewURL)
				}
				if len(sleeps) != 0 {
					t.Errorf("slept %v without any failure", sleeps)
				}
			},
		},
		{
			name: "re-run on the same head posts nothing new",
			runs: []run{{pub: basePub, want: counts{Posted: 3}}, {pub: basePub, want: counts{Skipped: 3}}},
			check: func(t *testing.T, f *githubtest.Server, _ []time.Duration, outs []Outcome, _ []error) {
				if n := f.Count("pulls/create-review", 0); n != 1 {
					t.Errorf("create-review requests = %d, want 1", n)
				}
				if n := f.Count("pulls/delete-review-comment", 0); n != 0 {
					t.Errorf("delete requests = %d, want 0", n)
				}
				if n := f.Count("issues/update-comment", http.StatusOK); n != 1 {
					t.Errorf("summary updates = %d, want 1", n)
				}
				if n := f.Count("issues/create-comment", 0); n != 1 {
					t.Errorf("summary creations = %d, want 1", n)
				}
				if len(f.ReviewComments()) != 3 || len(f.Statuses()) != 2 {
					t.Errorf("state: %d comments, %d statuses; want 3 and 2", len(f.ReviewComments()), len(f.Statuses()))
				}
				if outs[1].ReviewURL != "" || outs[1].SummaryURL != outs[0].SummaryURL {
					t.Errorf("second outcome = %+v, want no review and the same summary", outs[1])
				}
			},
		},
		{
			name: "a push that fixes a finding deletes its comment and keeps the rest",
			runs: []run{
				{pub: basePub, want: counts{Posted: 3}},
				{pub: func() Publication {
					p := basePub()
					p.PR.HeadSHA = head2
					// B01 fixed; the 09N side is on a line this push did not touch.
					p.Comments = p.Comments[:1]
					p.Keep = []string{"a01n09rtk"}
					p.Status = Status{State: StateFailure, Description: "1 blocking finding"}
					return p
				}, want: counts{Skipped: 1, Deleted: 1}},
			},
			check: func(t *testing.T, f *githubtest.Server, _ []time.Duration, _ []Outcome, _ []error) {
				var left []string
				for _, c := range f.ReviewComments() {
					fp, _ := fingerprintOf(c.Body)
					left = append(left, fp)
				}
				if diff := cmp.Diff([]string{"a01rtk09n", "a01n09rtk"}, left); diff != "" {
					t.Errorf("comments left (-want +got):\n%s", diff)
				}
				if got := f.Statuses()[1]["sha"]; got != head2 {
					t.Errorf("second status on %v, want %s", got, head2)
				}
			},
		},
		{
			name: "lists are read page by page",
			setup: func(f *githubtest.Server) {
				f.SetPageSize(2)
				for _, c := range []githubtest.Comment{
					{ID: 1, User: "regulator", Body: "Please explain the occupancy."},
					{ID: 2, User: "rtk-planner", Body: "Explained in the plan."},
					{ID: 3, User: "regulator", Body: "Thanks."},
				} {
					f.AddIssueComment(c)
				}
			},
			runs: []run{{pub: basePub, want: counts{Posted: 3}}, {pub: func() Publication {
				p := basePub()
				p.Comments = p.Comments[1:]
				return p
			}, want: counts{Skipped: 2, Deleted: 1}}},
			check: func(t *testing.T, f *githubtest.Server, _ []time.Duration, _ []Outcome, _ []error) {
				if n := f.Count("pulls/list-review-comments", 0); n != 1+2 {
					t.Errorf("review comment pages read = %d, want 3", n)
				}
				if n := f.Count("issues/update-comment", 0); n != 1 {
					t.Errorf("summary updates = %d, want 1 (the summary sits on the third page)", n)
				}
				if len(f.IssueComments()) != 4 {
					t.Errorf("issue comments = %d, want 4", len(f.IssueComments()))
				}
			},
		},
		{
			name: "comments by others are never touched, marker or not",
			setup: func(f *githubtest.Server) {
				f.AddReviewComment(githubtest.Comment{ID: 1, User: "mallory", Path: rtkFile, Line: 12, Body: "copied " + fingerprintMarker("zzz")})
				f.AddReviewComment(githubtest.Comment{ID: 2, User: "regulator", Path: rtkFile, Line: 12, Body: "Is 8.5% right?"})
				f.AddIssueComment(githubtest.Comment{ID: 3, User: "mallory", Body: "fake " + summaryMarker})
			},
			opts: []Option{WithAuthor(githubtest.BotLogin)},
			runs: []run{{pub: basePub, want: counts{Posted: 3}}},
			check: func(t *testing.T, f *githubtest.Server, _ []time.Duration, _ []Outcome, _ []error) {
				if n := f.Count("pulls/delete-review-comment", 0) + f.Count("issues/update-comment", 0); n != 0 {
					t.Errorf("touched %d foreign comments", n)
				}
				if len(f.IssueComments()) != 2 {
					t.Errorf("issue comments = %d, want the foreign one plus ours", len(f.IssueComments()))
				}
			},
		},
		{
			name: "a duplicate left by a retried write is removed",
			setup: func(f *githubtest.Server) {
				f.AddReviewComment(githubtest.Comment{ID: 1, User: githubtest.BotLogin, Path: rtkFile, Line: 40, Body: "B01 " + fingerprintMarker("b01rtk")})
				f.AddReviewComment(githubtest.Comment{ID: 2, User: githubtest.BotLogin, Path: rtkFile, Line: 40, Body: "B01 " + fingerprintMarker("b01rtk")})
			},
			runs: []run{{pub: basePub, want: counts{Posted: 2, Skipped: 1, Deleted: 1}}},
			check: func(t *testing.T, f *githubtest.Server, _ []time.Duration, _ []Outcome, _ []error) {
				if reqs := f.RequestsTo("pulls/delete-review-comment"); len(reqs) != 1 || !strings.HasSuffix(reqs[0].Path, "/2") {
					t.Errorf("deletes = %+v, want only the newer duplicate, id 2", reqs)
				}
			},
		},
		{
			name: "findings only off the diff: one review, not repeated",
			runs: []run{
				{pub: noComments, want: counts{}},
				{pub: noComments, want: counts{}},
			},
			check: func(t *testing.T, f *githubtest.Server, _ []time.Duration, outs []Outcome, _ []error) {
				if len(f.Reviews()) != 1 {
					t.Errorf("reviews = %d, want 1", len(f.Reviews()))
				}
				if outs[0].ReviewURL == "" || outs[1].ReviewURL != "" {
					t.Errorf("review URLs = %q, %q; want only the first", outs[0].ReviewURL, outs[1].ReviewURL)
				}
			},
		},
		{
			name: "an invalid side sends nothing",
			runs: []run{{pub: func() Publication {
				p := basePub()
				p.Comments[0].Side = "MIDDLE"
				return p
			}, wantErr: errAny}},
			check: func(t *testing.T, f *githubtest.Server, _ []time.Duration, _ []Outcome, errs []error) {
				if len(f.Requests()) != 0 || !strings.Contains(errs[0].Error(), `invalid side "MIDDLE"`) {
					t.Errorf("requests = %d, error = %v", len(f.Requests()), errs[0])
				}
			},
		},
		{
			name: "an invalid publication sends nothing",
			runs: []run{{pub: func() Publication {
				p := basePub()
				p.Status.State = "red"
				return p
			}, wantErr: errAny}},
			check: func(t *testing.T, f *githubtest.Server, _ []time.Duration, _ []Outcome, errs []error) {
				if len(f.Requests()) != 0 || !strings.Contains(errs[0].Error(), `invalid status state "red"`) {
					t.Errorf("requests = %d, error = %v", len(f.Requests()), errs[0])
				}
			},
		},
	})
}

// runScenarios runs each scenario against a fresh fake GitHub whose diff
// shows rtk.cue lines 1-60 and 09n.cue lines 1-20, with waits recorded
// instead of slept.
func runScenarios(t *testing.T, tests []scenario) {
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := githubtest.NewServer(t)
			f.AllowLines(rtkFile, 1, 60)
			f.AllowLines(ccgFile, 1, 20)
			if tt.setup != nil {
				tt.setup(f)
			}
			var sleeps []time.Duration
			opts := append([]Option{
				WithSleep(func(_ context.Context, d time.Duration) error {
					sleeps = append(sleeps, d)
					return nil
				}),
				WithClock(func() time.Time { return testNow }),
			}, tt.opts...)
			p, err := New(f.Client(), f.URL(), githubtest.Token, opts...)
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			var outs []Outcome
			var errs []error
			for i, r := range tt.runs {
				out, err := p.Publish(context.Background(), r.pub())
				outs, errs = append(outs, out), append(errs, err)
				switch {
				case r.wantErr == nil && err != nil:
					t.Fatalf("run %d: Publish: %v", i+1, err)
				case r.wantErr == errAny && err == nil, r.wantErr != nil && r.wantErr != errAny && !errors.Is(err, r.wantErr):
					t.Fatalf("run %d: Publish error = %v, want %v", i+1, err, r.wantErr)
				}
				if diff := cmp.Diff(r.want, countsOf(out)); diff != "" {
					t.Errorf("run %d: outcome (-want +got):\n%s", i+1, diff)
				}
			}
			tt.check(t, f, sleeps, outs, errs)
		})
	}
}

// errAny stands for "some error" in a scenario table.
var errAny = errors.New("any error")

func manyComments() Publication {
	p := basePub()
	p.Comments = nil
	for i := range 70 {
		p.Comments = append(p.Comments, Comment{
			Path: rtkFile, Line: 101 + i, Fingerprint: fmt.Sprintf("fp%02d", i),
			Body: fmt.Sprintf("finding %d\nsecond line not shown in the list", i),
		})
	}
	return p
}

func noComments() Publication {
	p := basePub()
	p.Comments = nil
	return p
}

func TestNew(t *testing.T) {
	tests := []struct {
		name, baseURL, token string
		wantURL, wantErr     string
	}{
		{name: "default", token: "t", wantURL: "https://api.github.com/"},
		{name: "GITHUB_API_URL without slash", baseURL: "https://ghe.example.com/api/v3", token: "t", wantURL: "https://ghe.example.com/api/v3/"},
		{name: "no token", baseURL: "https://api.github.com", wantErr: "empty token"},
		{name: "not http", baseURL: "ftp://x", token: "t", wantErr: "not an http(s) url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := New(nil, tt.baseURL, tt.token)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("New error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := p.client.BaseURL.String(); got != tt.wantURL {
				t.Errorf("BaseURL = %s, want %s", got, tt.wantURL)
			}
		})
	}
}
