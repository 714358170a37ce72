package githubtest

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

func TestAPISpecAcceptsWhatThePublisherSends(t *testing.T) {
	spec := loadAPISpec(t)
	ids := map[string]bool{}
	for _, op := range spec.ops {
		ids[op.id] = true
	}
	for _, id := range []string{
		"pulls/get", "pulls/list-review-comments", "pulls/delete-review-comment", "pulls/list-reviews", "pulls/create-review",
		"issues/list-comments", "issues/create-comment", "issues/update-comment", "repos/create-commit-status",
		"repos/list-commit-statuses-for-ref", "pulls/list", "checks/create", "checks/update", "checks/list-for-ref",
		"apps/get-authenticated", "apps/create-installation-access-token", "apps/list-installations",
		"apps/list-repos-accessible-to-installation",
	} {
		if !ids[id] {
			t.Errorf("subset lacks operation %s", id)
		}
	}
	tests := []struct {
		method, path, query, body string
		want                      string
	}{
		{"GET", "/repos/o/r/pulls/7", "", "", "pulls/get"},
		{"GET", "/repos/o/r/pulls/7/comments", "sort=created&direction=asc&per_page=100&page=2", "", "pulls/list-review-comments"},
		{"DELETE", "/repos/o/r/pulls/comments/12", "", "", "pulls/delete-review-comment"},
		{"POST", "/repos/o/r/pulls/7/reviews", "", `{"commit_id":"abc","body":"b","event":"COMMENT","comments":[{"path":"a.cue","line":3,"side":"RIGHT","body":"x"}]}`, "pulls/create-review"},
		{"PATCH", "/repos/o/r/issues/comments/12", "", `{"body":"b"}`, "issues/update-comment"},
		{"POST", "/repos/o/r/statuses/abc123", "", `{"state":"failure","description":null,"context":"triangulate"}`, "repos/create-commit-status"},
		{"GET", "/repos/o/r/commits/abc123/statuses", "per_page=100", "", "repos/list-commit-statuses-for-ref"},
		{"GET", "/repos/o/r/pulls", "state=open&per_page=100", "", "pulls/list"},
		{"POST", "/repos/o/r/check-runs", "", `{"name":"triangulate","head_sha":"abc","status":"in_progress","output":{"title":"t","summary":"s"}}`, "checks/create"},
		{"PATCH", "/repos/o/r/check-runs/12", "", `{"name":"triangulate","status":"completed","conclusion":"failure","completed_at":"2019-03-01T09:00:00Z","output":{"title":"t","summary":"s"}}`, "checks/update"},
		{"GET", "/repos/o/r/commits/abc/check-runs", "check_name=triangulate&filter=latest&app_id=4242&per_page=100", "", "checks/list-for-ref"},
		{"GET", "/app", "", "", "apps/get-authenticated"},
		{"POST", "/app/installations/77/access_tokens", "", `{}`, "apps/create-installation-access-token"},
		{"GET", "/app/installations", "per_page=100", "", "apps/list-installations"},
		{"GET", "/installation/repositories", "per_page=100&page=2", "", "apps/list-repos-accessible-to-installation"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			q, _ := url.ParseQuery(tt.query)
			id, err := spec.check(tt.method, tt.path, q, "application/json", []byte(tt.body))
			if err != nil {
				t.Fatalf("check: %v", err)
			}
			if id != tt.want {
				t.Errorf("operation = %s, want %s", id, tt.want)
			}
		})
	}
}

// The validation must be able to fail, or the fake server's checks prove
// nothing: each request here breaks GitHub's description or documented rules.
func TestAPISpecRejects(t *testing.T) {
	spec := loadAPISpec(t)
	tests := []struct {
		name, method, path, query, body string
		want                            string
		rules                           bool // broken rule lies outside the description
	}{
		{name: "unknown path", method: "POST", path: "/repos/o/r/pulls/7/review", body: `{}`, want: "matches no operation"},
		{name: "wrong method", method: "PUT", path: "/repos/o/r/issues/comments/1", body: `{"body":"b"}`, want: "matches no operation"},
		{name: "non-numeric pull number", method: "GET", path: "/repos/o/r/pulls/seven/comments", want: `pull_number="seven" is not a integer`},
		{name: "non-numeric pull number on get", method: "GET", path: "/repos/o/r/pulls/seven", want: `pull_number="seven" is not a integer`},
		{name: "body on get", method: "GET", path: "/repos/o/r/pulls/7", body: `{"x":1}`, want: "takes none"},
		{name: "bad query value", method: "GET", path: "/repos/o/r/issues/7/comments", query: "per_page=many", want: `query parameter per_page="many" is not a integer`},
		{name: "unknown query parameter", method: "GET", path: "/repos/o/r/issues/7/comments", query: "perpage=10", want: "unknown query parameter perpage"},
		{name: "bad sort enum", method: "GET", path: "/repos/o/r/pulls/7/comments", query: "sort=newest", want: `query parameter sort="newest"`},
		{name: "comment missing body", method: "POST", path: "/repos/o/r/issues/7/comments", body: `{"text":"b"}`, want: "missing property 'body'"},
		{name: "missing required body", method: "POST", path: "/repos/o/r/issues/7/comments", want: "missing required request body"},
		{name: "body on delete", method: "DELETE", path: "/repos/o/r/pulls/comments/1", body: `{"x":1}`, want: "takes none"},
		{name: "bad review event", method: "POST", path: "/repos/o/r/pulls/7/reviews", body: `{"event":"COMMENTED","body":"b"}`, want: "at '/event'"},
		{name: "line as string", method: "POST", path: "/repos/o/r/pulls/7/reviews", body: `{"event":"COMMENT","body":"b","comments":[{"path":"a","line":"3","body":"x"}]}`, want: "'/comments/0/line': got string, want integer"},
		{name: "comment without path", method: "POST", path: "/repos/o/r/pulls/7/reviews", body: `{"event":"COMMENT","body":"b","comments":[{"line":3,"body":"x"}]}`, want: "missing property 'path'"},
		{name: "bad status state", method: "POST", path: "/repos/o/r/statuses/abc", body: `{"state":"passed","context":"triangulate"}`, want: "at '/state'"},
		{name: "null token options", method: "POST", path: "/app/installations/77/access_tokens", body: `null`, want: "got null, want object"},
		{name: "completed check without a conclusion", method: "PATCH", path: "/repos/o/r/check-runs/12", body: `{"status":"completed","output":{"summary":"s"}}`, want: "missing property 'conclusion'"},
		{name: "check output without a title", method: "POST", path: "/repos/o/r/check-runs", body: `{"name":"t","head_sha":"a","output":{"summary":"s"}}`, want: "missing property 'title'"},
		{name: "bad check conclusion", method: "POST", path: "/repos/o/r/check-runs", body: `{"name":"t","head_sha":"a","conclusion":"error"}`, want: "at '/conclusion'"},
		{name: "bad check filter", method: "GET", path: "/repos/o/r/commits/abc/check-runs", query: "filter=newest", want: `query parameter filter="newest"`},
		{name: "position and line mixed", method: "POST", path: "/repos/o/r/pulls/7/reviews", body: `{"event":"COMMENT","body":"b","comments":[{"path":"a","position":2,"line":3,"body":"x"}]}`, want: "position cannot be combined", rules: true},
		{name: "bad side", method: "POST", path: "/repos/o/r/pulls/7/reviews", body: `{"event":"COMMENT","body":"b","comments":[{"path":"a","line":3,"side":"right","body":"x"}]}`, want: "side must be LEFT or RIGHT", rules: true},
		{name: "single-line comment with start fields", method: "POST", path: "/repos/o/r/pulls/7/reviews", body: `{"event":"COMMENT","body":"b","comments":[{"path":"a","line":3,"start_line":3,"side":"RIGHT","start_side":"RIGHT","body":"x"}]}`, want: "start_line must precede line", rules: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, _ := url.ParseQuery(tt.query)
			_, err := spec.check(tt.method, tt.path, q, "application/json", []byte(tt.body))
			if tt.rules {
				if err != nil {
					t.Fatalf("description unexpectedly rejects it (%v); the rule layer is then redundant", err)
				}
				var body map[string]any
				dec := json.NewDecoder(strings.NewReader(tt.body))
				dec.UseNumber()
				if err := dec.Decode(&body); err != nil {
					t.Fatal(err)
				}
				problems := reviewCommentRules(body)
				if len(problems) == 0 || !strings.Contains(strings.Join(problems, "; "), tt.want) {
					t.Fatalf("rule problems = %q, want one containing %q", problems, tt.want)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("check error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}
