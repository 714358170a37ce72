package server

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

const testSecret = "It's a Secret to Everybody"

// fakeGitHub is the Reviewer and Lister of the tests: a repository's open
// pull requests and which heads have a finished check, shared by server
// instances so a test can restart the server over the same GitHub.
type fakeGitHub struct {
	mu      sync.Mutex
	repo    Repository
	open    map[int]Job     // open pull requests by number
	checked map[string]bool // heads with a finished check
	calls   []Job           // every Review call, in order of starting
	done    []Job           // every review that published
	started chan Job        // receives each Review call when non-nil

	// review decides what a Review call does; nil publishes at once.
	review func(ctx context.Context, j Job) error
	// repositories, when non-nil, is waited for before Repositories answers.
	repositories chan struct{}
}

func newFakeGitHub() *fakeGitHub {
	return &fakeGitHub{
		repo:    Repository{Owner: "nhs-plans", Repo: "plans-2019", CloneURL: "https://github.com/nhs-plans/plans-2019.git"},
		open:    map[int]Job{},
		checked: map[string]bool{},
	}
}

func (g *fakeGitHub) Review(ctx context.Context, j Job) error {
	g.mu.Lock()
	g.calls = append(g.calls, j)
	review, started := g.review, g.started
	g.mu.Unlock()
	if started != nil {
		started <- j
	}
	if review != nil {
		if err := review(ctx, j); err != nil {
			return err
		}
	}
	if ctx.Err() != nil { // a review cancelled mid-way publishes nothing
		return ctx.Err()
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.done = append(g.done, j)
	g.checked[j.HeadSHA] = true
	return nil
}

func (g *fakeGitHub) Pending(_ context.Context, _ int64, owner, repo string) ([]Job, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []Job
	for _, j := range g.open {
		if !g.checked[j.HeadSHA] && owner == g.repo.Owner && repo == g.repo.Repo {
			out = append(out, j)
		}
	}
	return out, nil
}

func (g *fakeGitHub) Open(_ context.Context, _ int64, owner, repo string) ([]Job, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	var out []Job
	for n := 1; n <= 1000; n++ { // in number order, for stable tests
		if j, ok := g.open[n]; ok {
			out = append(out, j)
		}
	}
	return out, nil
}

func (g *fakeGitHub) Repositories(ctx context.Context) ([]Repository, error) {
	if g.repositories != nil {
		select {
		case <-g.repositories:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return []Repository{g.repo}, nil
}

// setOpen records an open pull request as GitHub would list it.
func (g *fakeGitHub) setOpen(pr int, head, baseRef string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.open[pr] = Job{PR: pr, HeadSHA: head, BaseRef: baseRef, BaseSHA: sha("base")}
}

func (g *fakeGitHub) snapshot() (calls, done []Job) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]Job(nil), g.calls...), append([]Job(nil), g.done...)
}

// sha makes a commit id from a name.
func sha(name string) string {
	h := sha256.Sum256([]byte(name))
	return hex.EncodeToString(h[:20])
}

func sign(body []byte, secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// request builds a signed delivery.
func request(event, id string, body []byte) *http.Request {
	r := httptest.NewRequest(http.MethodPost, WebhookPath, bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("X-GitHub-Event", event)
	r.Header.Set("X-GitHub-Delivery", id)
	r.Header.Set("X-Hub-Signature-256", sign(body, testSecret))
	return r
}

// prPayload is a pull_request delivery with the fields the server reads.
func prPayload(action string, pr int, head, baseRef string, updated time.Time) []byte {
	return fmt.Appendf(nil, `{"action": %q, "number": %d,
 "pull_request": {"number": %d, "updated_at": %q, "head": {"sha": %q, "ref": "topic"}, "base": {"ref": %q, "sha": %q}},
 "repository": {"name": "plans-2019", "clone_url": "https://github.com/nhs-plans/plans-2019.git", "owner": {"login": "nhs-plans"}},
 "installation": {"id": 42}}`, action, pr, pr, updated.UTC().Format(time.RFC3339), head, baseRef, sha("base"))
}

func pushPayload(ref, after string) []byte {
	return fmt.Appendf(nil, `{"ref": %q, "before": %q, "after": %q, "deleted": false,
 "repository": {"name": "plans-2019", "clone_url": "https://github.com/nhs-plans/plans-2019.git", "owner": {"login": "nhs-plans", "name": "nhs-plans"}},
 "installation": {"id": 42}}`, ref, sha("before"), after)
}

// newTestServer builds a server over g; nothing runs.
func newTestServer(t testing.TB, g *fakeGitHub, tune func(*Config)) *Server {
	t.Helper()
	cfg := Config{Secret: []byte(testSecret), Reviewer: g, Lister: g, RetryBackoff: time.Millisecond}
	if tune != nil {
		tune(&cfg)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// running is a server serving on loopback.
type running struct {
	*Server
	url  string
	stop context.CancelFunc
	err  chan error
}

// start runs s on a loopback port until the test ends or stopAndWait.
func start(t testing.TB, s *Server) *running {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{Server: s, url: "http://" + ln.Addr().String(), stop: cancel, err: make(chan error, 1)}
	go func() { r.err <- s.Run(ctx, ln) }()
	t.Cleanup(func() { r.stopAndWait(t) })
	return r
}

// stopAndWait cancels the server's context and returns Run's error.
func (r *running) stopAndWait(t testing.TB) error {
	t.Helper()
	r.stop()
	select {
	case err := <-r.err:
		r.err <- err // later calls see it too
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("server did not stop")
		return nil
	}
}

// deliver posts a signed delivery and returns the status code.
func (r *running) deliver(t testing.TB, c *http.Client, event, id string, body []byte) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, r.url+WebhookPath, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-GitHub-Event", event)
	req.Header.Set("X-GitHub-Delivery", id)
	req.Header.Set("X-Hub-Signature-256", sign(body, testSecret))
	resp, err := c.Do(req)
	if err != nil {
		t.Errorf("deliver %s: %v", id, err)
		return 0
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// waitFor polls cond until it holds or the test's patience runs out.
func waitUntil(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// metric reads one series from the metrics endpoint: name{labels} value.
func metric(t testing.TB, s *Server, series string) string {
	t.Helper()
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, MetricsPath, nil))
	for line := range strings.Lines(rec.Body.String()) {
		if rest, ok := strings.CutPrefix(line, series+" "); ok {
			return strings.TrimSpace(rest)
		}
	}
	return "absent"
}

// queuedJobs lists the jobs waiting in s's queue (no workers running).
func queuedJobs(s *Server) []*task {
	s.q.mu.Lock()
	defer s.q.mu.Unlock()
	var out []*task
	for _, k := range s.q.ready {
		out = append(out, s.q.slots[k].queued)
	}
	return out
}
