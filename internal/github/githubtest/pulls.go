package githubtest

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// ClosePullRequest closes a pull request SetPullRequest opened: it is no
// longer listed as open.
func (s *Server) ClosePullRequest(number int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if pr, ok := s.pulls[number]; ok {
		pr.closed = true
		s.pulls[number] = pr
	}
}

// SetCloneURL sets the clone_url GitHub gives for repository owner/name
// (https://github.example/owner/name.git unless set), such as a local
// bare repository's path for a test that fetches from it.
func (s *Server) SetCloneURL(fullName, url string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cloneURLs[fullName] = url
}

// listPulls serves GET /repos/{owner}/{repo}/pulls: the pull requests in
// the state asked for (open unless given), newest first as GitHub sorts
// them by default.
func (s *Server) listPulls(w http.ResponseWriter, r *http.Request, repo string, status *int) {
	state := r.URL.Query().Get("state")
	if state == "" {
		state = "open"
	}
	numbers := slices.Sorted(func(yield func(int) bool) {
		for n := range s.pulls {
			if !yield(n) {
				return
			}
		}
	})
	var items []any
	for _, n := range slices.Backward(numbers) {
		pr := s.pulls[n]
		if state == "all" || (state == "closed") == pr.closed {
			items = append(items, s.pullJSON(repo, n, pr))
		}
	}
	s.page(w, r, items, status)
}

// listStatuses serves GET /repos/{owner}/{repo}/commits/{ref}/statuses for
// a commit SHA, newest first, each with its creator.
func (s *Server) listStatuses(w http.ResponseWriter, r *http.Request, ref string, status *int) {
	var items []any
	for i := len(s.statuses) - 1; i >= 0; i-- {
		st := s.statuses[i]
		if st["sha"] != ref {
			continue
		}
		item := map[string]any{"creator": map[string]any{"login": s.statusBy[i]}}
		for k, v := range st {
			if k != "sha" {
				item[k] = v
			}
		}
		items = append(items, item)
	}
	s.page(w, r, items, status)
}

// pullJSON is the part of GitHub's pull request object a client reads to
// find what to review.
func (s *Server) pullJSON(repo string, number int, pr pullRequest) map[string]any {
	owner, _, _ := strings.Cut(repo, "/")
	clone := s.cloneURLs[repo]
	if clone == "" {
		clone = "https://github.example/" + repo + ".git"
	}
	branch := func(sha, ref string) map[string]any {
		return map[string]any{
			"sha":   sha,
			"ref":   ref,
			"label": owner + ":" + ref,
			"repo":  map[string]any{"full_name": repo, "clone_url": clone},
		}
	}
	state := "open"
	if pr.closed {
		state = "closed"
	}
	return map[string]any{
		"number":   number,
		"state":    state,
		"html_url": fmt.Sprintf("https://github.example/%s/pull/%d", repo, number),
		"base":     branch(pr.baseSHA, pr.baseRef),
		"head":     branch(pr.headSHA, pr.headRef),
	}
}

// mustID reads a path segment the spec check has already found to be an
// integer.
func mustID(seg string) int64 {
	id, _ := strconv.ParseInt(seg, 10, 64)
	return id
}
