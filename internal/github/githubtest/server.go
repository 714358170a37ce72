// Package githubtest serves an in-memory GitHub for tests, checking every
// request against GitHub's official REST description.
//
// The server holds one pull request's review comments, reviews, issue
// comments and commit statuses, so that a second run sees what the first one
// left, and it enforces GitHub's documented limits the way GitHub does, with
// 422. A request that breaks the description, or a rule GitHub documents but
// the description does not encode, fails the test that made it.
//
// The package must not import internal/github, whose own tests use it.
package githubtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

// BotLogin is the author of everything the server creates: the login
// GitHub Actions' token writes as.
const BotLogin = "github-actions[bot]"

// Token is the only token the server accepts; anything else is an invalid
// request.
const Token = "test-token"

// GitHub's documented limits.
const (
	maxBodyChars        = 65536
	maxDescriptionChars = 140
)

// Comment is a review comment or an issue comment held by the server.
// Path, Line and ReviewID are zero for issue comments.
type Comment struct {
	ID       int64
	User     string
	Body     string
	Path     string
	Line     int
	ReviewID int64
}

// Request is one request the server received.
type Request struct {
	Method, Path string
	// Op is GitHub's operationId, empty when no operation matches.
	Op    string
	Query string
	// Body is the decoded JSON body, numbers as json.Number.
	Body map[string]any
	// Status is the status the server answered with.
	Status int
}

// Server is an in-memory GitHub. Its methods are safe to call while
// requests are being served.
type Server struct {
	spec *apiSpec
	srv  *httptest.Server

	mu             sync.Mutex
	nextID         int64
	reviewComments []*Comment
	reviews        []map[string]any
	issueComments  []*Comment
	statuses       []map[string]any
	pulls          map[int]pullRequest
	requests       []Request
	invalid        []string
	faults         []*fault

	// diff holds the commentable lines of each file; GitHub rejects a
	// review whose comments fall elsewhere.
	diff map[string]map[int]bool
	// pageSize caps page length below per_page, to exercise pagination.
	pageSize int
	// readOnly answers every write with 403, as for a fork's token.
	readOnly bool
}

type pullRequest struct {
	baseSHA, headSHA, baseRef, headRef string
}

// fault is a canned answer for the next n requests to an operation.
type fault struct {
	op     string
	n      int
	status int
	header map[string]string
	body   string
}

// NewServer starts a server that lives until t's cleanup, when every
// invalid request it received is reported through t.Errorf.
func NewServer(t testing.TB) *Server {
	t.Helper()
	s := &Server{
		spec:     loadAPISpec(t),
		nextID:   1000,
		pageSize: 100,
		diff:     map[string]map[int]bool{},
		pulls:    map[int]pullRequest{},
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	t.Cleanup(func() {
		for _, msg := range s.Invalid() {
			t.Errorf("request breaks GitHub's REST description or documented rules: %s", msg)
		}
	})
	return s
}

// URL is the base URL of the REST API, as GITHUB_API_URL would give it.
func (s *Server) URL() string { return s.srv.URL }

// Client returns an HTTP client for the server.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// AllowLines makes lines first..last of path commentable.
func (s *Server) AllowLines(path string, first, last int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.diff[path] == nil {
		s.diff[path] = map[int]bool{}
	}
	for l := first; l <= last; l++ {
		s.diff[path][l] = true
	}
}

// Fail answers the next n requests to op with status, header and body
// instead of serving them; faults on one operation apply in the order given.
func (s *Server) Fail(op string, n, status int, header map[string]string, body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &fault{op: op, n: n, status: status, header: header, body: body})
}

// SetReadOnly makes the server refuse every write with 403, as GitHub does
// for the token of a pull request from a fork.
func (s *Server) SetReadOnly(readOnly bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.readOnly = readOnly
}

// SetPageSize caps the length of every page below what per_page asks for,
// so that short lists still span several pages.
func (s *Server) SetPageSize(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pageSize = max(n, 1)
}

// SetPullRequest makes GET /repos/{owner}/{repo}/pulls/{number} serve a pull
// request with these commits and branches, in any repository; base and head
// are both the repository asked about.
func (s *Server) SetPullRequest(number int, baseSHA, headSHA, baseRef, headRef string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pulls[number] = pullRequest{baseSHA: baseSHA, headSHA: headSHA, baseRef: baseRef, headRef: headRef}
}

// AddReviewComment puts an existing line comment on the pull request, such as
// one a person wrote. A zero ID is replaced by a fresh one; the ID is
// returned.
func (s *Server) AddReviewComment(c Comment) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.ID == 0 {
		c.ID = s.id()
	}
	s.reviewComments = append(s.reviewComments, &c)
	return c.ID
}

// AddIssueComment puts an existing comment on the pull request's
// conversation. A zero ID is replaced by a fresh one; the ID is returned.
func (s *Server) AddIssueComment(c Comment) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.ID == 0 {
		c.ID = s.id()
	}
	s.issueComments = append(s.issueComments, &c)
	return c.ID
}

// ReviewComments returns the line comments now on the pull request, oldest
// first.
func (s *Server) ReviewComments() []Comment { return s.copyComments(&s.reviewComments) }

// IssueComments returns the conversation comments now on the pull request,
// oldest first.
func (s *Server) IssueComments() []Comment { return s.copyComments(&s.issueComments) }

func (s *Server) copyComments(list *[]*Comment) []Comment {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Comment, len(*list))
	for i, c := range *list {
		out[i] = *c
	}
	return out
}

// Reviews returns the reviews created, as served by GitHub's API.
func (s *Server) Reviews() []map[string]any { return s.copyMaps(s.reviews) }

// Statuses returns the commit statuses set, each the request body with the
// status's id and commit sha added.
func (s *Server) Statuses() []map[string]any { return s.copyMaps(s.statuses) }

func (s *Server) copyMaps(list []map[string]any) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]map[string]any, len(list))
	for i, m := range list {
		out[i] = maps.Clone(m)
	}
	return out
}

// Requests returns every request received, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// RequestsTo returns the requests to operation op, in order.
func (s *Server) RequestsTo(op string) []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Request
	for _, r := range s.requests {
		if r.Op == op {
			out = append(out, r)
		}
	}
	return out
}

// Count returns how many requests went to op, only those answered with
// status when status is non-zero.
func (s *Server) Count(op string, status int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.requests {
		if r.Op == op && (status == 0 || r.Status == status) {
			n++
		}
	}
	return n
}

// Invalid returns why each invalid request was refused: it broke GitHub's
// REST description or documented rules, or did not carry Token.
func (s *Server) Invalid() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.invalid)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	defer s.mu.Unlock()

	rec := Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery}
	if len(bytes.TrimSpace(raw)) > 0 {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		_ = dec.Decode(&rec.Body)
	}
	op, err := s.spec.check(r.Method, r.URL.Path, r.URL.Query(), r.Header.Get("Content-Type"), raw)
	rec.Op = op
	if err == nil && op == "pulls/create-review" {
		if problems := reviewCommentRules(rec.Body); len(problems) > 0 {
			err = fmt.Errorf("%s %s: %s", r.Method, r.URL.Path, strings.Join(problems, "; "))
		}
	}
	if err == nil && r.Header.Get("Authorization") != "Bearer "+Token {
		err = fmt.Errorf("%s %s: Authorization header %q", r.Method, r.URL.Path, r.Header.Get("Authorization"))
	}
	status := 0
	respond := func(code int, v any) {
		status = code
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_ = json.NewEncoder(w).Encode(v)
	}
	defer func() {
		rec.Status = status
		s.requests = append(s.requests, rec)
	}()
	if err != nil {
		s.invalid = append(s.invalid, err.Error())
		respond(http.StatusUnprocessableEntity, map[string]any{"message": "Invalid request.\n\n" + err.Error()})
		return
	}
	for _, ft := range s.faults {
		if ft.op == op && ft.n > 0 {
			ft.n--
			for k, v := range ft.header {
				w.Header().Set(k, v)
			}
			status = ft.status
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(ft.status)
			_, _ = io.WriteString(w, ft.body)
			return
		}
	}
	if s.readOnly && r.Method != http.MethodGet {
		respond(http.StatusForbidden, map[string]any{
			"message":           "Resource not accessible by integration",
			"documentation_url": "https://docs.github.com/rest",
		})
		return
	}

	// The spec check has matched the path, so the segments are where the
	// operation's template puts them: /repos/{owner}/{repo}/...
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	last := parts[len(parts)-1]
	id, _ := strconv.ParseInt(last, 10, 64)
	notFound := map[string]any{"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}
	switch op {
	case "pulls/get":
		pr, ok := s.pulls[int(id)]
		if !ok {
			respond(http.StatusNotFound, notFound)
			return
		}
		respond(http.StatusOK, pullJSON(parts[1]+"/"+parts[2], int(id), pr))
	case "pulls/list-review-comments":
		var items []any
		for _, c := range s.reviewComments {
			items = append(items, reviewCommentJSON(c))
		}
		s.page(w, r, items, &status)
	case "pulls/delete-review-comment":
		for i, c := range s.reviewComments {
			if c.ID == id {
				s.reviewComments = slices.Delete(s.reviewComments, i, i+1)
				status = http.StatusNoContent
				w.WriteHeader(status)
				return
			}
		}
		respond(http.StatusNotFound, notFound)
	case "pulls/list-reviews":
		items := make([]any, len(s.reviews))
		for i, rv := range s.reviews {
			items[i] = rv
		}
		s.page(w, r, items, &status)
	case "pulls/create-review":
		s.createReview(rec.Body, respond)
	case "issues/list-comments":
		var items []any
		for _, c := range s.issueComments {
			items = append(items, issueCommentJSON(c))
		}
		s.page(w, r, items, &status)
	case "issues/create-comment":
		body := fmt.Sprint(rec.Body["body"])
		if msg := tooLong("body", body); msg != "" {
			respond(http.StatusUnprocessableEntity, map[string]any{"message": msg})
			return
		}
		c := &Comment{ID: s.id(), User: BotLogin, Body: body}
		s.issueComments = append(s.issueComments, c)
		respond(http.StatusCreated, issueCommentJSON(c))
	case "issues/update-comment":
		body := fmt.Sprint(rec.Body["body"])
		if msg := tooLong("body", body); msg != "" {
			respond(http.StatusUnprocessableEntity, map[string]any{"message": msg})
			return
		}
		for _, c := range s.issueComments {
			if c.ID == id {
				c.Body = body
				respond(http.StatusOK, issueCommentJSON(c))
				return
			}
		}
		respond(http.StatusNotFound, notFound)
	case "repos/create-commit-status":
		if d, ok := rec.Body["description"].(string); ok && utf8.RuneCountInString(d) > maxDescriptionChars {
			respond(http.StatusUnprocessableEntity, map[string]any{"message": "description is too long (maximum is 140 characters)"})
			return
		}
		st := map[string]any{"id": s.id(), "sha": last}
		maps.Copy(st, rec.Body)
		s.statuses = append(s.statuses, st)
		respond(http.StatusCreated, st)
	default:
		respond(http.StatusNotImplemented, map[string]any{"message": "githubtest does not serve " + op})
	}
}

func (s *Server) createReview(body map[string]any, respond func(int, any)) {
	text, _ := body["body"].(string)
	if msg := tooLong("body", text); msg != "" {
		respond(http.StatusUnprocessableEntity, map[string]any{"message": msg})
		return
	}
	drafts, _ := body["comments"].([]any)
	var created []*Comment
	reviewID := s.id()
	for _, d := range drafts {
		d, _ := d.(map[string]any)
		path, _ := d["path"].(string)
		num, _ := d["line"].(json.Number)
		line, _ := num.Int64()
		cbody, _ := d["body"].(string)
		if msg := tooLong("comment body", cbody); msg != "" {
			respond(http.StatusUnprocessableEntity, map[string]any{"message": msg})
			return
		}
		if !s.diff[path][int(line)] {
			// GitHub refuses the whole review and does not say which comment.
			respond(http.StatusUnprocessableEntity, map[string]any{
				"message": "Unprocessable Entity",
				"errors":  []string{"Line could not be resolved"},
			})
			return
		}
		created = append(created, &Comment{ID: s.id(), User: BotLogin, Body: cbody, Path: path, Line: int(line), ReviewID: reviewID})
	}
	s.reviewComments = append(s.reviewComments, created...)
	review := map[string]any{
		"id":        reviewID,
		"body":      text,
		"state":     "COMMENTED",
		"commit_id": body["commit_id"],
		"user":      map[string]any{"login": BotLogin},
		"html_url":  fmt.Sprintf("https://github.example/o/r/pull/7#pullrequestreview-%d", reviewID),
	}
	s.reviews = append(s.reviews, review)
	respond(http.StatusOK, review)
}

// page serves items a page at a time with GitHub's Link header.
func (s *Server) page(w http.ResponseWriter, r *http.Request, items []any, status *int) {
	per := 30
	if v, err := strconv.Atoi(r.URL.Query().Get("per_page")); err == nil && v > 0 {
		per = min(v, 100)
	}
	per = min(per, s.pageSize)
	page := 1
	if v, err := strconv.Atoi(r.URL.Query().Get("page")); err == nil && v > 0 {
		page = v
	}
	start := min((page-1)*per, len(items))
	end := min(start+per, len(items))
	if end < len(items) {
		next := *r.URL
		q := next.Query()
		q.Set("page", strconv.Itoa(page+1))
		next.RawQuery = q.Encode()
		w.Header().Set("Link", fmt.Sprintf(`<%s%s>; rel="next"`, s.srv.URL, next.RequestURI()))
	}
	*status = http.StatusOK
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	out := items[start:end]
	if out == nil {
		out = []any{}
	}
	_ = json.NewEncoder(w).Encode(out)
}

func (s *Server) id() int64 {
	s.nextID++
	return s.nextID
}

// pullJSON is the part of GitHub's pull request object a client reads to
// find what to review.
func pullJSON(repo string, number int, pr pullRequest) map[string]any {
	branch := func(sha, ref string) map[string]any {
		owner, _, _ := strings.Cut(repo, "/")
		return map[string]any{
			"sha":   sha,
			"ref":   ref,
			"label": owner + ":" + ref,
			"repo":  map[string]any{"full_name": repo},
		}
	}
	return map[string]any{
		"number":   number,
		"state":    "open",
		"html_url": fmt.Sprintf("https://github.example/%s/pull/%d", repo, number),
		"base":     branch(pr.baseSHA, pr.baseRef),
		"head":     branch(pr.headSHA, pr.headRef),
	}
}

func reviewCommentJSON(c *Comment) map[string]any {
	return map[string]any{
		"id": c.ID, "body": c.Body, "path": c.Path, "line": c.Line, "side": "RIGHT",
		"pull_request_review_id": c.ReviewID,
		"user":                   map[string]any{"login": c.User},
		"html_url":               fmt.Sprintf("https://github.example/o/r/pull/7#discussion_r%d", c.ID),
	}
}

func issueCommentJSON(c *Comment) map[string]any {
	return map[string]any{
		"id": c.ID, "body": c.Body,
		"user":     map[string]any{"login": c.User},
		"html_url": fmt.Sprintf("https://github.example/o/r/pull/7#issuecomment-%d", c.ID),
	}
}

func tooLong(what, s string) string {
	if utf8.RuneCountInString(s) > maxBodyChars {
		return what + " is too long (maximum is 65536 characters)"
	}
	return ""
}
