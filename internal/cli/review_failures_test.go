package cli

// Every failure to publish is visible: the run exits non-zero naming the
// write, and a review that cannot run says so on the pull request.

import (
	"strings"
	"testing"

	"github.com/triangulate-nhs/triangulate/internal/github/githubtest"
)

// TestReviewEveryFailureVisible: a write GitHub refuses or fails fails the
// run with exit 3 and a message naming the write, whatever the verdict.
// Before issue 9 a refused status write (403) exited 0 with no status set.
func TestReviewEveryFailureVisible(t *testing.T) {
	p := newPRRepo(t)
	p.Branch("rename")
	p.Replace(rtk, `name:      "Ashford and St Peter's Hospitals NHS Foundation Trust"`, `name:      "Ashford and St Peter's Hospitals NHS FT"`)
	p.Commit("shorter name")
	tests := []struct {
		name  string
		setup func(*githubtest.Server)
		want  []string // in stderr
		// wantFallback is set when the verdict went to the annotations
		// because GitHub refused the token.
		wantFallback bool
		wantStatuses int
	}{
		{
			name: "403 on the status",
			setup: func(s *githubtest.Server) {
				s.Fail("repos/create-commit-status", 1, 403, nil, `{"message":"Resource not accessible by integration"}`)
			},
			want:         []string{"publish review on o/plans#7: set commit status on " + p.sha("rename"), "github token cannot write", "403 Resource not accessible by integration"},
			wantFallback: true,
		},
		{
			name: "500s on the summary, past the retries",
			setup: func(s *githubtest.Server) {
				s.Fail("issues/create-comment", 4, 500, nil, `{"message":"Server Error"}`)
			},
			want:         []string{"publish review on o/plans#7: publish summary on o/plans#7: create comment", "500 Server Error"},
			wantStatuses: 1,
		},
		{
			name: "500s on the review",
			setup: func(s *githubtest.Server) {
				s.Fail("pulls/create-review", 4, 502, nil, `{"message":"Bad Gateway"}`)
			},
			want:         []string{"create review on o/plans#7", "502 Bad Gateway"},
			wantStatuses: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := githubtest.NewServer(t)
			p.open(srv, 7, "rename")
			tt.setup(srv)
			w := newWorld(srv)
			w.vars["GITHUB_STEP_SUMMARY"] = "/github/step_summary"
			out, errOut, code := p.reviewPR(w, 7)
			if code != ExitPublish {
				t.Fatalf("exit %d, want %d (the gate passes, but publishing failed):\n%s", code, ExitPublish, errOut)
			}
			for _, want := range tt.want {
				if !strings.Contains(errOut, want) {
					t.Errorf("stderr lacks %q:\n%s", want, errOut)
				}
			}
			summary := w.files["/github/step_summary"]
			if tt.wantFallback != (summary != nil && strings.Contains(summary.String(), "✅ submittable")) {
				t.Errorf("job summary %v, want it written: %v", summary, tt.wantFallback)
			}
			if !tt.wantFallback && !strings.Contains(out, "Submittable: nothing blocks RTK") {
				t.Errorf("stdout does not give the verdict:\n%s", out)
			}
			if n := len(srv.Statuses()); n != tt.wantStatuses {
				t.Errorf("statuses = %d, want %d", n, tt.wantStatuses)
			}
		})
	}
}

// TestReviewThatCannotRunSaysSoOnThePR: when the review itself fails (here
// the head commit was never fetched), the status says so with the reason,
// instead of leaving the pull request waiting for a status that never
// comes.
func TestReviewThatCannotRunSaysSoOnThePR(t *testing.T) {
	p := newPRRepo(t)
	srv := githubtest.NewServer(t)
	srv.SetPullRequest(6, p.sha("main"), strings.Repeat("d", 40), "main", "unfetched")
	_, errOut, code := p.reviewPR(newWorld(srv), 6)
	if code != ExitInput || !strings.Contains(errOut, "review o/plans#6") {
		t.Fatalf("exit %d, stderr %q; want 2 and the review's failure", code, errOut)
	}
	s := lastStatus(t, srv)
	if s["state"] != "error" || !strings.HasPrefix(s["description"].(string), "Triangulate could not review this commit: review o/plans#6: ") {
		t.Errorf("status %v, want error with the reason", s)
	}
}
