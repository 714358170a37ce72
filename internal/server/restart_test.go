package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestKilledMidReview: the server is stopped abruptly while a review runs
// (its context cancelled, nothing published); a new instance over the same
// GitHub reconciles on start and the pull request ends up reviewed exactly
// once, even when a reconcile pass runs again and GitHub's original
// delivery is redelivered to the new instance.
func TestKilledMidReview(t *testing.T) {
	g := newFakeGitHub()
	head := sha("a")
	g.setOpen(7, head, "main")
	g.started = make(chan Job, 10)
	g.review = func(ctx context.Context, j Job) error {
		<-ctx.Done() // blocks until killed
		return ctx.Err()
	}
	// The first instance knows of no repository: only the delivery names it.
	g.repositories = make(chan struct{})
	first := start(t, newTestServer(t, g, func(c *Config) { c.Grace = -1 }))
	delivery := prPayload("opened", 7, head, "main", time.Now())
	if code := first.deliver(t, &http.Client{}, "pull_request", "d-7", delivery); code != 202 {
		t.Fatalf("delivery: %d", code)
	}
	<-g.started
	if err := first.stopAndWait(t); err != nil {
		t.Fatalf("first instance: %v", err)
	}
	if _, done := g.snapshot(); len(done) != 0 {
		t.Fatalf("the killed review published: %+v", done)
	}

	g.mu.Lock()
	g.review, g.repositories = nil, nil
	g.mu.Unlock()
	second := start(t, newTestServer(t, g, func(c *Config) { c.ReconcileInterval = 5 * time.Millisecond }))
	waitUntil(t, "the reconciled review", func() bool { _, d := g.snapshot(); return len(d) == 1 })
	time.Sleep(50 * time.Millisecond) // several more reconcile passes
	if code := second.deliver(t, &http.Client{}, "pull_request", "d-7", delivery); code != 202 {
		t.Fatalf("redelivery: %d", code)
	}
	waitUntil(t, "idle", second.q.idle)
	_, done := g.snapshot()
	if len(done) != 1 || done[0].PR != 7 || done[0].HeadSHA != head || done[0].Kind != KindReconcile {
		t.Errorf("published %+v, want one reconcile review of PR 7 at its head", done)
	}
	g.mu.Lock()
	checked := g.checked[head]
	g.mu.Unlock()
	if !checked {
		t.Error("the head has no finished check")
	}
	if got := metric(t, second.Server, `triangulate_duplicates_total{what="work"}`); got != "1" {
		t.Errorf("duplicate work = %s, want 1 (the redelivery)", got)
	}
}

// TestGracefulShutdown: on cancel the server stops taking deliveries and
// lets the running review finish and publish within the grace period.
func TestGracefulShutdown(t *testing.T) {
	g := newFakeGitHub()
	g.started = make(chan Job, 10)
	g.review = func(ctx context.Context, j Job) error {
		select {
		case <-time.After(200 * time.Millisecond):
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	r := start(t, newTestServer(t, g, func(c *Config) { c.Grace = 5 * time.Second }))
	r.deliver(t, &http.Client{}, "pull_request", "d-1", prPayload("opened", 1, sha("a"), "main", time.Now()))
	<-g.started
	began := time.Now()
	r.stop()
	waitUntil(t, "refusal", func() bool { return !r.q.accepting() })
	rec := httptest.NewRecorder()
	r.Handler().ServeHTTP(rec, request("pull_request", "d-2", prPayload("opened", 2, sha("b"), "main", time.Now())))
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("delivery during shutdown: %d, want 503", rec.Code)
	}
	if err := r.stopAndWait(t); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(began); took > 2*time.Second {
		t.Errorf("shutdown took %v", took)
	}
	_, done := g.snapshot()
	if len(done) != 1 || done[0].PR != 1 {
		t.Errorf("published %+v, want PR 1's review finished", done)
	}
}

// TestGraceOver: a review still running when the grace period ends is
// cancelled, publishes nothing, and Run returns.
func TestGraceOver(t *testing.T) {
	g := newFakeGitHub()
	g.started = make(chan Job, 10)
	g.review = func(ctx context.Context, j Job) error {
		<-ctx.Done()
		return ctx.Err()
	}
	r := start(t, newTestServer(t, g, func(c *Config) { c.Grace = 50 * time.Millisecond }))
	r.deliver(t, &http.Client{}, "pull_request", "d-1", prPayload("opened", 1, sha("a"), "main", time.Now()))
	<-g.started
	if err := r.stopAndWait(t); err != nil {
		t.Fatal(err)
	}
	if _, done := g.snapshot(); len(done) != 0 {
		t.Errorf("published %+v after the grace period", done)
	}
	if got := metric(t, r.Server, `triangulate_reviews_total{outcome="cancelled"}`); got != "1" {
		t.Errorf("cancelled = %s, want 1", got)
	}
}
