package github

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/triangulate-nhs/triangulate/internal/github/githubtest"
)

// TestPublishWhenGitHubFails: retries, rate limits, a read-only token,
// outages, size limits and rejected comments.
func TestPublishWhenGitHubFails(t *testing.T) {
	runScenarios(t, []scenario{
		{
			name: "502 then success is retried and posts one review",
			setup: func(f *githubtest.Server) {
				f.Fail("pulls/create-review", 1, http.StatusBadGateway, nil, `{"message":"Server Error"}`)
			},
			runs: []run{{pub: basePub, want: counts{Posted: 3}}},
			check: func(t *testing.T, f *githubtest.Server, sleeps []time.Duration, _ []Outcome, _ []error) {
				if n := f.Count("pulls/create-review", 0); n != 2 {
					t.Errorf("create-review requests = %d, want 2", n)
				}
				if len(f.Reviews()) != 1 || len(f.ReviewComments()) != 3 {
					t.Errorf("reviews = %d, comments = %d; want 1 and 3", len(f.Reviews()), len(f.ReviewComments()))
				}
				if diff := cmp.Diff([]time.Duration{time.Second}, sleeps); diff != "" {
					t.Errorf("waits (-want +got):\n%s", diff)
				}
			},
		},
		{
			name: "429 with Retry-After waits as asked",
			setup: func(f *githubtest.Server) {
				f.Fail("issues/list-comments", 2, http.StatusTooManyRequests, map[string]string{"Retry-After": "7"},
					`{"message":"You have exceeded a secondary rate limit."}`)
			},
			runs: []run{{pub: basePub, want: counts{Posted: 3}}},
			check: func(t *testing.T, f *githubtest.Server, sleeps []time.Duration, _ []Outcome, _ []error) {
				if diff := cmp.Diff([]time.Duration{7 * time.Second, 7 * time.Second}, sleeps); diff != "" {
					t.Errorf("waits (-want +got):\n%s", diff)
				}
				if len(f.IssueComments()) != 1 {
					t.Errorf("summary comments = %d, want 1", len(f.IssueComments()))
				}
			},
		},
		{
			name: "403 primary rate limit waits until the reset",
			setup: func(f *githubtest.Server) {
				f.Fail("repos/create-commit-status", 1, http.StatusForbidden, map[string]string{
					"X-Ratelimit-Remaining": "0",
					"X-Ratelimit-Reset":     fmt.Sprint(testNow.Add(20 * time.Second).Unix()),
				}, `{"message":"API rate limit exceeded"}`)
			},
			runs: []run{{pub: basePub, want: counts{Posted: 3}}},
			check: func(t *testing.T, f *githubtest.Server, sleeps []time.Duration, _ []Outcome, _ []error) {
				if diff := cmp.Diff([]time.Duration{21 * time.Second}, sleeps); diff != "" {
					t.Errorf("waits (-want +got):\n%s", diff)
				}
				if len(f.Statuses()) != 1 {
					t.Errorf("statuses = %d, want 1", len(f.Statuses()))
				}
			},
		},
		{
			name:  "a fork's read-only token gives ErrReadOnly without retrying",
			setup: func(f *githubtest.Server) { f.SetReadOnly(true) },
			runs:  []run{{pub: basePub, want: counts{}, wantErr: ErrReadOnly}},
			check: func(t *testing.T, f *githubtest.Server, sleeps []time.Duration, _ []Outcome, _ []error) {
				if len(sleeps) != 0 {
					t.Errorf("waits = %v, want none", sleeps)
				}
				if n := f.Count("pulls/create-review", http.StatusForbidden); n != 1 {
					t.Errorf("refused review requests = %d, want 1", n)
				}
				if n := f.Count("issues/create-comment", 0) + f.Count("repos/create-commit-status", 0); n != 0 {
					t.Errorf("writes after the refusal = %d, want 0", n)
				}
			},
		},
		{
			name: "persistent 503 is reported after bounded retries and the rest still goes out",
			setup: func(f *githubtest.Server) {
				f.Fail("issues/create-comment", 10, http.StatusServiceUnavailable, nil, `{"message":"Service Unavailable"}`)
			},
			runs: []run{{pub: basePub, want: counts{Posted: 3}, wantErr: errAny}},
			check: func(t *testing.T, f *githubtest.Server, sleeps []time.Duration, _ []Outcome, errs []error) {
				if n := f.Count("issues/create-comment", 0); n != 4 {
					t.Errorf("summary attempts = %d, want 4", n)
				}
				if diff := cmp.Diff([]time.Duration{time.Second, 2 * time.Second, 4 * time.Second}, sleeps); diff != "" {
					t.Errorf("waits (-want +got):\n%s", diff)
				}
				if errors.Is(errs[0], ErrReadOnly) || !strings.Contains(errs[0].Error(), "publish summary") {
					t.Errorf("error = %v, want a summary failure that is not ErrReadOnly", errs[0])
				}
				if len(f.Statuses()) != 1 || f.Statuses()[0]["target_url"] != nil {
					t.Errorf("statuses = %v, want one without a target URL", f.Statuses())
				}
			},
		},
		{
			name: "422, then the review that lists the comments fails too: an error",
			setup: func(f *githubtest.Server) {
				f.Fail("pulls/create-review", 1, http.StatusUnprocessableEntity, nil, `{"message":"Unprocessable Entity","errors":["Line could not be resolved"]}`)
				f.Fail("pulls/create-review", 4, http.StatusInternalServerError, nil, `{"message":"Server Error"}`)
			},
			runs: []run{{pub: basePub, want: counts{Failed: 3}, wantErr: ErrRejected}},
			check: func(t *testing.T, f *githubtest.Server, _ []time.Duration, _ []Outcome, errs []error) {
				if !strings.Contains(errs[0].Error(), "create review without line comments") || len(f.Statuses()) != 1 {
					t.Errorf("error %v, statuses %d: want the second failure named and the status set", errs[0], len(f.Statuses()))
				}
			},
		},
		{
			name: "oversize bodies are truncated with a note",
			runs: []run{{pub: func() Publication {
				p := basePub()
				p.Summary = strings.Repeat("| RTK | 09N | 5,210 | 4,800 |\n", 4000)
				p.Body = strings.Repeat("é", 70000)
				p.Comments[0].Body = strings.Repeat("x", 80000)
				p.Status.Description = strings.Repeat("blocking finding; ", 20)
				return p
			}, want: counts{Posted: 3}}},
			check: func(t *testing.T, f *githubtest.Server, _ []time.Duration, outs []Outcome, _ []error) {
				review := f.Reviews()[0]["body"].(string)
				summary := f.IssueComments()[0].Body
				first := f.ReviewComments()[0].Body
				for name, body := range map[string]string{"review": review, "summary": summary, "comment": first} {
					if len(body) > maxBodyBytes || !strings.Contains(body, "truncated") {
						t.Errorf("%s body: %d bytes, truncation note %v", name, len(body), strings.Contains(body, "truncated"))
					}
				}
				if !strings.HasSuffix(summary, summaryMarker) || !strings.HasSuffix(first, fingerprintMarker("a01rtk09n")) {
					t.Errorf("markers lost in truncation")
				}
				if d := f.Statuses()[0]["description"].(string); len([]rune(d)) != maxDescriptionLen || !strings.HasSuffix(d, "…") {
					t.Errorf("description %q (%d characters), want 140 ending in an ellipsis", d, len([]rune(d)))
				}
				if len(outs[0].Warnings) != 3 {
					t.Errorf("warnings = %q, want 3", outs[0].Warnings)
				}
			},
		},
		{
			name: "too many comments: the rest are listed in the body, and a re-run adds nothing",
			setup: func(f *githubtest.Server) {
				f.AllowLines(rtkFile, 1, 200)
			},
			runs: []run{
				{pub: manyComments, want: counts{Posted: 50, Listed: 20}},
				{pub: manyComments, want: counts{Skipped: 70}},
			},
			check: func(t *testing.T, f *githubtest.Server, _ []time.Duration, _ []Outcome, _ []error) {
				if len(f.Reviews()) != 1 || len(f.ReviewComments()) != 50 {
					t.Fatalf("reviews = %d, comments = %d; want 1 and 50", len(f.Reviews()), len(f.ReviewComments()))
				}
				body := f.Reviews()[0]["body"].(string)
				if !strings.Contains(body, "**20 comments listed here instead of on their lines:** one review carries at most 50 line comments.") ||
					!strings.Contains(body, "\n- finding 69") || strings.Contains(body, "second line") || strings.Contains(body, "rejected") {
					t.Errorf("review body does not list the overflow, each by its first line:\n%s", body)
				}
				if got := len(listedIn(body)); got != 20 {
					t.Errorf("listed fingerprints = %d, want 20", got)
				}
			},
		},
		{
			// A rejection the review body makes up for is a warning, not an
			// error: every comment reaches the pull request, and since an
			// error now fails the run (nothing may fail silently), a
			// rejection recovered in full must not.
			name: "422 on a comment is reported, and the findings go in the review body",
			runs: []run{
				{pub: func() Publication {
					p := basePub()
					p.Comments[1].Line = 400 // outside the diff
					return p
				}, want: counts{Listed: 3, Failed: 3}},
				{pub: basePub, want: counts{Skipped: 3}},
			},
			check: func(t *testing.T, f *githubtest.Server, _ []time.Duration, outs []Outcome, errs []error) {
				if n := f.Count("pulls/create-review", http.StatusUnprocessableEntity); n != 1 {
					t.Errorf("rejected reviews = %d, want 1", n)
				}
				if len(f.Reviews()) != 1 || len(f.ReviewComments()) != 0 {
					t.Fatalf("reviews = %d, comments = %d; want 1 and 0", len(f.Reviews()), len(f.ReviewComments()))
				}
				if len(f.Statuses()) != 2 || len(f.IssueComments()) != 1 {
					t.Errorf("statuses = %d, summaries = %d; want 2 and 1", len(f.Statuses()), len(f.IssueComments()))
				}
				if len(outs[0].Warnings) == 0 || !strings.Contains(outs[0].Warnings[0], "Line could not be resolved") {
					t.Errorf("warnings %q do not say what GitHub rejected", outs[0].Warnings)
				}
				// The body says what GitHub rejected and why, not the
				// comment cap, and keeps each finding's figures.
				body := f.Reviews()[0]["body"].(string)
				for _, want := range []string{
					"**3 comments listed here instead of on their lines:** GitHub rejected this review's line comments with HTTP 422 (\"Unprocessable Entity: Line could not be resolved\").",
					"\n- **A01 error** at rtk.cue:12: RTK plans 5,210 non-elective spells for 09N in M1; 09N plans 4,800 (8.5% apart)\n",
					"\n- **B01 warning** planned G&A occupancy 94.1% in M10.\n",
					"\n- **A01 error** at 09n.cue:7: 09N plans 4,800 non-elective spells with RTK in M1; RTK plans 5,210\n",
				} {
					if !strings.Contains(body, want) {
						t.Errorf("review body lacks %q:\n%s", want, body)
					}
				}
				if strings.Contains(body, "at most 50") {
					t.Errorf("review body blames the comment cap for GitHub's rejection:\n%s", body)
				}
			},
		},
	})
}
