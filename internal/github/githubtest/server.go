// Package githubtest serves an in-memory GitHub for tests, checking every
// request against GitHub's official REST description.
//
// The server holds one pull request's review comments, reviews, issue
// comments, commit statuses and check runs, so that a second run sees what
// the first one left, and it enforces GitHub's documented limits the way
// GitHub does, with 422. A request that breaks the description, or a rule
// GitHub documents but the description does not encode, fails the test that
// made it.
//
// It authenticates as GitHub does: Token acts as a workflow's GITHUB_TOKEN,
// and the GitHub App of app.go exchanges a signed JWT for installation
// tokens, whose writes are the App's own.
//
// The package must not import internal/github, whose own tests use it.
package githubtest

import (
	"crypto/rsa"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"
)

// BotLogin is the author of everything created with Token: the login
// GitHub Actions' token writes as.
const BotLogin = "github-actions[bot]"

// Token is the plain token the server accepts, standing for a workflow's
// GITHUB_TOKEN; besides it, only installation tokens it issued are valid,
// and anything else makes an invalid request.
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
	// Identity is who the request authenticated as: "token" (Token),
	// "installation" (an installation token) or "app" (an App JWT);
	// empty when it did not.
	Identity string
	// Status is the status the server answered with.
	Status int
	// Written is how many bytes of the answer's body the server wrote:
	// less than it meant to when the client hung up early.
	Written int64
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
	statusBy       []string // the login that set each status
	checkRuns      []*CheckRun
	pulls          map[int]pullRequest
	cloneURLs      map[string]string
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
	// endless gives every page of every listing a rel="next" link.
	endless bool

	appKey        *rsa.PrivateKey
	installations map[int64][]string // installation -> repositories it reaches
	tokens        map[string]issuedToken
	issued        []string
	tokenLifetime time.Duration
}

type pullRequest struct {
	baseSHA, headSHA, baseRef, headRef string
	closed                             bool
}

// fault is a canned answer for the next n requests to an operation.
type fault struct {
	op     string
	n      int
	status int
	header map[string]string
	body   string
	// size, when set, replaces body with a JSON message of this many bytes,
	// streamed as the client reads it.
	size int64
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

		cloneURLs:     map[string]string{},
		appKey:        loadAppKey(t),
		tokens:        map[string]issuedToken{},
		installations: map[int64][]string{InstallationID: nil},
		tokenLifetime: defaultTokenLifetime,
	}
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	s.srv.Listener = smallBuffers{s.srv.Listener}
	s.srv.Start()
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
// are both the repository asked about. The pull request is open, and listed
// by GET /repos/{owner}/{repo}/pulls.
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
// REST description or documented rules, or did not authenticate (Token, an
// unexpired installation token, or an App JWT for the App's endpoints).
func (s *Server) Invalid() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.invalid)
}
