package githubtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

func (s *Server) serve(rw http.ResponseWriter, r *http.Request) {
	w := &countingWriter{ResponseWriter: rw}
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
	var who identity
	if err == nil {
		if who, err = s.authenticate(op, r.Header.Get("Authorization")); err != nil {
			err = fmt.Errorf("%s %s: %w", r.Method, r.URL.Path, err)
		}
	}
	rec.Identity = who.kind
	status := 0
	respond := func(code int, v any) {
		status = code
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_ = json.NewEncoder(w).Encode(v)
	}
	defer func() {
		rec.Status = status
		rec.Written = w.n
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
			if ft.size > 0 {
				w.Header().Set("Content-Length", strconv.FormatInt(ft.size, 10))
			}
			w.WriteHeader(ft.status)
			if ft.size > 0 {
				streamLarge(w, ft.size)
				return
			}
			_, _ = io.WriteString(w, ft.body)
			return
		}
	}
	if s.readOnly && r.Method != http.MethodGet && who.kind != "app" {
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
		respond(http.StatusOK, s.pullJSON(parts[1]+"/"+parts[2], int(id), pr))
	case "pulls/list":
		s.listPulls(w, r, parts[1]+"/"+parts[2], &status)
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
		s.createReview(rec.Body, who, respond)
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
		c := &Comment{ID: s.id(), User: who.login, Body: body}
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
		s.statusBy = append(s.statusBy, who.login)
		respond(http.StatusCreated, st)
	case "repos/list-commit-statuses-for-ref":
		s.listStatuses(w, r, parts[len(parts)-2], &status)
	case "checks/create":
		s.createCheckRun(parts[1], parts[2], rec.Body, who, respond)
	case "checks/update":
		s.updateCheckRun(id, rec.Body, who, respond)
	case "checks/list-for-ref":
		s.listCheckRuns(w, r, parts[len(parts)-2], &status)
	case "apps/get-authenticated":
		respond(http.StatusOK, appJSON())
	case "apps/list-installations":
		s.listInstallations(w, r, &status)
	case "apps/list-repos-accessible-to-installation":
		s.listInstallationRepositories(w, r, who, &status, respond)
	case "apps/create-installation-access-token":
		s.issueToken(mustID(parts[len(parts)-2]), respond)
	default:
		respond(http.StatusNotImplemented, map[string]any{"message": "githubtest does not serve " + op})
	}
}

func (s *Server) createReview(body map[string]any, who identity, respond func(int, any)) {
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
		created = append(created, &Comment{ID: s.id(), User: who.login, Body: cbody, Path: path, Line: int(line), ReviewID: reviewID})
	}
	s.reviewComments = append(s.reviewComments, created...)
	review := map[string]any{
		"id":        reviewID,
		"body":      text,
		"state":     "COMMENTED",
		"commit_id": body["commit_id"],
		"user":      map[string]any{"login": who.login},
		"html_url":  fmt.Sprintf("https://github.example/o/r/pull/7#pullrequestreview-%d", reviewID),
	}
	s.reviews = append(s.reviews, review)
	respond(http.StatusOK, review)
}

// page serves items a page at a time with GitHub's Link header.
func (s *Server) page(w http.ResponseWriter, r *http.Request, items []any, status *int) {
	s.pageObject(w, r, items, status, func(page []any) any { return page })
}

// pageObject serves items a page at a time, each page wrapped by wrap, as
// the listings that answer with an object (check runs) do.
func (s *Server) pageObject(w http.ResponseWriter, r *http.Request, items []any, status *int, wrap func([]any) any) {
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
	if end < len(items) || s.endless {
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
	_ = json.NewEncoder(w).Encode(wrap(out))
}

func (s *Server) id() int64 {
	s.nextID++
	return s.nextID
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
