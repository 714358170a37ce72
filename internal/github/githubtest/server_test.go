package githubtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// recorder stands in for the test given to NewServer, so that what the
// server reports at cleanup can be checked instead of failing this test.
type recorder struct {
	testing.TB
	errors   []string
	cleanups []func()
}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func (r *recorder) Cleanup(f func()) { r.cleanups = append(r.cleanups, f) }

func (r *recorder) finish() {
	for i := len(r.cleanups) - 1; i >= 0; i-- {
		r.cleanups[i]()
	}
}

// call sends one request the way go-github would and decodes the answer.
func call(t *testing.T, s *Server, method, path, token, body string) (int, http.Header, any) {
	t.Helper()
	req, err := http.NewRequest(method, s.URL()+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatalf("%s %s answered %q: %v", method, path, raw, err)
		}
	}
	return resp.StatusCode, resp.Header, v
}

func TestServerPullRequest(t *testing.T) {
	s := NewServer(t)
	s.SetPullRequest(7, "aaa", "bbb", "main", "rtk-m1")
	const clone = "https://github.example/nhs/plans.git"
	tests := []struct {
		path       string
		wantStatus int
		want       any
	}{
		{path: "/repos/nhs/plans/pulls/7", wantStatus: http.StatusOK, want: map[string]any{
			"number": 7.0, "state": "open", "html_url": "https://github.example/nhs/plans/pull/7",
			"base": map[string]any{"sha": "aaa", "ref": "main", "label": "nhs:main", "repo": map[string]any{"full_name": "nhs/plans", "clone_url": clone}},
			"head": map[string]any{"sha": "bbb", "ref": "rtk-m1", "label": "nhs:rtk-m1", "repo": map[string]any{"full_name": "nhs/plans", "clone_url": clone}},
		}},
		{path: "/repos/nhs/plans/pulls/8", wantStatus: http.StatusNotFound, want: map[string]any{
			"message": "Not Found", "documentation_url": "https://docs.github.com/rest",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			status, _, got := call(t, s, "GET", tt.path, Token, "")
			if status != tt.wantStatus {
				t.Errorf("status = %d, want %d", status, tt.wantStatus)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
		})
	}
	if n := s.Count("pulls/get", http.StatusNotFound); n != 1 {
		t.Errorf("404s counted = %d, want 1", n)
	}
}

func TestServerReportsInvalidRequests(t *testing.T) {
	tests := []struct {
		name, method, path, token, body string
		want                            string
	}{
		{name: "valid", method: "POST", path: "/repos/o/r/issues/7/comments", token: Token, body: `{"body":"hi"}`},
		{name: "no token", method: "GET", path: "/repos/o/r/pulls/7", want: `Authorization header ""`},
		{name: "wrong token", method: "GET", path: "/repos/o/r/pulls/7", token: "other", want: `Authorization header "Bearer other"`},
		{name: "not in the description", method: "GET", path: "/repos/o/r/pulls/7/files", token: Token, want: "matches no operation"},
		{name: "broken body", method: "POST", path: "/repos/o/r/issues/7/comments", token: Token, body: `{"text":"hi"}`, want: "missing property 'body'"},
		{name: "documented rule outside the description", method: "POST", path: "/repos/o/r/pulls/7/reviews", token: Token,
			body: `{"event":"COMMENT","body":"b","comments":[{"path":"a","line":3,"side":"right","body":"x"}]}`,
			want: "side must be LEFT or RIGHT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{TB: t}
			s := NewServer(rec)
			status, _, _ := call(t, s, tt.method, tt.path, tt.token, tt.body)
			invalid := s.Invalid()
			rec.finish()
			if tt.want == "" {
				if len(invalid) != 0 || len(rec.errors) != 0 || status >= 400 {
					t.Fatalf("status %d, invalid %q, errors %q; want the request accepted", status, invalid, rec.errors)
				}
				return
			}
			if status != http.StatusUnprocessableEntity {
				t.Errorf("status = %d, want 422", status)
			}
			if len(invalid) != 1 || !strings.Contains(invalid[0], tt.want) {
				t.Errorf("Invalid() = %q, want one containing %q", invalid, tt.want)
			}
			if len(rec.errors) != 1 || !strings.Contains(rec.errors[0], tt.want) {
				t.Errorf("reported at cleanup: %q, want one error containing %q", rec.errors, tt.want)
			}
		})
	}
}

func TestServerFaultsAndReadOnly(t *testing.T) {
	s := NewServer(t)
	s.Fail("issues/create-comment", 2, http.StatusBadGateway, map[string]string{"Retry-After": "3"}, `{"message":"Server Error"}`)
	var got []int
	for range 3 {
		status, h, _ := call(t, s, "POST", "/repos/o/r/issues/7/comments", Token, `{"body":"hi"}`)
		got = append(got, status)
		if status == http.StatusBadGateway && h.Get("Retry-After") != "3" {
			t.Errorf("fault headers lost: %v", h)
		}
	}
	if diff := cmp.Diff([]int{502, 502, 201}, got); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	s.SetReadOnly(true)
	if status, _, _ := call(t, s, "POST", "/repos/o/r/issues/7/comments", Token, `{"body":"again"}`); status != http.StatusForbidden {
		t.Errorf("write while read-only: status %d, want 403", status)
	}
	if status, _, _ := call(t, s, "GET", "/repos/o/r/issues/7/comments", Token, ""); status != http.StatusOK {
		t.Errorf("read while read-only: status %d, want 200", status)
	}
	want := []Comment{{ID: 1001, User: BotLogin, Body: "hi"}}
	if diff := cmp.Diff(want, s.IssueComments()); diff != "" {
		t.Errorf("issue comments (-want +got):\n%s", diff)
	}
	if n, all := s.Count("issues/create-comment", 0), len(s.Requests()); n != 4 || all != 5 {
		t.Errorf("create-comment requests = %d of %d, want 4 of 5", n, all)
	}
}

func TestServerPagination(t *testing.T) {
	s := NewServer(t)
	s.SetPageSize(2)
	for i := range 5 {
		s.AddIssueComment(Comment{User: "regulator", Body: fmt.Sprint("comment ", i)})
	}
	path := "/repos/o/r/issues/7/comments?per_page=100"
	var bodies []string
	for pages := 0; path != ""; pages++ {
		if pages > 5 {
			t.Fatal("pagination does not end")
		}
		status, h, v := call(t, s, "GET", path, Token, "")
		if status != http.StatusOK {
			t.Fatalf("GET %s: status %d", path, status)
		}
		for _, c := range v.([]any) {
			bodies = append(bodies, c.(map[string]any)["body"].(string))
		}
		path = ""
		if link := h.Get("Link"); link != "" {
			next := strings.TrimSuffix(strings.TrimPrefix(link, "<"+s.URL()), `>; rel="next"`)
			path = next
		}
	}
	want := []string{"comment 0", "comment 1", "comment 2", "comment 3", "comment 4"}
	if diff := cmp.Diff(want, bodies); diff != "" {
		t.Errorf("bodies (-want +got):\n%s", diff)
	}
	if n := s.Count("issues/list-comments", http.StatusOK); n != 3 {
		t.Errorf("pages read = %d, want 3", n)
	}
}

func TestServerEndlessPages(t *testing.T) {
	s := NewServer(t)
	s.SetEndlessPages(true)
	s.AddIssueComment(Comment{User: "regulator", Body: "only one"})
	path := "/repos/o/r/issues/7/comments?per_page=100"
	var lengths []int
	for range 4 {
		status, h, v := call(t, s, "GET", path, Token, "")
		if status != http.StatusOK {
			t.Fatalf("GET %s: status %d", path, status)
		}
		lengths = append(lengths, len(v.([]any)))
		link := h.Get("Link")
		if link == "" {
			t.Fatalf("page %d has no next link", len(lengths))
		}
		path = strings.TrimSuffix(strings.TrimPrefix(link, "<"+s.URL()), `>; rel="next"`)
	}
	if diff := cmp.Diff([]int{1, 0, 0, 0}, lengths); diff != "" {
		t.Errorf("page lengths (-want +got):\n%s", diff)
	}
	if !strings.Contains(path, "page=5") {
		t.Errorf("fourth page links to %s, want page=5", path)
	}
}

func TestServerFailLarge(t *testing.T) {
	tests := []struct {
		name        string
		size        int64
		read        int64 // how much the client reads before hanging up; -1 all
		wantWritten func(int64) bool
	}{
		{name: "read whole", size: 200 << 10, read: -1, wantWritten: func(n int64) bool { return n == 200<<10 }},
		{name: "client hangs up", size: 400 << 20, read: 64 << 10, wantWritten: func(n int64) bool { return n >= 64<<10 && n < 1<<20 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewServer(t)
			s.FailLarge("pulls/get", 1, http.StatusNotFound, tt.size)
			req, _ := http.NewRequest("GET", s.URL()+"/repos/o/r/pulls/7", nil)
			req.Header.Set("Authorization", "Bearer "+Token)
			resp, err := s.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != http.StatusNotFound || resp.ContentLength != tt.size {
				t.Errorf("status %d, Content-Length %d; want 404 and %d", resp.StatusCode, resp.ContentLength, tt.size)
			}
			if tt.read < 0 {
				var v struct{ Message string }
				if err := json.NewDecoder(resp.Body).Decode(&v); err != nil || int64(len(v.Message)) != tt.size-14 {
					t.Errorf("body: %d-byte message, %v; want valid JSON of %d bytes", len(v.Message), err, tt.size)
				}
			} else if _, err := io.CopyN(io.Discard, resp.Body, tt.read); err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			// Requests blocks until the handler has returned.
			if w := s.Requests()[0].Written; !tt.wantWritten(w) {
				t.Errorf("server wrote %d bytes", w)
			}
		})
	}
}
