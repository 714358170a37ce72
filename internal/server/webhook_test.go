package server

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestRefused: what is not verifiably GitHub's, or not readable, is refused
// with the right code, counted, and queues nothing.
func TestRefused(t *testing.T) {
	good := prPayload("opened", 1, sha("h1"), "main", time.Now())
	big := append(bytes.Repeat([]byte(" "), maxBodyBytes), good...)
	cases := []struct {
		name    string
		req     func() *http.Request
		code    int
		outcome string
	}{
		{"no signature", func() *http.Request {
			r := request("pull_request", "d", good)
			r.Header.Del("X-Hub-Signature-256")
			return r
		}, 401, "unauthorized"},
		{"signed with another secret", func() *http.Request {
			r := request("pull_request", "d", good)
			r.Header.Set("X-Hub-Signature-256", sign(good, "guess"))
			return r
		}, 401, "unauthorized"},
		{"signature of another body", func() *http.Request {
			r := request("pull_request", "d", good)
			r.Header.Set("X-Hub-Signature-256", sign(append(good, ' '), testSecret))
			return r
		}, 401, "unauthorized"},
		{"garbled signature", func() *http.Request {
			r := request("pull_request", "d", good)
			r.Header.Set("X-Hub-Signature-256", "sha256=zz")
			return r
		}, 401, "unauthorized"},
		{"valid SHA-1 signature only", func() *http.Request {
			r := request("pull_request", "d", good)
			r.Header.Del("X-Hub-Signature-256")
			m := hmac.New(sha1.New, []byte(testSecret))
			m.Write(good)
			r.Header.Set("X-Hub-Signature", "sha1="+hex.EncodeToString(m.Sum(nil)))
			return r
		}, 401, "unauthorized"},
		{"SHA-1 signature in the SHA-256 header", func() *http.Request {
			r := request("pull_request", "d", good)
			m := hmac.New(sha1.New, []byte(testSecret))
			m.Write(good)
			r.Header.Set("X-Hub-Signature-256", "sha1="+hex.EncodeToString(m.Sum(nil)))
			return r
		}, 401, "unauthorized"},
		{"unsupported content type", func() *http.Request {
			r := request("pull_request", "d", good)
			r.Header.Set("Content-Type", "text/plain")
			return r
		}, 401, "unauthorized"},
		{"oversized body, validly signed", func() *http.Request { return request("pull_request", "d", big) }, 413, "too_large"},
		{"malformed JSON, validly signed", func() *http.Request {
			return request("pull_request", "d", []byte(`{"action": "opened", "pull_request": {`))
		}, 400, "malformed"},
		{"malformed JSON of an unhandled event", func() *http.Request { return request("issues", "d", []byte(`{`)) }, 400, "malformed"},
		{"wrong type for a field read", func() *http.Request {
			return request("pull_request", "d", []byte(`{"action": "opened", "pull_request": {"number": "one"}}`))
		}, 400, "malformed"},
		{"head that is not a commit id", func() *http.Request {
			return request("pull_request", "d", prPayload("opened", 1, "HEAD~1; rm -rf /", "main", time.Now()))
		}, 400, "malformed"},
		{"no repository", func() *http.Request {
			return request("merge_group", "d", []byte(`{"action": "checks_requested", "merge_group": {"head_sha": "`+sha("m")+`", "base_ref": "refs/heads/main"}}`))
		}, 400, "malformed"},
		{"no delivery id", func() *http.Request { return request("pull_request", "", good) }, 400, "malformed"},
		{"unknown event", func() *http.Request { return request("issues", "d", []byte(`{"action": "opened"}`)) }, 202, "ignored"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newTestServer(t, newFakeGitHub(), nil)
			rec := httptest.NewRecorder()
			r := c.req()
			s.Handler().ServeHTTP(rec, r)
			if rec.Code != c.code {
				t.Errorf("code %d, want %d (%s)", rec.Code, c.code, strings.TrimSpace(rec.Body.String()))
			}
			if n := len(queuedJobs(s)); n != 0 {
				t.Errorf("%d tasks queued, want none", n)
			}
			event := eventLabel(r.Header.Get("X-GitHub-Event"))
			if got := metric(t, s, `triangulate_webhook_deliveries_total{event="`+event+`",outcome="`+c.outcome+`"}`); got != "1" {
				t.Errorf("deliveries{%s,%s} = %s, want 1", event, c.outcome, got)
			}
		})
	}
}

func TestWebhookMethod(t *testing.T) {
	s := newTestServer(t, newFakeGitHub(), nil)
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, WebhookPath, nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("GET %s: %d, want 405", WebhookPath, rec.Code)
	}
}

// TestDuplicateDelivery: a delivery id seen before is acknowledged and
// dropped; the same work under a new id is not queued twice either.
func TestDuplicateDelivery(t *testing.T) {
	s := newTestServer(t, newFakeGitHub(), nil)
	body := prPayload("opened", 1, sha("h1"), "main", time.Now())
	for i, want := range []int{202, 200, 202} {
		id := "d-1"
		if i == 2 {
			id = "d-2" // a different delivery of the same head
		}
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, request("pull_request", id, body))
		if rec.Code != want {
			t.Errorf("delivery %d: %d, want %d", i, rec.Code, want)
		}
	}
	if n := len(queuedJobs(s)); n != 1 {
		t.Errorf("%d tasks queued, want 1", n)
	}
	if got := metric(t, s, `triangulate_duplicates_total{what="delivery"}`); got != "1" {
		t.Errorf("duplicate deliveries = %s, want 1", got)
	}
	if got := metric(t, s, `triangulate_duplicates_total{what="work"}`); got != "1" {
		t.Errorf("duplicate work = %s, want 1", got)
	}
}

// TestQueueFull: a full queue answers 503 and forgets the delivery id, so
// the same delivery redelivered later is taken; a newer head for a pull
// request already queued needs no room.
func TestQueueFull(t *testing.T) {
	s := newTestServer(t, newFakeGitHub(), func(c *Config) { c.QueueSize = 2 })
	post := func(id string, pr int, head string) int {
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, request("pull_request", id, prPayload("synchronize", pr, sha(head), "main", time.Now())))
		return rec.Code
	}
	steps := []struct {
		id   string
		pr   int
		head string
		want int
	}{
		{"d-1", 1, "a", 202},
		{"d-2", 2, "b", 202},
		{"d-3", 3, "c", 503},  // no room
		{"d-4", 1, "a2", 202}, // replaces PR 1's queued head
	}
	for _, st := range steps {
		if got := post(st.id, st.pr, st.head); got != st.want {
			t.Errorf("%s: %d, want %d", st.id, got, st.want)
		}
	}
	// Room again: the refused delivery, redelivered with its id, is taken.
	s.q.mu.Lock()
	s.q.capacity = 3
	s.q.mu.Unlock()
	if got := post("d-3", 3, "c"); got != 202 {
		t.Errorf("redelivered d-3: %d, want 202", got)
	}
	if got := metric(t, s, `triangulate_webhook_deliveries_total{event="pull_request",outcome="queue_full"}`); got != "1" {
		t.Errorf("queue_full = %s, want 1", got)
	}
	if got := metric(t, s, "triangulate_queue_depth"); got != "3" {
		t.Errorf("queue depth = %s, want 3", got)
	}
}

// TestHealthAndReadiness: alive at once; ready only after the first
// reconcile pass; neither once shut down.
func TestHealthAndReadiness(t *testing.T) {
	g := newFakeGitHub()
	g.repositories = make(chan struct{})
	s := newTestServer(t, g, nil)
	r := start(t, s)
	get := func(path string) int {
		resp, err := http.Get(r.url + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := get(HealthPath); got != 200 {
		t.Errorf("healthz %d, want 200", got)
	}
	if got := get(ReadyPath); got != 503 {
		t.Errorf("readyz before reconcile: %d, want 503", got)
	}
	close(g.repositories)
	waitUntil(t, "readiness", func() bool { return get(ReadyPath) == 200 })
	if got := metric(t, s, `triangulate_reconcile_total{outcome="ok"}`); got != "1" {
		t.Errorf("reconciles ok = %s, want 1", got)
	}
	if err := r.stopAndWait(t); err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, ReadyPath, nil))
	if rec.Code != 503 {
		t.Errorf("readyz after shutdown: %d, want 503", rec.Code)
	}
}

func TestNewRefusesMissingParts(t *testing.T) {
	g := newFakeGitHub()
	for name, cfg := range map[string]Config{
		"no secret":   {Reviewer: g, Lister: g},
		"no reviewer": {Secret: []byte("s"), Lister: g},
		"no lister":   {Secret: []byte("s"), Reviewer: g},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
