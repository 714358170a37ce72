package githubtest

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"
)

// CheckRun is a check run held by the server.
type CheckRun struct {
	ID                          int64
	Name, HeadSHA               string
	Status                      string // queued, in_progress or completed
	Conclusion                  string // empty until completed
	Title, Summary, Text        string
	DetailsURL                  string
	AppID                       int64 // the App that owns it
	StartedAt, CompletedAt      string
	owner, repo, appSlug, login string
}

// CheckRuns returns the check runs created, oldest first.
func (s *Server) CheckRuns() []CheckRun {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]CheckRun, len(s.checkRuns))
	for i, c := range s.checkRuns {
		out[i] = *c
	}
	return out
}

// AddCheckRun puts a check run on a commit, such as one a workflow forged
// (AppID ActionsAppID). A zero ID is replaced by a fresh one; the ID is
// returned.
func (s *Server) AddCheckRun(c CheckRun) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c.ID == 0 {
		c.ID = s.id()
	}
	if c.appSlug == "" {
		c.appSlug = actionsAppSlug
		if c.AppID == AppID {
			c.appSlug = AppSlug
		}
	}
	s.checkRuns = append(s.checkRuns, &c)
	return c.ID
}

// createCheckRun serves POST /repos/{owner}/{repo}/check-runs. The body has
// passed GitHub's schema (name, head_sha, output lengths); what the schema
// leaves to prose is checked here.
func (s *Server) createCheckRun(owner, repo string, body map[string]any, who identity, respond func(int, any)) {
	c := &CheckRun{ID: s.id(), owner: owner, repo: repo, AppID: who.appID, appSlug: actionsAppSlug, login: who.login, Status: "queued"}
	if who.appID == AppID {
		c.appSlug = AppSlug
	}
	c.Name, _ = body["name"].(string)
	c.HeadSHA, _ = body["head_sha"].(string)
	if msg := c.apply(body); msg != "" {
		respond(http.StatusUnprocessableEntity, map[string]any{"message": msg})
		return
	}
	s.checkRuns = append(s.checkRuns, c)
	respond(http.StatusCreated, c.json())
}

// updateCheckRun serves PATCH /repos/{owner}/{repo}/check-runs/{id}: only
// the App that created a check run may change it.
func (s *Server) updateCheckRun(id int64, body map[string]any, who identity, respond func(int, any)) {
	i := slices.IndexFunc(s.checkRuns, func(c *CheckRun) bool { return c.ID == id })
	if i < 0 {
		respond(http.StatusNotFound, map[string]any{"message": "Not Found"})
		return
	}
	c := s.checkRuns[i]
	if c.AppID != who.appID {
		respond(http.StatusForbidden, map[string]any{"message": "Resource not accessible by integration"})
		return
	}
	next := *c
	if name, ok := body["name"].(string); ok && name != "" {
		next.Name = name
	}
	if msg := next.apply(body); msg != "" {
		respond(http.StatusUnprocessableEntity, map[string]any{"message": msg})
		return
	}
	*c = next
	respond(http.StatusOK, c.json())
}

// apply takes status, conclusion, output and details from a request body.
// GitHub completes a check run given a conclusion, and refuses to complete
// one without.
func (c *CheckRun) apply(body map[string]any) string {
	if st, ok := body["status"].(string); ok {
		c.Status = st
	}
	if concl, ok := body["conclusion"].(string); ok {
		c.Conclusion, c.Status = concl, "completed"
	}
	if c.Status == "completed" && c.Conclusion == "" {
		return "conclusion is required when status is completed"
	}
	now := time.Now().UTC().Format(time.RFC3339)
	if c.StartedAt == "" {
		c.StartedAt = now
	}
	if c.Status == "completed" && c.CompletedAt == "" {
		c.CompletedAt = now
	}
	if out, ok := body["output"].(map[string]any); ok {
		c.Title, _ = out["title"].(string)
		c.Summary, _ = out["summary"].(string)
		c.Text, _ = out["text"].(string)
	}
	if u, ok := body["details_url"].(string); ok {
		c.DetailsURL = u
	}
	return ""
}

func (c *CheckRun) json() map[string]any {
	m := map[string]any{
		"id": c.ID, "name": c.Name, "head_sha": c.HeadSHA, "status": c.Status,
		"output":   map[string]any{"title": c.Title, "summary": c.Summary, "text": c.Text},
		"app":      map[string]any{"id": c.AppID, "slug": c.appSlug},
		"html_url": fmt.Sprintf("https://github.example/%s/%s/runs/%d", c.owner, c.repo, c.ID),
	}
	if c.StartedAt != "" {
		m["started_at"] = c.StartedAt
	}
	if c.Conclusion != "" {
		m["conclusion"] = c.Conclusion
	}
	if c.CompletedAt != "" {
		m["completed_at"] = c.CompletedAt
	}
	if c.DetailsURL != "" {
		m["details_url"] = c.DetailsURL
	}
	return m
}

// listCheckRuns serves GET /repos/{owner}/{repo}/commits/{ref}/check-runs
// for a commit SHA, newest first. With filter=latest (GitHub's default)
// only the newest run of each name and App is listed.
func (s *Server) listCheckRuns(w http.ResponseWriter, r *http.Request, ref string, status *int) {
	q := r.URL.Query()
	appID, _ := strconv.ParseInt(q.Get("app_id"), 10, 64)
	seen := map[string]bool{}
	var items []any
	for _, c := range slices.Backward(s.checkRuns) {
		key := fmt.Sprint(c.AppID, "/", c.Name)
		switch {
		case c.HeadSHA != ref,
			q.Has("check_name") && c.Name != q.Get("check_name"),
			q.Has("status") && c.Status != q.Get("status"),
			appID != 0 && c.AppID != appID,
			q.Get("filter") != "all" && seen[key]:
			continue
		}
		seen[key] = true
		items = append(items, c.json())
	}
	s.pageObject(w, r, items, status, func(page []any) any {
		return map[string]any{"total_count": len(items), "check_runs": page}
	})
}
