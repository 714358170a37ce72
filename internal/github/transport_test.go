package github

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
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

// bodyOf answers with status and a body of n bytes, made as it is read.
func bodyOf(status int, n int64) func() (*http.Response, error) {
	return func() (*http.Response, error) {
		return &http.Response{StatusCode: status, Header: http.Header{}, Body: &closeTracker{Reader: io.LimitReader(zeros{}, n)}}, nil
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// closeTracker records whether the transport closed the body.
type closeTracker struct {
	io.Reader
	closed bool
}

func (c *closeTracker) Close() error {
	c.closed = true
	return nil
}

func get(t *testing.T, rt http.RoundTripper, path string) (*http.Response, error) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, "https://api.github.test"+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return rt.RoundTrip(req)
}

func TestRequestBudget(t *testing.T) {
	tests := []struct {
		name     string
		answers  []func() (*http.Response, error)
		requests int // made one after another, to distinct paths
		wantSent int
		wantErr  error // of the last request
	}{
		{name: "at the budget", answers: []func() (*http.Response, error){answer(200)},
			requests: requestBudget, wantSent: requestBudget},
		{name: "one past", answers: []func() (*http.Response, error){answer(200)},
			requests: requestBudget + 1, wantSent: requestBudget, wantErr: ErrRequestBudget},
		{name: "retries count", answers: []func() (*http.Response, error){answer(502)},
			requests: requestBudget/4 + 1, wantSent: requestBudget, wantErr: ErrRequestBudget},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := &scripted{answers: tt.answers}
			rt := newRetryTransport(base)
			rt.sleep = func(context.Context, time.Duration) error { return nil }
			var err error
			for i := range tt.requests {
				var resp *http.Response
				resp, err = get(t, rt, fmt.Sprintf("/x/%d", i))
				if err == nil {
					resp.Body.Close()
				}
			}
			if len(base.bodies) != tt.wantSent {
				t.Errorf("%d requests sent, want %d", len(base.bodies), tt.wantSent)
			}
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("last request: %v, want %v", err, tt.wantErr)
			}
			if err != nil && err.Error() != "GitHub request budget of 500 exhausted" {
				t.Errorf("message %q", err)
			}
		})
	}
}

func TestPageCap(t *testing.T) {
	const listing = "/repos/o/r/pulls/7/comments"
	tests := []struct {
		name     string
		requests []string // GET paths, in order; "POST <path>" for a write
		wantSent int
		wantErr  error // of the last request
	}{
		{name: "at the cap", requests: slices.Repeat([]string{listing}, maxPages), wantSent: maxPages},
		{name: "one past", requests: slices.Repeat([]string{listing}, maxPages+1), wantSent: maxPages, wantErr: ErrTooManyPages},
		{name: "each listing has its own cap", requests: append(slices.Repeat([]string{listing}, maxPages), "/repos/o/r/pulls/7/reviews"), wantSent: maxPages + 1},
		{name: "writes are not pages", requests: append(slices.Repeat([]string{"POST " + listing}, maxPages), listing), wantSent: maxPages + 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := &scripted{answers: []func() (*http.Response, error){answer(200)}}
			rt := newRetryTransport(base)
			var err error
			for i, r := range tt.requests {
				method, path, ok := strings.Cut(r, " ")
				if !ok {
					method, path = http.MethodGet, r
				}
				// The page number does not matter: a next link that loops
				// back to a page already read is stopped as well.
				req, _ := http.NewRequest(method, fmt.Sprintf("https://api.github.test%s?per_page=100&page=%d", path, i%3+1), nil)
				var resp *http.Response
				if resp, err = rt.RoundTrip(req); err == nil {
					resp.Body.Close()
				}
			}
			if len(base.bodies) != tt.wantSent {
				t.Errorf("%d requests sent, want %d", len(base.bodies), tt.wantSent)
			}
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("last request: %v, want %v", err, tt.wantErr)
			}
			if err != nil && !strings.Contains(err.Error(), "refuse page 51 of "+listing+": GitHub listing runs past 50 pages") {
				t.Errorf("message %q", err)
			}
		})
	}
}

func TestResponseBodyCaps(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		sizes    []int64 // one response each, read in turn
		wantRead int64   // of the last response
		wantErr  error   // reading the last response
		// wantClosed: the transport closed the last body itself, so the
		// server stops sending even if the caller never closes it.
		wantClosed bool
	}{
		{name: "error body at the cap", status: 422, sizes: []int64{maxErrorBodyBytes}, wantRead: maxErrorBodyBytes},
		{name: "error body one past is cut", status: 422, sizes: []int64{maxErrorBodyBytes + 1}, wantRead: maxErrorBodyBytes, wantClosed: true},
		{name: "400 MiB error body", status: 404, sizes: []int64{400 << 20}, wantRead: maxErrorBodyBytes, wantClosed: true},
		{name: "answer at the cap", status: 200, sizes: []int64{maxResponseBytes}, wantRead: maxResponseBytes},
		{name: "answer one past fails", status: 200, sizes: []int64{maxResponseBytes + 1}, wantRead: maxResponseBytes, wantErr: ErrResponseTooLarge},
		{name: "run at its read budget", status: 200, sizes: []int64{maxResponseBytes, maxResponseBytes, maxResponseBytes, maxResponseBytes}, wantRead: maxResponseBytes},
		{name: "run one past its read budget", status: 200, sizes: []int64{maxResponseBytes, maxResponseBytes, maxResponseBytes, maxResponseBytes, 1}, wantRead: 1, wantErr: ErrResponseTooLarge},
	}
	if runReadBudget != 4*maxResponseBytes {
		t.Fatal("the run budget cases assume four full answers fill it")
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var last *closeTracker
			var answers []func() (*http.Response, error)
			for _, n := range tt.sizes {
				answers = append(answers, func() (*http.Response, error) {
					resp, err := bodyOf(tt.status, n)()
					last = resp.Body.(*closeTracker)
					return resp, err
				})
			}
			rt := newRetryTransport(&scripted{answers: answers})
			var read int64
			var err error
			for i := range tt.sizes {
				resp, rerr := get(t, rt, fmt.Sprintf("/x/%d", i))
				if rerr != nil {
					t.Fatal(rerr)
				}
				read, err = io.Copy(io.Discard, resp.Body)
				if i < len(tt.sizes)-1 && err != nil {
					t.Fatalf("response %d: %v", i+1, err)
				}
			}
			if read != tt.wantRead {
				t.Errorf("read %d bytes, want %d", read, tt.wantRead)
			}
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("read error %v, want %v", err, tt.wantErr)
			}
			if last.closed != tt.wantClosed {
				t.Errorf("body closed by the transport: %v, want %v", last.closed, tt.wantClosed)
			}
		})
	}
}
