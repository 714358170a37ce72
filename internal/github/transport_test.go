package github

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// scripted answers requests from a list, recording the bodies it received.
type scripted struct {
	answers []func() (*http.Response, error)
	bodies  []string
}

func (s *scripted) RoundTrip(r *http.Request) (*http.Response, error) {
	b := ""
	if r.Body != nil {
		raw, _ := io.ReadAll(r.Body)
		b = string(raw)
	}
	s.bodies = append(s.bodies, b)
	next := s.answers[0]
	if len(s.answers) > 1 {
		s.answers = s.answers[1:]
	}
	return next()
}

func answer(code int, header ...string) func() (*http.Response, error) {
	return func() (*http.Response, error) {
		h := http.Header{}
		for i := 0; i+1 < len(header); i += 2 {
			h.Set(header[i], header[i+1])
		}
		return &http.Response{StatusCode: code, Header: h, Body: io.NopCloser(strings.NewReader("{}"))}, nil
	}
}

func broken() (*http.Response, error) { return nil, errors.New("connection reset by peer") }

func TestRetryTransport(t *testing.T) {
	now := time.Date(2019, 3, 1, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		method     string
		answers    []func() (*http.Response, error)
		attempts   int // 0: the default
		wantStatus int // 0: want a transport error
		wantWaits  []time.Duration
	}{
		{name: "success", method: "GET", answers: []func() (*http.Response, error){answer(200)}, wantStatus: 200},
		{name: "5xx backs off exponentially and gives up after 4 tries", method: "POST",
			answers:    []func() (*http.Response, error){answer(500)},
			wantStatus: 500, wantWaits: []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}},
		{name: "501 is not retried", method: "GET", answers: []func() (*http.Response, error){answer(501)}, wantStatus: 501},
		{name: "plain 403 is a refusal", method: "POST", answers: []func() (*http.Response, error){answer(403)}, wantStatus: 403},
		{name: "404 is final", method: "DELETE", answers: []func() (*http.Response, error){answer(404)}, wantStatus: 404},
		{name: "429 without headers backs off", method: "POST",
			answers:    []func() (*http.Response, error){answer(429), answer(201)},
			wantStatus: 201, wantWaits: []time.Duration{time.Second}},
		{name: "Retry-After as an HTTP date", method: "PATCH",
			answers:    []func() (*http.Response, error){answer(429, "Retry-After", now.Add(30*time.Second).Format(http.TimeFormat)), answer(200)},
			wantStatus: 200, wantWaits: []time.Duration{30 * time.Second}},
		{name: "403 secondary rate limit with Retry-After", method: "POST",
			answers:    []func() (*http.Response, error){answer(403, "Retry-After", "3"), answer(201)},
			wantStatus: 201, wantWaits: []time.Duration{3 * time.Second}},
		{name: "a reset too far away is not waited for", method: "GET",
			answers:    []func() (*http.Response, error){answer(403, "X-Ratelimit-Remaining", "0", "X-Ratelimit-Reset", "1551434400")},
			wantStatus: 403},
		{name: "Retry-After beyond the cap is not waited for", method: "GET",
			answers:    []func() (*http.Response, error){answer(429, "Retry-After", "3600")},
			wantStatus: 429},
		{name: "transport error on GET is retried", method: "GET",
			answers:    []func() (*http.Response, error){broken, answer(200)},
			wantStatus: 200, wantWaits: []time.Duration{time.Second}},
		{name: "transport error on POST is not repeated", method: "POST",
			answers: []func() (*http.Response, error){broken, answer(201)}},
		{name: "backoff is capped", method: "GET", attempts: 6,
			answers:    []func() (*http.Response, error){answer(502), answer(502), answer(502), answer(502), answer(502), answer(200)},
			wantStatus: 200, wantWaits: []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 8 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := &scripted{answers: tt.answers}
			var waits []time.Duration
			rt := newRetryTransport(base)
			rt.now = func() time.Time { return now }
			rt.sleep = func(_ context.Context, d time.Duration) error {
				waits = append(waits, d)
				return nil
			}
			if tt.attempts != 0 {
				rt.maxAttempts = tt.attempts
			}
			req, err := http.NewRequest(tt.method, "https://api.github.test/x", strings.NewReader(`{"body":"b"}`))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := rt.RoundTrip(req)
			switch {
			case tt.wantStatus == 0 && err == nil:
				t.Fatalf("RoundTrip status %d, want a transport error", resp.StatusCode)
			case tt.wantStatus != 0 && err != nil:
				t.Fatalf("RoundTrip: %v", err)
			case tt.wantStatus != 0 && resp.StatusCode != tt.wantStatus:
				t.Errorf("status = %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if diff := cmp.Diff(tt.wantWaits, waits); diff != "" {
				t.Errorf("waits (-want +got):\n%s", diff)
			}
			for i, b := range base.bodies {
				if b != `{"body":"b"}` {
					t.Errorf("attempt %d sent body %q, want the original", i+1, b)
				}
			}
		})
	}
}

func TestRetryTransportStopsWhenContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	base := &scripted{answers: []func() (*http.Response, error){answer(502)}}
	rt := newRetryTransport(base)
	rt.sleep = func(ctx context.Context, _ time.Duration) error {
		cancel()
		return ctx.Err()
	}
	req, _ := http.NewRequestWithContext(ctx, "GET", "https://api.github.test/x", nil)
	if _, err := rt.RoundTrip(req); !errors.Is(err, context.Canceled) {
		t.Fatalf("RoundTrip error = %v, want context.Canceled", err)
	}
	if len(base.bodies) != 1 {
		t.Errorf("attempts = %d, want 1", len(base.bodies))
	}
}
