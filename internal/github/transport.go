package github

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"
)

// retryTransport retries what GitHub asks to be retried: server errors, and
// primary or secondary rate limits (429, or 403 that carries Retry-After or an
// exhausted x-ratelimit-remaining). A plain 403 is a permission answer and is
// returned at once so the caller can fall back.
//
// It is a small transport of our own rather than go-retryablehttp because the
// policy is GitHub's rather than generic: retryablehttp does not retry a 403
// rate limit, does not read x-ratelimit-reset, replaces the final response
// with its own error unless an ErrorHandler is swapped in (go-github needs the
// response to build its typed errors), logs to stderr by default, and waits
// on real timers that tests cannot replace. Overriding all of that left less
// of the library in use than this file.
//
// It also holds the run to its limits (limits.go), here rather than in each
// caller's loop so that no request, paginated or retried, can get past them.
type retryTransport struct {
	base        http.RoundTripper
	limits      *runLimits
	maxAttempts int
	// firstDelay doubles after each failed attempt, up to maxBackoff. No
	// jitter: one bot per pull request does not make a thundering herd, and
	// fixed waits keep the behaviour testable.
	firstDelay time.Duration
	maxBackoff time.Duration
	// maxWait bounds any single wait, including one GitHub asks for; a longer
	// request (a primary rate limit resetting in 40 minutes) is not worth
	// holding a CI job for, so the response is returned as it is.
	maxWait time.Duration
	sleep   func(context.Context, time.Duration) error
	now     func() time.Time
}

func newRetryTransport(base http.RoundTripper) *retryTransport {
	if base == nil {
		base = http.DefaultTransport
	}
	return &retryTransport{
		base:        base,
		limits:      newRunLimits(),
		maxAttempts: 4,
		firstDelay:  time.Second,
		maxBackoff:  8 * time.Second,
		maxWait:     60 * time.Second,
		sleep:       sleepContext,
		now:         time.Now,
	}
}

func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// RoundTrip implements http.RoundTripper.
func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := t.limits.admit(req); err != nil {
		closeBody(req)
		return nil, err
	}
	for attempt := 1; ; attempt++ {
		if err := t.limits.spend(); err != nil {
			closeBody(req)
			return nil, err
		}
		r := req
		if attempt > 1 && req.Body != nil && req.Body != http.NoBody {
			body, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			r = req.Clone(req.Context())
			r.Body = body
		}
		resp, err := t.base.RoundTrip(r)
		t.limits.bound(req, resp)
		wait, again := t.retryAfter(req, resp, err, attempt)
		if !again || attempt >= t.maxAttempts {
			return resp, err
		}
		if resp != nil {
			// Drain so the connection can be reused for the next attempt.
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
			resp.Body.Close()
		}
		if err := t.sleep(req.Context(), wait); err != nil {
			return nil, err
		}
	}
}

// noRetry marks a transport error that retrying cannot help, such as a
// failed token exchange that has had retries of its own.
type noRetry struct{ error }

func (e noRetry) Unwrap() error { return e.error }

// closeBody closes the body of a request that will not be sent, as a
// RoundTripper must.
func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

// retryAfter decides whether an attempt should be repeated and after how long.
func (t *retryTransport) retryAfter(req *http.Request, resp *http.Response, err error, attempt int) (time.Duration, bool) {
	if req.Context().Err() != nil {
		return 0, false
	}
	if req.Body != nil && req.Body != http.NoBody && req.GetBody == nil {
		return 0, false // the body cannot be sent twice
	}
	backoff := min(t.firstDelay<<(attempt-1), t.maxBackoff)
	if errors.As(err, new(noRetry)) {
		return 0, false
	}
	if err != nil {
		// A write that failed in transit may have reached GitHub; repeating
		// it could duplicate a comment, so only safe methods are retried.
		switch req.Method {
		case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodOptions:
			return backoff, true
		}
		return 0, false
	}
	var wait time.Duration
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		wait = t.askedWait(resp.Header, backoff)
	case resp.StatusCode == http.StatusForbidden && rateLimited(resp.Header):
		wait = t.askedWait(resp.Header, backoff)
	case resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented:
		// GitHub answers 502 and 504 when its backend times out, usually
		// after finishing the work, so a retried POST can duplicate it; the
		// fingerprints let the next run tidy any duplicate line comment.
		wait = t.askedWait(resp.Header, backoff)
	default:
		return 0, false
	}
	if wait > t.maxWait {
		return 0, false
	}
	return wait, true
}

// rateLimited reports whether a 403 is a rate limit rather than a refusal.
func rateLimited(h http.Header) bool {
	return h.Get("Retry-After") != "" || h.Get("X-Ratelimit-Remaining") == "0"
}

// askedWait is the wait the response asks for (Retry-After, else the
// rate-limit reset time), or fallback when it asks for none.
func (t *retryTransport) askedWait(h http.Header, fallback time.Duration) time.Duration {
	if v := h.Get("Retry-After"); v != "" {
		if secs, err := strconv.Atoi(v); err == nil && secs >= 0 {
			return time.Duration(secs) * time.Second
		}
		if at, err := http.ParseTime(v); err == nil {
			return max(at.Sub(t.now()), 0)
		}
	}
	if h.Get("X-Ratelimit-Remaining") == "0" {
		if reset, err := strconv.ParseInt(h.Get("X-Ratelimit-Reset"), 10, 64); err == nil {
			// One extra second because the reset is whole seconds and the
			// clocks of GitHub and the runner differ slightly.
			return max(time.Unix(reset, 0).Sub(t.now())+time.Second, 0)
		}
	}
	return fallback
}
