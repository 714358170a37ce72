package github

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

const botLogin = "github-actions[bot]"

// fakeGitHub is an in-memory GitHub holding one pull request's review
// comments, reviews, issue comments and statuses, so that a second run sees
// what the first one left. Every request is checked against GitHub's REST
// description before it is served; GitHub's documented limits are enforced
// the way GitHub does, with 422.
type fakeGitHub struct {
	t    *testing.T
	spec *apiSpec
	srv  *httptest.Server

	mu             sync.Mutex
	nextID         int64
	reviewComments []*fakeComment
	reviews        []map[string]any
	issueComments  []*fakeComment
	statuses       []map[string]any
	requests       []fakeRequest
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

type fakeComment struct {
	ID       int64
	User     string
	Body     string
	Path     string
	Line     int
	ReviewID int64
}

type fakeRequest struct {
	Method, Path, Op string
	Query            string
	Body             map[string]any
	Status           int
}

// fault is a canned answer for the next n requests to an operation.
type fault struct {
	op     string
	n      int
	status int
	header map[string]string
	body   string
}

func newFakeGitHub(t *testing.T) *fakeGitHub {
	t.Helper()
	f := &fakeGitHub{t: t, spec: loadAPISpec(t), nextID: 1000, pageSize: 100, diff: map[string]map[int]bool{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	t.Cleanup(func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		for _, msg := range f.invalid {
			t.Errorf("request does not match GitHub's REST description: %s", msg)
		}
	})
	return f
}

// allowLines makes lines first..last of path commentable.
func (f *fakeGitHub) allowLines(path string, first, last int) {
	if f.diff[path] == nil {
		f.diff[path] = map[int]bool{}
	}
	for l := first; l <= last; l++ {
		f.diff[path][l] = true
	}
}

func (f *fakeGitHub) fail(op string, n, status int, header map[string]string, body string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = append(f.faults, &fault{op: op, n: n, status: status, header: header, body: body})
}

func (f *fakeGitHub) serve(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	defer f.mu.Unlock()

	rec := fakeRequest{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery}
	if len(bytes.TrimSpace(raw)) > 0 {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		_ = dec.Decode(&rec.Body)
	}
	op, err := f.spec.check(r.Method, r.URL.Path, r.URL.Query(), r.Header.Get("Content-Type"), raw)
	rec.Op = op
	if err == nil && op == "pulls/create-review" {
		if problems := reviewCommentRules(rec.Body); len(problems) > 0 {
			err = fmt.Errorf("%s %s: %s", r.Method, r.URL.Path, strings.Join(problems, "; "))
		}
	}
	if err == nil && r.Header.Get("Authorization") != "Bearer test-token" {
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
		f.requests = append(f.requests, rec)
	}()
	if err != nil {
		f.invalid = append(f.invalid, err.Error())
		respond(http.StatusUnprocessableEntity, map[string]any{"message": "Invalid request.\n\n" + err.Error()})
		return
	}
	for _, ft := range f.faults {
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
	if f.readOnly && r.Method != http.MethodGet {
		respond(http.StatusForbidden, map[string]any{
			"message":           "Resource not accessible by integration",
			"documentation_url": "https://docs.github.com/rest",
		})
		return
	}

	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	last := parts[len(parts)-1]
	id, _ := strconv.ParseInt(last, 10, 64)
	switch op {
	case "pulls/list-review-comments":
		var items []any
		for _, c := range f.reviewComments {
			items = append(items, f.reviewCommentJSON(c))
		}
		f.page(w, r, items, &status)
	case "pulls/delete-review-comment":
		for i, c := range f.reviewComments {
			if c.ID == id {
				f.reviewComments = append(f.reviewComments[:i], f.reviewComments[i+1:]...)
				status = http.StatusNoContent
				w.WriteHeader(status)
				return
			}
		}
		respond(http.StatusNotFound, map[string]any{"message": "Not Found"})
	case "pulls/list-reviews":
		items := make([]any, len(f.reviews))
		for i, rv := range f.reviews {
			items[i] = rv
		}
		f.page(w, r, items, &status)
	case "pulls/create-review":
		f.createReview(rec.Body, respond)
	case "issues/list-comments":
		var items []any
		for _, c := range f.issueComments {
			items = append(items, f.issueCommentJSON(c))
		}
		f.page(w, r, items, &status)
	case "issues/create-comment":
		body := fmt.Sprint(rec.Body["body"])
		if msg := tooLong("body", body); msg != "" {
			respond(http.StatusUnprocessableEntity, map[string]any{"message": msg})
			return
		}
		c := &fakeComment{ID: f.id(), User: botLogin, Body: body}
		f.issueComments = append(f.issueComments, c)
		respond(http.StatusCreated, f.issueCommentJSON(c))
	case "issues/update-comment":
		body := fmt.Sprint(rec.Body["body"])
		if msg := tooLong("body", body); msg != "" {
			respond(http.StatusUnprocessableEntity, map[string]any{"message": msg})
			return
		}
		for _, c := range f.issueComments {
			if c.ID == id {
				c.Body = body
				respond(http.StatusOK, f.issueCommentJSON(c))
				return
			}
		}
		respond(http.StatusNotFound, map[string]any{"message": "Not Found"})
	case "repos/create-commit-status":
		if d, ok := rec.Body["description"].(string); ok && utf8.RuneCountInString(d) > maxDescriptionLen {
			respond(http.StatusUnprocessableEntity, map[string]any{"message": "description is too long (maximum is 140 characters)"})
			return
		}
		st := map[string]any{"id": f.id(), "sha": last}
		for k, v := range rec.Body {
			st[k] = v
		}
		f.statuses = append(f.statuses, st)
		respond(http.StatusCreated, st)
	default:
		respond(http.StatusNotImplemented, map[string]any{"message": "fake does not serve " + op})
	}
}

func (f *fakeGitHub) createReview(body map[string]any, respond func(int, any)) {
	text, _ := body["body"].(string)
	if msg := tooLong("body", text); msg != "" {
		respond(http.StatusUnprocessableEntity, map[string]any{"message": msg})
		return
	}
	drafts, _ := body["comments"].([]any)
	var created []*fakeComment
	reviewID := f.id()
	for _, d := range drafts {
		d := d.(map[string]any)
		path, _ := d["path"].(string)
		line64, _ := d["line"].(json.Number).Int64()
		cbody, _ := d["body"].(string)
		if msg := tooLong("comment body", cbody); msg != "" {
			respond(http.StatusUnprocessableEntity, map[string]any{"message": msg})
			return
		}
		if !f.diff[path][int(line64)] {
			// GitHub refuses the whole review and does not say which comment.
			respond(http.StatusUnprocessableEntity, map[string]any{
				"message": "Unprocessable Entity",
				"errors":  []string{"Line could not be resolved"},
			})
			return
		}
		created = append(created, &fakeComment{ID: f.id(), User: botLogin, Body: cbody, Path: path, Line: int(line64), ReviewID: reviewID})
	}
	f.reviewComments = append(f.reviewComments, created...)
	review := map[string]any{
		"id":        reviewID,
		"body":      text,
		"state":     "COMMENTED",
		"commit_id": body["commit_id"],
		"user":      map[string]any{"login": botLogin},
		"html_url":  fmt.Sprintf("https://github.example/o/r/pull/7#pullrequestreview-%d", reviewID),
	}
	f.reviews = append(f.reviews, review)
	respond(http.StatusOK, review)
}

// page serves items a page at a time with GitHub's Link header.
func (f *fakeGitHub) page(w http.ResponseWriter, r *http.Request, items []any, status *int) {
	per := 30
	if v, err := strconv.Atoi(r.URL.Query().Get("per_page")); err == nil && v > 0 {
		per = min(v, 100)
	}
	per = min(per, f.pageSize)
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
		w.Header().Set("Link", fmt.Sprintf(`<%s%s>; rel="next"`, f.srv.URL, next.RequestURI()))
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

func (f *fakeGitHub) id() int64 {
	f.nextID++
	return f.nextID
}

func (f *fakeGitHub) reviewCommentJSON(c *fakeComment) map[string]any {
	return map[string]any{
		"id": c.ID, "body": c.Body, "path": c.Path, "line": c.Line, "side": "RIGHT",
		"pull_request_review_id": c.ReviewID,
		"user":                   map[string]any{"login": c.User},
		"html_url":               fmt.Sprintf("https://github.example/o/r/pull/7#discussion_r%d", c.ID),
	}
}

func (f *fakeGitHub) issueCommentJSON(c *fakeComment) map[string]any {
	return map[string]any{
		"id": c.ID, "body": c.Body,
		"user":     map[string]any{"login": c.User},
		"html_url": fmt.Sprintf("https://github.example/o/r/pull/7#issuecomment-%d", c.ID),
	}
}

func tooLong(what, s string) string {
	if utf8.RuneCountInString(s) > maxBodyBytes {
		return what + " is too long (maximum is 65536 characters)"
	}
	return ""
}

// count returns how many requests went to op, by final status when status
// is non-zero.
func (f *fakeGitHub) count(op string, status int) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, r := range f.requests {
		if r.Op == op && (status == 0 || r.Status == status) {
			n++
		}
	}
	return n
}

func (f *fakeGitHub) requestsTo(op string) []fakeRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fakeRequest
	for _, r := range f.requests {
		if r.Op == op {
			out = append(out, r)
		}
	}
	return out
}
